import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { cast, makeClinician, makePatient, makeUser, unique } from '../helpers/factories.js';
import { futureInstant, makeAppointment, makeSlot } from '../slots/slot-helpers.js';

/**
 * Every cell of CONTRACT.md's "Who may do what" table: anonymous, patient, provider and staff ×
 * every endpoint and method × the caller's own record and someone else's, with the exact status.
 * Each cell builds its own fresh records, so a DELETE in one cell cannot change another.
 */
type Role = 'anonymous' | 'patient' | 'provider' | 'staff';
type Whose = 'own' | 'other';
const ROLES: Role[] = ['anonymous', 'patient', 'provider', 'staff'];

interface World {
  t: TestApp;
  headers: Record<Role, Record<string, string>>;
  userId: Record<Exclude<Role, 'anonymous'>, number>;
  /** The provider caller's clinician and the patient caller's patient record. */
  clinicianId: number;
  patientId: number;
}

interface Request {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
}

interface Row {
  name: string;
  whose?: Whose;
  request: (w: World, role: Role, whose: Whose) => Promise<Request>;
  expect: Record<Role, number>;
}

const patientBody = () => ({
  first_name: 'Matrix',
  last_name: unique('Row'),
  date_of_birth: '1980-01-01',
  sex: 'other',
  gender_identity: 'prefer_not_to_say',
  phone_number: '+1 555 0101',
  address_line1: '1 Grid St',
  city: 'Cellville',
  state: 'CA',
  zip_code: '90001',
});
const clinicianBody = () => ({ firstname: 'Matrix', lastname: unique('Cell'), role: 'nurses', emailid: `${unique('cl')}@matrix.example` });

/** The record a role calls its own, or someone else's. */
async function slotFor(w: World, whose: Whose) {
  const provider = whose === 'own' ? w.clinicianId : (await makeClinician(w.t.db)).id;
  return makeSlot(w.t.db, provider, { dateandtime: futureInstant() });
}

async function appointmentFor(w: World, role: Role, whose: Whose) {
  const db = w.t.db;
  const mine = whose === 'own';
  // Own: the patient caller's patient, and the provider caller's clinician; other: strangers.
  const patient = mine && role !== 'provider' ? w.patientId : (await makePatient(db)).id;
  const provider = mine && role !== 'patient' ? w.clinicianId : (await makeClinician(db)).id;
  return makeAppointment(db, { patient, provider, dateandtime: futureInstant() });
}

function userIdFor(w: World, role: Role, whose: Whose, other: number): number {
  return whose === 'own' && role !== 'anonymous' ? w.userId[role] : other;
}

const r = (anonymous: number, patient: number, provider: number, staff: number) => ({ anonymous, patient, provider, staff });

const ROWS: Row[] = [
  // /api/users/ (staff only) and /api/users/me/
  { name: 'GET /api/users/', request: async () => ({ method: 'GET', url: '/api/users/' }), expect: r(401, 403, 403, 200) },
  {
    name: 'POST /api/users/',
    request: async () => ({
      method: 'POST',
      url: '/api/users/',
      payload: { name: 'New Staff', email: `${unique('u')}@matrix.example`, password: 'matrix-cell-password-1' },
    }),
    expect: r(401, 403, 403, 201),
  },
  ...(['own', 'other'] as const).flatMap((whose): Row[] => [
    {
      name: `GET /api/users/:id/ (${whose})`,
      whose,
      request: async (w, role) => ({ method: 'GET', url: `/api/users/${userIdFor(w, role, whose, (await makeUser(w.t.db)).id)}/` }),
      expect: r(401, 403, 403, 200),
    },
    {
      name: `PUT /api/users/:id/ (${whose})`,
      whose,
      request: async (w, role) => {
        const other = await makeUser(w.t.db);
        const id = userIdFor(w, role, whose, other.id);
        const row = await w.t.db
          .selectFrom('users')
          .select(['email', 'user_type', 'linked_patient', 'linked_clinician'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return {
          method: 'PUT',
          url: `/api/users/${id}/`,
          payload: {
            name: 'Renamed',
            email: row.email,
            user_type: row.user_type,
            linked_patient: row.linked_patient,
            linked_clinician: row.linked_clinician,
          },
        };
      },
      expect: r(401, 403, 403, 200),
    },
    {
      name: `PATCH /api/users/:id/ (${whose})`,
      whose,
      request: async (w, role) => ({
        method: 'PATCH',
        url: `/api/users/${userIdFor(w, role, whose, (await makeUser(w.t.db)).id)}/`,
        payload: { contactnumber: '+1 555 0000' },
      }),
      expect: r(401, 403, 403, 200),
    },
  ]),
  { name: 'GET /api/users/me/', request: async () => ({ method: 'GET', url: '/api/users/me/' }), expect: r(401, 200, 200, 200) },

  // /api/clinician-users/ (staff only; a provider's own clinician record included)
  {
    name: 'GET /api/clinician-users/',
    request: async () => ({ method: 'GET', url: '/api/clinician-users/' }),
    expect: r(401, 403, 403, 200),
  },
  {
    name: 'POST /api/clinician-users/',
    request: async () => ({ method: 'POST', url: '/api/clinician-users/', payload: clinicianBody() }),
    expect: r(401, 403, 403, 201),
  },
  ...(['own', 'other'] as const).flatMap((whose): Row[] => {
    const id = async (w: World, role: Role) => (whose === 'own' && role === 'provider' ? w.clinicianId : (await makeClinician(w.t.db)).id);
    return [
      {
        name: `GET /api/clinician-users/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'GET', url: `/api/clinician-users/${await id(w, role)}/` }),
        expect: r(401, 403, 403, 200),
      },
      {
        name: `PUT /api/clinician-users/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'PUT', url: `/api/clinician-users/${await id(w, role)}/`, payload: clinicianBody() }),
        expect: r(401, 403, 403, 200),
      },
      {
        name: `PATCH /api/clinician-users/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({
          method: 'PATCH',
          url: `/api/clinician-users/${await id(w, role)}/`,
          payload: { location: 'Elsewhere' },
        }),
        expect: r(401, 403, 403, 200),
      },
      {
        name: `DELETE /api/clinician-users/:id/ (${whose})`,
        whose,
        // A fresh unreferenced clinician for staff (the provider's own is referenced by their user).
        request: async (w, role) => ({
          method: 'DELETE',
          url: `/api/clinician-users/${role === 'staff' ? (await makeClinician(w.t.db)).id : await id(w, role)}/`,
        }),
        expect: r(401, 403, 403, 204),
      },
    ];
  }),

  // /api/patients/: everyone reads (a patient only their own), only staff write
  { name: 'GET /api/patients/', request: async () => ({ method: 'GET', url: '/api/patients/' }), expect: r(401, 200, 200, 200) },
  {
    name: 'POST /api/patients/',
    request: async () => ({ method: 'POST', url: '/api/patients/', payload: patientBody() }),
    expect: r(401, 403, 403, 201),
  },
  ...(['own', 'other'] as const).flatMap((whose): Row[] => {
    const id = async (w: World, role: Role) => (whose === 'own' && role !== 'staff' ? w.patientId : (await makePatient(w.t.db)).id);
    return [
      {
        name: `GET /api/patients/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'GET', url: `/api/patients/${await id(w, role)}/` }),
        expect: r(401, whose === 'own' ? 200 : 404, 200, 200),
      },
      {
        name: `PUT /api/patients/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'PUT', url: `/api/patients/${await id(w, role)}/`, payload: patientBody() }),
        expect: r(401, 403, 403, 200),
      },
      {
        name: `PATCH /api/patients/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'PATCH', url: `/api/patients/${await id(w, role)}/`, payload: { city: 'Elsewhere' } }),
        expect: r(401, 403, 403, 200),
      },
      {
        name: `DELETE /api/patients/:id/ (${whose})`,
        whose,
        request: async (w, role) => ({ method: 'DELETE', url: `/api/patients/${await id(w, role)}/` }),
        expect: r(401, 403, 403, 204),
      },
    ];
  }),

  // /api/appointment-slots/: providers their own, staff all, patients 403
  {
    name: 'GET /api/appointment-slots/',
    request: async () => ({ method: 'GET', url: '/api/appointment-slots/' }),
    expect: r(401, 403, 200, 200),
  },
  {
    name: 'POST /api/appointment-slots/',
    request: async (w) => ({
      method: 'POST',
      url: '/api/appointment-slots/',
      payload: { provider: w.clinicianId, dateandtime: futureInstant() },
    }),
    expect: r(401, 403, 201, 201),
  },
  {
    name: 'POST /api/appointment-slots/bulk/',
    request: async (w) => {
      const year = new Date().getUTCFullYear() + 3;
      const day = `${year}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
      return {
        method: 'POST',
        url: '/api/appointment-slots/bulk/',
        payload: {
          provider: (await makeClinician(w.t.db)).id,
          weekdays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
          start_time: '09:00',
          end_time: '10:00',
          slot_minutes: 30,
          start_date: day,
          end_date: day,
        },
      };
    },
    expect: r(401, 403, 201, 201),
  },
  ...(['own', 'other'] as const).flatMap((whose): Row[] => [
    {
      name: `GET /api/appointment-slots/:id/ (${whose})`,
      whose,
      request: async (w) => ({ method: 'GET', url: `/api/appointment-slots/${(await slotFor(w, whose)).id}/` }),
      expect: r(401, 403, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `PUT /api/appointment-slots/:id/ (${whose})`,
      whose,
      request: async (w) => ({
        method: 'PUT',
        url: `/api/appointment-slots/${(await slotFor(w, whose)).id}/`,
        payload: { dateandtime: futureInstant() },
      }),
      expect: r(401, 403, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `PATCH /api/appointment-slots/:id/ (${whose})`,
      whose,
      request: async (w) => ({
        method: 'PATCH',
        url: `/api/appointment-slots/${(await slotFor(w, whose)).id}/`,
        payload: { is_available: false },
      }),
      expect: r(401, 403, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `DELETE /api/appointment-slots/:id/ (${whose})`,
      whose,
      request: async (w) => ({ method: 'DELETE', url: `/api/appointment-slots/${(await slotFor(w, whose)).id}/` }),
      expect: r(401, 403, whose === 'own' ? 204 : 404, 204),
    },
  ]),

  // /api/appointments/
  { name: 'GET /api/appointments/', request: async () => ({ method: 'GET', url: '/api/appointments/' }), expect: r(401, 200, 200, 200) },
  ...(['own', 'other'] as const).flatMap((whose): Row[] => [
    {
      name: `POST /api/appointments/ (as ${whose === 'own' ? 'themselves' : 'someone else'})`,
      whose,
      request: async (w, role) => {
        const strangerPatient = (await makePatient(w.t.db)).id;
        const strangerClinician = (await makeClinician(w.t.db)).id;
        const self = whose === 'own';
        const patient = role === 'patient' && self ? w.patientId : strangerPatient;
        const provider = role === 'provider' && self ? w.clinicianId : strangerClinician;
        // Patients book through a slot; staff and providers may also book without one.
        if (role === 'patient') {
          const slot = await makeSlot(w.t.db, provider, { dateandtime: futureInstant() });
          return { method: 'POST', url: '/api/appointments/', payload: { patient, provider, appointment_slot: slot.id } };
        }
        return { method: 'POST', url: '/api/appointments/', payload: { patient, provider, dateandtime: futureInstant() } };
      },
      expect: r(401, whose === 'own' ? 201 : 403, whose === 'own' ? 201 : 403, 201),
    },
    {
      name: `GET /api/appointments/:id/ (${whose})`,
      whose,
      request: async (w, role) => ({ method: 'GET', url: `/api/appointments/${(await appointmentFor(w, role, whose)).id}/` }),
      expect: r(401, whose === 'own' ? 200 : 404, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `PUT /api/appointments/:id/ (${whose})`,
      whose,
      request: async (w, role) => {
        const a = await appointmentFor(w, role, whose);
        return {
          method: 'PUT',
          url: `/api/appointments/${a.id}/`,
          payload: { patient: a.patient, provider: a.provider, notes: 'Updated' },
        };
      },
      expect: r(401, 403, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `PATCH /api/appointments/:id/ (${whose})`,
      whose,
      request: async (w, role) => ({
        method: 'PATCH',
        url: `/api/appointments/${(await appointmentFor(w, role, whose)).id}/`,
        payload: { status: 'confirmed' },
      }),
      expect: r(401, 403, whose === 'own' ? 200 : 404, 200),
    },
    {
      name: `DELETE /api/appointments/:id/ (${whose})`,
      whose,
      request: async (w, role) => ({ method: 'DELETE', url: `/api/appointments/${(await appointmentFor(w, role, whose)).id}/` }),
      expect: r(401, whose === 'own' ? 204 : 404, whose === 'own' ? 204 : 404, 204),
    },
  ]),
  {
    name: 'GET /api/appointments/my_appointments/',
    request: async () => ({ method: 'GET', url: '/api/appointments/my_appointments/' }),
    expect: r(401, 200, 200, 200),
  },
  {
    name: 'GET /api/appointments/available_slots/?provider_id=N',
    request: async (w) => ({ method: 'GET', url: `/api/appointments/available_slots/?provider_id=${(await makeClinician(w.t.db)).id}` }),
    expect: r(401, 200, 200, 200),
  },
];

describe('permission matrix (CONTRACT.md "Who may do what")', () => {
  const w = {} as World;
  beforeAll(async () => {
    w.t = await buildTestApp();
    const c = await cast(w.t.app);
    w.headers = { anonymous: {}, patient: c.patient.headers, provider: c.provider.headers, staff: c.staff.headers };
    w.userId = { patient: c.patient.user.id, provider: c.provider.user.id, staff: c.staff.user.id };
    w.clinicianId = c.provider.user.linked_clinician as number;
    w.patientId = c.patient.user.linked_patient as number;
  });
  afterAll(() => w.t.close());

  for (const row of ROWS) {
    for (const role of ROLES) {
      const expected = row.expect[role];
      it(`${role.padEnd(9)} ${row.name} → ${expected}`, async () => {
        const req = await row.request(w, role, row.whose ?? 'own');
        const res = await w.t.app.inject({
          method: req.method,
          url: req.url,
          headers: w.headers[role],
          ...(req.payload ? { payload: req.payload } : {}),
        });
        expect(res.statusCode, `${req.method} ${req.url}: ${res.body.slice(0, 300)}`).toBe(expected);
        if (expected === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        if (expected === 403 || expected === 404) expect(res.json()).toHaveProperty('detail');
      });
    }
  }

  it('has a row for every route of the resources the contract table names', () => {
    const tableResources =
      /^\/api\/(users|clinician-users|patients|appointment-slots|appointments)\/(|:id\/|me\/|bulk\/|my_appointments\/|available_slots\/)$/;
    const routes = (w.t.app as unknown as { routeList: string[] }).routeList.filter((route) => tableResources.test(route.split(' ')[1]));
    const covered = new Set(ROWS.map((row) => row.name.split(' ').slice(0, 2).join(' ').replace(/\?.*$/, '')));
    expect(routes.length).toBeGreaterThanOrEqual(30);
    expect(routes.filter((route) => !covered.has(route))).toEqual([]);
  });
});

/**
 * Who may call a route is decided before the request's body or query is looked at (as in DRF,
 * whose permission checks run before a serializer): a caller without the right gets 401/403 for
 * any body, never a 400 that describes the route's schema.
 */
describe('guards come before validation', () => {
  const w = {} as World;
  beforeAll(async () => {
    w.t = await buildTestApp();
    const c = await cast(w.t.app);
    w.headers = { anonymous: {}, patient: c.patient.headers, provider: c.provider.headers, staff: c.staff.headers };
  });
  afterAll(() => w.t.close());

  const PUBLIC = /^\/(api\/(login|login\/mfa|token\/refresh|logout|docs|schema)\/|healthz|readyz|admin)/;
  const garbage = { __bogus: ['x'], page_size: 'many', patient: 'abc', email: 42 };

  it('answers 401 with WWW-Authenticate to an anonymous caller with a bad body and query on every non-public route', async () => {
    const routes = (w.t.app as unknown as { routeList: string[] }).routeList.filter((route) => !PUBLIC.test(route.split(' ')[1]));
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const route of routes) {
      const [method, path] = route.split(' ');
      const url = `${path.replace(/:[a-z_]+/g, 'abc')}?page=abc&page_size=-1&ordering=%00`;
      const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
      const res = await w.t.app.inject({ method: method as 'GET', url, ...(withBody ? { payload: garbage } : {}) });
      expect(res.statusCode, `${route}: ${res.body.slice(0, 200)}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('answers 403 to a signed-in caller without the right, whatever the body', async () => {
    const cases: [Role, 'GET' | 'POST' | 'PUT' | 'PATCH', string][] = [
      ['patient', 'POST', '/api/users/'],
      ['provider', 'PATCH', '/api/users/1/'],
      ['provider', 'POST', '/api/clinician-users/'],
      ['patient', 'POST', '/api/patients/'],
      ['provider', 'PUT', '/api/patients/1/'],
      ['patient', 'POST', '/api/appointment-slots/'],
      ['patient', 'POST', '/api/appointment-slots/bulk/'],
      ['patient', 'PATCH', '/api/appointment-slots/1/'],
      ['patient', 'PUT', '/api/appointments/1/'],
      ['provider', 'GET', '/api/audit-events/?page=abc'],
      ['patient', 'POST', '/api/users/1/revoke-sessions/'],
    ];
    for (const [role, method, url] of cases) {
      const res = await w.t.app.inject({ method, url, headers: w.headers[role], ...(method === 'GET' ? {} : { payload: garbage }) });
      expect(res.statusCode, `${role} ${method} ${url}: ${res.body.slice(0, 200)}`).toBe(403);
    }
  });
});
