import type { AuthProvider } from 'react-admin';
import { ensureFreshAccess, resumeSession, type StoredUser, tokens } from './api';

export const STAFF_ONLY_MESSAGE = 'Only clinic staff can use the dashboard.';

interface LoginAnswer {
  user: StoredUser & Record<string, unknown>;
  access: string;
  refresh: string;
  user_type: string;
}

async function revoke(refresh: string | null) {
  if (!refresh) return;
  try {
    await fetch('/api/logout/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refresh }),
    });
  } catch {
    // Offline or server gone: the token still expires on its own.
  }
}

function loginError(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string') return b.detail;
    for (const value of Object.values(b)) {
      if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    }
  }
  return status === 429 ? 'Too many attempts. Please wait and try again.' : 'Sign-in failed. Please try again.';
}

/**
 * Staff only: the server decides what each user may do, but only staff have anything to do here,
 * so a provider's or patient's fresh login is revoked at once and nothing is kept.
 */
export const authProvider: AuthProvider = {
  async login(params: { email?: string; username?: string; password: string }) {
    const email = params.email ?? params.username ?? '';
    const res = await fetch('/api/login/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email, password: params.password }),
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new Error(loginError(body, res.status));
    const answer = body as LoginAnswer;
    if (answer.user_type !== 'staff') {
      await revoke(answer.refresh);
      tokens.clear();
      throw new Error(STAFF_ONLY_MESSAGE);
    }
    const { id, name, email: userEmail, user_type } = answer.user;
    tokens.save({ access: answer.access, refresh: answer.refresh }, { id, name, email: userEmail, user_type });
  },

  async logout() {
    const refresh = tokens.refresh;
    tokens.clear();
    await revoke(refresh);
  },

  async checkAuth() {
    if (!tokens.refresh) throw new Error('Please sign in.');
    resumeSession();
    await ensureFreshAccess();
  },

  async checkError(error: { status?: number }) {
    // 401 reaches here only after api() already tried one refresh: the session is over.
    if (error?.status === 401) {
      tokens.clear();
      throw new Error('Your session has ended. Please sign in again.');
    }
    // 403 and the rest are messages for the user, not a reason to sign out.
  },

  async getIdentity() {
    const user = tokens.user;
    if (!user) throw new Error('Not signed in.');
    return { id: user.id, fullName: user.name || user.email };
  },

  async getPermissions() {
    return tokens.user?.user_type ?? null;
  },
};
