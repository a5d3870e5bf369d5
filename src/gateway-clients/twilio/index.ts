/** The Twilio channel (issue 20): its signed inbound-message webhook, and the account's numbers. */
export { createTwilioChannel, EMPTY_TWIML, twilioChannel } from './channel.ts';
export {
  listTwilioNumbers,
  TWILIO_API_BASE,
  type TwilioCredentials,
  type TwilioFailure,
  type TwilioFailureKind,
  type TwilioFetchOptions,
  type TwilioNumber,
  type TwilioResult,
} from './numbers.ts';
