import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pick } from '../../http/schemas.js';
import { auditContext } from '../audit/audit.service.js';
import { authRateLimit } from '../security/throttle.plugin.js';
import { presentUser } from '../users/users.service.js';
import { LoginBody, LoginResponse, RefreshBody, TokenPairResponse } from './auth.schemas.js';
import { login } from './login.service.js';
import { logout, rotateRefresh } from './tokens.service.js';

const tags = ['auth'];

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
          'Returns the user and a JWT pair. Unknown email, wrong password and inactive account all answer 400 with the same message.',
        body: LoginBody,
        response: { 200: LoginResponse, ...pick(400, 429) },
      },
    },
    async (request) => {
      const { user, tokens } = await login(app, request.body.email, request.body.password, clientInfo(request), auditContext(request));
      return { user: presentUser(request, user), ...tokens, user_type: user.user_type };
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
