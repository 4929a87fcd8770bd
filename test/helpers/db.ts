import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openPostgres, openSqlite } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type TestDialect = 'sqlite' | 'postgres';

export const testDialect: TestDialect = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const postgresUrl = process.env.TEST_DATABASE_URL ?? '';

export interface TestDatabase {
  db: Database;
  dialect: TestDialect;
  /** For PostgreSQL: the schema this database lives in (for a second process to share it). */
  schema?: string;
  /** A DATABASE_URL-like description another process can open (SQLite files only). */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database: SQLite in memory (or a file, for multi-process tests), or a new
 * schema in the PostgreSQL of TEST_DATABASE_URL.
 */
export async function createTestDatabase(options: { sqliteFile?: string } = {}): Promise<TestDatabase> {
  if (testDialect === 'postgres') {
    if (!postgresUrl) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const db = openPostgres(postgresUrl, { schema, maxConnections: 20 });
    await migrateToLatest(db);
    return {
      db,
      dialect: 'postgres',
      schema,
      async destroy() {
        await db.destroy().catch(() => {});
        const c = new pg.Client({ connectionString: postgresUrl });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      },
    };
  }
  const db = openSqlite(options.sqliteFile ?? ':memory:');
  await migrateToLatest(db);
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/** The database URL a second server process would use to reach the same test database. */
export function postgresUrlWithSchema(schema: string): string {
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
