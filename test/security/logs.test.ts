import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, makeUser } from '../helpers/factories.js';

/** Every log line the app writes, kept for searching. */
class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text() {
    return this.lines.join('\n');
  }
}

const patient = {
  first_name: 'Zebulon',
  middle_name: 'Quincey',
  last_name: 'Featherstonehaugh',
  preferred_name: 'Zeb',
  date_of_birth: '1971-03-09',
  sex: 'male',
  gender_identity: 'male',
  email: 'zebulon.private@mailbox.example',
  phone_number: '+1 555 013 4477',
  address_line1: '742 Evergreen Terrace',
  city: 'Shelbyville',
  state: 'OR',
  zip_code: '97999',
};
const USER_EMAIL = 'zeb.login@mailbox.example';
const PASSWORD = 'orchid-lantern-basalt-2718';
const NEW_PASSWORD = 'velvet-compass-thistle-3141';
const SEARCH = 'Featherston';

describe('logs hold no PHI, passwords, tokens or secrets', () => {
  let t: TestApp;
  const capture = new Capture();
  const sent: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp({ logLevel: 'info' }, { logStream: capture });
  });
  afterAll(() => t.close());

  it('a full journey, a failed validation and a server error leave none of what was sent in the logs', async () => {
    const staff = await authHeader(t.app, await makeUser(t.db, { user_type: 'staff' }));
    const inject = (opts: InjectOptions) => t.app.inject(opts);

    const created = await inject({ method: 'POST', url: '/api/patients/', headers: staff, payload: patient });
    expect(created.statusCode).toBe(201);
    const patientId = created.json().id;
    const user = await inject({
      method: 'POST',
      url: '/api/users/',
      headers: staff,
      payload: {
        name: 'Zebulon Featherstonehaugh',
        email: USER_EMAIL,
        password: PASSWORD,
        user_type: 'patient',
        linked_patient: patientId,
      },
    });
    expect(user.statusCode).toBe(201);

    const login = (await inject({ method: 'POST', url: '/api/login/', payload: { email: USER_EMAIL, password: PASSWORD } })).json();
    const wrong = await inject({ method: 'POST', url: '/api/login/', payload: { email: USER_EMAIL, password: 'guess-guess-guess-1' } });
    expect(wrong.statusCode).toBe(400);
    const rotated = (await inject({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: login.refresh } })).json();
    const bearer = { authorization: `Bearer ${rotated.access}` };
    const search = await inject({ url: `/api/patients/?search=${SEARCH}&date_of_birth=${patient.date_of_birth}`, headers: staff });
    expect(search.json().count).toBe(1);
    expect((await inject({ url: `/api/patients/${patientId}/`, headers: bearer })).statusCode).toBe(200);

    const changed = await inject({
      method: 'POST',
      url: '/api/users/me/password/',
      headers: bearer,
      payload: { old_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(changed.statusCode).toBe(200);
    const fresh = { authorization: `Bearer ${changed.json().access}` };
    const enrol = (await inject({ method: 'POST', url: '/api/users/me/mfa/', headers: fresh })).json();
    const secret = Secret.fromBase32(enrol.secret);
    const code1 = TOTP.generate({ secret, timestamp: Date.now() - 30_000 });
    const confirmed = (
      await inject({ method: 'POST', url: '/api/users/me/mfa/confirm/', headers: fresh, payload: { code: code1 } })
    ).json();
    const challenge = (await inject({ method: 'POST', url: '/api/login/', payload: { email: USER_EMAIL, password: NEW_PASSWORD } })).json();
    expect(challenge.mfa_required).toBe(true);
    const code2 = TOTP.generate({ secret, timestamp: Date.now() });
    const mfaLogin = await inject({ method: 'POST', url: '/api/login/mfa/', payload: { mfa_token: challenge.mfa_token, code: code2 } });
    expect(mfaLogin.statusCode).toBe(200);
    const recoveryLogin = (
      await inject({ method: 'POST', url: '/api/login/', payload: { email: USER_EMAIL, password: NEW_PASSWORD } })
    ).json();
    await inject({
      method: 'POST',
      url: '/api/login/mfa/',
      payload: { mfa_token: recoveryLogin.mfa_token, code: confirmed.recovery_codes[0] },
    });
    expect((await inject({ method: 'POST', url: '/api/logout/', payload: { refresh: mfaLogin.json().refresh } })).statusCode).toBe(204);

    // A request the validator refuses, carrying PHI in the body and the query.
    const invalid = await inject({
      method: 'POST',
      url: `/api/patients/?search=${SEARCH}`,
      headers: staff,
      payload: { ...patient, date_of_birth: 'not-a-date', unexpected_field: patient.last_name },
    });
    expect(invalid.statusCode).toBe(400);
    // A server error while handling PHI: the table is gone from under the app.
    await sql`drop table appointments`.execute(t.db);
    const broken = await inject({ method: 'GET', url: `/api/appointments/?search=${SEARCH}`, headers: staff });
    expect(broken.statusCode).toBe(500);
    expect(broken.body).not.toContain('appointments');

    sent.push(
      ...Object.values(patient).filter((v) => v.length >= 5),
      USER_EMAIL,
      PASSWORD,
      NEW_PASSWORD,
      'guess-guess-guess-1',
      SEARCH,
      login.access,
      login.refresh,
      rotated.access,
      rotated.refresh,
      changed.json().access,
      changed.json().refresh,
      challenge.mfa_token,
      mfaLogin.json().access,
      mfaLogin.json().refresh,
      enrol.secret,
      enrol.otpauth_uri,
      code1,
      code2,
      ...confirmed.recovery_codes,
      staff.authorization.slice(7),
    );

    // The logs are there (this test can fail): requests, responses with ids, and the error.
    expect(capture.lines.length).toBeGreaterThan(30);
    expect(capture.text).toContain('"statusCode":500');
    expect(capture.text).toContain('unhandled error');
    expect(capture.text).toContain(String(invalid.headers['x-request-id']));
    // Timings are numbers that can contain any digit run (a zip code); they carry nothing sent.
    const text = capture.text.replace(/"(time|responseTime|pid)":[\d.]+/g, '');
    for (const value of sent) {
      expect(text.includes(value), `log contains a sent value: ${value.slice(0, 12)}…`).toBe(false);
    }
    // Tokens are also never logged in part (a JWT's signature is its last segment).
    for (const token of [login.access, rotated.refresh, challenge.mfa_token]) {
      expect(capture.text).not.toContain(token.split('.')[2]);
    }
  });
});
