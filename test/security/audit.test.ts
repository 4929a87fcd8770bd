import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unguardAuditTrail } from '../../src/db/audit-guard.js';
import { dialectOf } from '../../src/db/portable.js';
import { auditListQuery } from '../../src/modules/audit/audit.repository.js';
import type { AuditListFilter } from '../../src/modules/audit/audit.schemas.js';
import { recordAudit, recordRead } from '../../src/modules/audit/audit.service.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.verify.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, DEFAULT_PASSWORD, makeUser } from '../helpers/factories.js';

const ctx = { userId: null, userType: 'test', clientIp: '127.0.0.1', requestId: 'test' };

describe('audit trail API', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp();
    people = await cast(t.app);
  });
  afterAll(() => t.close());

  it('records login success and failure and lets staff filter them', async () => {
    const user = await makeUser(t.db, { email: 'audited.login@example.com' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email: user.email, password: 'wrong-password-123' } });
    expect(bad.statusCode).toBe(400);
    const good = await t.app.inject({ method: 'POST', url: '/api/login/', payload: { email: user.email, password: DEFAULT_PASSWORD } });
    expect(good.statusCode).toBe(200);

    const res = await t.app.inject({ url: `/api/audit-events/?user=${user.id}&action=login&ordering=id`, headers: people.staff.headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBe(2);
    expect(body.results.map((e: { outcome: string }) => e.outcome)).toEqual(['failure', 'success']);
    expect(body.results[0]).toMatchObject({ user: user.id, resource_type: 'user', resource_id: String(user.id), client_ip: '127.0.0.1' });
    expect(body.results[0].details).toEqual({ reason: 'bad_password' });
    expect(body.results[1].request_id).toBe(good.headers['x-request-id']);
    expect(res.headers['cache-control']).toBe('no-store');

    const failures = await t.app.inject({ url: `/api/audit-events/?user=${user.id}&outcome=failure`, headers: people.staff.headers });
    expect(failures.json().count).toBe(1);
  });

  it('filters by patient, resource and date range', async () => {
    await recordRead(t.db, ctx, { action: 'read', resourceType: 'patient', ids: [424242], patientIds: [424242] });
    await recordRead(t.db, ctx, { action: 'list', resourceType: 'patient', ids: [424242, 434343], patientIds: [424242, 434343] });
    // Both events concern the patient: the read of their record, and the list that showed them.
    const byPatient = await t.app.inject({ url: '/api/audit-events/?patient=424242&ordering=id', headers: people.staff.headers });
    expect(byPatient.json().count).toBe(2);
    expect(byPatient.json().results[0]).toMatchObject({ action: 'read', resource_type: 'patient', resource_id: '424242', patient: 424242 });
    expect(byPatient.json().results[1]).toMatchObject({ action: 'list', resource_type: 'patient', patient: null });
    const list = await t.app.inject({ url: '/api/audit-events/?resource_type=patient&action=list', headers: people.staff.headers });
    expect(list.json().results[0].details).toEqual({ ids: [424242, 434343], patient_ids: [424242, 434343] });
    const byId = await t.app.inject({ url: '/api/audit-events/?resource_type=patient&resource_id=424242', headers: people.staff.headers });
    expect(byId.json().count).toBe(1);

    const today = new Date().toISOString().slice(0, 10);
    const inRange = await t.app.inject({
      url: `/api/audit-events/?start=${today}&end=${today}&patient=424242`,
      headers: people.staff.headers,
    });
    expect(inRange.json().count).toBe(2);
    const past = await t.app.inject({ url: '/api/audit-events/?end=2000-01-01&patient=424242', headers: people.staff.headers });
    expect(past.json().count).toBe(0);
    const future = await t.app.inject({ url: '/api/audit-events/?start=2999-01-01T00:00:00Z', headers: people.staff.headers });
    expect(future.json().count).toBe(0);
    const badDate = await t.app.inject({ url: '/api/audit-events/?start=yesterday', headers: people.staff.headers });
    expect(badDate.statusCode).toBe(400);
  });

  it('finds an event on a patient record by resource even when it names no patient of its own', async () => {
    // The resource index leaves patient records out (migration 2026120415); such events are found
    // through their patient link, which recordAudit adds from the resource id itself.
    await recordAudit(t.db, ctx, { action: 'note', resourceType: 'patient', resourceId: 515151 });
    await recordAudit(t.db, ctx, { action: 'note', resourceType: 'appointment', resourceId: 515151 });
    const byId = await t.app.inject({ url: '/api/audit-events/?resource_type=patient&resource_id=515151', headers: people.staff.headers });
    expect(byId.json().results.map((e: { action: string; resource_type: string }) => [e.action, e.resource_type])).toEqual([
      ['note', 'patient'],
    ]);
    const byPatient = await t.app.inject({ url: '/api/audit-events/?patient=515151', headers: people.staff.headers });
    expect(byPatient.json().count).toBe(1);
    const other = await t.app.inject({
      url: '/api/audit-events/?resource_type=appointment&resource_id=515151',
      headers: people.staff.headers,
    });
    expect(other.json().count).toBe(1);
    // Ids not written the way events write them match nothing, as before.
    const padded = await t.app.inject({
      url: '/api/audit-events/?resource_type=patient&resource_id=0515151',
      headers: people.staff.headers,
    });
    expect(padded.json().count).toBe(0);
    // Beyond any id (ids are 32-bit): nothing, not a database error on a 32-bit column.
    const huge = await t.app.inject({
      url: '/api/audit-events/?resource_type=patient&resource_id=99999999999',
      headers: people.staff.headers,
    });
    expect(huge.statusCode).toBe(200);
    expect(huge.json().count).toBe(0);
  });

  it('looks events up by resource through an index, not a scan of the trail', async () => {
    if (dialectOf(t.db) !== 'sqlite') return; // PostgreSQL plans small tables as scans whatever the indexes
    const plan = async (f: AuditListFilter) => {
      const query = auditListQuery(t.db, f).select('id').orderBy('id', 'desc').limit(20).compile();
      const result = await t.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
      );
      return result.rows.map((r) => r.detail).join(' | ');
    };
    expect(await plan({ resource_type: 'appointment', resource_id: '7' })).toMatch(
      /audit_events USING (COVERING )?INDEX audit_events_resource/,
    );
    const patient = await plan({ resource_type: 'patient', resource_id: '7' });
    expect(patient).toMatch(/audit_event_patients USING (COVERING )?(INDEX|PRIMARY KEY)/);
    expect(patient).not.toMatch(/SCAN audit_events\b/);
  });

  it('retrieves one event and records that staff read the trail', async () => {
    const list = await t.app.inject({ url: '/api/audit-events/?page_size=1', headers: people.staff.headers });
    const id = list.json().results[0].id;
    const one = await t.app.inject({ url: `/api/audit-events/${id}/`, headers: people.staff.headers });
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(id);
    const reads = await t.app.inject({
      url: `/api/audit-events/?resource_type=audit_event&user=${people.staff.user.id}`,
      headers: people.staff.headers,
    });
    expect(reads.json().count).toBeGreaterThanOrEqual(2);
    expect((await t.app.inject({ url: '/api/audit-events/99999999/', headers: people.staff.headers })).statusCode).toBe(404);
  });

  it('is staff only', async () => {
    expect((await t.app.inject({ url: '/api/audit-events/' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/audit-events/', headers: people.provider.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/audit-events/', headers: people.patient.headers })).statusCode).toBe(403);
  });

  it('has no route that changes or deletes an event', async () => {
    const before = await t.db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id').execute();
    const id = before[0].id;
    for (const [method, url] of [
      ['POST', '/api/audit-events/'],
      ['PUT', `/api/audit-events/${id}/`],
      ['PATCH', `/api/audit-events/${id}/`],
      ['DELETE', `/api/audit-events/${id}/`],
      ['DELETE', '/api/audit-events/'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: people.staff.headers, payload: { action: 'x' } });
      expect(res.statusCode).toBe(405);
      expect(res.json()).toEqual({ detail: `Method "${method}" not allowed.` });
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    const after = await t.db
      .selectFrom('audit_events')
      .select(['id', 'hash'])
      .where('id', '<=', before[before.length - 1].id)
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
  });
});

describe('audit chain verification', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    // These tests play an intruder with DDL rights, who takes the append-only guard down first.
    await unguardAuditTrail(t.db);
  });
  afterAll(() => t.close());

  async function fresh(n: number): Promise<number[]> {
    await t.db.deleteFrom('audit_event_patients').execute();
    await t.db.deleteFrom('audit_events').execute();
    for (let i = 0; i < n; i++)
      await recordAudit(t.db, ctx, { action: 'update', resourceType: 'appointment', resourceId: i, details: { fields: ['notes'] } });
    return (await t.db.selectFrom('audit_events').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  it('accepts an intact chain, empty or long', async () => {
    await fresh(0);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 0, head: null });
    const ids = await fresh(25);
    const result = await verifyAuditChain(t.db);
    expect(result).toMatchObject({ ok: true, count: 25, head: { id: ids[24] } });
  });

  it('names an edited event', async () => {
    const ids = await fresh(6);
    await t.db.updateTable('audit_events').set({ details: '{"fields":["last_name"]}' }).where('id', '=', ids[3]).execute();
    const result = await verifyAuditChain(t.db);
    expect(result).toMatchObject({ ok: false, brokenId: ids[3], reason: 'edited', count: 3 });
  });

  it('names the event after an edit that also re-computed its own hash', async () => {
    const ids = await fresh(6);
    // A forger who edits a row and re-computes its hash still breaks the link of the next one.
    const { eventHash } = await import('../../src/modules/audit/audit.chain.js');
    const row = await t.db.selectFrom('audit_events').selectAll().where('id', '=', ids[2]).executeTakeFirstOrThrow();
    const forged = { ...row, outcome: 'failure' };
    await t.db
      .updateTable('audit_events')
      .set({ outcome: 'failure', hash: eventHash(row.prev_hash, forged) })
      .where('id', '=', ids[2])
      .execute();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: ids[3], reason: 'removed_before' });
  });

  it('names the event after a deleted one', async () => {
    const ids = await fresh(6);
    await t.db.deleteFrom('audit_events').where('id', '=', ids[2]).execute();
    const result = await verifyAuditChain(t.db);
    expect(result).toMatchObject({ ok: false, brokenId: ids[3], reason: 'removed_before', count: 2 });
    if (!result.ok) expect(result.message).toContain(`event ${ids[3]}`);
  });

  it('detects a chain whose beginning was cut off', async () => {
    const ids = await fresh(4);
    await t.db.deleteFrom('audit_events').where('id', '=', ids[0]).execute();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: ids[1], reason: 'chain_cut' });
  });

  it('detects events cut off the end against a checkpoint kept from an earlier run', async () => {
    const ids = await fresh(6);
    const earlier = await verifyAuditChain(t.db);
    if (!earlier.ok || !earlier.head) throw new Error('expected an intact chain');
    const checkpoint = earlier.head;
    await recordAudit(t.db, ctx, { action: 'read', resourceType: 'appointment', resourceId: 99 });
    expect(await verifyAuditChain(t.db, checkpoint)).toMatchObject({ ok: true, count: 7 });
    // Cutting the end leaves a valid, shorter chain: only the checkpoint shows it.
    await t.db.deleteFrom('audit_events').where('id', '>=', ids[4]).execute();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, count: 4 });
    expect(await verifyAuditChain(t.db, checkpoint)).toMatchObject({ ok: false, brokenId: checkpoint.id, reason: 'checkpoint' });
    expect(await verifyAuditChain(t.db, { id: ids[2], hash: 'f'.repeat(64) })).toMatchObject({ ok: false, reason: 'checkpoint' });
  });

  it('walks past the batch size', async () => {
    await fresh(0);
    // Bulk-append 1,203 chained events quickly through one transaction.
    await t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 1203; i++) await recordAudit(trx, ctx, { action: 'read', resourceType: 'patient', resourceId: i });
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, count: 1203 });
    const mid = await t.db.selectFrom('audit_events').select('id').orderBy('id').offset(1100).limit(1).executeTakeFirstOrThrow();
    await sql`update audit_events set client_ip = '10.0.0.1' where id = ${mid.id}`.execute(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: mid.id, reason: 'edited', count: 1100 });
  });
});
