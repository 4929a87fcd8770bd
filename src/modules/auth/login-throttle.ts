import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config.js';
import { TooManyRequestsError } from '../../errors.js';
import { normaliseEmail } from '../users/users.repository.js';
import type { AttemptCounter } from './attempt-counter.js';

/**
 * Brute-force protection for password and MFA checks. Failures are counted per account and per
 * client IP. After `loginMaxFailures` failures for an account inside `loginWindowSec` that
 * account's logins answer 429 until the window passes, without checking the password at all, so
 * a right guess while locked is not revealed. The per-IP limit is higher (an office behind one NAT
 * address shares it) and stops one client spraying guesses over many accounts.
 */
export class LoginThrottle {
  constructor(
    private readonly counter: AttemptCounter,
    private readonly config: Pick<AppConfig, 'loginMaxFailures' | 'loginWindowSec'>,
  ) {}

  get ipMaxFailures(): number {
    return this.config.loginMaxFailures * 10;
  }

  /** Emails are hashed: the counter store (Redis) never holds an address. */
  private accountKey(email: string): string {
    return `acct:${createHash('sha256').update(normaliseEmail(email)).digest('hex').slice(0, 32)}`;
  }

  private ipKey(ip: string): string {
    return `ip:${ip}`;
  }

  /** Throws 429 with Retry-After when the account or the IP is locked. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [acct, byIp] = await Promise.all([this.counter.peek(this.accountKey(email)), this.counter.peek(this.ipKey(ip))]);
    const waits: number[] = [];
    if (acct.count >= this.config.loginMaxFailures) waits.push(acct.ttlMs);
    if (byIp.count >= this.ipMaxFailures) waits.push(byIp.ttlMs);
    if (waits.length > 0) {
      const seconds = Math.ceil(Math.max(...waits) / 1000);
      throw new TooManyRequestsError(seconds, `Too many failed login attempts. Try again in ${Math.max(1, seconds)} seconds.`);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const windowMs = this.config.loginWindowSec * 1000;
    await Promise.all([this.counter.fail(this.accountKey(email), windowMs), this.counter.fail(this.ipKey(ip), windowMs)]);
  }

  /** A completed login (password and, when enrolled, MFA) clears the account's count. */
  async recordSuccess(email: string): Promise<void> {
    await this.counter.reset(this.accountKey(email));
  }

  close(): Promise<void> {
    return this.counter.close();
  }
}
