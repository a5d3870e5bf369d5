/**
 * Numeric order ids for the compatible protocols (SMS-Activate `handler_api.php`; 5sim), whose clients
 * parse an order id as an integer: given on first use, kept with the order (ADR 29).
 *
 * The module's public surface: code outside src/modules/order-numbers/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { numberOrders, orderOfNumber } from './number-orders.ts';
