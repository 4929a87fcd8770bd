import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

export type Database = Kysely<DB>;

/** better-sqlite3 cannot bind booleans or Dates; this is the one place that converts them. */
function toSqliteParam(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

type RawStatement = SQLite.Statement<unknown[], unknown>;
type Row = Record<string, unknown>;

interface CachedStatement {
  stmt: RawStatement;
  /** For a statement that returns rows: its rows as arrays, and the maker of one row object. */
  toRow: RowMaker | null;
}

type RowMaker = ((values: unknown[]) => Row) & { width: number };

/**
 * The maker of a statement's row objects: one object literal with the statement's column names,
 * compiled once. better-sqlite3 builds each row object key by key, half the cost of reading a
 * 20-row page of patients (measured: 124 µs a page, 59 µs as arrays plus this). A repeated
 * column name keeps its last value, as better-sqlite3's own objects do.
 */
function rowMaker(stmt: RawStatement): RowMaker {
  const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
  const make = new Function('v', `return { ${fields.join(', ')} };`) as RowMaker;
  make.width = fields.length;
  return make;
}

/** Schema changes can change what a cached `select *` returns: DDL empties the cache. */
const DDL = /^\s*(create|alter|drop)\b/i;

/**
 * Wraps better-sqlite3 for Kysely: converts parameters and keeps prepared statements by their SQL,
 * so a query the API runs on every request is compiled by SQLite once.
 */
function wrapSqlite(raw: SQLite.Database) {
  const statements = new Map<string, CachedStatement>();
  return {
    close: () => raw.close(),
    prepare(sqlText: string) {
      let found = statements.get(sqlText);
      if (!found) {
        const stmt = raw.prepare(sqlText) as RawStatement;
        const toRow = stmt.reader ? rowMaker(stmt) : null;
        if (toRow) stmt.raw(true);
        found = { stmt, toRow };
        if (statements.size >= 1000) statements.clear();
        statements.set(sqlText, found);
      }
      const cached = found;
      const s = cached.stmt;
      return {
        reader: s.reader,
        all: (params: ReadonlyArray<unknown>) => {
          const rows = s.all(...params.map(toSqliteParam)) as unknown[][];
          if (!cached.toRow) return rows;
          // Another process changed the table under a `select *`: SQLite re-prepared it.
          if (rows.length > 0 && rows[0].length !== cached.toRow.width) cached.toRow = rowMaker(s);
          return rows.map(cached.toRow);
        },
        run: (params: ReadonlyArray<unknown>) => {
          const result = s.run(...params.map(toSqliteParam));
          if (DDL.test(sqlText)) statements.clear();
          return result;
        },
        iterate: function* (params: ReadonlyArray<unknown>) {
          for (const values of s.iterate(...params.map(toSqliteParam)) as Iterable<unknown[]>) {
            if (cached.toRow && values.length !== cached.toRow.width) cached.toRow = rowMaker(s);
            yield cached.toRow ? cached.toRow(values) : values;
          }
        },
      };
    },
  };
}

/**
 * Write transactions on SQLite start with BEGIN IMMEDIATE: a deferred BEGIN that reads and then
 * writes fails with SQLITE_BUSY(_SNAPSHOT) when another process (a second worker, the seed CLI)
 * wrote in between, instead of waiting its turn under busy_timeout.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * The database file holds PHI and password hashes: readable by the server's user only. SQLite
 * creates its -wal and -shm files with the database file's permissions.
 */
function restrictToOwner(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      // Not our file (e.g. a read-only mount): leave it as the administrator set it.
    }
  }
}

export function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const raw = new SQLite(file);
  if (file !== ':memory:') restrictToOwner(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  return new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: wrapSqlite(raw) as never }) });
}

const timestampParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ);

/** PostgreSQL hands back the same value shapes as SQLite: numbers for int8, ISO strings for time. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    if (oid === pg.types.builtins.TIMESTAMPTZ) return (v: string) => (timestampParser(v) as Date).toISOString();
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** How many distinct statements each connection keeps prepared; further ones run unnamed. */
const MAX_NAMED_STATEMENTS = 500;

/**
 * Runs every parameterised query as a named prepared statement, so PostgreSQL parses and plans
 * a query the API runs on every request once per connection instead of every time. Names come
 * from the SQL text (one name per distinct text), so the set is bounded by the query shapes.
 */
function withNamedStatements(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string>();
  const patched = new WeakSet<pg.PoolClient>();
  const nameFor = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `customehr_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient> | undefined;
  const patch = (client: pg.PoolClient): pg.PoolClient => {
    if (patched.has(client)) return client;
    patched.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((text: unknown, ...rest: unknown[]) => {
      const [values] = rest;
      if (typeof text !== 'string' || rest.length !== 1 || !Array.isArray(values) || values.length === 0) return query(text, ...rest);
      const name = nameFor(text);
      return name ? query({ text, values, name }) : query(text, values);
    }) as typeof client.query;
    return client;
  };
  // Kysely asks for a client with the promise form; the callback form (pool.query) is left alone.
  pool.connect = ((...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then(patch);
  }) as typeof pool.connect;
  return pool;
}

export interface PostgresOptions {
  /** Schema to put first on the search path (tests use one schema per file). */
  schema?: string;
  maxConnections?: number;
}

export function openPostgres(connectionString: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    types: pgTypes as never,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
}

/** Opens the database named by a DATABASE_URL: `sqlite:<file>`, `sqlite::memory:` or `postgres://…`. */
export function openDatabase(databaseUrl: string): Database {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgres(databaseUrl);
  return openSqlite(databaseUrl.replace(/^sqlite:(\/\/)?/, ''));
}
