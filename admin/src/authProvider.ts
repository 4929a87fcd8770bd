import type { AuthProvider } from 'react-admin';
import { ensureFreshAccess, resumeSession, type StoredUser, tokens } from './api';

export const STAFF_ONLY_MESSAGE = 'Only clinic staff can use the dashboard.';

interface LoginAnswer {
  user: StoredUser & Record<string, unknown>;
  access: string;
  refresh: string;
  user_type: string;
  mfa_enrollment_required?: boolean;
}

/**
 * The password was right and the user has MFA: a code is needed, with this short-lived token.
 * Thrown, not returned: react-admin's useLogin navigates away whenever login() resolves.
 */
export class SecondFactorRequired extends Error {
  constructor(readonly mfaToken: string) {
    super('Enter the code from your authenticator app.');
    this.name = 'SecondFactorRequired';
  }
}

/** Sign-in must start again from the password: the MFA token expired, or the user is not staff. */
export class StartOver extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartOver';
  }
}

export type LoginParams = { email?: string; username?: string; password: string } | { mfaToken: string; code: string };

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

async function post(path: string, payload: Record<string, string>): Promise<{ res: Response; body: unknown }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(payload),
  });
  return { res, body: await res.json().catch(() => null) };
}

/** "45 seconds", "15 minutes": how long a lockout lasts, from Retry-After. */
function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

function lockedMessage(res: Response, body: unknown): string {
  const seconds = Number(res.headers.get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return `Too many failed sign-in attempts. Try again in ${waitText(Math.ceil(seconds))}.`;
  return loginError(body, 429);
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

const TOTP_CODE = /^\d{6}$/;

/** The second step's 400: the server says "Invalid or expired code." for both kinds of code. */
function wrongCodeMessage(code: string): string {
  return TOTP_CODE.test(code)
    ? 'That code is wrong or has expired. Enter the 6-digit code your authenticator app shows now.'
    : 'That recovery code is wrong or has already been used. Each recovery code works once.';
}

/** Both steps end here: only staff keep the session; anyone else's fresh login is revoked at once. */
async function finish(answer: LoginAnswer) {
  if (answer.user_type !== 'staff') {
    await revoke(answer.refresh);
    tokens.clear();
    throw new StartOver(STAFF_ONLY_MESSAGE);
  }
  const { id, name, email, user_type } = answer.user;
  tokens.save({ access: answer.access, refresh: answer.refresh }, { id, name, email, user_type });
  tokens.setMfaEnrollmentRequired(answer.mfa_enrollment_required === true);
}

async function passwordStep(email: string, password: string) {
  const { res, body } = await post('/api/login/', { email, password });
  if (res.status === 429) throw new Error(lockedMessage(res, body));
  if (!res.ok) throw new Error(loginError(body, res.status));
  const answer = body as LoginAnswer | { mfa_required: true; mfa_token: string };
  // Not signed in yet: nothing is stored, and the password is forgotten by the caller.
  if ('mfa_required' in answer && answer.mfa_required) throw new SecondFactorRequired(answer.mfa_token);
  await finish(answer as LoginAnswer);
}

async function codeStep(mfaToken: string, rawCode: string) {
  const trimmed = rawCode.trim();
  // "123 456" as some apps show it; recovery codes keep their dash.
  const code = TOTP_CODE.test(trimmed.replace(/\s/g, '')) ? trimmed.replace(/\s/g, '') : trimmed;
  const { res, body } = await post('/api/login/mfa/', { mfa_token: mfaToken, code });
  if (res.status === 401) throw new StartOver('The sign-in took too long and has expired. Please enter your password again.');
  if (res.status === 429) throw new Error(lockedMessage(res, body));
  if (res.status === 400 && body && typeof body === 'object' && 'code' in body) throw new Error(wrongCodeMessage(code));
  if (!res.ok) throw new Error(loginError(body, res.status));
  await finish(body as LoginAnswer);
}

/**
 * Staff only: the server decides what each user may do, but only staff have anything to do here,
 * so a provider's or patient's fresh login is revoked at once and nothing is kept. With MFA the
 * first call throws SecondFactorRequired and the sign-in page calls again with the code.
 */
export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    if ('mfaToken' in params) return codeStep(params.mfaToken, params.code);
    return passwordStep(params.email ?? params.username ?? '', params.password);
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
