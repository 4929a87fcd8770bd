import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.verify.js';
import { testDialect } from '../helpers/db.js';
import { DEFAULT_PASSWORD, makeClinician, makeUser } from '../helpers/factories.js';
import { type ProcessDatabase, processDatabase } from '../helpers/process-db.js';
import { listeningPids, type ServerProcess, startBuiltServer } from '../helpers/server-process.js';
import { futureInstant, makeSlot } from '../slots/slot-helpers.js';

/**
 * The booking race across processes: the built server in cluster mode (WORKERS=2), so two
 * processes, each with its own connections, claim one slot at once. In-process tests
 * (concurrency.test.ts) share one connection pool or one SQLite handle and cannot show this.
 * SQLite runs on a file (the only way two processes share it); PostgreSQL on a fresh schema.
 */

const PATIENTS = 40;
const JWT_SECRET = 'cluster-test-secret-cluster-test-secret-0123';

describe(`booking one slot against two server processes (${testDialect})`, { timeout: 120_000 }, () => {
  let dir: string;
  let database: ProcessDatabase;
  let db: Database;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'customehr-cluster-'));
    database = await processDatabase(dir, { name: 'cluster', migrated: true });
    db = database.open();
    server = await startBuiltServer({
      WORKERS: '2',
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      JWT_SECRET,
      // Every request comes from 127.0.0.1: the per-IP login limit must not get in the way.
      AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    });
  }, 240_000);

  afterAll(async () => {
    const code = await server?.stop();
    await db?.destroy();
    await database?.destroy();
    rmSync(dir, { recursive: true, force: true });
    expect(code, 'the cluster exits cleanly on SIGTERM').toBe(0);
  });

  /** Logs a patient in over HTTP (a few at a time: the point is the race, not the logins). */
  async function accessTokens(emails: string[]): Promise<string[]> {
    const tokens: string[] = [];
    for (let i = 0; i < emails.length; i += 5) {
      const batch = await Promise.all(
        emails.slice(i, i + 5).map(async (email) => {
          const res = await fetch(`${server.base}/api/login/`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: DEFAULT_PASSWORD }),
          });
          expect(res.status, await res.clone().text()).toBe(200);
          return ((await res.json()) as { access: string }).access;
        }),
      );
      tokens.push(...batch);
    }
    return tokens;
  }

  it(`gives exactly one of ${PATIENTS} simultaneous bookings the slot, over real HTTP`, async () => {
    expect(listeningPids(server).size, 'two workers listen').toBe(2);
    const clinician = await makeClinician(db);
    const slot = await makeSlot(db, clinician.id, { dateandtime: futureInstant() });
    const patients = [];
    for (let i = 0; i < PATIENTS; i++) patients.push(await makeUser(db, { user_type: 'patient' }));
    const tokens = await accessTokens(patients.map((p) => p.email));

    const responses = await Promise.all(
      patients.map(async (p, i) => {
        const res = await fetch(`${server.base}/api/appointments/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ patient: p.linked_patient, provider: clinician.id, appointment_slot: slot.id }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown>, patient: p.linked_patient };
      }),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PATIENTS - 1);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toEqual({ detail: 'This slot is no longer available.' });
    const winner = responses.find((r) => r.status === 201);
    expect(winner?.body).toMatchObject({ appointment_slot: slot.id, patient: winner?.patient, status: 'scheduled' });

    // Both processes took part in the race, or this test proves nothing beyond concurrency.test.ts.
    const bookers = new Set(
      server
        .logs()
        .filter((l) => (l.req as { method?: string; path?: string } | undefined)?.path === '/api/appointments/')
        .filter((l) => (l.req as { method?: string }).method === 'POST')
        .map((l) => Number(l.pid)),
    );
    expect(bookers.size, 'bookings were answered by both workers').toBe(2);

    const live = await db
      .selectFrom('appointments')
      .select(['id', 'patient'])
      .where('appointment_slot', '=', slot.id)
      .where('status', '<>', 'cancelled')
      .execute();
    expect(live).toEqual([{ id: winner?.body.id, patient: winner?.patient }]);
    const all = await db.selectFrom('appointments').select('id').where('appointment_slot', '=', slot.id).execute();
    expect(all, 'the losers left no rows behind').toHaveLength(1);
    const slotRow = await db.selectFrom('appointment_slots').select('is_available').where('id', '=', slot.id).executeTakeFirstOrThrow();
    expect(Boolean(slotRow.is_available)).toBe(false);

    // Both processes appended to the one audit hash chain at once: it must still be unbroken,
    // with exactly one record of the booking.
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    const created = await db
      .selectFrom('audit_events')
      .select(['user_id', 'outcome'])
      .where('action', '=', 'create')
      .where('resource_type', '=', 'appointment')
      .execute();
    expect(created).toHaveLength(1);
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
