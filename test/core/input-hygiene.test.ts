import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makePatient } from '../helpers/factories.js';

describe('input the schemas cannot see', () => {
  let t: TestApp;
  let who: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp({ corsOrigins: ['https://clinic.example'] });
    who = await cast(t.app);
  });
  afterAll(() => t.close());

  const patientBody = (extra: Record<string, unknown> = {}) => ({
    first_name: 'Ada',
    last_name: 'Byron',
    date_of_birth: '1990-01-01',
    sex: 'female',
    gender_identity: 'female',
    phone_number: '+1 555 0100',
    address_line1: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    zip_code: '62701',
    ...extra,
  });

  it('refuses NUL characters in bodies (anonymous login included) with a 400 naming the field', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      payload: { email: 'a\u0000b@x.com', password: 'whatever-password' },
    });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toEqual({ email: ['Null characters are not allowed.'] });
    const before = await t.db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/patients/',
      headers: who.staff.headers,
      payload: patientBody({ city: 'Spring\u0000field' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ city: ['Null characters are not allowed.'] });
    const after = await t.db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses unpaired surrogates instead of storing replacement characters', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/patients/',
      headers: { ...who.staff.headers, 'content-type': 'application/json' },
      payload: JSON.stringify(patientBody()).replace('"Ada"', '"\\ud800"'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ first_name: ['Invalid Unicode: unpaired surrogate character.'] });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/patients/',
      headers: who.staff.headers,
      payload: patientBody({ first_name: 'Ada 👩‍⚕️' }),
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().first_name).toBe('Ada 👩‍⚕️');
  });

  it('refuses NUL in query strings', async () => {
    const res = await t.app.inject({ url: '/api/patients/?search=%00', headers: who.staff.headers });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ search: ['Null characters are not allowed.'] });
  });

  it('accepts only plain decimal integers as ids and integer query values', async () => {
    const p = await makePatient(t.db);
    expect((await t.app.inject({ url: `/api/patients/${p.id}/`, headers: who.staff.headers })).statusCode).toBe(200);
    for (const id of ['0x1', '+1', '%201', '1.0', '0b1', '1e0', `${p.id}.0`]) {
      const res = await t.app.inject({ url: `/api/patients/${id}/`, headers: who.staff.headers });
      expect(res.statusCode, id).toBe(404);
    }
    const del = await t.app.inject({
      method: 'PATCH',
      url: `/api/patients/+${p.id}/`,
      headers: who.staff.headers,
      payload: { city: 'Elsewhere' },
    });
    expect(del.statusCode).toBe(404);
    const q = await t.app.inject({ url: '/api/appointments/?provider=1e0', headers: who.staff.headers });
    expect(q.statusCode).toBe(400);
    expect(q.json()).toEqual({ provider: ['A valid integer is required.'] });
    // A page number is not a filter: as in DRF, one that is not an integer is "Invalid page.".
    expect((await t.app.inject({ url: '/api/users/?page=1e0', headers: who.staff.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/users/?page=1', headers: who.staff.headers })).statusCode).toBe(200);
  });

  it('treats an empty query parameter as absent, like DRF', async () => {
    const res = await t.app.inject({ url: '/api/users/?ordering=&user_type=&search=', headers: who.staff.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBeGreaterThanOrEqual(3);
  });

  it('answers 415 for a body declared in another charset', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      payload: JSON.stringify({ email: 'a@b.c', password: 'x' }),
    });
    expect(res.statusCode).toBe(415);
    const utf8 = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: JSON.stringify({ email: 'nobody@b.c', password: 'wrong-password-1' }),
    });
    expect(utf8.statusCode).toBe(400);
  });

  it('lets an allowed browser origin use every method the API has', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/appointments/1/',
      headers: {
        origin: 'https://clinic.example',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://clinic.example');
    for (const m of ['PUT', 'PATCH', 'DELETE']) expect(String(res.headers['access-control-allow-methods'])).toContain(m);
    const foreign = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/appointments/1/',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
