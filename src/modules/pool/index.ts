/**
 * The number pool: the operator's own numbers on their gateways (Android phones, Twilio, SMPP), sold
 * through the provider port as the provider `pool` (ADR 37). Leases, cooling, the reuse period, the
 * gateways' health.
 *
 * The module's public surface: code outside src/modules/pool/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { GATEWAY_STATES, type GatewayMessageOutcome, type GatewayState, type LeaseKind } from '../../db/schema/pool.ts';
export { type AccountNumbers, type AccountNumberView, listGatewayAccountNumbers } from './account-numbers.ts';
export {
  type AddedGateway,
  type AddGatewayInput,
  addGateway,
  checkGatewayHeartbeats,
  findGateway,
  type GatewayRow,
  type GatewayView,
  gatewaySecret,
  gatewaySeen,
  gatewayUpStates,
  listGateways,
  logTransition,
  markGatewayState,
  onLocalGatewayChange,
  removeGateway,
  type SmppGatewayRow,
  seenRecently,
  smppGateways,
} from './gateways.ts';
export { CLOCK_SKEW_MS, type LeaseForMessage, type LeaseRow, leaseAt, leaseForMessage, noteLeaseSms } from './leases.ts';
export {
  type AddPoolNumberInput,
  addPoolNumber,
  listPoolNumbers,
  type PoolNumberView,
  parseE164,
  removePoolNumber,
} from './numbers.ts';
export { noteServicesNamed, soldForAnotherOf } from './other-service-uses.ts';
export { PoolProvider, type PoolProviderOptions } from './pool-provider.ts';
export {
  coolAfterLateRentalSms,
  endRentalLease,
  leaseForRental,
  type RentalLease,
  type RentalStock,
  rentalDayPrice,
  rentalStock,
  rentalTerms,
  setRentalRate,
} from './rental-lease.ts';
export {
  LATEST_LEASE,
  LEASE_COLUMNS,
  type NoteLeaseParam,
  noteLeaseCtes,
  noteLeaseValues,
  POOL_STATEMENTS,
  RECEIVER_CTES,
  receiverParams,
} from './statements.ts';
export { POOL_CURRENCY, POOL_PROVIDER, syncPoolStock } from './stock.ts';
