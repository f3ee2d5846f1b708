import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
  credentials: RequestCredentials | undefined;
}

export type Handler = (request: RecordedRequest) => Response;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/**
 * Replaces fetch with a fake server: `routes` maps "METHOD /path" to a
 * handler; anything else answers 404. Returns the requests it saw.
 */
export function stubServer(routes: Record<string, Handler>): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      path: new URL(url, 'http://localhost').pathname,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers: new Headers(init?.headers),
      credentials: init?.credentials,
    };
    requests.push(request);
    const handler = routes[`${request.method} ${request.path}`];
    return Promise.resolve(handler ? handler(request) : new Response('not found', { status: 404 }));
  });
  return requests;
}

export const pspAdmin = { id: 'usr_1', email: 'admin@psp.example', role: 'PSP_ADMIN', name: 'Ada Admin' };
export const merchantViewer = { id: 'usr_2', email: 'viewer@shop.example', role: 'MERCHANT_VIEWER', name: '' };

/**
 * A fake /graphql answering each operation (by operationName) from `data`;
 * an operation without an answer gets a GraphQL error.
 */
export function graphqlRoute(data: Record<string, unknown | ((variables: Record<string, unknown>) => unknown)>): Handler {
  return (request) => {
    const body = request.body as { operationName?: string; variables?: Record<string, unknown> };
    const answer = body.operationName ? data[body.operationName] : undefined;
    if (answer === undefined) {
      return jsonResponse(200, { data: null, errors: [{ message: `no stub for ${body.operationName ?? 'anonymous'}` }] });
    }
    return jsonResponse(200, { data: typeof answer === 'function' ? answer(body.variables ?? {}) : answer });
  };
}

/** The session check of a visitor who is not signed in. */
export const signedOut: Record<string, Handler> = { 'GET /auth/me': () => jsonResponse(401, { error: 'unauthenticated' }) };
