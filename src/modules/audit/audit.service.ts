import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import { dialectOf } from '../../db/portable.js';
import { type ChainedFields, eventHash, GENESIS_HASH } from './audit.chain.js';

/** Who acted, from where: taken from the request once, passed to services. */
export interface AuditContext {
  userId: number | null;
  userType: string;
  clientIp: string;
  requestId: string;
}

export function auditContext(request: FastifyRequest): AuditContext {
  const user = request.currentUser;
  return { userId: user?.id ?? null, userType: user?.user_type ?? '', clientIp: request.ip, requestId: String(request.id) };
}

export interface AuditEventInput {
  action: string;
  resourceType?: string;
  resourceId?: string | number | null;
  patientId?: number | null;
  outcome?: 'success' | 'failure' | 'denied';
  /** Field names, ids returned, reasons. Never values of PHI, passwords or tokens. */
  details?: Record<string, unknown>;
  /** Overrides the context's user (e.g. a login attempt, where nobody is signed in yet). */
  userId?: number | null;
  userType?: string;
}

// Serialises appenders on PostgreSQL so two transactions never chain onto the same event.
const AUDIT_LOCK_KEY = 72_011_442;

/**
 * Appends one event to the hash chain. Call it with the transaction of the change it records;
 * for reads, with `db` itself (it opens its own short transaction).
 */
export async function recordAudit(db: Database, ctx: AuditContext, input: AuditEventInput): Promise<void> {
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => recordAudit(trx, ctx, input));
    return;
  }
  if (dialectOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(db);
  const last = await db.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const fields: ChainedFields = {
    created_at: new Date().toISOString(),
    user_id: input.userId !== undefined ? input.userId : ctx.userId,
    user_type: input.userType ?? ctx.userType,
    action: input.action,
    resource_type: input.resourceType ?? '',
    resource_id: input.resourceId == null ? '' : String(input.resourceId),
    patient_id: input.patientId ?? null,
    outcome: input.outcome ?? 'success',
    client_ip: ctx.clientIp,
    request_id: ctx.requestId,
    details: JSON.stringify(input.details ?? {}),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await db
    .insertInto('audit_events')
    .values({ ...fields, prev_hash: prevHash, hash: eventHash(prevHash, fields) })
    .execute();
}

/** Names of the fields a write changed: what the audit trail keeps instead of values. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after)
    .filter((k) => k !== 'updated_at' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/**
 * A read of PHI (HIPAA accounting of access): one event per request with the ids returned.
 * `patientId` is set when every returned record belongs to one patient, so the trail can be
 * filtered by patient; list events keep every id in `details.ids`.
 */
export async function recordRead(
  db: Database,
  ctx: AuditContext,
  input: {
    action: 'read' | 'list';
    resourceType: string;
    ids: readonly (number | string)[];
    patientIds?: readonly (number | null)[];
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const patients = [...new Set((input.patientIds ?? []).filter((p): p is number => p != null))];
  await recordAudit(db, ctx, {
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.action === 'read' ? (input.ids[0] ?? null) : null,
    patientId: patients.length === 1 ? patients[0] : null,
    details: { ...input.details, ids: input.ids, ...(patients.length > 1 ? { patient_ids: patients } : {}) },
  });
}
