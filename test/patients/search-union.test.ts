import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makePatient } from '../helpers/factories.js';

/**
 * A name search runs as one branch per searched column (last, first, preferred name, email),
 * unioned (patients.repository.ts). A patient matched in several columns must still come once,
 * the count must be the number of patients, and every ordering and page must be as if the
 * search were one condition.
 */
describe('patient name search across columns', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  const people: Record<string, { id: number; last: string; first: string; dob: string }> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
    const rows = {
      both: { last_name: 'Bogan', first_name: 'Bogdan', date_of_birth: '1970-01-02' },
      first: { last_name: 'Smith', first_name: 'Bogumił', date_of_birth: '1990-05-05' },
      preferred: { last_name: 'Jones', first_name: 'Robert', preferred_name: 'Bogey', date_of_birth: '1955-03-03' },
      email: { last_name: 'Kim', first_name: 'Ji', email: 'bogart.fan@example.com', date_of_birth: '2001-12-12' },
      lastAndEmail: { last_name: 'BOGART', first_name: 'Ann', email: 'bogart@example.com', date_of_birth: '1970-01-02' },
      none: { last_name: 'Nobog', first_name: 'Ann', date_of_birth: '1980-08-08' },
    };
    for (const [key, row] of Object.entries(rows)) {
      const p = await makePatient(t.db, row);
      people[key] = { id: p.id, last: row.last_name.toLowerCase(), first: row.first_name.toLowerCase(), dob: row.date_of_birth };
    }
  });
  afterAll(() => t.close());

  async function all(query: string, pageSize: number): Promise<{ count: number; ids: number[] }> {
    const ids: number[] = [];
    let count = -1;
    for (let page = 1; ; page++) {
      const res = await t.app.inject({ url: `/api/patients/?${query}&page_size=${pageSize}&page=${page}`, headers: staff });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      count = body.count;
      ids.push(...body.results.map((r: { id: number }) => r.id));
      if (!body.next) return { count, ids };
    }
  }

  const matched = ['both', 'first', 'preferred', 'email', 'lastAndEmail'];
  const keyOf = {
    last_name: (p: (typeof people)[string]) => p.last,
    first_name: (p: (typeof people)[string]) => p.first,
    date_of_birth: (p: (typeof people)[string]) => p.dob,
    id: (p: (typeof people)[string]) => String(p.id).padStart(12, '0'),
  };

  for (const field of Object.keys(keyOf) as (keyof typeof keyOf)[]) {
    for (const desc of [false, true]) {
      it(`finds each match once, ordered by ${desc ? '-' : ''}${field}, on every page size`, async () => {
        const expected = matched
          .map((k) => people[k])
          .sort((a, b) => keyOf[field](a).localeCompare(keyOf[field](b), 'en') || a.id - b.id)
          .map((p) => p.id);
        if (desc) expected.reverse();
        for (const size of [1, 2, 5, 20]) {
          expect(await all(`search=bog&ordering=${desc ? '-' : ''}${field}`, size)).toEqual({ count: 5, ids: expected });
        }
      });
    }
  }

  it('needs every word to match some column, whichever word comes first', async () => {
    expect(await all('search=bog%20ann', 10)).toEqual({ count: 1, ids: [people.lastAndEmail.id] });
    expect(await all('search=ann%20bog', 10)).toEqual({ count: 1, ids: [people.lastAndEmail.id] });
    expect(await all('search=bog%20bogd', 10)).toEqual({ count: 1, ids: [people.both.id] });
    // Every word counts, the sixth and later too.
    expect(await all('search=bog%20ann%20bo%20an%20b%20a%20zzz', 10)).toEqual({ count: 0, ids: [] });
    expect(await all('search=bog%20ann%20bo%20an%20b%20a%20bogart', 10)).toEqual({ count: 1, ids: [people.lastAndEmail.id] });
    expect(await all('search=bog&date_of_birth=1970-01-02', 10)).toEqual({
      count: 2,
      ids: [people.both.id, people.lastAndEmail.id],
    });
  });
});
