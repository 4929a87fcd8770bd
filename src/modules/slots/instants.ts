import { ValidationError } from '../../errors.js';

/**
 * Instants are stored as canonical `toISOString()` text, so equal instants are equal strings on
 * SQLite (the unique (provider, dateandtime) index compares text there) and sort by time.
 */
export function canonicalInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (!realCalendarFields(value) || Number.isNaN(ms)) {
    throw ValidationError.field(
      field,
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
    );
  }
  return new Date(ms).toISOString();
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)$/;

/**
 * The text is an ISO-8601 instant whose fields are real: JavaScript's Date.parse rolls
 * `2026-02-30` over to March 2 and takes `24:00`, where Python's datetime (DRF) refuses both.
 */
function realCalendarFields(value: string): boolean {
  const m = INSTANT.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

export interface InstantRange {
  from?: string;
  /** Inclusive upper bound, or exclusive when `toExclusive` (a whole date was given). */
  to?: string;
  toExclusive: boolean;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `?start=` / `?end=` filters: a date (a whole UTC day, both ends inclusive) or an instant with
 * an offset. A bad value is a 400 on that parameter, not an empty list.
 */
export function instantRange(start: string | undefined, end: string | undefined, names = { start: 'start', end: 'end' }): InstantRange {
  const out: InstantRange = { toExclusive: false };
  // An unencoded "+05:00" in a query string arrives as " 05:00".
  const plus = (v: string) => v.replace(/ (\d{2}(:?\d{2})?)$/, '+$1');
  start = start === undefined ? undefined : plus(start.trim());
  end = end === undefined ? undefined : plus(end.trim());
  const dayStart = (v: string, field: string) => {
    const ms = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v) {
      throw ValidationError.field(field, 'Enter a valid date (YYYY-MM-DD) or datetime with an offset.');
    }
    return ms;
  };
  if (start) out.from = DATE_ONLY.test(start) ? new Date(dayStart(start, names.start)).toISOString() : canonicalInstant(start, names.start);
  if (end) {
    if (DATE_ONLY.test(end)) {
      out.to = new Date(dayStart(end, names.end) + 86_400_000).toISOString();
      out.toExclusive = true;
    } else {
      out.to = canonicalInstant(end, names.end);
    }
  }
  return out;
}
