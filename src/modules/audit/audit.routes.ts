import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../errors.js';
import { fetchPage, pageBody } from '../../http/pagination.js';
import { IdParams, pick } from '../../http/schemas.js';
import { type AuditRow, findAuditEvent, listAuditEvents } from './audit.repository.js';
import { AuditEvent, AuditListQuery, AuditPage } from './audit.schemas.js';
import { auditContext, recordRead } from './audit.service.js';

const tags = ['audit'];
const security = [{ bearerAuth: [] }];

function present(row: AuditRow) {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = { unparsable: true };
  }
  return {
    id: row.id,
    created_at: row.created_at,
    user: row.user_id,
    user_type: row.user_type,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    patient: row.patient_id,
    outcome: row.outcome as 'success' | 'failure' | 'denied',
    client_ip: row.client_ip,
    request_id: row.request_id,
    details,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The audit trail, read-only. There is deliberately no route that changes or deletes an event
 * (other methods are 405): writes to it only happen inside the transactions of the changes they
 * record, and the database refuses updates and deletes (db/audit-guard.ts).
 */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const staffOnly = app.requireUserType('staff');

  app.get(
    '/api/audit-events/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'The audit trail (staff only)',
        description:
          'Who saw and changed which record. Newest first. Filters: user, patient, resource_type, resource_id, action, outcome, start/end.',
        querystring: AuditListQuery,
        response: { 200: AuditPage, ...pick(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pr, count, rows } = await fetchPage(request.query, (limit, offset) => listAuditEvents(app.db, request.query, limit, offset));
      const body = pageBody(request, pr, count, rows.map(present));
      // Reading the trail is itself an access worth accounting for.
      await recordRead(app.db, auditContext(request), { action: 'list', resourceType: 'audit_event', ids: rows.map((r) => r.id) });
      return body;
    },
  );

  app.get(
    '/api/audit-events/:id/',
    {
      onRequest: staffOnly,
      schema: {
        tags,
        security,
        summary: 'One audit event (staff only)',
        params: IdParams,
        response: { 200: AuditEvent, ...pick(401, 403, 404) },
      },
    },
    async (request) => {
      const row = await findAuditEvent(app.db, request.params.id);
      if (!row) throw new NotFoundError();
      await recordRead(app.db, auditContext(request), { action: 'read', resourceType: 'audit_event', ids: [row.id] });
      return present(row);
    },
  );
};
