import { Type } from 'typebox';
import { Id, Nullable, PageQuery, Paginated, StringEnum, Timestamp } from '../../http/schemas.js';

export const AuditEvent = Type.Object({
  id: Type.Integer(),
  created_at: Timestamp,
  user: Nullable(Type.Integer(), { description: 'Who acted (null: nobody signed in, e.g. a failed login for an unknown email).' }),
  user_type: Type.String(),
  action: Type.String({ examples: ['login', 'read', 'list', 'create', 'update', 'delete', 'cancel', 'password_change'] }),
  resource_type: Type.String(),
  resource_id: Type.String(),
  patient: Nullable(Type.Integer()),
  outcome: StringEnum(['success', 'failure', 'denied']),
  client_ip: Type.String(),
  request_id: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'Field names changed, ids returned, reasons; never values.' }),
  prev_hash: Type.String(),
  hash: Type.String(),
});

/** A date (`2026-06-01`, a whole UTC day) or an instant. */
const DateOrInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'YYYY-MM-DD (UTC day) or an ISO-8601 instant.',
});

export const AuditListQuery = Type.Object({
  ...PageQuery,
  user: Type.Optional(Id),
  patient: Type.Optional(Id),
  resource_type: Type.Optional(Type.String({ maxLength: 64 })),
  resource_id: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  outcome: Type.Optional(StringEnum(['success', 'failure', 'denied'])),
  start: Type.Optional(DateOrInstant),
  end: Type.Optional(DateOrInstant),
  ordering: Type.Optional(StringEnum(['id', '-id'], { description: 'id (oldest first) or -id (newest first, the default).' })),
});

export type AuditListFilter = Type.Static<typeof AuditListQuery>;

export const AuditPage = Paginated(AuditEvent);
