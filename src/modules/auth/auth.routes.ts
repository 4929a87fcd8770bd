import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pick } from '../../http/schemas.js';
import { auditContext } from '../audit/audit.service.js';
import { authRateLimit } from '../security/throttle.plugin.js';
import type { UserRow } from '../users/users.repository.js';
import { presentUser } from '../users/users.service.js';
import { LoginBody, RefreshBody, TokenPairResponse } from './auth.schemas.js';
import { login, loginWithMfa } from './login.service.js';
import { CompletedLoginResponse, LoginMfaBody, LoginOrChallengeResponse } from './mfa.schemas.js';
import { logout, rotateRefresh } from './tokens.service.js';

const tags = ['auth'];

function loginBody(
  request: FastifyRequest,
  outcome: { user: UserRow; tokens: { access: string; refresh: string }; mfaEnrollmentRequired: boolean },
) {
  return {
    user: presentUser(request, outcome.user),
    ...outcome.tokens,
    user_type: outcome.user.user_type,
    ...(outcome.mfaEnrollmentRequired ? { mfa_enrollment_required: true } : {}),
  };
}

function clientInfo(request: FastifyRequest) {
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') };
}

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/login/',
    {
      config: { rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: 'Log in with email and password',
        description:
          'Returns the user and a JWT pair. Unknown email, wrong password and inactive account all answer 400 with the same message. ' +
          'A user with two-factor authentication gets `{"mfa_required": true, "mfa_token": …}` instead; finish with POST /api/login/mfa/. ' +
          'After repeated failures the account answers 429 with Retry-After.',
        body: LoginBody,
        response: { 200: LoginOrChallengeResponse, ...pick(400, 429) },
      },
    },
    async (request) => {
      const outcome = await login(app, request.body.email, request.body.password, clientInfo(request), auditContext(request));
      if (outcome.kind === 'mfa') return { mfa_required: true as const, mfa_token: outcome.mfaToken };
      return loginBody(request, outcome);
    },
  );

  app.post(
    '/api/login/mfa/',
    {
      config: { rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: 'Finish a login with a two-factor code',
        description: 'The `mfa_token` from /api/login/ and a 6-digit code from the authenticator app, or an unused recovery code.',
        body: LoginMfaBody,
        response: { 200: CompletedLoginResponse, ...pick(400, 401, 429) },
      },
    },
    async (request) => {
      const outcome = await loginWithMfa(app, request.body.mfa_token, request.body.code, clientInfo(request), auditContext(request));
      return loginBody(request, outcome);
    },
  );

  app.post(
    '/api/token/refresh/',
    {
      config: { rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new pair',
        description: 'The refresh token rotates: the one sent is spent. Sending a spent one again revokes that whole login.',
        body: RefreshBody,
        response: { 200: TokenPairResponse, ...pick(400, 401, 429) },
      },
    },
    async (request) => rotateRefresh(app, request.body.refresh, clientInfo(request), auditContext(request)),
  );

  app.post(
    '/api/logout/',
    {
      schema: {
        tags,
        summary: 'Log out: revoke the login a refresh token belongs to',
        body: RefreshBody,
        response: { 204: Type.Null({ description: 'Logged out.' }), ...pick(400, 401) },
      },
    },
    async (request, reply) => {
      await logout(app, request.body.refresh, auditContext(request));
      return reply.code(204).send(null);
    },
  );
};
