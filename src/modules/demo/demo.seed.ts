import { en, en_US, Faker } from '@faker-js/faker';
import { type Insertable, sql } from 'kysely';
import { guardAuditTrail, unguardAuditTrail } from '../../db/audit-guard.js';
import type { Database } from '../../db/connect.js';
import { dialectOf } from '../../db/portable.js';
import type { AppointmentSlotsTable, AppointmentsTable, DB, UsersTable } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.service.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { hashPassword } from '../auth/passwords.js';
import { DemoGenerator, localDate, WEEKDAYS, zonedTime } from './demo.data.js';

/** Long enough for the password policy, not on the common-password list; printed after seeding. */
export const DEMO_PASSWORD = 'customehr-demo-clinic-2026';

export interface SeedOptions {
  patients: number;
  /** Default: 20, or one per 500 patients up to 200. */
  providers?: number;
  staff?: number;
  seed?: number;
  password?: string;
  /** Empty every table first. Without it a database that already has people is refused. */
  reset?: boolean;
  /** The clinic's time zone: slots are office hours there. */
  timezone?: string;
  /** Days of future slots, from today. */
  slotDays?: number;
  /** "Now" for the slot calendar and birth dates (tests pin it). */
  now?: Date;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  phase: 'staff' | 'providers' | 'patients' | 'slots' | 'appointments';
  done: number;
  total: number;
}

export interface SeedSummary {
  staff: number;
  providers: number;
  patients: number;
  slots: number;
  bookedSlots: number;
  appointments: number;
  patientIds: { min: number; max: number };
  providerIds: number[];
  logins: { staff: string; provider: string; patient: string; password: string };
  seconds: number;
}

export class SeedRefusedError extends Error {}

const SLOT_MINUTES = 30;
const OFFICE_HOURS = { start: 9, end: 17 };
/** Share of future slots that get booked, and past appointments per provider. */
const BOOKED_SHARE = 0.35;
const PAST_PER_PROVIDER = 40;

/** Rows per INSERT: stays far below SQLite's 32 766 bound parameters (patients have 19 columns). */
const BATCH = 1000;

export function defaultProviders(patients: number): number {
  return Math.max(20, Math.min(200, Math.round(patients / 500)));
}

const TABLES_CHILD_FIRST: (keyof DB)[] = [
  'appointments',
  'appointment_slots',
  'refresh_tokens',
  'mfa_recovery_codes',
  'user_mfa',
  'users',
  'audit_event_patients',
  'audit_events',
  'patients',
  'clinician_users',
];

async function isEmpty(db: Database): Promise<boolean> {
  for (const table of ['users', 'patients', 'clinician_users'] as const) {
    if (await db.selectFrom(table).select('id').limit(1).executeTakeFirst()) return false;
  }
  return true;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One batch, one transaction. On PostgreSQL the commit does not wait for the WAL flush: a crash
 * mid-seed loses the last batches of fake data at worst (never consistency), and the load is
 * several times faster.
 */
async function inBatch<T>(db: Database, work: (trx: Database) => Promise<T>): Promise<T> {
  const postgres = dialectOf(db) === 'postgres';
  return db.transaction().execute(async (trx) => {
    if (postgres) await sql`set local synchronous_commit = off`.execute(trx);
    return work(trx);
  });
}

/**
 * Fills a demo clinic: staff, providers with their user accounts, patients each with a patient
 * account, two weeks of office-hour slots per provider with about a third booked, and a history of
 * past visits. Every demo user shares one password, hashed once (Argon2id costs ~23 ms a hash).
 * Rows go in as multi-row INSERTs, one transaction per batch.
 */
export async function seedDemo(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const password = options.password ?? DEMO_PASSWORD;
  const problems = checkPasswordPolicy(password, '');
  if (problems.length > 0) throw new SeedRefusedError(`--password: ${problems.join(' ')}`);
  const patientsWanted = options.patients;
  const providersWanted = options.providers ?? defaultProviders(patientsWanted);
  const staffWanted = options.staff ?? 5;
  if (staffWanted < 1 || providersWanted < 1 || patientsWanted < 1)
    throw new SeedRefusedError('Need at least one staff user, provider and patient.');
  const timezone = options.timezone ?? 'America/New_York';
  const now = options.now ?? new Date();
  const progress = options.onProgress ?? (() => {});

  if (options.reset) {
    // A demo database only (the seed refuses production): the append-only guard of the audit
    // trail comes down and goes back up in the same transaction.
    await db.transaction().execute(async (trx) => {
      await unguardAuditTrail(trx);
      for (const table of TABLES_CHILD_FIRST) await trx.deleteFrom(table).execute();
      await guardAuditTrail(trx);
    });
  } else if (!(await isEmpty(db))) {
    throw new SeedRefusedError(
      'The database already has users, patients or clinicians. Seed an empty database, or pass --reset to empty it first.',
    );
  }

  const faker = new Faker({ locale: [en_US, en] });
  faker.seed(options.seed ?? 42);
  const gen = new DemoGenerator(faker, now);
  const hash = await hashPassword(password);
  const stamp = now.toISOString();
  const user = (u: Pick<UsersTable, 'name' | 'email' | 'contactnumber' | 'user_type' | 'linked_patient' | 'linked_clinician'>) => ({
    ...u,
    password: hash,
    role: '',
    status: true,
    is_superuser: false,
    date_joined: stamp,
    last_login: null,
  });

  // Staff: the first one is the clinic's administrator (a superuser, like createsuperuser makes).
  const staffRows = Array.from({ length: staffWanted }, (_, i) => ({
    ...user({
      name: i === 0 ? 'Clinic Admin' : gen.staffName(),
      email: i === 0 ? 'admin@clinic.example.com' : `staff${i + 1}@clinic.example.com`,
      contactnumber: '',
      user_type: 'staff',
      linked_patient: null,
      linked_clinician: null,
    }),
    role: i === 0 ? '' : i % 2 === 1 ? 'nurse' : 'billing_staff',
    is_superuser: i === 0,
  }));
  await inBatch(db, (trx) => trx.insertInto('users').values(staffRows).execute());
  progress({ phase: 'staff', done: staffWanted, total: staffWanted });

  // Providers and their accounts. A clinic has a handful of sites.
  const sites = Array.from({ length: 3 }, () => gen.location());
  const providerIds: number[] = [];
  let providerEmail = '';
  for (const batch of chunks(
    Array.from({ length: providersWanted }, (_, i) => i + 1),
    BATCH,
  )) {
    await inBatch(db, async (trx) => {
      const rows = batch.map((n) => ({ ...gen.clinician(n, sites[n % sites.length]), created_at: stamp, updated_at: stamp }));
      const inserted = await trx.insertInto('clinician_users').values(rows).returning(['id', 'emailid']).execute();
      const byEmail = new Map(rows.map((r) => [r.emailid, r]));
      await trx
        .insertInto('users')
        .values(
          inserted.map((c) => {
            const r = byEmail.get(c.emailid)!;
            return user({
              name: `${r.firstname} ${r.lastname}`,
              email: c.emailid,
              contactnumber: r.contactnumber,
              user_type: 'provider',
              linked_patient: null,
              linked_clinician: c.id,
            });
          }),
        )
        .execute();
      for (const c of inserted) providerIds.push(c.id);
      providerEmail ||= inserted[0].emailid;
    });
    progress({ phase: 'providers', done: providerIds.length, total: providersWanted });
  }
  providerIds.sort((a, b) => a - b);

  // Patients, each with a patient account using the patient's email.
  const patientIds: number[] = [];
  let patientEmail = '';
  for (let start = 1; start <= patientsWanted; start += BATCH) {
    const size = Math.min(BATCH, patientsWanted - start + 1);
    await inBatch(db, async (trx) => {
      const rows = Array.from({ length: size }, (_, i) => ({ ...gen.patient(start + i), created_at: stamp, updated_at: stamp }));
      const inserted = await trx.insertInto('patients').values(rows).returning(['id', 'email']).execute();
      const byEmail = new Map(rows.map((r) => [r.email, r]));
      await trx
        .insertInto('users')
        .values(
          inserted.map((p) => {
            const r = byEmail.get(p.email)!;
            return user({
              name: `${r.first_name} ${r.last_name}`,
              email: p.email,
              contactnumber: r.phone_number,
              user_type: 'patient',
              linked_patient: p.id,
              linked_clinician: null,
            });
          }),
        )
        .execute();
      for (const p of inserted) patientIds.push(p.id);
      patientEmail ||= inserted[0].email;
    });
    progress({ phase: 'patients', done: patientIds.length, total: patientsWanted });
  }
  patientIds.sort((a, b) => a - b);

  const calendar = await seedCalendar(db, gen, { providerIds, patientIds, timezone, now, days: options.slotDays ?? 14, stamp, progress });

  await recordAudit(
    db,
    { userId: null, userType: 'cli', clientIp: 'local', requestId: 'seed' },
    {
      action: 'seed',
      resourceType: 'demo',
      details: { staff: staffWanted, providers: providersWanted, patients: patientsWanted, ...calendar, reset: options.reset === true },
    },
  );

  // After a bulk load PostgreSQL needs fresh statistics to plan the API's queries, and a vacuum
  // to mark pages all-visible so counts and deep pages can be index-only scans.
  if (dialectOf(db) === 'postgres') {
    await sql`vacuum (analyze) patients, users, clinician_users, appointment_slots, appointments`.execute(db);
  }

  return {
    staff: staffWanted,
    providers: providersWanted,
    patients: patientsWanted,
    ...calendar,
    patientIds: { min: patientIds[0], max: patientIds[patientIds.length - 1] },
    providerIds,
    logins: { staff: 'admin@clinic.example.com', provider: providerEmail, patient: patientEmail, password },
    seconds: (performance.now() - started) / 1000,
  };
}

interface CalendarInput {
  providerIds: number[];
  patientIds: number[];
  timezone: string;
  now: Date;
  days: number;
  stamp: string;
  progress: (p: SeedProgress) => void;
}

/**
 * Weekday office-hour slots in the clinic's time zone for the coming days, about a third booked
 * (the slot is inserted unavailable in the same transaction as its appointment), plus past visits
 * without a slot. Patients never get two live appointments at the same time.
 */
async function seedCalendar(db: Database, gen: DemoGenerator, input: CalendarInput) {
  const { providerIds, patientIds, timezone, now, stamp, progress } = input;
  const today = localDate(now, timezone);
  type Slot = Insertable<AppointmentSlotsTable> & { book: boolean };
  const slots: Slot[] = [];
  for (let d = 0; d < input.days; d++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + d));
    const weekday = WEEKDAYS[date.getUTCDay()];
    if (weekday === 'saturday' || weekday === 'sunday') continue;
    for (let minutes = OFFICE_HOURS.start * 60; minutes + SLOT_MINUTES <= OFFICE_HOURS.end * 60; minutes += SLOT_MINUTES) {
      const instant = zonedTime(
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        Math.floor(minutes / 60),
        minutes % 60,
        timezone,
      );
      if (instant <= now) continue;
      const dateandtime = instant.toISOString();
      for (const provider of providerIds) {
        const book = gen.float() < BOOKED_SHARE;
        slots.push({ provider, timezone, dateandtime, day: weekday, is_available: !book, created_at: stamp, updated_at: stamp, book });
      }
    }
  }

  // A patient has at most one live appointment at a time (a unique index says so too).
  const busy = new Set<string>();
  const pickPatient = (dateandtime: string): number | null => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const patient = patientIds[gen.index(patientIds.length - 1)];
      const key = `${patient}|${dateandtime}`;
      if (!busy.has(key)) {
        busy.add(key);
        return patient;
      }
    }
    return null;
  };

  let bookedSlots = 0;
  let appointments = 0;
  const total = slots.length;
  let done = 0;
  for (const batch of chunks(slots, BATCH)) {
    await inBatch(db, async (trx) => {
      const inserted = await trx
        .insertInto('appointment_slots')
        .values(batch.map(({ book: _book, ...slot }) => slot))
        .returning(['id', 'provider', 'dateandtime'])
        .execute();
      const idOf = new Map(inserted.map((s) => [`${s.provider}|${s.dateandtime}`, s.id]));
      const booked: Insertable<AppointmentsTable>[] = [];
      for (const slot of batch) {
        if (!slot.book) continue;
        const patient = pickPatient(slot.dateandtime);
        const slotId = idOf.get(`${slot.provider}|${slot.dateandtime}`);
        if (patient === null || slotId === undefined) throw new Error('demo seed: could not book a slot');
        booked.push({
          patient,
          provider: slot.provider,
          appointment_slot: slotId,
          ...gen.visit(),
          dateandtime: slot.dateandtime,
          status: gen.float() < 0.6 ? 'scheduled' : 'confirmed',
          notes: '',
          created_at: stamp,
          updated_at: stamp,
        });
      }
      if (booked.length > 0) await trx.insertInto('appointments').values(booked).execute();
      bookedSlots += booked.length;
      appointments += booked.length;
    });
    done += batch.length;
    progress({ phase: 'slots', done, total });
  }

  // History: visits of the last 60 days, made before slots were used (no slot attached).
  const past: Insertable<AppointmentsTable>[] = [];
  for (const provider of providerIds) {
    const times = new Set<string>();
    while (times.size < PAST_PER_PROVIDER) {
      const daysAgo = 1 + gen.index(59);
      const date = new Date(now.getTime() - daysAgo * 86_400_000);
      const local = localDate(date, timezone);
      const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const minutes = OFFICE_HOURS.start * 60 + SLOT_MINUTES * gen.index(((OFFICE_HOURS.end - OFFICE_HOURS.start) * 60) / SLOT_MINUTES - 1);
      times.add(zonedTime(local.year, local.month, local.day, Math.floor(minutes / 60), minutes % 60, timezone).toISOString());
    }
    for (const dateandtime of times) {
      const patient = pickPatient(dateandtime);
      if (patient === null) continue;
      const r = gen.float();
      past.push({
        patient,
        provider,
        appointment_slot: null,
        ...gen.visit(),
        dateandtime,
        status: r < 0.8 ? 'completed' : r < 0.9 ? 'no_show' : 'cancelled',
        notes: r < 0.8 ? 'Seen; plan discussed with the patient.' : '',
        created_at: stamp,
        updated_at: stamp,
      });
    }
  }
  done = 0;
  for (const batch of chunks(past, BATCH)) {
    await inBatch(db, (trx) => trx.insertInto('appointments').values(batch).execute());
    done += batch.length;
    appointments += batch.length;
    progress({ phase: 'appointments', done, total: past.length });
  }

  return { slots: slots.length, bookedSlots, appointments };
}
