import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type AppConfig, testConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  testDb: TestDatabase;
  close(): Promise<void>;
}

/** A full app on a fresh migrated database, driven with app.inject (no ports). */
export async function buildTestApp(
  overrides: Partial<AppConfig> = {},
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const app = await buildApp({ config: testConfig(overrides), db: testDb.db, logStream: options.logStream });
  await app.ready();
  return {
    app,
    db: testDb.db,
    testDb,
    async close() {
      await app.close();
      await testDb.destroy();
    },
  };
}
