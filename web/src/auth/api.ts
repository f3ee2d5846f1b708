/**
 * The server's session routes. A successful login sets an HttpOnly session
 * cookie; the UI keeps the returned user (never the token) in memory and asks
 * /auth/me who it is after a reload.
 */
import { getJSON, postJSON, readErrorMessage, readJSON } from '../lib/http';
import { isRole, type Role } from './roles';

export interface User {
  id: string;
  email: string;
  role: Role;
  name: string;
  /** The user signs in with a second factor. */
  mfaEnabled?: boolean;
  /** The PSP or merchant requires a second factor the user has not enrolled yet: only the Security page works. */
  mfaEnrolmentRequired?: boolean;
}

/** Validates the user JSON of /auth/login, /auth/me and /auth/set-password. */
export function parseUser(value: unknown): User | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { id, email, role, name, mfaEnabled, mfaEnrolmentRequired } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof email !== 'string' || !isRole(role)) {
    return undefined;
  }
  return {
    id,
    email,
    role,
    name: typeof name === 'string' ? name : '',
    mfaEnabled: mfaEnabled === true,
    mfaEnrolmentRequired: mfaEnrolmentRequired === true,
  };
}

function userOf(body: unknown): User | undefined {
  if (typeof body !== 'object' || body === null) {
    return undefined;
  }
  return parseUser((body as Record<string, unknown>)['user']);
}

export type LoginResult =
  | { kind: 'signed-in'; user: User }
  | { kind: 'wrong-credentials' }
  /** The password was right; the account needs a code from the authenticator app (or a recovery code). */
  | { kind: 'mfa-required' }
  | { kind: 'invalid-otp' }
  | { kind: 'rate-limited' }
  | { kind: 'failed'; message: string };

export async function login(email: string, password: string, otp?: string): Promise<LoginResult> {
  const response = await postJSON('/auth/login', otp ? { email, password, otp } : { email, password });
  if (response.status === 401) {
    const body = (await readJSON(response).catch(() => null)) as { error?: unknown } | null;
    if (body?.error === 'mfa_required') {
      return { kind: 'mfa-required' };
    }
    if (body?.error === 'invalid_otp') {
      return { kind: 'invalid-otp' };
    }
    return { kind: 'wrong-credentials' };
  }
  if (response.status === 429) {
    return { kind: 'rate-limited' };
  }
  if (!response.ok) {
    return { kind: 'failed', message: (await readErrorMessage(response)) ?? `Sign-in failed (HTTP ${response.status})` };
  }
  const user = userOf(await readJSON(response));
  return user ? { kind: 'signed-in', user } : { kind: 'failed', message: 'The server sent an unexpected answer' };
}

/** The signed-in user, or null when there is no valid session. Throws when the server cannot tell. */
export async function fetchMe(): Promise<User | null> {
  const response = await getJSON('/auth/me');
  if (response.status === 401) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`/auth/me answered HTTP ${response.status}`);
  }
  const body = await readJSON(response);
  const user = parseUser(body) ?? userOf(body);
  if (!user) {
    throw new Error('/auth/me sent an unexpected answer');
  }
  return user;
}

export async function logout(): Promise<void> {
  await postJSON('/auth/logout');
}

export type SetPasswordResult =
  | { kind: 'done'; user: User | undefined }
  | { kind: 'rate-limited' }
  | { kind: 'refused'; message: string };

/**
 * Sets the password of an invited user. If the server signs the user in at
 * the same time (answering a user like /auth/login), the user is returned.
 */
export async function setPassword(token: string, password: string): Promise<SetPasswordResult> {
  const response = await postJSON('/auth/set-password', { token, password });
  if (response.status === 429) {
    return { kind: 'rate-limited' };
  }
  if (!response.ok) {
    const fallback =
      response.status >= 500
        ? `Setting the password failed (HTTP ${response.status})`
        : 'This invitation link is invalid or has expired';
    return { kind: 'refused', message: (await readErrorMessage(response)) ?? fallback };
  }
  return { kind: 'done', user: userOf(await readJSON(response)) };
}
