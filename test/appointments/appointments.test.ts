import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';
import { futureInstant, makeAppointment, makeSlot, pastInstant } from '../slots/slot-helpers.js';

type Cast = Awaited<ReturnType<typeof cast>>;

describe('/api/appointments/', () => {
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
  const slotRow = (id: number) => t.db.selectFrom('appointment_slots').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const isAvailable = async (id: number) => Boolean((await slotRow(id)).is_available);

  it('lets a patient book a free slot for themselves: 201, slot claimed, audited', async () => {
    const slot = await makeSlot(t.db, providerId);
    const res = await book(c.patient.headers, {
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      reason_for_visit: ' Cough ',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      appointment_mode: 'in_person',
      appointment_type: 'consultation',
      estimated_amount: null,
      dateandtime: slot.dateandtime,
      reason_for_visit: 'Cough',
      status: 'scheduled',
      notes: '',
    });
    expect(await isAvailable(slot.id)).toBe(false);
    const audit = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('resource_type', '=', 'appointment')
      .where('resource_id', '=', String(body.id))
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'create', patient_id: patientId, user_id: c.patient.user.id });
    // Field names only (defaults the schema filled in included), never values.
    expect(JSON.parse(audit.details).fields).toEqual(
      expect.arrayContaining(['appointment_slot', 'patient', 'provider', 'reason_for_visit']),
    );
    expect(audit.details).not.toContain('Cough');

    // The slot is taken now: anyone else gets the contract's 409.
    const other = await makeUser(t.db, { user_type: 'patient' });
    const again = await book(await authHeader(t.app, other), {
      patient: other.linked_patient,
      provider: providerId,
      appointment_slot: slot.id,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ detail: 'This slot is no longer available.' });
  });

  it('refuses (403) a patient booking for someone else and a provider booking as another provider; staff book anyone', async () => {
    const otherPatient = await makePatient(t.db);
    const otherClinician = await makeClinician(t.db);
    const slot = await makeSlot(t.db, providerId);
    const p = await book(c.patient.headers, { patient: otherPatient.id, provider: providerId, appointment_slot: slot.id });
    expect(p.statusCode).toBe(403);
    expect(p.json().detail).toMatch(/own patient record/);
    const pr = await book(c.provider.headers, { patient: otherPatient.id, provider: otherClinician.id, dateandtime: futureInstant() });
    expect(pr.statusCode).toBe(403);
    expect(await isAvailable(slot.id)).toBe(true);
    const prOwn = await book(c.provider.headers, { patient: otherPatient.id, provider: providerId, appointment_slot: slot.id });
    expect(prOwn.statusCode).toBe(201);
    const staff = await book(c.staff.headers, {
      patient: otherPatient.id,
      provider: otherClinician.id,
      dateandtime: futureInstant(),
      status: 'confirmed',
    });
    expect(staff.statusCode).toBe(201);
    expect(staff.json()).toMatchObject({ status: 'confirmed', appointment_slot: null });
    const anon = await t.app.inject({ method: 'POST', url: '/api/appointments/', payload: { patient: 1, provider: 1 } });
    expect(anon.statusCode).toBe(401);
  });

  it('checks the slot: the provider’s own, in the future, dateandtime equal to it', async () => {
    const otherClinician = await makeClinician(t.db);
    const foreign = await makeSlot(t.db, otherClinician.id);
    const r1 = await book(c.patient.headers, { patient: patientId, provider: providerId, appointment_slot: foreign.id });
    expect(r1.statusCode).toBe(400);
    expect(r1.json()).toEqual({ appointment_slot: ['This slot belongs to another provider.'] });
    const past = await makeSlot(t.db, providerId, { dateandtime: pastInstant() });
    const r2 = await book(c.patient.headers, { patient: patientId, provider: providerId, appointment_slot: past.id });
    expect(r2.json()).toEqual({ appointment_slot: ['This slot is in the past.'] });
    const slot = await makeSlot(t.db, providerId, { dateandtime: '2031-02-03T15:00:00Z' });
    const r3 = await book(c.patient.headers, {
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      dateandtime: '2031-02-03T16:00:00Z',
    });
    expect(r3.statusCode).toBe(400);
    expect(Object.keys(r3.json())).toEqual(['dateandtime']);
    const r4 = await book(c.patient.headers, { patient: patientId, provider: providerId, appointment_slot: 999999 });
    expect(r4.json()).toEqual({ appointment_slot: ['Invalid pk "999999" - object does not exist.'] });
    expect(await isAvailable(slot.id)).toBe(true);
    // The same instant written with another offset is the slot's time.
    const ok = await book(c.patient.headers, {
      patient: patientId,
      provider: providerId,
      appointment_slot: slot.id,
      dateandtime: '2031-02-03T10:00:00-05:00',
    });
    expect(ok.statusCode).toBe(201);
    const unavailable = await makeSlot(t.db, providerId, { is_available: false });
    const r5 = await book(c.staff.headers, { patient: patientId, provider: providerId, appointment_slot: unavailable.id });
    expect(r5.statusCode).toBe(409);
  });

  it('validates the body: time without a slot, status for patients, enums, unknown fields, references', async () => {
    const cases: [Record<string, string>, Record<string, unknown>, string][] = [
      [c.staff.headers, { patient: patientId, provider: providerId }, 'dateandtime'],
      [c.patient.headers, { patient: patientId, provider: providerId, dateandtime: futureInstant(), status: 'confirmed' }, 'status'],
      [c.staff.headers, { patient: patientId, provider: providerId, dateandtime: futureInstant(), status: 'cancelled' }, 'status'],
      [
        c.staff.headers,
        { patient: patientId, provider: providerId, dateandtime: futureInstant(), appointment_mode: 'telepathy' },
        'appointment_mode',
      ],
      [
        c.staff.headers,
        { patient: patientId, provider: providerId, dateandtime: futureInstant(), appointment_type: 'spa' },
        'appointment_type',
      ],
      [c.staff.headers, { patient: patientId, provider: providerId, dateandtime: futureInstant(), secret: 1 }, 'secret'],
      [c.staff.headers, { patient: 999999, provider: providerId, dateandtime: futureInstant() }, 'patient'],
      [c.staff.headers, { patient: patientId, provider: 999999, dateandtime: futureInstant() }, 'provider'],
      [c.staff.headers, { provider: providerId, dateandtime: futureInstant() }, 'patient'],
      [c.staff.headers, { patient: patientId, provider: providerId, dateandtime: 'tomorrow' }, 'dateandtime'],
      [c.patient.headers, { patient: patientId, provider: providerId, dateandtime: pastInstant() }, 'appointment_slot'],
    ];
    for (const [headers, payload, field] of cases) {
      const res = await book(headers, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json(), JSON.stringify(payload)).toHaveProperty(field);
    }
  });

  it('takes estimated_amount as a number or string, exactly, with two places', async () => {
    const ok: [unknown, string | null][] = [
      ['125', '125.00'],
      [0.1, '0.10'],
      ['0.07', '0.07'],
      ['99999999.99', '99999999.99'],
      [0, '0.00'],
      ['10.50', '10.50'],
      [null, null],
    ];
    for (const [value, shown] of ok) {
      const res = await book(c.staff.headers, {
        patient: patientId,
        provider: providerId,
        dateandtime: futureInstant(),
        estimated_amount: value,
      });
      expect(res.statusCode, String(value)).toBe(201);
      expect(res.json().estimated_amount, String(value)).toBe(shown);
    }
    const bad: [unknown, RegExp][] = [
      ['12.345', /2 decimal places/],
      [-1, /greater than or equal to 0/],
      ['100000000', /8 digits/],
      ['abc', /valid number/],
      ['1e3', /valid number/],
      [true, /./],
    ];
    for (const [value, message] of bad) {
      const res = await book(c.staff.headers, {
        patient: patientId,
        provider: providerId,
        dateandtime: futureInstant(),
        estimated_amount: value,
      });
      expect(res.statusCode, String(value)).toBe(400);
      expect(res.json().estimated_amount[0], String(value)).toMatch(message);
    }
  });

  it('refuses a second live appointment for one patient at one time (409), but not after cancelling', async () => {
    const when = futureInstant();
    const p = await makePatient(t.db);
    const a = await book(c.staff.headers, { patient: p.id, provider: providerId, dateandtime: when });
    expect(a.statusCode).toBe(201);
    const other = await makeClinician(t.db);
    const b = await book(c.staff.headers, { patient: p.id, provider: other.id, dateandtime: when });
    expect(b.statusCode).toBe(409);
    expect(b.json()).toEqual({ detail: 'This patient already has an appointment at this time.' });
    const same = await book(c.staff.headers, { patient: p.id, provider: providerId, dateandtime: when });
    expect(same.statusCode).toBe(409);
    expect(same.json().detail).toMatch(/already has an appointment/);
    await t.app.inject({ method: 'DELETE', url: `/api/appointments/${a.json().id}/`, headers: c.staff.headers });
    expect((await book(c.staff.headers, { patient: p.id, provider: other.id, dateandtime: when })).statusCode).toBe(201);
  });

  it('shows each caller only their own appointments; others’ ids are 404', async () => {
    const clinician = await makeClinician(t.db);
    const stranger = await makePatient(t.db);
    const theirs = await makeAppointment(t.db, { patient: stranger.id, provider: clinician.id, dateandtime: futureInstant() });
    const mine = await makeAppointment(t.db, { patient: patientId, provider: providerId, dateandtime: futureInstant() });
    const list = async (headers: Record<string, string>, qs = '') => {
      const res = await t.app.inject({ url: `/api/appointments/?page_size=100${qs}`, headers });
      expect(res.statusCode).toBe(200);
      return res.json().results as { id: number; patient: number; provider: number }[];
    };
    const patientView = await list(c.patient.headers);
    expect(patientView.every((a) => a.patient === patientId)).toBe(true);
    expect(patientView.map((a) => a.id)).toContain(mine.id);
    const providerView = await list(c.provider.headers);
    expect(providerView.every((a) => a.provider === providerId)).toBe(true);
    expect(providerView.map((a) => a.id)).toContain(mine.id);
    expect((await list(c.staff.headers)).map((a) => a.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    // A filter cannot widen the scope.
    expect(await list(c.patient.headers, `&patient=${stranger.id}`)).toEqual([]);
    for (const headers of [c.patient.headers, c.provider.headers]) {
      const res = await t.app.inject({ url: `/api/appointments/${theirs.id}/`, headers });
      expect(res.statusCode).toBe(404);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/appointments/${theirs.id}/`, headers })).statusCode).toBe(404);
    }
    expect((await t.app.inject({ url: `/api/appointments/${mine.id}/`, headers: c.patient.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/appointments/${theirs.id}/`, headers: c.staff.headers })).statusCode).toBe(200);
    // Reads are audited with the ids returned.
    const read = await t.db
      .selectFrom('audit_events')
      .select(['details', 'patient_id'])
      .where('action', '=', 'read')
      .where('user_id', '=', c.staff.user.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(read.details)).toEqual({ ids: [theirs.id] });
    expect(read.patient_id).toBe(stranger.id);
  });

  it('filters by status, provider, patient, date range and orders', async () => {
    const clinician = await makeClinician(t.db);
    const p = await makePatient(t.db);
    const a = await makeAppointment(t.db, { patient: p.id, provider: clinician.id, dateandtime: '2032-05-01T10:00:00.000Z' });
    const b = await makeAppointment(t.db, {
      patient: p.id,
      provider: clinician.id,
      dateandtime: '2032-05-02T10:00:00.000Z',
      status: 'confirmed',
    });
    const d = await makeAppointment(t.db, {
      patient: p.id,
      provider: clinician.id,
      dateandtime: '2032-05-03T10:00:00.000Z',
      status: 'cancelled',
    });
    const ids = async (qs: string) => {
      const res = await t.app.inject({ url: `/api/appointments/?provider=${clinician.id}&${qs}`, headers: c.staff.headers });
      expect(res.statusCode, qs).toBe(200);
      return res.json().results.map((x: { id: number }) => x.id);
    };
    expect(await ids('')).toEqual([a.id, b.id, d.id]);
    expect(await ids('ordering=-dateandtime')).toEqual([d.id, b.id, a.id]);
    expect(await ids('ordering=-id')).toEqual([d.id, b.id, a.id]);
    expect(await ids('status=confirmed')).toEqual([b.id]);
    expect(await ids(`patient=${p.id}&start=2032-05-02`)).toEqual([b.id, d.id]);
    expect(await ids('start=2032-05-01&end=2032-05-02')).toEqual([a.id, b.id]);
    expect(await ids('end=2032-05-01T10:00:00Z')).toEqual([a.id]);
    const bad = await t.app.inject({ url: '/api/appointments/?status=lost', headers: c.staff.headers });
    expect(bad.statusCode).toBe(400);
  });

  it('cancels with DELETE: 204, record kept and readable, slot freed and bookable again', async () => {
    const slot = await makeSlot(t.db, providerId);
    const booked = await book(c.patient.headers, { patient: patientId, provider: providerId, appointment_slot: slot.id });
    const id = booked.json().id;
    const del = await t.app.inject({ method: 'DELETE', url: `/api/appointments/${id}/`, headers: c.patient.headers });
    expect(del.statusCode).toBe(204);
    expect(await isAvailable(slot.id)).toBe(true);
    const read = await t.app.inject({ url: `/api/appointments/${id}/`, headers: c.patient.headers });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ status: 'cancelled', appointment_slot: slot.id });
    // Cancelling twice is harmless.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/appointments/${id}/`, headers: c.staff.headers })).statusCode).toBe(204);
    const other = await makeUser(t.db, { user_type: 'patient' });
    const rebook = await book(await authHeader(t.app, other), {
      patient: other.linked_patient,
      provider: providerId,
      appointment_slot: slot.id,
    });
    expect(rebook.statusCode).toBe(201);
    const events = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('resource_type', '=', 'appointment')
      .where('resource_id', '=', String(id))
      .where('action', '=', 'cancel')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('lets a patient cancel only while the appointment is in the future; staff and the provider any time', async () => {
    const past = await makeAppointment(t.db, { patient: patientId, provider: providerId, dateandtime: pastInstant() });
    const res = await t.app.inject({ method: 'DELETE', url: `/api/appointments/${past.id}/`, headers: c.patient.headers });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/cannot be cancelled/);
    expect((await t.db.selectFrom('appointments').select('status').where('id', '=', past.id).executeTakeFirstOrThrow()).status).toBe(
      'scheduled',
    );
    expect((await t.app.inject({ method: 'DELETE', url: `/api/appointments/${past.id}/`, headers: c.provider.headers })).statusCode).toBe(
      204,
    );
  });

  it('PUT/PATCH: staff any, a provider their own (others 404, re-assigning 403), patients 403', async () => {
    const mine = await makeAppointment(t.db, { patient: patientId, provider: providerId, dateandtime: futureInstant() });
    const clinician = await makeClinician(t.db);
    const theirs = await makeAppointment(t.db, {
      patient: (await makePatient(t.db)).id,
      provider: clinician.id,
      dateandtime: futureInstant(),
    });
    const patch = (id: number, headers: Record<string, string>, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/api/appointments/${id}/`, headers, payload });
    expect((await patch(mine.id, c.patient.headers, { notes: 'x' })).statusCode).toBe(403);
    expect((await patch(theirs.id, c.provider.headers, { notes: 'x' })).statusCode).toBe(404);
    expect((await patch(mine.id, c.provider.headers, { provider: clinician.id })).statusCode).toBe(403);
    const ok = await patch(mine.id, c.provider.headers, { status: 'confirmed', notes: 'Bring results', estimated_amount: '80.5' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'confirmed', notes: 'Bring results', estimated_amount: '80.50' });
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/appointments/${theirs.id}/`,
      headers: c.staff.headers,
      payload: { patient: theirs.patient, provider: clinician.id, appointment_type: 'follow_up' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ appointment_type: 'follow_up', dateandtime: theirs.dateandtime });
    const putMissing = await t.app.inject({
      method: 'PUT',
      url: `/api/appointments/${theirs.id}/`,
      headers: c.staff.headers,
      payload: { notes: 'x' },
    });
    expect(putMissing.statusCode).toBe(400);
    const audit = await t.db
      .selectFrom('audit_events')
      .select('details')
      .where('resource_id', '=', String(mine.id))
      .where('action', '=', 'update')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details).fields).toEqual(['estimated_amount', 'notes', 'status']);
  });

  it('PUT keeps the optional fields it leaves out, even ones that differ from the create defaults (DRF)', async () => {
    const a = await makeAppointment(t.db, { patient: patientId, provider: providerId, dateandtime: futureInstant() });
    const set = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${a.id}/`,
      headers: c.staff.headers,
      payload: { status: 'confirmed', appointment_mode: 'virtual', appointment_type: 'procedure', estimated_amount: '310.00' },
    });
    expect(set.statusCode).toBe(200);
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/appointments/${a.id}/`,
      headers: c.staff.headers,
      payload: { patient: patientId, provider: providerId, notes: 'Fasting' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      status: 'confirmed',
      appointment_mode: 'virtual',
      appointment_type: 'procedure',
      estimated_amount: '310.00',
      notes: 'Fasting',
    });
  });

  it('moves an appointment to another slot atomically; a taken target is 409 and changes nothing', async () => {
    const s1 = await makeSlot(t.db, providerId);
    const s2 = await makeSlot(t.db, providerId);
    const s3 = await makeSlot(t.db, providerId);
    const booked = await book(c.patient.headers, { patient: patientId, provider: providerId, appointment_slot: s1.id });
    const id = booked.json().id;
    const blocker = await book(c.staff.headers, { patient: (await makePatient(t.db)).id, provider: providerId, appointment_slot: s3.id });
    expect(blocker.statusCode).toBe(201);

    const move = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${id}/`,
      headers: c.provider.headers,
      payload: { appointment_slot: s2.id },
    });
    expect(move.statusCode).toBe(200);
    expect(move.json()).toMatchObject({ appointment_slot: s2.id, dateandtime: s2.dateandtime });
    expect(await isAvailable(s1.id)).toBe(true);
    expect(await isAvailable(s2.id)).toBe(false);

    const taken = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${id}/`,
      headers: c.staff.headers,
      payload: { appointment_slot: s3.id },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ detail: 'This slot is no longer available.' });
    expect(await isAvailable(s2.id)).toBe(false); // the old slot was not freed by the failed move
    const still = await t.app.inject({ url: `/api/appointments/${id}/`, headers: c.staff.headers });
    expect(still.json().appointment_slot).toBe(s2.id);

    const wrongTime = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${id}/`,
      headers: c.staff.headers,
      payload: { dateandtime: futureInstant() },
    });
    expect(wrongTime.statusCode).toBe(400);

    // Cancelling through PATCH frees the slot; a cancelled appointment is final (no reviving it).
    const cancel = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${id}/`,
      headers: c.staff.headers,
      payload: { status: 'cancelled' },
    });
    expect(cancel.statusCode).toBe(200);
    expect(await isAvailable(s2.id)).toBe(true);
    const revive = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${id}/`,
      headers: c.staff.headers,
      payload: { status: 'scheduled' },
    });
    expect(revive.statusCode).toBe(409);
    expect(revive.json()).toEqual({ detail: 'A cancelled appointment cannot be changed; book a new one.' });
    expect(await isAvailable(s2.id)).toBe(true);
  });

  it('my_appointments: staff an empty list, providers and patients their own', async () => {
    const staff = await t.app.inject({ url: '/api/appointments/my_appointments/', headers: c.staff.headers });
    expect(staff.statusCode).toBe(200);
    expect(staff.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
    for (const [who, key, own] of [
      [c.patient, 'patient', patientId],
      [c.provider, 'provider', providerId],
    ] as const) {
      const res = await t.app.inject({ url: '/api/appointments/my_appointments/?page_size=100', headers: who.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json().count).toBeGreaterThan(0);
      expect(res.json().results.every((a: Record<string, number>) => a[key] === own)).toBe(true);
    }
    expect((await t.app.inject({ url: '/api/appointments/my_appointments/' })).statusCode).toBe(401);
  });

  it('available_slots: that provider’s free future slots in time order, for everyone signed in', async () => {
    const clinician = await makeClinician(t.db);
    const later = await makeSlot(t.db, clinician.id, { dateandtime: '2033-01-02T10:00:00Z' });
    const sooner = await makeSlot(t.db, clinician.id, { dateandtime: '2033-01-01T10:00:00Z' });
    await makeSlot(t.db, clinician.id, { dateandtime: '2033-01-01T09:00:00Z', is_available: false });
    await makeSlot(t.db, clinician.id, { dateandtime: pastInstant() });
    for (const who of [c.patient, c.provider, c.staff]) {
      const res = await t.app.inject({ url: `/api/appointments/available_slots/?provider_id=${clinician.id}`, headers: who.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json().count).toBe(2);
      expect(res.json().results.map((s: { id: number }) => s.id)).toEqual([sooner.id, later.id]);
    }
    const paged = await t.app.inject({
      url: `/api/appointments/available_slots/?provider_id=${clinician.id}&page_size=1&page=2`,
      headers: c.patient.headers,
    });
    expect(paged.json().results.map((s: { id: number }) => s.id)).toEqual([later.id]);
    expect(paged.json().previous).toMatch(/provider_id=/);
    const missing = await t.app.inject({ url: '/api/appointments/available_slots/', headers: c.patient.headers });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ detail: 'provider_id is required' });
    const unknown = await t.app.inject({ url: '/api/appointments/available_slots/?provider_id=999999', headers: c.patient.headers });
    expect(unknown.statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/appointments/available_slots/?provider_id=${clinician.id}` })).statusCode).toBe(401);
  });

  it('documents every route and status in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/schema/' })).json();
    const ops = [
      ['/api/appointments/', 'post', ['201', '400', '401', '403', '409']],
      ['/api/appointments/{id}/', 'patch', ['200', '400', '401', '403', '404', '409']],
      ['/api/appointments/{id}/', 'delete', ['204', '401', '403', '404', '409']],
      ['/api/appointments/available_slots/', 'get', ['200', '400', '401', '404']],
      ['/api/appointment-slots/bulk/', 'post', ['201', '400', '401', '403']],
      ['/api/appointment-slots/{id}/', 'delete', ['204', '401', '403', '404', '409']],
    ] as const;
    for (const [path, method, statuses] of ops) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op.responses).sort(), `${method} ${path}`).toEqual([...statuses].sort());
      expect(op.summary).toBeTruthy();
    }
    expect(doc.paths['/api/appointments/{id}/'].get.tags).toEqual(['appointments']);
    expect(doc.paths['/api/appointment-slots/'].get.tags).toEqual(['appointment-slots']);
  });
});
