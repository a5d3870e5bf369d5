import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listTwilioNumbers, type TwilioResult } from '../numbers.ts';
import { type FakeNumber, type FakeTwilio, startFakeTwilio } from './fake-twilio.ts';

const NUMBERS: FakeNumber[] = [1, 2, 3, 4, 5].map((n) => ({
  phone_number: `+1415555010${n}`,
  sid: `PN${String(n).padStart(32, '0')}`,
  friendly_name: `(415) 555-010${n}`,
  sms_url: n === 3 ? '' : `https://otpbox.example.com/webhooks/gateways/twilio-${n}`,
}));

const open: FakeTwilio[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((fake) => fake.close()));
});

async function fakeTwilio(numbers = NUMBERS, pageSize = 2) {
  const fake = await startFakeTwilio(numbers, pageSize);
  open.push(fake);
  return fake;
}

function value<T>(result: TwilioResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.kind}: ${result.failure.message}`);
  return result.value;
}

function failure<T>(result: TwilioResult<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}

describe('listTwilioNumbers', () => {
  it('lists every number of the account, following next_page_uri, with Basic auth on every page', async () => {
    const fake = await fakeTwilio();
    const numbers = value(await listTwilioNumbers(fake, { pageSize: 2 }));
    expect(numbers).toHaveLength(5);
    expect(numbers[0]).toEqual({
      number: '+14155550101',
      sid: `PN${'1'.padStart(32, '0')}`,
      friendlyName: '(415) 555-0101',
      smsUrl: 'https://otpbox.example.com/webhooks/gateways/twilio-1',
    });
    expect(numbers[2]?.smsUrl).toBeNull();
    expect(numbers.map((n) => n.number)).toEqual(NUMBERS.map((n) => n.phone_number));
    expect(fake.requests).toHaveLength(3);
    const basic = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
    expect(fake.requests.every((request) => request.authorization === basic)).toBe(true);
    expect(fake.requests[0]?.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json?PageSize=2`);
    expect(fake.requests[2]?.path).toContain('Page=2&PageToken=PA2');
  });

  it('answers an empty list for an account without numbers', async () => {
    const fake = await fakeTwilio([]);
    expect(value(await listTwilioNumbers(fake))).toEqual([]);
  });

  it('reports a wrong Auth Token as bad_credentials, with Twilio’s words and without the token', async () => {
    const fake = await fakeTwilio();
    const failed = failure(await listTwilioNumbers({ ...fake, authToken: 'wrong-token-42' }));
    expect(failed).toMatchObject({ kind: 'bad_credentials', status: 401 });
    expect(failed.message).toContain('(20003) Authenticate');
    expect(failed.message).not.toContain('wrong-token-42');
  });

  it('refuses an Account SID that is not AC + 32 hex digits before calling', async () => {
    const fake = await fakeTwilio();
    expect(failure(await listTwilioNumbers({ ...fake, accountSid: 'AC123/../../x' })).kind).toBe('bad_credentials');
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a 5xx and an unreachable server as unavailable', async () => {
    const fake = await fakeTwilio();
    fake.override = (_request, response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      response.end('<html>Service Unavailable</html>');
      return true;
    };
    expect(failure(await listTwilioNumbers(fake))).toMatchObject({ kind: 'unavailable', status: 503 });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = failure(await listTwilioNumbers({ ...fake, apiBase: `http://127.0.0.1:${port}` }));
    expect(unreachable.kind).toBe('unavailable');
    expect(unreachable.message).not.toContain(fake.authToken);
  });

  it('reports a server that does not answer as timeout', async () => {
    const fake = await fakeTwilio();
    fake.override = () => true; // never answers
    expect(failure(await listTwilioNumbers(fake, { timeoutMs: 100 })).kind).toBe('timeout');
  });

  it('reports garbage, a foreign next page and endless pages as protocol_error', async () => {
    const fake = await fakeTwilio();
    fake.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>hello</html>');
      return true;
    };
    expect(failure(await listTwilioNumbers(fake)).kind).toBe('protocol_error');

    fake.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ incoming_phone_numbers: [], next_page_uri: 'https://evil.example.com/steal' }));
      return true;
    };
    expect(failure(await listTwilioNumbers(fake)).kind).toBe('protocol_error');

    fake.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ incoming_phone_numbers: [{ sid: 'PN1', phone_number: 'not a number' }], next_page_uri: null }));
      return true;
    };
    expect(failure(await listTwilioNumbers(fake)).kind).toBe('protocol_error');

    fake.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ incoming_phone_numbers: [], next_page_uri: request.url }));
      return true;
    };
    const endless = failure(await listTwilioNumbers(fake, { maxPages: 3 }));
    expect(endless.kind).toBe('protocol_error');
    expect(fake.requests.length).toBeLessThan(12);
  });

  it('does not follow a redirect (it would carry the credentials elsewhere)', async () => {
    const fake = await fakeTwilio();
    fake.override = (_request, response) => {
      response.writeHead(302, { location: 'https://evil.example.com/' });
      response.end();
      return true;
    };
    expect(failure(await listTwilioNumbers(fake))).toMatchObject({ kind: 'protocol_error', status: 302 });
  });
});
