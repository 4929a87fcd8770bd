import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import { dialectOf } from '../../db/portable.js';
import { type PreparedQuery, preparedQuery, textMark } from '../../db/prepared.js';
import { type ChainedFields, eventHash, GENESIS_HASH } from './audit.chain.js';

/** An event to append: its chained fields and the patients it concerns. */
export interface ChainEvent {
  fields: ChainedFields;
  patients: readonly number[];
}

// Serialises appenders on PostgreSQL so two transactions never chain onto the same event.
const AUDIT_LOCK_KEY = 72_011_442;

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
const inserts = new Map<number, PreparedQuery<Record<string, unknown>, { id: number; hash: string }>>();
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
        )
        .returning(['id', 'hash']),
    );
    inserts.set(n, q);
  }
  return q;
}

/**
 * All of a group's patient links in one statement whatever their number, so its text (and the
 * database's prepared plan) is always the same: the pairs go in as one bound parameter, a JSON
 * array on SQLite, two arrays on PostgreSQL. A list read links each of its 20-100 patients, and
 * building a multi-row insert of a group's links per commit was a tenth of a list request's CPU.
 */
async function insertLinks(trx: Database, links: readonly [patient: number, event: number][]): Promise<void> {
  const query =
    dialectOf(trx) === 'postgres'
      ? CompiledQuery.raw('insert into audit_event_patients (patient_id, event_id) select * from unnest($1::integer[], $2::integer[])', [
          links.map((l) => l[0]),
          links.map((l) => l[1]),
        ])
      : CompiledQuery.raw('insert into audit_event_patients (patient_id, event_id) select value ->> 0, value ->> 1 from json_each(?)', [
          JSON.stringify(links),
        ]);
  await trx.executeQuery(query);
}

/** Appends events, in order, to the chain inside the given transaction, with their patient links. */
async function appendToChain(trx: Database, events: readonly ChainEvent[]): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const [last] = await lastHash.execute(trx, {});
  let prevHash = last?.hash ?? GENESIS_HASH;
  const args: Record<string, unknown> = {};
  const patientsByHash = new Map<string, readonly number[]>();
  events.forEach(({ fields, patients }, i) => {
    const hash = eventHash(prevHash, fields);
    const row: ChainRow = { ...fields, prev_hash: prevHash, hash };
    for (const c of CHAIN_COLUMNS) args[`${i}.${c}`] = row[c];
    if (patients.length > 0) patientsByHash.set(hash, patients);
    prevHash = hash;
  });
  const inserted = await insertOf(events.length).execute(trx, args);
  if (patientsByHash.size === 0) return;
  // Rows come back matched by hash (unique per event), whatever order RETURNING gives them in.
  const links = inserted.flatMap(({ id, hash }) => (patientsByHash.get(hash) ?? []).map((p): [number, number] => [p, Number(id)]));
  if (links.length > 0) await insertLinks(trx, links);
}

interface PendingEvent {
  event: ChainEvent;
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

  append(event: ChainEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, done: (err) => (err === undefined ? resolve() : reject(err)) });
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
              group.map((e) => e.event),
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
 * Appends one event. With the transaction of the change it records it commits or rolls back with
 * it; with `db` itself (reads, failed logins) it is group-committed and resolves once written.
 */
export async function appendEvent(db: Database, event: ChainEvent): Promise<void> {
  if (db.isTransaction) {
    await appendToChain(db, [event]);
    return;
  }
  let appender = appenders.get(db);
  if (!appender) {
    appender = new GroupAppender(db);
    appenders.set(db, appender);
  }
  await appender.append(event);
}
