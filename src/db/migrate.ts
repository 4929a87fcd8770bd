import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/2026120301_initial.js';

/** Migrations are listed in code (not read from a folder) so the built bundle and tests agree. */
const migrations: Record<string, Migration> = {
  '2026120301_initial': initial,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
type AnyDb = Kysely<any>;

export function migrator(db: AnyDb): Migrator {
  return new Migrator({ db, provider });
}

export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
