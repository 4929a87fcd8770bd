import { describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/modules/auth/passwords.js';

// Pass-through spy on the real Argon2 library, to see which calls hash work.
const argon = vi.hoisted(() => ({ verifyCalls: 0 }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...real,
    verify: (...args: Parameters<typeof real.verify>) => {
      argon.verifyCalls += 1;
      return real.verify(...args);
    },
  };
});

describe('password hashing', () => {
  it('hashes with Argon2id and verifies only the right password', async () => {
    const stored = await hashPassword('a-long-enough-passphrase');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'a-long-enough-passphrase')).toBe(true);
    expect(await verifyPassword(stored, 'a-long-enough-passphrasE')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });

  it('does the same work for an unknown account as for a known one', async () => {
    const stored = await hashPassword('timing-passphrase-123');
    const before = argon.verifyCalls;
    expect(await verifyPassword(stored, 'wrong-passphrase-123')).toBe(false);
    expect(await verifyPassword(undefined, 'wrong-passphrase-123')).toBe(false);
    // Both ran a full Argon2 verification: an unknown email is not answered faster.
    expect(argon.verifyCalls - before).toBe(2);
  });

  it('runs many hashes at once without losing any', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hashPassword(`concurrent-passphrase-${i}`)));
    expect(new Set(results).size).toBe(8);
    const checks = await Promise.all(results.map((h, i) => verifyPassword(h, `concurrent-passphrase-${i}`)));
    expect(checks.every(Boolean)).toBe(true);
  });
});
