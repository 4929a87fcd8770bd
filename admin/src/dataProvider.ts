import type { DataProvider, GetListParams, Identifier, RaRecord } from 'react-admin';
import { api } from './api';

/** Resources whose list takes ?id=… to fetch several records at once. */
const BATCHED = new Set(['patients', 'clinician-users']);

/**
 * react-admin over the DRF-style API: `{count, next, previous, results}` pages with `?page=`,
 * `?page_size=`, `?search=`, `?ordering=` (-field for descending) and exact filters named after
 * fields. Field errors (400) come back on the inputs; 409/403 details as plain notifications.
 */

/** Fields the API sets itself: never sent back (write bodies refuse unknown fields). */
const READ_ONLY = new Set(['id', 'url', 'created_at', 'updated_at', 'date_joined', 'last_login']);

/** Fields where an empty input means null; every other empty input is sent as ''. */
const NULLABLE: Record<string, Set<string>> = {
  users: new Set(['linked_patient', 'linked_clinician']),
  appointments: new Set(['appointment_slot', 'estimated_amount']),
};

export function resourcePath(resource: string, id?: Identifier): string {
  return id === undefined ? `/api/${resource}/` : `/api/${resource}/${encodeURIComponent(String(id))}/`;
}

/** A write body: only writable fields, empty inputs as '' or null as the API expects. */
export function writeBody(resource: string, data: Record<string, unknown>, previous?: Record<string, unknown>) {
  const nullable = NULLABLE[resource] ?? new Set<string>();
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(data)) {
    if (READ_ONLY.has(key) || key.startsWith('_') || raw === undefined) continue;
    const value = raw === null || raw === '' ? (nullable.has(key) ? null : '') : raw;
    // PATCH only what changed: an untouched field is not re-validated or re-audited.
    if (previous && JSON.stringify(previous[key] ?? (nullable.has(key) ? null : '')) === JSON.stringify(value)) continue;
    out[key] = value;
  }
  return out;
}

export function listQuery(params: Partial<GetListParams>): URLSearchParams {
  const qs = new URLSearchParams();
  const { page = 1, perPage = 20 } = params.pagination ?? {};
  if (page > 1) qs.set('page', String(page));
  qs.set('page_size', String(Math.min(perPage, 100)));
  if (params.sort?.field) qs.set('ordering', `${params.sort.order === 'DESC' ? '-' : ''}${params.sort.field}`);
  for (const [key, value] of Object.entries(params.filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    qs.set(key === 'q' ? 'search' : key, String(value));
  }
  return qs;
}

interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

async function getPage(resource: string, params: Partial<GetListParams>) {
  try {
    const { json } = await api<Page<RaRecord>>(`${resourcePath(resource)}?${listQuery(params)}`, { signal: params.signal });
    return { data: json.results, total: json.count };
  } catch (error) {
    // A page past the end (after a delete or a narrower filter): react-admin goes back to page 1.
    if ((error as { status?: number }).status === 404 && (params.pagination?.page ?? 1) > 1) return { data: [], total: 0 };
    throw error;
  }
}

export const dataProvider: DataProvider = {
  getList: (resource, params) => getPage(resource, params) as never,

  async getOne(resource, params) {
    const { json } = await api<RaRecord>(resourcePath(resource, params.id), { signal: params.signal });
    return { data: json } as never;
  },

  async getMany(resource, params) {
    const ids = [...new Set(params.ids)];
    if (BATCHED.has(resource) && ids.length > 0 && ids.length <= 100) {
      // One list request with ?id=…&id=… (one audit event for patients, not one per record).
      const query = new URLSearchParams(ids.map((id) => ['id', String(id)]));
      query.set('page_size', '100');
      const { json } = await api<{ results: RaRecord[] }>(`${resourcePath(resource)}?${query}`, { signal: params.signal });
      return { data: json.results } as never;
    }
    const settled = await Promise.allSettled(ids.map((id) => api<RaRecord>(resourcePath(resource, id), { signal: params.signal })));
    return { data: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.json] : [])) } as never;
  },

  getManyReference: (resource, params) =>
    getPage(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } }) as never,

  async create(resource, params) {
    const { json } = await api<RaRecord>(resourcePath(resource), {
      method: 'POST',
      body: JSON.stringify(writeBody(resource, params.data)),
    });
    return { data: json } as never;
  },

  async update(resource, params) {
    const body = writeBody(resource, params.data as Record<string, unknown>, params.previousData as Record<string, unknown>);
    const { json } = await api<RaRecord>(resourcePath(resource, params.id), { method: 'PATCH', body: JSON.stringify(body) });
    return { data: json } as never;
  },

  async updateMany(resource, params) {
    const body = writeBody(resource, params.data as Record<string, unknown>);
    await Promise.all(params.ids.map((id) => api(resourcePath(resource, id), { method: 'PATCH', body: JSON.stringify(body) })));
    return { data: params.ids } as never;
  },

  async delete(resource, params) {
    await api(resourcePath(resource, params.id), { method: 'DELETE' });
    return { data: params.previousData ?? { id: params.id } } as never;
  },

  async deleteMany(resource, params) {
    await Promise.all(params.ids.map((id) => api(resourcePath(resource, id), { method: 'DELETE' })));
    return { data: params.ids } as never;
  },
};

/** Plain calls for the custom screens (bulk slots, available slots, dashboard counts). */
export async function count(resource: string, filter: Record<string, string | number | boolean> = {}): Promise<number> {
  const qs = listQuery({ pagination: { page: 1, perPage: 1 }, filter });
  const { json } = await api<Page<unknown>>(`${resourcePath(resource)}?${qs}`);
  return json.count;
}
