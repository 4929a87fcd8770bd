import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/modules/audit/audit.service.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.verify.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const ctx = { userId: null, userType: 'staff', clientIp: '127.0.0.1', requestId: 'test' };

describe('audit group commit', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  it('writes every concurrent event, interleaved with transactional ones, into one unbroken chain', async () => {
    const reads = Array.from({ length: 200 }, (_, i) => recordAudit(t.db, ctx, { action: 'read', resourceType: 'patient', resourceId: i }));
    const writes = Array.from({ length: 10 }, (_, i) =>
      t.db.transaction().execute((trx) => recordAudit(trx, ctx, { action: 'update', resourceType: 'patient', resourceId: 1000 + i })),
    );
    await Promise.all([...reads, ...writes]);
    const rows = await t.db.selectFrom('audit_events').select(['resource_id', 'action']).execute();
    expect(rows).toHaveLength(210);
    expect(new Set(rows.map((r) => r.resource_id)).size).toBe(210);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('resolves only after the event is committed, and rejects when it cannot be written', async () => {
    await recordAudit(t.db, ctx, { action: 'read', resourceType: 'patient', resourceId: 'committed' });
    const found = await t.db.selectFrom('audit_events').select('id').where('resource_id', '=', 'committed').executeTakeFirst();
    expect(found).toBeDefined();
    const broken = await createTestDatabase();
    await broken.db.schema.dropTable('audit_event_patients').execute();
    await broken.db.schema.dropTable('audit_events').execute();
    await expect(recordAudit(broken.db, ctx, { action: 'read' })).rejects.toThrow();
    await broken.destroy();
  });
});
