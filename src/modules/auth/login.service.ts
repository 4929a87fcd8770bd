import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { findUserByEmail, type UserRow } from '../users/users.repository.js';
import { checkSecondFactor, mfaEnabled, mfaEnrollmentRequired, readMfaToken, signMfaToken } from './mfa.service.js';
import { verifyPassword } from './passwords.js';
import { type ClientInfo, issueTokenPair, type TokenPair } from './tokens.service.js';

export const BAD_CREDENTIALS = 'Unable to log in with provided credentials.';

export type LoginOutcome =
  | { kind: 'done'; user: UserRow; tokens: TokenPair; mfaEnrollmentRequired: boolean }
  | { kind: 'mfa'; user: UserRow; mfaToken: string };

export type CompletedLogin = Extract<LoginOutcome, { kind: 'done' }>;

/**
 * Unknown email, wrong password and inactive account get the same answer after the same work
 * (a password verification), so the response does not reveal which accounts exist. A user with
 * MFA gets a short-lived MFA token instead of tokens; POST /api/login/mfa/ finishes the login.
 */
export async function login(
  app: FastifyInstance,
  email: string,
  password: string,
  client: ClientInfo,
  ctx: AuditContext,
): Promise<LoginOutcome> {
  const user = await findUserByEmail(app.db, email);
  try {
    await app.loginThrottle.assertAllowed(email, client.ip);
  } catch (err) {
    // Locked: the password is not even checked, so a right guess now is not revealed.
    await recordAudit(app.db, ctx, {
      action: 'login',
      resourceType: 'user',
      resourceId: user?.id ?? null,
      userId: user?.id ?? null,
      userType: user?.user_type ?? '',
      outcome: 'denied',
      details: { reason: 'locked' },
    });
    throw err;
  }
  const passwordOk = await verifyPassword(user?.password, password);
  if (!user || !passwordOk || !user.status) {
    await app.loginThrottle.recordFailure(email, client.ip);
    await recordAudit(app.db, ctx, {
      action: 'login',
      resourceType: 'user',
      resourceId: user?.id ?? null,
      userId: user?.id ?? null,
      userType: user?.user_type ?? '',
      outcome: 'failure',
      details: { reason: !user ? 'unknown_account' : !passwordOk ? 'bad_password' : 'inactive' },
    });
    throw ValidationError.field('non_field_errors', BAD_CREDENTIALS);
  }
  if (await mfaEnabled(app.db, user.id)) {
    // The failure count is not cleared yet: guesses at the second factor keep counting.
    await recordAudit(app.db, ctx, {
      action: 'login_mfa_challenge',
      resourceType: 'user',
      resourceId: user.id,
      userId: user.id,
      userType: user.user_type,
    });
    return { kind: 'mfa', user, mfaToken: signMfaToken(app, user) };
  }
  return completeLogin(app, user, client, ctx, {});
}

async function completeLogin(
  app: FastifyInstance,
  user: UserRow,
  client: ClientInfo,
  ctx: AuditContext,
  details: Record<string, unknown>,
): Promise<CompletedLogin> {
  const done = await app.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    await trx.updateTable('users').set({ last_login: now }).where('id', '=', user.id).execute();
    const tokens = await issueTokenPair(app, trx, user, client);
    await recordAudit(trx, ctx, {
      action: 'login',
      resourceType: 'user',
      resourceId: user.id,
      userId: user.id,
      userType: user.user_type,
      details,
    });
    return { user: { ...user, last_login: now }, tokens };
  });
  await app.loginThrottle.recordSuccess(user.email);
  return { kind: 'done', ...done, mfaEnrollmentRequired: await mfaEnrollmentRequired(app.db, user) };
}

/** The second step: the MFA token from step one plus a TOTP code or a recovery code. */
export async function loginWithMfa(
  app: FastifyInstance,
  mfaToken: string,
  code: string,
  client: ClientInfo,
  ctx: AuditContext,
): Promise<CompletedLogin> {
  const user = await readMfaToken(app, mfaToken);
  await app.loginThrottle.assertAllowed(user.email, client.ip);
  const method = await checkSecondFactor(app, user.id, code);
  if (!method) {
    await app.loginThrottle.recordFailure(user.email, client.ip);
    await recordAudit(app.db, ctx, {
      action: 'login',
      resourceType: 'user',
      resourceId: user.id,
      userId: user.id,
      userType: user.user_type,
      outcome: 'failure',
      details: { reason: 'bad_mfa_code' },
    });
    throw ValidationError.field('code', 'Invalid or expired code.');
  }
  return completeLogin(app, user, client, ctx, { mfa: method });
}
