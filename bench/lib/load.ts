import autocannon, { type RequestSpec, type Result } from 'autocannon';

export interface LoadOptions {
  connections: number;
  duration: number;
  warmup: number;
}

export interface Row {
  name: string;
  /** Reads are compared with the ceiling; writes and logins are not. */
  read: boolean;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  ratio?: number;
  note?: string;
  /** What the errors were: non-2xx statuses by code, `timeout`, `error` (connection). */
  errorKinds?: Record<string, number>;
}

export interface Workload {
  name: string;
  read: boolean;
  url: string;
  /** Requests cycled by each connection (autocannon's `requests`). */
  requests: () => RequestSpec[];
  connections?: number;
  note?: string;
}

/** autocannon counts a timeout in `errors` too. */
function errorsOf(r: Result): number {
  return r.errors + r.non2xx;
}

function errorKindsOf(r: Result): Record<string, number> | undefined {
  const kinds: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) if (!code.startsWith('2') && count > 0) kinds[code] = count;
  if (r.timeouts > 0) kinds.timeout = r.timeouts;
  if (r.errors - r.timeouts > 0) kinds.error = r.errors - r.timeouts;
  return Object.keys(kinds).length > 0 ? kinds : undefined;
}

export function toRow(w: Pick<Workload, 'name' | 'read' | 'note'>, r: Result): Row {
  return {
    name: w.name,
    read: w.read,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: errorsOf(r),
    requests: r.requests.total,
    ...(errorKindsOf(r) ? { errorKinds: errorKindsOf(r) } : {}),
    ...(w.note ? { note: w.note } : {}),
  };
}

/** One workload: a warm-up whose numbers are thrown away, then the measured run. */
export async function measure(w: Workload, o: LoadOptions): Promise<Row> {
  const connections = w.connections ?? o.connections;
  if (o.warmup > 0) await autocannon({ url: w.url, connections, duration: o.warmup, requests: w.requests() });
  const result = await autocannon({ url: w.url, connections, duration: o.duration, requests: w.requests() });
  return toRow(w, result);
}

/**
 * Logins at full load while a second, gentle client (a few connections, a fixed rate) reads
 * /api/users/me/: password hashing runs off the event loop, so that client must not stall.
 */
export async function measureWithProbe(w: Workload, probe: Workload, o: LoadOptions, probeRate: number): Promise<[Row, Row]> {
  const connections = w.connections ?? o.connections;
  if (o.warmup > 0) await autocannon({ url: w.url, connections, duration: o.warmup, requests: w.requests() });
  const [main, side] = await Promise.all([
    autocannon({ url: w.url, connections, duration: o.duration, requests: w.requests() }),
    autocannon({ url: probe.url, connections: 4, duration: o.duration, overallRate: probeRate, requests: probe.requests() }),
  ]);
  return [toRow(w, main), toRow(probe, side)];
}
