import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The few places where SQLite and PostgreSQL differ. Everything else in the code base is one path.
 */
export type Dialect = 'sqlite' | 'postgres';

// biome-ignore lint/suspicious/noExplicitAny: works for any schema
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** SQLite needs exactly `integer primary key autoincrement`; PostgreSQL an identity column. */
export function withIdColumn<T extends string>(db: Kysely<unknown>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  if (dialectOf(db) === 'postgres') {
    return table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  }
  return table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** A boolean column with a default that both databases accept. */
export function booleanDefault(value: boolean) {
  return (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(sql.lit(value));
}

export interface ConstraintViolation {
  kind: 'unique' | 'foreign_key' | 'check' | 'not_null';
  /** Constraint or index name when the driver reports it (PostgreSQL), else the columns (SQLite). */
  detail: string;
}

/** Maps a driver error to a constraint violation, or null when it is something else. */
export function constraintViolation(err: unknown): ConstraintViolation | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const pgDetail = typeof e.constraint === 'string' ? e.constraint : '';
  if (code === '23505') return { kind: 'unique', detail: pgDetail };
  if (code === '23503') return { kind: 'foreign_key', detail: pgDetail };
  if (code === '23514') return { kind: 'check', detail: pgDetail };
  if (code === '23502') return { kind: 'not_null', detail: pgDetail };
  const sqliteDetail = message.replace(/^[A-Z ]+constraint failed:\s*/i, '');
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { kind: 'unique', detail: sqliteDetail };
  // ON DELETE RESTRICT is enforced by SQLite as a trigger: code SQLITE_CONSTRAINT_TRIGGER, with
  // the message "FOREIGN KEY constraint failed".
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || (code === 'SQLITE_CONSTRAINT_TRIGGER' && /FOREIGN KEY constraint failed/i.test(message))) {
    return { kind: 'foreign_key', detail: sqliteDetail };
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK') return { kind: 'check', detail: sqliteDetail };
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return { kind: 'not_null', detail: sqliteDetail };
  return null;
}

/** Case-insensitive "contains" that uses the same SQL on both databases. */
export function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Prefix pattern for index-friendly searches. */
export function prefixPattern(term: string): string {
  return `${term.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
