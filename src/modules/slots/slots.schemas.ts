import { Type } from 'typebox';
import { Id, Ordering, PageQuery, Paginated, StringEnum, Timestamp } from '../../http/schemas.js';
import { WEEKDAYS } from './timezones.js';

export const Slot = Type.Object(
  {
    id: Type.Integer(),
    provider: Type.Integer({ description: 'ClinicianUser id.' }),
    timezone: Type.String({ description: 'IANA time zone the slot is published in.' }),
    dateandtime: Timestamp,
    day: StringEnum(WEEKDAYS, { description: 'Weekday of `dateandtime` in the slot’s own time zone.' }),
    is_available: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    examples: [
      {
        id: 12,
        provider: 3,
        timezone: 'America/New_York',
        dateandtime: '2026-03-10T01:30:00.000Z',
        day: 'monday',
        is_available: true,
        created_at: '2026-03-01T12:00:00.000Z',
        updated_at: '2026-03-01T12:00:00.000Z',
      },
    ],
  },
);

const timezone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York (default UTC).' });
const dateandtime = Type.String({ format: 'date-time', description: 'An instant: ISO 8601 with Z or an offset.' });
const day = StringEnum(WEEKDAYS, { description: 'Derived from dateandtime in `timezone` when omitted; must agree when sent.' });

export const SlotCreateBody = Type.Object(
  {
    provider: Type.Optional(Id),
    timezone: Type.Optional(timezone),
    dateandtime,
    day: Type.Optional(day),
    is_available: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    description: 'Staff must send `provider`; a provider’s slot is always their own, whatever `provider` says.',
    examples: [{ provider: 3, timezone: 'America/New_York', dateandtime: '2026-03-10T01:30:00Z' }],
  },
);

/** PUT: dateandtime is required; an omitted optional field keeps its value (as in DRF). */
export const SlotReplaceBody = SlotCreateBody;

export const SlotPatchBody = Type.Object(
  {
    provider: Type.Optional(Id),
    timezone: Type.Optional(timezone),
    dateandtime: Type.Optional(dateandtime),
    day: Type.Optional(day),
    is_available: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ is_available: false }] },
);

export type SlotWrite = Type.Static<typeof SlotPatchBody>;

const rangeParam = (description: string) => Type.Optional(Type.String({ maxLength: 64, description }));

export const SlotListQuery = Type.Object({
  ...PageQuery,
  provider: Type.Optional(Id),
  is_available: Type.Optional(Type.Boolean()),
  start: rangeParam('From this date (YYYY-MM-DD, UTC) or instant, inclusive.'),
  end: rangeParam('Until this date (inclusive, UTC) or instant (inclusive).'),
  dateandtime_after: rangeParam('Alias of `start`.'),
  dateandtime_before: rangeParam('Alias of `end`.'),
  ordering: Ordering(['dateandtime', 'id']),
});

export const SlotPage = Paginated(Slot);

export const BULK_MAX_SLOTS = 2000;
export const BULK_MAX_DAYS = 366;

const clock = Type.String({ maxLength: 5, description: 'Local wall-clock time, hh:mm (24-hour).', examples: ['09:00'] });

export const SlotBulkBody = Type.Object(
  {
    provider: Type.Optional(Id),
    timezone: Type.Optional(timezone),
    weekdays: Type.Array(StringEnum(WEEKDAYS), { minItems: 1, maxItems: 7, uniqueItems: true }),
    start_time: clock,
    end_time: clock,
    slot_minutes: Type.Integer({ minimum: 5, maximum: 720, description: 'Length of each slot; slots start back to back.' }),
    start_date: Type.String({ format: 'date' }),
    end_date: Type.String({ format: 'date', description: `At most ${BULK_MAX_DAYS} days after start_date.` }),
    is_available: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    description:
      'Times are local to `timezone`. Slots start every `slot_minutes` from `start_time` and end by `end_time`. ' +
      'A local time that does not exist (spring-forward gap) is skipped; a repeated one (fall-back) gives one slot, ' +
      `at its first occurrence; times that already exist are skipped. At most ${BULK_MAX_SLOTS} slots per call.`,
    examples: [
      {
        provider: 3,
        timezone: 'America/New_York',
        weekdays: ['monday', 'wednesday'],
        start_time: '09:00',
        end_time: '12:00',
        slot_minutes: 30,
        start_date: '2026-06-01',
        end_date: '2026-06-30',
      },
    ],
  },
);

export type SlotBulk = Type.Static<typeof SlotBulkBody>;

export const SlotBulkResult = Type.Object(
  {
    created: Type.Integer({ description: 'Slots created.' }),
    skipped: Type.Integer({ description: 'Times not created: already existing plus nonexistent local times.' }),
    skipped_existing: Type.Integer(),
    skipped_nonexistent: Type.Integer({ description: 'Local times inside a spring-forward gap.' }),
    slots: Type.Array(Slot),
  },
  { examples: [{ created: 54, skipped: 0, skipped_existing: 0, skipped_nonexistent: 0, slots: [] }] },
);
