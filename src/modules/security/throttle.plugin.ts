import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../../errors.js';
import { type AttemptCounter, connectRedis, MemoryAttemptCounter, RedisAttemptCounter, redisReady } from '../auth/attempt-counter.js';
import { LoginThrottle } from '../auth/login-throttle.js';

declare module 'fastify' {
  interface FastifyInstance {
    loginThrottle: LoginThrottle;
  }
}

/**
 * Login failure counters and the per-IP rate limit of the auth routes. With REDIS_URL both live
 * in Redis, so every server process sees the same counts; otherwise in this process's memory.
 * Routes opt in with `config: { rateLimit: authRateLimit(app) }`.
 */
async function throttlePlugin(app: FastifyInstance) {
  const { config } = app;
  let redis: Redis | null = null;
  let counter: AttemptCounter;
  if (config.redisUrl) {
    redis = connectRedis(config.redisUrl);
    // ioredis reports connection errors as events; without a listener they would crash the process.
    redis.on('error', () => {});
    counter = new RedisAttemptCounter(redis, `${config.redisKeyPrefix}login:`, (err) =>
      app.log.error(
        { err: { message: err instanceof Error ? err.message : String(err) } },
        'redis unavailable: login counters fall back to this process',
      ),
    );
    if (!(await redisReady(redis))) app.log.error('redis not reachable at start-up: login counters are per process until it is');
  } else {
    counter = new MemoryAttemptCounter();
  }
  app.decorate('loginThrottle', new LoginThrottle(counter, config));

  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `${config.redisKeyPrefix}rl:` } : {}),
    // A Redis outage must not take logins down with it; the account lockout still holds.
    skipOnError: true,
    errorResponseBuilder: (_request, ctx) => new TooManyRequestsError(ctx.ttl / 1000),
  });

  app.addHook('onClose', async () => {
    await counter.close();
    if (redis) await redis.quit().catch(() => redis?.disconnect());
  });
}

export default fp(throttlePlugin, { name: 'login-throttle' });

/** Route config of the per-IP limit on login, MFA login and token refresh. */
export function authRateLimit(app: FastifyInstance) {
  return { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 };
}
