import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpError, NotFoundError } from '../../errors.js';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext, recordRead } from '../audit/audit.service.js';
import { instantRange } from '../slots/instants.js';
import { clinicianExists, listSlots } from '../slots/slots.repository.js';
import { SlotPage } from '../slots/slots.schemas.js';
import { presentSlot } from '../slots/slots.service.js';
import { type AppointmentScope, listAppointments } from './appointments.repository.js';
import {
  Appointment,
  AppointmentCreateBody,
  AppointmentListQuery,
  AppointmentPage,
  AppointmentPatchBody,
  AppointmentReplaceBody,
  AvailableSlotsQuery,
} from './appointments.schemas.js';
import {
  cancelAppointment,
  changeAppointment,
  createAppointment,
  presentAppointment,
  readAppointment,
  scopeOf,
} from './appointments.service.js';

const tags = ['appointments'];
const security = [{ bearerAuth: [] }];
const scope = 'Staff see all appointments; a provider only theirs, a patient only theirs (anyone else’s is 404).';

type ListQuery = Type.Static<typeof AppointmentListQuery>;

export const appointmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const anyUser = app.authenticate;
  const providerOrStaff = app.requireUserType('staff', 'provider');

  /** Lists are reads of PHI: the returned ids go to the audit trail. */
  async function listPage(request: FastifyRequest, query: ListQuery, appointmentScope: AppointmentScope) {
    const range = instantRange(query.start, query.end);
    const { pr, count, rows } = await fetchPage(query, (limit, offset) =>
      listAppointments(app.db, {
        scope: appointmentScope,
        status: query.status,
        provider: query.provider,
        patient: query.patient,
        range,
        ordering: query.ordering,
        limit,
        offset,
      }),
    );
    const body = pageBody(request, pr, count, rows.map(presentAppointment));
    await recordRead(app.db, auditContext(request), {
      action: 'list',
      resourceType: 'appointment',
      ids: rows.map((r) => r.id),
      patientIds: rows.map((r) => r.patient),
    });
    return body;
  }

  app.get(
    '/api/appointments/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'List appointments',
        description: scope,
        querystring: AppointmentListQuery,
        response: { 200: AppointmentPage, ...pick(400, 401, 404) },
      },
    },
    async (request) => listPage(request, request.query, scopeOf(caller(request))),
  );

  app.get(
    '/api/appointments/my_appointments/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'The caller’s own appointments',
        description: 'A provider’s or patient’s own appointments; staff have none (an empty list).',
        querystring: AppointmentListQuery,
        response: { 200: AppointmentPage, ...pick(400, 401, 404) },
      },
    },
    async (request) => {
      const actor = caller(request);
      if (actor.user_type === 'staff') {
        const { pr } = await fetchPage(request.query, async () => ({ count: 0, rows: [] }));
        return pageBody(request, pr, 0, []);
      }
      return listPage(request, request.query, scopeOf(actor));
    },
  );

  app.get(
    '/api/appointments/available_slots/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'A provider’s available future slots',
        description: 'Every signed-in user may call it, patients too. Ordered by time.',
        querystring: AvailableSlotsQuery,
        response: { 200: SlotPage, ...pick(400, 401, 404) },
      },
    },
    async (request) => {
      const providerId = request.query.provider_id;
      if (providerId === undefined) throw new HttpError(400, { detail: 'provider_id is required' });
      if (!(await clinicianExists(app.db, providerId))) throw new NotFoundError('Provider not found.');
      const after = new Date().toISOString();
      const { pr, count, rows } = await fetchPage(request.query, (limit, offset) =>
        listSlots(app.db, {
          provider: providerId,
          is_available: true,
          after,
          range: { toExclusive: false },
          ordering: 'dateandtime',
          limit,
          offset,
        }),
      );
      return pageBody(request, pr, count, rows.map(presentSlot));
    },
  );

  app.post(
    '/api/appointments/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'Book an appointment',
        body: AppointmentCreateBody,
        response: { 201: Appointment, ...pick(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const appointment = await createAppointment(app.db, auditContext(request), caller(request), request.body);
      return reply.code(201).send(presentAppointment(appointment));
    },
  );

  app.get(
    '/api/appointments/:id/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'Get an appointment',
        description: scope,
        params: IdParams,
        response: { 200: Appointment, ...pick(401, 404) },
      },
    },
    async (request) => presentAppointment(await readAppointment(app.db, auditContext(request), caller(request), request.params.id)),
  );

  const changeDescription =
    'Staff any, a provider their own, patients 403. Status `cancelled` frees the slot; a new `appointment_slot` moves the booking atomically (409 if taken). ' +
    'A cancelled appointment is final (409), and so is a change that raced another one (409: reload and try again).';

  app.put(
    '/api/appointments/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Replace an appointment',
        description: changeDescription,
        params: IdParams,
        body: AppointmentReplaceBody,
        response: { 200: Appointment, ...pick(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentAppointment(await changeAppointment(app.db, auditContext(request), caller(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/appointments/:id/',
    {
      onRequest: providerOrStaff,
      schema: {
        tags,
        security,
        summary: 'Update some fields of an appointment',
        description: changeDescription,
        params: IdParams,
        body: AppointmentPatchBody,
        response: { 200: Appointment, ...pick(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentAppointment(await changeAppointment(app.db, auditContext(request), caller(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/appointments/:id/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'Cancel an appointment',
        description:
          'Sets status `cancelled` and frees the slot; the record is kept and stays readable. Staff any, a provider their own, ' +
          'a patient their own while it is in the future (403 after). Cancelling again is 204; 409 if it was moved meanwhile.',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Cancelled.' }), ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await cancelAppointment(app.db, auditContext(request), caller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
