import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { testDialect } from '../helpers/db.js';
import { DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';
import { type ProcessDatabase, processDatabase } from '../helpers/process-db.js';
import { missing } from '../helpers/requirements.js';
import { type ServerProcess, startBuiltServer } from '../helpers/server-process.js';

/**
 * The account lockout across two real server processes (`node dist/server.js` twice, on one
 * database) that share their login counters through Redis: failures sent to either count
 * together, and the lock holds on both. throttle.test.ts shows the same with two app instances
 * in one process; this one has nothing in common between the two but Redis and the database.
 */

const redisUrl = process.env.TEST_REDIS_URL;
const MAX_FAILURES = 5;
const WINDOW_SEC = 900;
const WRONG = 'definitely-not-the-password';

const noRedis = missing(
  'Redis (TEST_REDIS_URL)',
  Boolean(redisUrl),
  'Set TEST_REDIS_URL=redis://127.0.0.1:6379 (.ci/run starts Redis and sets it).',
);

describe.skipIf(noRedis)(`lockout across two server processes sharing Redis (${testDialect})`, { timeout: 120_000 }, () => {
  // A prefix of this run's own: several runs (and the other project) share one Redis.
  const prefix = `customehr-test-${randomBytes(6).toString('hex')}:`;
  let dir: string;
  let database: ProcessDatabase;
  let db: Database;
  let redis: Redis;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'customehr-lockout-'));
    database = await processDatabase(dir, { name: 'lockout', migrated: true });
    db = database.open();
    redis = new Redis(redisUrl ?? '', { maxRetriesPerRequest: 1 });
    const env = {
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      JWT_SECRET: 'lockout-test-secret-lockout-test-secret-0123',
      REDIS_URL: redisUrl ?? '',
      REDIS_KEY_PREFIX: prefix,
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_WINDOW_SECONDS: String(WINDOW_SEC),
      // The per-IP request limit (also in Redis) must not answer 429 before the lockout does.
      AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    };
    for (let i = 0; i < 2; i++) servers.push(await startBuiltServer(env));
  }, 240_000);

  afterAll(async () => {
    const codes = await Promise.all(servers.map((s) => s.stop()));
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    await db?.destroy();
    await database?.destroy();
    rmSync(dir, { recursive: true, force: true });
    expect(codes, 'both servers exit cleanly on SIGTERM').toEqual([0, 0]);
  });

  async function login(server: ServerProcess, email: string, password: string) {
    const res = await fetch(`${server.base}/api/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  }

  it(`locks the account on both after ${MAX_FAILURES} failures in total, sent alternately to each`, async () => {
    const [a, b] = servers;
    expect(a.pid).not.toBe(b.pid);
    const user = await makeUser(db, { user_type: 'provider' });

    // 3 failures on one, 2 on the other: neither process alone reaches the limit.
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await login(i % 2 === 0 ? a : b, user.email, WRONG);
      expect(res.status, `failure ${i + 1}`).toBe(400);
      expect(res.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
    }

    for (const [name, server] of [
      ['first', a],
      ['second', b],
    ] as const) {
      const locked = await login(server, user.email, DEFAULT_PASSWORD);
      expect(locked.status, `${name} process: the right password is refused while locked`).toBe(429);
      expect(Number(locked.retryAfter), `${name} process: Retry-After`).toBeGreaterThan(WINDOW_SEC - 120);
      expect(Number(locked.retryAfter)).toBeLessThanOrEqual(WINDOW_SEC);
      expect(locked.body.detail).toMatch(/Too many failed login attempts/);
      expect(locked.body).not.toHaveProperty('access');
    }

    // Another account is not affected, on either process.
    const other = await makeUser(db, { user_type: 'provider' });
    expect((await login(a, other.email, DEFAULT_PASSWORD)).status).toBe(200);
    expect((await login(b, other.email, DEFAULT_PASSWORD)).status).toBe(200);

    // The count lives in Redis under this run's prefix, keyed by a hash, never the address.
    const keys = await redis.keys(`${prefix}login:acct:*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.join(' ')).not.toContain(user.email);
    expect((await Promise.all(keys.map((k) => redis.get(k)))).map(Number)).toContain(MAX_FAILURES);

    // Each process recorded its own refusal in the shared audit trail.
    const denied = await db
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('user_id', '=', user.id)
      .where('action', '=', 'login')
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.map((e) => JSON.parse(e.details))).toEqual([{ reason: 'locked' }, { reason: 'locked' }]);

    // Neither process fell back to counting in its own memory.
    for (const s of servers) expect(s.output()).not.toMatch(/redis (unavailable|not reachable)/);
  });
});
