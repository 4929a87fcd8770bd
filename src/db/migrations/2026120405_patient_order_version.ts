import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../portable.js';

/**
 * A version of the patient list's order, next to its row count: bumped in the same transaction as
 * every insert, delete, and change of a column the list can be ordered by. The list remembers
 * where every few hundredth patient of each ordering sits (patients.anchors.ts) and trusts that
 * only while the version it reads with the count is the one the positions were taken at, so a
 * deep page starts near its offset instead of walking the whole index, exactly, on any number of
 * server processes.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('row_counts')
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  if (dialectOf(db) === 'postgres') {
    await sql`create or replace function row_counts_patients_insert() returns trigger language plpgsql as $$
      begin update row_counts set n = n + (select count(*) from inserted), version = version + 1 where table_name = 'patients'; return null; end $$`.execute(
      db,
    );
    await sql`create or replace function row_counts_patients_delete() returns trigger language plpgsql as $$
      begin update row_counts set n = n - (select count(*) from deleted), version = version + 1 where table_name = 'patients'; return null; end $$`.execute(
      db,
    );
    await sql`create or replace function row_counts_patients_truncate() returns trigger language plpgsql as $$
      begin update row_counts set n = 0, version = version + 1 where table_name = 'patients'; return null; end $$`.execute(db);
    await sql`create function row_counts_patients_reorder() returns trigger language plpgsql as $$
      begin update row_counts set version = version + 1 where table_name = 'patients'; return null; end $$`.execute(db);
    await sql`create trigger patients_order_update after update of id, last_name, first_name, date_of_birth on patients
      for each row when (old.id is distinct from new.id or old.last_name is distinct from new.last_name
        or old.first_name is distinct from new.first_name or old.date_of_birth is distinct from new.date_of_birth)
      execute function row_counts_patients_reorder()`.execute(db);
  } else {
    await sql`drop trigger patients_count_insert`.execute(db);
    await sql`drop trigger patients_count_delete`.execute(db);
    await sql`create trigger patients_count_insert after insert on patients
      begin update row_counts set n = n + 1, version = version + 1 where table_name = 'patients'; end`.execute(db);
    await sql`create trigger patients_count_delete after delete on patients
      begin update row_counts set n = n - 1, version = version + 1 where table_name = 'patients'; end`.execute(db);
    await sql`create trigger patients_order_update after update of id, last_name, first_name, date_of_birth on patients
      when old.id is not new.id or old.last_name is not new.last_name
        or old.first_name is not new.first_name or old.date_of_birth is not new.date_of_birth
      begin update row_counts set version = version + 1 where table_name = 'patients'; end`.execute(db);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`drop trigger if exists patients_order_update on patients`.execute(db);
    await sql`drop function if exists row_counts_patients_reorder`.execute(db);
    await sql`create or replace function row_counts_patients_insert() returns trigger language plpgsql as $$
      begin update row_counts set n = n + (select count(*) from inserted) where table_name = 'patients'; return null; end $$`.execute(db);
    await sql`create or replace function row_counts_patients_delete() returns trigger language plpgsql as $$
      begin update row_counts set n = n - (select count(*) from deleted) where table_name = 'patients'; return null; end $$`.execute(db);
    await sql`create or replace function row_counts_patients_truncate() returns trigger language plpgsql as $$
      begin update row_counts set n = 0 where table_name = 'patients'; return null; end $$`.execute(db);
  } else {
    await sql`drop trigger if exists patients_order_update`.execute(db);
    await sql`drop trigger patients_count_insert`.execute(db);
    await sql`drop trigger patients_count_delete`.execute(db);
    await sql`create trigger patients_count_insert after insert on patients
      begin update row_counts set n = n + 1 where table_name = 'patients'; end`.execute(db);
    await sql`create trigger patients_count_delete after delete on patients
      begin update row_counts set n = n - 1 where table_name = 'patients'; end`.execute(db);
  }
  await db.schema.alterTable('row_counts').dropColumn('version').execute();
}
