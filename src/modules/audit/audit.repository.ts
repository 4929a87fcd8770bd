import type { Selectable } from 'kysely';
import type { Database } from '../../db/connect.js';
import type { AuditEventsTable } from '../../db/schema.js';
import type { AuditListFilter } from './audit.schemas.js';

export type AuditRow = Selectable<AuditEventsTable>;

/** `start` is inclusive, `end` inclusive of a whole day when given as a date. */
function bounds(f: AuditListFilter): { from?: string; to?: string } {
  const toIso = (v: string, endOfDay: boolean) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return endOfDay ? `${v}T23:59:59.999Z` : `${v}T00:00:00.000Z`;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  };
  return { from: f.start ? (toIso(f.start, false) ?? undefined) : undefined, to: f.end ? (toIso(f.end, true) ?? undefined) : undefined };
}

export async function findAuditEvent(db: Database, id: number) {
  return db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAuditEvents(db: Database, f: AuditListFilter, limit: number, offset: number) {
  let q = db.selectFrom('audit_events');
  if (f.user !== undefined) q = q.where('user_id', '=', f.user);
  if (f.patient !== undefined) q = q.where('patient_id', '=', f.patient);
  if (f.resource_type !== undefined) q = q.where('resource_type', '=', f.resource_type);
  if (f.resource_id !== undefined) q = q.where('resource_id', '=', f.resource_id);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
  const { from, to } = bounds(f);
  // Timestamps are ISO-8601 UTC strings of one fixed format, so text comparison orders them.
  if (from) q = q.where('created_at', '>=', from);
  if (to) q = q.where('created_at', '<=', to);
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll()
    .orderBy('id', f.ordering === 'id' ? 'asc' : 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return { count: Number(countRow.count), rows };
}
