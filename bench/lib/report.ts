import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Row } from './load.js';

export interface Report {
  date: string;
  database: string;
  patients: number;
  seedSeconds: number;
  connections: number;
  duration: number;
  workers: number;
  tool: string;
  machine: { cpus: number; loadAverage: number[]; node: string };
  rows: Row[];
  meDuringLogin: Row | null;
  rss: { maxProcessMb: number; totalMb: number; processes: number };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** " (409: 2, timeout: 1)" after an error count, so a reader sees what failed. */
const kinds = (r: Row) =>
  r.errorKinds
    ? ` (${Object.entries(r.errorKinds)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')})`
    : '';

export function table(rows: Row[]): string {
  const head = '| workload | req/s | p50 ms | p99 ms | errors | vs ceiling |\n| --- | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map(
    (r) =>
      `| ${r.name}${r.note ? ` (${r.note})` : ''} | ${r.rps} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors}${kinds(r)} | ${r.ratio === undefined ? '' : `${Math.round(r.ratio * 100)} %`} |`,
  );
  return [head, ...lines].join('\n');
}

export function markdown(r: Report): string {
  const probe = r.meDuringLogin;
  return `# Benchmark ${r.date}

${r.database}, ${r.patients} patients (seeded in ${fmt(r.seedSeconds)} s), ${r.connections} connections, ${r.duration} s per
workload after a warm-up, ${r.workers} server process${r.workers === 1 ? '' : 'es'}, load by ${r.tool}.
Machine: ${r.machine.cpus} CPUs, load average at the start ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}, Node ${r.machine.node}.

${table(r.rows)}

GET /api/users/me/ while logins run flat out: ${probe ? `p50 ${fmt(probe.p50)} ms, p99 ${fmt(probe.p99)} ms, ${probe.rps} req/s, ${probe.errors} errors` : 'not measured'}.

Server peak RSS (VmHWM): ${r.rss.maxProcessMb} MB for the largest process, ${r.rss.totalMb} MB over ${r.rss.processes} process(es).
`;
}

export function writeReport(dir: string, r: Report): string {
  mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, r.date.replace(/:/g, '-').replace(/\..*$/, ''));
  writeFileSync(`${stem}.md`, markdown(r));
  writeFileSync(`${stem}.json`, `${JSON.stringify(r, null, 2)}\n`);
  return stem;
}
