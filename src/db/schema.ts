import type { Generated } from 'kysely';

/**
 * Table types. Timestamps are ISO-8601 UTC strings on both databases (the PostgreSQL driver is
 * told to hand them back as strings, see connect.ts); booleans come back as 0/1 from SQLite and are
 * normalised with Boolean() at the repository edge.
 */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  email: string;
  password: string;
  contactnumber: string;
  role: string;
  status: boolean | number;
  user_type: string;
  linked_patient: number | null;
  linked_clinician: number | null;
  is_superuser: boolean | number;
  token_version: Generated<number>;
  date_joined: string;
  last_login: string | null;
  password_changed_at: string | null;
}

export interface CliniciansTable {
  id: Generated<number>;
  firstname: string;
  lastname: string;
  role: string;
  emailid: string;
  contactnumber: string;
  npi: string;
  location: string;
  language: string;
  supervising_clinician: string;
  created_at: string;
  updated_at: string;
}

export interface PatientsTable {
  id: Generated<number>;
  first_name: string;
  middle_name: string;
  last_name: string;
  preferred_name: string;
  date_of_birth: string;
  sex: string;
  gender_identity: string;
  email: string;
  phone_number: string;
  ethnicity: string;
  race: string;
  language: string;
  address_line1: string;
  address_line2: string;
  city: string;
  state: string;
  zip_code: string;
  created_at: string;
  updated_at: string;
}

export interface AppointmentSlotsTable {
  id: Generated<number>;
  provider: number;
  timezone: string;
  dateandtime: string;
  day: string;
  is_available: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface AppointmentsTable {
  id: Generated<number>;
  patient: number;
  provider: number;
  appointment_slot: number | null;
  appointment_mode: string;
  appointment_type: string;
  /** Money as integer cents: exact on both databases; the API shows "125.00". */
  estimated_amount_cents: number | null;
  dateandtime: string;
  reason_for_visit: string;
  status: string;
  notes: string;
  created_at: string;
  updated_at: string;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  jti: string;
  family_id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  used_at: string | null;
  revoked_at: string | null;
  client_ip: string;
  user_agent: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  created_at: string;
  user_id: number | null;
  user_type: string;
  action: string;
  resource_type: string;
  resource_id: string;
  patient_id: number | null;
  outcome: string;
  client_ip: string;
  request_id: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface UserMfaTable {
  user_id: number;
  secret_enc: string;
  enabled: boolean | number;
  last_used_step: number;
  created_at: string;
  confirmed_at: string | null;
}

export interface MfaRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface SecuritySettingsTable {
  id: number;
  mfa_required: boolean | number;
  updated_at: string;
  updated_by: number | null;
}

/** Which patients an audit event concerns (migration 2026120410_audit_patients). */
export interface AuditEventPatientsTable {
  patient_id: number;
  event_id: number;
}

/** Exact row counts kept by triggers (see migration 2026120320_row_counts). */
export interface RowCountsTable {
  table_name: string;
  n: number;
  /** Bumped with every change of the rows' order (migration 2026120405_patient_order_version). */
  version: Generated<number>;
}

export interface DB {
  users: UsersTable;
  clinician_users: CliniciansTable;
  patients: PatientsTable;
  appointment_slots: AppointmentSlotsTable;
  appointments: AppointmentsTable;
  refresh_tokens: RefreshTokensTable;
  audit_events: AuditEventsTable;
  row_counts: RowCountsTable;
  audit_event_patients: AuditEventPatientsTable;
  user_mfa: UserMfaTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  security_settings: SecuritySettingsTable;
}
