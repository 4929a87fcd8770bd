import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

describe('SQLite database file', () => {
  it('is readable by its owner only (it holds PHI and password hashes), WAL files included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'customehr-perm-'));
    const file = path.join(dir, 'nested', 'clinic.sqlite');
    try {
      const db = openSqlite(file);
      await migrateToLatest(db);
      await db
        .insertInto('patients')
        .values({
          first_name: 'A',
          middle_name: '',
          last_name: 'B',
          preferred_name: '',
          date_of_birth: '2000-01-01',
          sex: 'male',
          gender_identity: 'male',
          email: '',
          phone_number: '1',
          ethnicity: '',
          race: '',
          language: '',
          address_line1: 'x',
          address_line2: '',
          city: 'c',
          state: 's',
          zip_code: 'z',
          created_at: 'now',
          updated_at: 'now',
        })
        .execute();
      for (const f of [file, `${file}-wal`]) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
      expect((statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700');
      await db.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
