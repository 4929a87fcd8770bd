import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unguardAuditTrail } from '../../src/db/audit-guard.js';
import { recordAudit } from '../../src/modules/audit/audit.service.js';
import { createTestDatabase, postgresUrlWithSchema, type TestDatabase } from '../helpers/db.js';

/** `npm run audit:verify` runs the compiled CLI; this runs its source the same way, through tsx. */
function runCli(databaseUrl: string, args: string[] = []) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/audit-verify.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: 'x'.repeat(40), NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('npm run audit:verify', () => {
  let dir: string;
  let tdb: TestDatabase;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));
    const file = path.join(dir, 'audit.sqlite');
    tdb = await createTestDatabase({ sqliteFile: file });
    url = tdb.dialect === 'postgres' ? postgresUrlWithSchema(tdb.schema ?? '') : `sqlite:${file}`;
    const ctx = { userId: 1, userType: 'staff', clientIp: '127.0.0.1', requestId: 'cli-test' };
    for (let i = 0; i < 5; i++) await recordAudit(tdb.db, ctx, { action: 'read', resourceType: 'patient', resourceId: i, patientId: i });
  });
  afterAll(async () => {
    await tdb.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  let checkpoint = '';
  it('exits 0, counts the events of an intact trail and prints the checkpoint for the next run', () => {
    const { code, out } = runCli(url);
    expect(out).toContain('OK: 5 events verified');
    checkpoint = /--expect (\d+:[0-9a-f]{64})/.exec(out)?.[1] ?? '';
    expect(checkpoint).not.toBe('');
    expect(code).toBe(0);
    const again = runCli(url, ['--expect', checkpoint]);
    expect(again.out).toContain('checkpoint');
    expect(again.code).toBe(0);
    const bad = runCli(url, ['--expect', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--expect must be ID:HASH');
  });

  it('exits 1 naming the first broken event when a row was deleted', async () => {
    const ids = (await tdb.db.selectFrom('audit_events').select('id').orderBy('id').execute()).map((r) => r.id);
    // An intruder with DDL rights: the append-only guard goes first, then the event and its links.
    await unguardAuditTrail(tdb.db);
    await tdb.db.deleteFrom('audit_event_patients').where('event_id', '=', ids[1]).execute();
    await tdb.db.deleteFrom('audit_events').where('id', '=', ids[1]).execute();
    const { code, out } = runCli(url);
    expect(code).toBe(1);
    expect(out).toContain(`event ${ids[2]}`);
    expect(out).toContain('removed');
  });
});
