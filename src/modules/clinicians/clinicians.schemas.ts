import { Type } from 'typebox';
import { Id, Ordering, PageQuery, Paginated, StringEnum, Timestamp } from '../../http/schemas.js';

export const CLINICIAN_ROLES = ['physicians', 'nurses', 'surgical_assistants'] as const;
export const SUPERVISION_LEVELS = ['none', 'senior', 'chief'] as const;
export const CLINICIAN_ORDERING = ['id', 'lastname', 'firstname', 'role', 'created_at'] as const;

const example = {
  id: 3,
  firstname: 'Meredith',
  lastname: 'Grey',
  role: 'physicians',
  emailid: 'meredith.grey@clinic.example',
  contactnumber: '+1 206 555 0142',
  npi: '1234567893',
  location: 'Seattle',
  language: 'English',
  supervising_clinician: 'senior',
  created_at: '2026-12-01T09:00:00.000Z',
  updated_at: '2026-12-02T15:30:00.000Z',
};

export const Clinician = Type.Object(
  {
    id: Type.Integer(),
    firstname: Type.String(),
    lastname: Type.String(),
    role: StringEnum(CLINICIAN_ROLES),
    emailid: Type.String({ description: 'Stored lower-cased; unique whatever its case.' }),
    contactnumber: Type.String(),
    npi: Type.String({ description: 'Blank, or a 10-digit National Provider Identifier.' }),
    location: Type.String(),
    language: Type.String(),
    supervising_clinician: StringEnum(SUPERVISION_LEVELS),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { description: 'A clinician (physician, nurse or surgical assistant).', examples: [example] },
);

const name = Type.String({ minLength: 1, maxLength: 100 });
const emailid = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Unique case-insensitively; stored lower-cased.',
  examples: ['meredith.grey@clinic.example'],
});
const npiOptions = {
  maxLength: 10,
  description: 'Blank, or 10 digits whose last is the Luhn check digit over "80840" + the first 9 (e.g. 1234567893).',
  examples: ['1234567893'],
};
const npi = Type.String(npiOptions);
const optional = {
  contactnumber: Type.Optional(Type.String({ maxLength: 32 })),
  npi: Type.Optional(Type.String(npiOptions)),
  location: Type.Optional(Type.String({ maxLength: 255 })),
  language: Type.Optional(Type.String({ maxLength: 100 })),
  supervising_clinician: Type.Optional(StringEnum(SUPERVISION_LEVELS, { description: 'Defaults to "none" on create.' })),
};

const bodyExample = {
  firstname: 'Meredith',
  lastname: 'Grey',
  role: 'physicians',
  emailid: 'meredith.grey@clinic.example',
  contactnumber: '+1 206 555 0142',
  npi: '1234567893',
  location: 'Seattle',
  language: 'English',
  supervising_clinician: 'senior',
};

/**
 * POST and PUT: the required fields must be sent. An optional field left out takes its default on
 * create and keeps its value on PUT (DRF semantics), so the schema itself carries no defaults.
 */
export const ClinicianBody = Type.Object(
  { firstname: name, lastname: name, role: StringEnum(CLINICIAN_ROLES), emailid, ...optional },
  {
    additionalProperties: false,
    description:
      'Strings are trimmed. Optional fields left out are "" ("none" for supervising_clinician) on create and keep their values on PUT.',
    examples: [bodyExample],
  },
);

export const ClinicianPatchBody = Type.Object(
  {
    firstname: Type.Optional(name),
    lastname: Type.Optional(name),
    role: Type.Optional(StringEnum(CLINICIAN_ROLES)),
    emailid: Type.Optional(emailid),
    contactnumber: Type.Optional(Type.String({ maxLength: 32 })),
    npi: Type.Optional(npi),
    location: Type.Optional(Type.String({ maxLength: 255 })),
    language: Type.Optional(Type.String({ maxLength: 100 })),
    supervising_clinician: Type.Optional(StringEnum(SUPERVISION_LEVELS)),
  },
  {
    additionalProperties: false,
    description: 'Only the fields sent change.',
    examples: [{ location: 'Boston', supervising_clinician: 'chief' }],
  },
);

export type ClinicianWrite = Type.Static<typeof ClinicianPatchBody>;

export const ClinicianListQuery = Type.Object({
  ...PageQuery,
  id: Type.Optional(
    Type.Array(Id, {
      maxItems: 100,
      description: 'Only these ids; repeat the parameter (?id=3&id=7). Lets a client fetch the records a page refers to in one request.',
    }),
  ),
  search: Type.Optional(
    Type.String({ maxLength: 200, description: 'Case-insensitive: clinicians whose firstname, lastname, emailid or npi contains it.' }),
  ),
  role: Type.Optional(StringEnum(CLINICIAN_ROLES, { description: 'Only clinicians with this role.' })),
  supervising_clinician: Type.Optional(StringEnum(SUPERVISION_LEVELS, { description: 'Only clinicians at this supervision level.' })),
  ordering: Ordering(CLINICIAN_ORDERING),
});

export const DEFAULT_CLINICIAN_ORDER = 'lastname (case-insensitive), then id';

export const ClinicianPage = Object.assign(Paginated(Clinician), {
  examples: [{ count: 41, next: 'http://localhost:8000/api/clinician-users/?page=2', previous: null, results: [example] }],
});
