import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createTestDatabase } from '../helpers/db.js';

describe('health checks', () => {
  it('healthz answers while the process lives; readyz reports the database, 503 when it is gone', async () => {
    const testDb = await createTestDatabase();
    const app = await buildApp({ config: testConfig(), db: testDb.db });
    try {
      expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ok', database: 'ok' });
      await testDb.db.destroy();
      const down = await app.inject({ url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await testDb.destroy().catch(() => {});
    }
  });
});
