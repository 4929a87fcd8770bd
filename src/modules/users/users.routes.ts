import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../errors.js';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext } from '../audit/audit.service.js';
import { findUserById, listUsers } from './users.repository.js';
import { User, UserCreateBody, UserListQuery, UserPage, UserPatchBody, UserReplaceBody } from './users.schemas.js';
import { changeUser, createUser, presentUser } from './users.service.js';

const tags = ['users'];
const security = [{ bearerAuth: [] }];

export const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const staffOnly = app.requireUserType('staff');

  app.get(
    '/api/users/me/',
    {
      onRequest: app.authenticate,
      schema: { tags, security, summary: 'The signed-in user', response: { 200: User, ...pick(401) } },
    },
    async (request) => presentUser(request, caller(request)),
  );

  app.get(
    '/api/users/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'List users (staff only)',
        querystring: UserListQuery,
        response: { 200: UserPage, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pr, count, rows } = await fetchPage(request.query, (limit, offset) => listUsers(app.db, { ...request.query, limit, offset }));
      return pageBody(
        request,
        pr,
        count,
        rows.map((u) => presentUser(request, u)),
      );
    },
  );

  app.post(
    '/api/users/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Create a user (staff only)',
        description: 'A patient user needs `linked_patient`, a provider `linked_clinician`, staff neither.',
        body: UserCreateBody,
        response: { 201: User, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const user = await createUser(app.db, auditContext(request), request.body);
      return reply.code(201).send(presentUser(request, user));
    },
  );

  app.get(
    '/api/users/:id/',
    {
      onRequest: staffOnly,
      schema: { tags, security, summary: 'Get a user (staff only)', params: IdParams, response: { 200: User, ...pick(401, 403, 404) } },
    },
    async (request) => {
      const user = await findUserById(app.db, request.params.id);
      if (!user) throw new NotFoundError();
      return presentUser(request, user);
    },
  );

  app.put(
    '/api/users/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Replace a user (staff only)',
        description: 'A `password` here resets it and ends all of the user’s sessions.',
        params: IdParams,
        body: UserReplaceBody,
        response: { 200: User, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await changeUser(app.db, auditContext(request), caller(request), request.params.id, request.body);
      return presentUser(request, user);
    },
  );

  app.patch(
    '/api/users/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Update some fields of a user (staff only)',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: User, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await changeUser(app.db, auditContext(request), caller(request), request.params.id, request.body);
      return presentUser(request, user);
    },
  );
};
