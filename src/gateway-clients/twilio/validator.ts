/**
 * The `twilio` package's webhook validator, and nothing else of the SDK.
 *
 * `import 'twilio'` loads the whole SDK (every REST resource, axios, …: about 120 ms and some
 * megabytes of heap at start); its webhook helpers live in one file that needs only node:crypto,
 * node:url and node:querystring (about 4 ms). The package has no `exports` map, so that file is
 * reachable by its path. A deep path is the library's internals, not its API: the version it was
 * read from is pinned by __tests__/validator-pin.test.ts (on an upgrade, check the file still exports
 * these names with the same meaning, then move the pin).
 */
export {
  getExpectedTwilioSignature,
  HMAC_SHA1,
  HMAC_SHA256,
  SIGNATURE_HEADER,
  SIGNATURE_SETTINGS_HEADER,
  validateRequest,
} from 'twilio/lib/webhooks/webhooks.js';

/** The version validator.ts's deep import was read from. */
export const PINNED_TWILIO = '6.3.1';
