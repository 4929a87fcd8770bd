import { type Expression, type Insertable, type SqlBool, sql, type Updateable } from 'kysely';
import type { Database } from '../../db/connect.js';
import { likePattern } from '../../db/portable.js';
import type { PatientsTable } from '../../db/schema.js';
import type { ReferenceCount } from '../common/references.js';
import type { GENDER_IDENTITIES, SEXES } from './patients.schemas.js';

export type PatientRow = Omit<PatientsTable, 'id' | 'sex' | 'gender_identity'> & {
  id: number;
  sex: (typeof SEXES)[number];
  gender_identity: (typeof GENDER_IDENTITIES)[number];
};

export const patientColumns = [
  'id',
  'first_name',
  'middle_name',
  'last_name',
  'preferred_name',
  'date_of_birth',
  'sex',
  'gender_identity',
  'email',
  'phone_number',
  'ethnicity',
  'race',
  'language',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'zip_code',
  'created_at',
  'updated_at',
] as const;

const toRow = (raw: unknown) => raw as PatientRow;

export async function findPatientById(db: Database, id: number): Promise<PatientRow | undefined> {
  const row = await db.selectFrom('patients').select(patientColumns).where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function insertPatient(db: Database, values: Insertable<PatientsTable>): Promise<PatientRow> {
  return toRow(await db.insertInto('patients').values(values).returning(patientColumns).executeTakeFirstOrThrow());
}

export async function updatePatient(db: Database, id: number, changes: Updateable<PatientsTable>): Promise<PatientRow | undefined> {
  const row = await db.updateTable('patients').set(changes).where('id', '=', id).returning(patientColumns).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Rows deleted: 0 when the patient was already gone. */
export async function deletePatientRow(db: Database, id: number): Promise<number> {
  const result = await db.deleteFrom('patients').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Everything that points at a patient through a restricting foreign key. */
export async function patientReferences(db: Database, id: number): Promise<ReferenceCount[]> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).where('linked_patient', '=', id).as('users'),
      eb.selectFrom('appointments').select(eb.fn.countAll<number>().as('n')).where('patient', '=', id).as('appointments'),
    ])
    .executeTakeFirstOrThrow();
  return [
    { singular: 'user account', plural: 'user accounts', count: Number(row.users) },
    { singular: 'appointment', plural: 'appointments', count: Number(row.appointments) },
  ];
}

export interface PatientListFilter {
  /** Restricts the list to one patient (a patient user sees only their own record). */
  onlyId?: number;
  search?: string;
  sex?: string;
  gender_identity?: string;
  date_of_birth?: string;
  ordering?: string;
  limit: number;
  offset: number;
}

/**
 * `?ordering=` field to the sorted expression. Each matches an index of the initial migration
 * ((lower(last_name), id), (date_of_birth, id), …), so a page is an index walk, not a sort.
 */
const ORDER_EXPRESSIONS: Record<string, Expression<unknown>> = {
  last_name: sql`lower(last_name)`,
  first_name: sql`lower(first_name)`,
  date_of_birth: sql`date_of_birth`,
  id: sql`id`,
};

/** One count query and one page query, whatever the filters. */
export async function listPatients(db: Database, f: PatientListFilter): Promise<{ count: number; rows: PatientRow[] }> {
  let q = db.selectFrom('patients');
  if (f.onlyId !== undefined) q = q.where('id', '=', f.onlyId);
  if (f.sex) q = q.where('sex', '=', f.sex);
  if (f.gender_identity) q = q.where('gender_identity', '=', f.gender_identity);
  if (f.date_of_birth) q = q.where('date_of_birth', '=', f.date_of_birth);
  if (f.search) {
    const pattern = likePattern(f.search);
    const contains = (col: string) => sql<SqlBool>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`;
    q = q.where((eb) =>
      eb.or([contains('first_name'), contains('last_name'), contains('preferred_name'), contains('email'), contains('phone_number')]),
    );
  }
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const count = Number(countRow.count);
  // Nothing matched or the page is past the end: the caller answers without a second query.
  if (count === 0 || f.offset >= count) return { count, rows: [] };
  const ordering = f.ordering ?? 'last_name';
  const direction = ordering.startsWith('-') ? 'desc' : 'asc';
  const field = ordering.replace(/^-/, '');
  let rq = q.select(patientColumns).orderBy(ORDER_EXPRESSIONS[field] ?? ORDER_EXPRESSIONS.last_name, direction);
  // The id tie-breaker follows the direction so a descending page walks the same index backwards.
  if (field !== 'id') rq = rq.orderBy('id', direction);
  const rows = await rq.limit(f.limit).offset(f.offset).execute();
  return { count, rows: rows.map(toRow) };
}
