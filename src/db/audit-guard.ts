import { type Kysely, sql } from 'kysely';
import { dialectOf } from './portable.js';

/**
 * The audit tables are append-only in the database itself: triggers refuse every UPDATE, DELETE
 * and (PostgreSQL) TRUNCATE, so neither a bug in the server nor an injected statement run as the
 * server's database user can rewrite or cut the trail. Removing the guard takes DDL — a deliberate
 * act of an administrator, which `npm run audit:verify` still detects in the hash chain.
 *
 * Migration 2026120410 installs the guard with these functions; a change to what they create
 * needs a new migration that drops and re-creates it.
 */
export const AUDIT_TABLES = ['audit_events', 'audit_event_patients'] as const;

// biome-ignore lint/suspicious/noExplicitAny: used by migrations, before the schema types hold
type AnyDb = Kysely<any>;

export async function guardAuditTrail(db: AnyDb): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`create or replace function audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name using errcode = '42501'; end $$`.execute(
      db,
    );
    for (const table of AUDIT_TABLES) {
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function audit_append_only()`.execute(db);
      await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function audit_append_only()`.execute(db);
    }
    return;
  }
  for (const table of AUDIT_TABLES) {
    await sql`create trigger ${sql.id(`${table}_no_update`)} before update on ${sql.table(table)}
      begin select raise(abort, 'the audit trail is append-only: UPDATE refused'); end`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_delete`)} before delete on ${sql.table(table)}
      begin select raise(abort, 'the audit trail is append-only: DELETE refused'); end`.execute(db);
  }
}

/** Takes the guard down (the demo seed's --reset of a demo database, and tests of tampering). */
export async function unguardAuditTrail(db: AnyDb): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  for (const table of AUDIT_TABLES) {
    if (postgres) {
      await sql`drop trigger if exists ${sql.id(`${table}_append_only`)} on ${sql.table(table)}`.execute(db);
      await sql`drop trigger if exists ${sql.id(`${table}_no_truncate`)} on ${sql.table(table)}`.execute(db);
    } else {
      await sql`drop trigger if exists ${sql.id(`${table}_no_update`)}`.execute(db);
      await sql`drop trigger if exists ${sql.id(`${table}_no_delete`)}`.execute(db);
    }
  }
  if (postgres) await sql`drop function if exists audit_append_only()`.execute(db);
}
