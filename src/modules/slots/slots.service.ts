import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { ConflictError, FieldErrorCollector, NotFoundError, ValidationError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, changedFields, recordAudit } from '../audit/audit.service.js';
import { canonicalInstant } from './instants.js';
import {
  appointmentsOfSlot,
  clinicianExists,
  deleteSlot,
  findSlot,
  insertSlot,
  type SlotRow,
  slotExistsAt,
  updateSlot,
  updateSlotIfUnbooked,
} from './slots.repository.js';
import type { SlotWrite } from './slots.schemas.js';
import { canonicalTimeZone, type Weekday, weekdayIn } from './timezones.js';

export const UNIQUE_SLOT_MESSAGE = 'The fields provider, dateandtime must make a unique set.';

export function presentSlot(s: SlotRow) {
  return { ...s };
}

/** The clinician a provider caller acts as; undefined for staff (who see every slot). */
export function ownClinician(actor: CurrentUser): number | undefined {
  return actor.user_type === 'provider' ? (actor.linked_clinician ?? -1) : undefined;
}

/** A slot the caller may see: a provider's other providers' slots do not exist for them. */
export async function visibleSlot(db: Database, actor: CurrentUser, id: number): Promise<SlotRow> {
  const slot = await findSlot(db, id);
  const own = ownClinician(actor);
  if (!slot || (own !== undefined && slot.provider !== own)) throw new NotFoundError();
  return slot;
}

export function checkTimeZone(errors: FieldErrorCollector, value: string): string {
  const tz = canonicalTimeZone(value.trim());
  if (!tz) errors.add('timezone', `"${value}" is not a valid IANA time zone (e.g. America/New_York, Europe/Berlin, UTC).`);
  return tz ?? 'UTC';
}

/** `day` is the weekday of the instant in the slot's own zone; a contradicting one is refused. */
function resolveDay(errors: FieldErrorCollector, dateandtime: string, timezone: string, sent: Weekday | undefined): Weekday {
  const derived = weekdayIn(new Date(dateandtime), timezone);
  if (sent !== undefined && sent !== derived) {
    errors.add('day', `Does not match dateandtime: ${dateandtime} is a ${derived} in ${timezone}.`);
  }
  return derived;
}

/** Which provider a write is for: a provider's slots are always their own. */
function resolveProvider(errors: FieldErrorCollector, actor: CurrentUser, sent: number | undefined, fallback?: number): number {
  const own = ownClinician(actor);
  if (own !== undefined) return own;
  if (sent === undefined && fallback === undefined) errors.add('provider', 'This field is required.');
  return sent ?? fallback ?? 0;
}

export async function checkProviderExists(db: Database, errors: FieldErrorCollector, provider: number): Promise<void> {
  if (errors.empty && !(await clinicianExists(db, provider))) errors.add('provider', `Invalid pk "${provider}" - object does not exist.`);
}

function mapSlotWriteRace(err: unknown): never {
  const v = constraintViolation(err);
  if (v?.kind === 'unique') throw ValidationError.field('non_field_errors', UNIQUE_SLOT_MESSAGE);
  if (v?.kind === 'foreign_key') throw ValidationError.field('provider', 'The provider does not exist.');
  throw err;
}

export async function createSlot(db: Database, ctx: AuditContext, actor: CurrentUser, body: SlotWrite & { dateandtime: string }) {
  const errors = new FieldErrorCollector();
  const provider = resolveProvider(errors, actor, body.provider);
  const timezone = checkTimeZone(errors, body.timezone ?? 'UTC');
  const dateandtime = canonicalInstant(body.dateandtime, 'dateandtime');
  const day = resolveDay(errors, dateandtime, timezone, body.day);
  await checkProviderExists(db, errors, provider);
  errors.throwIfAny();
  if (await slotExistsAt(db, provider, dateandtime)) throw ValidationError.field('non_field_errors', UNIQUE_SLOT_MESSAGE);
  const now = new Date().toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      const slot = await insertSlot(trx, {
        provider,
        timezone,
        dateandtime,
        day,
        is_available: body.is_available ?? true,
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, ctx, {
        action: 'create',
        resourceType: 'appointment_slot',
        resourceId: slot.id,
        details: { fields: Object.keys(body).sort() },
      });
      return slot;
    });
  } catch (err) {
    mapSlotWriteRace(err);
  }
}

function bookedConflict(appointmentId: number): ConflictError {
  return new ConflictError(
    `This slot has a live booking (appointment ${appointmentId}); it cannot be moved, made available or deleted. Cancel or move the appointment first.`,
  );
}

/**
 * PUT and PATCH. As in DRF, PUT differs only in what its schema requires: an optional field it
 * omits keeps its value (resetting is_available on a booked slot would be a surprise 409).
 * Moving a booked slot, or making it available, is a 409.
 */
export async function changeSlot(db: Database, ctx: AuditContext, actor: CurrentUser, id: number, body: SlotWrite) {
  const existing = await visibleSlot(db, actor, id);
  const errors = new FieldErrorCollector();
  const provider = resolveProvider(errors, actor, body.provider, existing.provider);
  const timezone = checkTimeZone(errors, body.timezone ?? existing.timezone);
  const dateandtime = body.dateandtime !== undefined ? canonicalInstant(body.dateandtime, 'dateandtime') : existing.dateandtime;
  const day = resolveDay(errors, dateandtime, timezone, body.day);
  if (provider !== existing.provider) await checkProviderExists(db, errors, provider);
  errors.throwIfAny();
  const is_available = body.is_available ?? existing.is_available;
  if ((provider !== existing.provider || dateandtime !== existing.dateandtime) && (await slotExistsAt(db, provider, dateandtime, id))) {
    throw ValidationError.field('non_field_errors', UNIQUE_SLOT_MESSAGE);
  }
  const resolved = { provider, timezone, dateandtime, day, is_available };
  const changed = changedFields({ ...existing }, resolved);
  // Moving the slot, or making it available again, must not happen under a live booking.
  const guarded = provider !== existing.provider || dateandtime !== existing.dateandtime || (is_available && !existing.is_available);
  try {
    return await db.transaction().execute(async (trx) => {
      const changes = { ...resolved, updated_at: new Date().toISOString() };
      const slot = guarded ? await updateSlotIfUnbooked(trx, id, changes) : await updateSlot(trx, id, changes);
      if (guarded) {
        // Re-read after the write: the row is ours now, so a booking that committed between the
        // statement's snapshot and our lock shows here (PostgreSQL READ COMMITTED), and one that
        // comes later waits for us and then fails its own conditional claim.
        const live = (await appointmentsOfSlot(trx, id)).find((a) => a.status !== 'cancelled');
        if (live) throw bookedConflict(live.id);
      }
      if (!slot) throw new NotFoundError();
      await recordAudit(trx, ctx, { action: 'update', resourceType: 'appointment_slot', resourceId: id, details: { fields: changed } });
      return slot;
    });
  } catch (err) {
    mapSlotWriteRace(err);
  }
}

/** A slot any appointment references (even a cancelled one, kept as history) is not deleted. */
export async function removeSlot(db: Database, ctx: AuditContext, actor: CurrentUser, id: number): Promise<void> {
  await visibleSlot(db, actor, id);
  const refs = await appointmentsOfSlot(db, id);
  const live = refs.find((a) => a.status !== 'cancelled');
  if (live) throw bookedConflict(live.id);
  if (refs.length > 0) throw referencedConflict(refs.map((a) => a.id));
  try {
    await db.transaction().execute(async (trx) => {
      if (!(await deleteSlot(trx, id))) throw new NotFoundError();
      await recordAudit(trx, ctx, { action: 'delete', resourceType: 'appointment_slot', resourceId: id, details: { fields: [] } });
    });
  } catch (err) {
    // An appointment inserted after our check: the foreign key refuses the delete.
    if (constraintViolation(err)?.kind === 'foreign_key') throw referencedConflict((await appointmentsOfSlot(db, id)).map((a) => a.id));
    throw err;
  }
}

function referencedConflict(ids: number[]): ConflictError {
  return new ConflictError(
    `This slot cannot be deleted: it is referenced by appointment${ids.length === 1 ? '' : 's'} ${ids.join(', ')} (appointments are kept as medical history). Mark it unavailable instead.`,
  );
}
