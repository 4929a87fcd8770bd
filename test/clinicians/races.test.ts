import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makeUser, unique } from '../helpers/factories.js';
import { insertSlot } from './rows.js';

/**
 * The service's checks (is the emailid free? does anything reference this clinician?) can be
 * overtaken by a concurrent write. Here the checks are made to miss, as a lost race would, so
 * the database's unique index and restricting foreign keys must give the same answers.
 */
const blindChecks = vi.hoisted(() => ({ on: false }));

vi.mock('../../src/modules/clinicians/clinicians.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/modules/clinicians/clinicians.repository.js')>();
  return {
    ...original,
    emailidTaken: async (...args: Parameters<typeof original.emailidTaken>) => (blindChecks.on ? false : original.emailidTaken(...args)),
    clinicianReferences: async (...args: Parameters<typeof original.clinicianReferences>) => {
      const refs = await original.clinicianReferences(...args);
      if (!blindChecks.on) return refs;
      // Blind once: the check sees nothing, the message after the FK violation sees the truth.
      blindChecks.on = false;
      return refs.map((r) => ({ ...r, count: 0 }));
    },
  };
});

describe('clinician races decided by the database', () => {
  let t: TestApp;
  let staff: { authorization: string };
  beforeAll(async () => {
    t = await buildTestApp();
    staff = (await cast(t.app)).staff.headers;
  });
  afterAll(() => t.close());
  beforeEach(() => {
    blindChecks.on = false;
  });

  it('a duplicate emailid that slips past the check is still 400 on emailid', async () => {
    const existing = await makeClinician(t.db, { emailid: `${unique('dup')}@clinic.example` });
    blindChecks.on = true;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/clinician-users/',
      headers: staff,
      payload: { firstname: 'A', lastname: 'B', role: 'nurses', emailid: existing.emailid.toUpperCase() },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ emailid: ['clinician user with this emailid already exists.'] });

    const other = await makeClinician(t.db);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/clinician-users/${other.id}/`,
      headers: staff,
      payload: { emailid: existing.emailid },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json()).toEqual({ emailid: ['clinician user with this emailid already exists.'] });
  });

  it('a reference the check missed makes the delete a 409 naming it, and nothing is deleted', async () => {
    const clinician = await makeClinician(t.db);
    await makeUser(t.db, { user_type: 'provider', linked_clinician: clinician.id });
    await insertSlot(t.db, clinician.id);
    blindChecks.on = true;
    const res = await t.app.inject({ method: 'DELETE', url: `/api/clinician-users/${clinician.id}/`, headers: staff });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ detail: 'Cannot delete this clinician: it is referenced by 1 user account and 1 appointment slot.' });
    const still = await t.db.selectFrom('clinician_users').select('id').where('id', '=', clinician.id).executeTakeFirst();
    expect(still).toBeDefined();
    const audit = await t.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'delete')
      .where('resource_id', '=', String(clinician.id))
      .execute();
    expect(audit).toEqual([]);
  });
});
