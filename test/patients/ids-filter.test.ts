import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient } from '../helpers/factories.js';

describe('?id=… on patient and clinician lists', () => {
  let t: TestApp;
  let who: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp();
    who = await cast(t.app);
  });
  afterAll(() => t.close());

  it('returns just those records, in one audited read', async () => {
    const [a, b] = [await makePatient(t.db), await makePatient(t.db), await makePatient(t.db)];
    const before = await t.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const res = await t.app.inject({ url: `/api/patients/?id=${a.id}&id=${b.id}`, headers: who.staff.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(2);
    expect(
      res
        .json()
        .results.map((p: { id: number }) => p.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    const events = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', Number(before.id ?? 0))
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].details).ids.sort()).toEqual([a.id, b.id].sort());
    const one = await t.app.inject({ url: `/api/patients/?id=${a.id}`, headers: who.staff.headers });
    expect(one.json().count).toBe(1);
  });

  it('never widens what a patient user sees', async () => {
    const other = await makePatient(t.db);
    const own = who.patient.user.linked_patient as number;
    const res = await t.app.inject({ url: `/api/patients/?id=${other.id}&id=${own}`, headers: who.patient.headers });
    expect(res.json().results.map((p: { id: number }) => p.id)).toEqual([own]);
  });

  it('refuses ids that are not ids, and more than 100 of them', async () => {
    expect((await t.app.inject({ url: '/api/patients/?id=abc', headers: who.staff.headers })).statusCode).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `id=${i + 1}`).join('&');
    expect((await t.app.inject({ url: `/api/patients/?${many}`, headers: who.staff.headers })).statusCode).toBe(400);
  });

  it('works on clinicians too', async () => {
    const c1 = await makeClinician(t.db);
    await makeClinician(t.db);
    const res = await t.app.inject({ url: `/api/clinician-users/?id=${c1.id}`, headers: who.staff.headers });
    expect(res.json().results.map((c: { id: number }) => c.id)).toEqual([c1.id]);
  });
});
