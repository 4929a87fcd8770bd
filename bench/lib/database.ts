import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  /** The DATABASE_URL the server and the seed use. */
  url: string;
  label: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one run: a SQLite file in a temporary folder, or a new PostgreSQL database
 * next to the one --database-url names (dropped at the end, so a run never touches real data).
 */
export async function freshDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (!databaseUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'customehr-bench-'));
    return {
      url: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      label: 'SQLite (temp file)',
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL (SQLite is the default)');
  const name = `customehr_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `PostgreSQL (${name})`,
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
