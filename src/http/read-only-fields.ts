import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Fields every record shows but no client sets. Django REST Framework ignores read-only fields in
 * a request body, so its clients PUT back what they GET (`id`, `created_at`, ...); they are
 * dropped here before validation, on routes whose record has them and whose body does not take
 * them. Every other field a body does not declare is still refused (400): privileged fields such
 * as `user_type` or `status` are never silently ignored.
 */
const READ_ONLY_FIELDS = ['id', 'url', 'created_at', 'updated_at', 'date_joined', 'last_login'];

type ObjectSchema = { properties?: Record<string, unknown> } | undefined;

function propertyNames(schema: unknown): Set<string> {
  return new Set(Object.keys((schema as ObjectSchema)?.properties ?? {}));
}

function readOnlyFieldsOf(schema: { body?: unknown; response?: Record<string, unknown> } | undefined): string[] {
  if (!schema?.body) return [];
  const body = propertyNames(schema.body);
  const record = new Set([...propertyNames(schema.response?.[200]), ...propertyNames(schema.response?.[201])]);
  return READ_ONLY_FIELDS.filter((f) => record.has(f) && !body.has(f));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    readOnlyFields?: string[];
  }
}

function dropReadOnly(request: FastifyRequest): void {
  const fields = request.routeOptions.config.readOnlyFields;
  const body = request.body;
  if (!fields?.length || body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const f of fields) delete (body as Record<string, unknown>)[f];
}

export function registerReadOnlyFields(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const readOnlyFields = readOnlyFieldsOf(route.schema as Parameters<typeof readOnlyFieldsOf>[0]);
    if (readOnlyFields.length > 0) route.config = { ...(route.config as object), readOnlyFields } as typeof route.config;
  });
  app.addHook('preValidation', async (request) => dropReadOnly(request));
}
