/**
 * Long-term rentals of pool numbers (issue 20, P5; ADR 42): rent, renew, cancel, the SMS of a rented
 * number, the `rental-periods` job, erasure.
 *
 * The module's public surface: code outside src/modules/rentals/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { cancelRental, endRentalsForErasure } from './cancel-rental.ts';
export { type CreateRentalInput, createRental } from './create-rental.ts';
export { getRental, listRentals, rentalOffers } from './read-rentals.ts';
export { type RentalInboundSms, type RentalSmsOutcome, type RentalTextMemory, receiveRentalSms } from './receive-sms.ts';
export { renewRental, setAutoRenew } from './renew-rental.ts';
export { type RentalPeriodCounts, runRentalPeriods } from './run-periods.ts';
export {
  MAX_RENTAL_DAYS,
  Rental,
  RentalOffers,
  type RentalOffersView,
  RentalSummary,
  type RentalSummaryView,
  type RentalView,
} from './schemas.ts';
export { FREE_CANCEL_MS, maskNumber, type RentalRow } from './store.ts';
export { ephemeralKey, type RentalTexts, summariesOf, viewOf } from './view.ts';
