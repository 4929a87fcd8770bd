import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertAppointment } from '../clinicians/rows.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';

/**
 * A reference can appear between the service's count and its delete. The count is made to miss
 * once, as a lost race would, so the restricting foreign keys must still refuse with a 409 that
 * names what references the patient.
 */
const blind = vi.hoisted(() => ({ once: false }));

vi.mock('../../src/modules/patients/patients.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/modules/patients/patients.repository.js')>();
  return {
    ...original,
    patientReferences: async (...args: Parameters<typeof original.patientReferences>) => {
      const refs = await original.patientReferences(...args);
      if (!blind.once) return refs;
      blind.once = false;
      return refs.map((r) => ({ ...r, count: 0 }));
    },
  };
});

describe('patient deletion race decided by the database', () => {
  let t: TestApp;
  let staff: { authorization: string };
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());

  it('a reference the check missed makes the delete a 409 naming it; nothing is deleted or audited', async () => {
    const patient = await makePatient(t.db);
    const clinician = await makeClinician(t.db);
    await makeUser(t.db, { user_type: 'patient', linked_patient: patient.id });
    await insertAppointment(t.db, { patient: patient.id, provider: clinician.id });
    await insertAppointment(t.db, { patient: patient.id, provider: clinician.id, status: 'cancelled' });
    blind.once = true;
    const res = await t.app.inject({ method: 'DELETE', url: `/api/patients/${patient.id}/`, headers: staff });
    expect(blind.once).toBe(false);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ detail: 'Cannot delete this patient: it is referenced by 1 user account and 2 appointments.' });
    expect(await t.db.selectFrom('patients').select('id').where('id', '=', patient.id).executeTakeFirst()).toBeDefined();
    const deletes = await t.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'delete')
      .where('patient_id', '=', patient.id)
      .execute();
    expect(deletes).toEqual([]);
  });

  it('an unreferenced patient is deleted', async () => {
    const patient = await makePatient(t.db);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/patients/${patient.id}/`, headers: staff });
    expect(res.statusCode).toBe(204);
  });
});
