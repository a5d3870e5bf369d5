import { z } from 'zod';

/**
 * The webhook body RevenueCat POSTs: `{api_version: "1.0", event: {…}}` (RevenueCat docs, "Event Types
 * and Fields"). Only the fields otpbox reads are declared, and every object is loose: RevenueCat adds
 * fields and event types without notice, and the docs ask receivers to tolerate both. Unknown types
 * pass here and are ignored by the normaliser. Fields that only inform (price, currency, period type)
 * fall back to null when they have an unexpected type rather than refusing an event that may credit.
 *
 * Personal data RevenueCat also sends (`subscriber_attributes`, which can hold an e-mail address;
 * `country_code`; `experiments`) is deliberately not declared, so it never leaves the parser.
 */

/** Store and app-user ids are strings; a number (some exports write transaction ids as numbers) is read as its digits. */
const id = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);
const millis = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .refine((ms) => Number.isSafeInteger(ms) && ms > 0, 'must be milliseconds since 1970');
const informative = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);

export const revenueCatEvent = z.looseObject({
  id: id,
  type: z.string().min(1),
  app_user_id: id.nullish(),
  original_app_user_id: id.nullish(),
  aliases: z.array(id).nullish(),
  product_id: z.string().min(1).nullish(),
  new_product_id: z.string().min(1).nullish(),
  transaction_id: id.nullish(),
  original_transaction_id: id.nullish(),
  environment: z.string().nullish(),
  store: z.string().nullish(),
  event_timestamp_ms: millis.nullish(),
  purchased_at_ms: millis.nullish(),
  expiration_at_ms: millis.nullish(),
  cancel_reason: z.string().nullish(),
  expiration_reason: z.string().nullish(),
  transferred_from: z.array(id).nullish(),
  transferred_to: z.array(id).nullish(),
  grace_period_expiration_at_ms: informative(millis),
  period_type: informative(z.string()),
  price: informative(z.number()),
  price_in_purchased_currency: informative(z.number()),
  currency: informative(z.string().regex(/^[A-Z]{3}$/)),
  is_trial_conversion: informative(z.boolean()),
});

export type RevenueCatEvent = z.infer<typeof revenueCatEvent>;

export const revenueCatWebhookBody = z.looseObject({
  api_version: z.string().nullish(),
  event: revenueCatEvent,
});

export type RevenueCatWebhookBody = z.infer<typeof revenueCatWebhookBody>;

export type ParsedWebhook = { ok: true; body: RevenueCatWebhookBody } | { ok: false; message: string };

/** The body, validated; a clear message naming each bad field otherwise. */
export function parseRevenueCatWebhook(body: unknown): ParsedWebhook {
  const parsed = revenueCatWebhookBody.safeParse(body);
  if (parsed.success) return { ok: true, body: parsed.data };
  const problems = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return { ok: false, message: `Malformed RevenueCat webhook: ${problems.join('; ')}.` };
}
