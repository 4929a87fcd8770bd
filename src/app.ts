import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppConfig } from './config.js';
import type { Database } from './db/connect.js';
import { registerErrorHandler } from './errors.js';
import { registerInputHygiene } from './http/input-hygiene.js';
import { registerReadOnlyFields } from './http/read-only-fields.js';
import { registerValidators } from './http/validation.js';
import { appointmentsRoutes } from './modules/appointments/appointments.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { cliniciansRoutes } from './modules/clinicians/clinicians.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { patientsRoutes } from './modules/patients/patients.routes.js';
import { securityRoutes } from './modules/security/security.routes.js';
import throttlePlugin from './modules/security/throttle.plugin.js';
import { slotsRoutes } from './modules/slots/slots.routes.js';
import { usersRoutes } from './modules/users/users.routes.js';
import adminPlugin from './plugins/admin.js';
import authPlugin from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import openapiPlugin from './plugins/openapi.js';
import securityHeaders from './plugins/security-headers.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    /** "METHOD /path" of every route, for the test that checks the OpenAPI document covers them. */
    routeList: string[];
  }
}

export interface BuildOptions {
  config: AppConfig;
  db: Database;
  /** Where JSON log lines go (tests capture them); stdout when omitted. */
  logStream?: NodeJS.WritableStream;
}

/** Request ids: a well-formed one from a proxy is kept so logs correlate, else a fresh UUID. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(incoming)) return incoming;
  return randomUUID();
}

/**
 * Log lines carry the path without its query string (a search term can be a patient's name),
 * never headers or bodies, so no PHI, password or token reaches a log.
 */
function loggerOptions(config: AppConfig, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers', 'headers.authorization', '*.password', '*.refresh', '*.access'], remove: true },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

export async function buildApp({ config, db, logStream }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, logStream),
    genReqId: requestId,
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  const routeList: string[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeList.push(`${method} ${route.url}`);
    }
  });
  registerValidators(app);
  registerInputHygiene(app);
  registerReadOnlyFields(app);
  // The API speaks JSON only; a text/plain body is "unsupported media type" (415), as in DRF.
  app.removeContentTypeParser('text/plain');
  // An empty body with a JSON content type is no body (clients that always send the header, e.g.
  // on DELETE, worked with Django); a route that needs a body still says which fields are missing.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
  // No body at all is an empty form, as DRF reads it: the answer names the missing fields
  // (`{"refresh": ["This field is required."]}`), not "Expected an object.".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body && ['POST', 'PUT', 'PATCH'].includes(request.method)) {
      request.body = {};
    }
  });
  registerErrorHandler(app);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    // Responses of the API can hold PHI: no browser or proxy may keep a copy.
    if (request.url.startsWith('/api/') && !request.url.startsWith('/api/docs')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(securityHeaders);
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    credentials: false,
    maxAge: 600,
  });

  await app.register(dbPlugin, { db });
  await app.register(authPlugin, { config });
  await app.register(openapiPlugin);

  await app.register(throttlePlugin);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(usersRoutes);
  await app.register(cliniciansRoutes);
  await app.register(patientsRoutes);
  await app.register(slotsRoutes);
  await app.register(appointmentsRoutes);
  await app.register(securityRoutes);
  await app.register(adminPlugin);

  return app;
}
