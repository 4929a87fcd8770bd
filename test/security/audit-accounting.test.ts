import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient } from '../helpers/factories.js';
import { futureInstant, makeAppointment } from '../slots/slot-helpers.js';

/**
 * HIPAA accounting of access: "who saw patient X?" must find every read that showed X, list
 * reads among other patients included, and attempts at X's data that were refused; and the trail
 * must be append-only in the database itself.
 */
describe('audit accounting of access by patient', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await cast(t.app);
  });
  afterAll(() => t.close());

  const trailOf = async (patientId: number, query = '') => {
    const res = await t.app.inject({ url: `/api/audit-events/?patient=${patientId}&ordering=id${query}`, headers: c.staff.headers });
    expect(res.statusCode).toBe(200);
    return res.json().results as { user: number; action: string; resource_type: string; outcome: string; details: { ids: number[] } }[];
  };

  it('finds a provider’s patient-list and appointment-list reads that showed the patient among others', async () => {
    const x = await makePatient(t.db, { last_name: 'Accounted' });
    const y = await makePatient(t.db, { last_name: 'Accounted' });
    const clinician = c.provider.user.linked_clinician as number;
    await makeAppointment(t.db, { patient: x.id, provider: clinician, dateandtime: futureInstant() });
    await makeAppointment(t.db, { patient: y.id, provider: clinician, dateandtime: futureInstant() });

    expect((await t.app.inject({ url: '/api/patients/?search=accounted', headers: c.provider.headers })).json().count).toBe(2);
    expect((await t.app.inject({ url: '/api/appointments/', headers: c.provider.headers })).json().count).toBeGreaterThanOrEqual(2);

    const byProvider = (await trailOf(x.id, `&user=${c.provider.user.id}`)).map((e) => `${e.action} ${e.resource_type}`);
    expect(byProvider).toEqual(['list patient', 'list appointment']);
    expect(await trailOf(y.id, `&user=${c.provider.user.id}`)).toHaveLength(2);
  });

  it('finds a patient user’s refused attempts at another patient’s record and appointment', async () => {
    const victim = await makePatient(t.db);
    const theirs = await makeAppointment(t.db, {
      patient: victim.id,
      provider: (await makeClinician(t.db)).id,
      dateandtime: futureInstant(),
    });
    expect((await t.app.inject({ url: `/api/patients/${victim.id}/`, headers: c.patient.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/appointments/${theirs.id}/`, headers: c.patient.headers })).statusCode).toBe(404);
    const attempts = await trailOf(victim.id, `&user=${c.patient.user.id}`);
    expect(attempts.map((e) => `${e.action} ${e.resource_type} ${e.outcome}`)).toEqual(['read patient denied', 'read appointment denied']);
  });

  it('finds an appointment moved to another patient under both patients', async () => {
    const from = await makePatient(t.db);
    const to = await makePatient(t.db);
    const clinician = c.provider.user.linked_clinician as number;
    const appointment = await makeAppointment(t.db, { patient: from.id, provider: clinician, dateandtime: futureInstant() });
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointments/${appointment.id}/`,
      headers: c.provider.headers,
      payload: { patient: to.id },
    });
    expect(res.statusCode).toBe(200);
    for (const patient of [from.id, to.id]) {
      const changes = (await trailOf(patient, `&user=${c.provider.user.id}`)).filter((e) => e.action === 'update');
      expect(changes, `patient ${patient === from.id ? 'moved from' : 'moved to'}`).toHaveLength(1);
    }
  });

  it('refuses to change or delete audit rows, even through the server’s own database connection', async () => {
    await t.app.inject({ url: '/api/patients/', headers: c.staff.headers });
    const [event] = await t.db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id', 'desc').limit(1).execute();
    await expect(t.db.updateTable('audit_events').set({ outcome: 'failure' }).where('id', '=', event.id).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.deleteFrom('audit_events').where('id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_event_patients').execute()).rejects.toThrow(/append-only/);
    if (t.testDb.dialect === 'postgres') {
      await expect(sql`truncate audit_event_patients, audit_events`.execute(t.db)).rejects.toThrow(/append-only/);
    }
    const after = await t.db.selectFrom('audit_events').select(['id', 'hash']).where('id', '=', event.id).executeTakeFirstOrThrow();
    expect(after).toEqual(event);
  });

  it('refuses start/end values that are not real dates or instants with 400, never an unfiltered answer', async () => {
    for (const bad of ['2026-02-30', '9999-99-99', '2026-13-01', '2026-12-01T25:99Z', '2026-02-30T10:00:00Z', 'yesterday']) {
      for (const key of ['start', 'end']) {
        const res = await t.app.inject({ url: `/api/audit-events/?${key}=${encodeURIComponent(bad)}`, headers: c.staff.headers });
        expect(res.statusCode, `${key}=${bad}`).toBe(400);
        expect(res.json()).toHaveProperty(key);
      }
    }
  });
});
