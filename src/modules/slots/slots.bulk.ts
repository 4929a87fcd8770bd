import type { Database } from '../../db/connect.js';
import { FieldErrorCollector, ValidationError } from '../../errors.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { insertSlotsSkippingExisting } from './slots.repository.js';
import { BULK_MAX_DAYS, BULK_MAX_SLOTS, type SlotBulk } from './slots.schemas.js';
import { checkProviderExists, checkTimeZone, ownClinician } from './slots.service.js';
import { datesBetween, formatClock, localToInstant, parseClock, type Weekday, weekdayIn, weekdayOfDate } from './timezones.js';

const CLOCK_MESSAGE = 'Time has wrong format. Use one of these formats instead: hh:mm.';

export interface PlannedSlots {
  instants: string[];
  nonexistent: number;
}

/**
 * The instants a recurring rule names, earliest first. Local times in a spring-forward gap do not
 * exist and are counted, not created; a repeated local time (fall-back) is taken once, at its
 * first occurrence. Each slot must end by end_time on the wall clock.
 */
export function planSlots(rule: {
  timezone: string;
  weekdays: readonly Weekday[];
  startMinutes: number;
  endMinutes: number;
  slotMinutes: number;
  startDate: string;
  endDate: string;
}): PlannedSlots {
  const wanted = new Set(rule.weekdays);
  const instants = new Set<string>();
  let nonexistent = 0;
  for (const date of datesBetween(rule.startDate, rule.endDate)) {
    const [y, m, d] = date.split('-').map(Number);
    if (!wanted.has(weekdayOfDate(y, m, d))) continue;
    for (let t = rule.startMinutes; t + rule.slotMinutes <= rule.endMinutes; t += rule.slotMinutes) {
      const instant = localToInstant(date, formatClock(t), rule.timezone);
      if (instant) instants.add(instant.toISOString());
      else nonexistent += 1;
    }
  }
  return { instants: [...instants].sort(), nonexistent };
}

function dayCount(startDate: string, endDate: string): number {
  return Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000) + 1;
}

function tooMany(count: number): ValidationError {
  return ValidationError.field(
    'non_field_errors',
    `This rule gives ${count} slots; at most ${BULK_MAX_SLOTS} may be created per call. Split the date range.`,
  );
}

export async function bulkCreateSlots(db: Database, ctx: AuditContext, actor: CurrentUser, body: SlotBulk) {
  const errors = new FieldErrorCollector();
  const own = ownClinician(actor);
  const provider = own ?? body.provider;
  if (provider === undefined) errors.add('provider', 'This field is required.');
  const timezone = checkTimeZone(errors, body.timezone ?? 'UTC');
  const startMinutes = parseClock(body.start_time);
  const endMinutes = parseClock(body.end_time);
  if (startMinutes === null) errors.add('start_time', CLOCK_MESSAGE);
  if (endMinutes === null) errors.add('end_time', CLOCK_MESSAGE);
  if (startMinutes !== null && endMinutes !== null) {
    if (endMinutes <= startMinutes) errors.add('end_time', 'Must be later than start_time.');
    else if (endMinutes - startMinutes < body.slot_minutes) {
      errors.add('slot_minutes', `No ${body.slot_minutes}-minute slot fits between start_time and end_time.`);
    }
  }
  const days = dayCount(body.start_date, body.end_date);
  if (days < 1) errors.add('end_date', 'Must be on or after start_date.');
  else if (days > BULK_MAX_DAYS) errors.add('end_date', `The date range may span at most ${BULK_MAX_DAYS} days.`);
  if (provider !== undefined) await checkProviderExists(db, errors, provider);
  errors.throwIfAny();

  // A rough count first, so an absurd rule (a year of 5-minute slots) is refused before any work.
  const perDay = Math.floor(((endMinutes as number) - (startMinutes as number)) / body.slot_minutes);
  const matchingDays = [...datesBetween(body.start_date, body.end_date)].filter((date) => {
    const [y, m, d] = date.split('-').map(Number);
    return body.weekdays.includes(weekdayOfDate(y, m, d));
  }).length;
  if (perDay * matchingDays > 2 * BULK_MAX_SLOTS) throw tooMany(perDay * matchingDays);

  const plan = planSlots({
    timezone,
    weekdays: body.weekdays,
    startMinutes: startMinutes as number,
    endMinutes: endMinutes as number,
    slotMinutes: body.slot_minutes,
    startDate: body.start_date,
    endDate: body.end_date,
  });
  if (plan.instants.length > BULK_MAX_SLOTS) throw tooMany(plan.instants.length);
  const now = new Date().toISOString();
  const rows = plan.instants.map((dateandtime) => ({
    provider: provider as number,
    timezone,
    dateandtime,
    day: weekdayIn(new Date(dateandtime), timezone),
    is_available: body.is_available ?? true,
    created_at: now,
    updated_at: now,
  }));
  const created = await db.transaction().execute(async (trx) => {
    const slots = await insertSlotsSkippingExisting(trx, rows);
    await recordAudit(trx, ctx, {
      action: 'bulk_create',
      resourceType: 'appointment_slot',
      details: { fields: Object.keys(body).sort(), provider, created: slots.length, ids: slots.map((s) => s.id) },
    });
    return slots;
  });
  const skippedExisting = plan.instants.length - created.length;
  return {
    created: created.length,
    skipped: skippedExisting + plan.nonexistent,
    skipped_existing: skippedExisting,
    skipped_nonexistent: plan.nonexistent,
    slots: created,
  };
}
