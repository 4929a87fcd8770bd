import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';
import type { PageStart } from '../../src/modules/patients/patients.anchors.js';
import { type PatientListFilter, patientListQueries, prefixUpperBound } from '../../src/modules/patients/patients.repository.js';

/**
 * The patient list is the query a 100 000-record registry runs most. Its SQL for both dialects is
 * kept in a snapshot so a change to it (and to which indexes it can use) shows in review.
 */
const sqlite = openSqlite(':memory:');
// Compiling needs no connection: the pool never connects.
const postgres = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });

afterAll(async () => {
  await sqlite.destroy();
  await postgres.destroy();
});

const cases: Record<string, PatientListFilter | [PatientListFilter, PageStart]> = {
  // Unfiltered lists take their count from row_counts (listPatients); the count query is unused.
  'default page': { limit: 20, offset: 40 },
  'deep page from an anchor': [
    { limit: 20, offset: 90_017 },
    { key: 'smith', id: 4242, direction: 'asc', skip: 17 },
  ],
  'deep page from an anchor, by date of birth descending': [
    { ordering: '-date_of_birth', limit: 20, offset: 90_017 },
    { key: '1961-07-14', id: 4242, direction: 'desc', skip: 17 },
  ],
  'deep page from an anchor, by id': [
    { ordering: 'id', limit: 20, offset: 90_017 },
    { key: 4242, id: 4242, direction: 'asc', skip: 17 },
  ],
  'patient user, filtered': { onlyId: 7, sex: 'female', gender_identity: 'female', date_of_birth: '1990-02-14', limit: 20, offset: 0 },
  'search by two words, by date of birth, descending': { search: 'ada love', ordering: '-date_of_birth', limit: 20, offset: 0 },
  'search by phone': { search: '555 0199', limit: 20, offset: 0 },
};

describe('patient list SQL', () => {
  for (const [name, given] of Object.entries(cases)) {
    const [filter, start] = Array.isArray(given) ? given : [given, undefined];
    it(name, () => {
      const out: Record<string, unknown> = {};
      for (const [dialect, db] of [
        ['sqlite', sqlite],
        ['postgres', postgres],
      ] as const) {
        const { countQuery, pageQuery, pageIdsWithCount } = patientListQueries(db, filter, start);
        const count = countQuery.compile();
        const page = pageQuery.compile();
        const filtered = pageIdsWithCount.compile();
        out[dialect] = { count: count.sql, page: page.sql, parameters: page.parameters, pageIdsWithCount: filtered.sql };
      }
      expect(out).toMatchSnapshot();
    });
  }

  it('searches with index ranges on the lower(...) expressions and sorts matches without the ordering index', () => {
    const { countQuery, pageQuery } = patientListQueries(postgres, { search: 'smith', limit: 20, offset: 0 });
    const where = countQuery.compile().sql;
    for (const col of ['last_name', 'first_name', 'preferred_name', 'email']) {
      expect(where).toContain(`lower("${col}") >= $`);
      expect(where).toContain(`lower("${col}") < $`);
    }
    const page = pageQuery.compile().sql;
    // The id subquery sorts the matches without an index; the outer query re-sorts the page.
    expect(page).toMatch(
      /"patients"\."id" in \(select "patients"\."id" from "patients" where .* order by lower\(patients\.last_name\) \|\| '' asc, patients\.id \+ 0 asc limit \$\d+ offset \$\d+\)/,
    );
    expect(page).toMatch(/\) order by lower\(patients\.last_name\) asc, patients\.id asc$/);
    expect(pageQuery.compile().parameters).toEqual(expect.arrayContaining(['smith', 'smiti', 'smith%']));
    const plain = patientListQueries(postgres, { limit: 20, offset: 0 }).pageQuery.compile().sql;
    expect(plain).toContain(
      '"patients"."id" in (select "patients"."id" from "patients" order by lower(patients.last_name) asc, patients.id asc limit $1 offset $2)',
    );
  });

  it('runs a name search as a union of index ranges, unless its first word has no range', () => {
    const filtered = (search: string) => patientListQueries(postgres, { search, limit: 20, offset: 0 }).pageIdsWithCount.compile().sql;
    expect(filtered('smith')).toContain(' union all ');
    expect(filtered('smith 山田')).toContain(' union all ');
    // No range for the first word: every branch would scan the table; one scan with the OR instead.
    expect(filtered('山田 smith')).not.toContain(' union all ');
    expect(filtered('555 0199')).not.toContain(' union all ');
  });

  it('computes the exclusive upper bound of a prefix', () => {
    expect(prefixUpperBound('smith')).toBe('smiti');
    expect(prefixUpperBound('liz')).toBe('lj');
    expect(prefixUpperBound('zoë')).toBe('zp');
    expect(prefixUpperBound("o'b")).toBe("o'c");
    expect(prefixUpperBound('555 0199')).toBe('555 02');
    expect(prefixUpperBound('nguyễn')).toBe('nguyễo');
    expect(prefixUpperBound('a🙂')).toBe('b');
    expect(prefixUpperBound('zz')).toBeNull();
    expect(prefixUpperBound('山田')).toBeNull();
    expect(prefixUpperBound('')).toBeNull();
  });
});
