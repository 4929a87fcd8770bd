import type { Insertable, Updateable } from 'kysely';
import type { Database } from '../../db/connect.js';
import type { AppointmentSlotsTable } from '../../db/schema.js';
import type { InstantRange } from './instants.js';
import type { Weekday } from './timezones.js';

export interface SlotRow {
  id: number;
  provider: number;
  timezone: string;
  dateandtime: string;
  day: Weekday;
  is_available: boolean;
  created_at: string;
  updated_at: string;
}

const columns = ['id', 'provider', 'timezone', 'dateandtime', 'day', 'is_available', 'created_at', 'updated_at'] as const;

type RawSlot = Omit<SlotRow, 'is_available' | 'day'> & { is_available: boolean | number; day: string };

export function toSlotRow(raw: RawSlot): SlotRow {
  return { ...raw, is_available: Boolean(raw.is_available), day: raw.day as Weekday };
}

export async function findSlot(db: Database, id: number): Promise<SlotRow | undefined> {
  const row = await db.selectFrom('appointment_slots').select(columns).where('id', '=', id).executeTakeFirst();
  return row ? toSlotRow(row) : undefined;
}

export async function slotExistsAt(db: Database, provider: number, dateandtime: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('appointment_slots').select('id').where('provider', '=', provider).where('dateandtime', '=', dateandtime);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** An available slot of this provider at exactly this instant (a slotless booking there would bypass its claim). */
export async function openSlotAt(db: Database, provider: number, dateandtime: string): Promise<boolean> {
  const row = await db
    .selectFrom('appointment_slots')
    .select('id')
    .where('provider', '=', provider)
    .where('dateandtime', '=', dateandtime)
    .where('is_available', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

export async function clinicianExists(db: Database, id: number): Promise<boolean> {
  return (await db.selectFrom('clinician_users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export async function insertSlot(db: Database, slot: Insertable<AppointmentSlotsTable>): Promise<SlotRow> {
  return toSlotRow(await db.insertInto('appointment_slots').values(slot).returning(columns).executeTakeFirstOrThrow());
}

/**
 * Inserts many slots; a time that already exists (or is inserted concurrently) is left alone by
 * the database itself (`on conflict do nothing`), so only really created rows come back.
 */
export async function insertSlotsSkippingExisting(db: Database, slots: Insertable<AppointmentSlotsTable>[]): Promise<SlotRow[]> {
  const out: SlotRow[] = [];
  // 8 columns × 200 rows stays far below SQLite's bound-parameter limit.
  for (let i = 0; i < slots.length; i += 200) {
    const rows = await db
      .insertInto('appointment_slots')
      .values(slots.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['provider', 'dateandtime']).doNothing())
      .returning(columns)
      .execute();
    out.push(...rows.map(toSlotRow));
  }
  return out.sort((a, b) => (a.dateandtime < b.dateandtime ? -1 : a.dateandtime > b.dateandtime ? 1 : a.id - b.id));
}

/**
 * A conditional update: it changes the slot only while no live appointment holds it. The caller
 * re-checks afterwards (see slots.service) because a booking can commit between the two.
 */
export async function updateSlotIfUnbooked(
  db: Database,
  id: number,
  changes: Updateable<AppointmentSlotsTable>,
): Promise<SlotRow | undefined> {
  const row = await db
    .updateTable('appointment_slots')
    .set(changes)
    .where('id', '=', id)
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
    .returning(columns)
    .executeTakeFirst();
  return row ? toSlotRow(row) : undefined;
}

export async function updateSlot(db: Database, id: number, changes: Updateable<AppointmentSlotsTable>): Promise<SlotRow | undefined> {
  const row = await db.updateTable('appointment_slots').set(changes).where('id', '=', id).returning(columns).executeTakeFirst();
  return row ? toSlotRow(row) : undefined;
}

export async function deleteSlot(db: Database, id: number): Promise<boolean> {
  const res = await db.deleteFrom('appointment_slots').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

/** Appointments that reference a slot, live ones first: what blocks moving or deleting it. */
export async function appointmentsOfSlot(db: Database, slotId: number): Promise<{ id: number; status: string }[]> {
  return db.selectFrom('appointments').select(['id', 'status']).where('appointment_slot', '=', slotId).orderBy('id').limit(20).execute();
}

export interface SlotListFilter {
  /** Only this provider's slots (a provider caller); combined with `provider` as AND. */
  ownerProvider?: number;
  provider?: number;
  is_available?: boolean;
  range: InstantRange;
  /** Only slots strictly after this instant (available_slots: "in the future"). */
  after?: string;
  ordering?: string;
  limit: number;
  offset: number;
}

/** The count and page queries of a slot list (available_slots is one), apart so tests can compile them. */
export function slotListQueries(db: Database, f: SlotListFilter) {
  let q = db.selectFrom('appointment_slots');
  if (f.ownerProvider !== undefined) q = q.where('provider', '=', f.ownerProvider);
  if (f.provider !== undefined) q = q.where('provider', '=', f.provider);
  if (f.is_available !== undefined) q = q.where('is_available', '=', f.is_available);
  if (f.range.from) q = q.where('dateandtime', '>=', f.range.from);
  if (f.range.to) q = q.where('dateandtime', f.range.toExclusive ? '<' : '<=', f.range.to);
  if (f.after) q = q.where('dateandtime', '>', f.after);
  const countQuery = q.select((eb) => eb.fn.countAll<number>().as('count'));
  const ordering = f.ordering ?? 'dateandtime';
  const desc = ordering.startsWith('-');
  const field = ordering.replace(/^-/, '') === 'id' ? 'id' : 'dateandtime';
  let pageQuery = q.select(columns).orderBy(field, desc ? 'desc' : 'asc');
  if (field !== 'id') pageQuery = pageQuery.orderBy('id', 'asc');
  return { countQuery, pageQuery: pageQuery.limit(f.limit).offset(f.offset) };
}

export async function listSlots(db: Database, f: SlotListFilter): Promise<{ count: number; rows: SlotRow[] }> {
  const { countQuery, pageQuery } = slotListQueries(db, f);
  const countRow = await countQuery.executeTakeFirstOrThrow();
  const rows = await pageQuery.execute();
  return { count: Number(countRow.count), rows: rows.map(toSlotRow) };
}
