import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { findUserByEmail, type UserRow } from '../users/users.repository.js';
import { verifyPassword } from './passwords.js';
import { type ClientInfo, issueTokenPair, type TokenPair } from './tokens.service.js';

export const BAD_CREDENTIALS = 'Unable to log in with provided credentials.';

/**
 * Unknown email, wrong password and inactive account get the same answer after the same work
 * (a password verification), so the response does not reveal which accounts exist.
 */
export async function login(
  app: FastifyInstance,
  email: string,
  password: string,
  client: ClientInfo,
  ctx: AuditContext,
): Promise<{ user: UserRow; tokens: TokenPair }> {
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
  const done = await app.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    await trx.updateTable('users').set({ last_login: now }).where('id', '=', user.id).execute();
    const tokens = await issueTokenPair(app, trx, user, client);
    await recordAudit(trx, ctx, { action: 'login', resourceType: 'user', resourceId: user.id, userId: user.id, userType: user.user_type });
    return { user: { ...user, last_login: now }, tokens };
  });
  await app.loginThrottle.recordSuccess(email);
  return done;
}
