import { Type } from 'typebox';
import { Id, Nullable, Ordering, PageQuery, Paginated, SearchQuery, StringEnum, Timestamp } from '../../http/schemas.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.js';

export const USER_TYPES = ['staff', 'provider', 'patient'] as const;
export const USER_ROLES = ['nurse', 'billing_staff', ''] as const;

export const User = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String({ description: 'Absolute URL of this user.' }),
    name: Type.String(),
    email: Type.String(),
    contactnumber: Type.String(),
    role: Type.String(),
    status: Type.Boolean({ description: 'false: cannot log in, existing tokens stop working.' }),
    user_type: StringEnum(USER_TYPES),
    linked_patient: Nullable(Type.Integer()),
    linked_clinician: Nullable(Type.Integer()),
    date_joined: Timestamp,
    last_login: Nullable(Timestamp),
  },
  {
    examples: [
      {
        id: 1,
        url: 'http://localhost:8000/api/users/1/',
        name: 'Admin',
        email: 'admin@example.com',
        contactnumber: '',
        role: '',
        status: true,
        user_type: 'staff',
        linked_patient: null,
        linked_clinician: null,
        date_joined: '2026-12-01T09:00:00Z',
        last_login: '2026-12-03T08:30:00Z',
      },
    ],
  },
);

const name = Type.String({ minLength: 1, maxLength: 150 });
const email = Type.String({ format: 'email', maxLength: 254 });
const password = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  writeOnly: true,
  description: `Write-only. ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a common password, not the email.`,
});
const contactnumber = Type.String({ maxLength: 32 });
const role = StringEnum(USER_ROLES);

const writable = {
  name,
  email,
  password,
  contactnumber: Type.Optional(contactnumber),
  role: Type.Optional(role),
  status: Type.Optional(Type.Boolean()),
  user_type: Type.Optional(StringEnum(USER_TYPES, { description: 'Defaults to staff on create.' })),
  linked_patient: Type.Optional(Nullable(Id)),
  linked_clinician: Type.Optional(Nullable(Id)),
};

export const UserCreateBody = Type.Object(writable, {
  additionalProperties: false,
  examples: [{ name: 'Dana Reyes', email: 'dana.reyes@example.com', password: 'correct-horse-battery', user_type: 'staff', role: 'nurse' }],
});

/** PUT: name and email are required, other fields left out keep their values; a password resets it. */
export const UserReplaceBody = Type.Object({ ...writable, password: Type.Optional(password) }, { additionalProperties: false });

export const UserPatchBody = Type.Object(
  {
    name: Type.Optional(name),
    email: Type.Optional(email),
    password: Type.Optional(password),
    contactnumber: Type.Optional(contactnumber),
    role: Type.Optional(role),
    status: Type.Optional(Type.Boolean()),
    user_type: Type.Optional(StringEnum(USER_TYPES)),
    linked_patient: Type.Optional(Nullable(Id)),
    linked_clinician: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);

export type UserWrite = Type.Static<typeof UserPatchBody>;

export const UserListQuery = Type.Object({
  ...PageQuery,
  ...SearchQuery,
  user_type: Type.Optional(StringEnum(USER_TYPES)),
  role: Type.Optional(role),
  status: Type.Optional(Type.Boolean()),
  ordering: Ordering(['id', 'name', 'email', 'date_joined', 'last_login', 'user_type']),
});

export const UserPage = Paginated(User);
