import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import * as initial from './migrations/2026120301_initial.js';
import * as security from './migrations/2026120305_security.js';
import * as perfIndexes from './migrations/2026120310_perf_indexes.js';
import * as rowCounts from './migrations/2026120320_row_counts.js';
import * as patientOrderVersion from './migrations/2026120405_patient_order_version.js';
import * as auditPatients from './migrations/2026120410_audit_patients.js';
import * as auditWriteIndexes from './migrations/2026120415_audit_write_indexes.js';
import { dialectOf } from './portable.js';

/** Migrations are listed in code (not read from a folder) so the built bundle and tests agree. */
const migrations: Record<string, Migration> = {
  '2026120301_initial': initial,
  '2026120305_security': security,
  '2026120310_perf_indexes': perfIndexes,
  '2026120320_row_counts': rowCounts,
  '2026120405_patient_order_version': patientOrderVersion,
  '2026120410_audit_patients': auditPatients,
  '2026120415_audit_write_indexes': auditWriteIndexes,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
type AnyDb = Kysely<any>;

/**
 * On PostgreSQL the migration tables are pinned to the connection's current schema: Kysely
 * otherwise looks for them in every schema of the database and can find another tenant's.
 */
export async function migrator(db: AnyDb): Promise<Migrator> {
  if (dialectOf(db) === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema ?? 'public' });
  }
  return new Migrator({ db, provider });
}

export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const { error, results } = await (await migrator(db)).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
