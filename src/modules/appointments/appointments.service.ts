import type { Database } from '../../db/connect.js';
import { ConflictError, FieldErrorCollector, ForbiddenError, NotFoundError, SlotUnavailableError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, changedFields, recordAudit, recordRead } from '../audit/audit.service.js';
import { canonicalInstant } from '../slots/instants.js';
import {
  type CreateBody,
  checkActorMayBook,
  checkPatientBooking,
  mapBookingRace,
  OPEN_SLOT_TIME,
  resolveTarget,
  type SlotCheck,
  type Target,
} from './appointments.checks.js';
import {
  type AppointmentRow,
  type AppointmentScope,
  cancelIfLive,
  claimSlot,
  findAppointment,
  freeSlot,
  insertAppointment,
  updateAppointmentIf,
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

export const CHANGED_CONCURRENTLY = 'This appointment was changed at the same time by another request; reload it and try again.';
export const CANCELLED_IS_FINAL = 'A cancelled appointment cannot be changed; book a new one.';

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

/**
 * GET of one appointment, audited: a read of the caller's own, or a denied attempt at anyone
 * else's (kept in the trail under that appointment's patient; the caller only sees 404).
 */
export async function readAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, id: number): Promise<AppointmentRow> {
  try {
    const appointment = await visibleAppointment(db, actor, id);
    await recordRead(db, ctx, { action: 'read', resourceType: 'appointment', ids: [id], patientIds: [appointment.patient] });
    return appointment;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const target = await findAppointment(db, id);
    await recordAudit(db, ctx, {
      action: 'read',
      resourceType: 'appointment',
      resourceId: id,
      patientId: target?.patient ?? null,
      outcome: 'denied',
      details: { ids: [] },
    });
    throw err;
  }
}

export async function createAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, body: CreateBody) {
  checkActorMayBook(actor, body.patient, body.provider);
  const errors = new FieldErrorCollector();
  const status = body.status ?? 'scheduled';
  checkPatientBooking(errors, actor, body, status);
  if (status === 'cancelled') errors.add('status', 'An appointment cannot be created cancelled.');
  const cents = parseAmount(errors, 'estimated_amount', body.estimated_amount);
  const now = new Date().toISOString();
  const target = {
    patient: body.patient,
    provider: body.provider,
    appointment_slot: body.appointment_slot ?? null,
    dateandtime: undefined,
  };
  const { slot, dateandtime } = await resolveTarget(db, errors, target, body.dateandtime, 'claim', now, true);
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
 * PUT and PATCH (staff any, a provider their own). A cancelled appointment is final. Cancelling
 * frees the slot; another slot is claimed and the old one freed in one transaction. Every update
 * is conditional on the status and slot it was validated against (see updateAppointmentIf): a
 * concurrent move or cancel makes it a 409, and the rollback releases the slot it claimed. The old
 * slot is freed only after that update succeeded, so only the request that really moved the
 * appointment off it frees it.
 */
export async function changeAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, id: number, body: AppointmentWrite) {
  const existing = await visibleAppointment(db, actor, id);
  if (existing.status === 'cancelled') throw new ConflictError(CANCELLED_IS_FINAL);
  const errors = new FieldErrorCollector();
  const target: Target = {
    patient: body.patient ?? existing.patient,
    provider: body.provider ?? existing.provider,
    appointment_slot: body.appointment_slot !== undefined ? body.appointment_slot : existing.appointment_slot,
    dateandtime: existing.dateandtime,
  };
  checkActorMayBook(actor, target.patient, target.provider);
  const status = body.status ?? existing.status;
  const willBeLive = status !== 'cancelled';
  const slotChanged = target.appointment_slot !== existing.appointment_slot;
  if (!willBeLive && slotChanged) errors.add('appointment_slot', 'Cancel an appointment without moving it; it keeps its slot as history.');
  const needClaim = willBeLive && target.appointment_slot !== null && slotChanged;
  const needFree = existing.appointment_slot !== null && (slotChanged || !willBeLive);
  const cents =
    body.estimated_amount !== undefined ? parseAmount(errors, 'estimated_amount', body.estimated_amount) : existing.estimated_amount_cents;
  const now = new Date().toISOString();
  const slotCheck: SlotCheck = needClaim
    ? 'claim'
    : willBeLive && target.appointment_slot !== null && target.provider !== existing.provider
      ? 'held'
      : 'none';
  // A new slotless time (or provider) must not be an open slot's; leaving a slot for a slotless
  // booking at its own time would also free that slot under the appointment.
  const slotless = target.appointment_slot === null && willBeLive;
  const sentTime = body.dateandtime !== undefined ? canonicalInstant(body.dateandtime, 'dateandtime') : existing.dateandtime;
  const newSlotlessTime =
    slotless && (existing.appointment_slot !== null || target.provider !== existing.provider || sentTime !== existing.dateandtime);
  if (slotless && existing.appointment_slot !== null && target.provider === existing.provider && sentTime === existing.dateandtime)
    errors.add('dateandtime', OPEN_SLOT_TIME);
  const { slot, dateandtime } = await resolveTarget(db, errors, target, body.dateandtime, slotCheck, now, newSlotlessTime);
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
      if (needClaim && slot && !(await claimSlot(trx, slot, now))) throw new SlotUnavailableError();
      const updated = await updateAppointmentIf(trx, id, existing, { ...resolved, updated_at: now });
      if (!updated) throw new ConflictError(CHANGED_CONCURRENTLY);
      if (needFree && existing.appointment_slot !== null) await freeSlot(trx, existing.appointment_slot, now);
      await recordAudit(trx, ctx, {
        action: willBeLive ? 'update' : 'cancel',
        resourceType: 'appointment',
        resourceId: id,
        patientId: updated.patient,
        // Moved to another patient: the one it was taken from must find this event too.
        patients: [existing.patient],
        details: { fields: changed, slot_freed: needFree ? existing.appointment_slot : null, slot_claimed: needClaim ? slot?.id : null },
      });
      return updated;
    });
  } catch (err) {
    mapBookingRace(err);
  }
}

/**
 * DELETE cancels: the record is kept (medical history), the slot is freed. Idempotent: an
 * appointment already cancelled (before, or by a concurrent request) answers 204 again. One moved
 * meanwhile is a 409: the slot it was read on is not the one to free.
 */
export async function cancelAppointment(db: Database, ctx: AuditContext, actor: CurrentUser, id: number): Promise<void> {
  const existing = await visibleAppointment(db, actor, id);
  const now = new Date().toISOString();
  if (actor.user_type === 'patient' && existing.dateandtime <= now) {
    throw new ForbiddenError(
      'Appointments that have already started or passed cannot be cancelled by the patient; please contact the clinic.',
    );
  }
  if (existing.status === 'cancelled') return;
  const done = await db.transaction().execute(async (trx) => {
    const cancelled = await cancelIfLive(trx, id, existing.appointment_slot, now);
    if (!cancelled) return false;
    if (cancelled.appointment_slot !== null) await freeSlot(trx, cancelled.appointment_slot, now);
    await recordAudit(trx, ctx, {
      action: 'cancel',
      resourceType: 'appointment',
      resourceId: id,
      patientId: cancelled.patient,
      details: { fields: ['status'], slot_freed: cancelled.appointment_slot },
    });
    return true;
  });
  if (done) return;
  const current = await findAppointment(db, id);
  if (current?.status !== 'cancelled') throw new ConflictError(CHANGED_CONCURRENTLY);
}
