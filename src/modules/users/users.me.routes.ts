import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, PageQuery, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext } from '../audit/audit.service.js';
import { PasswordChangeBody, PasswordChangeResponse, SessionPage, SessionParams } from './users.me.schemas.js';
import { changeOwnPassword, listSessions, revokeAllSessions, revokeOwnSession } from './users.me.service.js';

const tags = ['users'];
const security = [{ bearerAuth: [] }];
const NoContent = Type.Null({ description: 'Done.' });

/** The signed-in user's own password and logins, and the staff action that ends a user's logins. */
export const usersMeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/users/me/password/',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Change your password',
        description:
          'Needs the old password. Every existing login and access token of the user stops working; the response carries a fresh token pair so this device stays signed in.',
        body: PasswordChangeBody,
        response: { 200: PasswordChangeResponse, ...pick(400, 401, 429) },
      },
    },
    async (request) => {
      const client = { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') };
      const tokens = await changeOwnPassword(app, caller(request).id, request.body, client, auditContext(request));
      return { detail: 'Password changed. Other sessions have been signed out.', ...tokens };
    },
  );

  app.get(
    '/api/users/me/sessions/',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Your live logins',
        description: 'One per login (device): when it started, when it was last refreshed, from where.',
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: SessionPage, ...pick(400, 401, 404) },
      },
    },
    async (request) => {
      const all = await listSessions(app.db, caller(request).id, request.sessionId);
      const { pr, count, rows } = await fetchPage(request.query, async (limit, offset) => ({
        count: all.length,
        rows: all.slice(offset, offset + limit),
      }));
      return pageBody(request, pr, count, rows);
    },
  );

  app.delete(
    '/api/users/me/sessions/:id/',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        summary: 'Sign out one of your logins',
        description: 'Its refresh token and its access tokens stop working at once.',
        params: SessionParams,
        response: { 204: NoContent, ...pick(401, 404) },
      },
    },
    async (request, reply) => {
      await revokeOwnSession(app.db, caller(request).id, request.params.id, auditContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/users/:id/revoke-sessions/',
    {
      onRequest: app.requireUserType('staff'),
      schema: {
        tags,
        security,
        summary: 'End every login of a user (staff only)',
        description: 'Revokes all refresh tokens and stops every access token already issued to the user.',
        params: IdParams,
        response: { 204: NoContent, ...pick(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeAllSessions(app.db, request.params.id, auditContext(request));
      return reply.code(204).send(null);
    },
  );
};
