import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/db.js';
import { type ProcessDatabase, processDatabase } from '../helpers/process-db.js';

// The server migrates an empty database itself: a SQLite file, or a fresh PostgreSQL schema.
const dir = mkdtempSync(path.join(tmpdir(), 'customehr-server-'));
let database: ProcessDatabase;
beforeAll(async () => {
  database = await processDatabase(dir, { name: 'server' });
});
afterAll(async () => {
  await database?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function startServer(port: number, extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: database.url,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return { child, output: () => output };
}

async function waitForHealthy(port: number, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become ready');
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe(`server process (${testDialect})`, () => {
  it('migrates, serves, logs JSON with request ids, and exits cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = startServer(port);
    try {
      await waitForHealthy(port);
      const res = await fetch(`http://127.0.0.1:${port}/api/users/me/?search=SecretSurname`);
      expect(res.status).toBe(401);
      const exited = exitOf(server.child);
      server.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      expect(lines.some((l) => l.reqId && l.req?.path === '/api/users/me/')).toBe(true);
      expect(server.output()).not.toContain('SecretSurname');
      expect(lines.some((l) => l.msg === 'shutting down')).toBe(true);
      // It names the database it serves, but never a PostgreSQL URL (it can hold a password).
      const listening = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('customehr listening'));
      expect(listening?.database).toBe(testDialect === 'postgres' ? 'postgres' : database.url);
      if (testDialect === 'postgres') expect(server.output()).not.toContain(database.url);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('stops with a message naming every bad setting', async () => {
    const server = startServer(1, { PORT: 'nope', LOG_LEVEL: 'chatty' });
    const code = await exitOf(server.child);
    expect(code).toBe(1);
    expect(server.output()).toMatch(/PORT/);
    expect(server.output()).toMatch(/LOG_LEVEL/);
  });
});
