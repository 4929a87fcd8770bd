import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTestApp, type TestApp } from '../helpers/app.js';

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('serves the OpenAPI 3 document as JSON, anonymously', async () => {
    const res = await t.app.inject({ url: '/api/schema/' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every API route the server has, with its responses', async () => {
    const doc = (await t.app.inject({ url: '/api/schema/' })).json();
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    const served = t.app.routeList.filter((r) => / \/api\//.test(r) && !/\/api\/(docs|schema)/.test(r));
    expect(served.length).toBeGreaterThan(5);
    for (const route of served) expect(documented, route).toContain(route);
    for (const route of [
      'POST /api/login/',
      'POST /api/token/refresh/',
      'POST /api/logout/',
      'GET /api/users/me/',
      'GET /api/users/:id/',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('serves YAML with ?format=yaml', async () => {
    const res = await t.app.inject({ url: '/api/schema/?format=yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/openapi|yaml/);
    expect(parse(res.body).openapi).toMatch(/^3\./);
  });

  it('serves Swagger UI at /api/docs/', async () => {
    const res = await t.app.inject({ url: '/api/docs/' });
    expect([200, 302]).toContain(res.statusCode);
    const page = res.statusCode === 302 ? await t.app.inject({ url: res.headers.location as string }) : res;
    expect(page.body).toMatch(/swagger/i);
  });
});
