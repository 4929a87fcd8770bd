import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient, makeUser, unique } from '../helpers/factories.js';
import { auditSince, insertAppointment, insertSlot, lastAuditId } from './rows.js';

type Cast = Awaited<ReturnType<typeof cast>>;

const URL = '/api/clinician-users/';

function body(overrides: Record<string, unknown> = {}) {
  const tag = unique('cl');
  return {
    firstname: 'Meredith',
    lastname: `Grey-${tag}`,
    role: 'physicians',
    emailid: `${tag}@clinic.example`,
    contactnumber: '+1 206 555 0142',
    npi: '1234567893',
    location: 'Seattle',
    language: 'English',
    supervising_clinician: 'senior',
    ...overrides,
  };
}

describe('/api/clinician-users/', () => {
  let t: TestApp;
  let who: Cast;
  beforeAll(async () => {
    t = await buildTestApp();
    who = await cast(t.app);
  });
  afterAll(() => t.close());

  const inject = (method: string, url: string, headers: Record<string, string> | undefined, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

  async function create(overrides: Record<string, unknown> = {}) {
    const res = await inject('POST', URL, who.staff.headers, body(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  describe('CRUD (staff)', () => {
    it('creates, reads, replaces, patches and deletes a clinician', async () => {
      const sent = body({ firstname: '  Meredith  ', emailid: '  Meredith.GREY@Clinic.Example ' });
      const created = await inject('POST', URL, who.staff.headers, sent);
      expect(created.statusCode).toBe(201);
      const c = created.json();
      expect(c).toMatchObject({
        firstname: 'Meredith',
        emailid: 'meredith.grey@clinic.example',
        npi: '1234567893',
        supervising_clinician: 'senior',
      });
      expect(Object.keys(c).sort()).toEqual(
        [
          'id',
          'firstname',
          'lastname',
          'role',
          'emailid',
          'contactnumber',
          'npi',
          'location',
          'language',
          'supervising_clinician',
          'created_at',
          'updated_at',
        ].sort(),
      );
      expect(c.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const got = await inject('GET', `${URL}${c.id}/`, who.staff.headers);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(c);

      // DRF semantics: PUT needs the required fields; optional ones left out keep their values.
      const put = await inject('PUT', `${URL}${c.id}/`, who.staff.headers, {
        firstname: 'Cristina',
        lastname: 'Yang',
        role: 'surgical_assistants',
        emailid: 'meredith.grey@clinic.example',
      });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toMatchObject({
        id: c.id,
        firstname: 'Cristina',
        lastname: 'Yang',
        role: 'surgical_assistants',
        contactnumber: c.contactnumber,
        npi: c.npi,
        location: c.location,
        language: c.language,
        supervising_clinician: c.supervising_clinician,
        created_at: c.created_at,
      });
      expect(put.json().updated_at >= c.updated_at).toBe(true);

      const patch = await inject('PATCH', `${URL}${c.id}/`, who.staff.headers, { location: ' Boston ', supervising_clinician: 'chief' });
      expect(patch.statusCode).toBe(200);
      expect(patch.json()).toMatchObject({ firstname: 'Cristina', location: 'Boston', supervising_clinician: 'chief' });

      const del = await inject('DELETE', `${URL}${c.id}/`, who.staff.headers);
      expect(del.statusCode).toBe(204);
      expect(del.body).toBe('');
      expect((await inject('GET', `${URL}${c.id}/`, who.staff.headers)).statusCode).toBe(404);
      expect((await inject('DELETE', `${URL}${c.id}/`, who.staff.headers)).statusCode).toBe(404);
    });

    it('PUT requires every required field', async () => {
      const c = await create();
      const res = await inject('PUT', `${URL}${c.id}/`, who.staff.headers, { firstname: 'Only' });
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json()).sort()).toEqual(['emailid', 'lastname', 'role']);
    });

    it('keeps Unicode names exactly', async () => {
      const c = await create({ firstname: 'Zoë', lastname: 'Nguyễn 山田' });
      const got = await inject('GET', `${URL}${c.id}/`, who.staff.headers);
      expect(got.json()).toMatchObject({ firstname: 'Zoë', lastname: 'Nguyễn 山田' });
    });

    it('answers 404 for unknown and malformed ids on every id route', async () => {
      for (const id of ['999999', 'abc', '99999999999999999999', '0', '-1', '1.5']) {
        for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
          const res = await inject(
            method,
            `${URL}${id}/`,
            who.staff.headers,
            method === 'PUT' ? body() : method === 'PATCH' ? {} : undefined,
          );
          expect(res.statusCode, `${method} ${id}`).toBe(404);
          expect(res.json()).toEqual({ detail: 'Not found.' });
        }
      }
    });
  });

  describe('validation', () => {
    it('requires firstname, lastname, role and emailid', async () => {
      const res = await inject('POST', URL, who.staff.headers, {});
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        firstname: ['This field is required.'],
        lastname: ['This field is required.'],
        role: ['This field is required.'],
        emailid: ['This field is required.'],
      });
    });

    it('refuses blank names, bad enums, a bad email, too-long strings and unknown fields', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ firstname: '   ' }, 'firstname'],
        [{ lastname: '' }, 'lastname'],
        [{ role: 'surgeon' }, 'role'],
        [{ supervising_clinician: 'boss' }, 'supervising_clinician'],
        [{ emailid: 'not-an-email' }, 'emailid'],
        [{ firstname: 'x'.repeat(101) }, 'firstname'],
        [{ contactnumber: '1'.repeat(33) }, 'contactnumber'],
        [{ location: 'x'.repeat(256) }, 'location'],
        [{ language: 'x'.repeat(101) }, 'language'],
        [{ emailid: `${'x'.repeat(250)}@a.example` }, 'emailid'],
        [{ is_admin: true }, 'is_admin'],
        [{ role: 3 }, 'role'],
      ];
      for (const [overrides, field] of cases) {
        const res = await inject('POST', URL, who.staff.headers, body(overrides));
        expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
        expect(Object.keys(res.json()), JSON.stringify(overrides)).toEqual([field]);
      }
    });

    it('accepts a blank NPI or a valid one, refuses a bad check digit or length', async () => {
      expect((await create({ npi: '' })).npi).toBe('');
      expect((await create({ npi: '1245319599' })).npi).toBe('1245319599');
      for (const npi of ['1234567890', '1000000008', '123456789', '12345678ab', '12345678901']) {
        const res = await inject('POST', URL, who.staff.headers, body({ npi }));
        expect(res.statusCode, npi).toBe(400);
        expect(Object.keys(res.json())).toEqual(['npi']);
        expect(res.json().npi[0]).toMatch(/NPI|characters/);
      }
      const c = await create();
      const patch = await inject('PATCH', `${URL}${c.id}/`, who.staff.headers, { npi: '1234567890' });
      expect(patch.statusCode).toBe(400);
      expect(patch.json()).toEqual({ npi: ['Enter a valid NPI: the check digit does not match.'] });
    });

    it('keeps emailid unique whatever its case, on create, PUT and PATCH', async () => {
      const a = await create({ emailid: 'House.MD@Clinic.Example' });
      expect(a.emailid).toBe('house.md@clinic.example');
      const taken = { emailid: ['clinician user with this emailid already exists.'] };

      const dup = await inject('POST', URL, who.staff.headers, body({ emailid: 'HOUSE.md@clinic.example' }));
      expect(dup.statusCode).toBe(400);
      expect(dup.json()).toEqual(taken);

      const b = await create();
      const patch = await inject('PATCH', `${URL}${b.id}/`, who.staff.headers, { emailid: 'house.MD@clinic.example' });
      expect(patch.statusCode).toBe(400);
      expect(patch.json()).toEqual(taken);
      const put = await inject('PUT', `${URL}${b.id}/`, who.staff.headers, body({ emailid: 'house.md@CLINIC.example' }));
      expect(put.statusCode).toBe(400);
      expect(put.json()).toEqual(taken);

      // A clinician keeps its own address, in another case too.
      const self = await inject('PATCH', `${URL}${a.id}/`, who.staff.headers, { emailid: 'HOUSE.MD@clinic.example' });
      expect(self.statusCode).toBe(200);
      expect(self.json().emailid).toBe('house.md@clinic.example');
    });

    it('concurrent creates with one emailid: one 201, the rest 400 on emailid', async () => {
      const email = `${unique('race')}@clinic.example`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => inject('POST', URL, who.staff.headers, body({ emailid: i % 2 ? email.toUpperCase() : email }))),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes).toEqual([201, 400, 400, 400, 400, 400, 400, 400]);
      for (const r of results.filter((x) => x.statusCode === 400)) {
        expect(r.json()).toEqual({ emailid: ['clinician user with this emailid already exists.'] });
      }
      const rows = await t.db.selectFrom('clinician_users').select('id').where('emailid', '=', email).execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('who may call', () => {
    it('staff only: anonymous 401, provider and patient 403 on every route', async () => {
      const c = await create();
      const routes: [string, string, unknown][] = [
        ['GET', URL, undefined],
        ['POST', URL, body()],
        ['GET', `${URL}${c.id}/`, undefined],
        ['PUT', `${URL}${c.id}/`, body()],
        ['PATCH', `${URL}${c.id}/`, { location: 'Nowhere' }],
        ['DELETE', `${URL}${c.id}/`, undefined],
      ];
      for (const [method, url, payload] of routes) {
        const anon = await inject(method, url, undefined, payload);
        expect(anon.statusCode, `anon ${method} ${url}`).toBe(401);
        expect(anon.headers['www-authenticate']).toMatch(/^Bearer/);
        for (const role of ['provider', 'patient'] as const) {
          const res = await inject(method, url, who[role].headers, payload);
          expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
          expect(res.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
        }
      }
      // A refused caller changed nothing.
      const after = await inject('GET', `${URL}${c.id}/`, who.staff.headers);
      expect(after.json()).toEqual(c);
    });

    it('checks who calls before validating the body', async () => {
      expect((await inject('POST', URL, undefined, { nonsense: true })).statusCode).toBe(401);
      expect((await inject('POST', URL, who.provider.headers, { nonsense: true })).statusCode).toBe(403);
      expect((await inject('GET', `${URL}abc/`, who.patient.headers)).statusCode).toBe(403);
    });
  });

  describe('list', () => {
    it('searches names, emailid and npi case-insensitively, with % and _ taken literally', async () => {
      const tag = unique('srch');
      const a = await create({ firstname: `Ann${tag}`, lastname: 'Alpha' });
      const b = await create({ lastname: `Brown${tag.toUpperCase()}` });
      const c = await create({ emailid: `${tag}.c@clinic.example` });
      await create({ lastname: 'Unrelated' });
      const res = await inject('GET', `${URL}?search=${tag.toUpperCase()}&page_size=100`, who.staff.headers);
      expect(res.statusCode).toBe(200);
      expect(
        res
          .json()
          .results.map((r: { id: number }) => r.id)
          .sort(),
      ).toEqual([a.id, b.id, c.id].sort());
      expect(res.json().count).toBe(3);

      const npi = await create({ npi: '1003000126' });
      const byNpi = await inject('GET', `${URL}?search=003000126`, who.staff.headers);
      expect(byNpi.json().results.map((r: { id: number }) => r.id)).toContain(npi.id);

      const pct = await inject('GET', `${URL}?search=${encodeURIComponent('%')}`, who.staff.headers);
      expect(pct.json().count).toBe(0);
      const underscore = await inject('GET', `${URL}?search=_`, who.staff.headers);
      expect(underscore.json().count).toBe(0);
    });

    it('filters by role and supervising_clinician; ignores unknown query params; refuses bad enum values', async () => {
      const tag = unique('flt');
      const nurse = await create({ lastname: `N${tag}`, role: 'nurses', supervising_clinician: 'chief' });
      await create({ lastname: `P${tag}`, role: 'physicians', supervising_clinician: 'chief' });
      await create({ lastname: `S${tag}`, role: 'nurses', supervising_clinician: 'none' });
      const res = await inject('GET', `${URL}?search=${tag}&role=nurses&supervising_clinician=chief&colour=blue`, who.staff.headers);
      expect(res.statusCode).toBe(200);
      expect(res.json().results.map((r: { id: number }) => r.id)).toEqual([nurse.id]);
      const roles = await inject('GET', `${URL}?search=${tag}&role=nurses`, who.staff.headers);
      expect(roles.json().count).toBe(2);
      const bad = await inject('GET', `${URL}?role=surgeon`, who.staff.headers);
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json())).toEqual(['role']);
      const badOrder = await inject('GET', `${URL}?ordering=emailid`, who.staff.headers);
      expect(badOrder.statusCode).toBe(400);
      expect(Object.keys(badOrder.json())).toEqual(['ordering']);
    });

    it('orders by lastname (case-insensitive, default), firstname, role, created_at and id', async () => {
      const tag = unique('ord');
      const b = await create({ firstname: 'Zed', lastname: `b${tag}`, role: 'nurses' });
      const a = await create({ firstname: 'yan', lastname: `A${tag}`, role: 'surgical_assistants' });
      const c = await create({ firstname: 'Xia', lastname: `c${tag}`, role: 'physicians' });
      const ids = async (ordering?: string) => {
        const res = await inject('GET', `${URL}?search=${tag}${ordering ? `&ordering=${ordering}` : ''}`, who.staff.headers);
        expect(res.statusCode).toBe(200);
        return res.json().results.map((r: { id: number }) => r.id);
      };
      expect(await ids()).toEqual([a.id, b.id, c.id]);
      expect(await ids('lastname')).toEqual([a.id, b.id, c.id]);
      expect(await ids('-lastname')).toEqual([c.id, b.id, a.id]);
      expect(await ids('firstname')).toEqual([c.id, a.id, b.id]);
      expect(await ids('role')).toEqual([b.id, c.id, a.id]);
      expect(await ids('-role')).toEqual([a.id, c.id, b.id]);
      expect(await ids('created_at')).toEqual([b.id, a.id, c.id]);
      expect(await ids('-id')).toEqual([c.id, a.id, b.id]);
    });

    it('paginates DRF-style, and a page past the end is 404', async () => {
      const tag = unique('pg');
      for (let i = 0; i < 5; i++) await create({ lastname: `${tag}-${i}` });
      const page1 = await inject('GET', `${URL}?search=${tag}&page_size=2`, who.staff.headers);
      expect(page1.json()).toMatchObject({ count: 5, previous: null });
      expect(page1.json().results).toHaveLength(2);
      expect(page1.json().next).toMatch(/\/api\/clinician-users\/\?.*page=2/);
      expect(page1.json().next).toContain(`search=${tag}`);
      const page3 = await inject('GET', `${URL}?search=${tag}&page_size=2&page=3`, who.staff.headers);
      expect(page3.json()).toMatchObject({ count: 5, next: null });
      expect(page3.json().results.map((r: { lastname: string }) => r.lastname)).toEqual([`${tag}-4`]);
      expect(page3.json().previous).toMatch(/page=2/);
      const past = await inject('GET', `${URL}?search=${tag}&page_size=2&page=4`, who.staff.headers);
      expect(past.statusCode).toBe(404);
      expect(past.json()).toEqual({ detail: 'Invalid page.' });
      const empty = await inject('GET', `${URL}?search=nothing-matches-${tag}`, who.staff.headers);
      expect(empty.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
    });
  });

  describe('deletion safety', () => {
    it('refuses to delete a clinician that a user account, slots or appointments reference, naming them', async () => {
      const clinician = await makeClinician(t.db);
      const url = `${URL}${clinician.id}/`;
      await makeUser(t.db, { user_type: 'provider', linked_clinician: clinician.id });
      let res = await inject('DELETE', url, who.staff.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: 'Cannot delete this clinician: it is referenced by 1 user account.' });

      const patient = await makePatient(t.db);
      const slot = await insertSlot(t.db, clinician.id);
      await insertSlot(t.db, clinician.id);
      await insertAppointment(t.db, { patient: patient.id, provider: clinician.id, slot });
      await insertAppointment(t.db, { patient: patient.id, provider: clinician.id, status: 'cancelled' });
      await insertAppointment(t.db, { patient: patient.id, provider: clinician.id, status: 'completed' });
      res = await inject('DELETE', url, who.staff.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({
        detail: 'Cannot delete this clinician: it is referenced by 1 user account, 2 appointment slots and 3 appointments.',
      });
      // Nothing was cascaded or removed.
      expect((await inject('GET', url, who.staff.headers)).statusCode).toBe(200);
      const slots = await t.db.selectFrom('appointment_slots').select('id').where('provider', '=', clinician.id).execute();
      expect(slots).toHaveLength(2);
    });

    it('names slots alone when only slots reference the clinician', async () => {
      const clinician = await makeClinician(t.db);
      await insertSlot(t.db, clinician.id);
      const res = await inject('DELETE', `${URL}${clinician.id}/`, who.staff.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: 'Cannot delete this clinician: it is referenced by 1 appointment slot.' });
    });
  });

  describe('audit', () => {
    it('records create, update and delete with changed field names only, never values', async () => {
      const before = await lastAuditId(t.db);
      const sent = body({ firstname: 'Secretname', emailid: 'secret.person@clinic.example' });
      const c = await create(sent);
      await inject('PATCH', `${URL}${c.id}/`, who.staff.headers, { location: 'Hiddenville', language: 'English' });
      await inject('DELETE', `${URL}${c.id}/`, who.staff.headers);
      const events = await auditSince(t.db, before);
      expect(events.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
      for (const e of events) {
        expect(e).toMatchObject({ resource_type: 'clinician', resource_id: String(c.id), user_id: who.staff.user.id, outcome: 'success' });
        const text = JSON.stringify(e.details);
        for (const secret of ['Secretname', 'secret.person', 'Hiddenville', '1234567893', 'Seattle']) expect(text).not.toContain(secret);
      }
      expect(events[0].details.fields).toEqual(Object.keys(sent).sort());
      // language was sent unchanged: only location changed.
      expect(events[1].details).toEqual({ fields: ['location'] });
    });

    it('names only the fields a create gave a value, not the defaults filled in', async () => {
      const before = await lastAuditId(t.db);
      const c = await create({
        contactnumber: undefined,
        npi: undefined,
        location: undefined,
        language: '',
        supervising_clinician: 'none',
      });
      const [event] = await auditSince(t.db, before);
      expect(event).toMatchObject({ action: 'create', resource_id: String(c.id) });
      expect(event.details).toEqual({ fields: ['emailid', 'firstname', 'lastname', 'role'] });
    });

    it('writes no audit row for a refused write', async () => {
      const before = await lastAuditId(t.db);
      await inject('POST', URL, who.staff.headers, body({ npi: '1234567890' }));
      await inject('POST', URL, who.provider.headers, body());
      expect(await auditSince(t.db, before)).toEqual([]);
    });
  });
});
