import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makePatient } from '../helpers/factories.js';

describe('unfiltered patient count (trigger-kept)', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());

  const listCount = async () => (await t.app.inject({ url: '/api/patients/', headers: staff })).json().count as number;
  const realCount = async () => Number((await sql<{ n: number }>`select count(*) as n from patients`.execute(t.db)).rows[0].n);

  it('equals count(*) through single inserts, multi-row inserts, API deletes and refused deletes', async () => {
    expect(await listCount()).toBe(await realCount());
    for (let i = 0; i < 3; i++) await makePatient(t.db);
    const template = await makePatient(t.db);
    const { id: _id, ...row } = template;
    await t.db
      .insertInto('patients')
      .values([1, 2, 3, 4, 5].map((i) => ({ ...row, last_name: `Bulk${i}` })))
      .execute();
    expect(await listCount()).toBe(await realCount());
    const del = await t.app.inject({ method: 'DELETE', url: `/api/patients/${template.id}/`, headers: staff });
    expect(del.statusCode).toBe(204);
    // A delete refused by a foreign key (a patient user links this one) must not change the count.
    const linked = await makePatient(t.db);
    await t.db
      .insertInto('users')
      .values({
        name: 'Linked',
        email: `linked${linked.id}@ex.com`,
        password: 'x',
        contactnumber: '',
        role: '',
        status: true,
        user_type: 'patient',
        linked_patient: linked.id,
        linked_clinician: null,
        is_superuser: false,
        date_joined: new Date().toISOString(),
        last_login: null,
      })
      .execute();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/patients/${linked.id}/`, headers: staff })).statusCode).toBe(409);
    await expect(t.db.deleteFrom('patients').where('id', '=', linked.id).execute()).rejects.toThrow();
    expect(await listCount()).toBe(await realCount());
    expect(await listCount()).toBeGreaterThan(0);
  });
});
