import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { ConflictError, FieldErrorCollector, ForbiddenError, NotFoundError, SlotUnavailableError, ValidationError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, changedFields, recordAudit } from '../audit/audit.service.js';
import { canonicalInstant } from '../slots/instants.js';
import { clinicianExists, findSlot } from '../slots/slots.repository.js';
import {
  type AppointmentRow,
  type AppointmentScope,
  cancelIfLive,
  claimSlot,
  findAppointment,
  freeSlot,
  insertAppointment,
  patientExists,
  updateAppointment,
} from './appointments.repository.js';
import type { APPOINTMENT_MODES, APPOINTMENT_STATUSES, APPOINTMENT_TYPES, AppointmentWrite } from './appointments.schemas.js';
import { formatCents, parseAmount } from './money.js';

export function presentAppointment(a: AppointmentRow) {
  const { estimated_amount_cents, ...rest } = a;
  return {
    ...rest,
    // The columns only ever hold values the body schemas allowed.
    appointment_mode: a.appointment_mode as (typeof APPOINTMENT_MODES)[number],
    appointment_type: a.appointment_type as (typeof APPOINTMENT_TYPES)[number],
    status: a.status as (typeof APPOINTMENT_STATUSES)[number],
    estimated_amount: formatCents(estimated_amount_cents),
  };
}

/** Which appointments a caller may see: staff all, a provider or patient only their own. */
export function scopeOf(actor: CurrentUser): AppointmentScope {
  if (actor.user_type === 'provider') return { provider: actor.linked_clinician ?? -1 };
  if (actor.user_type === 'patient') return { patient: actor.linked_patient ?? -1 };
  return {};
}

/** An appointment the caller may see; anyone else's does not exist for them (404). */
export async function visibleAppointment(db: Database, actor: CurrentUser, id: number): Promise<AppointmentRow> {
  const a = await findAppointment(db, id);
  const scope = scopeOf(actor);
  if (
    !a ||
    (scope.patient !== undefined && a.patient !== scope.patient) ||
    (scope.provider !== undefined && a.provider !== scope.provider)
  ) {
    throw new NotFoundError();
  }
  return a;
}

/** A patient books only as themselves, a provider only as themselves: refused, not rewritten. */
function checkActorMayBook(actor: CurrentUser, patient: number, provider: number): void {
  if (actor.user_type === 'patient' && patient !== actor.linked_patient) {
    throw new ForbiddenError('Patients can only book appointments for their own patient record.');
  }
  if (actor.user_type === 'provider' && provider !== actor.linked_clinician) {
    throw new ForbiddenError('Providers can only book appointments with themselves as the provider.');
  }
}

/** The database's partial unique indexes decide double bookings; this names what collided. */
function mapBookingRace(err: unknown): never {
  const v = constraintViolation(err);
  if (v?.kind === 'unique') {
    if (v.detail.includes('slot')) throw new SlotUnavailableError();
    if (v.detail.includes('provider')) throw new ConflictError('This patient already has an appointment with this provider at this time.');
    throw new ConflictError('This patient already has an appointment at this time.');
  }
  if (v?.kind === 'foreign_key') throw ValidationError.field('non_field_errors', 'A referenced patient, provider or slot does not exist.');
  throw err;
}

interface Target {
  patient: number;
  provider: number;
  appointment_slot: number | null;
  dateandtime: string | undefined;
}

/**
 * Checks the records an appointment points at and settles its time: with a slot, the slot's
 * (a sent dateandtime must equal it). `claim`: a slot to be claimed now (must be in the future);
 * `held`: the slot it holds, checked again because the provider changes; `none`: left as it is.
 */
async function resolveTarget(
  db: Database,
  errors: FieldErrorCollector,
  t: Target,
  sentTime: string | undefined,
  slotCheck: 'claim' | 'held' | 'none',
  now: string,
) {
  if (!(await patientExists(db, t.patient))) errors.add('patient', `Invalid pk "${t.patient}" - object does not exist.`);
  if (!(await clinicianExists(db, t.provider))) errors.add('provider', `Invalid pk "${t.provider}" - object does not exist.`);
  const sent = sentTime !== undefined ? canonicalInstant(sentTime, 'dateandtime') : undefined;
  if (t.appointment_slot === null) {
    const dateandtime = sent ?? t.dateandtime;
    if (dateandtime === undefined) errors.add('dateandtime', 'This field is required when no appointment_slot is given.');
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

type CreateBody = AppointmentWrite & { patient: number; provider: number };

export async function createAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, body: CreateBody) {
  checkActorMayBook(actor, body.patient, body.provider);
  const errors = new FieldErrorCollector();
  const status = body.status ?? 'scheduled';
  if (actor.user_type === 'patient' && status !== 'scheduled')
    errors.add('status', 'Patients can only book appointments with status scheduled.');
  else if (status === 'cancelled') errors.add('status', 'An appointment cannot be created cancelled.');
  const cents = parseAmount(errors, 'estimated_amount', body.estimated_amount);
  const now = new Date().toISOString();
  const target = {
    patient: body.patient,
    provider: body.provider,
    appointment_slot: body.appointment_slot ?? null,
    dateandtime: undefined,
  };
  const { slot, dateandtime } = await resolveTarget(db, errors, target, body.dateandtime, 'claim', now);
  // A patient books what is ahead of them; recording past visits is the clinic's job.
  if (actor.user_type === 'patient' && !slot && dateandtime && dateandtime <= now) errors.add('dateandtime', 'Must be in the future.');
  errors.throwIfAny();
  try {
    return await db.transaction().execute(async (trx) => {
      if (slot && !(await claimSlot(trx, slot, now))) throw new SlotUnavailableError();
      const appointment = await insertAppointment(trx, {
        patient: body.patient,
        provider: body.provider,
        appointment_slot: slot?.id ?? null,
        appointment_mode: body.appointment_mode ?? 'in_person',
        appointment_type: body.appointment_type ?? 'consultation',
        estimated_amount_cents: cents ?? null,
        dateandtime,
        reason_for_visit: (body.reason_for_visit ?? '').trim(),
        status,
        notes: body.notes ?? '',
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, ctx, {
        action: 'create',
        resourceType: 'appointment',
        resourceId: appointment.id,
        patientId: appointment.patient,
        details: { fields: Object.keys(body).sort(), slot: slot?.id ?? null },
      });
      return appointment;
    });
  } catch (err) {
    mapBookingRace(err);
  }
}

/**
 * PUT and PATCH (staff any, a provider their own). Cancelling frees the slot; another slot is
 * claimed and the old one freed in one transaction; un-cancelling claims the slot again.
 */
export async function changeAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, id: number, body: AppointmentWrite) {
  const existing = await visibleAppointment(db, actor, id);
  const errors = new FieldErrorCollector();
  const target: Target = {
    patient: body.patient ?? existing.patient,
    provider: body.provider ?? existing.provider,
    appointment_slot: body.appointment_slot !== undefined ? body.appointment_slot : existing.appointment_slot,
    dateandtime: existing.dateandtime,
  };
  checkActorMayBook(actor, target.patient, target.provider);
  const status = body.status ?? existing.status;
  const wasLive = existing.status !== 'cancelled';
  const willBeLive = status !== 'cancelled';
  const slotChanged = target.appointment_slot !== existing.appointment_slot;
  const needClaim = willBeLive && target.appointment_slot !== null && (slotChanged || !wasLive);
  const needFree = wasLive && existing.appointment_slot !== null && (slotChanged || !willBeLive);
  const cents =
    body.estimated_amount !== undefined ? parseAmount(errors, 'estimated_amount', body.estimated_amount) : existing.estimated_amount_cents;
  const now = new Date().toISOString();
  const slotCheck = needClaim
    ? 'claim'
    : willBeLive && target.appointment_slot !== null && target.provider !== existing.provider
      ? 'held'
      : 'none';
  const { slot, dateandtime } = await resolveTarget(db, errors, target, body.dateandtime, slotCheck, now);
  errors.throwIfAny();
  const resolved = {
    patient: target.patient,
    provider: target.provider,
    appointment_slot: target.appointment_slot,
    appointment_mode: body.appointment_mode ?? existing.appointment_mode,
    appointment_type: body.appointment_type ?? existing.appointment_type,
    estimated_amount_cents: cents ?? null,
    dateandtime,
    reason_for_visit: body.reason_for_visit !== undefined ? body.reason_for_visit.trim() : existing.reason_for_visit,
    status,
    notes: body.notes ?? existing.notes,
  };
  // Audit in API field names (estimated_amount, not its storage column).
  const changed = changedFields({ ...existing }, resolved).map((f) => (f === 'estimated_amount_cents' ? 'estimated_amount' : f));
  try {
    return await db.transaction().execute(async (trx) => {
      if (needFree && existing.appointment_slot !== null) await freeSlot(trx, existing.appointment_slot, now);
      if (needClaim && slot && !(await claimSlot(trx, slot, now))) throw new SlotUnavailableError();
      const updated = await updateAppointment(trx, id, { ...resolved, updated_at: now });
      if (!updated) throw new NotFoundError();
      await recordAudit(trx, ctx, {
        action: wasLive && !willBeLive ? 'cancel' : 'update',
        resourceType: 'appointment',
        resourceId: id,
        patientId: updated.patient,
        details: { fields: changed, slot_freed: needFree ? existing.appointment_slot : null, slot_claimed: needClaim ? slot?.id : null },
      });
      return updated;
    });
  } catch (err) {
    mapBookingRace(err);
  }
}

/** DELETE cancels: the record is kept (medical history), the slot is freed. Idempotent. */
export async function cancelAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, id: number): Promise<void> {
  const existing = await visibleAppointment(db, actor, id);
  const now = new Date().toISOString();
  if (actor.user_type === 'patient' && existing.dateandtime <= now) {
    throw new ForbiddenError(
      'Appointments that have already started or passed cannot be cancelled by the patient; please contact the clinic.',
    );
  }
  if (existing.status === 'cancelled') return;
  await db.transaction().execute(async (trx) => {
    const cancelled = await cancelIfLive(trx, id, now);
    if (!cancelled) return; // a concurrent cancel did it
    if (cancelled.appointment_slot !== null) await freeSlot(trx, cancelled.appointment_slot, now);
    await recordAudit(trx, ctx, {
      action: 'cancel',
      resourceType: 'appointment',
      resourceId: id,
      patientId: cancelled.patient,
      details: { fields: ['status'], slot_freed: cancelled.appointment_slot },
    });
  });
}
