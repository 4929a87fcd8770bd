import { Type } from 'typebox';
import { Id, Ordering, PageQuery, Paginated, StringEnum, Timestamp } from '../../http/schemas.js';

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
export const PATIENT_ORDERING = ['last_name', 'first_name', 'date_of_birth', 'id'] as const;
export const DEFAULT_PATIENT_ORDER = 'last_name (case-insensitive), then id';

/** Earliest accepted date of birth. */
export const MIN_DATE_OF_BIRTH = '1900-01-01';

const recordExample = {
  id: 7,
  first_name: 'Zoë',
  middle_name: '',
  last_name: 'Nguyễn',
  preferred_name: 'Zo',
  date_of_birth: '1990-02-14',
  sex: 'female',
  gender_identity: 'female',
  email: 'zoe.nguyen@example.com',
  phone_number: '+1 415 555 0199',
  ethnicity: '',
  race: '',
  language: 'Vietnamese',
  address_line1: '500 Market St',
  address_line2: 'Apt 4',
  city: 'San Francisco',
  state: 'CA',
  zip_code: '94105',
  created_at: '2026-12-01T09:00:00.000Z',
  updated_at: '2026-12-01T09:00:00.000Z',
};

export const Patient = Type.Object(
  {
    id: Type.Integer(),
    first_name: Type.String(),
    middle_name: Type.String(),
    last_name: Type.String(),
    preferred_name: Type.String(),
    date_of_birth: Type.String({ format: 'date' }),
    sex: StringEnum(SEXES),
    gender_identity: StringEnum(GENDER_IDENTITIES),
    email: Type.String(),
    phone_number: Type.String(),
    ethnicity: Type.String(),
    race: Type.String(),
    language: Type.String(),
    address_line1: Type.String(),
    address_line2: Type.String(),
    city: Type.String(),
    state: Type.String(),
    zip_code: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { description: 'A patient record (PHI: every read is audited).', examples: [recordExample] },
);

/** A required text field: not blank once trimmed (bodies are trimmed before validation). */
const required = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const optional = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

const dateOfBirth = Type.String({
  format: 'date',
  description: `YYYY-MM-DD, a real calendar date from ${MIN_DATE_OF_BIRTH} up to today (newborns are fine).`,
  examples: ['1990-02-14'],
});
/** Blank or an email address. The email branch comes first so its message is the one reported. */
const email = () =>
  Type.Optional(
    Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Literal('')], { description: 'Blank or an email address.' }),
  );

function fields() {
  return {
    first_name: required(100),
    middle_name: optional(100),
    last_name: required(100),
    preferred_name: optional(100),
    date_of_birth: dateOfBirth,
    sex: StringEnum(SEXES),
    gender_identity: StringEnum(GENDER_IDENTITIES),
    email: email(),
    phone_number: required(32),
    ethnicity: optional(100),
    race: optional(100),
    language: optional(100),
    address_line1: required(255),
    address_line2: optional(255),
    city: required(100),
    state: required(100),
    zip_code: required(20),
  };
}

const bodyExample = {
  first_name: 'Zoë',
  last_name: 'Nguyễn',
  preferred_name: 'Zo',
  date_of_birth: '1990-02-14',
  sex: 'female',
  gender_identity: 'female',
  email: 'zoe.nguyen@example.com',
  phone_number: '+1 415 555 0199',
  language: 'Vietnamese',
  address_line1: '500 Market St',
  address_line2: 'Apt 4',
  city: 'San Francisco',
  state: 'CA',
  zip_code: '94105',
};

/**
 * POST and PUT: every required field. An optional field left out is "" on create and keeps its
 * value on PUT (DRF semantics). No schema defaults: they would blank fields on PUT.
 */
export const PatientBody = Type.Object(fields(), {
  additionalProperties: false,
  description:
    'Strings are trimmed; required ones may not be blank. An optional field left out is "" on create and keeps its value on PUT.',
  examples: [bodyExample],
});

const all = fields();
export const PatientPatchBody = Type.Object(
  {
    first_name: Type.Optional(all.first_name),
    middle_name: all.middle_name,
    last_name: Type.Optional(all.last_name),
    preferred_name: all.preferred_name,
    date_of_birth: Type.Optional(all.date_of_birth),
    sex: Type.Optional(all.sex),
    gender_identity: Type.Optional(all.gender_identity),
    email: all.email,
    phone_number: Type.Optional(all.phone_number),
    ethnicity: all.ethnicity,
    race: all.race,
    language: all.language,
    address_line1: Type.Optional(all.address_line1),
    address_line2: all.address_line2,
    city: Type.Optional(all.city),
    state: Type.Optional(all.state),
    zip_code: Type.Optional(all.zip_code),
  },
  {
    additionalProperties: false,
    description: 'Only the fields sent change.',
    examples: [{ phone_number: '+1 415 555 0123', city: 'Oakland' }],
  },
);

export type PatientWrite = Type.Static<typeof PatientPatchBody>;

export const PatientListQuery = Type.Object({
  ...PageQuery,
  id: Type.Optional(
    Type.Array(Id, {
      maxItems: 100,
      description: 'Only these ids; repeat the parameter (?id=3&id=7). Lets a client fetch the records a page refers to in one request.',
    }),
  ),
  search: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Case-insensitive. Every word must match the START of the first, last or preferred name or the email ' +
        '("ada love" finds Ada Lovelace); a term of digits, spaces and + - ( ) . matches anywhere in the phone number. ' +
        'Prefix matching keeps search fast on large registries (it uses the name and email indexes).',
    }),
  ),
  sex: Type.Optional(StringEnum(SEXES, { description: 'Only patients of this sex.' })),
  gender_identity: Type.Optional(StringEnum(GENDER_IDENTITIES, { description: 'Only patients with this gender identity.' })),
  date_of_birth: Type.Optional(Type.String({ format: 'date', description: 'Only patients born on this date (YYYY-MM-DD).' })),
  ordering: Ordering(PATIENT_ORDERING),
});

export const PatientPage = Object.assign(Paginated(Patient), {
  examples: [{ count: 1, next: null, previous: null, results: [recordExample] }],
});
