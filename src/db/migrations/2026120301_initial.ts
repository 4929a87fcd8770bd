import { type Kysely, sql } from 'kysely';
import { booleanDefault, withIdColumn } from '../portable.js';

/**
 * Every table of the contract. Deletes are restricted everywhere: clinical records are never
 * cascaded away; the service answers 409 naming what still references a record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await withIdColumn(db, db.schema.createTable('patients'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('middle_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('preferred_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('date_of_birth', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('gender_identity', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone_number', 'text', (c) => c.notNull())
    .addColumn('ethnicity', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('race', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address_line1', 'text', (c) => c.notNull())
    .addColumn('address_line2', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('zip_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Search and ordering: prefix searches on lower(name) and ordering by last name / birth date.
  await sql`create index patients_last_name_lower on patients (lower(last_name), id)`.execute(db);
  await sql`create index patients_first_name_lower on patients (lower(first_name))`.execute(db);
  await sql`create index patients_preferred_name_lower on patients (lower(preferred_name))`.execute(db);
  await sql`create index patients_email_lower on patients (lower(email))`.execute(db);
  await sql`create index patients_phone on patients (phone_number)`.execute(db);
  await sql`create index patients_dob on patients (date_of_birth, id)`.execute(db);

  await withIdColumn(db, db.schema.createTable('clinician_users'))
    .addColumn('firstname', 'text', (c) => c.notNull())
    .addColumn('lastname', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('emailid', 'text', (c) => c.notNull())
    .addColumn('contactnumber', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('npi', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('supervising_clinician', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index clinician_users_emailid_unique on clinician_users (lower(emailid))`.execute(db);
  await sql`create index clinician_users_lastname_lower on clinician_users (lower(lastname), id)`.execute(db);
  await sql`create index clinician_users_npi on clinician_users (npi)`.execute(db);

  await withIdColumn(db, db.schema.createTable('users'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('contactnumber', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'boolean', booleanDefault(true))
    .addColumn('user_type', 'text', (c) => c.notNull().defaultTo('staff'))
    .addColumn('linked_patient', 'integer', (c) => c.references('patients.id').onDelete('restrict'))
    .addColumn('linked_clinician', 'integer', (c) => c.references('clinician_users.id').onDelete('restrict'))
    .addColumn('is_superuser', 'boolean', booleanDefault(false))
    .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('date_joined', 'text', (c) => c.notNull())
    .addColumn('last_login', 'text')
    .addColumn('password_changed_at', 'text')
    // The link rules of the contract, enforced by the database as well as by the service.
    .addCheckConstraint('users_user_type_valid', sql`user_type in ('staff', 'provider', 'patient')`)
    .addCheckConstraint(
      'users_links_match_type',
      sql`(user_type = 'staff' and linked_patient is null and linked_clinician is null)
       or (user_type = 'patient' and linked_patient is not null and linked_clinician is null)
       or (user_type = 'provider' and linked_clinician is not null and linked_patient is null)`,
    )
    .execute();
  await sql`create unique index users_email_unique on users (lower(email))`.execute(db);
  await sql`create unique index users_linked_patient_unique on users (linked_patient) where linked_patient is not null`.execute(db);
  await sql`create unique index users_linked_clinician_unique on users (linked_clinician) where linked_clinician is not null`.execute(db);
  await sql`create index users_user_type on users (user_type, id)`.execute(db);
  await sql`create index users_name_lower on users (lower(name))`.execute(db);

  await withIdColumn(db, db.schema.createTable('appointment_slots'))
    .addColumn('provider', 'integer', (c) => c.notNull().references('clinician_users.id').onDelete('restrict'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('dateandtime', 'timestamptz', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('is_available', 'boolean', booleanDefault(true))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('appointment_slots_provider_dateandtime_unique', ['provider', 'dateandtime'])
    .execute();
  // available_slots: one provider's free future slots in time order.
  await sql`create index appointment_slots_available on appointment_slots (provider, is_available, dateandtime)`.execute(db);
  await sql`create index appointment_slots_dateandtime on appointment_slots (dateandtime)`.execute(db);

  await withIdColumn(db, db.schema.createTable('appointments'))
    .addColumn('patient', 'integer', (c) => c.notNull().references('patients.id').onDelete('restrict'))
    .addColumn('provider', 'integer', (c) => c.notNull().references('clinician_users.id').onDelete('restrict'))
    .addColumn('appointment_slot', 'integer', (c) => c.references('appointment_slots.id').onDelete('restrict'))
    .addColumn('appointment_mode', 'text', (c) => c.notNull().defaultTo('in_person'))
    .addColumn('appointment_type', 'text', (c) => c.notNull().defaultTo('consultation'))
    .addColumn('estimated_amount_cents', 'bigint')
    .addColumn('dateandtime', 'timestamptz', (c) => c.notNull())
    .addColumn('reason_for_visit', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('scheduled'))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Live (not cancelled) appointments: one per (patient, provider, time), one per patient at a
  // time, and one per slot. These make double booking impossible even if a service check races.
  await sql`create unique index appointments_live_patient_provider_time on appointments (patient, provider, dateandtime) where status <> 'cancelled'`.execute(
    db,
  );
  await sql`create unique index appointments_live_patient_time on appointments (patient, dateandtime) where status <> 'cancelled'`.execute(
    db,
  );
  await sql`create unique index appointments_live_slot on appointments (appointment_slot) where status <> 'cancelled' and appointment_slot is not null`.execute(
    db,
  );
  await sql`create index appointments_provider_time on appointments (provider, dateandtime)`.execute(db);
  await sql`create index appointments_patient_time on appointments (patient, dateandtime)`.execute(db);
  await sql`create index appointments_status on appointments (status, dateandtime)`.execute(db);

  await withIdColumn(db, db.schema.createTable('refresh_tokens'))
    .addColumn('jti', 'text', (c) => c.notNull().unique())
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('client_ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`create index refresh_tokens_family on refresh_tokens (family_id)`.execute(db);
  await sql`create index refresh_tokens_user on refresh_tokens (user_id, revoked_at)`.execute(db);

  await withIdColumn(db, db.schema.createTable('audit_events'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('user_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('resource_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('patient_id', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('request_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`create index audit_events_user on audit_events (user_id, id)`.execute(db);
  await sql`create index audit_events_patient on audit_events (patient_id, id)`.execute(db);
  await sql`create index audit_events_resource on audit_events (resource_type, resource_id, id)`.execute(db);
  await sql`create index audit_events_created on audit_events (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_events', 'refresh_tokens', 'appointments', 'appointment_slots', 'users', 'clinician_users', 'patients']) {
    await db.schema.dropTable(table).execute();
  }
}
