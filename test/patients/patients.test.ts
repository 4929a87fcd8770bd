import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSince, insertAppointment, lastAuditId } from '../clinicians/rows.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient, makeUser, unique } from '../helpers/factories.js';

type Cast = Awaited<ReturnType<typeof cast>>;

const URL = '/api/patients/';
const REQUIRED = [
  'first_name',
  'last_name',
  'date_of_birth',
  'sex',
  'gender_identity',
  'phone_number',
  'address_line1',
  'city',
  'state',
  'zip_code',
];
const ALL_FIELDS = [
  'id',
  'first_name',
  'middle_name',
  'last_name',
  'preferred_name',
  'date_of_birth',
  'sex',
  'gender_identity',
  'email',
  'phone_number',
  'ethnicity',
  'race',
  'language',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'zip_code',
  'created_at',
  'updated_at',
];

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function body(overrides: Record<string, unknown> = {}) {
  const tag = unique('pt');
  return {
    first_name: 'Zoë',
    middle_name: 'Anne',
    last_name: `Nguyễn-${tag}`,
    preferred_name: 'Zo',
    date_of_birth: '1990-02-14',
    sex: 'female',
    gender_identity: 'non_binary',
    email: `${tag}@example.com`,
    phone_number: '+1 415 555 0199',
    ethnicity: 'Vietnamese',
    race: 'Asian',
    language: 'Vietnamese',
    address_line1: '500 Market St',
    address_line2: 'Apt 4',
    city: 'San Francisco',
    state: 'CA',
    zip_code: '94105',
    ...overrides,
  };
}

describe('/api/patients/', () => {
  let t: TestApp;
  let who: Cast;
  beforeAll(async () => {
    t = await buildTestApp();
    who = await cast(t.app);
  });
  afterAll(() => t.close());

  const inject = (method: string, url: string, headers: Record<string, string> | undefined, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
  const ids = (res: { json(): { results: { id: number }[] } }) => res.json().results.map((r) => r.id);

  async function create(overrides: Record<string, unknown> = {}) {
    const res = await inject('POST', URL, who.staff.headers, body(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  describe('CRUD (staff)', () => {
    it('creates, reads, replaces, patches and deletes a patient', async () => {
      const sent = body({ first_name: '  Zoë ', city: ' San Francisco  ' });
      const created = await inject('POST', URL, who.staff.headers, sent);
      expect(created.statusCode).toBe(201);
      const p = created.json();
      expect(Object.keys(p).sort()).toEqual([...ALL_FIELDS].sort());
      expect(p).toMatchObject({ ...sent, first_name: 'Zoë', city: 'San Francisco' });

      const got = await inject('GET', `${URL}${p.id}/`, who.staff.headers);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(p);

      const required = Object.fromEntries(REQUIRED.map((k) => [k, p[k]]));
      const put = await inject('PUT', `${URL}${p.id}/`, who.staff.headers, { ...required, last_name: 'Tanaka' });
      expect(put.statusCode, put.body).toBe(200);
      // DRF semantics: PUT needs the required fields; optional ones left out keep their values.
      expect(put.json()).toMatchObject({
        last_name: 'Tanaka',
        middle_name: p.middle_name,
        preferred_name: p.preferred_name,
        email: p.email,
        ethnicity: p.ethnicity,
        race: p.race,
        language: p.language,
        address_line2: p.address_line2,
        created_at: p.created_at,
      });

      const patch = await inject('PATCH', `${URL}${p.id}/`, who.staff.headers, { preferred_name: 'Zozo', email: 'ZO@Example.com' });
      expect(patch.statusCode).toBe(200);
      expect(patch.json()).toMatchObject({ last_name: 'Tanaka', preferred_name: 'Zozo', email: 'ZO@Example.com' });

      expect((await inject('DELETE', `${URL}${p.id}/`, who.staff.headers)).statusCode).toBe(204);
      expect((await inject('GET', `${URL}${p.id}/`, who.staff.headers)).statusCode).toBe(404);
      expect((await inject('DELETE', `${URL}${p.id}/`, who.staff.headers)).statusCode).toBe(404);
    });

    it('keeps Unicode names exactly as sent', async () => {
      for (const [first, last] of [
        ['Zoë', 'Nguyễn'],
        ['太郎', '山田'],
        ['Ólafur', 'Ægirsson'],
        ['Nasrin', 'نسرین'],
      ]) {
        const p = await create({ first_name: first, last_name: last, preferred_name: '🙂' });
        const got = (await inject('GET', `${URL}${p.id}/`, who.staff.headers)).json();
        expect([got.first_name, got.last_name, got.preferred_name]).toEqual([first, last, '🙂']);
      }
    });

    it('answers 404 for unknown and malformed ids on every id route', async () => {
      for (const id of ['999999', 'abc', '99999999999999999999', '0', '-3']) {
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
    it('lists every missing required field', async () => {
      const res = await inject('POST', URL, who.staff.headers, {});
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json()).sort()).toEqual([...REQUIRED].sort());
      for (const messages of Object.values(res.json())) expect(messages).toEqual(['This field is required.']);
    });

    it('refuses blank required strings, bad enums, bad emails, long strings, wrong types and unknown fields', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ first_name: '   ' }, 'first_name'],
        [{ last_name: '' }, 'last_name'],
        [{ phone_number: ' \t ' }, 'phone_number'],
        [{ address_line1: '  ' }, 'address_line1'],
        [{ city: '' }, 'city'],
        [{ state: ' ' }, 'state'],
        [{ zip_code: '' }, 'zip_code'],
        [{ sex: 'M' }, 'sex'],
        [{ gender_identity: 'nonbinary' }, 'gender_identity'],
        [{ email: 'not-an-email' }, 'email'],
        [{ email: 'a@' }, 'email'],
        [{ first_name: 'x'.repeat(101) }, 'first_name'],
        [{ middle_name: 'x'.repeat(101) }, 'middle_name'],
        [{ address_line2: 'x'.repeat(256) }, 'address_line2'],
        [{ phone_number: '1'.repeat(33) }, 'phone_number'],
        [{ zip_code: '1'.repeat(21) }, 'zip_code'],
        [{ language: 'x'.repeat(101) }, 'language'],
        [{ first_name: 42 }, 'first_name'],
        [{ first_name: null }, 'first_name'],
        [{ ssn: '123-45-6789' }, 'ssn'],
      ];
      for (const [overrides, field] of cases) {
        const res = await inject('POST', URL, who.staff.headers, body(overrides));
        expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
        expect(Object.keys(res.json()), JSON.stringify(overrides)).toEqual([field]);
      }
      const email = await inject('POST', URL, who.staff.headers, body({ email: 'nope' }));
      expect(email.json()).toEqual({ email: ['Enter a valid email address.'] });
    });

    it('accepts a blank email and a trimmed one', async () => {
      expect((await create({ email: '' })).email).toBe('');
      expect((await create({ email: '   ' })).email).toBe('');
      expect((await create({ email: ' zoe@example.com ' })).email).toBe('zoe@example.com');
    });

    it('date_of_birth: a real date, from 1900-01-01 up to today', async () => {
      for (const dob of [
        'not-a-date',
        '1990-13-01',
        '2023-02-29',
        '1990-04-31',
        '14/02/1990',
        '1990-2-14',
        dayOffset(2),
        '2999-01-01',
        '1899-12-31',
      ]) {
        const res = await inject('POST', URL, who.staff.headers, body({ date_of_birth: dob }));
        expect(res.statusCode, dob).toBe(400);
        expect(Object.keys(res.json()), dob).toEqual(['date_of_birth']);
      }
      expect((await inject('POST', URL, who.staff.headers, body({ date_of_birth: dayOffset(3) }))).json()).toEqual({
        date_of_birth: ['Date of birth cannot be in the future.'],
      });
      expect((await inject('POST', URL, who.staff.headers, body({ date_of_birth: '1899-12-31' }))).json()).toEqual({
        date_of_birth: ['Date of birth cannot be before 1900-01-01.'],
      });
      const today = new Date().toISOString().slice(0, 10);
      expect((await create({ date_of_birth: today })).date_of_birth).toBe(today);
      expect((await create({ date_of_birth: '1900-01-01' })).date_of_birth).toBe('1900-01-01');
      expect((await create({ date_of_birth: '2020-02-29' })).date_of_birth).toBe('2020-02-29');

      const p = await create();
      const patch = await inject('PATCH', `${URL}${p.id}/`, who.staff.headers, { date_of_birth: dayOffset(5) });
      expect(patch.statusCode).toBe(400);
      expect(Object.keys(patch.json())).toEqual(['date_of_birth']);
    });

    it('PUT needs every required field; PATCH may not blank one', async () => {
      const p = await create();
      const put = await inject('PUT', `${URL}${p.id}/`, who.staff.headers, { first_name: 'Only' });
      expect(put.statusCode).toBe(400);
      expect(Object.keys(put.json()).sort()).toEqual(REQUIRED.filter((f) => f !== 'first_name').sort());
      const patch = await inject('PATCH', `${URL}${p.id}/`, who.staff.headers, { last_name: '   ' });
      expect(patch.statusCode).toBe(400);
      expect(patch.json()).toEqual({ last_name: ['This field may not be blank.'] });
      expect((await inject('GET', `${URL}${p.id}/`, who.staff.headers)).json()).toEqual(p);
    });
  });

  describe('who sees what', () => {
    it('anonymous callers get 401 on every route', async () => {
      const p = await create();
      for (const [method, url, payload] of [
        ['GET', URL, undefined],
        ['POST', URL, body()],
        ['GET', `${URL}${p.id}/`, undefined],
        ['PUT', `${URL}${p.id}/`, body()],
        ['PATCH', `${URL}${p.id}/`, { city: 'X' }],
        ['DELETE', `${URL}${p.id}/`, undefined],
      ] as const) {
        const res = await inject(method, url, undefined, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      }
    });

    it('providers and patients may not write, even their own record', async () => {
      const other = await create();
      const own = who.patient.user.linked_patient!;
      for (const role of ['provider', 'patient'] as const) {
        for (const id of [other.id, own]) {
          for (const [method, url, payload] of [
            ['POST', URL, body()],
            ['PUT', `${URL}${id}/`, body()],
            ['PATCH', `${URL}${id}/`, { city: 'Elsewhere' }],
            ['DELETE', `${URL}${id}/`, undefined],
          ] as const) {
            const res = await inject(method, url, who[role].headers, payload);
            expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
            expect(res.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
          }
        }
      }
      expect((await inject('GET', `${URL}${other.id}/`, who.staff.headers)).json()).toEqual(other);
    });

    it('staff and providers read every patient', async () => {
      const p = await create();
      for (const role of ['staff', 'provider'] as const) {
        const list = await inject('GET', `${URL}?page_size=100`, who[role].headers);
        expect(list.statusCode).toBe(200);
        const total = await t.db
          .selectFrom('patients')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(list.json().count).toBe(Number(total.n));
        expect(list.json().count).toBeGreaterThan(1);
        expect((await inject('GET', `${URL}${p.id}/`, who[role].headers)).json()).toEqual(p);
        expect((await inject('GET', `${URL}${who.patient.user.linked_patient}/`, who[role].headers)).statusCode).toBe(200);
      }
    });

    it('a patient sees only their own record: list of one, any other id 404', async () => {
      const own = who.patient.user.linked_patient!;
      const other = await create();
      const list = await inject('GET', URL, who.patient.headers);
      expect(list.statusCode).toBe(200);
      expect(list.json().count).toBe(1);
      expect(ids(list)).toEqual([own]);
      expect((await inject('GET', `${URL}${own}/`, who.patient.headers)).json().id).toBe(own);
      for (const id of [other.id, 999999]) {
        const res = await inject('GET', `${URL}${id}/`, who.patient.headers);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ detail: 'Not found.' });
      }
      // Searching or filtering cannot widen the view.
      const search = await inject('GET', `${URL}?search=${encodeURIComponent(other.last_name)}`, who.patient.headers);
      expect(search.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
      const page2 = await inject('GET', `${URL}?page=2`, who.patient.headers);
      expect(page2.statusCode).toBe(404);
      expect(page2.json()).toEqual({ detail: 'Invalid page.' });

      // Another patient user sees their own, not the first one's.
      const second = await makeUser(t.db, { user_type: 'patient' });
      const { authHeader } = await import('../helpers/factories.js');
      const secondList = await inject('GET', URL, await authHeader(t.app, second));
      expect(ids(secondList)).toEqual([second.linked_patient]);
    });
  });

  describe('list', () => {
    it('searches the start of first, last and preferred name and email, case-insensitively', async () => {
      const tag = unique('s');
      const first = await create({ first_name: `${tag}fi` });
      const last = await create({ last_name: `${tag.toUpperCase()}la` });
      const preferred = await create({ preferred_name: `${tag}pr` });
      const email = await create({ email: `${tag}@mail.example` });
      await create({ city: `${tag}city` }); // city is not searched
      await create({ last_name: `x${tag}` }); // the middle of a name does not match
      const res = await inject('GET', `${URL}?search=${tag.toUpperCase()}&page_size=100`, who.staff.headers);
      expect(res.statusCode).toBe(200);
      expect(ids(res).sort()).toEqual([first.id, last.id, preferred.id, email.id].sort());
      expect(res.json().count).toBe(4);

      // Every word must match some field: "first last".
      const both = await create({ first_name: `Ada${tag}`, last_name: `Love${tag}` });
      await create({ first_name: `Ada${tag}`, last_name: 'Byron' });
      const words = await inject('GET', `${URL}?search=${encodeURIComponent(` ada${tag}   LOVE `)}`, who.staff.headers);
      expect(ids(words)).toEqual([both.id]);

      // A prefix ending in z (its bound is computed from "li") still finds its matches.
      const lizzy = await create({ first_name: 'Lizzy', last_name: `${tag}q` });
      expect(ids(await inject('GET', `${URL}?search=${encodeURIComponent(`liz ${tag}q`)}`, who.staff.headers))).toEqual([lizzy.id]);

      const unicode = await create({ last_name: `Nguyễn${tag}` });
      expect(ids(await inject('GET', `${URL}?search=${encodeURIComponent(`nguyễn${tag}`)}`, who.staff.headers))).toEqual([unicode.id]);
      const kanji = await create({ last_name: `山田${tag}` });
      expect(ids(await inject('GET', `${URL}?search=${encodeURIComponent('山田')}&page_size=100`, who.staff.headers))).toContain(kanji.id);

      // LIKE wildcards are literal.
      expect((await inject('GET', `${URL}?search=%25`, who.staff.headers)).json().count).toBe(0);
      const underscore = await create({ last_name: `${tag}_x` });
      expect(ids(await inject('GET', `${URL}?search=${tag}_`, who.staff.headers))).toEqual([underscore.id]);
      expect((await inject('GET', `${URL}?search=${'x'.repeat(201)}`, who.staff.headers)).statusCode).toBe(400);
      // A blank search is no search.
      const all = (await inject('GET', URL, who.staff.headers)).json().count;
      expect((await inject('GET', `${URL}?search=%20%20`, who.staff.headers)).json().count).toBe(all);
    });

    it('matches a phone-like term anywhere in the phone number', async () => {
      const phone = await create({ phone_number: '+44 20 7946 0958' });
      const other = await create({ phone_number: '+44 20 7946 0000' });
      expect(ids(await inject('GET', `${URL}?search=${encodeURIComponent('7946 0958')}`, who.staff.headers))).toEqual([phone.id]);
      expect(
        ids(await inject('GET', `${URL}?search=${encodeURIComponent('+44 20 7946')}&page_size=100`, who.staff.headers)).sort(),
      ).toEqual([phone.id, other.id].sort());
    });

    it('filters by sex, gender_identity and date_of_birth; refuses bad filter values', async () => {
      const tag = unique('f');
      const a = await create({ last_name: `${tag}A`, sex: 'male', gender_identity: 'transgender_female', date_of_birth: '1970-01-01' });
      const b = await create({ last_name: `${tag}B`, sex: 'male', gender_identity: 'male', date_of_birth: '1970-01-01' });
      const c = await create({ last_name: `${tag}C`, sex: 'other', gender_identity: 'gender_fluid', date_of_birth: '2001-09-11' });
      const q = (s: string) => inject('GET', `${URL}?search=${tag}&${s}`, who.staff.headers);
      expect(ids(await q('sex=male'))).toEqual([a.id, b.id]);
      expect(ids(await q('gender_identity=gender_fluid'))).toEqual([c.id]);
      expect(ids(await q('date_of_birth=1970-01-01'))).toEqual([a.id, b.id]);
      expect(ids(await q('sex=male&gender_identity=male&date_of_birth=1970-01-01'))).toEqual([b.id]);
      expect(ids(await q('unknown_param=1'))).toEqual([a.id, b.id, c.id]);
      for (const [bad, key] of [
        ['sex=M', 'sex'],
        ['gender_identity=x', 'gender_identity'],
        ['date_of_birth=yesterday', 'date_of_birth'],
        ['ordering=city', 'ordering'],
      ]) {
        const res = await q(bad);
        expect(res.statusCode, bad).toBe(400);
        expect(Object.keys(res.json())).toEqual([key]);
      }
    });

    it('orders by last_name (default, case-insensitive, then id), first_name, date_of_birth and id', async () => {
      const tag = unique('o');
      const b = await create({ last_name: `${tag}b`, first_name: 'Carl', date_of_birth: '1950-05-05' });
      const a = await create({ last_name: `${tag}A`, first_name: 'bea', date_of_birth: '1990-01-01' });
      const c = await create({ last_name: `${tag}c`, first_name: 'Abe', date_of_birth: '1970-07-07' });
      const a2 = await create({ last_name: `${tag}a`, first_name: 'Dora', date_of_birth: '1990-01-01' });
      const order = async (o?: string) => ids(await inject('GET', `${URL}?search=${tag}${o ? `&ordering=${o}` : ''}`, who.staff.headers));
      expect(await order()).toEqual([a.id, a2.id, b.id, c.id]);
      expect(await order('last_name')).toEqual([a.id, a2.id, b.id, c.id]);
      expect(await order('-last_name')).toEqual([c.id, b.id, a2.id, a.id]);
      expect(await order('first_name')).toEqual([c.id, a.id, b.id, a2.id]);
      expect(await order('date_of_birth')).toEqual([b.id, c.id, a.id, a2.id]);
      expect(await order('-date_of_birth')).toEqual([a2.id, a.id, c.id, b.id]);
      expect(await order('id')).toEqual([b.id, a.id, c.id, a2.id]);
      expect(await order('-id')).toEqual([a2.id, c.id, a.id, b.id]);
    });

    it('paginates with count/next/previous; a page past the end is 404', async () => {
      const tag = unique('pg');
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await create({ last_name: `${tag}${i}` }));
      const page = (n: number) => inject('GET', `${URL}?search=${tag}&page_size=2&page=${n}`, who.staff.headers);
      const p1 = (await page(1)).json();
      expect(p1.count).toBe(5);
      expect(p1.previous).toBeNull();
      expect(p1.next).toMatch(/^http:\/\/[^/]+\/api\/patients\/\?.*page=2/);
      expect(p1.results.map((r: { id: number }) => r.id)).toEqual([made[0].id, made[1].id]);
      const p2 = (await page(2)).json();
      expect(p2.results.map((r: { id: number }) => r.id)).toEqual([made[2].id, made[3].id]);
      expect(p2.previous).not.toMatch(/page=/);
      const p3 = (await page(3)).json();
      expect(p3.results.map((r: { id: number }) => r.id)).toEqual([made[4].id]);
      expect(p3.next).toBeNull();
      const past = await page(4);
      expect(past.statusCode).toBe(404);
      expect(past.json()).toEqual({ detail: 'Invalid page.' });
      // page=last first reads past the end, where the count is a query of its own.
      const last = (await inject('GET', `${URL}?search=${tag}&page_size=2&page=last`, who.staff.headers)).json();
      expect(last).toMatchObject({ count: 5, next: null });
      expect(last.results.map((r: { id: number }) => r.id)).toEqual([made[4].id]);
    });
  });

  describe('deletion safety', () => {
    it('refuses to delete a patient that a user account or appointments (any status) reference, naming them', async () => {
      const patient = await makePatient(t.db);
      const clinician = await makeClinician(t.db);
      await makeUser(t.db, { user_type: 'patient', linked_patient: patient.id });
      for (const status of ['scheduled', 'cancelled', 'completed']) {
        await insertAppointment(t.db, { patient: patient.id, provider: clinician.id, status });
      }
      const res = await inject('DELETE', `${URL}${patient.id}/`, who.staff.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: 'Cannot delete this patient: it is referenced by 1 user account and 3 appointments.' });
      expect((await inject('GET', `${URL}${patient.id}/`, who.staff.headers)).statusCode).toBe(200);
      const appts = await t.db.selectFrom('appointments').select('id').where('patient', '=', patient.id).execute();
      expect(appts).toHaveLength(3);
    });

    it('names a single cancelled appointment too', async () => {
      const patient = await makePatient(t.db);
      await insertAppointment(t.db, { patient: patient.id, provider: (await makeClinician(t.db)).id, status: 'cancelled' });
      const res = await inject('DELETE', `${URL}${patient.id}/`, who.staff.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: 'Cannot delete this patient: it is referenced by 1 appointment.' });
    });
  });

  describe('audit', () => {
    it('records writes with changed field names and the patient id, never values', async () => {
      const before = await lastAuditId(t.db);
      const sent = body({ first_name: 'Secretfirst', phone_number: '+1 999 555 0001' });
      const p = await create(sent);
      await inject('PATCH', `${URL}${p.id}/`, who.staff.headers, { city: 'Hiddencity', state: 'CA' });
      const required = Object.fromEntries(REQUIRED.map((k) => [k, p[k]]));
      await inject('PUT', `${URL}${p.id}/`, who.staff.headers, { ...required, city: 'Hiddencity' });
      await inject('DELETE', `${URL}${p.id}/`, who.staff.headers);
      const events = (await auditSince(t.db, before)).filter((e) => ['create', 'update', 'delete'].includes(e.action));
      expect(events.map((e) => e.action)).toEqual(['create', 'update', 'update', 'delete']);
      for (const e of events) {
        expect(e).toMatchObject({ resource_type: 'patient', resource_id: String(p.id), patient_id: p.id, user_id: who.staff.user.id });
        const text = JSON.stringify(e.details);
        for (const secret of ['Secretfirst', '999 555', 'Hiddencity', sent.email, sent.last_name, '1990-02-14'])
          expect(text).not.toContain(secret);
      }
      expect(events[0].details.fields).toEqual(Object.keys(sent).sort());
      expect(events[1].details).toEqual({ fields: ['city'] });
      // PUT without the optional fields kept them; the city was already Hiddencity: nothing changed.
      expect(events[2].details).toEqual({ fields: [] });
    });

    it('records every read: list with the ids returned, retrieve with the patient id', async () => {
      const tag = unique('au');
      const a = await create({ last_name: `${tag}A` });
      const b = await create({ last_name: `${tag}B` });
      const before = await lastAuditId(t.db);
      await inject('GET', `${URL}?search=${tag}`, who.provider.headers);
      await inject('GET', `${URL}${a.id}/`, who.provider.headers);
      await inject('GET', `${URL}?search=nothing-${tag}`, who.staff.headers);
      const events = await auditSince(t.db, before);
      expect(events).toHaveLength(3);
      expect(events[0]).toMatchObject({ action: 'list', resource_type: 'patient', user_id: who.provider.user.id, outcome: 'success' });
      expect(events[0].details.ids).toEqual([a.id, b.id]);
      expect(events[1]).toMatchObject({ action: 'read', resource_type: 'patient', resource_id: String(a.id), patient_id: a.id });
      expect(events[1].details.ids).toEqual([a.id]);
      expect(events[2]).toMatchObject({ action: 'list', user_id: who.staff.user.id });
      expect(events[2].details.ids).toEqual([]);
      // The search term can be a name: it is not kept.
      for (const e of events) expect(JSON.stringify(e.details)).not.toContain(tag);
    });

    it("records a patient's own reads, and attempts on other records as denied", async () => {
      const own = who.patient.user.linked_patient!;
      const other = await create();
      const before = await lastAuditId(t.db);
      await inject('GET', URL, who.patient.headers);
      await inject('GET', `${URL}${other.id}/`, who.patient.headers);
      const events = await auditSince(t.db, before);
      expect(events.map((e) => [e.action, e.outcome, e.patient_id])).toEqual([
        ['list', 'success', own],
        // Filed under the patient it was an attempt at, so "who tried to see X" finds it.
        ['read', 'denied', other.id],
      ]);
      expect(events[0].details.ids).toEqual([own]);
      expect(events[1].resource_id).toBe(String(other.id));
    });

    it('names only the fields a create gave a value, not the defaults filled in', async () => {
      const before = await lastAuditId(t.db);
      const sent = Object.fromEntries(Object.entries(body({ email: '' })).filter(([k]) => REQUIRED.includes(k) || k === 'email'));
      const res = await inject('POST', URL, who.staff.headers, sent);
      expect(res.statusCode).toBe(201);
      const p = res.json();
      const [event] = await auditSince(t.db, before);
      expect(event).toMatchObject({ action: 'create', patient_id: p.id });
      expect(event.details).toEqual({ fields: [...REQUIRED].sort() });
    });

    it('writes no audit row for a refused write', async () => {
      const before = await lastAuditId(t.db);
      await inject('POST', URL, who.staff.headers, body({ sex: 'bad' }));
      await inject('POST', URL, who.provider.headers, body());
      await inject('DELETE', `${URL}999999/`, who.staff.headers);
      expect(await auditSince(t.db, before)).toEqual([]);
    });
  });
});
