/**
 * Every column whose values are sealed under the owning account's key (ADR 28), by `table.column`.
 * The name is part of the associated data, so a value copied to another column does not open.
 */
export const SEALED_FIELDS = [
  'accounts.email',
  'auth_tokens.email',
  'email_outbox.to_address',
  'email_outbox.body_text',
  'devices.platform',
  'devices.os_version',
  'devices.model',
  'devices.app_version',
  'activations.phone',
  'activation_sms.text',
  'webhook_endpoints.url',
  'idempotency_keys.response_body',
  'support_conversations.subject',
  'support_messages.body',
  'rentals.phone',
  'rental_sms.text',
  'rental_sms.sender',
] as const;
export type SealedField = (typeof SEALED_FIELDS)[number];

/** The associated data of a sealed value: its column, its account and its row (its id; an idempotency key's key). */
export const sealedAad = (field: SealedField, accountId: string, rowId: string): string => `${field}\n${accountId}\n${rowId}`;
