import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician } from '../helpers/factories.js';

type Cast = Awaited<ReturnType<typeof cast>>;

describe('POST /api/appointment-slots/bulk/', () => {
  let t: TestApp;
  let c: Cast;
  let providerId: number;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await cast(t.app);
    providerId = c.provider.user.linked_clinician as number;
  });
  afterAll(() => t.close());

  const bulk = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/appointment-slots/bulk/', headers, payload });

  const june = {
    timezone: 'America/New_York',
    weekdays: ['monday', 'wednesday'],
    start_time: '09:00',
    end_time: '12:00',
    slot_minutes: 30,
    start_date: '2026-06-01',
    end_date: '2026-06-30',
  };

  it('creates the contract’s example run: 9 days × 6 slots, local to New York', async () => {
    const clin = await makeClinician(t.db);
    const res = await bulk(c.staff.headers, { ...june, provider: clin.id });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ created: 54, skipped: 0, skipped_existing: 0, skipped_nonexistent: 0 });
    expect(body.slots).toHaveLength(54);
    expect(body.slots[0]).toMatchObject({
      provider: clin.id,
      timezone: 'America/New_York',
      dateandtime: '2026-06-01T13:00:00.000Z',
      day: 'monday',
      is_available: true,
    });
    expect(body.slots[5].dateandtime).toBe('2026-06-01T15:30:00.000Z'); // 11:30 local, ends 12:00
    expect(body.slots[6]).toMatchObject({ dateandtime: '2026-06-03T13:00:00.000Z', day: 'wednesday' });
    expect(body.slots.at(-1)).toMatchObject({ dateandtime: '2026-06-29T15:30:00.000Z', day: 'monday' });
    const inDb = await t.db
      .selectFrom('appointment_slots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provider', '=', clin.id)
      .executeTakeFirstOrThrow();
    expect(Number(inDb.n)).toBe(54);

    // Running it again creates nothing: every time already exists.
    const again = await bulk(c.staff.headers, { ...june, provider: clin.id });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ created: 0, skipped: 54, skipped_existing: 54, slots: [] });
  });

  it('skips only the times that already exist', async () => {
    const clin = await makeClinician(t.db);
    const one = await t.app.inject({
      method: 'POST',
      url: '/api/appointment-slots/',
      headers: c.staff.headers,
      payload: { provider: clin.id, dateandtime: '2026-06-10T09:30:00-04:00' },
    });
    expect(one.statusCode).toBe(201);
    const res = await bulk(c.staff.headers, { ...june, provider: clin.id });
    expect(res.json()).toMatchObject({ created: 53, skipped: 1, skipped_existing: 1 });
    expect(res.json().slots.map((s: { dateandtime: string }) => s.dateandtime)).not.toContain('2026-06-10T13:30:00.000Z');
  });

  it('skips the spring-forward gap (2026-03-08, New York)', async () => {
    const res = await bulk(c.provider.headers, {
      timezone: 'America/New_York',
      weekdays: ['sunday'],
      start_time: '01:00',
      end_time: '04:00',
      slot_minutes: 30,
      start_date: '2026-03-08',
      end_date: '2026-03-08',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ created: 4, skipped: 2, skipped_existing: 0, skipped_nonexistent: 2 });
    // 01:00 and 01:30 EST, then 03:00 and 03:30 EDT: 02:00 and 02:30 do not exist.
    expect(body.slots.map((s: { dateandtime: string }) => s.dateandtime)).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ]);
    expect(body.slots.every((s: { day: string; provider: number }) => s.day === 'sunday' && s.provider === providerId)).toBe(true);
  });

  it('gives one slot, the first occurrence, for repeated fall-back times (2026-11-01, New York)', async () => {
    const res = await bulk(c.provider.headers, {
      timezone: 'America/New_York',
      weekdays: ['sunday'],
      start_time: '00:00',
      end_time: '03:00',
      slot_minutes: 30,
      start_date: '2026-11-01',
      end_date: '2026-11-01',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ created: 6, skipped: 0 });
    expect(res.json().slots.map((s: { dateandtime: string }) => s.dateandtime)).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:00:00.000Z', // 01:00 EDT, the first 01:00
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
    ]);
  });

  it('makes a provider’s run their own whatever provider says', async () => {
    const other = await makeClinician(t.db);
    const res = await bulk(c.provider.headers, {
      ...june,
      provider: other.id,
      start_date: '2027-06-07',
      end_date: '2027-06-07',
      weekdays: ['monday'],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().created).toBe(6);
    expect(res.json().slots.every((s: { provider: number }) => s.provider === providerId)).toBe(true);
  });

  it('ends every slot by end_time', async () => {
    const clin = await makeClinician(t.db);
    const res = await bulk(c.staff.headers, {
      ...june,
      provider: clin.id,
      end_time: '10:45',
      slot_minutes: 40,
      start_date: '2026-06-01',
      end_date: '2026-06-01',
    });
    // 09:00–09:40, 09:40–10:20; 10:20–11:00 would end after 10:45.
    expect(res.json().slots.map((s: { dateandtime: string }) => s.dateandtime)).toEqual([
      '2026-06-01T13:00:00.000Z',
      '2026-06-01T13:40:00.000Z',
    ]);
  });

  it('refuses bad rules with field errors', async () => {
    const clin = await makeClinician(t.db);
    const base = { ...june, provider: clin.id };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...june }, 'provider'],
      [{ ...base, timezone: 'Nowhere/Special' }, 'timezone'],
      [{ ...base, start_time: '9:00' }, 'start_time'],
      [{ ...base, end_time: '08:00' }, 'end_time'],
      [{ ...base, end_time: '09:20' }, 'slot_minutes'],
      [{ ...base, end_date: '2026-05-01' }, 'end_date'],
      [{ ...base, end_date: '2027-06-02' }, 'end_date'],
      [{ ...base, weekdays: [] }, 'weekdays'],
      [{ ...base, weekdays: ['funday'] }, 'weekdays'],
      [{ ...base, slot_minutes: 0 }, 'slot_minutes'],
      [{ ...base, start_date: '2026-02-30' }, 'start_date'],
      [{ ...base, extra: 1 }, 'extra'],
    ];
    for (const [payload, field] of cases) {
      const res = await bulk(c.staff.headers, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json(), JSON.stringify(payload)).toHaveProperty(field);
    }
    const unknown = await bulk(c.staff.headers, { ...june, provider: 999999 });
    expect(unknown.json()).toEqual({ provider: ['Invalid pk "999999" - object does not exist.'] });
  });

  it('caps a call at 2000 slots and creates nothing when over', async () => {
    const clin = await makeClinician(t.db);
    const everyDay = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    // 43 days × 47 half hours (the 23:30 slot would end after 23:59) = 2021 slots: just over the cap.
    const res = await bulk(c.staff.headers, {
      provider: clin.id,
      timezone: 'UTC',
      weekdays: everyDay,
      start_time: '00:00',
      end_time: '23:59',
      slot_minutes: 30,
      start_date: '2026-06-01',
      end_date: '2026-07-13',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().non_field_errors[0]).toMatch(/at most 2000/);
    const huge = await bulk(c.staff.headers, {
      provider: clin.id,
      timezone: 'UTC',
      weekdays: everyDay,
      start_time: '00:00',
      end_time: '23:55',
      slot_minutes: 5,
      start_date: '2026-01-01',
      end_date: '2026-12-31',
    });
    expect(huge.statusCode).toBe(400);
    const n = await t.db
      .selectFrom('appointment_slots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provider', '=', clin.id)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    // 42 days (1974 slots) is allowed.
    const ok = await bulk(c.staff.headers, {
      provider: clin.id,
      timezone: 'UTC',
      weekdays: everyDay,
      start_time: '00:00',
      end_time: '23:59',
      slot_minutes: 30,
      start_date: '2026-06-01',
      end_date: '2026-07-12',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().created).toBe(1974);
  });

  it('is refused to patients (403) and anonymous callers (401), and audited for providers', async () => {
    expect((await bulk(c.patient.headers, june)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/appointment-slots/bulk/', payload: june })).statusCode).toBe(401);
    const events = await t.db
      .selectFrom('audit_events')
      .select(['details'])
      .where('action', '=', 'bulk_create')
      .where('user_id', '=', c.provider.user.id)
      .execute();
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.parse(events[0].details)).toMatchObject({ provider: providerId });
  });
});
