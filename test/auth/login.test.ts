import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

describe('POST /api/login/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('returns the user, a token pair and the user type', async () => {
    const user = await makeUser(t.db, { user_type: 'staff', email: 'Front.Desk@Example.com' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      payload: { email: 'front.desk@example.com', password: DEFAULT_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ id: user.id, email: 'front.desk@example.com', user_type: 'staff' });
    expect(body.user.url).toMatch(new RegExp(`/api/users/${user.id}/$`));
    expect(body.user).not.toHaveProperty('password');
    expect(body.user_type).toBe('staff');
    expect(typeof body.access).toBe('string');
    expect(typeof body.refresh).toBe('string');
    const me = await t.app.inject({ url: '/api/users/me/', headers: { authorization: `Bearer ${body.access}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(user.id);
  });

  it('answers wrong password, unknown email and inactive user identically', async () => {
    await makeUser(t.db, { email: 'known@example.com' });
    await makeUser(t.db, { email: 'inactive@example.com', status: false });
    const attempts = [
      { email: 'known@example.com', password: 'not-the-password-at-all' },
      { email: 'nobody@example.com', password: DEFAULT_PASSWORD },
      { email: 'inactive@example.com', password: DEFAULT_PASSWORD },
    ];
    for (const payload of attempts) {
      const res = await t.app.inject({ method: 'POST', url: '/api/login/', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
    }
  });
});
