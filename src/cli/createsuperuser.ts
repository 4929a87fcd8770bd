import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createSuperuser, SuperuserInputError } from '../modules/users/superuser.js';
import { parseArgs } from './args.js';

const USAGE = `Usage: npm run createsuperuser [-- --email E --name N (--password P | --password-stdin)]
Without arguments it asks for each value (the password is not echoed).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal; the password prompt mutes what is typed. */
async function ask(question: string, hidden = false): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  const pending = rl.question(question);
  muted = hidden;
  const answer = await pending;
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const email = typeof args.email === 'string' ? args.email : await ask('Email: ');
  const name = typeof args.name === 'string' ? args.name : await ask('Name: ');
  let password: string;
  if (typeof args.password === 'string') password = args.password;
  else if (args['password-stdin']) password = await readStdin();
  else {
    password = await ask('Password: ', true);
    const again = await ask('Password (again): ', true);
    if (again !== password) throw new SuperuserInputError("password: the two passwords didn't match.");
  }

  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const user = await createSuperuser(db, { email, name, password });
    console.log(`Superuser created: ${user.email} (id ${user.id}).`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  if (err instanceof SuperuserInputError) {
    console.error(`Error:\n${err.message}`);
    process.exit(1);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
