import type { Insertable } from 'kysely';
import type { Database } from '../../src/db/connect.js';
import type { AppointmentsTable } from '../../src/db/schema.js';
import { weekdayIn } from '../../src/modules/slots/timezones.js';

const now = () => new Date().toISOString();

/** A slot row straight in the database (tests of other rules need one fast). */
export async function makeSlot(
  db: Database,
  provider: number,
  opts: { dateandtime?: string; timezone?: string; is_available?: boolean } = {},
) {
  const dateandtime = new Date(opts.dateandtime ?? futureInstant()).toISOString();
  const timezone = opts.timezone ?? 'UTC';
  const row = await db
    .insertInto('appointment_slots')
    .values({
      provider,
      timezone,
      dateandtime,
      day: weekdayIn(new Date(dateandtime), timezone),
      is_available: opts.is_available ?? true,
      created_at: now(),
      updated_at: now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...row, is_available: Boolean(row.is_available) };
}

let offsetHours = 24;
/** A distinct whole hour in the future, so slots never collide on (provider, dateandtime). */
export function futureInstant(): string {
  offsetHours += 1;
  const base = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
  return new Date(base + offsetHours * 3_600_000).toISOString();
}

export function pastInstant(): string {
  offsetHours += 1;
  return new Date(Date.now() - offsetHours * 3_600_000 - 86_400_000).toISOString().replace(/:\d\d\.\d{3}Z$/, ':00.000Z');
}

/** An appointment row straight in the database (the slot is not claimed: callers do that). */
export async function makeAppointment(
  db: Database,
  values: Pick<AppointmentsTable, 'patient' | 'provider' | 'dateandtime'> & Partial<Insertable<AppointmentsTable>>,
) {
  return db
    .insertInto('appointments')
    .values({
      appointment_slot: null,
      appointment_mode: 'in_person',
      appointment_type: 'consultation',
      estimated_amount_cents: null,
      reason_for_visit: '',
      status: 'scheduled',
      notes: '',
      created_at: now(),
      updated_at: now(),
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
