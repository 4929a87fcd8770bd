import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/** @fastify/swagger moves a schema's `examples` onto the media type as `example`/`examples`. */
interface MediaType {
  schema: Record<string, unknown>;
  example?: unknown;
  examples?: unknown;
}
const hasExample = (m?: MediaType) =>
  m !== undefined && (m.example !== undefined || m.examples !== undefined || m.schema.examples !== undefined);

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { 'application/json': MediaType & { schema: { required?: string[] } } } };
  responses: Record<string, { content?: { 'application/json': MediaType } }>;
}

/** What /api/docs/ shows for the clinician and patient routes: a usable manual, not a stub. */
describe('OpenAPI for clinicians and patients', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    t = await buildTestApp();
    paths = (await t.app.inject({ url: '/api/schema/' })).json().paths;
  });
  afterAll(() => t.close());

  const expected: [string, string, string, string[]][] = [
    ['clinicians', '/api/clinician-users/', 'get', ['200', '400', '401', '403', '404']],
    ['clinicians', '/api/clinician-users/', 'post', ['201', '400', '401', '403']],
    ['clinicians', '/api/clinician-users/{id}/', 'get', ['200', '401', '403', '404']],
    ['clinicians', '/api/clinician-users/{id}/', 'put', ['200', '400', '401', '403', '404']],
    ['clinicians', '/api/clinician-users/{id}/', 'patch', ['200', '400', '401', '403', '404']],
    ['clinicians', '/api/clinician-users/{id}/', 'delete', ['204', '401', '403', '404', '409']],
    ['patients', '/api/patients/', 'get', ['200', '400', '401', '404']],
    ['patients', '/api/patients/', 'post', ['201', '400', '401', '403']],
    ['patients', '/api/patients/{id}/', 'get', ['200', '401', '404']],
    ['patients', '/api/patients/{id}/', 'put', ['200', '400', '401', '403', '404']],
    ['patients', '/api/patients/{id}/', 'patch', ['200', '400', '401', '403', '404']],
    ['patients', '/api/patients/{id}/', 'delete', ['204', '401', '403', '404', '409']],
  ];

  for (const [tag, path, method, statuses] of expected) {
    it(`${method.toUpperCase()} ${path}: tag, summary, bearer security and every status`, () => {
      const op = paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags).toEqual([tag]);
      expect(op.summary).toBeTruthy();
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses).sort()).toEqual([...statuses].sort());
      if (['post', 'put', 'patch'].includes(method)) expect(hasExample(op.requestBody?.content['application/json'])).toBe(true);
      if (method !== 'delete') expect(hasExample(op.responses[statuses[0]].content?.['application/json'])).toBe(true);
    });
  }

  it('documents the list filters and ordering', () => {
    const names = (p: string) => (paths[p].get.parameters ?? []).map((x) => x.name).sort();
    expect(names('/api/clinician-users/')).toEqual(['id', 'ordering', 'page', 'page_size', 'role', 'search', 'supervising_clinician']);
    expect(names('/api/patients/')).toEqual(['date_of_birth', 'gender_identity', 'id', 'ordering', 'page', 'page_size', 'search', 'sex']);
    expect(paths['/api/patients/'].get.description).toMatch(/Default order: last_name/);
  });

  it('marks the required fields of a new patient and a new clinician', () => {
    const patient = paths['/api/patients/'].post.requestBody?.content['application/json'].schema.required ?? [];
    expect([...patient].sort()).toEqual(
      [
        'address_line1',
        'city',
        'date_of_birth',
        'first_name',
        'gender_identity',
        'last_name',
        'phone_number',
        'sex',
        'state',
        'zip_code',
      ].sort(),
    );
    const clinician = paths['/api/clinician-users/'].post.requestBody?.content['application/json'].schema.required ?? [];
    expect([...clinician].sort()).toEqual(['emailid', 'firstname', 'lastname', 'role']);
  });
});
