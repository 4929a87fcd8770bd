import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../portable.js';

/**
 * Fewer indexes written on every audited read. Each event landed in five B-trees; three of them
 * were keyed by a random patient or record id, so every group commit dirtied a random page per
 * event in each (measured on SQLite at 100 000 patients: the commit and insert of the audit
 * group were two thirds of the CPU of `GET /api/patients/{id}/`).
 *
 * - `audit_events_patient` had no reader left: `?patient=` goes through `audit_event_patients`
 *   (migration 2026120410), which lists every patient an event concerns.
 * - `audit_events_resource` now leaves out patient records, the bulk of the trail: an event on
 *   patient N is always linked to N in `audit_event_patients`, and the audit list finds
 *   `?resource_type=patient&resource_id=N` through that link.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function up(db: Kysely<any>): Promise<void> {
  // Events on a patient record have always named the patient, so have their link; one that does
  // not (written by hand, say) gets it here, so the lookup through links misses nothing.
  const patientIdText =
    dialectOf(db) === 'postgres'
      ? sql`e.resource_id ~ '^[1-9][0-9]{0,9}$'`
      : sql`e.resource_id glob '[1-9]*' and e.resource_id not glob '*[^0-9]*' and length(e.resource_id) <= 10`;
  await sql`insert into audit_event_patients (patient_id, event_id)
    select cast(e.resource_id as bigint), e.id from audit_events e
    where e.resource_type = 'patient' and ${patientIdText} and cast(e.resource_id as bigint) <= 2147483647
      and not exists (select 1 from audit_event_patients l where l.event_id = e.id and l.patient_id = cast(e.resource_id as bigint))`.execute(
    db,
  );
  await sql`drop index audit_events_patient`.execute(db);
  await sql`drop index audit_events_resource`.execute(db);
  await sql`create index audit_events_resource on audit_events (resource_type, resource_id, id) where resource_type <> 'patient'`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_events_resource`.execute(db);
  await sql`create index audit_events_resource on audit_events (resource_type, resource_id, id)`.execute(db);
  await sql`create index audit_events_patient on audit_events (patient_id, id)`.execute(db);
}
