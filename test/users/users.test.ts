import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, cast, makeClinician, makePatient, makeUser } from '../helpers/factories.js';

describe('/api/users/', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp();
    people = await cast(t.app);
  });
  afterAll(() => t.close());

  const post = (headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/users/', headers, payload: payload as object });

  it('staff creates a staff user; the password is hashed and never returned', async () => {
    const res = await post(people.staff.headers, {
      name: 'Nina Nurse',
      email: 'Nina.Nurse@Clinic.example',
      password: 'nurse-passphrase-2026',
      role: 'nurse',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: 'Nina Nurse', email: 'nina.nurse@clinic.example', role: 'nurse', user_type: 'staff', status: true });
    expect(body).not.toHaveProperty('password');
    const row = await t.db.selectFrom('users').select('password').where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(row.password).toMatch(/^\$argon2id\$/);
    expect(row.password).not.toContain('nurse-passphrase-2026');
  });

  it('treats emails case-insensitively: one account per address', async () => {
    await post(people.staff.headers, { name: 'A', email: 'dup@example.com', password: 'another-passphrase-1' });
    const res = await post(people.staff.headers, { name: 'B', email: 'DUP@Example.COM', password: 'another-passphrase-1' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ email: ['user with this email already exists.'] });
  });

  it('enforces the link rules for each user type', async () => {
    const patient = await makePatient(t.db);
    const clinician = await makeClinician(t.db);
    const cases: [Record<string, unknown>, string][] = [
      [{ user_type: 'patient' }, 'linked_patient'],
      [{ user_type: 'provider' }, 'linked_clinician'],
      [{ user_type: 'staff', linked_patient: patient.id }, 'linked_patient'],
      [{ user_type: 'patient', linked_patient: patient.id, linked_clinician: clinician.id }, 'linked_clinician'],
      [{ user_type: 'provider', linked_clinician: 999999 }, 'linked_clinician'],
    ];
    for (const [extra, field] of cases) {
      const res = await post(people.staff.headers, {
        name: 'X',
        email: `${field}${Math.random()}@ex.com`,
        password: 'link-rules-passphrase',
        ...extra,
      });
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      expect(Object.keys(res.json())).toContain(field);
    }
    const ok = await post(people.staff.headers, {
      name: 'P',
      email: 'linked.patient@ex.com',
      password: 'link-rules-passphrase',
      user_type: 'patient',
      linked_patient: patient.id,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().linked_patient).toBe(patient.id);
    const second = await post(people.staff.headers, {
      name: 'P2',
      email: 'linked.patient2@ex.com',
      password: 'link-rules-passphrase',
      user_type: 'patient',
      linked_patient: patient.id,
    });
    expect(second.statusCode).toBe(400);
    expect(second.json()).toEqual({ linked_patient: ['This patient already has a user account.'] });
  });

  it('refuses unknown fields instead of silently applying or dropping them', async () => {
    const res = await post(people.staff.headers, {
      name: 'M',
      email: 'mass@ex.com',
      password: 'mass-assign-passphrase',
      is_superuser: true,
      token_version: 5,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ is_superuser: [expect.any(String)], token_version: [expect.any(String)] });
    expect(await t.db.selectFrom('users').select('id').where('email', '=', 'mass@ex.com').executeTakeFirst()).toBeUndefined();
  });

  it('validates passwords: length, common, equal to the email', async () => {
    for (const password of ['short', 'password1234', 'weak.user@ex.com']) {
      const res = await post(people.staff.headers, { name: 'W', email: 'weak.user@ex.com', password });
      expect(res.statusCode, password).toBe(400);
      expect(res.json()).toHaveProperty('password');
    }
  });

  it('is staff only: providers and patients get 403, anonymous 401', async () => {
    for (const who of [people.provider, people.patient]) {
      expect((await t.app.inject({ url: '/api/users/', headers: who.headers })).statusCode).toBe(403);
      expect((await t.app.inject({ url: `/api/users/${people.staff.user.id}/`, headers: who.headers })).statusCode).toBe(403);
      expect((await post(who.headers, { name: 'x', email: 'x@ex.com', password: 'provider-makes-user' })).statusCode).toBe(403);
      expect(
        (await t.app.inject({ method: 'PATCH', url: `/api/users/${who.user.id}/`, headers: who.headers, payload: { user_type: 'staff' } }))
          .statusCode,
      ).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/users/' })).statusCode).toBe(401);
    const row = await t.db.selectFrom('users').select('user_type').where('id', '=', people.provider.user.id).executeTakeFirstOrThrow();
    expect(row.user_type).toBe('provider');
  });

  it('/me returns the caller for every user type', async () => {
    for (const who of [people.staff, people.provider, people.patient]) {
      const res = await t.app.inject({ url: '/api/users/me/', headers: who.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: who.user.id, user_type: who.user.user_type });
    }
  });

  it('lists with pagination, search, filters and ordering', async () => {
    const t2 = await buildTestApp();
    try {
      const staff = await makeUser(t2.db, { user_type: 'staff', name: 'Zed Admin', email: 'zed@ex.com' });
      const headers = await authHeader(t2.app, staff);
      for (let i = 0; i < 24; i++)
        await makeUser(t2.db, { user_type: i % 2 ? 'patient' : 'provider', name: `Member ${String(i).padStart(2, '0')}` });
      const page1 = (await t2.app.inject({ url: '/api/users/', headers })).json();
      expect(page1.count).toBe(25);
      expect(page1.results).toHaveLength(20);
      expect(page1.previous).toBeNull();
      expect(page1.next).toMatch(/\/api\/users\/\?page=2$/);
      const page2 = (await t2.app.inject({ url: '/api/users/?page=2', headers })).json();
      expect(page2.results).toHaveLength(5);
      expect(page2.next).toBeNull();
      expect(page2.previous).toMatch(/\/api\/users\/$/);
      const past = await t2.app.inject({ url: '/api/users/?page=3', headers });
      expect(past.statusCode).toBe(404);
      expect(past.json()).toEqual({ detail: 'Invalid page.' });
      const small = (await t2.app.inject({ url: '/api/users/?page_size=5', headers })).json();
      expect(small.results).toHaveLength(5);
      // As DRF: a page_size over the cap is the cap, not an error.
      expect((await t2.app.inject({ url: '/api/users/?page_size=1000', headers })).json().results).toHaveLength(25);
      const search = (await t2.app.inject({ url: '/api/users/?search=ZED', headers })).json();
      expect(search.results.map((u: { id: number }) => u.id)).toEqual([staff.id]);
      const patients = (await t2.app.inject({ url: '/api/users/?user_type=patient', headers })).json();
      expect(patients.count).toBe(12);
      expect(patients.results.every((u: { user_type: string }) => u.user_type === 'patient')).toBe(true);
      const byName = (await t2.app.inject({ url: '/api/users/?ordering=-name&page_size=3', headers })).json();
      expect(byName.results.map((u: { name: string }) => u.name)).toEqual(['Zed Admin', 'Member 23', 'Member 22']);
      expect((await t2.app.inject({ url: '/api/users/?ordering=password', headers })).statusCode).toBe(400);
      expect((await t2.app.inject({ url: '/api/users/?user_type=admin', headers })).statusCode).toBe(400);
      // Wildcards in a search term are literal text, not patterns.
      expect((await t2.app.inject({ url: '/api/users/?search=%25', headers })).json().count).toBe(0);
    } finally {
      await t2.close();
    }
  });

  it('PUT replaces, PATCH updates some fields; both re-check the rules', async () => {
    const target = await makeUser(t.db, { user_type: 'staff', name: 'Before' });
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${target.id}/`,
      headers: people.staff.headers,
      payload: { name: 'After', email: target.email, role: 'billing_staff' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'After', role: 'billing_staff' });
    const putMissing = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${target.id}/`,
      headers: people.staff.headers,
      payload: { name: 'Only' },
    });
    expect(putMissing.statusCode).toBe(400);
    expect(putMissing.json()).toEqual({ email: ['This field is required.'] });
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.id}/`,
      headers: people.staff.headers,
      payload: { contactnumber: '+1 555 0199' },
    });
    expect(patch.json()).toMatchObject({ name: 'After', contactnumber: '+1 555 0199' });
    const toPatient = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.id}/`,
      headers: people.staff.headers,
      payload: { user_type: 'patient' },
    });
    expect(toPatient.statusCode).toBe(400);
    expect(toPatient.json()).toHaveProperty('linked_patient');
    const takenEmail = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${target.id}/`,
      headers: people.staff.headers,
      payload: { email: people.provider.user.email.toUpperCase() },
    });
    expect(takenEmail.statusCode).toBe(400);
    expect(
      (await t.app.inject({ method: 'PATCH', url: '/api/users/999999/', headers: people.staff.headers, payload: { name: 'x' } }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses a staff member deactivating or demoting themselves', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${people.staff.user.id}/`,
      headers: people.staff.headers,
      payload: { status: false },
    });
    expect(res.statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/users/me/', headers: people.staff.headers })).statusCode).toBe(200);
  });

  it('writes audit events with field names and never the password', async () => {
    const res = await post(people.staff.headers, { name: 'Audited', email: 'audited@ex.com', password: 'audited-passphrase-77' });
    const id = res.json().id;
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${id}/`,
      headers: people.staff.headers,
      payload: { name: 'Audited Two', password: 'audited-passphrase-78' },
    });
    const events = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('resource_type', '=', 'user')
      .where('resource_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['create', 'update_with_password_reset']);
    expect(JSON.parse(events[1].details).fields).toEqual(['name', 'password']);
    for (const e of events) {
      expect(e.user_id).toBe(people.staff.user.id);
      expect(e.details).not.toMatch(/audited-passphrase|Audited Two/);
    }
  });
});
