import { afterEach, describe, expect, it, vi } from 'vitest';
import { VerifiedTokenCache } from '../../src/plugins/verified-tokens.js';

describe('VerifiedTokenCache', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps an entry until the token expires or a minute passes, whichever is first', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = Date.now();
    const cache = new VerifiedTokenCache<{ exp?: number; who: string }>(10, 60_000);
    cache.set('long', { exp: Math.floor(now / 1000) + 3600, who: 'a' });
    cache.set('short', { exp: Math.floor(now / 1000) + 10, who: 'b' });
    cache.set('expired', { exp: Math.floor(now / 1000) - 1, who: 'c' });
    expect(cache.get('long')?.who).toBe('a');
    expect(cache.get('short')?.who).toBe('b');
    expect(cache.get('expired')).toBeUndefined();
    vi.setSystemTime(now + 11_000);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')?.who).toBe('a');
    vi.setSystemTime(now + 61_000);
    expect(cache.get('long')).toBeUndefined();
  });

  it('matches exact token strings only and drops the oldest entry when full', () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const cache = new VerifiedTokenCache<{ exp?: number; n: number }>(2);
    cache.set('t1', { exp, n: 1 });
    expect(cache.get('t1 ')).toBeUndefined();
    expect(cache.get('T1')).toBeUndefined();
    cache.set('t2', { exp, n: 2 });
    cache.set('t3', { exp, n: 3 });
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t3')?.n).toBe(3);
  });
});
