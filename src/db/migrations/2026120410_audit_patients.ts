import type { Kysely } from 'kysely';
import { guardAuditTrail, unguardAuditTrail } from '../audit-guard.js';

/**
 * "Who saw patient X?" (HIPAA accounting of access) for reads that return many patients: one row
 * per (patient, event), written in the event's transaction, so `GET /api/audit-events/?patient=X`
 * finds list reads too, not only single-record events. No foreign key to patients: the history
 * of a deleted patient's record stays. Then the append-only guard on both audit tables.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_event_patients')
    .addColumn('patient_id', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'integer', (c) => c.notNull().references('audit_events.id').onDelete('restrict'))
    .addPrimaryKeyConstraint('audit_event_patients_pk', ['patient_id', 'event_id'])
    .execute();

  // Events already written: their patient, the patient ids a list event named, and the ids of
  // patient-list events (the patients themselves).
  let lastId = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .select(['id', 'patient_id', 'resource_type', 'action', 'details'])
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    const links: { patient_id: number; event_id: number }[] = [];
    for (const row of rows) {
      const patients = new Set<number>();
      if (row.patient_id != null) patients.add(Number(row.patient_id));
      try {
        const details = JSON.parse(row.details) as { ids?: unknown[]; patient_ids?: unknown[] };
        for (const p of details.patient_ids ?? []) if (Number.isInteger(p)) patients.add(Number(p));
        if (row.resource_type === 'patient' && row.action === 'list')
          for (const p of details.ids ?? []) if (Number.isInteger(p)) patients.add(Number(p));
      } catch {
        // Details that are not JSON name no patients.
      }
      for (const p of patients) links.push({ patient_id: p, event_id: Number(row.id) });
    }
    for (let i = 0; i < links.length; i += 500)
      await db
        .insertInto('audit_event_patients')
        .values(links.slice(i, i + 500))
        .execute();
    lastId = Number(rows[rows.length - 1].id);
  }

  await guardAuditTrail(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema types hold
export async function down(db: Kysely<any>): Promise<void> {
  await unguardAuditTrail(db);
  await db.schema.dropTable('audit_event_patients').execute();
}
