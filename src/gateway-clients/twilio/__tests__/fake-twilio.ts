import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayWebhookRequest } from '../../port.ts';
import { getExpectedTwilioSignature } from '../validator.ts';

/**
 * A fake Twilio inbound-message webhook, signed as Twilio signs it, for tests of whatever serves
 * `/webhooks/gateways/{name}`: the form body and the `X-Twilio-Signature` header for `url`.
 */
export function signedTwilioWebhook(authToken: string, url: string, params: Record<string, string>): GatewayWebhookRequest {
  return {
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': getExpectedTwilioSignature(authToken, url, params),
    },
    rawBody: Buffer.from(new URLSearchParams(params).toString()),
  };
}

/**
 * A fake of Twilio's REST API for IncomingPhoneNumbers, on 127.0.0.1: checks HTTP Basic auth against
 * one account and serves its numbers in pages linked by `next_page_uri`, as api.twilio.com does
 * (`{incoming_phone_numbers, next_page_uri, page, page_size, …}`; errors as `{code, message, status}`).
 */
export interface FakeTwilio {
  apiBase: string;
  accountSid: string;
  authToken: string;
  /** Every request: path with query, Authorization header. */
  requests: { path: string; authorization: string | undefined }[];
  /** Replace the answer to the next requests (status and raw body), or stall them (never answer). */
  override: ((request: IncomingMessage, response: ServerResponse) => boolean) | null;
  close(): Promise<void>;
}

export interface FakeNumber {
  phone_number: string;
  sid: string;
  friendly_name: string;
  sms_url: string;
}

export async function startFakeTwilio(numbers: FakeNumber[], pageSize = 2): Promise<FakeTwilio> {
  const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = 'fake-auth-token-0123456789abcdef';
  const fake: Omit<FakeTwilio, 'apiBase' | 'close'> = { accountSid, authToken, requests: [], override: null };
  const server: Server = createServer((request, response) => {
    fake.requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    if (fake.override?.(request, response)) return;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      send(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
      return;
    }
    const path = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    if (request.method !== 'GET' || url.pathname !== path) {
      send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      return;
    }
    const page = Number(url.searchParams.get('Page') ?? 0);
    const slice = numbers.slice(page * pageSize, (page + 1) * pageSize);
    const more = (page + 1) * pageSize < numbers.length;
    send(200, {
      incoming_phone_numbers: slice.map((number) => ({
        account_sid: accountSid,
        api_version: '2010-04-01',
        capabilities: { sms: true },
        ...number,
      })),
      page,
      page_size: pageSize,
      first_page_uri: `${path}?PageSize=${pageSize}&Page=0`,
      next_page_uri: more ? `${path}?PageSize=${pageSize}&Page=${page + 1}&PageToken=PA${page + 1}` : null,
      previous_page_uri: null,
      uri: `${path}?PageSize=${pageSize}&Page=${page}`,
      start: page * pageSize,
      end: page * pageSize + slice.length - 1,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    apiBase: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
