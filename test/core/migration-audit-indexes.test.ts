import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrator } from '../../src/db/migrate.js';
import { GENESIS_HASH } from '../../src/modules/audit/audit.chain.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Migration 2026120415 takes patient records out of the audit resource index; their events are
 * then found through patient links. An older event on a patient record without its link gets one.
 */
describe('migration 2026120415 (audit write indexes)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  const event = (resourceType: string, resourceId: string, hash: string) => ({
    created_at: new Date().toISOString(),
    user_id: null,
    user_type: '',
    action: 'read',
    resource_type: resourceType,
    resource_id: resourceId,
    patient_id: null,
    outcome: 'success',
    client_ip: '127.0.0.1',
    request_id: 'migration-test',
    details: '{}',
    prev_hash: GENESIS_HASH,
    hash,
  });

  it('goes down and up again, linking events on patient records that had no link', async () => {
    const down = await (await migrator(t.db)).migrateDown();
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual(['2026120415_audit_write_indexes']);

    await t.db
      .insertInto('audit_events')
      .values([
        event('patient', '77', 'a'.repeat(64)),
        event('patient', '', 'b'.repeat(64)),
        event('appointment', '78', 'c'.repeat(64)),
        // Beyond any patient id (ids are 32-bit): no link, and no out-of-range error.
        event('patient', '99999999999', 'd'.repeat(64)),
      ])
      .execute();
    expect(await migrateToLatest(t.db)).toEqual(['2026120415_audit_write_indexes']);

    const links = await t.db.selectFrom('audit_event_patients').select('patient_id').execute();
    expect(links.map((l) => Number(l.patient_id))).toEqual([77]);
    const indexes =
      t.dialect === 'postgres'
        ? await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'audit_events'`.execute(t.db)
        : await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_events'`.execute(t.db);
    const names = indexes.rows.map((r) => r.name);
    expect(names).toContain('audit_events_resource');
    expect(names).not.toContain('audit_events_patient');
  });
});
