import { Type } from 'typebox';
import { Paginated } from '../../http/schemas.js';
import { PASSWORD_MAX_LENGTH } from '../auth/passwords.js';

export const PasswordChangeBody = Type.Object(
  {
    old_password: Type.String({ minLength: 1, maxLength: 1024, writeOnly: true }),
    // Length rules are checked by the policy so every broken rule is reported with a clear message.
    new_password: Type.String({ maxLength: PASSWORD_MAX_LENGTH * 4, writeOnly: true }),
  },
  { additionalProperties: false },
);

export const PasswordChangeResponse = Type.Object({
  detail: Type.String(),
  access: Type.String({ description: 'A fresh access token: every earlier one of this user stopped working.' }),
  refresh: Type.String({ description: 'A fresh refresh token (a new login): every earlier one was revoked.' }),
});

export const Session = Type.Object({
  id: Type.String({ description: 'The login (refresh-token family) id.' }),
  created: Type.String({ format: 'date-time' }),
  last_used: Type.String({ format: 'date-time' }),
  expires: Type.String({ format: 'date-time' }),
  client_ip: Type.String(),
  user_agent: Type.String(),
  current: Type.Boolean({ description: 'true for the login this request was made with.' }),
});

export const SessionPage = Paginated(Session);

export const SessionParams = Type.Object(
  { id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }) },
  { additionalProperties: false },
);
