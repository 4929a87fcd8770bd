import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUnexpectedError } from '../../src/errors.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makePatient } from '../helpers/factories.js';

describe('error handling', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp({ bodyLimit: 4096 });
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());

  it('malformed JSON is a 400 with a DRF-style detail', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users/',
      headers: { ...staff, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/^JSON parse error/);
  });

  it('an empty JSON body is a 400, not a 500', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/login/', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(400);
  });

  it('no body at all names the missing fields, as DRF reads it as an empty form', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/login/' });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toEqual({ email: ['This field is required.'], password: ['This field is required.'] });
    for (const url of ['/api/logout/', '/api/token/refresh/']) {
      const res = await t.app.inject({ method: 'POST', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({ refresh: ['This field is required.'] });
    }
    const patient = await t.app.inject({ method: 'POST', url: '/api/patients/', headers: staff });
    expect(patient.statusCode).toBe(400);
    expect(patient.json()).toMatchObject({ first_name: ['This field is required.'], date_of_birth: ['This field is required.'] });
  });

  it('a JSON content type with no body is no body (DELETE from clients that always send the header)', async () => {
    const p = await makePatient(t.db);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/patients/${p.id}/`,
      headers: { ...staff, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
  });

  it('a non-object JSON body is a field error', async () => {
    for (const payload of ['[]', '"text"', '42', 'null']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/login/', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
    }
  });

  it('wrong types are field errors, one message list per field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users/',
      headers: staff,
      payload: { name: 12, email: ['a'], password: true, status: 'yes', user_type: 'admin', linked_patient: 'abc' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    for (const field of ['name', 'email', 'password', 'status', 'user_type', 'linked_patient']) {
      expect(body[field], field).toEqual([expect.any(String)]);
    }
    expect(body.user_type[0]).toMatch(/staff, provider, patient/);
  });

  it('ids that cannot exist are 404, never 5xx', async () => {
    for (const id of ['abc', '99999999999999999999', '-1', '0', '1.5', '1e3', '%00']) {
      const res = await t.app.inject({ url: `/api/users/${id}/`, headers: staff });
      expect(res.statusCode, id).toBe(404);
      expect(res.json()).toEqual({ detail: 'Not found.' });
    }
  });

  it('a method an existing path does not have is 405 with Allow, as in DRF', async () => {
    const me = await t.app.inject({ method: 'DELETE', url: '/api/users/me/', headers: staff });
    expect(me.statusCode).toBe(405);
    expect(me.json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
    expect(me.headers.allow).toBe('GET, HEAD');
    const user = await t.app.inject({ method: 'DELETE', url: '/api/users/1/', headers: staff });
    expect(user.statusCode).toBe(405);
    expect(String(user.headers.allow).split(', ')).toEqual(expect.arrayContaining(['GET', 'PATCH', 'PUT']));
    expect((await t.app.inject({ method: 'GET', url: '/api/login' })).statusCode).toBe(405);
    // The fixed path /api/users/me/ wins over /api/users/:id/ (as DRF's router orders them).
    for (const method of ['PUT', 'PATCH', 'POST'] as const) {
      const res = await t.app.inject({ method, url: '/api/users/me/', headers: staff, payload: { name: 'x' } });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('tells an anonymous caller 401 before 405 on protected paths, as DRF authenticates first', async () => {
    for (const [method, url] of [
      ['DELETE', '/api/users/1/'],
      ['PATCH', '/api/users/me/'],
      ['POST', '/api/audit-events/'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/token/refresh/' })).statusCode).toBe(405);
  });

  it('an unknown path is a JSON 404', async () => {
    const res = await t.app.inject({ url: '/api/nothing-here/', headers: staff });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: 'Not found.' });
  });

  it('answers with and without the trailing slash', async () => {
    for (const url of ['/api/users/me', '/api/users/me/', '/api/users', '/api/users/']) {
      expect((await t.app.inject({ url, headers: staff })).statusCode, url).toBe(200);
    }
  });

  it('an unsupported content type is 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/login/', headers: { 'content-type': 'text/plain' }, payload: 'email=a' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toHaveProperty('detail');
  });

  it('a body over the limit is 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email: 'a@b.c', password: 'x'.repeat(10_000) } });
    expect(res.statusCode).toBe(413);
  });

  it('bad query parameters are 400 with the field named', async () => {
    const res = await t.app.inject({ url: '/api/users/?user_type=robot', headers: staff });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('user_type');
  });

  it('marks API responses no-store and carries a request id', async () => {
    const res = await t.app.inject({ url: '/api/users/me/', headers: { ...staff, 'x-request-id': 'trace-abc-12345' } });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toBe('trace-abc-12345');
    const odd = await t.app.inject({ url: '/api/users/me/', headers: { ...staff, 'x-request-id': 'bad id with spaces' } });
    expect(odd.headers['x-request-id']).not.toBe('bad id with spaces');
  });
});

describe('logging unexpected errors', () => {
  it("keeps a database error's values (possible PHI) out of the log, and an ordinary error's message in", () => {
    const pg = Object.assign(new Error('invalid input syntax for type integer: "Nguyen-1985-04-12"'), { code: '22P02', severity: 'ERROR' });
    const sqlite = Object.assign(new Error('datatype mismatch near "Nguyen"'), { code: 'SQLITE_MISMATCH' });
    for (const err of [pg, sqlite]) {
      const logged = JSON.stringify(describeUnexpectedError(err));
      expect(logged).not.toContain('Nguyen');
      expect(logged).toContain(String(err.code));
      expect(logged).toContain('errors.test.ts');
    }
    const plain = describeUnexpectedError(new TypeError('cannot read properties of undefined'));
    expect(plain.message).toBe('cannot read properties of undefined');
  });
});
