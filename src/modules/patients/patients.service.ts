import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, changedFields, recordAudit, recordRead } from '../audit/audit.service.js';
import { referencedMessage } from '../common/references.js';
import {
  deletePatientRow,
  findPatientById,
  insertPatient,
  listPatients,
  type PatientListFilter,
  type PatientRow,
  patientColumns,
  patientReferences,
  updatePatient,
} from './patients.repository.js';
import { MIN_DATE_OF_BIRTH, type PatientWrite } from './patients.schemas.js';

type Fields = Omit<PatientRow, 'id' | 'created_at' | 'updated_at'>;

/** Optional fields and the value an omitted one takes on create and PUT. */
const DEFAULTS = {
  middle_name: '',
  preferred_name: '',
  email: '',
  ethnicity: '',
  race: '',
  language: '',
  address_line2: '',
} as const;

/** The writable fields: every column but the id and the timestamps. */
const FIELD_NAMES = patientColumns.filter(
  (c): c is Exclude<(typeof patientColumns)[number], 'id' | 'created_at' | 'updated_at'> =>
    c !== 'id' && c !== 'created_at' && c !== 'updated_at',
);

/** The API shape of a patient (the row already is; this keeps the mapping in one place). */
export function presentPatient(p: PatientRow) {
  return { ...p };
}

/**
 * The latest date it is anywhere on Earth (UTC+14), as YYYY-MM-DD: a newborn registered early in
 * the morning east of UTC is born "today" there, which may still be tomorrow in UTC.
 */
export function latestToday(now = new Date()): string {
  return new Date(now.getTime() + 14 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The schema has checked the format and that it is a real calendar date; this checks the range. */
function checkDateOfBirth(date: string): void {
  if (date > latestToday()) throw ValidationError.field('date_of_birth', 'Date of birth cannot be in the future.');
  if (date < MIN_DATE_OF_BIRTH) throw ValidationError.field('date_of_birth', `Date of birth cannot be before ${MIN_DATE_OF_BIRTH}.`);
}

function resolve(body: PatientWrite, base: Fields): Fields {
  const out = { ...base };
  for (const name of FIELD_NAMES) {
    const value = body[name];
    if (value !== undefined) (out as Record<string, string>)[name] = value;
  }
  return out;
}

/**
 * Which patients a caller may read: staff and providers all of them, a patient user only the
 * record their account is linked to (none if, against the database's check, it has no link).
 */
function scopeFor(user: CurrentUser): Pick<PatientListFilter, 'onlyId'> {
  if (user.user_type === 'patient') return { onlyId: user.linked_patient ?? 0 };
  return {};
}

export async function listVisiblePatients(
  db: Database,
  ctx: AuditContext,
  user: CurrentUser,
  filter: Omit<PatientListFilter, 'onlyId'>,
): Promise<{ count: number; rows: PatientRow[] }> {
  const result = await listPatients(db, { ...filter, ...scopeFor(user) });
  // Reading PHI is itself an auditable event: which records were shown, never their contents.
  const ids = result.rows.map((r) => r.id);
  await recordRead(db, ctx, { action: 'list', resourceType: 'patient', ids, patientIds: ids });
  return result;
}

export async function getVisiblePatient(db: Database, ctx: AuditContext, user: CurrentUser, id: number): Promise<PatientRow> {
  const scope = scopeFor(user);
  if (scope.onlyId !== undefined && scope.onlyId !== id) {
    // A patient asking for someone else's record: "not found" whether or not it exists, and kept
    // in the trail as a denied attempt.
    await recordAudit(db, ctx, {
      action: 'read',
      resourceType: 'patient',
      resourceId: id,
      patientId: id,
      outcome: 'denied',
      details: { ids: [] },
    });
    throw new NotFoundError();
  }
  const row = await findPatientById(db, id);
  if (!row) throw new NotFoundError();
  await recordRead(db, ctx, { action: 'read', resourceType: 'patient', ids: [id], patientIds: [id] });
  return row;
}

export async function createPatient(db: Database, ctx: AuditContext, body: PatientWrite): Promise<PatientRow> {
  const fields = resolve(body, { ...DEFAULTS } as Fields);
  // The validator has filled in defaults, so the body's keys would name every field: the audit
  // keeps the names of those actually given a value.
  const set = FIELD_NAMES.filter((k) => fields[k] !== '');
  checkDateOfBirth(fields.date_of_birth);
  const now = new Date().toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await insertPatient(trx, { ...fields, created_at: now, updated_at: now });
    await recordAudit(trx, ctx, {
      action: 'create',
      resourceType: 'patient',
      resourceId: row.id,
      patientId: row.id,
      details: { fields: [...set].sort() },
    });
    return row;
  });
}

/**
 * PUT must carry every required field, PATCH any; in both, fields left out keep their values,
 * as in Django REST Framework (its clients send PUT without the optional fields).
 */
export async function changePatient(db: Database, ctx: AuditContext, id: number, body: PatientWrite): Promise<PatientRow> {
  const existing = await findPatientById(db, id);
  if (!existing) throw new NotFoundError();
  const fields = resolve(body, existing);
  if (body.date_of_birth !== undefined) checkDateOfBirth(fields.date_of_birth);
  const changed = changedFields(existing, fields);
  return db.transaction().execute(async (trx) => {
    const row = await updatePatient(trx, id, { ...fields, updated_at: new Date().toISOString() });
    if (!row) throw new NotFoundError();
    await recordAudit(trx, ctx, { action: 'update', resourceType: 'patient', resourceId: id, patientId: id, details: { fields: changed } });
    return row;
  });
}

async function referencedConflict(db: Database, id: number): Promise<ConflictError | null> {
  const message = referencedMessage('patient', await patientReferences(db, id));
  return message ? new ConflictError(message) : null;
}

/**
 * Deleting a patient that a user account or appointments (any status: cancelled ones are medical
 * history too) point at is refused with a 409 naming them. The count gives the message; the
 * restricting foreign keys are the guarantee when a reference appears between count and delete.
 */
export async function deletePatient(db: Database, ctx: AuditContext, id: number): Promise<void> {
  if (!(await findPatientById(db, id))) throw new NotFoundError();
  const conflict = await referencedConflict(db, id);
  if (conflict) throw conflict;
  try {
    await db.transaction().execute(async (trx) => {
      if ((await deletePatientRow(trx, id)) === 0) throw new NotFoundError();
      await recordAudit(trx, ctx, { action: 'delete', resourceType: 'patient', resourceId: id, patientId: id, details: { fields: [] } });
    });
  } catch (err) {
    if (constraintViolation(err)?.kind !== 'foreign_key') throw err;
    throw (await referencedConflict(db, id)) ?? new ConflictError('Cannot delete this patient: other records reference it.');
  }
}
