import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician } from '../helpers/factories.js';

/**
 * Pages as Django REST Framework's PageNumberPagination answers them, so its clients keep
 * working: a page that is not a whole number from 1 (or `last`) is 404 "Invalid page.", a bad
 * page_size means the default, and one over the cap is the cap.
 */
describe('pagination (DRF PageNumberPagination)', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  const TOTAL = 107;
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
    // The provider of cast() has a clinician record too.
    for (let i = 1; i < TOTAL; i++) await makeClinician(t.db, { lastname: `Pager${String(i).padStart(3, '0')}` });
  });
  afterAll(() => t.close());

  const list = (query: string) => t.app.inject({ url: `/api/clinician-users/?ordering=lastname&${query}`, headers: staff });
  const names = async (query: string) => (await list(query)).json().results.map((c: { lastname: string }) => c.lastname);

  it('answers 404 "Invalid page." for a page that is not a whole number from 1, or is past the end', async () => {
    for (const page of ['0', '-1', 'abc', '1.5', '2e3', '', '7', '99999999999999999999']) {
      const res = await list(`page=${page}`);
      if (page === '') {
        expect(res.statusCode, 'an empty page is the first').toBe(200);
        continue;
      }
      expect(res.statusCode, `page=${page}`).toBe(404);
      expect(res.json()).toEqual({ detail: 'Invalid page.' });
    }
    expect((await list('page=%202%20')).statusCode).toBe(200);
  });

  it('gives the last page for page=last, with links like any other page', async () => {
    const res = await list('page=last');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBe(TOTAL);
    expect(body.results.map((c: { lastname: string }) => c.lastname)).toEqual(await names('page=6'));
    expect(body.results).toHaveLength(TOTAL - 100);
    expect(body.next).toBeNull();
    expect(body.previous).toMatch(/page=5/);
    expect((await list('page=last&page_size=50')).json().results).toHaveLength(TOTAL - 100);
  });

  it('uses the default page size for a bad page_size and caps a large one at 100', async () => {
    for (const size of ['abc', '0', '-5', '1.5', '']) {
      expect(await names(`page_size=${size}`), `page_size=${size}`).toHaveLength(20);
    }
    expect(await names('page_size=1000')).toHaveLength(100);
    expect(await names('page_size=7')).toHaveLength(7);
    const second = (await list('page_size=7&page=2')).json();
    expect(second.next).toMatch(/page_size=7/);
  });

  it('answers an empty list with page 1, and page=last of an empty list too', async () => {
    const res = await t.app.inject({ url: '/api/clinician-users/?search=nobody-has-this-name', headers: staff });
    expect(res.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
    const last = await t.app.inject({ url: '/api/clinician-users/?search=nobody-has-this-name&page=last', headers: staff });
    expect(last.statusCode).toBe(200);
    expect(last.json().results).toEqual([]);
  });
});
