import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { testDialect } from '../helpers/db.js';
import { type ProcessDatabase, processDatabase } from '../helpers/process-db.js';

// An empty database the CLI migrates itself: a SQLite file, or a fresh PostgreSQL schema.
const dir = mkdtempSync(path.join(tmpdir(), 'customehr-cli-'));
let database: ProcessDatabase;
beforeAll(async () => {
  database = await processDatabase(dir, { name: 'cli' });
});
afterAll(async () => {
  await database?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function cli(script: string, args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dir, NODE_ENV: 'development', LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

async function canLogIn(email: string, password: string) {
  const db = database.open();
  const app = await buildApp({ config: testConfig(), db });
  try {
    const res = await app.inject({ method: 'POST', url: '/api/login/', payload: { email, password } });
    if (res.statusCode !== 200) console.error('login failed', res.statusCode, res.body);
    return res.statusCode === 200 && res.json().user_type === 'staff';
  } finally {
    await app.close();
    await db.destroy();
  }
}

describe(`CLI (${testDialect})`, () => {
  it('migrate applies the migrations once, then reports the database is up to date', async () => {
    const first = cli('migrate', []);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Applied migrations: 2026120301_initial/);
    const second = cli('migrate', []);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/up to date/);
    // The tables are in this file's database (its own schema on PostgreSQL), ready for use.
    const db = database.open();
    try {
      expect(await db.selectFrom('users').select('id').execute()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('createsuperuser takes --email --name --password and makes a staff user who can log in', async () => {
    const res = cli('createsuperuser', ['--email', 'Boss@Clinic.example', '--name', 'Boss', '--password', 'boss-passphrase-2026']);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/Superuser created: boss@clinic\.example/);
    expect(res.out).not.toContain('boss-passphrase-2026');
    expect(await canLogIn('boss@clinic.example', 'boss-passphrase-2026')).toBe(true);
  });

  it('createsuperuser reads the password from stdin with --password-stdin', async () => {
    const res = cli(
      'createsuperuser',
      ['--email', 'piped@clinic.example', '--name', 'Piped', '--password-stdin'],
      'piped-passphrase-2026\n',
    );
    expect(res.code, res.err).toBe(0);
    expect(await canLogIn('piped@clinic.example', 'piped-passphrase-2026')).toBe(true);
  });

  it('createsuperuser asks for each value when run without arguments', async () => {
    const res = cli('createsuperuser', [], 'asked@clinic.example\nAsked Person\nasked-passphrase-2026\nasked-passphrase-2026\n');
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/Email: .*Name: .*Password: /s);
    expect(await canLogIn('asked@clinic.example', 'asked-passphrase-2026')).toBe(true);
  });

  it('createsuperuser refuses bad input with every problem named, and duplicates', () => {
    const bad = cli('createsuperuser', ['--email', 'not-an-email', '--name', ' ', '--password', 'short']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/email:/);
    expect(bad.err).toMatch(/name:/);
    expect(bad.err).toMatch(/password:/);
    const dup = cli('createsuperuser', ['--email', 'BOSS@clinic.example', '--name', 'Again', '--password', 'another-passphrase-1']);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/already exists/);
    const mismatch = cli('createsuperuser', [], 'new@clinic.example\nNew\nfirst-passphrase-123\nsecond-passphrase-123\n');
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/didn't match/);
  });
});
