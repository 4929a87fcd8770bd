import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { authHeader, makeClinician, makeUser } from '../helpers/factories.js';
import { futureInstant, makeSlot } from '../slots/slot-helpers.js';

/**
 * Fifty patients press "book" on the same slot at the same moment, over real HTTP against a
 * listening server: the conditional claim must let exactly one through, on SQLite and PostgreSQL.
 */
describe(`concurrent booking of one slot (${testDialect})`, () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t.close());

  it('gives exactly one 201 and 49 × 409, no 5xx, and one live appointment', async () => {
    const clinician = await makeClinician(t.db);
    const slot = await makeSlot(t.db, clinician.id, { dateandtime: futureInstant() });
    const patients = await Promise.all(Array.from({ length: 50 }, () => makeUser(t.db, { user_type: 'patient' })));
    const headers = await Promise.all(patients.map((p) => authHeader(t.app, p)));

    const responses = await Promise.all(
      patients.map(async (p, i) => {
        const res = await fetch(`${base}/api/appointments/`, {
          method: 'POST',
          headers: { ...headers[i], 'content-type': 'application/json' },
          body: JSON.stringify({ patient: p.linked_patient, provider: clinician.id, appointment_slot: slot.id }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      }),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual({ detail: 'This slot is no longer available.' });

    const live = await t.db
      .selectFrom('appointments')
      .select(['id', 'patient'])
      .where('appointment_slot', '=', slot.id)
      .where('status', '<>', 'cancelled')
      .execute();
    expect(live).toHaveLength(1);
    const winner = responses.find((r) => r.status === 201)?.body;
    expect(live[0].id).toBe(winner?.id);
    const all = await t.db.selectFrom('appointments').select('id').where('appointment_slot', '=', slot.id).execute();
    expect(all).toHaveLength(1); // losers left nothing behind
    const slotRow = await t.db.selectFrom('appointment_slots').select('is_available').where('id', '=', slot.id).executeTakeFirstOrThrow();
    expect(Boolean(slotRow.is_available)).toBe(false);
  });

  it('after a cancel, a second wave again gives exactly one winner', async () => {
    const clinician = await makeClinician(t.db);
    const slot = await makeSlot(t.db, clinician.id, { dateandtime: futureInstant() });
    const staff = await makeUser(t.db, { user_type: 'staff' });
    const staffHeaders = await authHeader(t.app, staff);
    const wave = async () => {
      const patients = await Promise.all(Array.from({ length: 20 }, () => makeUser(t.db, { user_type: 'patient' })));
      const results = await Promise.all(
        patients.map(async (p) => {
          const res = await fetch(`${base}/api/appointments/`, {
            method: 'POST',
            headers: { ...(await authHeader(t.app, p)), 'content-type': 'application/json' },
            body: JSON.stringify({ patient: p.linked_patient, provider: clinician.id, appointment_slot: slot.id }),
          });
          return { status: res.status, body: (await res.json()) as { id?: number } };
        }),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(19);
      return results.find((r) => r.status === 201)?.body.id as number;
    };
    const first = await wave();
    const cancel = await fetch(`${base}/api/appointments/${first}/`, { method: 'DELETE', headers: staffHeaders });
    expect(cancel.status).toBe(204);
    const second = await wave();
    expect(second).not.toBe(first);
    const live = await t.db
      .selectFrom('appointments')
      .select('id')
      .where('appointment_slot', '=', slot.id)
      .where('status', '<>', 'cancelled')
      .execute();
    expect(live.map((a) => a.id)).toEqual([second]);
  });
});
