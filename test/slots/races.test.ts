import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimSlot, insertAppointment } from '../../src/modules/appointments/appointments.repository.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { cast, makeClinician, makePatient } from '../helpers/factories.js';
import { futureInstant, makeSlot } from './slot-helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A slot move that races a booking: the booking has claimed the slot but not committed when the
 * move arrives. The move must end in 409 and leave the slot where the appointment says it is.
 */
describe(`moving a slot while it is being booked (${testDialect})`, () => {
  let t: TestApp;
  let staff: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());

  it('refuses the move once the booking commits', async () => {
    const clinician = await makeClinician(t.db);
    const patient = await makePatient(t.db);
    const slot = await makeSlot(t.db, clinician.id, { dateandtime: futureInstant() });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let claimed: () => void = () => {};
    const claimedSignal = new Promise<void>((resolve) => {
      claimed = resolve;
    });

    const booking = t.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      expect(await claimSlot(trx, slot, now)).toBe(true);
      await insertAppointment(trx, {
        patient: patient.id,
        provider: clinician.id,
        appointment_slot: slot.id,
        appointment_mode: 'in_person',
        appointment_type: 'consultation',
        estimated_amount_cents: null,
        dateandtime: slot.dateandtime,
        reason_for_visit: '',
        status: 'scheduled',
        notes: '',
        created_at: now,
        updated_at: now,
      });
      claimed();
      await gate;
    });

    await claimedSignal;
    const move = t.app.inject({
      method: 'PATCH',
      url: `/api/appointment-slots/${slot.id}/`,
      headers: staff,
      payload: { dateandtime: futureInstant() },
    });
    await sleep(300); // the move now waits for the booking's row lock (PostgreSQL) or connection (SQLite)
    release();
    await booking;
    const res = await move;
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/live booking/);
    const row = await t.db
      .selectFrom('appointment_slots')
      .select(['dateandtime', 'is_available'])
      .where('id', '=', slot.id)
      .executeTakeFirstOrThrow();
    expect(row.dateandtime).toBe(slot.dateandtime);
    expect(Boolean(row.is_available)).toBe(false);
  });

  it('makes a booking that arrives after a committed move fail its claim (409), not book the old time', async () => {
    const clinician = await makeClinician(t.db);
    const slot = await makeSlot(t.db, clinician.id, { dateandtime: futureInstant() });
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointment-slots/${slot.id}/`,
      headers: staff,
      payload: { dateandtime: futureInstant() },
    });
    expect(moved.statusCode).toBe(200);
    // A booking validated against the old time: the claim pins provider and time, so it misses.
    expect(await claimSlot(t.db, slot, new Date().toISOString())).toBe(false);
    expect(await claimSlot(t.db, { ...slot, dateandtime: moved.json().dateandtime }, new Date().toISOString())).toBe(true);
  });
});
