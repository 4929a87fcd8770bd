import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';

const live = (eb: ExpressionBuilder<DB, 'appointment_slots'>) =>
  eb.exists(
    eb
      .selectFrom('appointments')
      .select('appointments.id')
      .whereRef('appointments.appointment_slot', '=', 'appointment_slots.id')
      .where('appointments.status', '<>', 'cancelled'),
  );

/**
 * The booking invariant over some slots: a slot is unavailable exactly when a live (not cancelled)
 * appointment holds it. Returns the slots that break it, both ways; [] when all is well.
 * Scoped to given slots because tests also make slots unavailable by hand.
 */
export async function slotInvariantViolations(db: Database, slotIds: number[]): Promise<string[]> {
  if (slotIds.length === 0) return [];
  const orphaned = await db
    .selectFrom('appointment_slots')
    .select('id')
    .where('id', 'in', slotIds)
    .where('is_available', '=', false)
    .where((eb) => eb.not(live(eb)))
    .execute();
  const doubleBooked = await db
    .selectFrom('appointment_slots')
    .select('id')
    .where('id', 'in', slotIds)
    .where('is_available', '=', true)
    .where((eb) => live(eb))
    .execute();
  return [
    ...orphaned.map((s) => `slot ${s.id} is unavailable but no live appointment holds it`),
    ...doubleBooked.map((s) => `slot ${s.id} is available but a live appointment holds it`),
  ];
}
