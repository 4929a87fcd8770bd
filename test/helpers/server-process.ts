import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The real built server (`node dist/server.js`) as a child process on a free port, for tests of
 * what only several processes show: cluster workers racing on one database, counters shared
 * through Redis. The tests in test/cli run the sources through tsx instead.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER = path.join(ROOT, 'dist/server.js');

export interface ServerProcess {
  port: number;
  base: string;
  pid: number;
  /** Everything the process (and its workers) wrote to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far. */
  logs(): Record<string, unknown>[];
  /** SIGTERM, then SIGKILL to the whole process group after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function serverIsFresh(): boolean {
  if (!existsSync(SERVER)) return false;
  const built = statSync(SERVER).mtimeMs;
  return built >= Math.max(newestMtime(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'package.json')).mtimeMs);
}

/**
 * Builds dist/ when it is missing or older than src/ (as `npm start` does), so these tests never
 * run yesterday's server. One builder at a time: several test files (and both projects) may ask
 * at once, and a file half written by tsc must not be started.
 */
export async function ensureServerBuilt(): Promise<void> {
  const lock = path.join(tmpdir(), `customehr-dist-build-${Buffer.from(ROOT).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A builder that died leaves its lock behind; a real build takes well under this.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 150_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for the dist/ build lock ${lock}`);
      await sleep(250);
    }
  }
  try {
    if (serverIsFresh()) return;
    const res = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
    if (res.status !== 0) throw new Error(`npm run build (tsc) failed, so dist/server.js cannot be tested:\n${res.stdout}${res.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** True when nothing listens on the port on 127.0.0.1 right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function randomFreePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found');
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// The server runs in its own process group (its cluster workers too), so a failed test can end
// all of it by the group id, and nothing outlives the test run.
const running = new Set<number>();
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
process.once('exit', () => {
  for (const pid of running) killGroup(pid);
});

function parseLogs(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** The pids of the processes that logged "customehr listening": one per serving worker. */
export function listeningPids(server: Pick<ServerProcess, 'logs'>): Set<number> {
  return new Set(
    server
      .logs()
      .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('customehr listening'))
      .map((l) => Number(l.pid)),
  );
}

async function startOnce(port: number, env: Record<string, string>, listeners: number, timeoutMs: number) {
  const child = spawn(process.execPath, [SERVER], {
    // A temporary working directory: the developer's .env in the repository is not read.
    cwd: env.DATA_DIR ?? tmpdir(),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error('the server process did not start');
  const pid = child.pid;
  running.add(pid);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const server: ServerProcess = {
    port,
    base: `http://127.0.0.1:${port}`,
    pid,
    output: () => output,
    logs: () => parseLogs(output),
    async stop(graceMs = 15_000) {
      const exited = exitOf(child);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
      const code = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
      // Whatever is left of the group (workers a primary left behind, or a hung primary) ends now.
      killGroup(pid);
      running.delete(pid);
      if (code !== 'timeout') return code;
      await exited;
      return null;
    },
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (/already in use/.test(output)) {
      await server.stop(2_000);
      return { server: null, reason: 'port in use' };
    }
    if (child.exitCode !== null) {
      running.delete(pid);
      throw new Error(`the server exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    if (listeningPids(server).size >= listeners) {
      try {
        const res = await fetch(`${server.base}/readyz`);
        if (res.ok) return { server, reason: '' };
      } catch {}
    }
    await sleep(200);
  }
  await server.stop(2_000);
  throw new Error(`the server was not ready within ${timeoutMs} ms:\n${output}`);
}

/**
 * Starts `node dist/server.js` (building it first when stale) on a random free port and waits
 * until `listeners` processes (the WORKERS) have logged that they listen and /readyz answers.
 * Cluster mode cannot listen on port 0, so a port someone takes in between means another try.
 */
export async function startBuiltServer(
  env: Record<string, string>,
  options: { listeners?: number; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  await ensureServerBuilt();
  const listeners = options.listeners ?? Math.max(1, Number(env.WORKERS ?? 1));
  for (let attempt = 0; attempt < 5; attempt++) {
    const { server } = await startOnce(await randomFreePort(), env, listeners, options.timeoutMs ?? 60_000);
    if (server) return server;
  }
  throw new Error('could not start the server: every port tried was taken');
}
