import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from '../../src/modules/auth/common-passwords.js';
import { checkPasswordPolicy } from '../../src/modules/auth/password-policy.js';

describe('password policy', () => {
  it('ships a list of several hundred common long passwords', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(300);
    for (const p of COMMON_PASSWORDS) expect(p.length, p).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ['Password1234', /too common/],
    ['QWERTYUIOP123', /too common/],
    ['Welcome2026!', /too common/],
    ['hospital12345', /too common/],
    ['eleven-char', /at least 12/],
    ['y'.repeat(257), /at most 256/],
    ['             ', /blank/],
    ['Jo.Doe@Clinic.example', /similar to the email/],
    ['jo.doe', /at least 12/],
  ])('refuses %j', (password, message) => {
    expect(checkPasswordPolicy(password, 'jo.doe@clinic.example').join(' ')).toMatch(message);
  });

  it.each(['plum-kettle-harbour-91', 'x'.repeat(256), 'ünïcødé-pässwörd-✓'])('accepts %j', (password) => {
    expect(checkPasswordPolicy(password, 'jo.doe@clinic.example')).toEqual([]);
  });
});
