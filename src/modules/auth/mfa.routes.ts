import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext } from '../audit/audit.service.js';
import {
  MfaCodeBody,
  MfaConfirmResponse,
  MfaDisableBody,
  MfaEnrolment,
  MfaStatus,
  SecuritySettings,
  SecuritySettingsBody,
} from './mfa.schemas.js';
import { confirm, disable, enrol, mfaStatus, resetMfa, securitySettings, setMfaRequired } from './mfa.service.js';

const tags = ['mfa'];
const security = [{ bearerAuth: [] }];
const NoContent = Type.Null({ description: 'Done.' });

/** Two-factor authentication (TOTP): the user's own enrolment, and the staff controls. */
export const mfaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const staffOnly = app.requireUserType('staff');

  app.get(
    '/api/users/me/mfa/',
    {
      onRequest: app.authenticate,
      schema: { tags, security, summary: 'Your two-factor status', response: { 200: MfaStatus, ...pick(401) } },
    },
    async (request) => mfaStatus(app.db, caller(request)),
  );

  app.post(
    '/api/users/me/mfa/',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Start enrolling an authenticator app',
        description: 'Answers a new secret and its otpauth:// URI, shown this once. Confirm with a code to turn MFA on.',
        response: { 201: MfaEnrolment, ...pick(401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await enrol(app, caller(request), auditContext(request))),
  );

  app.post(
    '/api/users/me/mfa/confirm/',
    {
      onRequest: app.authenticate,
      config: { rateLimit: { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        security,
        summary: 'Confirm enrolment with a first code',
        description: 'Turns MFA on and answers 10 single-use recovery codes, shown this once.',
        body: MfaCodeBody,
        response: { 200: MfaConfirmResponse, ...pick(400, 401, 409, 429) },
      },
    },
    async (request) => confirm(app, caller(request), request.body.code, { ip: request.ip }, auditContext(request)),
  );

  app.delete(
    '/api/users/me/mfa/',
    {
      onRequest: app.authenticate,
      config: { rateLimit: { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        security,
        summary: 'Turn two-factor authentication off',
        description: 'Needs a current code (or a recovery code) or your password.',
        body: MfaDisableBody,
        response: { 204: NoContent, ...pick(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      await disable(app, caller(request), request.body ?? {}, { ip: request.ip }, auditContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/users/:id/mfa/reset/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: "Reset a user's two-factor authentication (staff only)",
        description: 'For a lost device: removes the enrolment and recovery codes; the user enrols again.',
        params: IdParams,
        response: { 204: NoContent, ...pick(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await resetMfa(app.db, request.params.id, auditContext(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/security/settings/',
    {
      onRequest: staffOnly,
      schema: { tags, security, summary: 'Clinic security policy (staff only)', response: { 200: SecuritySettings, ...pick(401, 403) } },
    },
    async () => securitySettings(app.db),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/security/settings/',
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Change the clinic security policy (staff only)',
        description:
          'mfa_required: staff and providers without MFA can still log in, but their login response carries `mfa_enrollment_required: true` until they enrol.',
        body: SecuritySettingsBody,
        response: { 200: SecuritySettings, ...pick(400, 401, 403) },
      },
      handler: async (request) => setMfaRequired(app.db, request.body.mfa_required, auditContext(request)),
    });
  }
};
