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

/**
 * One prompt session for all questions (piped input is read line by line); on a terminal the
 * password prompts mute what is typed.
 */
function prompter() {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let closed = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  return {
    async ask(question: string, hidden = false): Promise<string> {
      output.write(question);
      muted = hidden;
      const line = lines.length > 0 ? lines.shift() : closed ? undefined : await new Promise<string | undefined>((r) => waiting.push(r));
      muted = false;
      if (hidden) output.write('\n');
      if (line === undefined) throw new SuperuserInputError('input ended before every value was given.');
      return line;
    },
    close: () => rl.close(),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const needsPrompt =
    typeof args.email !== 'string' || typeof args.name !== 'string' || (typeof args.password !== 'string' && !args['password-stdin']);
  const prompt = needsPrompt ? prompter() : null;
  let email: string;
  let name: string;
  let password: string;
  try {
    email = typeof args.email === 'string' ? args.email : await prompt!.ask('Email: ');
    name = typeof args.name === 'string' ? args.name : await prompt!.ask('Name: ');
    if (typeof args.password === 'string') password = args.password;
    else if (args['password-stdin']) password = await readStdin();
    else {
      password = await prompt!.ask('Password: ', true);
      const again = await prompt!.ask('Password (again): ', true);
      if (again !== password) throw new SuperuserInputError("password: the two passwords didn't match.");
    }
  } finally {
    prompt?.close();
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
