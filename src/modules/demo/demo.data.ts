import type { Faker } from '@faker-js/faker';

/**
 * Realistic fake records for the demo clinic. Faker's own generators are slow for some fields
 * (a last name costs ~30 µs), so names, streets and cities are drawn once into pools and then
 * combined with faker's seeded number generator: 100 000 patients cost about a second, and the
 * same --seed gives the same clinic.
 */

export const SEXES = ['male', 'female', 'other', 'unknown'] as const;
export const GENDER_IDENTITIES = [
  'male',
  'female',
  'transgender_male',
  'transgender_female',
  'non_binary',
  'gender_fluid',
  'other',
  'prefer_not_to_say',
] as const;
export const CLINICIAN_ROLES = ['physicians', 'nurses', 'surgical_assistants'] as const;
export const SUPERVISION = ['none', 'senior', 'chief'] as const;
export const APPOINTMENT_MODES = ['in_person', 'virtual', 'phone'] as const;
export const APPOINTMENT_TYPES = ['consultation', 'follow_up', 'emergency', 'routine_checkup', 'specialist_visit', 'procedure'] as const;
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const ETHNICITIES = ['Not Hispanic or Latino', 'Hispanic or Latino', ''];
const RACES = [
  'White',
  'Black or African American',
  'Asian',
  'American Indian or Alaska Native',
  'Native Hawaiian or Other Pacific Islander',
  'Two or More Races',
  '',
];
const LANGUAGES = ['English', 'Spanish', 'Chinese', 'Vietnamese', 'Tagalog', 'Arabic', 'French', 'Korean', 'Russian', 'Portuguese'];
const REASONS = [
  'Annual physical',
  'Persistent cough',
  'Follow-up on lab results',
  'Blood pressure check',
  'Knee pain',
  'Medication review',
  'Skin rash',
  'Headaches',
  'Diabetes management',
  'Back pain',
  'Vaccination',
  'Pre-operative assessment',
  'Allergy symptoms',
  'Sleep problems',
];
const AMOUNT_CENTS: Record<(typeof APPOINTMENT_TYPES)[number], number> = {
  consultation: 15000,
  follow_up: 9500,
  emergency: 42500,
  routine_checkup: 12000,
  specialist_visit: 27500,
  procedure: 85000,
};

/** NPI check digit: Luhn over the prefix "80840" and the first nine digits. */
export function npiCheckDigit(first9: string): number {
  const digits = `80840${first9}`;
  let sum = 0;
  // Walking from the right, the rightmost payload digit is doubled (the check digit will follow it).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === Number(npi[9]);
}

/** Lower-case ASCII letters only, for the local part of generated email addresses. */
function emailPart(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

interface Pools {
  female: string[];
  male: string[];
  last: string[];
  streets: string[];
  places: { city: string; state: string; zip: string }[];
}

export class DemoGenerator {
  private readonly pools: Pools;

  constructor(
    private readonly faker: Faker,
    private readonly today: Date,
  ) {
    const f = faker;
    const many = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
    this.pools = {
      female: [...new Set(many(600, () => f.person.firstName('female')))],
      male: [...new Set(many(600, () => f.person.firstName('male')))],
      last: [...new Set(many(3000, () => f.person.lastName()))],
      streets: many(2000, () => f.location.street()),
      places: many(800, () => {
        const state = f.location.state({ abbreviated: true });
        return { city: f.location.city(), state, zip: f.location.zipCode({ state }) };
      }),
    };
  }

  private int(max: number): number {
    return this.faker.number.int(max);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length - 1)];
  }

  private chance(p: number): boolean {
    return this.faker.number.float() < p;
  }

  private phone(): string {
    // 555-01xx style numbers are reserved for fiction in North America.
    return `(${200 + this.int(799)}) 555-01${String(this.int(99)).padStart(2, '0')}`;
  }

  /** A patient row (without id and timestamps); `n` makes the email unique. */
  patient(n: number) {
    const r = this.faker.number.float();
    const sex = r < 0.49 ? 'female' : r < 0.97 ? 'male' : r < 0.985 ? 'other' : 'unknown';
    const firstPool =
      sex === 'male' ? this.pools.male : sex === 'female' ? this.pools.female : this.chance(0.5) ? this.pools.male : this.pools.female;
    const first = this.pick(firstPool);
    const last = this.pick(this.pools.last);
    const g = this.faker.number.float();
    const gender_identity =
      sex === 'male' || sex === 'female'
        ? g < 0.94
          ? sex
          : g < 0.96
            ? sex === 'male'
              ? 'transgender_female'
              : 'transgender_male'
            : this.pick(GENDER_IDENTITIES.slice(4))
        : this.pick(GENDER_IDENTITIES.slice(4));
    // Ages 0–95, born strictly before today.
    const ageDays = 1 + this.int(95 * 365);
    const dob = new Date(this.today.getTime() - ageDays * 86_400_000);
    const place = this.pick(this.pools.places);
    const middlePool = firstPool === this.pools.male ? this.pools.male : this.pools.female;
    return {
      first_name: first,
      middle_name: this.chance(0.4) ? this.pick(middlePool) : '',
      last_name: last,
      preferred_name: this.chance(0.1) ? first.slice(0, Math.max(3, Math.ceil(first.length / 2))) : '',
      date_of_birth: isoDate(dob),
      sex,
      gender_identity,
      email: `${emailPart(first)}.${emailPart(last)}.${n}@example.com`,
      phone_number: this.phone(),
      ethnicity: this.pick(ETHNICITIES),
      race: this.pick(RACES),
      language: this.chance(0.75) ? 'English' : this.pick(LANGUAGES),
      address_line1: `${1 + this.int(9998)} ${this.pick(this.pools.streets)}`,
      address_line2: this.chance(0.2) ? `${this.chance(0.5) ? 'Apt.' : 'Suite'} ${1 + this.int(998)}` : '',
      city: place.city,
      state: place.state,
      zip_code: place.zip,
    };
  }

  /** A clinician row; `n` makes the email unique. */
  clinician(n: number, location: string) {
    const female = this.chance(0.55);
    const first = this.pick(female ? this.pools.female : this.pools.male);
    const last = this.pick(this.pools.last);
    const first9 = `${1 + this.int(1)}${String(this.int(99_999_999)).padStart(8, '0')}`;
    const r = this.faker.number.float();
    return {
      firstname: first,
      lastname: last,
      role: r < 0.55 ? 'physicians' : r < 0.85 ? 'nurses' : 'surgical_assistants',
      emailid: `${emailPart(first)}.${emailPart(last)}.${n}@clinic.example.com`,
      contactnumber: this.phone(),
      npi: `${first9}${npiCheckDigit(first9)}`,
      location,
      language: this.chance(0.8) ? 'English' : `English, ${this.pick(LANGUAGES.slice(1))}`,
      supervising_clinician: n === 1 ? 'chief' : this.chance(0.2) ? 'senior' : 'none',
    };
  }

  staffName(): string {
    return `${this.pick(this.chance(0.5) ? this.pools.female : this.pools.male)} ${this.pick(this.pools.last)}`;
  }

  location(): string {
    const place = this.pick(this.pools.places);
    return `${place.city}, ${place.state}`;
  }

  /** The clinical part of an appointment: mode, type, price, reason. */
  visit() {
    const type = this.faker.helpers.weightedArrayElement([
      { value: 'consultation' as const, weight: 30 },
      { value: 'follow_up' as const, weight: 30 },
      { value: 'routine_checkup' as const, weight: 25 },
      { value: 'specialist_visit' as const, weight: 8 },
      { value: 'procedure' as const, weight: 5 },
      { value: 'emergency' as const, weight: 2 },
    ]);
    const m = this.faker.number.float();
    return {
      appointment_mode: m < 0.7 ? 'in_person' : m < 0.9 ? 'virtual' : 'phone',
      appointment_type: type,
      estimated_amount_cents: this.chance(0.9) ? AMOUNT_CENTS[type] : null,
      reason_for_visit: this.pick(REASONS),
    };
  }

  /** Random integer in [0, max]. */
  index(max: number): number {
    return this.int(max);
  }

  float(): number {
    return this.faker.number.float();
  }
}

// Building an Intl.DateTimeFormat costs ~50 µs; one per time zone is kept.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
const calendars = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    f = make();
    cache.set(timeZone, f);
  }
  return f;
}

/** Offset of a time zone from UTC at an instant, in milliseconds. */
function offsetMs(instant: number, timeZone: string): number {
  const format = cached(
    wallClocks,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
  );
  const parts = format.formatToParts(new Date(instant));
  const v = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant of a wall-clock time in a time zone (office hours never fall in a DST gap). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = offsetMs(wall, timeZone);
  let instant = wall - first;
  const second = offsetMs(instant, timeZone);
  if (second !== first) instant = wall - second;
  return new Date(instant);
}

/** The calendar date of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const [year, month, day] = cached(
    calendars,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  )
    .format(instant)
    .split('-')
    .map(Number);
  return { year, month, day };
}
