import { HttpError } from 'react-admin';

/**
 * The one door to the API: bearer tokens, refresh before expiry, one retry after a 401, and DRF
 * error bodies turned into react-admin errors. Tokens live in sessionStorage (gone when the tab
 * closes); the password is never stored anywhere.
 */

const ACCESS_KEY = 'customehr.access';
const REFRESH_KEY = 'customehr.refresh';
const USER_KEY = 'customehr.user';
const MFA_NOTICE_KEY = 'customehr.mfa_enrollment_required';

/** Refresh this long before the access token expires (and at most at this fraction of its life). */
const REFRESH_MARGIN_MS = 60_000;

export interface StoredUser {
  id: number;
  name: string;
  email: string;
  user_type: string;
}

export const tokens = {
  get access(): string | null {
    return sessionStorage.getItem(ACCESS_KEY);
  },
  get refresh(): string | null {
    return sessionStorage.getItem(REFRESH_KEY);
  },
  get user(): StoredUser | null {
    const raw = sessionStorage.getItem(USER_KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as StoredUser;
    } catch {
      return null;
    }
  },
  save(pair: { access: string; refresh: string }, user?: StoredUser) {
    sessionStorage.setItem(ACCESS_KEY, pair.access);
    sessionStorage.setItem(REFRESH_KEY, pair.refresh);
    if (user) sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    scheduleRefresh();
  },
  /** The login answer said clinic policy requires MFA and this user has not enrolled yet. */
  get mfaEnrollmentRequired(): boolean {
    return sessionStorage.getItem(MFA_NOTICE_KEY) === 'true';
  },
  setMfaEnrollmentRequired(required: boolean) {
    if (required) sessionStorage.setItem(MFA_NOTICE_KEY, 'true');
    else sessionStorage.removeItem(MFA_NOTICE_KEY);
    notifyMfaNotice();
  },
  clear() {
    sessionStorage.removeItem(ACCESS_KEY);
    sessionStorage.removeItem(REFRESH_KEY);
    sessionStorage.removeItem(USER_KEY);
    sessionStorage.removeItem(MFA_NOTICE_KEY);
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = null;
    notifyMfaNotice();
  },
};

const mfaNoticeListeners = new Set<() => void>();
function notifyMfaNotice() {
  for (const listener of mfaNoticeListeners) listener();
}

/** For useSyncExternalStore: the notice disappears as soon as enrolment is confirmed. */
export function subscribeMfaNotice(listener: () => void): () => void {
  mfaNoticeListeners.add(listener);
  return () => mfaNoticeListeners.delete(listener);
}

/** Expiry (ms since epoch) from a JWT's payload; the signature is the server's business. */
export function tokenExpiry(jwt: string | null): number | null {
  if (!jwt) return null;
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const payload = JSON.parse(json) as { exp?: number; iat?: number };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

function tokenIssued(jwt: string | null): number | null {
  const part = jwt?.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: number };
    return typeof payload.iat === 'number' ? payload.iat * 1000 : null;
  } catch {
    return null;
  }
}

/** When to refresh: a minute before expiry, or at 80% of a short lifetime. */
function refreshDueAt(access: string | null): number | null {
  const exp = tokenExpiry(access);
  if (exp === null) return null;
  const iat = tokenIssued(access) ?? exp - 3_600_000;
  const lifetime = exp - iat;
  return exp - Math.min(REFRESH_MARGIN_MS, lifetime * 0.2);
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleRefresh() {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  const due = refreshDueAt(tokens.access);
  if (due === null) return;
  // Browsers clamp long timers; re-check at least every 10 minutes.
  const delay = Math.min(Math.max(due - Date.now(), 0), 600_000);
  refreshTimer = setTimeout(() => {
    const dueNow = refreshDueAt(tokens.access);
    if (dueNow !== null && dueNow <= Date.now() + 1000) void refreshTokens().catch(() => undefined);
    else scheduleRefresh();
  }, delay);
}

/** Resumes the timer after a page reload (tokens survive a reload in sessionStorage). */
export function resumeSession() {
  if (tokens.refresh) scheduleRefresh();
}

let inflight: Promise<void> | null = null;

/**
 * Exchanges the refresh token for a new pair. Only one exchange runs at a time: the token
 * rotates, and sending a spent one twice would make the server revoke the whole login.
 */
export function refreshTokens(): Promise<void> {
  inflight ??= (async () => {
    const refresh = tokens.refresh;
    if (!refresh) throw new HttpError('Your session has ended. Please sign in again.', 401);
    const res = await fetch('/api/token/refresh/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refresh }),
    });
    if (!res.ok) {
      tokens.clear();
      throw new HttpError('Your session has ended. Please sign in again.', 401);
    }
    const pair = (await res.json()) as { access: string; refresh: string };
    tokens.save(pair);
  })().finally(() => {
    inflight = null;
  });
  return inflight;
}

/** Refreshes first when the access token is about to expire. */
export async function ensureFreshAccess(): Promise<void> {
  const due = refreshDueAt(tokens.access);
  if (tokens.refresh && (tokens.access === null || (due !== null && due <= Date.now()))) await refreshTokens();
}

type DrfBody = Record<string, unknown> | null;

function firstMessage(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) return firstMessage(value[0]);
  return null;
}

/** A DRF error body as a react-admin HttpError: field errors under body.errors, detail as the message. */
export function toHttpError(status: number, body: DrfBody): HttpError {
  if (body && typeof body.detail === 'string') return new HttpError(body.detail, status, body);
  if (status === 400 && body && typeof body === 'object') {
    const errors: Record<string, unknown> = {};
    const messages: string[] = [];
    for (const [field, value] of Object.entries(body)) {
      const msg = firstMessage(value);
      if (!msg) continue;
      if (field === 'non_field_errors') {
        errors.root = { serverError: msg };
        messages.push(msg);
      } else {
        errors[field] = msg;
        messages.push(`${field.replace(/_/g, ' ')}: ${msg}`);
      }
    }
    const message = messages.length > 0 ? `Please correct the form. ${messages.join(' ')}` : 'The server refused the request.';
    return new HttpError(message, status, { ...body, errors });
  }
  return new HttpError(status >= 500 ? 'The server had a problem. Please try again.' : `Request failed (${status}).`, status, body);
}

export interface ApiResponse<T> {
  status: number;
  json: T;
}

/** Calls the API with the bearer token; after a 401 it refreshes once and retries. */
export async function api<T = unknown>(path: string, init: RequestInit = {}, retried = false): Promise<ApiResponse<T>> {
  await ensureFreshAccess();
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const access = tokens.access;
  if (access) headers.set('authorization', `Bearer ${access}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 && !retried && tokens.refresh) {
    try {
      await refreshTokens();
    } catch {
      throw new HttpError('Your session has ended. Please sign in again.', 401);
    }
    return api<T>(path, init, true);
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) throw toHttpError(res.status, json as DrfBody);
  return { status: res.status, json: json as T };
}
