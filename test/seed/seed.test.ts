import { en, en_US, Faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import {
  APPOINTMENT_MODES,
  APPOINTMENT_TYPES,
  CLINICIAN_ROLES,
  DemoGenerator,
  GENDER_IDENTITIES,
  isValidNpi,
  npiCheckDigit,
  SEXES,
  SUPERVISION,
  zonedTime,
} from '../../src/modules/demo/demo.data.js';
import { SeedRefusedError, type SeedSummary, seedDemo } from '../../src/modules/demo/demo.seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const TZ = 'America/New_York';
const PASSWORD = 'seed-test-password-2026';

describe('NPI check digit and time zones', () => {
  it('computes the Luhn check digit over 80840 + the first nine digits', () => {
    // 1234567893 is CMS's published example of a valid NPI.
    expect(npiCheckDigit('123456789')).toBe(3);
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
  });

  it('turns wall-clock office hours into the right instant on both sides of DST', () => {
    expect(zonedTime(2026, 1, 15, 9, 0, TZ).toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(zonedTime(2026, 7, 15, 9, 30, TZ).toISOString()).toBe('2026-07-15T13:30:00.000Z');
    expect(zonedTime(2026, 7, 15, 9, 30, 'UTC').toISOString()).toBe('2026-07-15T09:30:00.000Z');
  });

  it('is deterministic for a given seed', () => {
    const make = (seed: number) => {
      const f = new Faker({ locale: [en_US, en] });
      f.seed(seed);
      const g = new DemoGenerator(f, new Date('2026-06-01T12:00:00Z'));
      return [g.patient(1), g.patient(2), g.clinician(1, 'Here')];
    };
    expect(make(7)).toEqual(make(7));
    expect(make(7)).not.toEqual(make(8));
  });
});

describe('seedDemo', () => {
  let t: TestDatabase;
  let summary: SeedSummary;
  const started = new Date();

  beforeAll(async () => {
    t = await createTestDatabase();
    summary = await seedDemo(t.db, { patients: 150, providers: 4, staff: 3, seed: 1, password: PASSWORD, timezone: TZ, slotDays: 10 });
  });
  afterAll(() => t.destroy());

  it('creates the counts asked for, one account per person', async () => {
    const count = async (table: 'users' | 'patients' | 'clinician_users') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('patients')).toBe(150);
    expect(await count('clinician_users')).toBe(4);
    expect(await count('users')).toBe(3 + 4 + 150);
    const byType = await t.db
      .selectFrom('users')
      .select(['user_type', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('user_type')
      .execute();
    expect(Object.fromEntries(byType.map((r) => [r.user_type, Number(r.n)]))).toEqual({ staff: 3, provider: 4, patient: 150 });
    expect(summary).toMatchObject({ staff: 3, providers: 4, patients: 150 });
  });

  it('links every patient and provider account to its own record, with the record’s email', async () => {
    const patientLinks = await t.db
      .selectFrom('users')
      .innerJoin('patients', 'patients.id', 'users.linked_patient')
      .select(['users.email as userEmail', 'patients.email as patientEmail', 'users.linked_clinician'])
      .where('users.user_type', '=', 'patient')
      .execute();
    expect(patientLinks).toHaveLength(150);
    for (const l of patientLinks) {
      expect(l.userEmail).toBe(l.patientEmail);
      expect(l.linked_clinician).toBeNull();
    }
    const providerLinks = await t.db
      .selectFrom('users')
      .innerJoin('clinician_users', 'clinician_users.id', 'users.linked_clinician')
      .select(['users.email', 'clinician_users.emailid'])
      .where('users.user_type', '=', 'provider')
      .execute();
    expect(providerLinks).toHaveLength(4);
    for (const l of providerLinks) expect(l.email).toBe(l.emailid);
  });

  it('writes realistic patients and clinicians with valid enums, NPIs and past birth dates', async () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const p of await t.db.selectFrom('patients').selectAll().execute()) {
      expect(SEXES).toContain(p.sex);
      expect(GENDER_IDENTITIES).toContain(p.gender_identity);
      expect(p.date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.date_of_birth < today).toBe(true);
      for (const field of ['first_name', 'last_name', 'phone_number', 'address_line1', 'city', 'state', 'zip_code'] as const) {
        expect(p[field].length).toBeGreaterThan(0);
      }
      expect(p.email).toMatch(/^[a-z]+\.[a-z]+\.\d+@example\.com$/);
    }
    for (const c of await t.db.selectFrom('clinician_users').selectAll().execute()) {
      expect(isValidNpi(c.npi)).toBe(true);
      expect(CLINICIAN_ROLES).toContain(c.role);
      expect(SUPERVISION).toContain(c.supervising_clinician);
    }
  });

  it('creates future weekday office-hour slots in the clinic’s time zone', async () => {
    const slots = await t.db.selectFrom('appointment_slots').selectAll().execute();
    expect(slots.length).toBe(summary.slots);
    expect(slots.length).toBeGreaterThan(0);
    const local = new Intl.DateTimeFormat('en-US', { timeZone: TZ, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (const s of slots) {
      expect(s.timezone).toBe(TZ);
      expect(new Date(s.dateandtime).getTime()).toBeGreaterThan(started.getTime() - 1000);
      const parts = Object.fromEntries(local.formatToParts(new Date(s.dateandtime)).map((p) => [p.type, p.value]));
      expect(s.day).toBe(parts.weekday.toLowerCase());
      expect(['saturday', 'sunday']).not.toContain(s.day);
      const minutes = Number(parts.hour) * 60 + Number(parts.minute);
      expect(minutes).toBeGreaterThanOrEqual(9 * 60);
      expect(minutes).toBeLessThanOrEqual(16 * 60 + 30);
      expect(minutes % 30).toBe(0);
    }
  });

  it('books some slots and leaves others free: a slot is unavailable exactly when a live appointment holds it', async () => {
    const slots = await t.db.selectFrom('appointment_slots').selectAll().execute();
    const live = await t.db
      .selectFrom('appointments')
      .selectAll()
      .where('status', '<>', 'cancelled')
      .where('appointment_slot', 'is not', null)
      .execute();
    const held = new Map(live.map((a) => [a.appointment_slot, a]));
    expect(held.size).toBe(live.length);
    let free = 0;
    for (const s of slots) {
      const a = held.get(s.id);
      expect(Boolean(s.is_available)).toBe(a === undefined);
      if (a) {
        expect(a.provider).toBe(s.provider);
        expect(a.dateandtime).toBe(s.dateandtime);
        expect(['scheduled', 'confirmed']).toContain(a.status);
      } else free += 1;
    }
    expect(free).toBeGreaterThan(0);
    expect(live.length).toBe(summary.bookedSlots);
    expect(live.length).toBeGreaterThan(0);
  });

  it('adds past visits without a slot, with valid enums', async () => {
    const past = await t.db.selectFrom('appointments').selectAll().where('appointment_slot', 'is', null).execute();
    expect(past.length).toBeGreaterThan(0);
    for (const a of past) {
      expect(new Date(a.dateandtime).getTime()).toBeLessThan(started.getTime());
      expect(['completed', 'no_show', 'cancelled']).toContain(a.status);
    }
    for (const a of await t.db.selectFrom('appointments').selectAll().execute()) {
      expect(APPOINTMENT_MODES).toContain(a.appointment_mode);
      expect(APPOINTMENT_TYPES).toContain(a.appointment_type);
    }
  });

  it('gives logins that work with the demo password', async () => {
    const app = await buildApp({ config: testConfig(), db: t.db });
    try {
      for (const [kind, email] of [
        ['staff', summary.logins.staff],
        ['provider', summary.logins.provider],
        ['patient', summary.logins.patient],
      ] as const) {
        const res = await app.inject({ method: 'POST', url: '/api/login/', payload: { email, password: summary.logins.password } });
        expect(res.statusCode).toBe(200);
        expect(res.json().user_type).toBe(kind);
      }
      const wrong = await app.inject({
        method: 'POST',
        url: '/api/login/',
        payload: { email: summary.logins.staff, password: 'not-the-demo-password' },
      });
      expect(wrong.statusCode).toBe(400);
    } finally {
      await app.close();
    }
    expect(summary.logins.password).toBe(PASSWORD);
  });

  it('refuses a non-empty database unless asked to reset it', async () => {
    await expect(seedDemo(t.db, { patients: 5, providers: 1, staff: 1 })).rejects.toBeInstanceOf(SeedRefusedError);
    const again = await seedDemo(t.db, { patients: 5, providers: 1, staff: 1, reset: true, slotDays: 3 });
    const users = await t.db.selectFrom('users').select('id').execute();
    expect(users).toHaveLength(7);
    expect(again.patients).toBe(5);
  });

  it('refuses a password the policy rejects', async () => {
    await expect(seedDemo(t.db, { patients: 1, reset: true, password: 'short' })).rejects.toBeInstanceOf(SeedRefusedError);
  });
});
