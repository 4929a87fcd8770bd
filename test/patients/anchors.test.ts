import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientListAnchors, readPatientCounter } from '../../src/modules/patients/patients.anchors.js';
import { patientListQueries } from '../../src/modules/patients/patients.repository.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makePatient } from '../helpers/factories.js';

/**
 * Deep pages of the unfiltered list start from remembered positions ("anchors"). Every page must
 * still be exactly the page a plain OFFSET gives, in every ordering and direction, and stay so
 * through inserts, renames and deletes (which must retire the anchors until they are rebuilt).
 */
describe('patient list anchors', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  const SPACING = 4;
  const orderings = ['last_name', '-last_name', 'first_name', '-first_name', 'date_of_birth', '-date_of_birth', 'id', '-id'];

  beforeAll(async () => {
    t = await buildTestApp();
    patientListAnchors(t.db, SPACING);
    staff = (await cast(t.app)).staff.headers;
    // Repeated names and birth dates, mixed case and accents: ties are broken by id, keys compare
    // in the database's own collation.
    const last = ['Smith', 'smith', 'Ng', 'Nguyễn', "O'Brien", 'Álvarez', 'Zhou', 'Abbott'];
    const first = ['Ann', 'ann', 'Bob', 'Zoë', 'Émile'];
    for (let i = 0; i < 37; i++) {
      await makePatient(t.db, {
        last_name: last[i % last.length],
        first_name: first[(i * 3) % first.length],
        date_of_birth: `19${50 + (i % 7)}-0${1 + (i % 9)}-1${i % 10}`,
      });
    }
  });
  afterAll(() => t.close());

  const anchors = () => patientListAnchors(t.db);

  /** The page a plain OFFSET gives, straight from the database. */
  async function referenceIds(ordering: string, pageSize: number, page: number): Promise<number[]> {
    const f = { ordering, limit: pageSize, offset: (page - 1) * pageSize };
    return (await patientListQueries(t.db, f).pageQuery.execute()).map((r) => Number(r.id));
  }

  async function apiIds(ordering: string, pageSize: number, page: number): Promise<number[]> {
    const res = await t.app.inject({ url: `/api/patients/?ordering=${ordering}&page_size=${pageSize}&page=${page}`, headers: staff });
    expect(res.statusCode).toBe(200);
    return res.json().results.map((r: { id: number }) => r.id);
  }

  /** Warms the anchors of every ordering, then compares every page of every ordering. */
  async function expectEveryPageExact(): Promise<void> {
    for (const ordering of orderings) await apiIds(ordering, 3, 5);
    await anchors().settled();
    const counter = await readPatientCounter(t.db);
    for (const ordering of orderings) {
      const field = ordering.replace(/^-/, '') as 'last_name';
      const direction = ordering.startsWith('-') ? 'desc' : 'asc';
      // The anchors are in use for deep offsets (otherwise this test would prove nothing).
      expect(anchors().pageStart(field, direction, SPACING * 2 + 1, counter)).not.toBeNull();
      for (const pageSize of [1, 3, 5]) {
        const pages = Math.ceil(counter.count / pageSize);
        for (let page = 1; page <= pages; page++) {
          expect(await apiIds(ordering, pageSize, page), `${ordering} size ${pageSize} page ${page}`).toEqual(
            await referenceIds(ordering, pageSize, page),
          );
        }
      }
    }
  }

  it('gives every page of every ordering exactly as OFFSET does', async () => {
    await expectEveryPageExact();
  });

  it('retires the anchors on an insert, a rename and a delete, and stays exact through each', async () => {
    const before = await readPatientCounter(t.db);
    const added = await makePatient(t.db, { last_name: 'Aardvark', first_name: 'Aaron', date_of_birth: '1900-01-01' });
    const afterInsert = await readPatientCounter(t.db);
    expect(afterInsert.version).toBeGreaterThan(before.version);
    // The first deep page after the change is a plain OFFSET, and right.
    expect(anchors().pageStart('last_name', 'asc', SPACING * 2, afterInsert)).toBeNull();
    expect(await apiIds('last_name', 3, 6)).toEqual(await referenceIds('last_name', 3, 6));
    await expectEveryPageExact();

    const rename = await t.app.inject({
      method: 'PATCH',
      url: `/api/patients/${added.id}/`,
      headers: staff,
      payload: { last_name: 'Zzyzx' },
    });
    expect(rename.statusCode).toBe(200);
    expect((await readPatientCounter(t.db)).version).toBeGreaterThan(afterInsert.version);
    await expectEveryPageExact();

    const del = await t.app.inject({ method: 'DELETE', url: `/api/patients/${added.id}/`, headers: staff });
    expect(del.statusCode).toBe(204);
    await expectEveryPageExact();
  });

  it('makes a deep page that finds the anchors out of date wait for their rebuild, a shallow one not', async () => {
    await expectEveryPageExact();
    await makePatient(t.db, { last_name: 'Mendel', first_name: 'Gregor', date_of_birth: '1922-07-20' });
    const counter = await readPatientCounter(t.db);
    // Shallow: a plain OFFSET at once (the build it starts is left to finish on its own).
    expect(await anchors().startFor('first_name', 'asc', SPACING * 3, counter)).toBeNull();
    await anchors().settled();
    await makePatient(t.db, { last_name: 'Franklin', first_name: 'Rosalind', date_of_birth: '1920-07-25' });
    const later = await readPatientCounter(t.db);
    // Deep: it waits for the one rebuild and starts from an anchor taken at this very version.
    const [a, b] = await Promise.all([
      anchors().startFor('first_name', 'asc', SPACING * 5 + 1, later),
      anchors().startFor('first_name', 'desc', SPACING * 5 + 2, later),
    ]);
    expect(a).toMatchObject({ direction: 'asc', skip: 1 });
    expect(b).not.toBeNull();
    expect(await apiIds('first_name', 3, 8)).toEqual(await referenceIds('first_name', 3, 8));
  });

  it('keeps the anchors through changes that do not move a patient in any ordering', async () => {
    await expectEveryPageExact();
    const counter = await readPatientCounter(t.db);
    const [someone] = await referenceIds('id', 1, 1);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/patients/${someone}/`,
      headers: staff,
      payload: { phone_number: '+1 555 0142', city: 'Shelbyville' },
    });
    expect(res.statusCode).toBe(200);
    expect(await readPatientCounter(t.db)).toEqual(counter);
    expect(anchors().pageStart('last_name', 'asc', SPACING * 2, counter)).not.toBeNull();
  });
});
