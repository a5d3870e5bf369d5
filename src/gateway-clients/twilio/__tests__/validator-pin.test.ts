import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as validator from '../validator.ts';

/**
 * validator.ts imports `twilio/lib/webhooks/webhooks.js`, a file of the SDK's internals (the package
 * has no exports map; its API is the whole SDK), so that start-up does not load the SDK. Pinned to the
 * version it was read from: on an upgrade, re-read lib/webhooks/webhooks.js (validateRequest's
 * arguments, what it tries, its constant-time comparison), then move PINNED_TWILIO.
 */
const require = createRequire(import.meta.url);

describe("the Twilio validator's deep import (pinned)", () => {
  it(`is read from twilio ${validator.PINNED_TWILIO}, the installed version`, () => {
    const installed = JSON.parse(readFileSync(require.resolve('twilio/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(validator.PINNED_TWILIO);
  });

  it('is the same function the SDK exports as twilio.validateRequest', () => {
    const sdk = require('twilio') as { validateRequest: unknown; getExpectedTwilioSignature: unknown };
    expect(validator.validateRequest).toBe(sdk.validateRequest);
    expect(validator.getExpectedTwilioSignature).toBe(sdk.getExpectedTwilioSignature);
    expect(validator.SIGNATURE_HEADER).toBe('X-Twilio-Signature');
  });

  it('loads without the SDK: the file requires only Node built-ins', () => {
    const source = readFileSync(require.resolve('twilio/lib/webhooks/webhooks.js'), 'utf8');
    const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required.sort()).toEqual(['crypto', 'querystring', 'url']);
  });
});
