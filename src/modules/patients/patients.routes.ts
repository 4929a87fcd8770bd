import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { caller } from '../../plugins/auth.js';
import { auditContext } from '../audit/audit.service.js';
import { trimBodyStrings } from '../common/trim.js';
import { DEFAULT_PATIENT_ORDER, Patient, PatientBody, PatientListQuery, PatientPage, PatientPatchBody } from './patients.schemas.js';
import { changePatient, createPatient, deletePatient, getVisiblePatient, listVisiblePatients, presentPatient } from './patients.service.js';

const tags = ['patients'];
const security = [{ bearerAuth: [] }];

const VALIDATION_NOTE =
  'Strings are trimmed and required ones may not be blank; names are kept exactly as sent (any script). ' +
  '`date_of_birth` must be a real date between 1900-01-01 and today (UTC).';

export const patientsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Guards run before the body is parsed or validated: 401/403 come before any 400.
  const anyUser = app.authenticate;
  const staffOnly = app.requireUserType('staff');

  app.get(
    '/api/patients/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'List patients',
        description:
          'Staff and providers see every patient; a patient user sees only their own record. ' +
          `Filters: \`sex\`, \`gender_identity\`, \`date_of_birth\`; \`search\` over names, email and phone. Default order: ${DEFAULT_PATIENT_ORDER}. ` +
          'Each call is recorded in the audit trail with the ids returned.',
        querystring: PatientListQuery,
        response: { 200: PatientPage, ...pick(400, 401, 404) },
      },
    },
    async (request) => {
      const { pr, count, rows } = await fetchPage(request.query, (limit, offset) =>
        listVisiblePatients(app.db, auditContext(request), caller(request), { ...request.query, limit, offset }),
      );
      return pageBody(request, pr, count, rows.map(presentPatient));
    },
  );

  app.post(
    '/api/patients/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Create a patient (staff only)',
        description: VALIDATION_NOTE,
        body: PatientBody,
        response: { 201: Patient, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(presentPatient(await createPatient(app.db, auditContext(request), request.body))),
  );

  app.get(
    '/api/patients/:id/',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        summary: 'Get a patient',
        description: 'A patient user may read only their own record; any other id is 404. Each read is recorded in the audit trail.',
        params: IdParams,
        response: { 200: Patient, ...pick(401, 404) },
      },
    },
    async (request) => presentPatient(await getVisiblePatient(app.db, auditContext(request), caller(request), request.params.id)),
  );

  app.put(
    '/api/patients/:id/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Replace a patient (staff only)',
        description: `All required fields must be sent; omitted optional fields become "". ${VALIDATION_NOTE}`,
        params: IdParams,
        body: PatientBody,
        response: { 200: Patient, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => presentPatient(await changePatient(app.db, auditContext(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/patients/:id/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Update some fields of a patient (staff only)',
        description: VALIDATION_NOTE,
        params: IdParams,
        body: PatientPatchBody,
        response: { 200: Patient, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => presentPatient(await changePatient(app.db, auditContext(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/patients/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Delete a patient (staff only)',
        description:
          'Refused with 409 while a user account or appointments (of any status) reference the patient; the message names them. Nothing is cascaded.',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deletePatient(app.db, auditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
