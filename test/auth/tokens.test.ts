import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

describe('token lifecycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => vi.useRealTimers());

  async function loginAs(email: string) {
    const res = await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email, password: DEFAULT_PASSWORD } });
    expect(res.statusCode).toBe(200);
    return res.json() as { access: string; refresh: string };
  }
  const me = (access: string) => t.app.inject({ url: '/api/users/me/', headers: { authorization: `Bearer ${access}` } });
  const refresh = (token: string) => t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: token } });

  it('rotates the refresh token: the new pair works, the old refresh token is spent', async () => {
    const user = await makeUser(t.db);
    const first = await loginAs(user.email);
    const rotated = await refresh(first.refresh);
    expect(rotated.statusCode).toBe(200);
    const pair = rotated.json();
    expect(Object.keys(pair).sort()).toEqual(['access', 'refresh']);
    expect(pair.refresh).not.toBe(first.refresh);
    expect((await me(pair.access)).statusCode).toBe(200);
  });

  it('treats reuse of a spent refresh token as theft and revokes the whole login', async () => {
    const user = await makeUser(t.db);
    const first = await loginAs(user.email);
    const second = (await refresh(first.refresh)).json();
    const reuse = await refresh(first.refresh);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.headers['www-authenticate']).toMatch(/^Bearer/);
    // The thief's reuse also kills the legitimate holder's newer token of the same family.
    expect((await refresh(second.refresh)).statusCode).toBe(401);
    const audit = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'token_reuse_detected').execute();
    expect(audit.some((e) => e.resource_id === String(user.id))).toBe(true);
  });

  it('another login of the same user is a separate family and survives the revocation', async () => {
    const user = await makeUser(t.db);
    const a = await loginAs(user.email);
    const b = await loginAs(user.email);
    await refresh(a.refresh);
    await refresh(a.refresh); // reuse: revokes family a only
    expect((await refresh(b.refresh)).statusCode).toBe(200);
  });

  it('gives exactly one winner when one refresh token is used twice at once', async () => {
    const user = await makeUser(t.db);
    const { refresh: token } = await loginAs(user.email);
    const results = await Promise.all([refresh(token), refresh(token), refresh(token)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
  });

  it('logout revokes the refresh token (204), and a second logout is 401', async () => {
    const user = await makeUser(t.db);
    const pair = await loginAs(user.email);
    const out = await t.app.inject({ method: 'POST', url: '/api/logout/', payload: { refresh: pair.refresh } });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    expect((await refresh(pair.refresh)).statusCode).toBe(401);
  });

  it('refuses an access token used as a refresh token and garbage tokens', async () => {
    const user = await makeUser(t.db);
    const pair = await loginAs(user.email);
    expect((await refresh(pair.access)).statusCode).toBe(401);
    expect((await refresh('not.a.jwt')).statusCode).toBe(401);
    expect((await me(pair.refresh)).statusCode).toBe(401);
    expect((await me('garbage')).statusCode).toBe(401);
  });

  it('refuses a correctly signed access token that never expires', async () => {
    const user = await makeUser(t.db);
    const claims = { token_type: 'access', user_id: user.id, ver: user.token_version, jti: 'no-exp' };
    const forever = t.app.jwt.sign(claims, { expiresIn: undefined as unknown as number });
    expect(JSON.parse(Buffer.from(forever.split('.')[1], 'base64url').toString())).not.toHaveProperty('exp');
    expect((await me(forever)).statusCode).toBe(401);
    const expiring = t.app.jwt.sign(claims, { expiresIn: 60 });
    expect((await me(expiring)).statusCode).toBe(200);
  });

  it('expires access tokens after an hour and refresh tokens after a day (fake clock)', async () => {
    const user = await makeUser(t.db);
    const pair = await loginAs(user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3590 * 1000);
    expect((await me(pair.access)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 12 * 1000);
    const expired = await me(pair.access);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('token_not_valid');
    vi.setSystemTime(Date.now() + 86400 * 1000);
    expect((await refresh(pair.refresh)).statusCode).toBe(401);
  });

  it('refuses a user deactivated mid-session on the very next request', async () => {
    const user = await makeUser(t.db);
    const pair = await loginAs(user.email);
    expect((await me(pair.access)).statusCode).toBe(200);
    await t.db.updateTable('users').set({ status: false }).where('id', '=', user.id).execute();
    expect((await me(pair.access)).statusCode).toBe(401);
  });

  it('refuses the token of a deleted user', async () => {
    const user = await makeUser(t.db);
    const pair = await loginAs(user.email);
    await t.db.deleteFrom('refresh_tokens').where('user_id', '=', user.id).execute();
    await t.db.deleteFrom('users').where('id', '=', user.id).execute();
    expect((await me(pair.access)).statusCode).toBe(401);
  });

  it('deactivation through the API cuts access and refresh tokens at once', async () => {
    const staff = await makeUser(t.db, { user_type: 'staff' });
    const target = await makeUser(t.db, { user_type: 'staff' });
    const staffPair = await loginAs(staff.email);
    const targetPair = await loginAs(target.email);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.id}/`,
      headers: { authorization: `Bearer ${staffPair.access}` },
      payload: { status: false },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe(false);
    expect((await me(targetPair.access)).statusCode).toBe(401);
    expect((await refresh(targetPair.refresh)).statusCode).toBe(401);
  });

  it('a staff password reset ends the user’s sessions; the new password logs in', async () => {
    const staff = await makeUser(t.db, { user_type: 'staff' });
    const target = await makeUser(t.db, { user_type: 'staff' });
    const staffPair = await loginAs(staff.email);
    const targetPair = await loginAs(target.email);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.id}/`,
      headers: { authorization: `Bearer ${staffPair.access}` },
      payload: { password: 'a-brand-new-passphrase-9' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('password');
    expect((await me(targetPair.access)).statusCode).toBe(401);
    expect((await refresh(targetPair.refresh)).statusCode).toBe(401);
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      payload: { email: target.email, password: 'a-brand-new-passphrase-9' },
    });
    expect(relogin.statusCode).toBe(200);
  });

  it('answers 401 with WWW-Authenticate: Bearer when no credentials are sent', async () => {
    const res = await t.app.inject({ url: '/api/users/me/' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('records login success and failure in the audit trail without the password', async () => {
    const user = await makeUser(t.db);
    await loginAs(user.email);
    await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email: user.email, password: 'wrong-password-123' } });
    const events = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'login').where('user_id', '=', user.id).execute();
    expect(events.map((e) => e.outcome).sort()).toEqual(['failure', 'success']);
    for (const e of events) {
      expect(e.details).not.toContain('wrong-password');
      expect(e.details).not.toContain(DEFAULT_PASSWORD);
    }
  });
});
