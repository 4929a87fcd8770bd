/** The API's enum values (docs: /work/shared/spec/CONTRACT.md) as SelectInput choices. */
export interface Choice {
  id: string;
  name: string;
}

function choices(values: Record<string, string>): Choice[] {
  return Object.entries(values).map(([id, name]) => ({ id, name }));
}

export const USER_TYPES = choices({ staff: 'Staff', provider: 'Provider', patient: 'Patient' });
export const USER_ROLES = choices({ '': 'None', nurse: 'Nurse', billing_staff: 'Billing staff' });
export const CLINICIAN_ROLES = choices({ physicians: 'Physician', nurses: 'Nurse', surgical_assistants: 'Surgical assistant' });
export const SUPERVISION = choices({ none: 'None', senior: 'Senior clinician', chief: 'Chief clinician' });
export const SEX = choices({ male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' });
export const GENDER_IDENTITY = choices({
  male: 'Male',
  female: 'Female',
  transgender_male: 'Transgender male',
  transgender_female: 'Transgender female',
  non_binary: 'Non-binary',
  gender_fluid: 'Gender fluid',
  other: 'Other',
  prefer_not_to_say: 'Prefer not to say',
});
export const WEEKDAYS = choices({
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
});
export const APPOINTMENT_MODES = choices({ in_person: 'In person', virtual: 'Virtual', phone: 'Phone' });
export const APPOINTMENT_TYPES = choices({
  consultation: 'Consultation',
  follow_up: 'Follow-up',
  emergency: 'Emergency',
  routine_checkup: 'Routine check-up',
  specialist_visit: 'Specialist visit',
  procedure: 'Procedure',
});
export const APPOINTMENT_STATUSES = choices({
  scheduled: 'Scheduled',
  confirmed: 'Confirmed',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No show',
  rescheduled: 'Rescheduled',
});

/** Common IANA zones first; any other valid name can be typed into the API directly. */
export const TIMEZONES: Choice[] = [
  'UTC',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
].map((id) => ({ id, name: id }));
