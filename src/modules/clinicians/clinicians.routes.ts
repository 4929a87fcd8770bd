import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../errors.js';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { auditContext } from '../audit/audit.service.js';
import { trimBodyStrings } from '../common/trim.js';
import { findClinicianById, listClinicians } from './clinicians.repository.js';
import {
  Clinician,
  ClinicianBody,
  ClinicianListQuery,
  ClinicianPage,
  ClinicianPatchBody,
  DEFAULT_CLINICIAN_ORDER,
} from './clinicians.schemas.js';
import { changeClinician, createClinician, deleteClinician, presentClinician } from './clinicians.service.js';

const tags = ['clinicians'];
const security = [{ bearerAuth: [] }];

const UNIQUE_NOTE = '`emailid` is unique whatever its case (400 on `emailid` when taken); `npi` is blank or a valid NPI (400 on `npi`).';

export const cliniciansRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Who may call is decided before the body is parsed or validated: an anonymous caller gets 401
  // and a provider or patient 403, never a validation answer about a resource they cannot touch.
  const staffOnly = app.requireUserType('staff');

  app.get(
    '/api/clinician-users/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'List clinicians (staff only)',
        description: `Paginated. Filters: \`role\`, \`supervising_clinician\`; \`search\` over names, emailid and npi. Default order: ${DEFAULT_CLINICIAN_ORDER}.`,
        querystring: ClinicianListQuery,
        response: { 200: ClinicianPage, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pr, count, rows } = await fetchPage(request.query, (limit, offset) =>
        listClinicians(app.db, { ...request.query, limit, offset }),
      );
      return pageBody(request, pr, count, rows.map(presentClinician));
    },
  );

  app.post(
    '/api/clinician-users/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Create a clinician (staff only)',
        description: UNIQUE_NOTE,
        body: ClinicianBody,
        response: { 201: Clinician, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const row = await createClinician(app.db, auditContext(request), request.body);
      return reply.code(201).send(presentClinician(row));
    },
  );

  app.get(
    '/api/clinician-users/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Get a clinician (staff only)',
        params: IdParams,
        response: { 200: Clinician, ...pick(401, 403, 404) },
      },
    },
    async (request) => {
      const row = await findClinicianById(app.db, request.params.id);
      if (!row) throw new NotFoundError();
      return presentClinician(row);
    },
  );

  app.put(
    '/api/clinician-users/:id/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Replace a clinician (staff only)',
        description: `All required fields must be sent; omitted optional fields go back to their defaults. ${UNIQUE_NOTE}`,
        params: IdParams,
        body: ClinicianBody,
        response: { 200: Clinician, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => presentClinician(await changeClinician(app.db, auditContext(request), request.params.id, request.body)),
  );

  app.patch(
    '/api/clinician-users/:id/',
    {
      onRequest: staffOnly,
      preValidation: trimBodyStrings,
      schema: {
        tags,
        security,
        summary: 'Update some fields of a clinician (staff only)',
        description: UNIQUE_NOTE,
        params: IdParams,
        body: ClinicianPatchBody,
        response: { 200: Clinician, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => presentClinician(await changeClinician(app.db, auditContext(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/clinician-users/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Delete a clinician (staff only)',
        description:
          'Refused with 409 while user accounts, appointment slots or appointments reference the clinician; the message names them. Nothing is cascaded.',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deleteClinician(app.db, auditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
