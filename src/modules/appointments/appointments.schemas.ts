import { Type } from 'typebox';
import { Id, Nullable, Ordering, PageQuery, Paginated, StringEnum, Timestamp } from '../../http/schemas.js';

export const APPOINTMENT_MODES = ['in_person', 'virtual', 'phone'] as const;
export const APPOINTMENT_TYPES = ['consultation', 'follow_up', 'emergency', 'routine_checkup', 'specialist_visit', 'procedure'] as const;
export const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show', 'rescheduled'] as const;

export const Appointment = Type.Object(
  {
    id: Type.Integer(),
    patient: Type.Integer({ description: 'Patient id.' }),
    provider: Type.Integer({ description: 'ClinicianUser id.' }),
    appointment_slot: Nullable(Type.Integer(), { description: 'The slot this appointment holds (kept after cancelling, as history).' }),
    appointment_mode: StringEnum(APPOINTMENT_MODES),
    appointment_type: StringEnum(APPOINTMENT_TYPES),
    estimated_amount: Nullable(Type.String({ description: 'Decimal with two places, e.g. "125.00".' })),
    dateandtime: Timestamp,
    reason_for_visit: Type.String(),
    status: StringEnum(APPOINTMENT_STATUSES),
    notes: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    examples: [
      {
        id: 41,
        patient: 7,
        provider: 3,
        appointment_slot: 12,
        appointment_mode: 'in_person',
        appointment_type: 'consultation',
        estimated_amount: '125.00',
        dateandtime: '2026-06-01T13:00:00.000Z',
        reason_for_visit: 'Annual check-up',
        status: 'scheduled',
        notes: '',
        created_at: '2026-05-20T10:00:00.000Z',
        updated_at: '2026-05-20T10:00:00.000Z',
      },
    ],
  },
);

const amount = Type.Unsafe<number | string | null>({
  type: ['number', 'string', 'null'],
  maxLength: 32,
  description: 'Decimal (number or string), ≥ 0, at most 2 decimal places, below 100 000 000.',
  examples: ['125.00'],
});

const writable = {
  patient: Id,
  provider: Id,
  appointment_slot: Type.Optional(Nullable(Id)),
  // No schema `default`s: the validator would fill them into a PUT and reset fields the client
  // left out. The service applies them on create only.
  appointment_mode: Type.Optional(StringEnum(APPOINTMENT_MODES, { description: 'On create, `in_person` when omitted.' })),
  appointment_type: Type.Optional(StringEnum(APPOINTMENT_TYPES, { description: 'On create, `consultation` when omitted.' })),
  estimated_amount: Type.Optional(amount),
  dateandtime: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'Required without a slot; with one it defaults to the slot’s time and must equal it.',
    }),
  ),
  reason_for_visit: Type.Optional(Type.String({ maxLength: 2000 })),
  status: Type.Optional(StringEnum(APPOINTMENT_STATUSES, { description: 'On create, `scheduled` when omitted.' })),
  notes: Type.Optional(Type.String({ maxLength: 10000 })),
};

export const AppointmentCreateBody = Type.Object(writable, {
  additionalProperties: false,
  description:
    'Staff book for anyone; a patient only for their own patient record, through an available slot, without notes, ' +
    'estimated_amount or a status other than scheduled; a provider only as themselves; anything else is 403. Booking a ' +
    'slot claims it atomically: a taken slot is 409. A slotless booking (staff, providers) may not be at the time of ' +
    'one of the provider’s open slots.',
  examples: [
    {
      patient: 7,
      provider: 3,
      appointment_slot: 12,
      appointment_mode: 'in_person',
      appointment_type: 'consultation',
      reason_for_visit: 'Annual check-up',
    },
  ],
});

/** PUT: patient and provider are required; an omitted optional field keeps its value (as in DRF). */
export const AppointmentReplaceBody = AppointmentCreateBody;

export const AppointmentPatchBody = Type.Object(
  {
    patient: Type.Optional(Id),
    provider: Type.Optional(Id),
    appointment_slot: Type.Optional(Nullable(Id)),
    appointment_mode: Type.Optional(StringEnum(APPOINTMENT_MODES)),
    appointment_type: Type.Optional(StringEnum(APPOINTMENT_TYPES)),
    estimated_amount: Type.Optional(amount),
    dateandtime: Type.Optional(Type.String({ format: 'date-time' })),
    reason_for_visit: Type.Optional(Type.String({ maxLength: 2000 })),
    status: Type.Optional(StringEnum(APPOINTMENT_STATUSES)),
    notes: Type.Optional(Type.String({ maxLength: 10000 })),
  },
  {
    additionalProperties: false,
    description: 'Status `cancelled` frees the slot; another `appointment_slot` moves the booking (409 if it is taken).',
    examples: [{ appointment_slot: 13 }, { status: 'confirmed' }],
  },
);

export type AppointmentWrite = Type.Static<typeof AppointmentPatchBody>;

export const AppointmentListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(StringEnum(APPOINTMENT_STATUSES)),
  provider: Type.Optional(Id),
  patient: Type.Optional(Id),
  start: Type.Optional(Type.String({ maxLength: 64, description: 'From this date (YYYY-MM-DD, UTC) or instant, inclusive.' })),
  end: Type.Optional(Type.String({ maxLength: 64, description: 'Until this date (inclusive, UTC) or instant (inclusive).' })),
  ordering: Ordering(['dateandtime', 'id', 'created_at']),
});

export const AppointmentPage = Paginated(Appointment);

export const AvailableSlotsQuery = Type.Object({
  ...PageQuery,
  provider_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Required: the provider (ClinicianUser id).' })),
});
