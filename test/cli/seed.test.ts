import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import { testDialect } from '../helpers/db.js';
import { type ProcessDatabase, processDatabase } from '../helpers/process-db.js';

// The CLI as a user runs it (through tsx, so no build is needed), on a SQLite file or on a fresh
// PostgreSQL schema it migrates itself.
const root = path.resolve(import.meta.dirname, '../..');

function seedCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/seed.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456789' },
    timeout: 120_000,
  });
}

// Each CLI run starts tsx: several seconds on a busy two-core machine.
describe(`npm run seed (${testDialect})`, { timeout: 180_000 }, () => {
  let dir: string;
  let database: ProcessDatabase;
  let url: string;
  let db: Database;
  let first: ReturnType<typeof seedCli>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'customehr-seed-'));
    database = await processDatabase(dir, { name: 'demo' });
    url = database.url;
    first = seedCli(['--patients', '40', '--providers', '2', '--staff', '2', '--seed', '3', '--database-url', url]);
    db = database.open();
  }, 180_000);
  afterAll(async () => {
    await db?.destroy();
    await database?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds and prints the demo logins, the password and the curl flow', async () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/2 staff, 2 providers, 40 patients/);
    expect(first.stdout).toContain('curl -s -X POST http://localhost:');
    expect(first.stdout).toContain('/api/users/me/');
    const password = /password "([^"]+)"/.exec(first.stdout)?.[1];
    expect(password).toBe('customehr-demo-clinic-2026');
    const emails = Object.fromEntries([...first.stdout.matchAll(/^ {2}(staff|provider|patient) +(\S+@\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(emails).sort()).toEqual(['patient', 'provider', 'staff']);

    const app = await buildApp({ config: testConfig(), db });
    try {
      for (const [kind, email] of Object.entries(emails)) {
        const res = await app.inject({ method: 'POST', url: '/api/login/', payload: { email, password } });
        expect(res.statusCode, kind).toBe(200);
        expect(res.json().user_type).toBe(kind);
      }
    } finally {
      await app.close();
    }
  });

  it('prints no patient data beyond the one demo login', async () => {
    const patients = await db
      .selectFrom('patients')
      .select(['last_name', 'phone_number', 'date_of_birth', 'email', 'address_line1'])
      .execute();
    const printed = first.stdout + first.stderr;
    for (const p of patients) {
      expect(printed).not.toContain(p.phone_number);
      expect(printed).not.toContain(p.date_of_birth);
      expect(printed).not.toContain(p.address_line1);
    }
    expect(patients.filter((p) => printed.includes(p.email))).toHaveLength(1);
  });

  it('refuses to seed the same database twice, and empties it with --reset', async () => {
    const again = seedCli(['--patients', '5', '--providers', '1', '--staff', '1', '--database-url', url]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--reset/);
    const reset = seedCli(['--patients', '5', '--providers', '1', '--staff', '1', '--reset', '--database-url', url]);
    expect(reset.status, reset.stderr).toBe(0);
    const n = await db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(5);
  });

  it('rejects bad options with a message', () => {
    const res = seedCli(['--patients', 'many', '--database-url', url]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('--patients must be an integer');
  });
});
