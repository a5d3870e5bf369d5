/**
 * A Jepsen-style history: every request a client made and what came of it, kept so the final state
 * can be checked against what the clients were told. An attempt ends answered (a status and a body)
 * or unknown (the connection broke or the answer never came): then the request may or may not have
 * taken effect, and the checker must accept both.
 */
export type Attempt =
  | { kind: 'answered'; instance: string; status: number; body: unknown; ms: number; at: number }
  | { kind: 'unknown'; instance: string; reason: string; ms: number; at: number };

export interface Operation {
  /** The client (customer) that made it, by index. */
  client: number;
  /** What it was for: `order`, `cancel`, `checkout`, `stripe-webhook`, `me`… */
  op: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
  body?: unknown;
  /** What the request is about when its path does not say (the payment a webhook completes). */
  ref?: string;
  attempts: Attempt[];
}

export const lastAttempt = (operation: Operation): Attempt | undefined => operation.attempts.at(-1);
export const succeeded = (operation: Operation): boolean => {
  const last = lastAttempt(operation);
  return last?.kind === 'answered' && last.status >= 200 && last.status < 300;
};
/** The body of the last answer when it was a success. */
export const answerOf = <T>(operation: Operation): T | undefined => {
  const last = lastAttempt(operation);
  return last?.kind === 'answered' && last.status < 300 ? (last.body as T) : undefined;
};

export interface Endpoint {
  name: string;
  url: string;
}

/**
 * A client-side load balancer: requests go round-robin over the instances; an instance that refuses
 * the connection (a killed one) is skipped for the next with the same request, as a load balancer
 * does, since a refused connection reached no server. Anything else that breaks ends the attempt as
 * unknown.
 */
export class Balancer {
  #next = 0;
  readonly operations: Operation[] = [];

  constructor(
    private readonly endpoints: () => Endpoint[],
    private readonly timeoutMs = 15_000,
  ) {}

  /** Make a request and record it. */
  async request(input: Omit<Operation, 'attempts'>, pinned?: Endpoint): Promise<Operation> {
    const operation: Operation = { ...input, attempts: [] };
    this.operations.push(operation);
    await this.attempt(operation, pinned);
    return operation;
  }

  /** Send a recorded request again, with the same Idempotency-Key and body. */
  async retry(operation: Operation): Promise<Attempt> {
    return this.attempt(operation);
  }

  private async attempt(operation: Operation, pinned?: Endpoint): Promise<Attempt> {
    const endpoints = pinned ? [pinned] : this.endpoints();
    let attempt: Attempt | undefined;
    for (let tries = 0; tries < endpoints.length && !attempt; tries++) {
      const endpoint = endpoints[this.#next++ % endpoints.length] as Endpoint;
      const started = performance.now();
      const at = Date.now();
      try {
        const response = await fetch(`${endpoint.url}${operation.path}`, {
          method: operation.method,
          headers: {
            ...operation.headers,
            ...(operation.idempotencyKey ? { 'idempotency-key': operation.idempotencyKey } : {}),
            ...(operation.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body:
            operation.body === undefined ? undefined : typeof operation.body === 'string' ? operation.body : JSON.stringify(operation.body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        attempt = { kind: 'answered', instance: endpoint.name, status: response.status, body, ms: performance.now() - started, at };
      } catch (error) {
        const reason = failureReason(error);
        if (reason === 'ECONNREFUSED' && !pinned && tries + 1 < endpoints.length) continue;
        attempt = { kind: 'unknown', instance: endpoint.name, reason, ms: performance.now() - started, at };
      }
    }
    const recorded = attempt as Attempt;
    operation.attempts.push(recorded);
    return recorded;
  }
}

/** What broke: the system error code (`ECONNRESET`, `ECONNREFUSED`), `timeout`, or undici's words. */
export function failureReason(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timeout';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Counts for the summary line: operations acknowledged, answered with a failure, still unknown, and retried. */
export function summarize(operations: Operation[]) {
  const counts = { operations: operations.length, acknowledged: 0, failed: 0, unknown: 0, retried: 0, unknownFirst: 0, failedFirst: 0 };
  for (const operation of operations) {
    const first = operation.attempts[0];
    if (first?.kind === 'unknown') counts.unknownFirst++;
    else if (first && first.status >= 300) counts.failedFirst++;
    if (operation.attempts.length > 1) counts.retried++;
    const last = lastAttempt(operation);
    if (last?.kind === 'unknown') counts.unknown++;
    else if (succeeded(operation)) counts.acknowledged++;
    else counts.failed++;
  }
  return counts;
}
