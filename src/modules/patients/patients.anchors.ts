import { type Expression, type SqlBool, sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import { preparedQuery } from '../../db/prepared.js';

/**
 * Deep pages of the unfiltered patient list without an OFFSET walk of the whole index.
 *
 * DRF's page numbers cannot become keyset pagination, and `OFFSET 90000` skips 90 000 index
 * entries on every request (~3 ms on SQLite at 100 000 patients, more on PostgreSQL). So each
 * process remembers, per ordering, the sort key of every SPACING-th patient ("anchors"); page N
 * then starts its index range at the anchor at or before its offset and skips fewer than SPACING
 * entries.
 *
 * Positions are only true while the list's order is unchanged. Triggers bump
 * `row_counts.version` in the same transaction as every insert, delete and change of an ordering
 * column (migration 2026120405), the list reads that version with its count, and anchors are used
 * only when they were taken at exactly that version; otherwise the page is a plain OFFSET and a
 * rebuild starts in the background. Exact on any number of processes sharing one database.
 */

export type OrderField = 'last_name' | 'first_name' | 'date_of_birth' | 'id';

/** The sort key of each ordering, exactly as the list orders by it (without the id tie-breaker). */
export const ORDER_KEYS: Record<OrderField, Expression<unknown>> = {
  last_name: sql`lower(patients.last_name)`,
  first_name: sql`lower(patients.first_name)`,
  date_of_birth: sql`patients.date_of_birth`,
  id: sql`patients.id`,
};

interface Anchor {
  key: string | number;
  id: number;
}

interface TakenAnchors {
  version: number;
  count: number;
  /** anchors[i] is the patient at ascending position i × spacing. */
  anchors: Anchor[];
}

/** Where a page's id walk starts: at (key, id) inclusive, in the page's direction, then skip. */
export interface PageStart {
  key: string | number;
  id: number;
  direction: 'asc' | 'desc';
  skip: number;
}

/** The index range from an anchor on, in the page's direction; portable and index-friendly. */
export function startCondition(field: OrderField, start: PageStart): Expression<SqlBool> {
  const key = ORDER_KEYS[field];
  const [cmp, strict] = start.direction === 'asc' ? [sql.raw('>='), sql.raw('>')] : [sql.raw('<='), sql.raw('<')];
  if (field === 'id') return sql<SqlBool>`patients.id ${cmp} ${start.id}`;
  // `(key, id) >= (?, ?)` in a form SQLite's planner turns into a range on the expression index.
  return sql<SqlBool>`(${key} ${cmp} ${start.key} and (${key} ${strict} ${start.key} or patients.id ${cmp} ${start.id}))`;
}

const patientCounter = preparedQuery({}, (db) => db.selectFrom('row_counts').select(['n', 'version']).where('table_name', '=', 'patients'));

/** The unfiltered list's exact count and the version of its order (one primary-key read). */
export async function readPatientCounter(db: Database): Promise<{ count: number; version: number }> {
  const [row] = await patientCounter.execute(db, {});
  return { count: Number(row?.n ?? 0), version: Number(row?.version ?? 0) };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** After a build that a concurrent write spoiled, wait this long before trying again. */
const RETRY_AFTER_MS = 2_000;

export class PatientListAnchors {
  private readonly taken = new Map<OrderField, TakenAnchors>();
  private readonly building = new Map<OrderField, Promise<void>>();
  private readonly failedAt = new Map<OrderField, number>();

  constructor(
    private readonly db: Database,
    readonly spacing: number,
  ) {}

  /**
   * The start of a page at `offset`, or null to use a plain OFFSET (shallow page, anchors missing
   * or taken at another version; a rebuild is then started).
   */
  pageStart(field: OrderField, direction: 'asc' | 'desc', offset: number, counter: { count: number; version: number }): PageStart | null {
    const s = this.spacing;
    if (offset < s || counter.count < 2 * s) return null;
    const taken = this.taken.get(field);
    if (!taken || taken.version !== counter.version || taken.count !== counter.count) {
      this.startBuild(field);
      return null;
    }
    if (direction === 'asc') {
      const i = Math.floor(offset / s);
      const anchor = taken.anchors[i];
      return anchor ? { ...anchor, direction, skip: offset - i * s } : null;
    }
    // Descending position d is ascending position count-1-d: take the nearest anchor whose
    // descending position is at or before the offset.
    const i = Math.ceil((counter.count - 1 - offset) / s);
    const anchor = taken.anchors[i];
    if (!anchor) return null;
    return { ...anchor, direction, skip: offset - (counter.count - 1 - i * s) };
  }

  /**
   * Like pageStart, but a page deep enough that its OFFSET walk would be costly waits for the
   * anchors' (re)build rather than walking the index itself: under a burst of deep pages every
   * request walked its own OFFSET (hundreds of ms each at 1 000 000 patients on PostgreSQL) and
   * the build, queued behind them for connections, never finished (28 req/s measured). One
   * build is shared by all the requests waiting on it; past MAX_WAIT_MS they fall back to OFFSET.
   */
  async startFor(
    field: OrderField,
    direction: 'asc' | 'desc',
    offset: number,
    counter: { count: number; version: number },
  ): Promise<PageStart | null> {
    const start = this.pageStart(field, direction, offset, counter);
    if (start || offset < WAIT_FROM_SPACINGS * this.spacing) return start;
    const build = this.building.get(field);
    if (!build) return null;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([build, new Promise<void>((resolve) => (timer = setTimeout(resolve, MAX_WAIT_MS)))]);
    clearTimeout(timer);
    return this.pageStart(field, direction, offset, counter);
  }

  /** Resolves when no build is running (tests wait for it). */
  async settled(): Promise<void> {
    while (this.building.size > 0) await Promise.all([...this.building.values()]);
  }

  private startBuild(field: OrderField): void {
    if (this.building.has(field)) return;
    if (Date.now() - (this.failedAt.get(field) ?? 0) < RETRY_AFTER_MS) return;
    const run = this.build(field)
      .catch(() => {
        // A failed build only means plain OFFSET pages; the next deep page tries again.
        this.failedAt.set(field, Date.now());
      })
      .finally(() => this.building.delete(field));
    this.building.set(field, run);
  }

  /**
   * One pass over the ordering's index in steps of `spacing` entries, yielding to the event loop
   * between steps so requests keep being served; kept only if no write changed the order meanwhile.
   */
  private async build(field: OrderField): Promise<void> {
    const before = await readPatientCounter(this.db);
    const key = ORDER_KEYS[field];
    const anchors: Anchor[] = [];
    let previous: Anchor | null = null;
    while (anchors.length * this.spacing < before.count) {
      let q = this.db.selectFrom('patients').select([sql<string | number>`${key}`.as('k'), 'patients.id']);
      if (previous) q = q.where(startCondition(field, { ...previous, direction: 'asc', skip: 0 })).where('patients.id', '<>', previous.id);
      const row = await q
        .orderBy(key)
        .orderBy('patients.id')
        .limit(1)
        .offset(previous ? this.spacing - 1 : 0)
        .executeTakeFirst();
      if (!row) break;
      previous = { key: row.k, id: row.id };
      anchors.push(previous);
      await yieldToEventLoop();
    }
    const after = await readPatientCounter(this.db);
    if (after.version !== before.version || anchors.length !== Math.ceil(before.count / this.spacing)) {
      this.failedAt.set(field, Date.now());
      return;
    }
    this.taken.set(field, { version: before.version, count: before.count, anchors });
  }
}

const DEFAULT_SPACING = 500;
/** Pages this many anchors deep or more wait for a build; shallower ones just walk the index. */
const WAIT_FROM_SPACINGS = 4;
/** The longest a deep page waits for a build before it walks the index itself. */
const MAX_WAIT_MS = 5_000;
const perDatabase = new WeakMap<Database, PatientListAnchors>();

/** The anchors of one database; `spacing` only takes effect on first use (tests set it small). */
export function patientListAnchors(db: Database, spacing = DEFAULT_SPACING): PatientListAnchors {
  let anchors = perDatabase.get(db);
  if (!anchors) {
    anchors = new PatientListAnchors(db, spacing);
    perDatabase.set(db, anchors);
  }
  return anchors;
}
