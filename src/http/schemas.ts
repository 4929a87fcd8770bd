import { type TSchema, Type } from 'typebox';

/**
 * Shared schema pieces. Every route declares its params, query, body and each response status
 * with these, so the validator, the serialiser and /api/schema/ read the same contract.
 */

/** A value or null, written as a JSON-schema type list (fast to validate and to serialise). */
export function Nullable<T extends TSchema>(schema: T, options: Record<string, unknown> = {}) {
  const base = schema as unknown as Record<string, unknown>;
  const { type, ...rest } = base;
  if (typeof type === 'string') {
    return Type.Unsafe<Type.Static<T> | null>({ ...rest, ...options, type: [type, 'null'] });
  }
  return Type.Unsafe<Type.Static<T> | null>({ ...options, anyOf: [schema, { type: 'null' }] });
}

export function StringEnum<const V extends readonly string[]>(values: V, options: Record<string, unknown> = {}) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** Database ids: positive 32-bit integers. Anything else in a path is "not found". */
/** Ids are 32-bit on PostgreSQL: the largest one a request may name. */
export const MAX_ID = 2_147_483_647;

export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const ErrorDetail = Type.Object(
  { detail: Type.String(), code: Type.Optional(Type.String()) },
  { description: 'Error with a human-readable message.', examples: [{ detail: 'Not found.' }] },
);

export const FieldErrorsSchema = Type.Record(Type.String(), Type.Array(Type.String()), {
  description: 'Validation errors by field name (DRF style); `non_field_errors` for the whole body.',
  examples: [{ email: ['Enter a valid email address.'] }],
});

/** The error responses a route can give, by status. */
export const errorResponses = {
  400: FieldErrorsSchema,
  401: ErrorDetail,
  403: ErrorDetail,
  404: ErrorDetail,
  409: ErrorDetail,
  429: ErrorDetail,
} as const;

export function pick<K extends keyof typeof errorResponses>(...statuses: K[]): Pick<typeof errorResponses, K> {
  const out = {} as Pick<typeof errorResponses, K>;
  for (const s of statuses) out[s] = errorResponses[s];
  return out;
}

/** Text, parsed by pageRequest() as DRF does: a bad page is 404, a bad page_size the default. */
export const PageQuery = {
  page: Type.Optional(
    Type.String({
      maxLength: 32,
      description: 'Page number from 1, or `last`. Anything else, or a page past the end, is 404 "Invalid page."',
    }),
  ),
  page_size: Type.Optional(
    Type.String({
      maxLength: 32,
      description: 'Results per page: default 20, larger values are capped at 100, invalid ones mean the default.',
    }),
  ),
};

export const SearchQuery = {
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive search term.' })),
};

export function Paginated<T extends TSchema>(item: T) {
  return Type.Object({
    count: Type.Integer(),
    next: Nullable(Type.String()),
    previous: Nullable(Type.String()),
    results: Type.Array(item),
  });
}

/** `?ordering=` values: each field ascending or descending. */
export function Ordering<const F extends readonly string[]>(fields: F) {
  const values = fields.flatMap((f) => [f, `-${f}`]);
  return Type.Optional(StringEnum(values as string[], { description: `Sort by one of: ${fields.join(', ')} (prefix - for descending).` }));
}

export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-06-01T13:00:00Z'] });
