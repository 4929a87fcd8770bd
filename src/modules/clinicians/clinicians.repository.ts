import { type Expression, type Insertable, type SqlBool, sql, type Updateable } from 'kysely';
import type { Database } from '../../db/connect.js';
import { likePattern } from '../../db/portable.js';
import type { CliniciansTable } from '../../db/schema.js';
import type { ReferenceCount } from '../common/references.js';
import type { CLINICIAN_ROLES, SUPERVISION_LEVELS } from './clinicians.schemas.js';

export type ClinicianRow = {
  id: number;
  firstname: string;
  lastname: string;
  role: (typeof CLINICIAN_ROLES)[number];
  emailid: string;
  contactnumber: string;
  npi: string;
  location: string;
  language: string;
  supervising_clinician: (typeof SUPERVISION_LEVELS)[number];
  created_at: string;
  updated_at: string;
};

const columns = [
  'id',
  'firstname',
  'lastname',
  'role',
  'emailid',
  'contactnumber',
  'npi',
  'location',
  'language',
  'supervising_clinician',
  'created_at',
  'updated_at',
] as const;

const toRow = (raw: unknown) => raw as ClinicianRow;

/** Clinician emails are one identity whatever their case: stored trimmed and lower-cased. */
export function normaliseEmailid(email: string): string {
  return email.trim().toLowerCase();
}

export async function findClinicianById(db: Database, id: number): Promise<ClinicianRow | undefined> {
  const row = await db.selectFrom('clinician_users').select(columns).where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function emailidTaken(db: Database, emailid: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('clinician_users').select('id').where(sql<string>`lower(emailid)`, '=', normaliseEmailid(emailid));
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function insertClinician(db: Database, values: Insertable<CliniciansTable>): Promise<ClinicianRow> {
  return toRow(await db.insertInto('clinician_users').values(values).returning(columns).executeTakeFirstOrThrow());
}

export async function updateClinician(db: Database, id: number, changes: Updateable<CliniciansTable>): Promise<ClinicianRow | undefined> {
  const row = await db.updateTable('clinician_users').set(changes).where('id', '=', id).returning(columns).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Rows deleted: 0 when the clinician was already gone. */
export async function deleteClinicianRow(db: Database, id: number): Promise<number> {
  const result = await db.deleteFrom('clinician_users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Everything that points at a clinician through a restricting foreign key. */
export async function clinicianReferences(db: Database, id: number): Promise<ReferenceCount[]> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).where('linked_clinician', '=', id).as('users'),
      eb.selectFrom('appointment_slots').select(eb.fn.countAll<number>().as('n')).where('provider', '=', id).as('slots'),
      eb.selectFrom('appointments').select(eb.fn.countAll<number>().as('n')).where('provider', '=', id).as('appointments'),
    ])
    .executeTakeFirstOrThrow();
  return [
    { singular: 'user account', plural: 'user accounts', count: Number(row.users) },
    { singular: 'appointment slot', plural: 'appointment slots', count: Number(row.slots) },
    { singular: 'appointment', plural: 'appointments', count: Number(row.appointments) },
  ];
}

export interface ClinicianListFilter {
  /** Only these ids (`?id=3&id=7`). */
  id?: number[];
  search?: string;
  role?: string;
  supervising_clinician?: string;
  ordering?: string;
  limit: number;
  offset: number;
}

/** `?ordering=` field to the expression sorted on; names sort case-insensitively. */
const ORDER_EXPRESSIONS: Record<string, Expression<unknown>> = {
  id: sql`id`,
  lastname: sql`lower(lastname)`,
  firstname: sql`lower(firstname)`,
  role: sql`role`,
  created_at: sql`created_at`,
};

/** One count query and one page query. Default order: lower(lastname), id (the index's order). */
export async function listClinicians(db: Database, f: ClinicianListFilter): Promise<{ count: number; rows: ClinicianRow[] }> {
  let q = db.selectFrom('clinician_users');
  if (f.id && f.id.length > 0) q = q.where('id', 'in', f.id);
  if (f.role) q = q.where('role', '=', f.role);
  if (f.supervising_clinician) q = q.where('supervising_clinician', '=', f.supervising_clinician);
  if (f.search) {
    const pattern = likePattern(f.search);
    const contains = (col: string) => sql<SqlBool>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`;
    q = q.where((eb) => eb.or([contains('firstname'), contains('lastname'), contains('emailid'), contains('npi')]));
  }
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const ordering = f.ordering ?? 'lastname';
  const direction = ordering.startsWith('-') ? 'desc' : 'asc';
  const field = ordering.replace(/^-/, '');
  let rq = q.select(columns).orderBy(ORDER_EXPRESSIONS[field] ?? ORDER_EXPRESSIONS.lastname, direction);
  // The id tie-breaker follows the direction so a descending page walks the same index backwards.
  if (field !== 'id') rq = rq.orderBy('id', direction);
  const rows = await rq.limit(f.limit).offset(f.offset).execute();
  return { count: Number(countRow.count), rows: rows.map(toRow) };
}
