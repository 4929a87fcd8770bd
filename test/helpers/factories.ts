import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/connect.js';
import type { CliniciansTable, PatientsTable } from '../../src/db/schema.js';
import { hashPassword } from '../../src/modules/auth/passwords.js';
import { signAccess } from '../../src/modules/auth/tokens.service.js';
import type { UserRow } from '../../src/modules/users/users.repository.js';

export const DEFAULT_PASSWORD = 'a-long-test-password-42';

let seq = 0;
/** Unique suffix for emails and names within a test run. */
export function unique(prefix = 'x'): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${seq}`;
}

let defaultHash: Promise<string> | null = null;
function passwordHash(password: string): Promise<string> {
  if (password !== DEFAULT_PASSWORD) return hashPassword(password);
  defaultHash ??= hashPassword(DEFAULT_PASSWORD);
  return defaultHash;
}

const now = () => new Date().toISOString();

export async function makePatient(db: Database, overrides: Partial<PatientsTable> = {}) {
  const tag = unique('p');
  return db
    .insertInto('patients')
    .values({
      first_name: 'Ada',
      middle_name: '',
      last_name: `Lovelace-${tag}`,
      preferred_name: '',
      date_of_birth: '1985-04-12',
      sex: 'female',
      gender_identity: 'female',
      email: `${tag}@patients.example`,
      phone_number: '+1 555 0100',
      ethnicity: '',
      race: '',
      language: 'English',
      address_line1: '1 Main St',
      address_line2: '',
      city: 'Springfield',
      state: 'IL',
      zip_code: '62701',
      created_at: now(),
      updated_at: now(),
      ...overrides,
    } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeClinician(db: Database, overrides: Partial<CliniciansTable> = {}) {
  const tag = unique('c');
  return db
    .insertInto('clinician_users')
    .values({
      firstname: 'Gregory',
      lastname: `House-${tag}`,
      role: 'physicians',
      emailid: `${tag}@clinic.example`,
      contactnumber: '+1 555 0200',
      npi: '1234567893',
      location: 'Princeton',
      language: 'English',
      supervising_clinician: 'none',
      created_at: now(),
      updated_at: now(),
      ...overrides,
    } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface MakeUserOptions {
  user_type?: 'staff' | 'provider' | 'patient';
  email?: string;
  name?: string;
  password?: string;
  status?: boolean;
  linked_patient?: number | null;
  linked_clinician?: number | null;
}

/** A user of the given type; a patient or provider gets a fresh linked record unless given one. */
export async function makeUser(db: Database, opts: MakeUserOptions = {}): Promise<UserRow> {
  const userType = opts.user_type ?? 'staff';
  let linkedPatient = opts.linked_patient ?? null;
  let linkedClinician = opts.linked_clinician ?? null;
  if (userType === 'patient' && linkedPatient === null) linkedPatient = (await makePatient(db)).id;
  if (userType === 'provider' && linkedClinician === null) linkedClinician = (await makeClinician(db)).id;
  const row = await db
    .insertInto('users')
    .values({
      name: opts.name ?? `Test ${userType}`,
      email: (opts.email ?? `${unique(userType)}@users.example`).toLowerCase(),
      password: await passwordHash(opts.password ?? DEFAULT_PASSWORD),
      contactnumber: '',
      role: '',
      status: opts.status ?? true,
      user_type: userType,
      linked_patient: linkedPatient,
      linked_clinician: linkedClinician,
      is_superuser: false,
      date_joined: now(),
      last_login: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...row, status: Boolean(row.status), is_superuser: Boolean(row.is_superuser) } as UserRow;
}

/** `Authorization` header for a user, signed like a real login (fast: no password hashing). */
export async function authHeader(app: FastifyInstance, user: Pick<UserRow, 'id'>): Promise<{ authorization: string }> {
  const current = await app.db.selectFrom('users').select(['id', 'token_version']).where('id', '=', user.id).executeTakeFirstOrThrow();
  return { authorization: `Bearer ${signAccess(app, current)}` };
}

/** A user of each type with their auth headers: the usual cast of a permission test. */
export async function cast(app: FastifyInstance) {
  const staff = await makeUser(app.db, { user_type: 'staff' });
  const provider = await makeUser(app.db, { user_type: 'provider' });
  const patient = await makeUser(app.db, { user_type: 'patient' });
  return {
    staff: { user: staff, headers: await authHeader(app, staff) },
    provider: { user: provider, headers: await authHeader(app, provider) },
    patient: { user: patient, headers: await authHeader(app, patient) },
  };
}
