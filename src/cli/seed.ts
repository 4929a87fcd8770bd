import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { DEMO_PASSWORD, defaultProviders, SeedRefusedError, type SeedSummary, seedDemo } from '../modules/demo/demo.seed.js';
import { parseArgs } from './args.js';
import { ProgressBar } from './progress.js';

const USAGE = `Usage: npm run seed -- [options]

Fills a demo clinic with fake data (deterministic for a given --seed): staff, providers with
their accounts, patients with theirs, two weeks of weekday slots (09:00-17:00 every 30 min in the
clinic's time zone, about a third booked) and past visits. All demo users share one password.

  --patients N        patients, each with a patient login (default 1000)
  --providers N       clinicians, each with a provider login (default max(20, min(200, patients/500)))
  --staff N           staff logins; the first, admin@clinic.example.com, is a superuser (default 5)
  --seed N            random seed (default 42)
  --password P        the demo password (default "${DEMO_PASSWORD}")
  --timezone TZ       the clinic's IANA time zone (default America/New_York)
  --database-url URL  sqlite:<file> or postgres://... (default DATABASE_URL, else data/customehr.sqlite)
  --reset             empty EVERY table first (all users, patients, appointments, audit trail)

A database that already has users, patients or clinicians is refused unless --reset is given,
so a demo never mixes with real records. Refused altogether when NODE_ENV=production.`;

function intArg(args: Record<string, string | true>, key: string, fallback: number | undefined, min: number): number | undefined {
  const raw = args[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === true || !Number.isInteger(n) || n < min) throw new SeedRefusedError(`--${key} must be an integer >= ${min}`);
  return n;
}

function report(summary: SeedSummary, port: number) {
  const l = summary.logins;
  const base = `http://localhost:${port}`;
  console.log(`
Seeded in ${summary.seconds.toFixed(1)} s: ${summary.staff} staff, ${summary.providers} providers, ${summary.patients} patients,
${summary.slots} future slots (${summary.bookedSlots} booked, ${summary.slots - summary.bookedSlots} free), ${summary.appointments} appointments.

Demo logins (all with the password "${l.password}"):
  staff     ${l.staff}
  provider  ${l.provider}
  patient   ${l.patient}

Try it (npm start first):
  curl -s -X POST ${base}/api/login/ -H 'Content-Type: application/json' \\
    -d '{"email": "${l.staff}", "password": "${l.password}"}'
  TOKEN=<the "access" value from that answer>
  curl -s -H "Authorization: Bearer $TOKEN" ${base}/api/users/me/
  curl -s -H "Authorization: Bearer $TOKEN" '${base}/api/patients/?page=1'
  curl -s -H "Authorization: Bearer $TOKEN" '${base}/api/appointments/available_slots/?provider_id=${summary.providerIds[0]}'`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  if (config.env === 'production') throw new SeedRefusedError('Refusing to seed fake patients with NODE_ENV=production.');
  const patients = intArg(args, 'patients', 1000, 1) as number;
  const options = {
    patients,
    providers: intArg(args, 'providers', defaultProviders(patients), 1),
    staff: intArg(args, 'staff', 5, 1),
    seed: intArg(args, 'seed', 42, 0),
    password: typeof args.password === 'string' ? args.password : undefined,
    timezone: typeof args.timezone === 'string' ? args.timezone : undefined,
    reset: args.reset === true,
  };
  if (options.timezone) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: options.timezone });
    } catch {
      throw new SeedRefusedError(`--timezone: unknown time zone "${options.timezone}"`);
    }
  }
  const databaseUrl = typeof args['database-url'] === 'string' ? args['database-url'] : config.databaseUrl;
  const db = openDatabase(databaseUrl);
  const bar = new ProgressBar();
  try {
    await migrateToLatest(db);
    const summary = await seedDemo(db, { ...options, onProgress: (p) => bar.update(p.phase, p.done, p.total) });
    report(summary, config.port);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof SeedRefusedError ? `Error: ${err.message}` : err instanceof Error ? err.message : err);
  process.exit(1);
});
