import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the library's defaults, which are OWASP's (m=19456 KiB, t=2, p=1). Hashing runs
 * on libuv's thread pool, so it never blocks the event loop.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummyHash: Promise<string> | null = null;

/**
 * Verifies a password. With no stored hash (unknown email) it still verifies against a dummy
 * hash, so a login for an unknown account costs the same time as one for a known account.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hash('customehr-timing-equaliser-not-a-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
