/**
 * Wall-clock time in IANA time zones, with nothing but Intl (no tz library): validating a zone,
 * reading an instant's local date, time and weekday, and turning a local date and time back into
 * the instant(s) it names. DST makes that last step 0, 1 or 2 instants.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

// Sunday-first, as Date#getUTCDay counts.
const BY_JS_DAY: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a DateTimeFormat is slow (ICU); one per zone is kept. Throws RangeError for unknown zones. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The zone's canonical spelling when it is a real IANA zone, else null. Offsets like "+01:00" are
 * refused even where ICU accepts them: a slot's zone must follow DST rules, not a fixed offset.
 * The case is canonicalised ("america/new_york" → "America/New_York"), but an alias is kept as
 * written (ICU would turn "Asia/Kolkata" into "Asia/Calcutta", which surprises clients).
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone) || timeZone.length > 64) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
  } catch {
    return null;
  }
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of an instant in a zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year, month: out.month, day: out.day, hour: out.hour % 24, minute: out.minute, second: out.second };
}

/** The weekday of a calendar date (no zone involved: a date is already local). */
export function weekdayOfDate(year: number, month: number, day: number): Weekday {
  return BY_JS_DAY[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
}

/** The weekday an instant falls on in a zone: 2026-03-10T01:30Z is a Monday in New York. */
export function weekdayIn(instant: Date, timeZone: string): Weekday {
  const p = localParts(instant, timeZone);
  return weekdayOfDate(p.year, p.month, p.day);
}

/** Minutes the zone is ahead of UTC at an instant (New York in winter: -300). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/**
 * Every instant whose wall clock in `timeZone` reads this local date and time, earliest first:
 * none in a spring-forward gap, two in a fall-back overlap, else one. Offsets are sampled a day
 * either side, which covers every real transition (zones change at most once in 48 hours).
 */
export function localToInstants(date: string, time: string, timeZone: string): Date[] {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) throw new RangeError(`Bad local date or time: ${date} ${time}`);
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number);
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const offsets = new Set<number>();
  for (const probe of [naive - 86_400_000, naive, naive + 86_400_000]) offsets.add(offsetMinutes(new Date(probe), timeZone));
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = naive - offset * 60_000;
    const p = localParts(new Date(candidate), timeZone);
    if (p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b).map((ms) => new Date(ms));
}

/** The first instant a local time names, or null when it does not exist (spring-forward gap). */
export function localToInstant(date: string, time: string, timeZone: string): Date | null {
  return localToInstants(date, time, timeZone)[0] ?? null;
}

/** "HH:MM" (00:00–23:59) to minutes after midnight, or null. */
export function parseClock(value: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Calendar dates from start to end inclusive ("YYYY-MM-DD"), as UTC date arithmetic (no zone). */
export function* datesBetween(start: string, end: string): Generator<string> {
  const endMs = Date.parse(`${end}T00:00:00Z`);
  for (let ms = Date.parse(`${start}T00:00:00Z`); ms <= endMs; ms += 86_400_000) {
    yield new Date(ms).toISOString().slice(0, 10);
  }
}
