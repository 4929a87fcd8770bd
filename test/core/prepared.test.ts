import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.js';
import { numberMark, preparedQuery, textMark } from '../../src/db/prepared.js';
import { createTestDatabase, postgresUrl, type TestDatabase, testDialect } from '../helpers/db.js';
import { makePatient } from '../helpers/factories.js';

describe('prepared queries', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  const byNameAndBirth = preparedQuery({ last: textMark('last'), born: textMark('born'), limit: numberMark() }, (db, a) =>
    db
      .selectFrom('patients')
      .select(['id', 'last_name'])
      .where('last_name', '=', a.last)
      .where('date_of_birth', '=', a.born)
      .where('sex', '=', 'female')
      .orderBy('id')
      .limit(a.limit),
  );

  it('binds each call’s arguments into the once-compiled SQL, constants kept, in and out of transactions', async () => {
    const a = await makePatient(t.db, { last_name: 'Prepared', date_of_birth: '1970-01-01' });
    const b = await makePatient(t.db, { last_name: 'Prepared', date_of_birth: '1970-01-01' });
    await makePatient(t.db, { last_name: 'Prepared', date_of_birth: '1970-01-01', sex: 'male' });
    await makePatient(t.db, { last_name: 'Other', date_of_birth: '1970-01-01' });
    expect((await byNameAndBirth.execute(t.db, { last: 'Prepared', born: '1970-01-01', limit: 10 })).map((r) => r.id)).toEqual([
      a.id,
      b.id,
    ]);
    expect((await byNameAndBirth.execute(t.db, { last: 'Prepared', born: '1970-01-01', limit: 1 })).map((r) => r.id)).toEqual([a.id]);
    expect(await byNameAndBirth.execute(t.db, { last: 'Nobody', born: '1970-01-01', limit: 10 })).toEqual([]);
    const inTrx = await t.db.transaction().execute((trx) => byNameAndBirth.execute(trx, { last: 'Other', born: '1970-01-01', limit: 10 }));
    expect(inTrx.map((r) => r.last_name)).toEqual(['Other']);
    expect(byNameAndBirth.sqlFor(t.db)).not.toContain('Prepared');
  });

  it('refuses a query whose argument does not reach the SQL unchanged', async () => {
    const transformed = preparedQuery({ last: textMark('last') }, (db, a) =>
      db.selectFrom('patients').select('id').where('last_name', 'like', `${a.last}%`),
    );
    await expect(transformed.execute(t.db, { last: 'x' })).rejects.toThrow(/mark of "last" is not a parameter/);
  });
});

describe.runIf(testDialect === 'postgres')('named statements on PostgreSQL', () => {
  it('prepares each parameterised query once per connection and reuses it', async () => {
    const t = await createTestDatabase();
    const db = openPostgres(postgresUrl, { schema: t.schema, maxConnections: 1 });
    try {
      const p = await makePatient(db);
      for (let i = 0; i < 3; i++) {
        const row = await db.selectFrom('patients').select('last_name').where('id', '=', p.id).executeTakeFirstOrThrow();
        expect(row.last_name).toBe(p.last_name);
      }
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
      const mine = rows.filter((r) => r.statement.includes('select "last_name" from "patients" where "id" = $1'));
      expect(mine).toHaveLength(1);
      expect(mine[0].name).toMatch(/^customehr_\d+$/);
    } finally {
      await db.destroy();
      await t.destroy();
    }
  });
});
