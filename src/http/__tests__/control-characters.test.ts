import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, signedIn, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

/**
 * What a person types and staff read in the console (a support subject and message, a privacy request's
 * details, an API key's name, a webhook's description) carries no control characters: a terminal escape
 * (`ESC[2J`), a bell, a backspace or a bidirectional override would act wherever the text is shown or
 * pasted. Line breaks and tabs stay allowed in a message; a single line allows none.
 */
let t: TestApp;
let user: Actor;

beforeAll(async () => {
  t = await createTestApp();
  user = await createActor(t);
});
afterAll(() => t?.close());

const post = (url: string, payload: Record<string, unknown>, headers: Record<string, string> = { authorization: user.bearer }) =>
  t.app.inject({ method: 'POST', url, headers, payload });

const CONTROLS = [
  'he\u001b[2Jllo',
  'ring\u0007',
  'back\bspace',
  'c1\u009bcontrol',
  'del\u007f',
  'evil \u202e txt.exe',
  'isolate \u2067x\u2069',
];

describe('control characters in what people type', () => {
  // Rights requests and new keys are for the owner signed in (an API key is refused before validation, ADR 7).
  const fields: {
    what: string;
    url: string;
    body: (value: string) => Record<string, unknown>;
    field: string;
    multiline: boolean;
    signedInOnly?: boolean;
  }[] = [
    {
      what: 'support subject',
      url: '/api/v1/support/conversations',
      body: (v) => ({ subject: v, body: 'Hello there' }),
      field: 'body.subject',
      multiline: false,
    },
    {
      what: 'support message',
      url: '/api/v1/support/conversations',
      body: (v) => ({ subject: 'A question', body: v }),
      field: 'body.body',
      multiline: true,
    },
    {
      what: 'privacy request details',
      url: '/api/v1/privacy/requests',
      body: (v) => ({ type: 'access', details: v }),
      field: 'body.details',
      multiline: true,
      signedInOnly: true,
    },
    { what: 'API key name', url: '/api/v1/api-keys', body: (v) => ({ name: v }), field: 'body.name', multiline: false, signedInOnly: true },
    {
      what: 'webhook description',
      url: '/api/v1/webhook-endpoints',
      body: (v) => ({ url: 'https://hooks.example.com/h', description: v }),
      field: 'body.description',
      multiline: false,
    },
  ];
  for (const { what, url, body, field, multiline, signedInOnly } of fields) {
    it(`${what}: refused with 400 VALIDATION_FAILED naming ${field}`, async () => {
      const headers = signedInOnly ? await signedIn(t, user) : undefined;
      for (const value of [...CONTROLS, ...(multiline ? [] : ['two\nlines', 'a\ttab', 'two\u2028lines', 'two\u2029paragraphs'])]) {
        const response = await post(url, body(value), headers);
        expect(response.statusCode, JSON.stringify(value)).toBe(400);
        expect(response.json().error.code).toBe('VALIDATION_FAILED');
        expect(response.json().error.message).toContain(field);
      }
    });
  }

  it('a note staff write on a privacy request (the customer reads it): refused with 400 naming body.note', async () => {
    const owner = await createActor(t);
    const request = await post('/api/v1/privacy/requests', { type: 'restriction', details: 'Please stop' }, await signedIn(t, owner));
    expect(request.statusCode, request.body).toBe(201);
    const staff = await createActor(t, 'support');
    const url = `/api/v1/admin/privacy/requests/${request.json().id}`;
    for (const value of CONTROLS) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...asActor(staff), 'content-type': 'application/json' },
        payload: { status: 'refused', note: `refused: ${value}` },
      });
      expect(response.statusCode, JSON.stringify(value)).toBe(400);
      expect(response.json().error.message).toContain('body.note');
    }
  });

  it("the app's device fields (platform, OS, model, app version): refused with 400 naming the field", async () => {
    const device = { deviceId: randomUUID(), deviceSecret: randomBytes(32).toString('base64url'), platform: 'ios', osVersion: '18.2' };
    const fields = { ...device, model: 'iPhone15,3', appVersion: '3.4.1', ageConfirmed: true, policyVersion: t.policy.version };
    for (const field of ['platform', 'osVersion', 'model', 'appVersion'] as const) {
      for (const value of [...CONTROLS, 'two\nlines']) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/device',
          payload: { ...fields, [field]: value },
          remoteAddress: uniqueIp(),
        });
        expect(response.statusCode, `${field} ${JSON.stringify(value)}`).toBe(400);
        expect(response.json().error.message).toContain(`body.${field}`);
      }
    }
  });

  it('a message keeps its line breaks and tabs, and any language (right-to-left included)', async () => {
    const text = 'Line one\r\nLine two\n\tindented — مرحبا بالعالم — שלום';
    const started = await post('/api/v1/support/conversations', { subject: 'Ünïcödé ✓ 你好', body: text });
    expect(started.statusCode, started.body).toBe(201);
    // Filed signed in: an API key is refused on rights requests (ADR 7).
    const details = await t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/requests',
      headers: await signedIn(t, user),
      payload: { type: 'rectification', details: text },
    });
    expect(details.statusCode, details.body).toBe(201);
  });
});
