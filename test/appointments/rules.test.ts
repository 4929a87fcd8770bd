import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { cast, makePatient } from '../helpers/factories.js';
import { futureInstant, makeAppointment, makeSlot } from '../slots/slot-helpers.js';
import { slotInvariantViolations } from './invariants.js';

type Cast = Awaited<ReturnType<typeof cast>>;

/** Booking rules a security review found open: cancelled is final, patients book through slots, 403 before 400. */
describe(`appointment booking rules (${testDialect})`, () => {
  let t: TestApp;
  let c: Cast;
  let providerId: number;
  let patientId: number;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await cast(t.app);
    providerId = c.provider.user.linked_clinician as number;
    patientId = c.patient.user.linked_patient as number;
  });
  afterAll(() => t.close());

  const book = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/appointments/', headers, payload });
  const change = (method: 'PUT' | 'PATCH', id: number, headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method, url: `/api/appointments/${id}/`, headers, payload: payload as Record<string, unknown> });
  const row = (id: number) => t.db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('a cancelled appointment is final: PUT/PATCH 409 and nothing changes; DELETE again is 204', async () => {
    const a = await makeSlot(t.db, providerId);
    const b = await makeSlot(t.db, providerId);
    const booked = await book(c.staff.headers, { patient: patientId, provider: providerId, appointment_slot: a.id });
    const id = booked.json().id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/appointments/${id}/`, headers: c.staff.headers })).statusCode).toBe(204);
    const before = await row(id);
    const attempts = [
      change('PATCH', id, c.staff.headers, { appointment_slot: b.id }),
      change('PATCH', id, c.staff.headers, { status: 'scheduled' }),
      change('PATCH', id, c.provider.headers, { notes: 'revived' }),
      change('PUT', id, c.staff.headers, { patient: patientId, provider: providerId, appointment_slot: b.id, status: 'confirmed' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: 'A cancelled appointment cannot be changed; book a new one.' });
    }
    expect(await row(id)).toEqual(before);
    expect(await slotInvariantViolations(t.db, [a.id, b.id])).toEqual([]);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/appointments/${id}/`, headers: c.patient.headers });
    expect(again.statusCode).toBe(204);
  });

  it('patients book only through a slot, and cannot set notes, estimated_amount or a status', async () => {
    const slotless = await book(c.patient.headers, { patient: patientId, provider: providerId, dateandtime: futureInstant() });
    expect(slotless.statusCode).toBe(400);
    expect(slotless.json()).toEqual({ appointment_slot: ['Patients book through an available slot.'] });
    const slot = await makeSlot(t.db, providerId);
    const fields = await book(c.patient.headers, {
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      notes: 'VIP, no charge',
      estimated_amount: '0.01',
      status: 'confirmed',
    });
    expect(fields.statusCode).toBe(400);
    expect(fields.json()).toEqual({
      notes: ['Patients cannot set this field.'],
      estimated_amount: ['Patients cannot set this field.'],
      status: ['Patients can only book appointments with status scheduled.'],
    });
    expect(
      Boolean(
        (await t.db.selectFrom('appointment_slots').select('is_available').where('id', '=', slot.id).executeTakeFirstOrThrow())
          .is_available,
      ),
    ).toBe(true);
    // The defaults a form may send are not "setting" anything.
    const ok = await book(c.patient.headers, {
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      notes: '',
      estimated_amount: null,
      status: 'scheduled',
    });
    expect(ok.statusCode).toBe(201);
  });

  it('staff and providers book without a slot, but not at the time of one of the provider’s open slots', async () => {
    const open = await makeSlot(t.db, providerId);
    const taken = await makeSlot(t.db, providerId, { is_available: false });
    const message = { dateandtime: ["This time is one of the provider's open slots; book the slot instead."] };
    for (const headers of [c.staff.headers, c.provider.headers]) {
      const p = await makePatient(t.db);
      // The same instant written with an offset is the slot's time too.
      const offset = new Date(open.dateandtime).toISOString().replace('Z', '+00:00');
      for (const dateandtime of [open.dateandtime, offset]) {
        const res = await book(headers, { patient: p.id, provider: providerId, dateandtime });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual(message);
      }
      expect((await book(headers, { patient: p.id, provider: providerId, dateandtime: futureInstant() })).statusCode).toBe(201);
    }
    const followUp = await book(c.staff.headers, {
      patient: (await makePatient(t.db)).id,
      provider: providerId,
      dateandtime: taken.dateandtime,
    });
    expect(followUp.statusCode).toBe(201);

    // Moving a slotless appointment onto an open slot's time is the same bypass.
    const slotlessAppt = await makeAppointment(t.db, {
      patient: (await makePatient(t.db)).id,
      provider: providerId,
      dateandtime: futureInstant(),
    });
    const moved = await change('PATCH', slotlessAppt.id, c.staff.headers, { dateandtime: open.dateandtime });
    expect(moved.statusCode).toBe(400);
    expect(moved.json()).toEqual(message);
    // So is leaving a slot for a slotless booking at that slot's own time (the slot would be freed under it).
    const held = await book(c.staff.headers, { patient: (await makePatient(t.db)).id, provider: providerId, appointment_slot: open.id });
    const leave = await change('PATCH', held.json().id, c.staff.headers, { appointment_slot: null });
    expect(leave.statusCode).toBe(400);
    expect(leave.json()).toEqual(message);
    expect(await slotInvariantViolations(t.db, [open.id])).toEqual([]);
    // A plain edit of a slotless appointment is not refused.
    expect((await change('PATCH', slotlessAppt.id, c.staff.headers, { notes: 'ok' })).statusCode).toBe(200);
  });

  it('answers a patient’s PUT/PATCH 403 before looking at the body', async () => {
    const mine = await makeAppointment(t.db, { patient: patientId, provider: providerId, dateandtime: futureInstant() });
    const bodies: ['PUT' | 'PATCH', unknown][] = [
      ['PUT', { notes: 'partial' }],
      ['PUT', {}],
      ['PATCH', { status: 'bogus', secret: 1 }],
      ['PATCH', { appointment_slot: 'x' }],
    ];
    for (const [method, payload] of bodies) {
      const res = await change(method, mine.id, c.patient.headers, payload);
      expect(res.statusCode, `${method} ${JSON.stringify(payload)}`).toBe(403);
      expect(res.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
    const broken = await t.app.inject({
      method: 'PUT',
      url: `/api/appointments/${mine.id}/`,
      headers: { ...c.patient.headers, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(broken.statusCode).toBe(403);
    // Staff still get the 400 for the same partial PUT; anonymous callers 401.
    expect((await change('PUT', mine.id, c.staff.headers, { notes: 'partial' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/appointments/${mine.id}/`, payload: { status: 'bogus' } })).statusCode).toBe(
      401,
    );
  });
});
