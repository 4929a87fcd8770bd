import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { ConflictError, type FieldErrorCollector, ForbiddenError, SlotUnavailableError, ValidationError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { canonicalInstant } from '../slots/instants.js';
import { clinicianExists, findSlot, openSlotAt } from '../slots/slots.repository.js';
import { patientExists } from './appointments.repository.js';
import type { AppointmentWrite } from './appointments.schemas.js';

/** The checks of a booking before its transaction: who may book, what the target is, and its time. */

export const OPEN_SLOT_TIME = "This time is one of the provider's open slots; book the slot instead.";

/** A patient books only as themselves, a provider only as themselves: refused, not rewritten. */
export function checkActorMayBook(actor: CurrentUser, patient: number, provider: number): void {
  if (actor.user_type === 'patient' && patient !== actor.linked_patient) {
    throw new ForbiddenError('Patients can only book appointments for their own patient record.');
  }
  if (actor.user_type === 'provider' && provider !== actor.linked_clinician) {
    throw new ForbiddenError('Providers can only book appointments with themselves as the provider.');
  }
}

/** The database's partial unique indexes decide double bookings; this names what collided. */
export function mapBookingRace(err: unknown): never {
  const v = constraintViolation(err);
  if (v?.kind === 'unique') {
    if (v.detail.includes('slot')) throw new SlotUnavailableError();
    if (v.detail.includes('provider')) throw new ConflictError('This patient already has an appointment with this provider at this time.');
    throw new ConflictError('This patient already has an appointment at this time.');
  }
  if (v?.kind === 'foreign_key') throw ValidationError.field('non_field_errors', 'A referenced patient, provider or slot does not exist.');
  throw err;
}

export interface Target {
  patient: number;
  provider: number;
  appointment_slot: number | null;
  dateandtime: string | undefined;
}

export type SlotCheck = 'claim' | 'held' | 'none';

/**
 * Checks the records an appointment points at and settles its time: with a slot, the slot's
 * (a sent dateandtime must equal it). `claim`: a slot to be claimed now (must be in the future);
 * `held`: the slot it holds, checked again because the provider changes; `none`: left as it is.
 * Without a slot, `checkOpenSlot` refuses the time of one of the provider's open slots: a slotless
 * booking there would take the slot's time without claiming it.
 */
export async function resolveTarget(
  db: Database,
  errors: FieldErrorCollector,
  t: Target,
  sentTime: string | undefined,
  slotCheck: SlotCheck,
  now: string,
  checkOpenSlot: boolean,
) {
  if (!(await patientExists(db, t.patient))) errors.add('patient', `Invalid pk "${t.patient}" - object does not exist.`);
  if (!(await clinicianExists(db, t.provider))) errors.add('provider', `Invalid pk "${t.provider}" - object does not exist.`);
  const sent = sentTime !== undefined ? canonicalInstant(sentTime, 'dateandtime') : undefined;
  if (t.appointment_slot === null) {
    const dateandtime = sent ?? t.dateandtime;
    if (dateandtime === undefined) errors.add('dateandtime', 'This field is required when no appointment_slot is given.');
    else if (checkOpenSlot && (await openSlotAt(db, t.provider, dateandtime))) errors.add('dateandtime', OPEN_SLOT_TIME);
    return { slot: null, dateandtime: dateandtime ?? '' };
  }
  if (slotCheck === 'none') {
    // The slot it already holds (or held, if cancelled; a freed slot may have moved since).
    if (sent !== undefined && sent !== t.dateandtime)
      errors.add('dateandtime', "Must equal the slot's time; move the appointment to another slot instead.");
    return { slot: null, dateandtime: t.dateandtime ?? '' };
  }
  const slot = await findSlot(db, t.appointment_slot);
  if (!slot) {
    errors.add('appointment_slot', `Invalid pk "${t.appointment_slot}" - object does not exist.`);
    return { slot: null, dateandtime: '' };
  }
  if (slot.provider !== t.provider) errors.add('appointment_slot', 'This slot belongs to another provider.');
  else if (slotCheck === 'claim' && slot.dateandtime <= now) errors.add('appointment_slot', 'This slot is in the past.');
  if (sent !== undefined && sent !== slot.dateandtime) {
    errors.add('dateandtime', `Must equal the slot's time (${slot.dateandtime}), or be left out.`);
  }
  return { slot, dateandtime: slot.dateandtime };
}

export type CreateBody = AppointmentWrite & { patient: number; provider: number };

/**
 * A patient books through the slot system only, and may not set the clinic's fields: a slotless
 * booking would skip the slot's claim, and notes and the amount are the clinic's to write.
 */
export function checkPatientBooking(errors: FieldErrorCollector, actor: CurrentUser, body: CreateBody, status: string): void {
  if (actor.user_type !== 'patient') return;
  if (body.appointment_slot === undefined || body.appointment_slot === null) {
    errors.add('appointment_slot', 'Patients book through an available slot.');
  }
  if (body.notes !== undefined && body.notes !== '') errors.add('notes', 'Patients cannot set this field.');
  if (body.estimated_amount !== undefined && body.estimated_amount !== null)
    errors.add('estimated_amount', 'Patients cannot set this field.');
  if (status !== 'scheduled') errors.add('status', 'Patients can only book appointments with status scheduled.');
}
