import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext } from '../audit/audit.service.js';
import { instantRange } from './instants.js';
import { bulkCreateSlots } from './slots.bulk.js';
import { listSlots } from './slots.repository.js';
import {
  Slot,
  SlotBulkBody,
  SlotBulkResult,
  SlotCreateBody,
  SlotListQuery,
  SlotPage,
  SlotPatchBody,
  SlotReplaceBody,
} from './slots.schemas.js';
import { changeSlot, createSlot, ownClinician, presentSlot, removeSlot, visibleSlot } from './slots.service.js';

const tags = ['appointment-slots'];
const security = [{ bearerAuth: [] }];
const scope = 'Providers see and manage only their own slots (another provider’s slot is 404); staff manage all; patients get 403.';

export const slotsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const providerOrStaff = app.requireUserType('staff', 'provider');

  app.get(
    '/api/appointment-slots/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'List appointment slots',
        description: `${scope} Dates in \`start\`/\`end\` are whole UTC days; datetimes need an offset.`,
        querystring: SlotListQuery,
        response: { 200: SlotPage, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const range = instantRange(q.start ?? q.dateandtime_after, q.end ?? q.dateandtime_before, {
        start: q.start !== undefined ? 'start' : 'dateandtime_after',
        end: q.end !== undefined ? 'end' : 'dateandtime_before',
      });
      const { pr, count, rows } = await fetchPage(q, (limit, offset) =>
        listSlots(app.db, {
          ownerProvider: ownClinician(caller(request)),
          provider: q.provider,
          is_available: q.is_available,
          range,
          ordering: q.ordering,
          limit,
          offset,
        }),
      );
      return pageBody(request, pr, count, rows.map(presentSlot));
    },
  );

  app.post(
    '/api/appointment-slots/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Create a slot',
        description: `${scope} \`day\` is derived in the slot’s time zone when omitted.`,
        body: SlotCreateBody,
        response: { 201: Slot, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const slot = await createSlot(app.db, auditContext(request), caller(request), request.body);
      return reply.code(201).send(presentSlot(slot));
    },
  );

  app.post(
    '/api/appointment-slots/bulk/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Create a run of slots from a recurring weekly rule',
        description: 'One transaction. A provider’s slots are always their own; staff must send `provider`.',
        body: SlotBulkBody,
        response: { 201: SlotBulkResult, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const result = await bulkCreateSlots(app.db, auditContext(request), caller(request), request.body);
      return reply.code(201).send({ ...result, slots: result.slots.map(presentSlot) });
    },
  );

  app.get(
    '/api/appointment-slots/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Get a slot',
        description: scope,
        params: IdParams,
        response: { 200: Slot, ...pick(401, 403, 404) },
      },
    },
    async (request) => presentSlot(await visibleSlot(app.db, caller(request), request.params.id)),
  );

  app.put(
    '/api/appointment-slots/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Replace a slot',
        description: `${scope} Moving a slot (time or provider) or making it available while it has a live booking is 409.`,
        params: IdParams,
        body: SlotReplaceBody,
        response: { 200: Slot, ...pick(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentSlot(await changeSlot(app.db, auditContext(request), caller(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/appointment-slots/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Update some fields of a slot',
        description: `${scope} Moving a slot (time or provider) or making it available while it has a live booking is 409.`,
        params: IdParams,
        body: SlotPatchBody,
        response: { 200: Slot, ...pick(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentSlot(await changeSlot(app.db, auditContext(request), caller(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/appointment-slots/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Delete a slot',
        description: `${scope} A slot that any appointment references (even a cancelled one) is not deleted: 409 naming the appointments.`,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeSlot(app.db, auditContext(request), caller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
