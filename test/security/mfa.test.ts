import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '../../src/modules/auth/mfa.crypto.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

/** The code an authenticator app would show `steps` periods from now (-1, 0, +1 are accepted). */
function codeAt(secret: string, steps: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
}

describe('two-factor authentication (TOTP)', () => {
  let t: TestApp;
  let staff: { authorization: string };
  beforeAll(async () => {
    t = await buildTestApp();
    staff = await authHeader(t.app, await makeUser(t.db, { user_type: 'staff' }));
  });
  afterAll(() => t.close());

  const login = (email: string, password = DEFAULT_PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/login/', payload: { email, password } });
  const loginMfa = (mfa_token: string, code: string) =>
    t.app.inject({ method: 'POST', url: '/api/login/mfa/', payload: { mfa_token, code } });

  /** A user with MFA enabled (confirmed with the previous step's code). */
  async function enrolled(userType: 'staff' | 'provider' | 'patient' = 'patient') {
    const user = await makeUser(t.db, { user_type: userType });
    const headers = await authHeader(t.app, user);
    const enrol = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/', headers });
    expect(enrol.statusCode).toBe(201);
    const { secret } = enrol.json();
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/api/users/me/mfa/confirm/',
      headers,
      payload: { code: codeAt(secret, -1) },
    });
    expect(confirm.statusCode).toBe(200);
    return { user, headers, secret: secret as string, recovery: confirm.json().recovery_codes as string[] };
  }

  it('enrols, confirms with a code and hands out recovery codes once', async () => {
    const user = await makeUser(t.db, { email: 'mfa.person@example.com' });
    const headers = await authHeader(t.app, user);
    expect((await t.app.inject({ url: '/api/users/me/mfa/', headers })).json()).toMatchObject({ enabled: false, pending: false });

    const enrol = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/', headers });
    expect(enrol.statusCode).toBe(201);
    const { secret, otpauth_uri } = enrol.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/customehr:mfa\.person%40example\.com\?/);
    expect(otpauth_uri).toContain(`secret=${secret}`);
    expect((await t.app.inject({ url: '/api/users/me/mfa/', headers })).json()).toMatchObject({ enabled: false, pending: true });
    // Encrypted at rest: the stored value is not the secret and opens only with the server key.
    const row = await t.db.selectFrom('user_mfa').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(secret);
    expect(decryptSecret(t.app.config.jwtSecret, row.secret_enc)).toBe(secret);
    expect(decryptSecret('another-secret-another-secret-another-secret', row.secret_enc)).toBeNull();

    const wrong = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/confirm/', headers, payload: { code: '000000' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ code: ['Invalid or expired code.'] });
    // Login is unchanged until confirmation.
    expect((await login(user.email)).json()).toHaveProperty('access');

    const ok = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/confirm/', headers, payload: { code: codeAt(secret, 0) } });
    expect(ok.statusCode).toBe(200);
    const codes: string[] = ok.json().recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = await t.db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0]);
    expect((await t.app.inject({ url: '/api/users/me/mfa/', headers })).json()).toMatchObject({
      enabled: true,
      pending: false,
      recovery_codes_remaining: 10,
    });
    expect((await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/', headers })).statusCode).toBe(409);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/confirm/', headers, payload: { code: '123456' } })).statusCode,
    ).toBe(409);
  });

  it('login asks for a code, then completes with the normal login body', async () => {
    const { user, secret } = await enrolled();
    const first = await login(user.email);
    expect(first.statusCode).toBe(200);
    const challenge = first.json();
    expect(challenge).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    // The MFA token is no access token.
    expect((await t.app.inject({ url: '/api/users/me/', headers: { authorization: `Bearer ${challenge.mfa_token}` } })).statusCode).toBe(
      401,
    );

    const bad = await loginMfa(challenge.mfa_token, '999999');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: ['Invalid or expired code.'] });

    const code = codeAt(secret, 0);
    const done = await loginMfa(challenge.mfa_token, code);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      user: { id: user.id },
      user_type: 'patient',
      access: expect.any(String),
      refresh: expect.any(String),
    });
    expect((await t.app.inject({ url: '/api/users/me/', headers: { authorization: `Bearer ${done.json().access}` } })).statusCode).toBe(
      200,
    );

    // The same code again (a replay, or a shoulder-surfer) is refused.
    const again = await login(user.email);
    expect((await loginMfa(again.json().mfa_token, code)).statusCode).toBe(400);
    expect((await loginMfa(again.json().mfa_token, codeAt(secret, 1))).statusCode).toBe(200);

    const audit = await t.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'details'])
      .where('user_id', '=', user.id)
      .orderBy('id')
      .execute();
    const logins = audit.filter((e) => e.action === 'login');
    expect(logins.map((e) => e.outcome)).toEqual(['failure', 'success', 'failure', 'success']);
    expect(JSON.parse(logins[1].details)).toEqual({ mfa: 'totp' });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('accepts each recovery code once', async () => {
    const { user, recovery, headers } = await enrolled();
    const token = (await login(user.email)).json().mfa_token;
    const ok = await loginMfa(token, recovery[3].toUpperCase());
    expect(ok.statusCode).toBe(200);
    expect((await loginMfa((await login(user.email)).json().mfa_token, recovery[3])).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/users/me/mfa/', headers })).json().recovery_codes_remaining).toBe(9);
  });

  it('throttles code guessing like password guessing', async () => {
    const { user, secret } = await enrolled();
    const token = (await login(user.email)).json().mfa_token;
    for (let i = 0; i < 5; i++) expect((await loginMfa(token, String(100000 + i))).statusCode).toBe(400);
    const locked = await loginMfa(token, codeAt(secret, 0));
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await login(user.email)).statusCode).toBe(429);
  });

  it('refuses a forged, expired or foreign MFA token', async () => {
    const { user, secret } = await enrolled();
    expect((await loginMfa('not.a.token', codeAt(secret, 0))).statusCode).toBe(401);
    const access = (await authHeader(t.app, user)).authorization.slice(7);
    expect((await loginMfa(access, codeAt(secret, 0))).statusCode).toBe(401);
    const expired = t.app.jwt.sign({ token_type: 'mfa', user_id: user.id, ver: 0, jti: 'x' }, { expiresIn: -10 });
    expect((await loginMfa(expired, codeAt(secret, 0))).statusCode).toBe(401);
  });

  it('disables with a code or the password, not without proof', async () => {
    const { user, headers, secret } = await enrolled();
    expect((await t.app.inject({ method: 'DELETE', url: '/api/users/me/mfa/', headers, payload: {} })).statusCode).toBe(400);
    const wrong = await t.app.inject({ method: 'DELETE', url: '/api/users/me/mfa/', headers, payload: { password: 'not-the-password' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ password: ['Incorrect password.'] });
    const ok = await t.app.inject({ method: 'DELETE', url: '/api/users/me/mfa/', headers, payload: { code: codeAt(secret, 0) } });
    expect(ok.statusCode).toBe(204);
    expect((await login(user.email)).json()).toHaveProperty('access');

    const other = await enrolled();
    const byPassword = await t.app.inject({
      method: 'DELETE',
      url: '/api/users/me/mfa/',
      headers: other.headers,
      payload: { password: DEFAULT_PASSWORD },
    });
    expect(byPassword.statusCode).toBe(204);
  });

  it('staff can reset a user’s MFA; others cannot', async () => {
    const { user, headers } = await enrolled();
    expect((await t.app.inject({ method: 'POST', url: `/api/users/${user.id}/mfa/reset/`, headers })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'POST', url: `/api/users/${user.id}/mfa/reset/`, headers: staff });
    expect(res.statusCode).toBe(204);
    expect((await login(user.email)).json()).toHaveProperty('access');
    expect(await t.db.selectFrom('mfa_recovery_codes').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    expect((await t.app.inject({ method: 'POST', url: '/api/users/99999999/mfa/reset/', headers: staff })).statusCode).toBe(404);
  });

  it('clinic policy: staff and providers without MFA are told to enrol, patients are not', async () => {
    const provider = await makeUser(t.db, { user_type: 'provider' });
    const patient = await makeUser(t.db, { user_type: 'patient' });
    expect((await t.app.inject({ url: '/api/security/settings/', headers: await authHeader(t.app, provider) })).statusCode).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/security/settings/',
          headers: await authHeader(t.app, provider),
          payload: { mfa_required: true },
        })
      ).statusCode,
    ).toBe(403);
    expect((await login(provider.email)).json()).not.toHaveProperty('mfa_enrollment_required');

    const set = await t.app.inject({ method: 'PATCH', url: '/api/security/settings/', headers: staff, payload: { mfa_required: true } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ mfa_required: true });
    expect((await t.app.inject({ url: '/api/security/settings/', headers: staff })).json().mfa_required).toBe(true);
    try {
      const providerLogin = (await login(provider.email)).json();
      expect(providerLogin.mfa_enrollment_required).toBe(true);
      expect(providerLogin).toHaveProperty('access');
      expect((await login(patient.email)).json()).not.toHaveProperty('mfa_enrollment_required');
      const enrolledProvider = await enrolled('provider');
      expect((await login(enrolledProvider.user.email)).json()).toMatchObject({ mfa_required: true });
      const status = await t.app.inject({ url: '/api/users/me/mfa/', headers: await authHeader(t.app, provider) });
      expect(status.json().required).toBe(true);
      expect(
        (await t.app.inject({ method: 'PUT', url: '/api/security/settings/', headers: staff, payload: { mfa_required: 'yes' } }))
          .statusCode,
      ).toBe(400);
    } finally {
      await t.app.inject({ method: 'PUT', url: '/api/security/settings/', headers: staff, payload: { mfa_required: false } });
    }
  });

  it('encryption round-trips and detects tampering', () => {
    const key = 'k'.repeat(40);
    const sealed = encryptSecret(key, 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toBe(encryptSecret(key, 'JBSWY3DPEHPK3PXP'));
    expect(decryptSecret(key, sealed)).toBe('JBSWY3DPEHPK3PXP');
    const parts = sealed.split(':');
    parts[3] = `${parts[3][0] === 'A' ? 'B' : 'A'}${parts[3].slice(1)}`;
    expect(decryptSecret(key, parts.join(':'))).toBeNull();
  });
});
