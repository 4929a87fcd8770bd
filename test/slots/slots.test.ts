import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';
import { futureInstant, makeAppointment, makeSlot } from './slot-helpers.js';

type Cast = Awaited<ReturnType<typeof cast>>;

describe('/api/appointment-slots/', () => {
  let t: TestApp;
  let c: Cast;
  let providerId: number;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await cast(t.app);
    providerId = c.provider.user.linked_clinician as number;
  });
  afterAll(() => t.close());

  const post = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/appointment-slots/', headers, payload });

  it('answers 401 to anonymous callers and 403 to patients', async () => {
    const anon = await t.app.inject({ url: '/api/appointment-slots/' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await t.app.inject({ url: '/api/appointment-slots/', headers: c.patient.headers })).statusCode).toBe(403);
    const create = await post(c.patient.headers, { dateandtime: futureInstant() });
    expect(create.statusCode).toBe(403);
    expect(create.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('derives day in the slot’s own zone: 01:30 UTC Tuesday is Monday evening in New York', async () => {
    const ny = await post(c.staff.headers, { provider: providerId, timezone: 'America/New_York', dateandtime: '2026-03-10T01:30:00Z' });
    expect(ny.statusCode).toBe(201);
    expect(ny.json()).toMatchObject({
      provider: providerId,
      timezone: 'America/New_York',
      dateandtime: '2026-03-10T01:30:00.000Z',
      day: 'monday',
      is_available: true,
    });
    const utc = await post(c.staff.headers, { provider: providerId, dateandtime: '2026-03-11T01:30:00Z' });
    expect(utc.json()).toMatchObject({ timezone: 'UTC', day: 'wednesday' });
    // An evening in New York with its own offset: stored as the UTC instant of the next day.
    const evening = await post(c.staff.headers, {
      provider: providerId,
      timezone: 'America/New_York',
      dateandtime: '2026-06-01T22:00:00-04:00',
    });
    expect(evening.json()).toMatchObject({ dateandtime: '2026-06-02T02:00:00.000Z', day: 'monday' });
  });

  it('derives day correctly on both DST change days in New York', async () => {
    const cases: [string, string][] = [
      ['2026-03-08T06:30:00Z', 'sunday'], // 01:30 EST, before the gap
      ['2026-03-08T07:30:00Z', 'sunday'], // 03:30 EDT, after the gap
      ['2026-03-08T04:30:00Z', 'saturday'], // 23:30 EST the evening before
      ['2026-11-01T05:30:00Z', 'sunday'], // 01:30 EDT, first pass
      ['2026-11-01T06:30:00Z', 'sunday'], // 01:30 EST, second pass
      ['2026-11-02T04:30:00Z', 'sunday'], // 23:30 EST Sunday evening = Monday in UTC
    ];
    for (const [dateandtime, day] of cases) {
      const res = await post(c.staff.headers, { provider: providerId, timezone: 'America/New_York', dateandtime });
      expect(res.statusCode, dateandtime).toBe(201);
      expect(res.json().day, dateandtime).toBe(day);
    }
  });

  it('refuses a day that contradicts dateandtime, accepts one that agrees', async () => {
    const wrong = await post(c.staff.headers, {
      provider: providerId,
      timezone: 'America/New_York',
      dateandtime: '2026-04-07T01:30:00Z',
      day: 'tuesday',
    });
    expect(wrong.statusCode).toBe(400);
    expect(Object.keys(wrong.json())).toEqual(['day']);
    expect(wrong.json().day[0]).toMatch(/monday in America\/New_York/);
    const right = await post(c.staff.headers, {
      provider: providerId,
      timezone: 'America/New_York',
      dateandtime: '2026-04-07T01:30:00Z',
      day: 'monday',
    });
    expect(right.statusCode).toBe(201);
  });

  it('validates timezone, dateandtime, provider and unknown fields', async () => {
    const tz = await post(c.staff.headers, { provider: providerId, timezone: 'Mars/Olympus', dateandtime: futureInstant() });
    expect(tz.statusCode).toBe(400);
    expect(tz.json().timezone[0]).toMatch(/not a valid IANA time zone/);
    const noOffset = await post(c.staff.headers, { provider: providerId, dateandtime: '2026-06-01T09:00:00' });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json()).toHaveProperty('dateandtime');
    const missing = await post(c.staff.headers, { dateandtime: futureInstant() });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ provider: ['This field is required.'] });
    const unknown = await post(c.staff.headers, { provider: 999999, dateandtime: futureInstant() });
    expect(unknown.json()).toEqual({ provider: ['Invalid pk "999999" - object does not exist.'] });
    const extra = await post(c.staff.headers, { provider: providerId, dateandtime: futureInstant(), colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toHaveProperty('colour');
  });

  it('answers DRF’s unique-set message for the same instant however it is spelt', async () => {
    const first = await post(c.staff.headers, { provider: providerId, dateandtime: '2027-05-05T14:00:00Z' });
    expect(first.statusCode).toBe(201);
    const again = await post(c.staff.headers, { provider: providerId, dateandtime: '2027-05-05T10:00:00-04:00' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ non_field_errors: ['The fields provider, dateandtime must make a unique set.'] });
    // Moving another slot onto that instant is the same violation.
    const other = await post(c.staff.headers, { provider: providerId, dateandtime: '2027-05-05T15:00:00Z' });
    const clash = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointment-slots/${other.json().id}/`,
      headers: c.staff.headers,
      payload: { dateandtime: '2027-05-05T14:00:00.000Z' },
    });
    expect(clash.statusCode).toBe(400);
    expect(clash.json()).toEqual({ non_field_errors: ['The fields provider, dateandtime must make a unique set.'] });
  });

  it('gives a provider their own slot whatever provider says, and hides other providers’ slots', async () => {
    const other = await makeClinician(t.db);
    const mine = await post(c.provider.headers, { provider: other.id, dateandtime: futureInstant() });
    expect(mine.statusCode).toBe(201);
    expect(mine.json().provider).toBe(providerId);

    const theirs = await makeSlot(t.db, other.id);
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: `/api/appointment-slots/${theirs.id}/`,
        headers: c.provider.headers,
        ...(method === 'PATCH' || method === 'PUT' ? { payload: { dateandtime: futureInstant() } } : {}),
      });
      expect(res.statusCode, method).toBe(404);
    }
    const list = await t.app.inject({ url: '/api/appointment-slots/?page_size=100', headers: c.provider.headers });
    const providers = new Set(list.json().results.map((s: { provider: number }) => s.provider));
    expect([...providers]).toEqual([providerId]);
    // Staff see both providers.
    const all = await t.app.inject({ url: `/api/appointment-slots/?provider=${other.id}`, headers: c.staff.headers });
    expect(all.json().results.map((s: { id: number }) => s.id)).toEqual([theirs.id]);
    // A provider cannot hand their slot to someone else either.
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/appointment-slots/${mine.json().id}/`,
      headers: c.provider.headers,
      payload: { provider: other.id },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().provider).toBe(providerId);
  });

  it('filters by provider, availability and date range (with aliases) and orders', async () => {
    const clin = await makeClinician(t.db);
    const a = await makeSlot(t.db, clin.id, { dateandtime: '2028-01-10T09:00:00Z' });
    const b = await makeSlot(t.db, clin.id, { dateandtime: '2028-01-11T23:30:00Z', is_available: false });
    const d = await makeSlot(t.db, clin.id, { dateandtime: '2028-01-12T00:00:00Z' });
    const ids = async (qs: string) => {
      const res = await t.app.inject({ url: `/api/appointment-slots/?provider=${clin.id}&${qs}`, headers: c.staff.headers });
      expect(res.statusCode, qs).toBe(200);
      return res.json().results.map((s: { id: number }) => s.id);
    };
    expect(await ids('')).toEqual([a.id, b.id, d.id]);
    expect(await ids('ordering=-dateandtime')).toEqual([d.id, b.id, a.id]);
    expect(await ids('is_available=false')).toEqual([b.id]);
    expect(await ids('is_available=true')).toEqual([a.id, d.id]);
    // django-filter's spellings, which DRF clients send.
    for (const yes of ['True', 'TRUE', '1']) expect(await ids(`is_available=${yes}`), yes).toEqual([a.id, d.id]);
    for (const no of ['False', '0']) expect(await ids(`is_available=${no}`), no).toEqual([b.id]);
    const notBoolean = await t.app.inject({ url: '/api/appointment-slots/?is_available=maybe', headers: c.staff.headers });
    expect(notBoolean.statusCode).toBe(400);
    expect(notBoolean.json()).toHaveProperty('is_available');
    expect(await ids('start=2028-01-11&end=2028-01-11')).toEqual([b.id]);
    expect(await ids('dateandtime_after=2028-01-11&dateandtime_before=2028-01-12')).toEqual([b.id, d.id]);
    expect(await ids(`start=${encodeURIComponent('2028-01-11T19:00:00-05:00')}`)).toEqual([d.id]);
    expect(await ids('end=2028-01-10T09:00:00Z')).toEqual([a.id]);
    const bad = await t.app.inject({ url: '/api/appointment-slots/?start=yesterday', headers: c.staff.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toHaveProperty('start');
  });

  it('refuses to move, free or delete a slot with a live booking (409); frees it after cancel only for moving', async () => {
    const slot = await makeSlot(t.db, providerId, { is_available: false });
    const patient = await makePatient(t.db);
    const appt = await makeAppointment(t.db, {
      patient: patient.id,
      provider: providerId,
      dateandtime: slot.dateandtime,
      appointment_slot: slot.id,
    });
    const url = `/api/appointment-slots/${slot.id}/`;
    const move = await t.app.inject({ method: 'PATCH', url, headers: c.provider.headers, payload: { dateandtime: futureInstant() } });
    expect(move.statusCode).toBe(409);
    expect(move.json().detail).toMatch(new RegExp(`live booking \\(appointment ${appt.id}\\)`));
    const other = await makeClinician(t.db);
    const reassign = await t.app.inject({ method: 'PATCH', url, headers: c.staff.headers, payload: { provider: other.id } });
    expect(reassign.statusCode).toBe(409);
    const free = await t.app.inject({ method: 'PATCH', url, headers: c.staff.headers, payload: { is_available: true } });
    expect(free.statusCode).toBe(409);
    const del = await t.app.inject({ method: 'DELETE', url, headers: c.staff.headers });
    expect(del.statusCode).toBe(409);
    // Harmless changes are fine while booked.
    const tz = await t.app.inject({ method: 'PATCH', url, headers: c.staff.headers, payload: { timezone: 'Asia/Tokyo' } });
    expect(tz.statusCode).toBe(200);
    expect(tz.json().timezone).toBe('Asia/Tokyo');
    // The slot is unchanged in the database.
    const row = await t.db.selectFrom('appointment_slots').selectAll().where('id', '=', slot.id).executeTakeFirstOrThrow();
    expect(row.dateandtime).toBe(slot.dateandtime);
    expect(row.provider).toBe(providerId);

    // Once the appointment is cancelled, the slot may move, but never be deleted (history).
    await t.db.updateTable('appointments').set({ status: 'cancelled' }).where('id', '=', appt.id).execute();
    const moved = await t.app.inject({
      method: 'PATCH',
      url,
      headers: c.staff.headers,
      payload: { dateandtime: futureInstant(), is_available: true },
    });
    expect(moved.statusCode).toBe(200);
    const del2 = await t.app.inject({ method: 'DELETE', url, headers: c.staff.headers });
    expect(del2.statusCode).toBe(409);
    expect(del2.json().detail).toMatch(new RegExp(`referenced by appointment ${appt.id}\\b`));
  });

  it('deletes a free slot (204, then 404) and writes audit rows for every write', async () => {
    const created = await post(c.provider.headers, { dateandtime: futureInstant() });
    const id = created.json().id;
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/appointment-slots/${id}/`,
      headers: c.provider.headers,
      payload: { dateandtime: futureInstant(), timezone: 'Europe/Berlin' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().timezone).toBe('Europe/Berlin');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/appointment-slots/${id}/`, headers: c.provider.headers });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await t.app.inject({ url: `/api/appointment-slots/${id}/`, headers: c.provider.headers })).statusCode).toBe(404);
    const events = await t.db
      .selectFrom('audit_events')
      .select(['action', 'details', 'user_id'])
      .where('resource_type', '=', 'appointment_slot')
      .where('resource_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    expect(events.every((e) => e.user_id === c.provider.user.id)).toBe(true);
    expect(JSON.parse(events[1].details).fields).toEqual(expect.arrayContaining(['dateandtime', 'timezone']));
  });

  it('treats a deactivated provider as signed out', async () => {
    const gone = await makeUser(t.db, { user_type: 'provider', status: false });
    const res = await t.app.inject({ url: '/api/appointment-slots/', headers: await authHeader(t.app, gone) });
    expect(res.statusCode).toBe(401);
  });
});
