import type { FastifyRequest } from 'fastify';
import type { Database } from '../../db/connect.js';
import { appendEvent } from './audit.append.js';
import type { ChainedFields } from './audit.chain.js';
import { patientIdOf } from './audit.repository.js';

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
  /** Every patient whose data the event concerns, for `?patient=` (patientId is one of them). */
  patients?: readonly number[];
}

function chainedFields(ctx: AuditContext, input: AuditEventInput): ChainedFields {
  return {
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
}

/**
 * Appends one event to the hash chain. Call it with the transaction of the change it records, so
 * the event commits or rolls back with it; called with `db` itself (reads, failed logins) it is
 * group-committed and resolves once written.
 */
export async function recordAudit(db: Database, ctx: AuditContext, input: AuditEventInput): Promise<void> {
  const patients = new Set(input.patients ?? []);
  if (input.patientId != null) patients.add(input.patientId);
  // An event on patient record N is always linked to N: the audit list finds
  // `?resource_type=patient&resource_id=N` through the link (migration 2026120415).
  const recordOfPatient = input.resourceType === 'patient' ? patientIdOf(input.resourceId) : null;
  if (recordOfPatient !== null) patients.add(recordOfPatient);
  await appendEvent(db, { fields: chainedFields(ctx, input), patients: [...patients] });
}

/** Names of the fields a write changed: what the audit trail keeps instead of values. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after)
    .filter((k) => k !== 'updated_at' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/**
 * A read of PHI (HIPAA accounting of access): one event per request with the ids returned, and
 * every patient whose data was shown, so `?patient=` finds list reads too. `patient` is set when
 * they are all one patient; otherwise their ids are in `details.patient_ids`, under the hash.
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
    patients,
    details: { ...input.details, ids: input.ids, ...(patients.length > 1 ? { patient_ids: patients } : {}) },
  });
}
