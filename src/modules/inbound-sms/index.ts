/**
 * Inbound SMS on the operator's own numbers: a gateway's genuine delivery (replays refused), each
 * message recorded once and routed by its receiving number to the order that holds it, or kept for
 * staff (ADR 38). Above `pool` and `activations`, so that neither depends on the other (and a later
 * rentals module plugs in beside orders).
 *
 * The module's public surface: code outside src/modules/inbound-sms/ imports only this file (the rule
 * is checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { acceptGatewayDelivery } from './accept-delivery.ts';
export { type GatewayRef, type GatewaySmsOutcome, receiveGatewaySms } from './receive-gateway-sms.ts';
export { INBOUND_STATEMENTS } from './statements.ts';
export { readUnmatchedMessages, type UnmatchedMessagesQuery, type UnmatchedMessageView } from './unmatched-messages.ts';
