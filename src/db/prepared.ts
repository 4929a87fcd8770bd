import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import { type Dialect, dialectOf } from './portable.js';

/**
 * Queries the API runs on every request, built and compiled by Kysely once per dialect and then
 * only bound. Building and compiling a query was a tenth to a sixth of a simple request's CPU in
 * profiles (the bearer guard, a patient by id, the audit append); binding is an array map.
 *
 * `build` is called once per dialect with stand-in values ("marks") for its arguments; the
 * compiled query's parameters that are marks are replaced by the real arguments on each call,
 * every other parameter is a constant of the query. A mark must reach the query unchanged (an
 * argument that `build` transforms cannot be a mark): that is checked when the query is compiled.
 */
export type Marks<A> = { readonly [K in keyof A]: A[K] };

interface Compiled<A> {
  sql: string;
  /** For each bound parameter: the argument it takes, or a constant. */
  params: ({ arg: keyof A } | { constant: unknown })[];
}

// biome-ignore lint/suspicious/noExplicitAny: works for any schema
type AnyDb = Kysely<any>;

export interface PreparedQuery<A, R> {
  execute(db: AnyDb, args: A): Promise<R[]>;
  /** The SQL of a dialect, for tests and reviews. */
  sqlFor(db: AnyDb): string;
}

export function preparedQuery<A extends Record<string, unknown>, R>(
  marks: Marks<A>,
  build: (db: AnyDb, args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  const byDialect: Partial<Record<Dialect, Compiled<A>>> = {};
  const markKeys = Object.keys(marks) as (keyof A)[];

  function compiled(db: AnyDb): Compiled<A> {
    const dialect = dialectOf(db);
    const cached = byDialect[dialect];
    if (cached) return cached;
    const query = build(db, marks as A).compile();
    const params = query.parameters.map((value) => {
      const arg = markKeys.find((k) => Object.is(marks[k], value));
      return arg === undefined ? { constant: value } : { arg };
    });
    for (const k of markKeys) {
      if (!params.some((p) => 'arg' in p && p.arg === k)) throw new Error(`prepared query: the mark of "${String(k)}" is not a parameter`);
    }
    const entry = { sql: query.sql, params };
    byDialect[dialect] = entry;
    return entry;
  }

  return {
    async execute(db, args) {
      const { sql, params } = compiled(db);
      const values = params.map((p) => ('arg' in p ? args[p.arg] : p.constant));
      return (await db.executeQuery<R>(CompiledQuery.raw(sql, values))).rows;
    },
    sqlFor: (db) => compiled(db).sql,
  };
}

let nextMark = 0;

/** A number no real argument takes, to stand in for a numeric argument. */
export function numberMark(): number {
  nextMark += 1;
  return -7_340_000_000 - nextMark;
}

/** A string no real argument takes, to stand in for a text argument. */
export function textMark(name: string): string {
  nextMark += 1;
  return `\u0001${name}:${nextMark}\u0001`;
}
