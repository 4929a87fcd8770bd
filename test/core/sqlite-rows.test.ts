import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/connect.js';

/**
 * SQLite rows are read as arrays and made into objects by a maker compiled per statement
 * (src/db/connect.ts). What a statement returns must stay right when the schema changes, in this
 * process or another one.
 */
describe('SQLite row objects', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'customehr-rows-')), 'rows.sqlite');
  const db = openSqlite(file);
  const other = openSqlite(file);
  afterAll(async () => {
    await db.destroy();
    await other.destroy();
  });

  it('names every column, types intact, and keeps the last of a repeated name', async () => {
    await sql`create table t (id integer primary key, name text, score real, data blob, gone text)`.execute(db);
    await sql`insert into t (id, name, score, data, gone) values (1, 'Zoë', 2.5, x'00ff', null)`.execute(db);
    const { rows } = await sql<Record<string, unknown>>`select * from t`.execute(db);
    expect(rows).toEqual([{ id: 1, name: 'Zoë', score: 2.5, data: Buffer.from([0, 255]), gone: null }]);
    const repeated = await sql<Record<string, unknown>>`select id as x, name as x from t`.execute(db);
    expect(repeated.rows).toEqual([{ x: 'Zoë' }]);
    const streamed: unknown[] = [];
    for await (const row of db
      .selectFrom('t' as never)
      .select(['id' as never])
      .stream())
      streamed.push(row);
    expect(streamed).toEqual([{ id: 1 }]);
  });

  it('sees columns added by this process and by another one', async () => {
    const read = () => sql<Record<string, unknown>>`select * from t`.execute(db).then((r) => r.rows[0]);
    expect(Object.keys(await read())).toEqual(['id', 'name', 'score', 'data', 'gone']);
    await sql`alter table t add column city text default 'Lyon'`.execute(db);
    expect(await read()).toMatchObject({ id: 1, city: 'Lyon' });
    await sql`alter table t add column zip text default '69001'`.execute(other);
    expect(await read()).toMatchObject({ id: 1, city: 'Lyon', zip: '69001' });
    // A rename keeps the number of columns: this process's DDL empties the statement cache.
    await sql`alter table t rename column gone to note`.execute(db);
    expect(Object.keys(await read())).toEqual(['id', 'name', 'score', 'data', 'note', 'city', 'zip']);
  });
});
