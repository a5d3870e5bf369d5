// A fake of the otpbox API for component tests: answers by method and path, records every request.
// Installed as the page's fetch (the one boundary the app talks through).

import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (request: Recorded) => Response | Promise<Response>;

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const apiError = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  json(status, { error: { code, message, requestId: 'req_test', ...(details ? { details } : {}) } });

export class FakeApi {
  readonly requests: Recorded[] = [];
  readonly #routes: { method: string; path: string | RegExp; handler: Handler }[] = [];

  on(method: string, path: string | RegExp, handler: Handler | unknown): this {
    const respond: Handler = typeof handler === 'function' ? (handler as Handler) : () => json(200, handler);
    this.#routes.unshift({ method, path, handler: respond });
    return this;
  }

  calls(method: string, path: string | RegExp): Recorded[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  install(): void {
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input), 'http://app.test');
      const method = init.method ?? 'GET';
      const recorded: Recorded = {
        method,
        path: url.pathname.replace(/^\/api\/v1/, '') + url.search,
        headers: { ...(init.headers as Record<string, string>) },
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      this.requests.push(recorded);
      const route = this.#routes.find(
        (r) => r.method === method && (typeof r.path === 'string' ? r.path === recorded.path : r.path.test(recorded.path)),
      );
      if (!route) return apiError(404, 'NOT_FOUND', `No route ${method} ${recorded.path}.`);
      return route.handler(recorded);
    });
  }
}

/**
 * The account's event stream, driven by the test: `respond` answers `GET /events` with a stream that
 * stays open, `send` writes one event to it (as the server does: id, event, JSON data).
 */
export function liveStream() {
  const encoder = new TextEncoder();
  const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
  let id = 0;
  return {
    respond: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controllers.push(controller);
          },
        }),
        { status: 200, headers: { 'content-type': 'text/event-stream' } },
      ),
    send(event: string, data: unknown): void {
      id += 1;
      const chunk = encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      for (const controller of controllers) controller.enqueue(chunk);
    },
  };
}
