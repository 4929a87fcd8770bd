import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

const NEW_PASSWORD = 'a-brand-new-passphrase-77';

describe('token lifecycle', () => {
  let t: TestApp;
  let staffHeaders: { authorization: string };
  beforeAll(async () => {
    t = await buildTestApp();
    staffHeaders = await authHeader(t.app, await makeUser(t.db, { user_type: 'staff' }));
  });
  afterAll(() => t.close());

  async function login(email: string, password = DEFAULT_PASSWORD, ua = 'vitest') {
    const res = await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email, password }, headers: { 'user-agent': ua } });
    expect(res.statusCode).toBe(200);
    return res.json() as { access: string; refresh: string };
  }
  const bearer = (access: string) => ({ authorization: `Bearer ${access}` });
  const me = (access: string) => t.app.inject({ url: '/api/users/me/', headers: bearer(access) });
  const refresh = (token: string, ua = 'vitest') =>
    t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: token }, headers: { 'user-agent': ua } });

  describe('POST /api/users/me/password/', () => {
    it('refuses a wrong old password with a field error', async () => {
      const user = await makeUser(t.db);
      const { access } = await login(user.email);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/users/me/password/',
        headers: bearer(access),
        payload: { old_password: 'not-my-password', new_password: NEW_PASSWORD },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ old_password: ['Your old password was entered incorrectly. Please enter it again.'] });
    });

    it('explains every policy rule a new password breaks', async () => {
      const user = await makeUser(t.db, { email: 'policy.person@example.com' });
      const { access } = await login(user.email);
      const cases: [string, RegExp][] = [
        ['short', /at least 12 characters/],
        ['x'.repeat(257), /at most 256 characters/],
        ['password1234', /too common/],
        ['Correct-Horse-Battery-Staple', /too common/],
        ['policy.person@example.com', /similar to the email/],
        [DEFAULT_PASSWORD, /different from the old one/],
      ];
      for (const [candidate, message] of cases) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/users/me/password/',
          headers: bearer(access),
          payload: { old_password: DEFAULT_PASSWORD, new_password: candidate },
        });
        expect(res.statusCode, candidate).toBe(400);
        expect(res.json().new_password.join(' ')).toMatch(message);
      }
      expect((await me(access)).statusCode).toBe(200);
    });

    it('changes the password, ends every other login, and hands back a fresh pair', async () => {
      const user = await makeUser(t.db);
      const phone = await login(user.email, DEFAULT_PASSWORD, 'phone');
      const laptop = await login(user.email, DEFAULT_PASSWORD, 'laptop');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/users/me/password/',
        headers: bearer(laptop.access),
        payload: { old_password: DEFAULT_PASSWORD, new_password: NEW_PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      const fresh = res.json();
      expect(fresh.detail).toMatch(/Password changed/);
      for (const old of [phone, laptop]) {
        expect((await me(old.access)).statusCode).toBe(401);
        expect((await refresh(old.refresh)).statusCode).toBe(401);
      }
      expect((await me(fresh.access)).statusCode).toBe(200);
      expect((await refresh(fresh.refresh)).statusCode).toBe(200);
      const oldLogin = await t.app.inject({
        method: 'POST',
        url: '/api/login/',
        payload: { email: user.email, password: DEFAULT_PASSWORD },
      });
      expect(oldLogin.statusCode).toBe(400);
      await login(user.email, NEW_PASSWORD);

      const events = await t.db
        .selectFrom('audit_events')
        .selectAll()
        .where('user_id', '=', user.id)
        .where('action', '=', 'password_change')
        .execute();
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0].details)).toEqual({ fields: ['password'], sessions_revoked: true });
      const all = JSON.stringify(await t.db.selectFrom('audit_events').selectAll().execute());
      expect(all).not.toContain(NEW_PASSWORD);
    });

    it('counts wrong old passwords as login failures', async () => {
      const user = await makeUser(t.db);
      const { access } = await login(user.email);
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/users/me/password/',
          headers: bearer(access),
          payload: { old_password: `guess-number-${i}`, new_password: NEW_PASSWORD },
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([400, 400, 400, 400, 400, 429]);
      const lockedLogin = await t.app.inject({
        method: 'POST',
        url: '/api/login/',
        payload: { email: user.email, password: DEFAULT_PASSWORD },
      });
      expect(lockedLogin.statusCode).toBe(429);
    });

    it('needs a signed-in caller and a clean body', async () => {
      const anon = await t.app.inject({
        method: 'POST',
        url: '/api/users/me/password/',
        payload: { old_password: 'a', new_password: NEW_PASSWORD },
      });
      expect(anon.statusCode).toBe(401);
      const user = await makeUser(t.db);
      const extra = await t.app.inject({
        method: 'POST',
        url: '/api/users/me/password/',
        headers: await authHeader(t.app, user),
        payload: { old_password: DEFAULT_PASSWORD, new_password: NEW_PASSWORD, user_type: 'staff' },
      });
      expect(extra.statusCode).toBe(400);
      expect(extra.json()).toHaveProperty('user_type');
    });
  });

  it('a staff password reset ends the user’s logins', async () => {
    const user = await makeUser(t.db);
    const pair = await login(user.email);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${user.id}/`,
      headers: staffHeaders,
      payload: { password: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(pair.access)).statusCode).toBe(401);
    expect((await refresh(pair.refresh)).statusCode).toBe(401);
    await login(user.email, NEW_PASSWORD);
  });

  it('a deactivated user’s access token is refused on the next request', async () => {
    const user = await makeUser(t.db);
    const pair = await login(user.email);
    expect((await me(pair.access)).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}/`, headers: staffHeaders, payload: { status: false } });
    expect(res.statusCode).toBe(200);
    const after = await me(pair.access);
    expect(after.statusCode).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/Bearer/);
    expect((await refresh(pair.refresh)).statusCode).toBe(401);
  });

  it('reusing a stolen refresh token revokes the whole login, access tokens included', async () => {
    const user = await makeUser(t.db);
    const first = await login(user.email);
    const rotated = (await refresh(first.refresh)).json();
    expect((await me(rotated.access)).statusCode).toBe(200);
    // The thief replays the spent token: refused, and the legitimate holder's newer tokens die too.
    expect((await refresh(first.refresh)).statusCode).toBe(401);
    expect((await refresh(rotated.refresh)).statusCode).toBe(401);
    expect((await me(rotated.access)).statusCode).toBe(401);
    const reuse = await t.db
      .selectFrom('audit_events')
      .select('outcome')
      .where('action', '=', 'token_reuse_detected')
      .where('user_id', '=', user.id)
      .execute();
    expect(reuse).toEqual([{ outcome: 'denied' }]);
  });

  it('logout ends that login’s access token too', async () => {
    const user = await makeUser(t.db);
    const a = await login(user.email);
    const b = await login(user.email);
    const out = await t.app.inject({ method: 'POST', url: '/api/logout/', payload: { refresh: a.refresh } });
    expect(out.statusCode).toBe(204);
    expect((await me(a.access)).statusCode).toBe(401);
    expect((await me(b.access)).statusCode).toBe(200);
  });

  describe('sessions', () => {
    it('lists live logins, marks the current one, and revokes one at a time', async () => {
      const user = await makeUser(t.db);
      const other = await makeUser(t.db);
      const phone = await login(user.email, DEFAULT_PASSWORD, 'Phone/1.0');
      const laptop = await login(user.email, DEFAULT_PASSWORD, 'Laptop/2.0');
      const refreshed = (await refresh(phone.refresh, 'Phone/1.0')).json();
      const otherLogin = await login(other.email);

      const res = await t.app.inject({ url: '/api/users/me/sessions/', headers: bearer(laptop.access) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json();
      expect(body.count).toBe(2);
      const byAgent = Object.fromEntries(body.results.map((s: { user_agent: string }) => [s.user_agent, s]));
      expect(byAgent['Laptop/2.0'].current).toBe(true);
      expect(byAgent['Phone/1.0'].current).toBe(false);
      expect(byAgent['Phone/1.0'].client_ip).toBe('127.0.0.1');
      expect(byAgent['Phone/1.0'].last_used >= byAgent['Phone/1.0'].created).toBe(true);

      const otherSessions = (await t.app.inject({ url: '/api/users/me/sessions/', headers: bearer(otherLogin.access) })).json();
      expect(otherSessions.count).toBe(1);
      // Someone else's login is not found, and is not revoked.
      const foreign = await t.app.inject({
        method: 'DELETE',
        url: `/api/users/me/sessions/${otherSessions.results[0].id}/`,
        headers: bearer(laptop.access),
      });
      expect(foreign.statusCode).toBe(404);
      expect((await me(otherLogin.access)).statusCode).toBe(200);

      const gone = await t.app.inject({
        method: 'DELETE',
        url: `/api/users/me/sessions/${byAgent['Phone/1.0'].id}/`,
        headers: bearer(laptop.access),
      });
      expect(gone.statusCode).toBe(204);
      expect((await me(refreshed.access)).statusCode).toBe(401);
      expect((await refresh(refreshed.refresh)).statusCode).toBe(401);
      expect((await me(laptop.access)).statusCode).toBe(200);
      const left = (await t.app.inject({ url: '/api/users/me/sessions/', headers: bearer(laptop.access) })).json();
      expect(left.results.map((s: { user_agent: string }) => s.user_agent)).toEqual(['Laptop/2.0']);

      expect(
        (await t.app.inject({ method: 'DELETE', url: '/api/users/me/sessions/not-a-uuid/', headers: bearer(laptop.access) })).statusCode,
      ).toBe(404);
      expect((await t.app.inject({ url: '/api/users/me/sessions/' })).statusCode).toBe(401);
    });

    it('staff revoke-sessions cuts every login and access token of a user', async () => {
      const user = await makeUser(t.db);
      const a = await login(user.email);
      const b = await login(user.email);
      const provider = await makeUser(t.db, { user_type: 'provider' });
      const forbidden = await t.app.inject({
        method: 'POST',
        url: `/api/users/${user.id}/revoke-sessions/`,
        headers: await authHeader(t.app, provider),
      });
      expect(forbidden.statusCode).toBe(403);
      expect((await me(a.access)).statusCode).toBe(200);

      const res = await t.app.inject({ method: 'POST', url: `/api/users/${user.id}/revoke-sessions/`, headers: staffHeaders });
      expect(res.statusCode).toBe(204);
      for (const pair of [a, b]) {
        expect((await me(pair.access)).statusCode).toBe(401);
        expect((await refresh(pair.refresh)).statusCode).toBe(401);
      }
      await login(user.email);
      expect((await t.app.inject({ method: 'POST', url: '/api/users/999999/revoke-sessions/', headers: staffHeaders })).statusCode).toBe(
        404,
      );
      const audit = await t.db
        .selectFrom('audit_events')
        .select('action')
        .where('resource_id', '=', String(user.id))
        .where('action', '=', 'revoke_sessions')
        .execute();
      expect(audit).toHaveLength(1);
    });
  });
});
