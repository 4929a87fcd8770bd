import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';
import { futureInstant, makeAppointment, makeSlot } from '../slots/slot-helpers.js';

/**
 * DRF clients PUT back the record they read: the read-only fields in it (`id`, `url`,
 * `created_at`, ...) are ignored, as DRF ignores them, while unknown and privileged fields are
 * still refused.
 */
describe('read-only fields in request bodies', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await cast(t.app);
  });
  afterAll(() => t.close());

  async function roundTrip(url: string, change: Record<string, unknown>) {
    const got = await t.app.inject({ url, headers: c.staff.headers });
    expect(got.statusCode, url).toBe(200);
    const record = got.json();
    const put = await t.app.inject({ method: 'PUT', url, headers: c.staff.headers, payload: { ...record, ...change, id: 999999 } });
    expect(put.statusCode, `${url}: ${put.body.slice(0, 300)}`).toBe(200);
    expect(put.json()).toMatchObject({ ...change, id: record.id });
    expect(put.json().created_at ?? put.json().date_joined).toBe(record.created_at ?? record.date_joined);
    const patch = await t.app.inject({ method: 'PATCH', url, headers: c.staff.headers, payload: { ...record, ...change } });
    expect(patch.statusCode, `${url}: ${patch.body.slice(0, 300)}`).toBe(200);
  }

  it('takes back a GET body with one field changed, on every resource, and keeps the real id and timestamps', async () => {
    const patient = await makePatient(t.db);
    await roundTrip(`/api/patients/${patient.id}/`, { city: 'Round Trip' });
    const clinician = await makeClinician(t.db);
    await roundTrip(`/api/clinician-users/${clinician.id}/`, { location: 'Ward 9' });
    const slot = await makeSlot(t.db, clinician.id, { dateandtime: futureInstant() });
    await roundTrip(`/api/appointment-slots/${slot.id}/`, { is_available: false });
    const appointment = await makeAppointment(t.db, { patient: patient.id, provider: clinician.id, dateandtime: futureInstant() });
    await roundTrip(`/api/appointments/${appointment.id}/`, { notes: 'Round trip' });
    const user = await makeUser(t.db, { user_type: 'staff' });
    await roundTrip(`/api/users/${user.id}/`, { contactnumber: '+1 555 0123' });
  });

  it('still refuses unknown fields, and privileged ones on /me', async () => {
    const patient = await makePatient(t.db);
    const unknown = await t.app.inject({
      method: 'PATCH',
      url: `/api/patients/${patient.id}/`,
      headers: c.staff.headers,
      payload: { city: 'X', favourite_colour: 'blue' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toHaveProperty('favourite_colour');
    const me = await t.app.inject({ url: '/api/users/me/', headers: c.patient.headers });
    const escalate = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me/',
      headers: c.patient.headers,
      payload: { ...(me.json() as Record<string, unknown>), user_type: 'staff' },
    });
    expect([400, 403, 405]).toContain(escalate.statusCode);
    const after = await t.db.selectFrom('users').select('user_type').where('id', '=', c.patient.user.id).executeTakeFirstOrThrow();
    expect(after.user_type).toBe('patient');
  });
});
