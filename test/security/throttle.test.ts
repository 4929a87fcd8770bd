import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';
import { missing } from '../helpers/requirements.js';

const WRONG = 'definitely-not-the-password';

function login(t: { app: TestApp['app'] }, email: string, password: string, ip = '127.0.0.1') {
  return t.app.inject({ method: 'POST', url: '/api/login/', payload: { email, password }, remoteAddress: ip });
}

describe('account lockout after repeated failures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ loginMaxFailures: 5, loginWindowSec: 900 });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after 5 failures, even with the right password', async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < 5; i++) expect((await login(t, user.email, WRONG)).statusCode).toBe(400);
    const locked = await login(t, user.email, DEFAULT_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(890);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(locked.json().detail).toMatch(/Too many failed login attempts/);
    expect(locked.json()).not.toHaveProperty('access');
    // The same answer for a wrong password while locked: nothing tells the two apart.
    const lockedWrong = await login(t, user.email, WRONG);
    expect(lockedWrong.statusCode).toBe(429);
    expect(lockedWrong.json()).toEqual(locked.json());
    // Another account is not affected.
    const other = await makeUser(t.db);
    expect((await login(t, other.email, DEFAULT_PASSWORD)).statusCode).toBe(200);
    // The refusal is in the audit trail.
    const denied = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.length).toBe(2);
    expect(JSON.parse(denied[0].details)).toEqual({ reason: 'locked' });
  });

  it('counts failures whatever the case of the email', async () => {
    const user = await makeUser(t.db, { email: `case-${randomBytes(3).toString('hex')}@example.com` });
    for (let i = 0; i < 5; i++) await login(t, i % 2 ? user.email.toUpperCase() : user.email, WRONG);
    expect((await login(t, ` ${user.email.toUpperCase()}`, DEFAULT_PASSWORD)).statusCode).toBe(429);
  });

  it('locks unknown emails the same way', async () => {
    const email = `ghost-${randomBytes(4).toString('hex')}@example.com`;
    for (let i = 0; i < 5; i++) expect((await login(t, email, WRONG)).statusCode).toBe(400);
    expect((await login(t, email, WRONG)).statusCode).toBe(429);
  });

  it('a successful login clears the count', async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < 4; i++) await login(t, user.email, WRONG);
    expect((await login(t, user.email, DEFAULT_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(t, user.email, WRONG)).statusCode).toBe(400);
    expect((await login(t, user.email, DEFAULT_PASSWORD)).statusCode).toBe(200);
  });

  it('unknown emails cost about the same time as known ones', async () => {
    const user = await makeUser(t.db);
    const time = async (email: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await login(t, email, `${WRONG}-${i}`, `10.9.9.${i}`);
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[1];
    };
    const known = await time(user.email);
    const unknown = await time(`nobody-${randomBytes(4).toString('hex')}@example.com`);
    // Both run one Argon2id verification (~20 ms); without the dummy hash unknown would be ~1 ms.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });
});

describe('lockout window', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ loginMaxFailures: 2, loginWindowSec: 1 });
  });
  afterAll(() => t.close());

  it('lets the account in again once the window has passed', async () => {
    const user = await makeUser(t.db);
    await login(t, user.email, WRONG);
    await login(t, user.email, WRONG);
    const locked = await login(t, user.email, DEFAULT_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await login(t, user.email, DEFAULT_PASSWORD)).statusCode).toBe(200);
  });
});

describe('per-IP limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ authRateLimitPerMinute: 3, loginMaxFailures: 2 });
  });
  afterAll(() => t.close());

  it('rate-limits login per client IP', async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < 3; i++) expect((await login(t, user.email, DEFAULT_PASSWORD, '10.1.1.1')).statusCode).toBe(200);
    const limited = await login(t, user.email, DEFAULT_PASSWORD, '10.1.1.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().detail).toMatch(/throttled/);
    expect((await login(t, user.email, DEFAULT_PASSWORD, '10.1.1.2')).statusCode).toBe(200);
  });

  it('rate-limits token refresh per client IP', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/token/refresh/',
        payload: { refresh: 'not-a-token' },
        remoteAddress: '10.2.2.2',
      });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('locks a client IP that sprays failures over many accounts', async () => {
    // ipMaxFailures = 10 × loginMaxFailures = 20; spread over many addresses' rate limits.
    const ip = '10.3.3.3';
    const limiter = { authRateLimitPerMinute: 1000 };
    const wide = await buildTestApp({ ...limiter, loginMaxFailures: 2 });
    try {
      for (let i = 0; i < 20; i++) {
        expect((await login(wide, `spray-${i}-${randomBytes(3).toString('hex')}@example.com`, WRONG, ip)).statusCode).toBe(400);
      }
      const user = await makeUser(wide.db);
      expect((await login(wide, user.email, DEFAULT_PASSWORD, ip)).statusCode).toBe(429);
      expect((await login(wide, user.email, DEFAULT_PASSWORD, '10.3.3.4')).statusCode).toBe(200);
    } finally {
      await wide.close();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

const noRedis = missing(
  'Redis (TEST_REDIS_URL)',
  Boolean(redisUrl),
  'Set TEST_REDIS_URL=redis://127.0.0.1:6379 (.ci/run starts Redis and sets it).',
);

describe.skipIf(noRedis)('lockout across two app instances sharing Redis', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof buildApp>>;
  let config: ReturnType<typeof testConfig>;
  beforeAll(async () => {
    const prefix = `customehr-test-${randomBytes(6).toString('hex')}:`;
    t = await buildTestApp({ redisUrl: redisUrl ?? null, redisKeyPrefix: prefix, authRateLimitPerMinute: 1000 });
    config = testConfig({ redisUrl: redisUrl ?? null, redisKeyPrefix: prefix, authRateLimitPerMinute: 1000 });
    second = await buildApp({ config, db: t.db });
    await second.ready();
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('failures on one instance lock the account on the other', async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? t.app : second;
      expect((await login({ app }, user.email, WRONG)).statusCode).toBe(400);
    }
    const onFirst = await login(t, user.email, DEFAULT_PASSWORD);
    const onSecond = await login({ app: second }, user.email, DEFAULT_PASSWORD);
    expect(onFirst.statusCode).toBe(429);
    expect(onSecond.statusCode).toBe(429);
    expect(Number(onSecond.headers['retry-after'])).toBeGreaterThan(800);
  });

  it('shares the per-IP rate limit', async () => {
    const prefix = `customehr-test-${randomBytes(6).toString('hex')}:`;
    const a = await buildTestApp({ redisUrl: redisUrl ?? null, redisKeyPrefix: prefix, authRateLimitPerMinute: 4 });
    const b = await buildApp({
      config: testConfig({ redisUrl: redisUrl ?? null, redisKeyPrefix: prefix, authRateLimitPerMinute: 4 }),
      db: a.db,
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const app = i % 2 === 0 ? a.app : b;
        codes.push(
          (await app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: 'x' }, remoteAddress: '10.4.4.4' }))
            .statusCode,
        );
      }
      expect(codes).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('Redis outage', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    t = await buildTestApp({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'customehr-test-outage:' });
  });
  afterAll(() => t.close());

  it('keeps logins working and still locks accounts, counting in this process', async () => {
    const user = await makeUser(t.db);
    expect((await login(t, user.email, DEFAULT_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(t, user.email, WRONG)).statusCode).toBe(400);
    expect((await login(t, user.email, DEFAULT_PASSWORD)).statusCode).toBe(429);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: 'x' } });
    expect(refresh.statusCode).toBe(401);
  });
});
