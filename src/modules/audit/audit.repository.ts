import { type Selectable, type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import type { AuditEventsTable } from '../../db/schema.js';
import { MAX_ID } from '../../http/schemas.js';
import { instantRange } from '../slots/instants.js';
import type { AuditListFilter } from './audit.schemas.js';

export type AuditRow = Selectable<AuditEventsTable>;

export async function findAuditEvent(db: Database, id: number) {
  return db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The patient id a `resource_id` names, when it is one written the way events write ids and
 * within the ids a patient can have (a larger one would be a database error on PostgreSQL's
 * 32-bit column, not "no such events").
 */
export function patientIdOf(resourceId: string | number | null | undefined): number | null {
  if (resourceId == null) return null;
  const text = String(resourceId);
  if (!/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ID ? id : null;
}

/** The events a filter selects; exported so a test can check its query plan. */
export function auditListQuery(db: Database, f: AuditListFilter) {
  let q = db.selectFrom('audit_events');
  if (f.user !== undefined) q = q.where('user_id', '=', f.user);
  // Every event that concerns the patient, list reads that showed them among others included.
  if (f.patient !== undefined) {
    const patient = f.patient;
    q = q.where('id', 'in', (eb) => eb.selectFrom('audit_event_patients').select('event_id').where('patient_id', '=', patient));
  }
  // Patient records are left out of the resource index (migration 2026120415): their events
  // are found through the patient links, which every event on patient record N has.
  const patientRecord = f.resource_type === 'patient' ? patientIdOf(f.resource_id) : null;
  if (patientRecord !== null) {
    q = q.where('id', 'in', (eb) => eb.selectFrom('audit_event_patients').select('event_id').where('patient_id', '=', patientRecord));
  }
  if (f.resource_type !== undefined) q = q.where('resource_type', '=', f.resource_type);
  // Implied by any other type, but SQLite uses a partial index only when the query states its
  // condition word for word (a literal, not a bound parameter).
  if (f.resource_type !== undefined && f.resource_type !== 'patient') q = q.where(sql<SqlBool>`resource_type <> 'patient'`);
  if (f.resource_id !== undefined) q = q.where('resource_id', '=', f.resource_id);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
  // `start` inclusive, `end` inclusive (a date: the whole UTC day); a bad value is a 400 on it.
  // Timestamps are ISO-8601 UTC strings of one fixed format, so text comparison orders them.
  const { from, to, toExclusive } = instantRange(f.start, f.end);
  if (from) q = q.where('created_at', '>=', from);
  if (to) q = q.where('created_at', toExclusive ? '<' : '<=', to);
  return q;
}

export async function listAuditEvents(db: Database, f: AuditListFilter, limit: number, offset: number) {
  const q = auditListQuery(db, f);
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll()
    .orderBy('id', f.ordering === 'id' ? 'asc' : 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return { count: Number(countRow.count), rows };
}
