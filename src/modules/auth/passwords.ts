import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the library's defaults, which are OWASP's (m=19456 KiB, t=2, p=1). Hashing runs
 * on libuv's thread pool, so it never blocks the event loop.
 *
 * It can still starve it: on a small machine a burst of logins keeps every core busy hashing and
 * every other request waits for CPU. So at most (cores - 1) hashes run at once (at least one);
 * the others queue, and the event loop keeps a core for the rest of the API.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);
let running = 0;
const queue: (() => void)[] = [];

async function gated<T>(work: () => Promise<T>): Promise<T> {
  // A finishing hash hands its slot straight to the next waiter, so the count never overshoots.
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => queue.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  }
}

export function hashPassword(password: string): Promise<string> {
  return gated(() => hash(password));
}

let dummyHash: Promise<string> | null = null;

/**
 * Verifies a password. With no stored hash (unknown email) it still verifies against a dummy
 * hash, so a login for an unknown account costs the same time as one for a known account.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword('customehr-timing-equaliser-not-a-password');
    const dummy = await dummyHash;
    await gated(() => verify(dummy, password)).catch(() => false);
    return false;
  }
  try {
    return await gated(() => verify(stored, password));
  } catch {
    return false;
  }
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
