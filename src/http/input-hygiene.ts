import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, NotFoundError, ValidationError } from '../errors.js';

/**
 * Input the schemas cannot see, refused before validation:
 * - NUL characters (PostgreSQL cannot store them in text, so they were a 500 there, and SQLite
 *   kept data PostgreSQL could never take) and unpaired UTF-16 surrogates (silently stored as
 *   replacement characters);
 * - integers written in forms JavaScript's Number() accepts but an id is not: `0x1`, `1e3`,
 *   `+1`, ` 1`, `1.0` (ajv's coercion turned `DELETE /api/appointments/1e3/` into id 1000);
 * - bodies declared in a charset other than UTF-8 (they were parsed as UTF-8 anyway).
 * Boolean query filters also take django-filter's spellings (`True`, `1`, `0`, ...), which DRF
 * clients send.
 */

const NUL_CHAR = String.fromCharCode(0);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DECIMAL_INTEGER = /^-?\d{1,20}$/;

function textProblem(value: string): string | null {
  if (value.includes(NUL_CHAR)) return 'Null characters are not allowed.';
  if (LONE_SURROGATE.test(value)) return 'Invalid Unicode: unpaired surrogate character.';
  return null;
}

/** The first bad string anywhere inside a value (keys included). */
function deepProblem(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const p = deepProblem(item, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const p = textProblem(key) ?? deepProblem(item, depth + 1);
    if (p) return p;
  }
  return null;
}

type SchemaProps = { properties?: Record<string, { type?: string | string[] }> } | undefined;

function keysOfType(schema: unknown, type: 'integer' | 'boolean'): string[] {
  const props = (schema as SchemaProps)?.properties ?? {};
  return Object.entries(props)
    .filter(([, s]) => [s?.type].flat().includes(type))
    .map(([k]) => k);
}

interface HygieneConfig {
  integerParams?: string[];
  integerQuery?: string[];
  booleanQuery?: string[];
}

/** The spellings django-filter's BooleanWidget takes (any case); others stay for ajv to refuse. */
const BOOLEAN_SPELLINGS: Record<string, string> = { true: 'true', '1': 'true', false: 'false', '0': 'false' };

function checkRequest(request: FastifyRequest): void {
  const config = (request.routeOptions.config ?? {}) as HygieneConfig;
  const params = request.params as Record<string, unknown> | undefined;
  for (const key of config.integerParams ?? []) {
    const raw = params?.[key];
    if (typeof raw === 'string' && !DECIMAL_INTEGER.test(raw)) throw new NotFoundError();
  }
  for (const raw of Object.values(params ?? {})) {
    if (typeof raw === 'string' && textProblem(raw)) throw new NotFoundError();
  }

  const query = request.query as Record<string, unknown> | undefined;
  // An empty filter means "no filter" (`?ordering=&status=`), as django-filter and DRF treat it.
  for (const [key, raw] of Object.entries(query ?? {})) {
    if (raw === '' && query) delete query[key];
  }
  const queryErrors: Record<string, string[]> = {};
  for (const [key, raw] of Object.entries(query ?? {})) {
    const problem = deepProblem(raw) ?? textProblem(key);
    if (problem) queryErrors[key] = [problem];
  }
  for (const key of config.integerQuery ?? []) {
    const raw = query?.[key];
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.some((v) => typeof v === 'string' && !DECIMAL_INTEGER.test(v))) queryErrors[key] ??= ['A valid integer is required.'];
  }
  if (Object.keys(queryErrors).length > 0) throw new ValidationError(queryErrors);
  for (const key of config.booleanQuery ?? []) {
    const raw = query?.[key];
    if (typeof raw === 'string' && query) query[key] = BOOLEAN_SPELLINGS[raw.trim().toLowerCase()] ?? raw;
  }

  const body = request.body;
  if (body !== undefined && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const errors: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(body)) {
      const problem = textProblem(key) ?? deepProblem(value);
      if (problem) errors[textProblem(key) ? 'non_field_errors' : key] = [problem];
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  } else if (body !== undefined) {
    const problem = deepProblem(body);
    if (problem) throw new ValidationError({ non_field_errors: [problem] });
  }
}

export function registerInputHygiene(app: FastifyInstance): void {
  // Which params and query keys each route declares as integers, worked out once per route.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { params?: unknown; querystring?: unknown } | undefined;
    const integerParams = keysOfType(schema?.params, 'integer');
    const integerQuery = keysOfType(schema?.querystring, 'integer');
    const booleanQuery = keysOfType(schema?.querystring, 'boolean');
    route.config = { ...(route.config as object), integerParams, integerQuery, booleanQuery } as typeof route.config;
  });

  app.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (typeof type === 'string') {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
      if (charset && charset !== 'utf-8' && charset !== 'utf8') {
        throw new HttpError(415, { detail: `Unsupported charset "${charset.slice(0, 40)}": send UTF-8 JSON.` });
      }
    }
  });

  app.addHook('preValidation', async (request) => checkRequest(request));
}
