/**
 * fetch for the server's own JSON routes (/auth/*). Every request carries the
 * session cookie and the `X-Requested-With: backoffice` header, which the
 * server requires on cookie-authenticated requests as CSRF protection: a
 * cross-site form cannot set it, and a cross-site fetch that does needs a
 * CORS preflight the server does not grant.
 */

export const requestedWithHeader = { 'X-Requested-With': 'backoffice' } as const;

export function postJSON(path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = {
    method: 'POST',
    credentials: 'include',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...requestedWithHeader },
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

export function getJSON(path: string): Promise<Response> {
  return fetch(path, {
    method: 'GET',
    credentials: 'include',
    headers: { Accept: 'application/json', ...requestedWithHeader },
  });
}

/** Reads a JSON body, or undefined when the body is not JSON. */
export async function readJSON(response: Response): Promise<unknown> {
  if (!(response.headers.get('Content-Type') ?? '').includes('json')) {
    return undefined;
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** The `message` or `error` string of an error body, if it has one. */
export async function readErrorMessage(response: Response): Promise<string | undefined> {
  const body = await readJSON(response);
  if (typeof body !== 'object' || body === null) {
    return undefined;
  }
  for (const key of ['message', 'error']) {
    const value: unknown = (body as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') {
      return value;
    }
  }
  return undefined;
}
