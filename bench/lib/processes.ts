import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process and resolves once `ready` says it answers; its stderr is passed through. */
export async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: () => Promise<boolean>,
  label: string,
): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (!(await ready().catch(() => false))) {
    if (exited) throw new Error(`${label} exited during start-up (code ${child.exitCode})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not become ready within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and its children (cluster workers). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/**
 * Peak resident memory of the server: VmHWM (the kernel's high-water mark) of each process of its
 * tree, polled so workers that come and go are counted too.
 */
export class RssWatcher {
  private readonly peaks = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pid: number) {}

  start(): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), 1000);
    this.timer.unref();
  }

  poll(): void {
    for (const pid of processTree(this.pid)) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, statusKb(pid, 'VmHWM')));
  }

  stop(): { maxProcessMb: number; totalMb: number; processes: number } {
    this.poll();
    if (this.timer) clearInterval(this.timer);
    const values = [...this.peaks.values()].filter((v) => v > 0);
    return {
      maxProcessMb: Math.round(Math.max(0, ...values) / 1024),
      totalMb: Math.round(values.reduce((a, b) => a + b, 0) / 1024),
      processes: values.length,
    };
  }
}
