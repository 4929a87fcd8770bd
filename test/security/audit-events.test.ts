import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

/**
 * The audit events of the account-security actions that were written but never asserted: token
 * refresh, logout, revoking sessions, and MFA enrolment, enabling, disabling and reset. Each
 * request's events are found by its x-request-id, so "exactly one event" means one for that
 * request, with who did it, to whom, the outcome, and no secret in it.
 */

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

function codeAt(secret: string, steps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
}

describe('audit events of account-security actions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  /** The events one request wrote. */
  async function eventsOf(res: LightMyRequestResponse) {
    const requestId = String(res.headers['x-request-id'] ?? '');
    expect(requestId).not.toBe('');
    const rows = await t.db.selectFrom('audit_events').selectAll().where('request_id', '=', requestId).orderBy('id').execute();
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  /** No secret value anywhere in the events, and nothing that looks like a token. */
  function expectNoSecrets(events: unknown[], secrets: string[]) {
    const text = JSON.stringify(events);
    for (const s of secrets) expect(text, 'a secret value reached the audit trail').not.toContain(s);
    expect(text).not.toMatch(JWT);
  }

  async function login(email: string, userAgent = 'vitest') {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      payload: { email, password: DEFAULT_PASSWORD },
      headers: { 'user-agent': userAgent },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { access: string; refresh: string };
  }

  const user = (type: 'staff' | 'provider' | 'patient' = 'patient') => makeUser(t.db, { user_type: type });

  it('token refresh: one token_refresh event for the token owner, success, no token in it', async () => {
    const patient = await user('patient');
    const pair = await login(patient.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: pair.refresh } });
    expect(res.statusCode).toBe(200);
    const events = await eventsOf(res);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'token_refresh',
      user_id: patient.id,
      user_type: 'patient',
      resource_type: 'user',
      resource_id: String(patient.id),
      outcome: 'success',
      patient_id: null,
    });
    expectNoSecrets(events, [pair.refresh, pair.access, res.json().refresh, res.json().access, DEFAULT_PASSWORD]);
  });

  it('logout: one logout event for the token owner, success, no token in it', async () => {
    const provider = await user('provider');
    const pair = await login(provider.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/logout/', payload: { refresh: pair.refresh } });
    expect(res.statusCode).toBe(204);
    const events = await eventsOf(res);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'logout',
      user_id: provider.id,
      resource_type: 'user',
      resource_id: String(provider.id),
      outcome: 'success',
    });
    expectNoSecrets(events, [pair.refresh, pair.access]);
  });

  it('logout: the event names the type of the user who logged out, like login and token_refresh do', async () => {
    // Logout is sent without an access token, so the request has no signed-in user; the event
    // must take the user (and their type) from the refresh token, as token_refresh does.
    const provider = await user('provider');
    const pair = await login(provider.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/logout/', payload: { refresh: pair.refresh } });
    expect(res.statusCode).toBe(204);
    const [event] = await eventsOf(res);
    expect(event).toMatchObject({ action: 'logout', user_id: provider.id, user_type: 'provider' });
  });

  it('revoking one of your own sessions: one session_revoke event by you, naming the session, success', async () => {
    const staff = await user('staff');
    const laptop = await login(staff.email, 'laptop');
    const phone = await login(staff.email, 'phone');
    const headers = { authorization: `Bearer ${laptop.access}` };
    const sessions = (await t.app.inject({ url: '/api/users/me/sessions/', headers })).json().results as {
      id: string;
      current: boolean;
    }[];
    const other = sessions.find((s) => !s.current);
    expect(other).toBeDefined();
    const res = await t.app.inject({ method: 'DELETE', url: `/api/users/me/sessions/${other?.id}/`, headers });
    expect(res.statusCode).toBe(204);
    const events = await eventsOf(res);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'session_revoke',
      user_id: staff.id,
      user_type: 'staff',
      resource_type: 'user',
      resource_id: String(staff.id),
      outcome: 'success',
      details: { session: other?.id },
    });
    expectNoSecrets(events, [laptop.access, laptop.refresh, phone.access, phone.refresh]);

    // Someone else's session (or a revoked one) is "not found" and changes nothing: no event.
    const again = await t.app.inject({ method: 'DELETE', url: `/api/users/me/sessions/${other?.id}/`, headers });
    expect(again.statusCode).toBe(404);
    expect(await eventsOf(again)).toEqual([]);
  });

  it("staff ending all of a user's sessions: one revoke_sessions event by the staff member about that user", async () => {
    const staff = await user('staff');
    const patient = await user('patient');
    const pair = await login(patient.email);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/users/${patient.id}/revoke-sessions/`,
      headers: await authHeader(t.app, staff),
    });
    expect(res.statusCode).toBe(204);
    const events = await eventsOf(res);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'revoke_sessions',
      user_id: staff.id,
      user_type: 'staff',
      resource_type: 'user',
      resource_id: String(patient.id),
      outcome: 'success',
      details: { sessions_revoked: true },
    });
    expectNoSecrets(events, [pair.access, pair.refresh]);
  });

  describe('MFA', () => {
    async function enrolled(type: 'staff' | 'provider' | 'patient') {
      const u = await user(type);
      const headers = await authHeader(t.app, u);
      const enrol = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/', headers });
      expect(enrol.statusCode).toBe(201);
      const { secret, otpauth_uri } = enrol.json() as { secret: string; otpauth_uri: string };
      const code = codeAt(secret, -1);
      const confirm = await t.app.inject({ method: 'POST', url: '/api/users/me/mfa/confirm/', headers, payload: { code } });
      expect(confirm.statusCode).toBe(200);
      const recovery = confirm.json().recovery_codes as string[];
      return { user: u, headers, secret, otpauth_uri, code, recovery, enrol, confirm };
    }

    it('enrol and enable: mfa_enrol then mfa_enable by the user, success, without the secret or any code', async () => {
      const m = await enrolled('provider');
      const enrolEvents = await eventsOf(m.enrol);
      expect(enrolEvents).toHaveLength(1);
      expect(enrolEvents[0]).toMatchObject({
        action: 'mfa_enrol',
        user_id: m.user.id,
        user_type: 'provider',
        resource_type: 'user',
        resource_id: String(m.user.id),
        outcome: 'success',
        details: { restarted: false },
      });
      const enableEvents = await eventsOf(m.confirm);
      expect(enableEvents).toHaveLength(1);
      expect(enableEvents[0]).toMatchObject({
        action: 'mfa_enable',
        user_id: m.user.id,
        user_type: 'provider',
        resource_type: 'user',
        resource_id: String(m.user.id),
        outcome: 'success',
        details: { recovery_codes: 10 },
      });
      expectNoSecrets([...enrolEvents, ...enableEvents], [m.secret, m.otpauth_uri, m.code, ...m.recovery]);
    });

    it('disable with a current code: one mfa_disable event by the user, success, without the code', async () => {
      const m = await enrolled('staff');
      const code = codeAt(m.secret, 1);
      const res = await t.app.inject({ method: 'DELETE', url: '/api/users/me/mfa/', headers: m.headers, payload: { code } });
      expect(res.statusCode).toBe(204);
      const events = await eventsOf(res);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'mfa_disable',
        user_id: m.user.id,
        user_type: 'staff',
        resource_type: 'user',
        resource_id: String(m.user.id),
        outcome: 'success',
      });
      expectNoSecrets(events, [m.secret, code, ...m.recovery]);
    });

    it('disable with the password: one mfa_disable event, success, without the password', async () => {
      const m = await enrolled('patient');
      const res = await t.app.inject({
        method: 'DELETE',
        url: '/api/users/me/mfa/',
        headers: m.headers,
        payload: { password: DEFAULT_PASSWORD },
      });
      expect(res.statusCode).toBe(204);
      const events = await eventsOf(res);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'mfa_disable', user_id: m.user.id, user_type: 'patient', outcome: 'success' });
      expectNoSecrets(events, [DEFAULT_PASSWORD, m.secret, ...m.recovery]);
    });

    it('a refused disable (wrong password or code) is in the trail as a failure, like a wrong old password is', async () => {
      // Turning MFA off with a stolen access token is the attack this check stops; like a wrong
      // old password on /api/users/me/password/ (audited as password_change, failure) the refusal
      // must be visible to whoever reviews the trail.
      const m = await enrolled('staff');
      const wrongPassword = 'not-the-password-at-all-9';
      const byPassword = await t.app.inject({
        method: 'DELETE',
        url: '/api/users/me/mfa/',
        headers: m.headers,
        payload: { password: wrongPassword },
      });
      expect(byPassword.statusCode).toBe(400);
      const byCode = await t.app.inject({ method: 'DELETE', url: '/api/users/me/mfa/', headers: m.headers, payload: { code: '000000' } });
      expect(byCode.statusCode).toBe(400);
      const events = [...(await eventsOf(byPassword)), ...(await eventsOf(byCode))];
      expect(events.map((e) => ({ action: e.action, user_id: e.user_id, outcome: e.outcome }))).toEqual([
        { action: 'mfa_disable', user_id: m.user.id, outcome: 'failure' },
        { action: 'mfa_disable', user_id: m.user.id, outcome: 'failure' },
      ]);
      expectNoSecrets(events, [wrongPassword, m.secret]);
    });

    it('staff reset: one mfa_reset event by the staff member about the user, success', async () => {
      const m = await enrolled('provider');
      const staff = await user('staff');
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/users/${m.user.id}/mfa/reset/`,
        headers: await authHeader(t.app, staff),
      });
      expect(res.statusCode).toBe(204);
      const events = await eventsOf(res);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'mfa_reset',
        user_id: staff.id,
        user_type: 'staff',
        resource_type: 'user',
        resource_id: String(m.user.id),
        outcome: 'success',
        details: { had_mfa: true },
      });
      expectNoSecrets(events, [m.secret, ...m.recovery]);
    });
  });

  it('no secret of any of these actions is anywhere in the whole trail', async () => {
    const all = await t.db.selectFrom('audit_events').select(['action', 'details']).execute();
    expect(all.length).toBeGreaterThan(10);
    const text = JSON.stringify(all);
    expect(text).not.toMatch(JWT);
    expect(text).not.toContain(DEFAULT_PASSWORD);
    expect(text).not.toMatch(/otpauth:/);
  });
});
