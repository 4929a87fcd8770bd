import { type Kysely, sql } from 'kysely';
import { booleanDefault, withIdColumn } from '../portable.js';

/**
 * Security: TOTP enrolment (secret encrypted at rest), single-use recovery codes, and one
 * settings row for clinic-wide security policy (require MFA for staff and providers).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_mfa')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('restrict'))
    // AES-256-GCM ciphertext of the base32 secret (see mfa.crypto.ts); never the plain secret.
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', booleanDefault(false))
    // The last TOTP time step accepted: a code is never accepted twice (replay).
    .addColumn('last_used_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .execute();

  await withIdColumn(db, db.schema.createTable('mfa_recovery_codes'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await sql`create unique index mfa_recovery_codes_user_code on mfa_recovery_codes (user_id, code_hash)`.execute(db);

  await db.schema
    .createTable('security_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('mfa_required', 'boolean', booleanDefault(false))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .addCheckConstraint('security_settings_single_row', sql`id = 1`)
    .execute();
  await sql`insert into security_settings (id, mfa_required, updated_at) values (1, ${sql.lit(false)}, ${new Date().toISOString()})`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['security_settings', 'mfa_recovery_codes', 'user_mfa']) {
    await db.schema.dropTable(table).execute();
  }
}
