import http from 'node:http';
import https from 'node:https';
import { VERSION } from '../../version.ts';
import { notPublicResolution, publicOnlyLookup, REFUSED_ADDRESS } from './public-lookup.ts';
import { urlRefusal } from './url-policy.ts';

export type SendOutcome =
  | { kind: 'answered'; status: number; retryAfterMs: number | null }
  | { kind: 'failed'; error: string; interrupted?: boolean };

export interface SendOptions {
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: http:// and non-public addresses allowed (local development). */
  allowPrivate: boolean;
  /** The job's own signal: shutting down interrupts the attempt. */
  signal?: AbortSignal;
}

/**
 * POST one signed webhook. node:http never follows redirects: a 3xx is an answer like any other (and
 * not a success). Unless private networks are allowed, the URL is checked again and the connection
 * goes only to public addresses (see public-lookup.ts; IP-literal hosts are checked by urlRefusal,
 * because sockets do not look them up). A fresh connection per attempt: no pooled socket is reused
 * across a change of the address checks. A failure's words never name the endpoint's host (`failureText`).
 */
export function sendWebhook(rawUrl: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendOutcome> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.resolve({ kind: 'failed', error: 'the URL is not valid' });
  }
  const refusal = urlRefusal(url, options.allowPrivate);
  if (refusal) return Promise.resolve({ kind: 'failed', error: `refused: ${refusal}` });

  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) resolve({ kind: 'failed', error: 'interrupted (shutting down)', interrupted: true });
      else if (timeout.aborted) resolve({ kind: 'failed', error: `timed out after ${options.timeoutMs} ms` });
      else resolve({ kind: 'failed', error: failureText(error).slice(0, 300) });
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent: false,
        signal,
        lookup: options.allowPrivate ? undefined : publicOnlyLookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': `otpbox-webhooks/${VERSION}`,
        },
      },
      (response) => {
        resolve({ kind: 'answered', status: response.statusCode ?? 0, retryAfterMs: retryAfterOf(response.headers['retry-after']) });
        // Only the status matters; the body is read and dropped so the receiver can finish cleanly.
        response.on('error', () => {});
        response.resume();
      },
    );
    request.on('error', failed);
    request.end(body);
  });
}

/**
 * How a failure names the endpoint's host: the name is the customer's (their domain) and the URL is
 * sealed under their key (ADR 28), while the delivery log that keeps the failure is not.
 */
export const ENDPOINT_HOST = '<endpoint host>';

/** The fields Node puts on a failed connection's error: a looked-up name (`hostname`), a TLS peer (`host`). */
type ConnectionError = NodeJS.ErrnoException & { hostname?: string; host?: string; address?: string };

/**
 * A failed attempt in words that name no host, built from the error's fields rather than from its
 * message wherever Node's message would name one: a name that resolves to an address not public (the
 * lookup's refusal), a failed lookup in Node's own words with the name left out, a certificate for
 * another name without either name. Addresses (IP literals, as in a refused connection) are kept:
 * they explain the failure and name no one.
 */
export function failureText(error: ConnectionError): string {
  if (error.code === REFUSED_ADDRESS) return `refused: ${notPublicResolution(ENDPOINT_HOST, error.address ?? 'no address')}`;
  const code = error.code ?? 'error';
  if (error.hostname !== undefined) return `${code}: ${error.syscall ?? 'lookup'} ${code} ${ENDPOINT_HOST}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `${code}: the certificate is not for ${ENDPOINT_HOST}`;
  // Any other failure that carries the peer's name: its code only.
  if (error.host !== undefined) return code;
  return `${code}: ${error.message}`;
}

/** Retry-After in seconds (the HTTP-date form is rare for webhooks and ignored). */
function retryAfterOf(value: string | undefined): number | null {
  return value && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) * 1000 : null;
}
