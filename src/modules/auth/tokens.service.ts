import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/connect.js';
import { InvalidTokenError } from '../../errors.js';
import type { AccessClaims } from '../../plugins/auth.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import type { UserRow } from '../users/users.repository.js';

interface RefreshClaims {
  token_type: 'refresh';
  user_id: number;
  jti: string;
  fam: string;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

function nowIso() {
  return new Date().toISOString();
}

/**
 * `sid` names the login (refresh-token family) the access token belongs to, so revoking that one
 * login (logout, a revoked session, a detected refresh-token theft) stops its access tokens too.
 */
export function signAccess(app: FastifyInstance, user: Pick<UserRow, 'id' | 'token_version'>, sid?: string): string {
  const claims: AccessClaims = {
    token_type: 'access',
    user_id: user.id,
    ver: user.token_version,
    jti: randomUUID(),
    ...(sid ? { sid } : {}),
  };
  return app.jwt.sign(claims, { expiresIn: app.config.accessTokenLifetimeSec });
}

async function issueRefresh(app: FastifyInstance, db: Database, userId: number, familyId: string, client: ClientInfo) {
  const jti = randomUUID();
  const lifetime = app.config.refreshTokenLifetimeSec;
  const claims: RefreshClaims = { token_type: 'refresh', user_id: userId, jti, fam: familyId };
  const token = app.jwt.sign(claims, { expiresIn: lifetime });
  const now = new Date();
  await db
    .insertInto('refresh_tokens')
    .values({
      jti,
      family_id: familyId,
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + lifetime * 1000).toISOString(),
      last_used_at: null,
      used_at: null,
      revoked_at: null,
      client_ip: client.ip.slice(0, 64),
      user_agent: client.userAgent.slice(0, 300),
    })
    .execute();
  return token;
}

/** A new login: a new token family. */
export async function issueTokenPair(app: FastifyInstance, db: Database, user: UserRow, client: ClientInfo): Promise<TokenPair> {
  const familyId = randomUUID();
  const refresh = await issueRefresh(app, db, user.id, familyId, client);
  return { access: signAccess(app, user, familyId), refresh };
}

function readRefresh(app: FastifyInstance, token: string, { ignoreExpiration = false } = {}): RefreshClaims {
  try {
    const claims = app.jwt.verify<RefreshClaims>(token, { ignoreExpiration });
    if (claims.token_type !== 'refresh' || typeof claims.jti !== 'string') throw new Error('wrong type');
    return claims;
  } catch {
    throw new InvalidTokenError('Token is invalid or expired');
  }
}

/**
 * Revokes every token of a login, or of all a user's logins, until none is left live.
 *
 * One UPDATE is not enough on PostgreSQL: a rotation running at the same time holds the lock on
 * the token it is spending, this UPDATE waits for it, and the token that rotation inserts is not
 * in this statement's snapshot, so it would stay live (READ COMMITTED). Each further statement
 * takes a fresh snapshot and sees it; when one updates nothing, every token is revoked and no
 * rotation can be in flight (it would hold a live token this statement had to wait for), and a
 * revoked token can never be spent again. On SQLite, whose writers run one at a time, the second
 * statement finds nothing.
 */
async function revokeUntilNoneLive(db: Database, by: { family_id: string } | { user_id: number }): Promise<void> {
  for (;;) {
    let q = db.updateTable('refresh_tokens').set({ revoked_at: nowIso() }).where('revoked_at', 'is', null);
    q = 'family_id' in by ? q.where('family_id', '=', by.family_id) : q.where('user_id', '=', by.user_id);
    const { numUpdatedRows } = await q.executeTakeFirst();
    if (Number(numUpdatedRows) === 0) return;
  }
}

export async function revokeFamily(db: Database, familyId: string): Promise<void> {
  await revokeUntilNoneLive(db, { family_id: familyId });
}

export async function revokeAllForUser(db: Database, userId: number): Promise<void> {
  await revokeUntilNoneLive(db, { user_id: userId });
}

/**
 * Rotation: a refresh token is spent by a conditional update whose row count decides, so two
 * concurrent uses of one token cannot both succeed. Presenting a spent token is treated as theft:
 * the whole login (token family) is revoked.
 */
export async function rotateRefresh(app: FastifyInstance, token: string, client: ClientInfo, ctx: AuditContext): Promise<TokenPair> {
  const claims = readRefresh(app, token);
  const db = app.db;
  const outcome = await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const spent = await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now, last_used_at: now })
      .where('jti', '=', claims.jti)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) {
      const row = await trx
        .selectFrom('refresh_tokens')
        .select(['family_id', 'used_at', 'user_id'])
        .where('jti', '=', claims.jti)
        .executeTakeFirst();
      if (row?.used_at) {
        await revokeFamily(trx, row.family_id);
        await recordAudit(trx, ctx, {
          action: 'token_reuse_detected',
          resourceType: 'user',
          resourceId: row.user_id,
          userId: row.user_id,
          outcome: 'denied',
        });
        return 'reused' as const;
      }
      return 'invalid' as const;
    }
    const user = await trx
      .selectFrom('users')
      .select(['id', 'status', 'token_version', 'user_type'])
      .where('id', '=', claims.user_id)
      .executeTakeFirst();
    if (!user?.status) {
      await revokeFamily(trx, claims.fam);
      return 'invalid' as const;
    }
    const refresh = await issueRefresh(app, trx, user.id, claims.fam, client);
    await recordAudit(trx, ctx, {
      action: 'token_refresh',
      resourceType: 'user',
      resourceId: user.id,
      userId: user.id,
      userType: user.user_type,
    });
    return { access: signAccess(app, { id: user.id, token_version: user.token_version }, claims.fam), refresh };
  });
  if (outcome === 'reused') throw new InvalidTokenError('Token has already been used; this login has been revoked');
  if (outcome === 'invalid') throw new InvalidTokenError('Token is invalid or expired');
  return outcome;
}

/** Logout ends the login the refresh token belongs to. An expired token still logs out. */
export async function logout(app: FastifyInstance, token: string, ctx: AuditContext): Promise<void> {
  const claims = readRefresh(app, token, { ignoreExpiration: true });
  await app.db.transaction().execute(async (trx) => {
    // Logout carries no access token: who logged out (and their type) comes from the refresh token.
    const row = await trx
      .selectFrom('refresh_tokens')
      .innerJoin('users', 'users.id', 'refresh_tokens.user_id')
      .select(['refresh_tokens.family_id', 'refresh_tokens.user_id', 'users.user_type'])
      .where('refresh_tokens.jti', '=', claims.jti)
      .executeTakeFirst();
    if (!row) throw new InvalidTokenError('Token is invalid or expired');
    await revokeFamily(trx, row.family_id);
    await recordAudit(trx, ctx, {
      action: 'logout',
      resourceType: 'user',
      resourceId: row.user_id,
      userId: row.user_id,
      userType: row.user_type,
    });
  });
}
