import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, makePatient, makeUser } from '../helpers/factories.js';

describe('transport: headers, CORS, limits', () => {
  let t: TestApp;
  let staff: { authorization: string };
  beforeAll(async () => {
    t = await buildTestApp({ corsOrigins: ['https://clinic.example'], bodyLimit: 4096 });
    staff = await authHeader(t.app, await makeUser(t.db, { user_type: 'staff' }));
  });
  afterAll(() => t.close());

  it('sends security headers and a same-origin CSP', async () => {
    const res = await t.app.inject({ url: '/api/users/me/', headers: staff });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps Swagger UI working under the CSP (its scripts are served from this origin)', async () => {
    const page = await t.app.inject({ url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBeDefined();
    const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) expect(src).not.toMatch(/^(https?:)?\/\//);
  });

  it('marks every API response that can hold PHI no-store, errors included', async () => {
    const patient = await makePatient(t.db);
    for (const url of [`/api/patients/${patient.id}/`, '/api/patients/', '/api/patients/99999999/', '/api/audit-events/']) {
      const res = await t.app.inject({ url, headers: staff });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    expect((await t.app.inject({ url: '/api/patients/' })).headers['cache-control']).toBe('no-store');
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/patients/',
      headers: { origin: 'https://clinic.example', 'access-control-request-method': 'GET' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://clinic.example');
    const other = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/patients/',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await t.app.inject({ url: '/api/users/me/', headers: { ...staff, origin: 'https://evil.example' } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses bodies over the limit and caps pages at 100 rows', async () => {
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/login/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(5000) }),
    });
    expect(big.statusCode).toBe(413);
    for (let i = 0; i < 101; i++) await makePatient(t.db);
    const page = await t.app.inject({ url: '/api/patients/?page_size=101', headers: staff });
    expect(page.statusCode).toBe(200);
    expect(page.json().results).toHaveLength(100);
  });
});
