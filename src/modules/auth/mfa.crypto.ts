import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * TOTP secrets are encrypted at rest: AES-256-GCM with a key derived from JWT_SECRET by HKDF, so a
 * copy of the database alone does not give an attacker anyone's second factor. Rotating
 * JWT_SECRET makes existing enrolments unreadable (users re-enrol; staff can reset MFA).
 */
const VERSION = 'v1';

function key(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'customehr-mfa-salt', 'totp-secret-encryption-v1', 32));
}

export function encryptSecret(jwtSecret: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(jwtSecret), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

/** Null when the value was not made with this key (or was tampered with). */
export function decryptSecret(jwtSecret: string, stored: string): string | null {
  const [version, iv, tag, ct] = stored.split(':');
  if (version !== VERSION || !iv || !tag || !ct) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(jwtSecret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Recovery codes carry 50 random bits each, so a fast hash is enough to keep them unreadable. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(code)).digest('hex');
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx` from an alphabet without look-alike characters. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}
