import { Type } from 'typebox';
import { StringEnum } from '../../http/schemas.js';
import { USER_TYPES, User } from '../users/users.schemas.js';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024, writeOnly: true }),
  },
  { additionalProperties: false, examples: [{ email: 'admin@example.com', password: 'your-password-here' }] },
);

export const LoginResponse = Type.Object({
  user: User,
  access: Type.String({ description: 'Access token (JWT), for `Authorization: Bearer …`.' }),
  refresh: Type.String({ description: 'Refresh token (JWT), for /api/token/refresh/ and /api/logout/.' }),
  user_type: StringEnum(USER_TYPES),
});

export const RefreshBody = Type.Object({ refresh: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false });

export const TokenPairResponse = Type.Object({ access: Type.String(), refresh: Type.String() });
