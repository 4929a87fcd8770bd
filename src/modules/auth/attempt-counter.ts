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

export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async peek(key: string) {
    const res = await this.redis
      .multi()
      .get(this.prefix + key)
      .pttl(this.prefix + key)
      .exec();
    const count = Number(res?.[0]?.[1] ?? 0) || 0;
    const ttl = Number(res?.[1]?.[1] ?? -2);
    return { count: ttl > 0 ? count : 0, ttlMs: Math.max(0, ttl) };
  }

  async fail(key: string, windowMs: number) {
    const k = this.prefix + key;
    // SET NX starts the window only on the first failure; INCR is atomic across processes.
    const res = await this.redis.multi().set(k, 0, 'PX', windowMs, 'NX').incr(k).pttl(k).exec();
    return { count: Number(res?.[1]?.[1] ?? 1), ttlMs: Math.max(0, Number(res?.[2]?.[1] ?? windowMs)) };
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async close() {
    // The Redis connection is owned by whoever created it (the throttle plugin closes it).
  }
}

export function connectRedis(url: string): Redis {
  // Few retries per command: a login should fail fast rather than hang when Redis is away.
  return new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, connectTimeout: 5000 });
}
