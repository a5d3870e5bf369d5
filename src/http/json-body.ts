import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../lib/errors.ts';

/**
 * Request bodies are JSON, and only JSON: Fastify's other default parser (text/plain) is removed, so
 * any other media type answers 415 UNSUPPORTED_MEDIA_TYPE instead of reaching a schema as a string
 * ("expected object"); so does a compressed JSON body, or one declared UTF-16 or UTF-32. Routes that take another type add its parser
 * in their own scope (provider pushes take forms).
 *
 * Keys that would reach an object's prototype when merged (`__proto__`, and a `constructor` holding a
 * `prototype`) are refused with 400 VALIDATION_FAILED naming the key — not "not valid JSON", which
 * they are; no field of ours has either name.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, bytes, done) => {
    const unreadable = unreadableEncoding(request.headers['content-encoding']) ?? unreadableCharset(request.headers['content-type']);
    if (unreadable) {
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', unreadable), undefined);
      return;
    }
    // Bytes that are not UTF-8 would be read as U+FFFD and stored so, silently: refused instead. Only a
    // body that decoded to a replacement character is checked byte by byte.
    const body = (bytes as Buffer).toString('utf8');
    if (body.includes('\uFFFD') && !isUtf8(bytes as Buffer)) {
      done(new DomainError('INVALID_JSON', 'The request body is not valid UTF-8: send JSON encoded as UTF-8.'), undefined);
      return;
    }
    // No body at all, as `curl -X POST -H 'content-type: application/json'` sends for an action that takes
    // none (cancel, finish): read as no body, so the route's schema decides (an action accepts it; a route
    // that needs fields names them). Only a body that is there and not JSON is INVALID_JSON.
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      done(new DomainError('INVALID_JSON', 'The request body is not valid JSON.'), undefined);
      return;
    }
    // Either key may be spelled with \u escapes; without "proto", "constructor" or an escape there is nothing to look for.
    const text = body;
    const field = text.includes('proto') || text.includes('constructor') || text.includes('\\u') ? prototypeKey(value) : undefined;
    if (field) {
      const message = 'this key is not allowed';
      done(new DomainError('VALIDATION_FAILED', `Invalid request — ${field}: ${message}`, { issues: [{ field, message }] }), undefined);
      return;
    }
    done(null, value);
  });
}

/** The content codings that compress a body (RFC 9110 and the IANA registry). */
const COMPRESSIONS = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'compress', 'x-compress', 'zstd']);

/**
 * Why a JSON body cannot be read as sent, if it cannot: compressed. Nothing here decompresses a
 * request, so a gzipped body used to fail as "not valid JSON". Other values are left alone, as before:
 * some clients send `Content-Encoding: UTF-8` by mistake over a plain body.
 */
function unreadableEncoding(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const codings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim());
  const compressed = codings.find((coding) => COMPRESSIONS.has(coding));
  return compressed ? `Send the request body uncompressed: Content-Encoding ${compressed} is not accepted.` : undefined;
}

/**
 * Why a JSON body cannot be read in the character set it declares, if it cannot: UTF-16 or UTF-32.
 * JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1), and bodies are read as UTF-8, so
 * such a body used to fail as "not valid JSON", or worse, be read with its text garbled. Other
 * declarations are left alone: many clients label plain ASCII JSON `charset=ISO-8859-1`.
 */
function unreadableCharset(contentType: string | undefined): string | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  if (!charset || !/^utf-?(16|32)/i.test(charset)) return undefined;
  return `Send the request body as UTF-8: JSON in charset ${charset} is not accepted.`;
}

/** The path (`body.a.__proto__`) of the first key that could pollute a prototype, if any. Iterative: nesting is unbounded. */
function prototypeKey(root: unknown): string | undefined {
  const pending: [unknown, string][] = [[root, 'body']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, path] = next;
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (key === '__proto__') return `${path}.__proto__`;
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) {
        return `${path}.constructor.prototype`;
      }
      pending.push([child, `${path}.${key}`]);
    }
  }
  return undefined;
}
