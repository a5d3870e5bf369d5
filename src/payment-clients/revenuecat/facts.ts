/**
 * What a RevenueCat event means for otpbox, as a small union of facts. The payments module acts on
 * facts and never reads RevenueCat's field names.
 */

export type RevenueCatEnvironment = 'PRODUCTION' | 'SANDBOX';

interface EventFacts {
  /** RevenueCat's event id: the same on every retry, so the first key to deduplicate on. */
  eventId: string;
  /** RevenueCat's event type, as sent (for logs and the payment's trail). */
  type: string;
  environment: RevenueCatEnvironment;
  /** `APP_STORE`, `PLAY_STORE`, `STRIPE`, `RC_BILLING`, … as sent. */
  store: string | null;
  /** When RevenueCat generated the event (not when the purchase happened). */
  eventAt: Date | null;
}

/** Who and what an event is about. */
export interface PurchaseSubject {
  /**
   * App user ids to look the account up by, in order: `app_user_id`, `original_app_user_id`, then
   * `aliases`, without repeats and without RevenueCat's anonymous ids (`$RCAnonymousID:…`), which can
   * never be an otpbox account id. May be empty: then the purchase belongs to nobody we know.
   */
  appUserIds: string[];
  /** `product_id` as sent. */
  product: string;
  /**
   * Ids to match a package's store product against: `product_id`, and for Google Play products in
   * RevenueCat's `subscription:base-plan` form also the subscription id alone.
   */
  productIds: string[];
  /** The store's `transaction_id`: the payment's processor reference, the second key to deduplicate on. */
  reference: string;
  /** `original_transaction_id` (falls back to `transaction_id`): names the subscription across renewals. */
  originalReference: string;
}

/** `price_in_purchased_currency` in minor units (absolute: refunds arrive negative), when RevenueCat knows it. */
export interface StoreAmount {
  amountMinor: number;
  currency: string;
}

export type RevenueCatFact =
  | (EventFacts &
      PurchaseSubject & {
        kind: 'purchase';
        /** INITIAL_PURCHASE, RENEWAL, NON_RENEWING_PURCHASE. */
        purchase: 'initial' | 'renewal' | 'one_time';
        at: Date;
        /** End of the period bought; null for a one-time purchase. */
        periodEndsAt: Date | null;
        amount: StoreAmount | null;
      })
  | (EventFacts &
      PurchaseSubject & {
        kind: 'refund';
        /** `cancel_reason` as sent (`CUSTOMER_SUPPORT` for store refunds). */
        reason: string | null;
        amount: StoreAmount | null;
      })
  | (EventFacts &
      PurchaseSubject & {
        kind: 'autoRenew';
        on: boolean;
        /** For `on: false`, `cancel_reason`: `UNSUBSCRIBE`, `BILLING_ERROR`, `DEVELOPER_INITIATED`, `PRICE_INCREASE`, `UNKNOWN`. */
        reason: string | null;
        periodEndsAt: Date | null;
      })
  | (EventFacts & PurchaseSubject & { kind: 'expired'; reason: string | null; at: Date | null })
  | (EventFacts & PurchaseSubject & { kind: 'billingIssue'; gracePeriodEndsAt: Date | null })
  | (EventFacts &
      PurchaseSubject & {
        kind: 'productChange';
        /** `new_product_id`; RevenueCat sends it only for some stores and replacement modes. */
        newProduct: string | null;
      })
  | (EventFacts & { kind: 'transfer'; from: string[]; to: string[] })
  | { kind: 'test'; eventId: string; type: string }
  | { kind: 'ignored'; eventId: string; type: string; reason: string };

export type RevenueCatFactKind = RevenueCatFact['kind'];
