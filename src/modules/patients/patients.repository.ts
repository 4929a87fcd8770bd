import { type Expression, type Insertable, type SelectQueryBuilder, type SqlBool, sql, type Updateable } from 'kysely';
import type { Database } from '../../db/connect.js';
import { likePattern, prefixPattern } from '../../db/portable.js';
import { numberMark, type PreparedQuery, preparedQuery } from '../../db/prepared.js';
import type { DB, PatientsTable } from '../../db/schema.js';
import type { ReferenceCount } from '../common/references.js';
import { ORDER_KEYS, type OrderField, type PageStart, patientListAnchors, readPatientCounter, startCondition } from './patients.anchors.js';
import type { GENDER_IDENTITIES, SEXES } from './patients.schemas.js';

export type PatientRow = Omit<PatientsTable, 'id' | 'sex' | 'gender_identity'> & {
  id: number;
  sex: (typeof SEXES)[number];
  gender_identity: (typeof GENDER_IDENTITIES)[number];
};

export const patientColumns = [
  'id',
  'first_name',
  'middle_name',
  'last_name',
  'preferred_name',
  'date_of_birth',
  'sex',
  'gender_identity',
  'email',
  'phone_number',
  'ethnicity',
  'race',
  'language',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'zip_code',
  'created_at',
  'updated_at',
] as const;

const toRow = (raw: unknown) => raw as PatientRow;

const patientById = preparedQuery({ id: numberMark() }, (db, a) => db.selectFrom('patients').select(patientColumns).where('id', '=', a.id));

export async function findPatientById(db: Database, id: number): Promise<PatientRow | undefined> {
  const [row] = await patientById.execute(db, { id });
  return row ? toRow(row) : undefined;
}

export async function insertPatient(db: Database, values: Insertable<PatientsTable>): Promise<PatientRow> {
  return toRow(await db.insertInto('patients').values(values).returning(patientColumns).executeTakeFirstOrThrow());
}

export async function updatePatient(db: Database, id: number, changes: Updateable<PatientsTable>): Promise<PatientRow | undefined> {
  const row = await db.updateTable('patients').set(changes).where('id', '=', id).returning(patientColumns).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Rows deleted: 0 when the patient was already gone. */
export async function deletePatientRow(db: Database, id: number): Promise<number> {
  const result = await db.deleteFrom('patients').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Everything that points at a patient through a restricting foreign key. */
export async function patientReferences(db: Database, id: number): Promise<ReferenceCount[]> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).where('linked_patient', '=', id).as('users'),
      eb.selectFrom('appointments').select(eb.fn.countAll<number>().as('n')).where('patient', '=', id).as('appointments'),
    ])
    .executeTakeFirstOrThrow();
  return [
    { singular: 'user account', plural: 'user accounts', count: Number(row.users) },
    { singular: 'appointment', plural: 'appointments', count: Number(row.appointments) },
  ];
}

export interface PatientListFilter {
  /** Restricts the list to one patient (a patient user sees only their own record). */
  onlyId?: number;
  /** Only these ids (`?id=3&id=7`). */
  id?: number[];
  search?: string;
  sex?: string;
  gender_identity?: string;
  date_of_birth?: string;
  ordering?: string;
  limit: number;
  offset: number;
}

/**
 * `?ordering=` field to the sorted expression. Each matches an index ((lower(last_name), id),
 * (date_of_birth, id), …), so a page is an index walk, not a sort. Qualified: the page query joins
 * patients to its own id subquery.
 */
const ORDER_EXPRESSIONS: Record<string, Expression<unknown>> = ORDER_KEYS;

/**
 * The same orders, written so no index matches them. With a search, both planners would otherwise
 * walk the whole ordering index filtering row by row (they assume matches are spread evenly and a
 * LIMIT stops early); a search's matches come cheaply from the lower(...) indexes and a top-N
 * sort of those is far faster (measured on 100 000 patients: ~250 ms → a few ms).
 */
const SEARCH_ORDER_EXPRESSIONS: Record<string, Expression<unknown>> = {
  last_name: sql`lower(patients.last_name) || ''`,
  first_name: sql`lower(patients.first_name) || ''`,
  date_of_birth: sql`patients.date_of_birth || ''`,
  id: sql`patients.id + 0`,
};

/**
 * An exclusive upper bound for strings that start with `prefix` (null: no safe bound).
 *
 * It increments the last character, but only an ASCII letter a–y or digit 0–8: their successors
 * are letters and digits too, so the bound also holds under linguistic collations (en_US and the
 * like compare letters first and ignore punctuation, so "liz" → "li{" would wrongly exclude
 * "lizzy"). Trailing characters that do not qualify are dropped first ("liz" → "lj"), which widens
 * the range a little; the LIKE beside it keeps the match exact.
 */
export function prefixUpperBound(prefix: string): string | null {
  let q = prefix;
  while (q !== '' && !/[a-y0-8]$/.test(q)) q = q.slice(0, -1);
  if (q === '') return null;
  return q.slice(0, -1) + String.fromCharCode(q.charCodeAt(q.length - 1) + 1);
}

/**
 * `lower(col)` starts with `prefix`: a range on the expression (so the lower(...) indexes of the
 * initial migration are used on both databases) plus the LIKE that keeps the meaning exact under
 * any collation.
 */
function startsWith(col: 'first_name' | 'last_name' | 'preferred_name' | 'email', prefix: string) {
  const expr = sql`lower(${sql.ref(col)})`;
  const like = sql<SqlBool>`${expr} like ${prefixPattern(prefix)} escape '\\'`;
  const upper = prefixUpperBound(prefix);
  return upper === null ? like : sql<SqlBool>`(${expr} >= ${prefix} and ${expr} < ${upper} and ${like})`;
}

const PHONE_LIKE = /^[\d\s+().-]+$/;

/**
 * The search of the patient list, built for 100 000+ records. Each word of the term must match
 * the start of the first, last or preferred name or the email (index range scans, not a scan of
 * the table); a term that looks like a phone number (digits, spaces, + - ( ) .) is matched
 * anywhere in the phone number, and at the start of the email.
 */
function searchCondition(term: string): Expression<SqlBool> | null {
  const trimmed = term.trim().toLowerCase();
  if (trimmed === '') return null;
  if (PHONE_LIKE.test(trimmed)) {
    return sql<SqlBool>`(${sql.ref('phone_number')} like ${likePattern(trimmed)} escape '\\' or ${startsWith('email', trimmed)})`;
  }
  return sql<SqlBool>`(${sql.join(searchWords(trimmed).map(wordCondition), sql` and `)})`;
}

const SEARCHED_COLUMNS = ['last_name', 'first_name', 'preferred_name', 'email'] as const;

/**
 * Every word of the term, each once: all of them must match (a sixth word used to be dropped,
 * widening the result). The schema's 200-character limit bounds their number.
 */
function searchWords(trimmedLower: string): string[] {
  return [...new Set(trimmedLower.split(/\s+/))];
}

/** One word of a name search: the start of any searched column. */
function wordCondition(word: string): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    SEARCHED_COLUMNS.map((c) => startsWith(c, word)),
    sql` or `,
  )})`;
}

/**
 * The words of a name search that can run as a union of index ranges, or null: no search, a
 * phone-number search, or a first word with no range (e.g. "山田", see prefixUpperBound), where
 * each branch would scan the table and one scan with the OR of the columns is cheaper.
 */
function nameSearchWords(term: string | undefined): string[] | null {
  const trimmed = term?.trim().toLowerCase() ?? '';
  if (trimmed === '' || PHONE_LIKE.test(trimmed)) return null;
  const words = searchWords(trimmed);
  return prefixUpperBound(words[0]) === null ? null : words;
}

/** Whether a filter leaves the list unfiltered: then the count and the anchors of deep pages apply. */
function isUnfiltered(f: PatientListFilter): boolean {
  return f.onlyId === undefined && !f.id?.length && !f.sex && !f.gender_identity && !f.date_of_birth && !f.search?.trim();
}

function orderOf(f: PatientListFilter): { field: OrderField; direction: 'asc' | 'desc' } {
  const ordering = f.ordering ?? 'last_name';
  const field = ordering.replace(/^-/, '');
  return {
    field: field in ORDER_KEYS ? (field as OrderField) : 'last_name',
    direction: ordering.startsWith('-') ? 'desc' : 'asc',
  };
}

/**
 * The count query and the page query of a list; exported so a test can show their SQL.
 *
 * The page is "ids first, then rows": the subquery finds the page's ids from an index alone (on
 * PostgreSQL an index-only scan over the covering indexes of migration 2026120310, so OFFSET
 * skips index entries, not table rows), and only those 20 rows are read in full. With `start`
 * (an anchor of a deep page, patients.anchors.ts) the id walk begins there instead of at the
 * first row.
 */
export function patientListQueries(db: Database, f: PatientListFilter, start?: PageStart) {
  let filtered = db.selectFrom('patients');
  if (f.onlyId !== undefined) filtered = filtered.where('patients.id', '=', f.onlyId);
  if (f.id && f.id.length > 0) filtered = filtered.where('patients.id', 'in', f.id);
  if (f.sex) filtered = filtered.where('sex', '=', f.sex);
  if (f.gender_identity) filtered = filtered.where('gender_identity', '=', f.gender_identity);
  if (f.date_of_birth) filtered = filtered.where('date_of_birth', '=', f.date_of_birth);
  const search = f.search ? searchCondition(f.search) : null;
  const q = search ? filtered.where(search) : filtered;
  const countQuery = q.select((eb) => eb.fn.countAll<number>().as('count'));

  const { field, direction } = orderOf(f);
  const orders = search ? SEARCH_ORDER_EXPRESSIONS : ORDER_EXPRESSIONS;
  let ids = q.select('patients.id').orderBy(orders[field], direction);
  // The id tie-breaker follows the direction so a descending page walks the same index backwards.
  if (field !== 'id') ids = ids.orderBy(search ? sql`patients.id + 0` : sql`patients.id`, direction);
  if (start) ids = ids.where(startCondition(field, start));
  ids = ids.limit(f.limit).offset(start ? start.skip : f.offset);

  // `id in (page of ids)` rather than a join: with bound limit/offset SQLite's planner chose to
  // scan the whole name index for a join (5 ms a page at 100 000 patients); the IN list keeps it
  // to the covering-index walk plus 20 primary-key lookups on both databases.
  let pageQuery = db
    .selectFrom('patients')
    .where('patients.id', 'in', ids)
    .select(patientColumns.map((c) => sql.ref<string>(`patients.${c}`).as(c)))
    .orderBy(ORDER_EXPRESSIONS[field], direction);
  if (field !== 'id') pageQuery = pageQuery.orderBy(sql`patients.id`, direction);
  // A filtered list's page ids and its count in one pass over the matches (the count and the
  // page each walked every match); a name search as a union of index ranges, below.
  const words = nameSearchWords(f.search);
  const pageIdsWithCount = words
    ? nameSearchPage(db, filtered, words, field, direction, f)
    : ids.select(sql<number>`count(*) over ()`.as('total'));
  return { countQuery, pageQuery, pageIdsWithCount };
}

/**
 * A name search's page ids and count, as a union of one branch per searched column: the first
 * word's range on that column's lower(...) index, the other words and filters as conditions.
 * With the OR of the four ranges in one query PostgreSQL combined the indexes in a bitmap and
 * read every match's heap page (7 ms for the 4 796 matches of "bog" at 1 000 000 patients); a
 * branch can be an index-only scan of a covering index (migration 2026120310) that also yields
 * the sort key, so the matches' count and top page come from the indexes.
 */
function nameSearchPage(
  db: Database,
  filtered: SelectQueryBuilder<DB, 'patients', object>,
  [first, ...rest]: string[],
  field: OrderField,
  direction: 'asc' | 'desc',
  f: PatientListFilter,
) {
  const branch = (column: (typeof SEARCHED_COLUMNS)[number], i: number) => {
    let b = filtered.where(startsWith(column, first));
    // A patient the first word matches in an earlier column is that branch's: no row twice, so
    // the union needs no de-duplication (the columns are NOT NULL, so NOT is exact).
    for (const earlier of SEARCHED_COLUMNS.slice(0, i)) b = b.where(sql<SqlBool>`not ${startsWith(earlier, first)}`);
    for (const word of rest) b = b.where(wordCondition(word));
    return b.select([sql<number>`patients.id`.as('id'), sql<string | number>`${ORDER_KEYS[field]}`.as('k')]);
  };
  const [a, ...others] = SEARCHED_COLUMNS.map(branch);
  const matches = others.reduce((u, b) => u.unionAll(b), a);
  let page = db
    .selectFrom(matches.as('m'))
    .select(['m.id', sql<number>`count(*) over ()`.as('total')])
    .orderBy('m.k', direction);
  if (field !== 'id') page = page.orderBy('m.id', direction);
  return page.limit(f.limit).offset(f.offset);
}

const patientsByIds = new Map<number, PreparedQuery<Record<string, number>, PatientRow>>();

/** The rows of these ids (at most MAX_PAGE_SIZE), in the order given. */
async function rowsInOrder(db: Database, ids: readonly number[]): Promise<PatientRow[]> {
  let query = patientsByIds.get(ids.length);
  if (!query) {
    const marks = Object.fromEntries(ids.map((_, i) => [String(i), numberMark()]));
    query = preparedQuery(marks, (d, m) => d.selectFrom('patients').select(patientColumns).where('id', 'in', Object.values(m)));
    patientsByIds.set(ids.length, query);
  }
  const rows = await query.execute(db, Object.fromEntries(ids.map((id, i) => [String(i), id])));
  const byId = new Map(rows.map((r) => [Number(r.id), toRow(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * One count query and one page query, whatever the filters. The unfiltered list takes its count
 * from the trigger-kept counter (migration 2026120320; `count(*)` walked a whole index, 33 ms at
 * 100 000 patients on PostgreSQL) and, on deep pages, starts from an anchor.
 */
export async function listPatients(db: Database, f: PatientListFilter): Promise<{ count: number; rows: PatientRow[] }> {
  if (isUnfiltered(f)) {
    const counter = await readPatientCounter(db);
    const { field, direction } = orderOf(f);
    if (counter.count === 0 || f.offset >= counter.count) return { count: counter.count, rows: [] };
    const start = (await patientListAnchors(db).startFor(field, direction, f.offset, counter)) ?? undefined;
    const rows = await patientListQueries(db, f, start).pageQuery.execute();
    return { count: counter.count, rows: rows.map(toRow) };
  }
  const { countQuery, pageIdsWithCount } = patientListQueries(db, f);
  const page = await pageIdsWithCount.execute();
  if (page.length === 0) {
    // Nothing matched, or the page is past the end: only then is the count a query of its own.
    const count = f.offset === 0 ? 0 : Number((await countQuery.executeTakeFirstOrThrow()).count);
    return { count, rows: [] };
  }
  // A patient deleted between the two reads is left out of the page, as from a later one.
  return {
    count: Number(page[0].total),
    rows: await rowsInOrder(
      db,
      page.map((r) => Number(r.id)),
    ),
  };
}
