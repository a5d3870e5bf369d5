export { type SmsActivateOptions, SmsActivateProvider } from './adapter.ts';
export {
  isoFromSmsActivateId,
  SMS_ACTIVATE_COUNTRIES,
  type SmsActivateCountry,
  smsActivateCountry,
  smsActivateCountryId,
} from './countries.ts';
