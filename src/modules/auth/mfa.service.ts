import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import type { Database } from '../../db/connect.js';
import { ConflictError, InvalidTokenError, NotFoundError, ValidationError } from '../../errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { findUserByEmail, findUserById, type UserRow } from '../users/users.repository.js';
import { decryptSecret, encryptSecret, hashRecoveryCode, newRecoveryCode } from './mfa.crypto.js';
import { verifyPassword } from './passwords.js';

const ISSUER = 'customehr';
const PERIOD = 30;
export const RECOVERY_CODE_COUNT = 10;
const MFA_TOKEN_LIFETIME_SEC = 300;

function totpFor(secretBase32: string, label = '') {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: PERIOD });
}

async function mfaRow(db: Database, userId: number) {
  const row = await db.selectFrom('user_mfa').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row ? { ...row, enabled: Boolean(row.enabled) } : undefined;
}

export async function mfaEnabled(db: Database, userId: number): Promise<boolean> {
  return (await mfaRow(db, userId))?.enabled ?? false;
}

export async function securitySettings(db: Database) {
  const row = await db.selectFrom('security_settings').selectAll().where('id', '=', 1).executeTakeFirst();
  return { mfa_required: Boolean(row?.mfa_required), updated_at: row?.updated_at ?? new Date(0).toISOString() };
}

/** The clinic policy covers staff and providers: the people who can see other people's records. */
export async function mfaEnrollmentRequired(db: Database, user: Pick<UserRow, 'id' | 'user_type'>): Promise<boolean> {
  if (user.user_type === 'patient') return false;
  if (!(await securitySettings(db)).mfa_required) return false;
  return !(await mfaEnabled(db, user.id));
}

export async function mfaStatus(db: Database, user: Pick<UserRow, 'id' | 'user_type'>) {
  const row = await mfaRow(db, user.id);
  const remaining = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  const required = user.user_type !== 'patient' && (await securitySettings(db)).mfa_required;
  return {
    enabled: row?.enabled ?? false,
    pending: row !== undefined && !row.enabled,
    confirmed_at: row?.confirmed_at ?? null,
    recovery_codes_remaining: row?.enabled ? Number(remaining.n) : 0,
    required,
  };
}

/** Starts (or restarts) enrolment: a new secret, shown once, usable after confirmation. */
export async function enrol(app: FastifyInstance, user: Pick<UserRow, 'id' | 'email'>, ctx: AuditContext) {
  const secret = new Secret({ size: 20 }).base32;
  const stored = encryptSecret(app.config.jwtSecret, secret);
  await app.db.transaction().execute(async (trx) => {
    // Only a pending (unconfirmed) enrolment may be replaced; the condition makes that atomic.
    const replaced = await trx.deleteFrom('user_mfa').where('user_id', '=', user.id).where('enabled', '=', false).executeTakeFirst();
    const existing = await trx.selectFrom('user_mfa').select('user_id').where('user_id', '=', user.id).executeTakeFirst();
    if (existing) throw new ConflictError('Two-factor authentication is already enabled. Disable it first to enrol a new device.');
    await trx
      .insertInto('user_mfa')
      .values({
        user_id: user.id,
        secret_enc: stored,
        enabled: false,
        last_used_step: 0,
        created_at: new Date().toISOString(),
        confirmed_at: null,
      })
      .execute();
    await recordAudit(trx, ctx, {
      action: 'mfa_enrol',
      resourceType: 'user',
      resourceId: user.id,
      details: { restarted: Number(replaced.numDeletedRows) > 0 },
    });
  });
  return { secret, otpauth_uri: totpFor(secret, user.email).toString() };
}

/**
 * Checks a 6-digit TOTP code (±1 step of clock drift). A code is accepted once: the accepted time
 * step is stored by a conditional update, so a replayed (or concurrent) code loses.
 */
async function acceptTotp(app: FastifyInstance, db: Database, userId: number, code: string, requireEnabled: boolean): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const row = await mfaRow(db, userId);
  if (!row || row.enabled !== requireEnabled) return false;
  const secret = decryptSecret(app.config.jwtSecret, row.secret_enc);
  if (!secret) return false;
  const delta = totpFor(secret).validate({ token: code, window: 1 });
  if (delta === null) return false;
  const step = Math.floor(Date.now() / 1000 / PERIOD) + delta;
  const res = await db
    .updateTable('user_mfa')
    .set({ last_used_step: step })
    .where('user_id', '=', userId)
    .where('last_used_step', '<', step)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A recovery code works once: the conditional update's row count decides. */
async function acceptRecoveryCode(db: Database, userId: number, code: string): Promise<boolean> {
  if (code.length > 32) return false;
  const res = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: new Date().toISOString() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The second factor of an enrolled user: a TOTP code or an unused recovery code. */
export async function checkSecondFactor(app: FastifyInstance, userId: number, code: string): Promise<'totp' | 'recovery_code' | null> {
  const trimmed = code.trim();
  if (await acceptTotp(app, app.db, userId, trimmed, true)) return 'totp';
  if (!/^\d{6}$/.test(trimmed) && (await acceptRecoveryCode(app.db, userId, trimmed))) return 'recovery_code';
  return null;
}

const BAD_CODE = 'Invalid or expired code.';

/** Confirms enrolment with a first code; answers the recovery codes, shown this once. */
export async function confirm(
  app: FastifyInstance,
  user: Pick<UserRow, 'id' | 'email'>,
  code: string,
  client: { ip: string },
  ctx: AuditContext,
) {
  const row = await mfaRow(app.db, user.id);
  if (!row) throw ValidationError.field('non_field_errors', 'Start enrolment first (POST /api/users/me/mfa/).');
  if (row.enabled) throw new ConflictError('Two-factor authentication is already enabled.');
  await app.loginThrottle.assertAllowed(user.email, client.ip);
  if (!(await acceptTotp(app, app.db, user.id, code.trim(), false))) {
    await app.loginThrottle.recordFailure(user.email, client.ip);
    throw ValidationError.field('code', BAD_CODE);
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await app.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const res = await trx
      .updateTable('user_mfa')
      .set({ enabled: true, confirmed_at: now })
      .where('user_id', '=', user.id)
      .where('enabled', '=', false)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError('Two-factor authentication is already enabled.');
    await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', user.id).execute();
    await trx
      .insertInto('mfa_recovery_codes')
      .values(codes.map((c) => ({ user_id: user.id, code_hash: hashRecoveryCode(c), created_at: now, used_at: null })))
      .execute();
    await recordAudit(trx, ctx, {
      action: 'mfa_enable',
      resourceType: 'user',
      resourceId: user.id,
      details: { recovery_codes: codes.length },
    });
  });
  await app.loginThrottle.recordSuccess(user.email);
  return { enabled: true as const, recovery_codes: codes };
}

async function removeMfa(db: Database, userId: number) {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  return db.deleteFrom('user_mfa').where('user_id', '=', userId).executeTakeFirst();
}

/** The user turns MFA off, proving it is them with a current code or their password. */
export async function disable(
  app: FastifyInstance,
  user: Pick<UserRow, 'id' | 'email'>,
  proof: { code?: string; password?: string },
  client: { ip: string },
  ctx: AuditContext,
) {
  if (!proof.code && !proof.password) throw ValidationError.field('non_field_errors', 'Send a current code or your password.');
  const row = await mfaRow(app.db, user.id);
  if (!row) throw new NotFoundError('Two-factor authentication is not set up.');
  await app.loginThrottle.assertAllowed(user.email, client.ip);
  let ok = false;
  if (proof.code)
    ok = row.enabled
      ? (await checkSecondFactor(app, user.id, proof.code)) !== null
      : await acceptTotp(app, app.db, user.id, proof.code, false);
  if (!ok && proof.password) ok = await verifyPassword((await findUserByEmail(app.db, user.email))?.password, proof.password);
  if (!ok) {
    await app.loginThrottle.recordFailure(user.email, client.ip);
    // Turning MFA off with a stolen access token is the attack this proof stops: the refusal is
    // in the trail for a reviewer, as a wrong old password is.
    await recordAudit(app.db, ctx, {
      action: 'mfa_disable',
      resourceType: 'user',
      resourceId: user.id,
      outcome: 'failure',
      details: { reason: proof.code ? 'bad_code' : 'bad_password' },
    });
    throw ValidationError.field(proof.code ? 'code' : 'password', proof.code ? BAD_CODE : 'Incorrect password.');
  }
  await app.db.transaction().execute(async (trx) => {
    await removeMfa(trx, user.id);
    await recordAudit(trx, ctx, { action: 'mfa_disable', resourceType: 'user', resourceId: user.id });
  });
}

/** Staff: a user lost their device. Their MFA is removed; they enrol again after signing in. */
export async function resetMfa(db: Database, userId: number, ctx: AuditContext) {
  if (!(await findUserById(db, userId))) throw new NotFoundError();
  await db.transaction().execute(async (trx) => {
    const res = await removeMfa(trx, userId);
    await recordAudit(trx, ctx, {
      action: 'mfa_reset',
      resourceType: 'user',
      resourceId: userId,
      details: { had_mfa: Number(res.numDeletedRows) > 0 },
    });
  });
}

export async function setMfaRequired(db: Database, required: boolean, ctx: AuditContext) {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('security_settings')
      .set({ mfa_required: required, updated_at: new Date().toISOString(), updated_by: ctx.userId })
      .where('id', '=', 1)
      .execute();
    await recordAudit(trx, ctx, {
      action: 'update',
      resourceType: 'security_settings',
      resourceId: 1,
      details: { fields: ['mfa_required'] },
    });
  });
  return securitySettings(db);
}

interface MfaClaims {
  token_type: 'mfa';
  user_id: number;
  ver: number;
  jti: string;
}

/** The short-lived proof that the password step passed; it grants nothing else. */
export function signMfaToken(app: FastifyInstance, user: Pick<UserRow, 'id' | 'token_version'>): string {
  const claims: MfaClaims = { token_type: 'mfa', user_id: user.id, ver: user.token_version, jti: randomUUID() };
  return app.jwt.sign(claims, { expiresIn: MFA_TOKEN_LIFETIME_SEC });
}

export async function readMfaToken(app: FastifyInstance, token: string): Promise<UserRow> {
  let claims: MfaClaims;
  try {
    claims = app.jwt.verify<MfaClaims>(token);
  } catch {
    throw new InvalidTokenError('MFA token is invalid or expired; log in again.');
  }
  if (claims.token_type !== 'mfa' || !Number.isInteger(claims.user_id))
    throw new InvalidTokenError('MFA token is invalid or expired; log in again.');
  const user = await findUserById(app.db, claims.user_id);
  if (!user?.status || user.token_version !== claims.ver) throw new InvalidTokenError('MFA token is invalid or expired; log in again.');
  return user;
}
