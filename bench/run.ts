import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestSpec } from 'autocannon';
import { sql } from 'kysely';
import { parseArgs } from '../src/cli/args.js';
import { ProgressBar } from '../src/cli/progress.js';
import { openDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { DEMO_PASSWORD, seedDemo } from '../src/modules/demo/demo.seed.js';
import { freshDatabase } from './lib/database.js';
import { type LoadOptions, measure, measureWithProbe, type Row, type Workload } from './lib/load.js';
import { RssWatcher, startProcess } from './lib/processes.js';
import { markdown, type Report, writeReport } from './lib/report.js';

const USAGE = `Usage: npm run bench -- [options]
  --patients N        patients to seed (default 100000; --quick: 10000)
  --duration S        seconds per workload (default 10; --quick: 3)
  --connections N     concurrent connections (default 50)
  --warmup S          warm-up seconds before each workload (default 3; --quick: 1)
  --database-url URL  a postgres:// server to create a fresh database on (dropped at the end);
                      default: SQLite in a temporary file
  --workers N         run the server with WORKERS=N (cluster mode)
  --only a,b          run only these workloads (login, me, patient, list, deep, search, slots, book, ceiling)
  --quick             smoke run: 10000 patients, 3 s per workload`;

const root = path.resolve(import.meta.dirname, '..');
const args = parseArgs(process.argv.slice(2));
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = args.quick === true;
const num = (key: string, fallback: number) => (typeof args[key] === 'string' ? Number(args[key]) : fallback);
const patients = num('patients', quick ? 10_000 : 100_000);
const load: LoadOptions = {
  connections: num('connections', 50),
  duration: num('duration', quick ? 3 : 10),
  warmup: num('warmup', quick ? 1 : 3),
};
const workers = num('workers', 1);
const only = typeof args.only === 'string' ? new Set(args.only.split(',')) : null;
const want = (name: string) => !only || only.has(name);
const SERVER_PORT = num('port', 18_080);
const CEILING_PORT = SERVER_PORT + 1;
const base = `http://127.0.0.1:${SERVER_PORT}`;
/** Distinct random paths per randomised read (patient ids, providers), drawn before the run. */
const RANDOM_REQUESTS = 1_000;

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sends the first few requests in turn, as a connection would; null when all answered 2xx. */
async function probeStatus(w: Workload): Promise<string | null> {
  const ctx: Record<string, unknown> = {};
  for (const spec of w.requests().slice(0, 5)) {
    const req = spec.setupRequest ? (spec.setupRequest({ ...spec }, ctx) ?? spec) : spec;
    const res = await fetch(`${w.url}${req.path ?? '/'}`, { method: req.method ?? 'GET', headers: req.headers, body: req.body });
    const text = await res.text();
    spec.onResponse?.(res.status, text, ctx, {});
    if (res.status >= 300) return `${req.method ?? 'GET'} ${req.path} answered ${res.status}`;
  }
  return null;
}

/** Waits until the server answers its health check quickly again (its queue has drained). */
async function settle(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const started = performance.now();
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok && performance.now() - started < 20) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const machine = { cpus: availableParallelism(), loadAverage: loadavg(), node: process.version };
  const database = await freshDatabase(typeof args['database-url'] === 'string' ? args['database-url'] : undefined);
  const stops: (() => Promise<void>)[] = [];
  try {
    console.log(`Seeding ${patients} patients into ${database.label}...`);
    const db = openDatabase(database.url);
    const bar = new ProgressBar(process.stdout);
    await migrateToLatest(db);
    const seed = await seedDemo(db, { patients, seed: 1, onProgress: (p) => bar.update(p.phase, p.done, p.total) });
    console.log(`Seeded in ${seed.seconds.toFixed(1)} s.`);
    // Free future slots for the booking workload, each with a patient of its own who has nothing
    // booked to come: the API rightly refuses (409) a patient already booked at the slot's time,
    // which a random patient was about once in 1 000 bookings, and two connections drawing the
    // same patient for two slots at one time about once in 20 000.
    const slotRows = await db
      .selectFrom('appointment_slots')
      .select(['id', 'provider'])
      .where('is_available', '=', true)
      .where('dateandtime', '>', new Date(Date.now() + 3600_000).toISOString())
      .orderBy('id')
      .limit(5000)
      .execute();
    const freePatients = (
      await db
        .selectFrom('patients')
        .select('id')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('appointments')
                .select('appointments.id')
                .whereRef('appointments.patient', '=', 'patients.id')
                .where('dateandtime', '>', new Date().toISOString())
                .where('status', '<>', 'cancelled'),
            ),
          ),
        )
        .orderBy('id')
        .limit(slotRows.length)
        .execute()
    ).map((p) => p.id);
    const freeSlots = slotRows.slice(0, freePatients.length).map((slot, i) => ({ ...slot, patient: freePatients[i] }));
    const loginEmails = (
      await db.selectFrom('users').select('email').where('user_type', '=', 'patient').orderBy('id').limit(200).execute()
    ).map((u) => u.email);
    const surname = await db
      .selectFrom('patients')
      .select(sql<string>`lower(substr(last_name, 1, 3))`.as('p'))
      .where('id', '=', seed.patientIds.min)
      .executeTakeFirstOrThrow();
    await db.destroy();

    const server = await startProcess(
      process.execPath,
      [path.join(root, 'dist/server.js')],
      {
        DATABASE_URL: database.url,
        PORT: String(SERVER_PORT),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        JWT_SECRET: randomBytes(32).toString('hex'),
        WORKERS: String(workers),
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        DATA_DIR: path.join(tmpdir(), 'customehr-bench-data'),
      },
      async () => (await fetch(`${base}/healthz`)).ok,
      'server',
    );
    stops.push(server.stop);
    const rss = new RssWatcher(server.child.pid!);
    rss.start();

    const staff = await post(`${base}/api/login/`, { email: seed.logins.staff, password: DEMO_PASSWORD });
    if (staff.status !== 200) throw new Error(`staff login failed: ${staff.status} ${JSON.stringify(staff.body)}`);
    const token = String(staff.body.access);
    const auth = { authorization: `Bearer ${token}` };

    // The ceiling answers a body exactly as large as a real patient record.
    const sample = await fetch(`${base}/api/patients/${seed.patientIds.min}/`, { headers: auth });
    if (!sample.ok) throw new Error(`GET patient failed: ${sample.status}`);
    const bodyFile = path.join(tmpdir(), `customehr-ceiling-${process.pid}.json`);
    writeFileSync(bodyFile, await sample.text());
    const ceiling = await startProcess(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench/ceiling.ts'), bodyFile, String(CEILING_PORT)],
      {},
      async () => (await fetch(`http://127.0.0.1:${CEILING_PORT}/`)).ok,
      'ceiling',
    );
    stops.push(ceiling.stop);

    const { min, max } = seed.patientIds;
    const randomId = () => min + Math.floor(Math.random() * (max - min + 1));
    const deepPage = Math.max(2, Math.floor((patients / 20) * 0.9));
    // Random paths are drawn before the run: autocannon rebuilds a request with `setupRequest`
    // on every send, client CPU taken from the server on two cores that the ceiling's fixed
    // request never pays (15 % of patient-by-id req/s in one run). Every connection builds each
    // request of the list once at its start, so the list is kept to RANDOM_REQUESTS (20 000 took
    // the client 11 s to set up); the connections drift apart within a second of the start.
    const get =
      (p: string | (() => string)): (() => RequestSpec[]) =>
      () =>
        typeof p === 'string'
          ? [{ method: 'GET', path: p, headers: auth }]
          : Array.from({ length: RANDOM_REQUESTS }, () => ({ method: 'GET', path: p(), headers: auth }));
    let nextEmail = 0;
    const workloads: Record<string, Workload> = {
      login: {
        name: 'POST /api/login/',
        read: false,
        url: base,
        requests: () => [
          {
            method: 'POST',
            path: '/api/login/',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({ email: loginEmails[nextEmail++ % loginEmails.length], password: DEMO_PASSWORD }),
            }),
          },
        ],
      },
      me: { name: 'GET /api/users/me/', read: true, url: base, requests: get('/api/users/me/') },
      patient: {
        name: 'GET /api/patients/{id}/',
        read: true,
        url: base,
        requests: get(() => `/api/patients/${randomId()}/`),
        note: 'random ids',
      },
      list: { name: 'GET /api/patients/?page=1', read: true, url: base, requests: get('/api/patients/?page=1') },
      deep: { name: `GET /api/patients/?page=${deepPage}`, read: true, url: base, requests: get(`/api/patients/?page=${deepPage}`) },
      search: {
        name: `GET /api/patients/?search=${surname.p}`,
        read: true,
        url: base,
        requests: get(`/api/patients/?search=${surname.p}`),
      },
      slots: {
        name: 'GET available_slots',
        read: true,
        url: base,
        requests: get(
          () => `/api/appointments/available_slots/?provider_id=${seed.providerIds[Math.floor(Math.random() * seed.providerIds.length)]}`,
        ),
        note: 'random provider',
      },
      book: {
        name: 'book then cancel',
        read: false,
        url: base,
        note: 'POST + DELETE',
        requests: () => [
          {
            method: 'POST',
            path: '/api/appointments/',
            headers: { ...auth, 'content-type': 'application/json' },
            setupRequest: (req, ctx) => {
              const slot = freeSlots.shift()!;
              ctx.slot = slot;
              const body = {
                patient: slot.patient,
                provider: slot.provider,
                appointment_slot: slot.id,
                appointment_mode: 'in_person',
                appointment_type: 'consultation',
                reason_for_visit: 'Benchmark visit',
              };
              return { ...req, body: JSON.stringify(body) };
            },
            onResponse: (status, body, ctx) => {
              ctx.id = status === 201 ? (JSON.parse(body) as { id: number }).id : 0;
              if (status !== 201) freeSlots.push(ctx.slot as (typeof freeSlots)[number]);
            },
          },
          {
            method: 'DELETE',
            headers: auth,
            setupRequest: (req, ctx) => ({ ...req, path: `/api/appointments/${ctx.id}/` }),
            onResponse: (status, _body, ctx) => {
              if (status === 204) freeSlots.push(ctx.slot as (typeof freeSlots)[number]);
            },
          },
        ],
      },
      ceiling: {
        name: 'ceiling (bare Fastify)',
        read: true,
        url: `http://127.0.0.1:${CEILING_PORT}`,
        requests: () => [{ method: 'GET', path: '/' }],
      },
    };

    const rows: Row[] = [];
    let meDuringLogin: Row | null = null;
    for (const [key, w] of Object.entries(workloads)) {
      if (!want(key)) continue;
      process.stdout.write(`${w.name} ... `);
      // A route that is missing or failing is reported as such, not measured as fast errors.
      const probe = await probeStatus(w);
      if (probe !== null) {
        rows.push({
          name: w.name,
          read: w.read,
          rps: 0,
          p50: Number.NaN,
          p99: Number.NaN,
          errors: 0,
          requests: 0,
          note: `skipped: ${probe}`,
        });
        console.log(`skipped (${probe})`);
        continue;
      }
      if (key === 'login') {
        const [row, probe] = await measureWithProbe(w, { ...workloads.me, name: 'GET /api/users/me/ during logins' }, load, 50);
        rows.push(row);
        meDuringLogin = probe;
      } else rows.push(await measure(w, load));
      const r = rows[rows.length - 1];
      console.log(`${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors`);
      // Requests still queued in the server when the client stops must not slow the next workload.
      await settle(base);
    }
    const ceilingRps = rows.find((r) => r.name.startsWith('ceiling'))?.rps;
    if (ceilingRps) for (const r of rows) if (r.read) r.ratio = r.rps / ceilingRps;

    const report: Report = {
      date: new Date().toISOString(),
      database: database.label.replace(/ \(.*/, ''),
      patients,
      seedSeconds: seed.seconds,
      connections: load.connections,
      duration: load.duration,
      workers,
      tool: 'autocannon',
      machine,
      rows,
      meDuringLogin,
      rss: rss.stop(),
    };
    console.log(`\n${markdown(report)}`);
    console.log(`Written to ${writeReport(path.join(root, 'bench/results'), report)}.{md,json}`);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
