/**
 * Access tokens this process has already verified, keyed by the exact token string (so two
 * different tokens can never share an entry), kept until the earlier of the token's own expiry
 * and a minute from now, at most `max` of them (oldest dropped first).
 *
 * Every API call re-presents the same bearer token, and checking its HMAC-SHA256 signature was a
 * tenth of a request's CPU. Revocation does not depend on this cache: the guard still loads the
 * user, token version and session from the database on every request.
 */
export class VerifiedTokenCache<C extends { exp?: number }> {
  private readonly entries = new Map<string, { claims: C; until: number }>();

  constructor(
    private readonly max = 10_000,
    private readonly ttlMs = 60_000,
  ) {}

  get(token: string): C | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: C): void {
    const now = Date.now();
    const until = Math.min(typeof claims.exp === 'number' ? claims.exp * 1000 : now, now + this.ttlMs);
    if (until <= now) return;
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { claims, until });
  }
}
