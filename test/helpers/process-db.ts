import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { type Database, openPostgres, openSqlite } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { postgresUrl, postgresUrlWithSchema, type TestDialect, testDialect } from './db.js';

/**
 * A database for tests that start another process (a CLI, the built server): something it can
 * reach by DATABASE_URL. On SQLite a file in `dir`; on PostgreSQL (TEST_DB=postgres) a fresh
 * schema of TEST_DATABASE_URL, dropped by destroy(). Empty unless `migrated`, so a test can
 * watch the process migrate it.
 */
export interface ProcessDatabase {
  dialect: TestDialect;
  /** DATABASE_URL for the other process. */
  url: string;
  /** A new connection from this test process; the caller destroys it. */
  open(): Database;
  destroy(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function processDatabase(dir: string, options: { name?: string; migrated?: boolean } = {}): Promise<ProcessDatabase> {
  let handle: ProcessDatabase;
  if (testDialect === 'postgres') {
    if (!postgresUrl) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create schema ${schema}`);
    handle = {
      dialect: 'postgres',
      url: postgresUrlWithSchema(schema),
      open: () => openPostgres(postgresUrl, { schema, maxConnections: 5 }),
      destroy: () => adminQuery(`drop schema if exists ${schema} cascade`),
    };
  } else {
    const file = path.join(dir, `${options.name ?? 'test'}.sqlite`);
    // The file itself is removed with the caller's temporary directory.
    handle = { dialect: 'sqlite', url: `sqlite:${file}`, open: () => openSqlite(file), destroy: async () => {} };
  }
  if (options.migrated) {
    const db = handle.open();
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
  }
  return handle;
}
