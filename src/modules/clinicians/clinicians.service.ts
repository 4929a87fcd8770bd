import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { ConflictError, FieldErrorCollector, NotFoundError, ValidationError } from '../../errors.js';
import { type AuditContext, changedFields, recordAudit } from '../audit/audit.service.js';
import { referencedMessage } from '../common/references.js';
import {
  type ClinicianRow,
  clinicianReferences,
  deleteClinicianRow,
  emailidTaken,
  findClinicianById,
  insertClinician,
  normaliseEmailid,
  updateClinician,
} from './clinicians.repository.js';
import type { ClinicianWrite } from './clinicians.schemas.js';
import { npiProblem } from './npi.js';

const EMAILID_TAKEN = 'clinician user with this emailid already exists.';

type Fields = Omit<ClinicianRow, 'id' | 'created_at' | 'updated_at'>;

/** Optional fields and the value an omitted one takes on create and PUT. */
const DEFAULTS = { contactnumber: '', npi: '', location: '', language: '', supervising_clinician: 'none' } as const;

/** The API shape of a clinician (the row already is; this keeps the mapping in one place). */
export function presentClinician(c: ClinicianRow) {
  return { ...c };
}

async function check(db: Database, f: Fields, exceptId?: number): Promise<void> {
  const errors = new FieldErrorCollector();
  const npi = npiProblem(f.npi);
  if (npi) errors.add('npi', npi);
  if (await emailidTaken(db, f.emailid, exceptId)) errors.add('emailid', EMAILID_TAKEN);
  errors.throwIfAny();
}

/** The check above can race another write: the unique index on lower(emailid) decides. */
function mapWriteError(err: unknown): never {
  const v = constraintViolation(err);
  if (v?.kind === 'unique' && v.detail.includes('emailid')) throw ValidationError.field('emailid', EMAILID_TAKEN);
  throw err;
}

/**
 * The fields a create set to something other than their default. The validator has already filled
 * in defaults, so the body's keys would name every field. `role` has no default: always set.
 */
function setFields(blank: Fields, fields: Fields): string[] {
  return (Object.keys(fields) as (keyof Fields)[]).filter((k) => k === 'role' || fields[k] !== blank[k]).sort();
}

function resolve(body: ClinicianWrite, base: Fields): Fields {
  return {
    firstname: body.firstname ?? base.firstname,
    lastname: body.lastname ?? base.lastname,
    role: body.role ?? base.role,
    emailid: normaliseEmailid(body.emailid ?? base.emailid),
    contactnumber: body.contactnumber ?? base.contactnumber,
    npi: body.npi ?? base.npi,
    location: body.location ?? base.location,
    language: body.language ?? base.language,
    supervising_clinician: body.supervising_clinician ?? base.supervising_clinician,
  };
}

export async function createClinician(db: Database, ctx: AuditContext, body: ClinicianWrite): Promise<ClinicianRow> {
  const blank: Fields = { ...DEFAULTS, firstname: '', lastname: '', role: 'physicians', emailid: '' };
  const fields = resolve(body, blank);
  await check(db, fields);
  const now = new Date().toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await insertClinician(trx, { ...fields, created_at: now, updated_at: now });
      await recordAudit(trx, ctx, {
        action: 'create',
        resourceType: 'clinician',
        resourceId: row.id,
        details: { fields: setFields(blank, fields) },
      });
      return row;
    });
  } catch (err) {
    mapWriteError(err);
  }
}

/**
 * PUT must carry every required field, PATCH any; in both, fields left out keep their values,
 * as in Django REST Framework.
 */
export async function changeClinician(db: Database, ctx: AuditContext, id: number, body: ClinicianWrite): Promise<ClinicianRow> {
  const existing = await findClinicianById(db, id);
  if (!existing) throw new NotFoundError();
  const fields = resolve(body, existing);
  await check(db, fields, id);
  const changed = changedFields(existing, fields);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await updateClinician(trx, id, { ...fields, updated_at: new Date().toISOString() });
      if (!row) throw new NotFoundError();
      await recordAudit(trx, ctx, { action: 'update', resourceType: 'clinician', resourceId: id, details: { fields: changed } });
      return row;
    });
  } catch (err) {
    mapWriteError(err);
  }
}

async function referencedConflict(db: Database, id: number): Promise<ConflictError | null> {
  const message = referencedMessage('clinician', await clinicianReferences(db, id));
  return message ? new ConflictError(message) : null;
}

/**
 * Deleting a clinician that user accounts, slots or appointments point at is refused with a 409
 * naming them. The count gives the message; the restricting foreign keys are the guarantee when a
 * reference appears between the count and the delete.
 */
export async function deleteClinician(db: Database, ctx: AuditContext, id: number): Promise<void> {
  if (!(await findClinicianById(db, id))) throw new NotFoundError();
  const conflict = await referencedConflict(db, id);
  if (conflict) throw conflict;
  try {
    await db.transaction().execute(async (trx) => {
      if ((await deleteClinicianRow(trx, id)) === 0) throw new NotFoundError();
      await recordAudit(trx, ctx, { action: 'delete', resourceType: 'clinician', resourceId: id, details: { fields: [] } });
    });
  } catch (err) {
    if (constraintViolation(err)?.kind !== 'foreign_key') throw err;
    throw (await referencedConflict(db, id)) ?? new ConflictError('Cannot delete this clinician: other records reference it.');
  }
}
