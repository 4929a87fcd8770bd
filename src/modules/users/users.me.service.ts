import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/connect.js';
import { FieldErrorCollector, NotFoundError, ValidationError } from '../../errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { type ClientInfo, issueTokenPair, revokeAllForUser, revokeFamily, type TokenPair } from '../auth/tokens.service.js';
import { bumpTokenVersion, findUserByEmail, findUserById } from './users.repository.js';

const WRONG_OLD = 'Your old password was entered incorrectly. Please enter it again.';

/**
 * The signed-in user changes their password. Every access and refresh token of the user stops
 * working (a thief who had one is cut off); the caller gets a fresh pair back so they stay signed
 * in on this device. Wrong old passwords count as login failures, so a stolen access token
 * cannot be used to guess the password.
 */
export async function changeOwnPassword(
  app: FastifyInstance,
  userId: number,
  body: { old_password: string; new_password: string },
  client: ClientInfo,
  ctx: AuditContext,
): Promise<TokenPair> {
  const current = await findUserById(app.db, userId);
  if (!current) throw new NotFoundError();
  await app.loginThrottle.assertAllowed(current.email, client.ip);
  const withHash = await findUserByEmail(app.db, current.email);
  if (!(await verifyPassword(withHash?.password, body.old_password))) {
    await app.loginThrottle.recordFailure(current.email, client.ip);
    await recordAudit(app.db, ctx, {
      action: 'password_change',
      resourceType: 'user',
      resourceId: userId,
      outcome: 'failure',
      details: { reason: 'bad_old_password' },
    });
    throw ValidationError.field('old_password', WRONG_OLD);
  }
  const errors = new FieldErrorCollector();
  for (const message of checkPasswordPolicy(body.new_password, current.email)) errors.add('new_password', message);
  if (body.new_password === body.old_password) errors.add('new_password', 'The new password must be different from the old one.');
  errors.throwIfAny();
  const hash = await hashPassword(body.new_password);
  const tokens = await app.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ password: hash, password_changed_at: new Date().toISOString() })
      .where('id', '=', userId)
      .execute();
    await bumpTokenVersion(trx, userId);
    await revokeAllForUser(trx, userId);
    const fresh = await findUserById(trx, userId);
    if (!fresh) throw new NotFoundError();
    const pair = await issueTokenPair(app, trx, fresh, client);
    await recordAudit(trx, ctx, {
      action: 'password_change',
      resourceType: 'user',
      resourceId: userId,
      details: { fields: ['password'], sessions_revoked: true },
    });
    return pair;
  });
  await app.loginThrottle.recordSuccess(current.email);
  return tokens;
}

export interface SessionView {
  id: string;
  created: string;
  last_used: string;
  expires: string;
  client_ip: string;
  user_agent: string;
  current: boolean;
}

/**
 * The user's live logins: one per refresh-token family holding a token that is neither used,
 * revoked nor expired. Created is the family's first token, last used its newest (each refresh
 * issues one), client details from the newest.
 */
export async function listSessions(db: Database, userId: number, currentSid: string | null): Promise<SessionView[]> {
  const now = new Date().toISOString();
  const live = await db
    .selectFrom('refresh_tokens')
    .select(['family_id', 'expires_at', 'created_at', 'client_ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  if (live.length === 0) return [];
  const firsts = await db
    .selectFrom('refresh_tokens')
    .select(['family_id', (eb) => eb.fn.min('created_at').as('first')])
    .where(
      'family_id',
      'in',
      live.map((r) => r.family_id),
    )
    .groupBy('family_id')
    .execute();
  const firstOf = new Map(firsts.map((f) => [f.family_id, String(f.first)]));
  return live
    .map((r) => ({
      id: r.family_id,
      created: firstOf.get(r.family_id) ?? r.created_at,
      last_used: r.created_at,
      expires: r.expires_at,
      client_ip: r.client_ip,
      user_agent: r.user_agent,
      current: r.family_id === currentSid,
    }))
    .sort((a, b) => (a.last_used < b.last_used ? 1 : a.last_used > b.last_used ? -1 : 0));
}

/** Revokes one of the caller's own logins; another user's login is "not found". */
export async function revokeOwnSession(db: Database, userId: number, familyId: string, ctx: AuditContext): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const owned = await trx
      .selectFrom('refresh_tokens')
      .select('id')
      .where('family_id', '=', familyId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (!owned) throw new NotFoundError();
    await revokeFamily(trx, familyId);
    await recordAudit(trx, ctx, { action: 'session_revoke', resourceType: 'user', resourceId: userId, details: { session: familyId } });
  });
}

/** Staff: ends every login and access token of a user at once. */
export async function revokeAllSessions(db: Database, userId: number, ctx: AuditContext): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new NotFoundError();
    await bumpTokenVersion(trx, userId);
    await revokeAllForUser(trx, userId);
    await recordAudit(trx, ctx, {
      action: 'revoke_sessions',
      resourceType: 'user',
      resourceId: userId,
      details: { sessions_revoked: true },
    });
  });
}
