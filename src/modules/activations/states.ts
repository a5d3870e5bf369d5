/**
 * The order's state machine (ADR 18): its statuses, which of them are open, and every move between
 * them with the event that makes it. `recordTransition` checks each change against this table before
 * it writes; migration 0010's trigger and the partial indexes spell the open set in SQL, and a test
 * keeps them equal to it. Imports nothing, so the web app shares it.
 */

/**
 * `requesting` is internal: the order exists and its price is held while the provider is asked for a
 * number. The API never shows it; it becomes `waiting` (number bought) or `failed` (credits released).
 */
export const ACTIVATION_STATUSES = ['requesting', 'waiting', 'received', 'completed', 'cancelled', 'expired', 'failed'] as const;
export type ActivationStatus = (typeof ACTIVATION_STATUSES)[number];

/** Every order starts here, with a `created` event (the statement that places it). */
export const INITIAL_STATUS = 'requesting' satisfies ActivationStatus;
export const CREATED_EVENT = 'created';

/**
 * Status changes: from → to → the events that make that move. A status with no entries is terminal.
 * Two events lead to more than one status: `ended_by_provider` follows what the provider says
 * (expired or cancelled upstream).
 */
export const TRANSITIONS = {
  requesting: {
    waiting: ['number_assigned'],
    failed: ['failed'],
  },
  waiting: {
    received: ['code_received'],
    cancelled: ['cancelled', 'ended_by_provider'],
    expired: ['expired', 'ended_by_provider'],
  },
  received: {
    completed: ['finished', 'completed'],
  },
  completed: {},
  cancelled: {},
  expired: {},
  failed: {},
} as const satisfies Record<ActivationStatus, Partial<Record<ActivationStatus, readonly string[]>>>;

/**
 * Events recorded without a change of status (the audit trail and the customer's stream still get
 * them): an SMS, a request for another one, a late SMS after the end, a leaked number found for a
 * failed order.
 */
export const IN_PLACE_EVENTS = {
  requesting: [],
  waiting: ['sms_received'],
  received: ['sms_received', 'retry_requested'],
  completed: ['late_sms'],
  cancelled: ['late_sms'],
  expired: ['late_sms'],
  failed: ['late_sms', 'upstream_reconciled'],
} as const satisfies Record<ActivationStatus, readonly string[]>;

type Moves = typeof TRANSITIONS;
type MoveEvent<F extends ActivationStatus> = {
  [T in keyof Moves[F]]: Moves[F][T] extends readonly (infer E)[] ? E : never;
}[keyof Moves[F]];

/** Every event that changes an order's status. */
export type StatusChangeEvent = { [F in ActivationStatus]: MoveEvent<F> }[ActivationStatus];
/** Every event an order's audit trail can hold. */
export type OrderEventType = typeof CREATED_EVENT | StatusChangeEvent | (typeof IN_PLACE_EVENTS)[ActivationStatus][number];

/** An order in one of these can still change: it counts towards the open-order limit and is swept at its deadline. */
export const OPEN_STATUSES = ['requesting', 'waiting', 'received'] as const satisfies readonly ActivationStatus[];
export type OpenStatus = (typeof OPEN_STATUSES)[number];
/** Open orders that have their number: the ones polled upstream, and the ones a customer sees open. */
export const OPEN_WITH_NUMBER = ['waiting', 'received'] as const satisfies readonly OpenStatus[];

export const isOpen = (status: ActivationStatus): status is OpenStatus => (OPEN_STATUSES as readonly string[]).includes(status);
export const isOpenWithNumber = (status: ActivationStatus) => (OPEN_WITH_NUMBER as readonly string[]).includes(status);
export const isTerminal = (status: ActivationStatus) => Object.keys(TRANSITIONS[status]).length === 0;
/**
 * An SMS that arrives after the order ended unpaid (cancelled, expired, failed: the credits went back)
 * is withheld: its code and text are neither stored nor shown. Shown, it would be a code for nothing —
 * cancel once allowed, then have the service send its code. After an order that was paid (`completed`)
 * a late SMS is shown, as before.
 */
export const withholdsLateSms = (status: ActivationStatus) => !isOpenWithNumber(status) && status !== 'completed';

/** The statuses the API shows: `requesting` is shown as `waiting` (see `publicStatus`). */
export const PUBLIC_STATUSES = ACTIVATION_STATUSES.filter((status) => status !== 'requesting') as [
  Exclude<ActivationStatus, 'requesting'>,
  ...Exclude<ActivationStatus, 'requesting'>[],
];
export type PublicStatus = Exclude<ActivationStatus, 'requesting'>;
export const publicStatus = (status: ActivationStatus): PublicStatus => (status === 'requesting' ? 'waiting' : status);

/** Whether the table allows `event` to take an order from `from` to `to` (the same status: an in-place event). */
export function allows(from: ActivationStatus, to: ActivationStatus, event: string): boolean {
  if (from === to) return (IN_PLACE_EVENTS[from] as readonly string[]).includes(event);
  const events: readonly string[] | undefined = (TRANSITIONS[from] as Partial<Record<ActivationStatus, readonly string[]>>)[to];
  return events?.includes(event) ?? false;
}
