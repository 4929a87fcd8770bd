import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { authHeader, cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';
import { makeSlot } from '../slots/slot-helpers.js';
import { slotInvariantViolations } from './invariants.js';

const CHANGED = 'This appointment was changed at the same time by another request; reload it and try again.';
const FINAL = 'A cancelled appointment cannot be changed; book a new one.';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One appointment changed by two requests at once. A transaction of the first is held open (its
 * writes done, not committed) while the second arrives through the API, then released. The
 * second must not undo the first or leave a slot claimed that nothing holds. On PostgreSQL the
 * second waits on the row and then finds 0 rows for its conditional update (409); on SQLite it
 * waits for the connection and reads the first's result.
 */
describe(`concurrent changes of one appointment (${testDialect})`, () => {
  let t: TestApp;
  let staff: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());

  async function setup(extraSlots: number) {
    const clinician = await makeClinician(t.db);
    const patient = await makePatient(t.db);
    const a = await makeSlot(t.db, clinician.id);
    const others = [];
    for (let i = 0; i < extraSlots; i++) others.push(await makeSlot(t.db, clinician.id));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/appointments/',
      headers: staff,
      payload: { patient: patient.id, provider: clinician.id, appointment_slot: a.id },
    });
    expect(res.statusCode).toBe(201);
    return { id: res.json().id as number, a, others, slotIds: [a.id, ...others.map((s) => s.id)] };
  }

  /** Runs `work` in a transaction held open until `during` has started and had time to block. */
  async function whileHeld(work: (trx: Database) => Promise<void>, during: () => Promise<{ statusCode: number; body: string }>) {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let done: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      done = resolve;
    });
    const held = t.db.transaction().execute(async (trx) => {
      await work(trx);
      done();
      await gate;
    });
    await written;
    const second = during();
    await sleep(300); // PostgreSQL: the second request now waits for our row lock; SQLite: for the connection
    release();
    await held;
    return second;
  }

  const appointment = (id: number) =>
    t.db.selectFrom('appointments').select(['status', 'appointment_slot']).where('id', '=', id).executeTakeFirstOrThrow();
  const available = async (id: number) =>
    Boolean(
      (await t.db.selectFrom('appointment_slots').select('is_available').where('id', '=', id).executeTakeFirstOrThrow()).is_available,
    );
  const now = () => new Date().toISOString();

  // The writes of a DELETE and of a move, as the winning request makes them (plain SQL, so this
  // test does not depend on the code under test for the winner).
  const cancelWrites = (id: number, slot: number) => async (trx: Database) => {
    await trx.updateTable('appointments').set({ status: 'cancelled', updated_at: now() }).where('id', '=', id).execute();
    await trx.updateTable('appointment_slots').set({ is_available: true, updated_at: now() }).where('id', '=', slot).execute();
  };
  const moveWrites = (id: number, from: number, to: { id: number; dateandtime: string }) => async (trx: Database) => {
    const claimed = await trx
      .updateTable('appointment_slots')
      .set({ is_available: false, updated_at: now() })
      .where('id', '=', to.id)
      .where('is_available', '=', true)
      .executeTakeFirst();
    expect(Number(claimed.numUpdatedRows)).toBe(1);
    await trx
      .updateTable('appointments')
      .set({ appointment_slot: to.id, dateandtime: to.dateandtime, updated_at: now() })
      .where('id', '=', id)
      .execute();
    await trx.updateTable('appointment_slots').set({ is_available: true, updated_at: now() }).where('id', '=', from).execute();
  };

  it('a move racing a cancel does not undo the cancel, claim its slot or free the freed slot again', async () => {
    const { id, a, others, slotIds } = await setup(1);
    const [b] = others;
    const move = await whileHeld(cancelWrites(id, a.id), () =>
      t.app.inject({ method: 'PATCH', url: `/api/appointments/${id}/`, headers: staff, payload: { appointment_slot: b.id } }),
    );
    expect(move.statusCode).toBe(409);
    expect(JSON.parse(move.body)).toEqual({ detail: testDialect === 'postgres' ? CHANGED : FINAL });
    expect(await appointment(id)).toEqual({ status: 'cancelled', appointment_slot: a.id });
    expect(await available(a.id)).toBe(true);
    expect(await available(b.id)).toBe(true); // the loser's claim was rolled back
    expect(await slotInvariantViolations(t.db, slotIds)).toEqual([]);
    const updates = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('resource_type', '=', 'appointment')
      .where('resource_id', '=', String(id))
      .where('action', 'in', ['update', 'cancel'])
      .execute();
    expect(updates).toEqual([]); // the held cancel wrote none; the refused move none either
  });

  it('a cancel racing a move cancels nothing it did not read (409) or cancels where the move put it', async () => {
    const { id, a, others, slotIds } = await setup(1);
    const [b] = others;
    const del = await whileHeld(moveWrites(id, a.id, b), () =>
      t.app.inject({ method: 'DELETE', url: `/api/appointments/${id}/`, headers: staff }),
    );
    if (testDialect === 'postgres') {
      expect(del.statusCode).toBe(409);
      expect(JSON.parse(del.body)).toEqual({ detail: CHANGED });
      expect(await appointment(id)).toEqual({ status: 'scheduled', appointment_slot: b.id });
    } else {
      expect(del.statusCode).toBe(204);
      expect(await appointment(id)).toEqual({ status: 'cancelled', appointment_slot: b.id });
    }
    expect(await available(a.id)).toBe(true);
    expect(await slotInvariantViolations(t.db, slotIds)).toEqual([]);
  });

  it('of two moves at once, the loser releases the slot it claimed', async () => {
    const { id, a, others, slotIds } = await setup(2);
    const [b, c] = others;
    const second = await whileHeld(moveWrites(id, a.id, b), () =>
      t.app.inject({ method: 'PATCH', url: `/api/appointments/${id}/`, headers: staff, payload: { appointment_slot: c.id } }),
    );
    if (testDialect === 'postgres') {
      expect(second.statusCode).toBe(409);
      expect(JSON.parse(second.body)).toEqual({ detail: CHANGED });
      expect(await appointment(id)).toEqual({ status: 'scheduled', appointment_slot: b.id });
      expect(await available(c.id)).toBe(true);
    } else {
      expect(second.statusCode).toBe(200); // read after the first committed: a plain second move
      expect(await appointment(id)).toEqual({ status: 'scheduled', appointment_slot: c.id });
      expect(await available(b.id)).toBe(true);
    }
    expect(await available(a.id)).toBe(true);
    expect(await slotInvariantViolations(t.db, slotIds)).toEqual([]);
  });
});

/** The same races without a held transaction: real concurrent HTTP requests against a listening server. */
describe(`concurrent moves and cancels over HTTP (${testDialect})`, () => {
  let t: TestApp;
  let base: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
    headers = { ...(await authHeader(t.app, await makeUser(t.db, { user_type: 'staff' }))), 'content-type': 'application/json' };
  });
  afterAll(() => t.close());

  const call = async (method: string, id: number, body?: unknown) => {
    const res = await fetch(`${base}/api/appointments/${id}/`, {
      method,
      headers: body ? headers : { authorization: headers.authorization },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
  };

  async function round(kind: 'move-move' | 'cancel-move') {
    const clinician = await makeClinician(t.db);
    const patient = await makePatient(t.db);
    const [a, b, c] = [await makeSlot(t.db, clinician.id), await makeSlot(t.db, clinician.id), await makeSlot(t.db, clinician.id)];
    const booked = await fetch(`${base}/api/appointments/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ patient: patient.id, provider: clinician.id, appointment_slot: a.id }),
    });
    const id = ((await booked.json()) as { id: number }).id;
    const results =
      kind === 'move-move'
        ? await Promise.all([call('PATCH', id, { appointment_slot: b.id }), call('PATCH', id, { appointment_slot: c.id })])
        : await Promise.all([call('DELETE', id), call('PATCH', id, { appointment_slot: b.id })]);
    for (const r of results) {
      expect([200, 204, 409], JSON.stringify(r)).toContain(r.status);
      if (r.status === 409) expect([CHANGED, FINAL]).toContain(r.body?.detail);
    }
    const final = await t.db
      .selectFrom('appointments')
      .select(['status', 'appointment_slot'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const slots = await t.db.selectFrom('appointment_slots').select(['id', 'is_available']).where('provider', '=', clinician.id).execute();
    const unavailable = slots.filter((s) => !s.is_available).map((s) => s.id);
    if (final.status === 'cancelled') {
      expect(unavailable).toEqual([]); // a move before the cancel is fine; its slot was freed by the cancel
    } else {
      expect(unavailable).toEqual([final.appointment_slot]);
      expect(results.filter((r) => r.status === 204)).toHaveLength(0); // a cancel that "won" would have been undone
    }
    expect(await slotInvariantViolations(t.db, [a.id, b.id, c.id])).toEqual([]);
  }

  it('two moves of one appointment at once: it ends on one slot and only that slot is taken (10 rounds)', async () => {
    for (let i = 0; i < 10; i++) await round('move-move');
  });

  it('a cancel and a move at once: never a 204 and a 200 whose results undo each other (10 rounds)', async () => {
    for (let i = 0; i < 10; i++) await round('cancel-move');
  });
});
