import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constraintViolation } from './db/portable.js';
import { anonymousOnProtectedPath, methodRegistry, sendMethodNotAllowed } from './http/method-not-allowed.js';

/**
 * The error catalogue. Services throw these; one handler turns them into the contract's DRF-style
 * bodies: 400 `{"field": ["message"]}`, other 4xx `{"detail": "message"}`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${statusCode}`);
    this.name = new.target.name;
  }
}

export class NotFoundError extends HttpError {
  constructor(detail = 'Not found.') {
    super(404, { detail });
  }
}

export class NotAuthenticatedError extends HttpError {
  constructor(detail = 'Authentication credentials were not provided.') {
    super(401, { detail }, { 'www-authenticate': 'Bearer realm="api"' });
  }
}

export class InvalidTokenError extends HttpError {
  constructor(detail = 'Given token not valid for any token type') {
    super(401, { detail, code: 'token_not_valid' }, { 'www-authenticate': 'Bearer realm="api"' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(detail = 'You do not have permission to perform this action.') {
    super(403, { detail });
  }
}

export class ConflictError extends HttpError {
  constructor(detail: string) {
    super(409, { detail });
  }
}

export class SlotUnavailableError extends ConflictError {
  constructor() {
    super('This slot is no longer available.');
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(retryAfterSec: number, detail?: string) {
    const wait = Math.max(1, Math.ceil(retryAfterSec));
    super(429, { detail: detail ?? `Request was throttled. Expected available in ${wait} seconds.` }, { 'retry-after': String(wait) });
  }
}

export type FieldErrors = Record<string, string[]>;

export class ValidationError extends HttpError {
  constructor(readonly fields: FieldErrors) {
    super(400, fields);
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

/** Collects field errors and throws them all at once, as DRF does. */
export class FieldErrorCollector {
  private readonly errors: FieldErrors = {};
  add(field: string, message: string): void {
    this.errors[field] ??= [];
    this.errors[field].push(message);
  }
  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }
  throwIfAny(): void {
    if (!this.empty) throw new ValidationError(this.errors);
  }
}

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldName(issue: AjvIssue): string {
  const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean);
  if (issue.keyword === 'required') path.push(String(issue.params.missingProperty));
  if (issue.keyword === 'additionalProperties') path.push(String(issue.params.additionalProperty));
  return path[0] ?? 'non_field_errors';
}

const FORMAT_MESSAGES: Record<string, string> = {
  email: 'Enter a valid email address.',
  date: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  'date-time': 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  time: 'Time has wrong format. Use one of these formats instead: hh:mm.',
};

/** Plain-language messages for the JSON-schema keywords our route schemas use. */
function messageFor(issue: AjvIssue): string {
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return 'This field is required.';
    case 'additionalProperties':
      return 'Unknown field: it is not accepted here.';
    case 'type': {
      const t = String(p.type);
      if (t.includes('integer')) return 'A valid integer is required.';
      if (t.includes('number')) return 'A valid number is required.';
      if (t.includes('boolean')) return 'Must be a valid boolean.';
      if (t.includes('array')) return 'Expected a list of items.';
      if (t.includes('object')) return 'Expected an object.';
      if (t === 'null') return 'Must be null.';
      return 'Not a valid string.';
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      return `Not a valid choice. Choose one of: ${allowed.map((v) => (v === '' ? '""' : String(v))).join(', ')}.`;
    }
    case 'const':
      return `Must be ${JSON.stringify(p.allowedValue)}.`;
    case 'minLength':
      return Number(p.limit) <= 1 ? 'This field may not be blank.' : `Ensure this field has at least ${p.limit} characters.`;
    case 'maxLength':
      return `Ensure this field has no more than ${p.limit} characters.`;
    case 'minimum':
      return `Ensure this value is greater than or equal to ${p.limit}.`;
    case 'maximum':
      return `Ensure this value is less than or equal to ${p.limit}.`;
    case 'minItems':
      return `Ensure this list has at least ${p.limit} items.`;
    case 'maxItems':
      return `Ensure this list has no more than ${p.limit} items.`;
    case 'uniqueItems':
      return 'Items in this list must be unique.';
    case 'format':
      return FORMAT_MESSAGES[String(p.format)] ?? `Enter a valid ${p.format}.`;
    case 'pattern':
      return 'This value has the wrong format.';
    case 'multipleOf':
      return `Ensure this value is a multiple of ${p.multipleOf}.`;
    default:
      return 'Invalid value.';
  }
}

/** Turns the validator's issues into DRF's `{"field": ["message"]}`, one message per field. */
export function fieldErrorsFromValidation(issues: AjvIssue[]): FieldErrors {
  const out: FieldErrors = {};
  // A union ("string or null") reports each branch; the branch errors say more than "anyOf".
  const useful = issues.filter((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf' && i.keyword !== 'if');
  for (const issue of useful.length > 0 ? useful : issues) {
    const field = fieldName(issue);
    if (out[field]) continue;
    if (issue.keyword === 'type' && String(issue.params.type) === 'null') continue;
    out[field] = [messageFor(issue)];
  }
  if (Object.keys(out).length === 0) out.non_field_errors = ['Invalid input.'];
  return out;
}

function send(reply: FastifyReply, statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  reply.code(statusCode).headers(headers).type('application/json; charset=utf-8');
  // Error bodies skip the route's response schema: they are not the route's record shape.
  return reply.serializer(JSON.stringify).send(body);
}

/**
 * What a log line may say about an unexpected error. Database drivers put the offending value in
 * their messages (PostgreSQL: `invalid input syntax for type integer: "<value>"`), and a value can
 * be PHI, so for driver errors only the type, code and call stack are kept; the stack's first
 * line repeats the message and is dropped too.
 */
export function describeUnexpectedError(err: { name?: string; code?: unknown; message?: string; stack?: string; severity?: unknown }) {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const fromDatabase = (code !== undefined && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code))) || err.severity !== undefined;
  if (!fromDatabase) return { type: err.name, code, message: err.message, stack: err.stack };
  const frames = (err.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  return { type: err.name, code, message: '(database error message withheld: it can quote request values)', stack: frames.join('\n') };
}

export function registerErrorHandler(app: FastifyInstance): void {
  const { allowedMethods, staticPathWithoutMethod } = methodRegistry(app);
  const methodNotAllowed = (request: FastifyRequest, reply: FastifyReply, allowed: string[]) => {
    if (anonymousOnProtectedPath(request)) {
      const unauthenticated = new NotAuthenticatedError();
      return send(reply, 401, unauthenticated.body, unauthenticated.headers);
    }
    return sendMethodNotAllowed(request, reply, allowed);
  };
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request);
    if (allowed && !allowed.includes(request.method)) return methodNotAllowed(request, reply, allowed);
    return send(reply, 404, { detail: 'Not found.' });
  });
  // Before any route hook: `PATCH /api/users/me/` is the fixed path's 405, not user "me".
  app.addHook('onRequest', async (request, reply) => {
    const allowed = staticPathWithoutMethod(request);
    if (allowed) return methodNotAllowed(request, reply, allowed);
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) return send(reply, err.statusCode, err.body, err.headers);

    if (err.validation) {
      // An id that is not a valid id cannot name a record: DRF answers 404, not 400.
      if (err.validationContext === 'params') return send(reply, 404, { detail: 'Not found.' });
      return send(reply, 400, fieldErrorsFromValidation(err.validation as AjvIssue[]));
    }

    const violation = constraintViolation(err);
    if (violation?.kind === 'unique') return send(reply, 409, { detail: 'A record with these values already exists.' });
    if (violation?.kind === 'foreign_key') {
      return send(reply, 409, { detail: 'This record is referenced by other records, or references one that does not exist.' });
    }

    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, { detail: 'Unsupported media type in request. Send JSON with Content-Type: application/json.' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, { detail: 'Request body is too large.' });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, { detail: 'JSON parse error - the request body is empty.' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, { detail: 'Invalid Content-Length header.' });
    }
    if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return send(reply, 400, { detail: 'JSON parse error - the request body is not valid JSON.' });
    }
    if (err.statusCode === 429) {
      return send(
        reply,
        429,
        { detail: 'Request was throttled. Try again later.' },
        { 'retry-after': String(reply.getHeader('retry-after') ?? 60) },
      );
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { detail: 'Bad request.' });
    }
    // Unexpected: log with the request id (no body, no PHI) and answer without internals.
    request.log.error({ err: describeUnexpectedError(err) }, 'unhandled error');
    return send(reply, 500, { detail: 'A server error occurred.' });
  });
}
