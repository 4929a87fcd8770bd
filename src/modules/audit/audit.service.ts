import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import { dialectOf } from '../../db/portable.js';
import { type PreparedQuery, preparedQuery, textMark } from '../../db/prepared.js';
import { type ChainedFields, eventHash, GENESIS_HASH } from './audit.chain.js';

/** Who acted, from where: taken from the request once, passed to services. */
export interface AuditContext {
  userId: number | null;
  userType: string;
  clientIp: string;
  requestId: string;
}

export function auditContext(request: FastifyRequest): AuditContext {
  const user = request.currentUser;
  return { userId: user?.id ?? null, userType: user?.user_type ?? '', clientIp: request.ip, requestId: String(request.id) };
}

export interface AuditEventInput {
  action: string;
  resourceType?: string;
  resourceId?: string | number | null;
  patientId?: number | null;
  outcome?: 'success' | 'failure' | 'denied';
  /** Field names, ids returned, reasons. Never values of PHI, passwords or tokens. */
  details?: Record<string, unknown>;
  /** Overrides the context's user (e.g. a login attempt, where nobody is signed in yet). */
  userId?: number | null;
  userType?: string;
}

// Serialises appenders on PostgreSQL so two transactions never chain onto the same event.
const AUDIT_LOCK_KEY = 72_011_442;

function chainedFields(ctx: AuditContext, input: AuditEventInput): ChainedFields {
  return {
    created_at: new Date().toISOString(),
    user_id: input.userId !== undefined ? input.userId : ctx.userId,
    user_type: input.userType ?? ctx.userType,
    action: input.action,
    resource_type: input.resourceType ?? '',
    resource_id: input.resourceId == null ? '' : String(input.resourceId),
    patient_id: input.patientId ?? null,
    outcome: input.outcome ?? 'success',
    client_ip: ctx.clientIp,
    request_id: ctx.requestId,
    details: JSON.stringify(input.details ?? {}),
  };
}

const CHAIN_COLUMNS = [
  'created_at',
  'user_id',
  'user_type',
  'action',
  'resource_type',
  'resource_id',
  'patient_id',
  'outcome',
  'client_ip',
  'request_id',
  'details',
  'prev_hash',
  'hash',
] as const;
type ChainRow = ChainedFields & { prev_hash: string; hash: string };

const lastHash = preparedQuery({}, (db) => db.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1));

/** The insert of n events, prepared per group size (one to MAX_GROUP). */
const inserts = new Map<number, PreparedQuery<Record<string, unknown>, unknown>>();
function insertOf(n: number) {
  let q = inserts.get(n);
  if (!q) {
    const marks: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) for (const c of CHAIN_COLUMNS) marks[`${i}.${c}`] = textMark(`${i}.${c}`);
    q = preparedQuery(marks, (db, m) =>
      db
        .insertInto('audit_events')
        .values(
          Array.from({ length: n }, (_, i) => Object.fromEntries(CHAIN_COLUMNS.map((c) => [c, m[`${i}.${c}`]])) as unknown as ChainRow),
        ),
    );
    inserts.set(n, q);
  }
  return q;
}

/** Appends events, in order, to the chain inside the given transaction. */
async function appendToChain(trx: Database, events: ChainedFields[]): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const [last] = await lastHash.execute(trx, {});
  let prevHash = last?.hash ?? GENESIS_HASH;
  const args: Record<string, unknown> = {};
  events.forEach((fields, i) => {
    const hash = eventHash(prevHash, fields);
    const row: ChainRow = { ...fields, prev_hash: prevHash, hash };
    for (const c of CHAIN_COLUMNS) args[`${i}.${c}`] = row[c];
    prevHash = hash;
  });
  await insertOf(events.length).execute(trx, args);
}

interface PendingEvent {
  fields: ChainedFields;
  done: (err?: unknown) => void;
}

/** 13 columns a row: 500 rows stay far below SQLite's and PostgreSQL's bound-parameter limits. */
const MAX_GROUP = 500;

/**
 * Group commit for events that have no transaction of their own (reads of PHI, failed logins).
 * Every caller still waits until its event is committed, so nothing is answered unaudited; but
 * while one group is being written the next requests' events gather and go in together, in one
 * transaction and one chain lock, instead of queueing one transaction each.
 */
class GroupAppender {
  private queue: PendingEvent[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  append(fields: ChainedFields): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ fields, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!this.writing) {
        // Start on the next turn of the event loop, after the requests already read from the
        // sockets have queued their events too: with a synchronous driver (SQLite) nothing else
        // would run while a group is written, and every group would hold one event.
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          await this.db.transaction().execute((trx) =>
            appendToChain(
              trx,
              group.map((e) => e.fields),
            ),
          );
          for (const e of group) e.done();
        } catch (err) {
          for (const e of group) e.done(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

const appenders = new WeakMap<Database, GroupAppender>();

/**
 * Appends one event to the hash chain. Call it with the transaction of the change it records, so
 * the event commits or rolls back with it; called with `db` itself (reads, failed logins) it is
 * group-committed and resolves once written.
 */
export async function recordAudit(db: Database, ctx: AuditContext, input: AuditEventInput): Promise<void> {
  const fields = chainedFields(ctx, input);
  if (db.isTransaction) {
    await appendToChain(db, [fields]);
    return;
  }
  let appender = appenders.get(db);
  if (!appender) {
    appender = new GroupAppender(db);
    appenders.set(db, appender);
  }
  await appender.append(fields);
}

/** Names of the fields a write changed: what the audit trail keeps instead of values. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after)
    .filter((k) => k !== 'updated_at' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/**
 * A read of PHI (HIPAA accounting of access): one event per request with the ids returned.
 * `patientId` is set when every returned record belongs to one patient, so the trail can be
 * filtered by patient; list events keep every id in `details.ids`.
 */
export async function recordRead(
  db: Database,
  ctx: AuditContext,
  input: {
    action: 'read' | 'list';
    resourceType: string;
    ids: readonly (number | string)[];
    patientIds?: readonly (number | null)[];
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const patients = [...new Set((input.patientIds ?? []).filter((p): p is number => p != null))];
  await recordAudit(db, ctx, {
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.action === 'read' ? (input.ids[0] ?? null) : null,
    patientId: patients.length === 1 ? patients[0] : null,
    details: { ...input.details, ids: input.ids, ...(patients.length > 1 ? { patient_ids: patients } : {}) },
  });
}
