import { Redis } from 'ioredis';

/**
 * Counts failures per key inside a fixed window that starts at the first failure. One small
 * interface, two stores: process memory (one server process) and Redis (several processes
 * share the counts, so a lockout holds whichever process answers).
 */
export interface AttemptCounter {
  /** Failures recorded for the key in its current window, and the milliseconds it has left. */
  peek(key: string): Promise<{ count: number; ttlMs: number }>;
  /** Records one failure; starts the window when it is the first. */
  fail(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryAttemptCounter implements AttemptCounter {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();

  private live(key: string, now = Date.now()) {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  async peek(key: string) {
    const e = this.live(key);
    return e ? { count: e.count, ttlMs: e.expiresAt - Date.now() } : { count: 0, ttlMs: 0 };
  }

  async fail(key: string, windowMs: number) {
    const now = Date.now();
    // Expired entries are dropped as the map grows, so a flood of random keys cannot exhaust memory.
    if (this.entries.size > 50_000) for (const k of [...this.entries.keys()]) this.live(k, now);
    const e = this.live(key, now) ?? { count: 0, expiresAt: now + windowMs };
    e.count += 1;
    this.entries.set(key, e);
    return { count: e.count, ttlMs: e.expiresAt - now };
  }

  async reset(key: string) {
    this.entries.delete(key);
  }

  async close() {
    this.entries.clear();
  }
}

/**
 * Redis-backed counts. When Redis cannot answer, this process counts in memory instead of failing
 * every login: protection continues per process, and the outage is logged (once per outage).
 */
export class RedisAttemptCounter implements AttemptCounter {
  private readonly fallback = new MemoryAttemptCounter();
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onOutage: (err: unknown) => void = () => {},
  ) {}

  private async guard<T>(op: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      const result = await op();
      this.degraded = false;
      return result;
    } catch (err) {
      if (!this.degraded) this.onOutage(err);
      this.degraded = true;
      return local();
    }
  }

  peek(key: string) {
    return this.guard(
      () => this.redisPeek(key),
      () => this.fallback.peek(key),
    );
  }

  fail(key: string, windowMs: number) {
    return this.guard(
      () => this.redisFail(key, windowMs),
      () => this.fallback.fail(key, windowMs),
    );
  }

  reset(key: string) {
    return this.guard(
      () => this.redisReset(key),
      () => this.fallback.reset(key),
    );
  }

  private async redisPeek(key: string) {
    const res = await this.redis
      .multi()
      .get(this.prefix + key)
      .pttl(this.prefix + key)
      .exec();
    const count = Number(res?.[0]?.[1] ?? 0) || 0;
    const ttl = Number(res?.[1]?.[1] ?? -2);
    return { count: ttl > 0 ? count : 0, ttlMs: Math.max(0, ttl) };
  }

  private async redisFail(key: string, windowMs: number) {
    const k = this.prefix + key;
    // SET NX starts the window only on the first failure; INCR is atomic across processes.
    const res = await this.redis.multi().set(k, 0, 'PX', windowMs, 'NX').incr(k).pttl(k).exec();
    return { count: Number(res?.[1]?.[1] ?? 1), ttlMs: Math.max(0, Number(res?.[2]?.[1] ?? windowMs)) };
  }

  private async redisReset(key: string) {
    await this.redis.del(this.prefix + key);
    await this.fallback.reset(key);
  }

  async close() {
    await this.fallback.close();
    // The Redis connection is owned by whoever created it (the throttle plugin closes it).
  }
}

export function connectRedis(url: string): Redis {
  // No offline queue: while Redis is away a command fails at once (and the caller falls back)
  // rather than making a login wait for a reconnect.
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 });
}

/** Waits for the first connection, so counts are shared from the first request; false on timeout. */
export function redisReady(redis: Redis, timeoutMs = 3000): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}
