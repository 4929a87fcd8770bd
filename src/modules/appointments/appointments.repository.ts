import type { Insertable, Updateable } from 'kysely';
import type { Database } from '../../db/connect.js';
import type { AppointmentsTable } from '../../db/schema.js';
import type { InstantRange } from '../slots/instants.js';

export interface AppointmentRow {
  id: number;
  patient: number;
  provider: number;
  appointment_slot: number | null;
  appointment_mode: string;
  appointment_type: string;
  estimated_amount_cents: number | null;
  dateandtime: string;
  reason_for_visit: string;
  status: string;
  notes: string;
  created_at: string;
  updated_at: string;
}

const columns = [
  'id',
  'patient',
  'provider',
  'appointment_slot',
  'appointment_mode',
  'appointment_type',
  'estimated_amount_cents',
  'dateandtime',
  'reason_for_visit',
  'status',
  'notes',
  'created_at',
  'updated_at',
] as const;

function toRow(raw: AppointmentRow): AppointmentRow {
  // bigint cents: a number from both drivers (connect.ts parses int8), but be explicit.
  return { ...raw, estimated_amount_cents: raw.estimated_amount_cents === null ? null : Number(raw.estimated_amount_cents) };
}

export async function findAppointment(db: Database, id: number): Promise<AppointmentRow | undefined> {
  const row = await db.selectFrom('appointments').select(columns).where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function insertAppointment(db: Database, values: Insertable<AppointmentsTable>): Promise<AppointmentRow> {
  return toRow(await db.insertInto('appointments').values(values).returning(columns).executeTakeFirstOrThrow());
}

/** What an update was validated against: if either changed meanwhile, the update must not apply. */
export interface AppointmentVersion {
  status: string;
  appointment_slot: number | null;
}

/**
 * Optimistic concurrency without row locks: the update applies only while the appointment still
 * has the status and slot it was read with, so of two concurrent changes (move vs. move, move vs.
 * cancel) the second finds 0 rows — on PostgreSQL READ COMMITTED re-checks the WHERE on the row
 * the first one committed — and its transaction rolls back, releasing any slot it claimed.
 */
export function updateAppointmentIfQuery(db: Database, id: number, read: AppointmentVersion, changes: Updateable<AppointmentsTable>) {
  const q = db.updateTable('appointments').set(changes).where('id', '=', id).where('status', '=', read.status);
  return read.appointment_slot === null ? q.where('appointment_slot', 'is', null) : q.where('appointment_slot', '=', read.appointment_slot);
}

export async function updateAppointmentIf(db: Database, id: number, read: AppointmentVersion, changes: Updateable<AppointmentsTable>) {
  const row = await updateAppointmentIfQuery(db, id, read, changes).returning(columns).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Cancels only a live appointment still on the slot it was read with: of two concurrent cancels, one does the work. */
export async function cancelIfLive(db: Database, id: number, slot: number | null, now: string) {
  const q = db
    .updateTable('appointments')
    .set({ status: 'cancelled', updated_at: now })
    .where('id', '=', id)
    .where('status', '<>', 'cancelled');
  const row = await (slot === null ? q.where('appointment_slot', 'is', null) : q.where('appointment_slot', '=', slot))
    .returning(columns)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/**
 * The claim: one conditional update whose row count decides who gets the slot, on SQLite and
 * PostgreSQL alike (no SELECT … FOR UPDATE). It also pins the provider and time the booking was
 * validated against, so a slot moved or reassigned meanwhile is not claimed, and refuses past slots.
 */
export function claimSlotQuery(db: Database, slot: { id: number; provider: number; dateandtime: string }, now: string) {
  return db
    .updateTable('appointment_slots')
    .set({ is_available: false, updated_at: now })
    .where('id', '=', slot.id)
    .where('is_available', '=', true)
    .where('provider', '=', slot.provider)
    .where('dateandtime', '=', slot.dateandtime)
    .where('dateandtime', '>', now);
}

export async function claimSlot(db: Database, slot: { id: number; provider: number; dateandtime: string }, now: string): Promise<boolean> {
  const res = await claimSlotQuery(db, slot, now).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Frees a slot the caller's appointment just left. Called only after that appointment's conditional
 * update succeeded, and still only while no live appointment holds the slot.
 */
export async function freeSlot(db: Database, slotId: number, now: string): Promise<void> {
  await db
    .updateTable('appointment_slots')
    .set({ is_available: true, updated_at: now })
    .where('id', '=', slotId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('appointments')
            .select('appointments.id')
            .whereRef('appointments.appointment_slot', '=', 'appointment_slots.id')
            .where('appointments.status', '<>', 'cancelled'),
        ),
      ),
    )
    .execute();
}

export interface AppointmentScope {
  /** Only this patient's appointments (a patient caller). */
  patient?: number;
  /** Only this provider's appointments (a provider caller). */
  provider?: number;
}

export interface AppointmentListFilter {
  scope: AppointmentScope;
  status?: string;
  provider?: number;
  patient?: number;
  range: InstantRange;
  ordering?: string;
  limit: number;
  offset: number;
}

const ORDERABLE = new Set(['dateandtime', 'id', 'created_at']);

export async function listAppointments(db: Database, f: AppointmentListFilter): Promise<{ count: number; rows: AppointmentRow[] }> {
  let q = db.selectFrom('appointments');
  if (f.scope.patient !== undefined) q = q.where('patient', '=', f.scope.patient);
  if (f.scope.provider !== undefined) q = q.where('provider', '=', f.scope.provider);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.provider !== undefined) q = q.where('provider', '=', f.provider);
  if (f.patient !== undefined) q = q.where('patient', '=', f.patient);
  if (f.range.from) q = q.where('dateandtime', '>=', f.range.from);
  if (f.range.to) q = q.where('dateandtime', f.range.toExclusive ? '<' : '<=', f.range.to);
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const ordering = f.ordering ?? 'dateandtime';
  const desc = ordering.startsWith('-');
  const field = ordering.replace(/^-/, '');
  const orderField = (ORDERABLE.has(field) ? field : 'dateandtime') as 'dateandtime' | 'id' | 'created_at';
  let rq = q.select(columns).orderBy(orderField, desc ? 'desc' : 'asc');
  if (orderField !== 'id') rq = rq.orderBy('id', 'asc');
  const rows = await rq.limit(f.limit).offset(f.offset).execute();
  return { count: Number(countRow.count), rows: rows.map(toRow) };
}

export async function patientExists(db: Database, id: number): Promise<boolean> {
  return (await db.selectFrom('patients').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
