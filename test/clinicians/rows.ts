import type { Database } from '../../src/db/connect.js';

/**
 * Direct inserts of the rows that reference patients and clinicians, so deletion safety is
 * tested without depending on the slots and appointments APIs.
 */
let minute = 0;
function nextInstant(): string {
  minute += 30;
  return new Date(Date.UTC(2030, 0, 1) + minute * 60_000).toISOString();
}

export async function insertSlot(db: Database, provider: number) {
  const now = new Date().toISOString();
  return db
    .insertInto('appointment_slots')
    .values({ provider, timezone: 'UTC', dateandtime: nextInstant(), day: 'tuesday', is_available: true, created_at: now, updated_at: now })
    .returning(['id', 'dateandtime'])
    .executeTakeFirstOrThrow();
}

export async function insertAppointment(
  db: Database,
  opts: { patient: number; provider: number; status?: string; slot?: { id: number; dateandtime: string } },
) {
  const now = new Date().toISOString();
  return db
    .insertInto('appointments')
    .values({
      patient: opts.patient,
      provider: opts.provider,
      appointment_slot: opts.slot?.id ?? null,
      appointment_mode: 'in_person',
      appointment_type: 'consultation',
      estimated_amount_cents: null,
      dateandtime: opts.slot?.dateandtime ?? nextInstant(),
      reason_for_visit: '',
      status: opts.status ?? 'scheduled',
      notes: '',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export interface AuditRow {
  action: string;
  resource_type: string;
  resource_id: string;
  patient_id: number | null;
  user_id: number | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** Audit events after a given id, oldest first, with details parsed. */
export async function auditSince(db: Database, afterId: number): Promise<AuditRow[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['action', 'resource_type', 'resource_id', 'patient_id', 'user_id', 'outcome', 'details'])
    .where('id', '>', afterId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

export async function lastAuditId(db: Database): Promise<number> {
  const row = await db.selectFrom('audit_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? 0;
}
