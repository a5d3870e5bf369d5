import type { Config } from '../../config.ts';

/**
 * The data map: every table and every column otpbox stores, what it is for, on what legal basis, for
 * how long, and what happens to it when a customer is erased. A test fails when the schema holds a
 * table or column that is not declared here (or a declaration whose column no longer exists).
 *
 * Later parts of otpbox read this map: retention jobs purge by it, export and erasure walk it, and the
 * published privacy policy is generated from it — so what the policy says is what the code does.
 */

export type DataCategory =
  | 'account'
  | 'device'
  | 'transaction'
  | 'activation'
  | 'sms_content'
  | 'reservation'
  | 'usage'
  | 'error_log'
  | 'security_event'
  | 'support'
  /** Not about a person: configuration, scheduling, catalog. */
  | 'operational';

export type LegalBasis = 'contract' | 'legal_obligation' | 'legitimate_interest' | 'consent' | 'not_applicable';

/** The operator settings that set a retention period, by their environment variable (config.retentionDays). */
export type RetentionSetting = keyof Config['retentionDays'];

/** How long: a technical period fixed in code, or the operator's setting for a data class the policy names. */
export type Period = { days: number; setting?: undefined } | { setting: RetentionSetting; days?: undefined };

/** The days a period lasts under `config`. */
export const periodDays = (period: Period, config: Config): number =>
  period.setting === undefined ? period.days : config.retentionDays[period.setting];

/** Columns emptied (set to null) once the time in `after` is older than the period; the row itself stays. */
export type ColumnClearing = Period & { columns: string[]; after: string };

export type Retention =
  /** Kept while the account exists; removed by erasure. */
  | { kind: 'account_lifetime' }
  /**
   * Rows removed once the time in `column` is older than the period (rows of other tables that point
   * at them by a foreign key go with them); `clear` empties some columns sooner.
   */
  | (Period & { kind: 'fixed'; column: string; clear?: ColumnClearing[] })
  /** Configuration that lives as long as the operator keeps it. */
  | { kind: 'until_changed' }
  /**
   * Records the law makes us keep (transactions: 5 years by default, P6). The ledger is append-only and
   * its balances must stay provable, so these are never purged row by row; after the legal period they
   * are to be archived with an opening balance (not automated yet).
   */
  | (Period & { kind: 'legal_period'; column: string });

/** What erasure of an account does to its rows in this table. */
export type Erasure = 'delete' | 'anonymise' | 'keep_for_legal_period' | 'not_personal';

/**
 * What erasure of an account does to one personal column of a row that stays: the value is removed
 * (`delete`: emptied), replaced by or already only a pseudonym that no longer leads to the person
 * (`pseudonymise`: e.g. the id of the anonymised account), or kept for the legal period.
 */
export type ColumnErasure = 'delete' | 'pseudonymise' | 'keep_for_legal_period';

/**
 * How a column appears in a customer's export (GET /api/v1/privacy/export). Omitted: as stored.
 * - `{ withheld: why }`: left out — secrets, hashes and keyed hashes (a copy of them helps nobody but
 *   an attacker), and what is not the customer's to receive; the reason is said in the export itself.
 * - `'staff_ref'`: a staff account id becomes a stable pseudonymous reference (`staff_…`, see
 *   staff-ref.ts); other values (`cli`, `customer`, `system`, the customer's own id) stay as they are.
 * - `'sealed'`: stored sealed under the account's key (ADR 28, keyring module); exported opened. The
 *   column must be one of the keyring's SEALED_FIELDS (a test checks both ways).
 * - `'sealed_sms_payload'`: a webhook payload whose `sms.received` text is a sealed copy of
 *   `activation_sms.text`; exported with the text opened.
 * - `'staff_ref_in_metadata'`: a JSON object whose `staff` field (the staff member who granted or took
 *   back credits on the console) becomes the same pseudonymous reference as `'staff_ref'`.
 */
export type ExportRule = { withheld: string } | 'staff_ref' | 'staff_ref_in_metadata' | 'sealed' | 'sealed_sms_payload';

export interface ColumnEntry {
  /** Whether the column can identify or describe a person (directly, or with other data we hold). */
  personal: boolean;
  /**
   * Required on personal columns of tables whose rows survive erasure (`anonymise`,
   * `keep_for_legal_period`); where erasure deletes the row, the column goes with it.
   */
  erasure?: ColumnErasure;
  note?: string;
  export?: ExportRule;
}

/**
 * How a row belongs to an account: export and erasure find an account's rows by following it.
 * - `{ column }`: the column holds the account id (any of several columns, when a list);
 * - `{ via, column }`: the column holds the key (`parentColumn`, default `id`) of a row of table `via`,
 *   which belongs to the account by its own owner path (any depth: ledger entries → wallets → account);
 * - `{ none: why }`: no row of the table is about one account (configuration, keyed hashes, counters).
 */
export type Owner =
  | { column: string | readonly string[]; via?: undefined }
  | { via: string; column: string | readonly string[]; parentColumn?: string }
  | { none: string };

/**
 * Rows of a `delete` table that erasure must leave in place for a while: those whose `column` holds
 * one of `values` (work still being settled with someone else, such as an open order's credits or an
 * upstream cancellation not yet acknowledged). The erasure job deletes them once they leave that
 * state, and in any case before the 30 days are over (ADR 27).
 */
export interface ErasureHold {
  column: string;
  values: readonly string[];
  why: string;
}

export interface TableEntry {
  category: DataCategory;
  purpose: string;
  legalBasis: LegalBasis;
  retention: Retention;
  erasure: Erasure;
  owner: Owner;
  /** Only on `delete` tables: the rows erasure waits for (see ErasureHold). */
  erasureHold?: ErasureHold;
  /** Keyed by the database column name. */
  columns: Record<string, ColumnEntry>;
}

const notPersonal: ColumnEntry = { personal: false };

const SEALED = "sealed under the account's key (ADR 28): unreadable once erasure destroys the key, backups included";

/**
 * A personal column stored sealed under the account's key: one of the keyring's SEALED_FIELDS.
 * `about`: what the value is, said before the sealing. Exported opened (`'sealed'`) unless `export`
 * says otherwise; `erasure` on a table whose rows survive erasure.
 */
const sealedColumn = (about?: string, entry: Pick<ColumnEntry, 'erasure' | 'export'> = {}): ColumnEntry => ({
  personal: true,
  note: about ? `${about}; ${SEALED}` : SEALED,
  export: 'sealed',
  ...entry,
});

export const DATA_MAP: Record<string, TableEntry> = {
  accounts: {
    category: 'account',
    purpose: 'Create and manage the account: sign-in, roles, suspension. Device accounts hold no e-mail or password (P1, P3).',
    legalBasis: 'contract',
    retention: { kind: 'account_lifetime' },
    erasure: 'anonymise',
    owner: { column: 'id' },
    columns: {
      id: { personal: true, erasure: 'pseudonymise', note: 'pseudonymous; kept after erasure so transaction records stay balanced' },
      kind: notPersonal,
      email: sealedColumn('trimmed and lower-cased', { erasure: 'delete' }),
      email_hash: {
        personal: true,
        erasure: 'delete',
        note: 'keyed hash (HMAC-SHA256, key derived from SECRET_KEY) of the address: sign-in, sign-up and reset look it up',
        export: { withheld: 'a keyed hash of your e-mail address, useless without our key; the address itself is exported' },
      },
      email_verified_at: { personal: true, erasure: 'delete' },
      password_hash: {
        personal: true,
        erasure: 'delete',
        note: 'argon2id hash; never the password',
        export: { withheld: 'a one-way hash of your password: it tells you nothing, and could only help someone guess it' },
      },
      password_change_required: {
        personal: false,
        note: 'set while a staff password given by an admin waits to be replaced by its owner',
        export: {
          withheld: 'a flag of staff accounts: whether their own password is still to be chosen at enrolment; nothing of a password',
        },
      },
      role: notPersonal,
      status: notPersonal,
      suspended_reason: { personal: true, erasure: 'delete' },
      processing_restricted_at: { personal: true, erasure: 'delete', note: 'set while the customer has restricted processing (Art. 18)' },
      deleted_at: { personal: true, erasure: 'keep_for_legal_period', note: 'when the customer deleted the account' },
      pseudonym: {
        personal: false,
        note: 'deleted:<random>, given at erasure: the label of the pseudonymous account, linking to nobody',
      },
      erasure_completed_at: { personal: false, note: 'when nothing personal of the erased account was left' },
      created_at: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: 'the pseudonymous account the transaction records point at keeps it',
      },
      updated_at: notPersonal,
    },
  },
  devices: {
    category: 'device',
    purpose: 'Identify the device behind a device account and support it: OS and version, model, app version (P2).',
    legalBasis: 'contract',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      device_hash: {
        personal: true,
        note: 'keyed hash of the device identifier; the identifier itself is never stored',
        export: { withheld: 'a keyed hash of your device identifier, useless without our key' },
      },
      secret_hash: {
        personal: false,
        note: 'keyed hash of the secret the app proves possession with; never the secret',
        export: { withheld: 'a hash of the secret your app proves itself with' },
      },
      unlinked_at: { personal: true, note: 'when the owner took the account back; the device then signs in by e-mail only' },
      platform: sealedColumn(),
      os_version: sealedColumn(),
      model: sealedColumn(),
      app_version: sealedColumn(),
      created_at: { personal: true },
      last_seen_at: { personal: true },
    },
  },
  sessions: {
    category: 'account',
    purpose: 'Keep customers signed in and let them see and end their sessions (P10: browser data for security).',
    legalBasis: 'contract',
    retention: { kind: 'fixed', days: 30, column: 'expires_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      kind: notPersonal,
      token_hash: {
        personal: false,
        note: 'SHA-256 of a random token',
        export: { withheld: 'a hash of the session token: a sign-in credential' },
      },
      device_id: { personal: true },
      created_at: { personal: true },
      last_used_at: { personal: true },
      expires_at: notPersonal,
      revoked_at: notPersonal,
      revoked_reason: notPersonal,
      user_agent: { personal: true },
      ip_prefix: { personal: true, note: 'IPv4 /24 or IPv6 /48 only' },
      second_factor_at: { personal: true, note: 'staff sessions: when the second factor completed the sign-in' },
    },
  },
  api_keys: {
    category: 'account',
    purpose: 'Let customers use the API; the key itself is shown once and stored only as SHA-256.',
    legalBasis: 'contract',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      name: { personal: true, note: 'chosen by the customer' },
      display_prefix: notPersonal,
      key_hash: { personal: false, export: { withheld: 'a hash of the key: a sign-in credential' } },
      created_at: notPersonal,
      last_used_at: { personal: true },
      revoked_at: notPersonal,
    },
  },
  consents: {
    category: 'account',
    purpose: 'Prove the minimum-age confirmation and the accepted privacy policy version (P13, P14).',
    legalBasis: 'legal_obligation',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      kind: notPersonal,
      policy_version: notPersonal,
      minimum_age: notPersonal,
      given_at: { personal: true },
    },
  },
  auth_tokens: {
    category: 'account',
    purpose: 'Single-use e-mail verification and password reset tokens (stored hashed, valid 30 minutes).',
    legalBasis: 'contract',
    retention: { kind: 'fixed', days: 7, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      purpose: notPersonal,
      token_hash: { personal: false, export: { withheld: 'a hash of a single-use e-mail link: a sign-in credential' } },
      email: sealedColumn(),
      created_at: notPersonal,
      expires_at: notPersonal,
      used_at: notPersonal,
    },
  },
  auth_throttles: {
    category: 'security_event',
    purpose: 'Count failed sign-ins per account, trusted device and IP to stop password guessing (P16).',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', days: 2, column: 'updated_at' },
    erasure: 'delete',
    owner: { none: 'keyed by keyed hashes of an e-mail, device or address, not by account: no row is told apart as one account’s' },
    columns: {
      key: { personal: true, note: 'an account id, or a keyed hash of an IP address or e-mail' },
      failures: notPersonal,
      window_started_at: notPersonal,
      blocked_until: notPersonal,
      updated_at: notPersonal,
    },
  },
  rate_limit_counters: {
    category: 'security_event',
    purpose:
      'Rate limits that hold across the instances of one deployment (ADR 43): hits per limiter, key and minute or hour window, added up by every instance, against abuse and overload (P16).',
    legalBasis: 'legitimate_interest',
    // The flushers sweep a window as soon as it ends; the retention job is the backstop.
    retention: { kind: 'fixed', days: 1, column: 'ends_at' },
    erasure: 'delete',
    owner: { none: 'keyed by keyed hashes of an account, API key or address, not by account: no row is told apart as one account’s' },
    columns: {
      limiter: notPersonal,
      key: {
        personal: true,
        note: 'keyed hash (HMAC-SHA256, key derived from SECRET_KEY) of an account id, API key id or client address; the value never leaves the process',
      },
      window_id: notPersonal,
      hits: notPersonal,
      ends_at: notPersonal,
    },
  },
  security_events: {
    category: 'security_event',
    purpose:
      'Security and abuse prevention (P10, P16): sign-ins, password and key changes, role changes, suspensions; customers see their own.',
    legalBasis: 'legitimate_interest',
    retention: {
      kind: 'fixed',
      setting: 'RETENTION_SECURITY_EVENTS_DAYS',
      column: 'occurred_at',
      clear: [{ columns: ['ip_prefix', 'ip_hash', 'user_agent'], after: 'occurred_at', setting: 'RETENTION_SECURITY_IP_DAYS' }],
    },
    erasure: 'anonymise',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true, erasure: 'pseudonymise' },
      actor: { personal: true, erasure: 'pseudonymise', export: 'staff_ref' },
      type: notPersonal,
      occurred_at: notPersonal,
      ip_prefix: { personal: true, erasure: 'delete', note: 'IPv4 /24 or IPv6 /48 only' },
      ip_hash: {
        personal: true,
        erasure: 'delete',
        note: 'HMAC of the full address with a key derived from SECRET_KEY',
        export: { withheld: 'a keyed hash of the full address, useless without our key; the address prefix is exported' },
      },
      user_agent: { personal: true, erasure: 'delete' },
      details: {
        personal: true,
        erasure: 'delete',
        note: 'event facts such as a key name, device details or a reason; never secrets',
      },
    },
  },
  email_outbox: {
    category: 'account',
    purpose: 'Deliver account e-mail (verification, password reset) reliably, in the same transaction as what it announces.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', days: 7, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      to_address: sealedColumn(),
      template: notPersonal,
      subject: notPersonal,
      body_text: sealedColumn('holds a single-use link that expires after 30 minutes', {
        export: { withheld: 'holds a single-use link (a sign-in credential) that a copy must not carry' },
      }),
      status: notPersonal,
      attempts: notPersonal,
      last_error: notPersonal,
      next_attempt_at: notPersonal,
      created_at: notPersonal,
      sent_at: notPersonal,
    },
  },
  ledger_accounts: {
    category: 'transaction',
    purpose: "Hold each customer's credit balance (and the system accounts credits move between), as cached sums of the ledger.",
    legalBasis: 'contract',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { column: 'owner_account_id' },
    columns: {
      id: notPersonal,
      kind: notPersonal,
      code: notPersonal,
      stripe: { personal: false, note: 'which stripe of a system account the row is (0 for wallets)' },
      owner_account_id: {
        personal: true,
        erasure: 'pseudonymise',
        note: 'points at an account that is anonymised on erasure: the wallet becomes pseudonymous',
      },
      purse: { personal: false, note: "which of the customer's wallets: credits, or the sandbox's demo credits" },
      posted: { personal: true, erasure: 'keep_for_legal_period' },
      pending: { personal: true, erasure: 'keep_for_legal_period' },
      in_debt: { personal: true, erasure: 'keep_for_legal_period' },
      restricted_at: { personal: true, erasure: 'keep_for_legal_period' },
      staff_held_at: { personal: true, erasure: 'keep_for_legal_period', note: 'set while staff hold the wallet (only an admin lifts it)' },
      created_at: notPersonal,
    },
  },
  ledger_transfers: {
    category: 'transaction',
    purpose: 'Transaction records: every credit movement (purchases, holds, captures, refunds), immutable, kept 5 years (P6, P8).',
    legalBasis: 'legal_obligation',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { via: 'ledger_accounts', column: ['debit_account_id', 'credit_account_id'] },
    columns: {
      id: notPersonal,
      idempotency_key: { personal: false, note: 'order, payment or event ids; never personal data' },
      kind: notPersonal,
      phase: notPersonal,
      amount: { personal: true, erasure: 'keep_for_legal_period' },
      debit_account_id: { personal: true, erasure: 'pseudonymise' },
      credit_account_id: { personal: true, erasure: 'pseudonymise' },
      pending_id: notPersonal,
      reverses_id: notPersonal,
      hold_expires_at: notPersonal,
      reason: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: 'plain words such as "Telegram number +1…0123, code received"; rented numbers are shown masked',
      },
      metadata: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: 'order ids, service and country; for a console grant, the staff member',
        export: 'staff_ref_in_metadata',
      },
      actor: { personal: true, erasure: 'keep_for_legal_period', note: 'a staff account id or `cli`', export: 'staff_ref' },
      created_at: { personal: true, erasure: 'keep_for_legal_period' },
    },
  },
  ledger_entries: {
    category: 'transaction',
    purpose: "The double-entry lines of each transfer, with each account's balance after it (statements).",
    legalBasis: 'legal_obligation',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { via: 'ledger_accounts', column: 'account_id' },
    columns: {
      id: notPersonal,
      transfer_id: notPersonal,
      account_id: { personal: true, erasure: 'pseudonymise' },
      phase: notPersonal,
      amount: { personal: true, erasure: 'keep_for_legal_period' },
      posted_after: { personal: true, erasure: 'keep_for_legal_period' },
      pending_after: { personal: true, erasure: 'keep_for_legal_period' },
      created_at: { personal: true, erasure: 'keep_for_legal_period' },
    },
  },
  audit_log: {
    category: 'security_event',
    purpose: 'Who among the staff and operators did what (credits granted, chargebacks, restrictions) and why.',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'occurred_at' },
    erasure: 'anonymise',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      actor: { personal: true, erasure: 'pseudonymise', note: 'a staff account id, `cli` or `system`', export: 'staff_ref' },
      action: notPersonal,
      account_id: { personal: true, erasure: 'pseudonymise' },
      details: { personal: true, erasure: 'keep_for_legal_period', note: 'amounts and the reason given' },
      occurred_at: notPersonal,
    },
  },
  staff_access_log: {
    category: 'security_event',
    purpose:
      'Every read of a customer\'s data by staff (support, admin) through the operator\'s tools: who (a pseudonymous reference), in what role, what, why if they said, and when — shown to the customer under "Who accessed my data" and in their export.',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      staff_account_id: { personal: true, note: "the staff member's own account", export: 'staff_ref' },
      staff_role: notPersonal,
      what: { personal: false, note: 'a short code such as account.profile' },
      reason: { personal: true, note: "the staff member's words; may describe the customer's case" },
      request_id: notPersonal,
      occurred_at: { personal: true },
    },
  },
  staff_factors: {
    category: 'security_event',
    purpose:
      'The second factor of staff accounts (TOTP, ADR 31): the secret their authenticator shares, and the last code step used (no replay).',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      account_id: { personal: true },
      totp_secret: {
        personal: false,
        note: 'sealed with a key derived from SECRET_KEY (purpose staff-totp), bound to the account',
        export: { withheld: 'the shared secret of a second factor: a sign-in credential' },
      },
      last_time_step: notPersonal,
      enrolled_at: { personal: true },
    },
  },
  staff_recovery_codes: {
    category: 'security_event',
    purpose: "Staff accounts' single-use recovery codes (ADR 31), shown once, kept only as keyed hashes.",
    legalBasis: 'legitimate_interest',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      code_hash: { personal: false, export: { withheld: 'a keyed hash of a recovery code: a sign-in credential' } },
      created_at: notPersonal,
      used_at: { personal: true },
    },
  },
  staff_enrolments: {
    category: 'security_event',
    purpose: "One-time links that enrol a staff account's second factor (24 hours, single-use; the token only as SHA-256).",
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', days: 7, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      token_hash: { personal: false, export: { withheld: 'a hash of a single-use enrolment link: a sign-in credential' } },
      totp_secret: {
        personal: false,
        note: 'sealed with a key derived from SECRET_KEY (purpose staff-totp), bound to the enrolment',
        export: { withheld: 'the shared secret of a second factor: a sign-in credential' },
      },
      issued_by: { personal: true, note: '`cli` or the staff account that issued it', export: 'staff_ref' },
      created_at: notPersonal,
      expires_at: notPersonal,
      used_at: notPersonal,
    },
  },
  staff_sign_in_challenges: {
    category: 'security_event',
    purpose: 'A staff sign-in between the right password and the second factor (5 minutes; the token only as SHA-256).',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', days: 2, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      token_hash: { personal: false, export: { withheld: 'a hash of the pending sign-in cookie: a sign-in credential' } },
      created_at: { personal: true },
      expires_at: notPersonal,
      used_at: notPersonal,
    },
  },
  account_order_counts: {
    category: 'activation',
    purpose:
      'How many open orders each account has, and when its newest cancelled order was placed, kept by the database on every order change, so the limit on open orders (P16) is one read and the cancel throttle reads the recent orders only when one of them was cancelled.',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      account_id: { personal: true },
      open: { personal: false, note: 'a count derived from the orders' },
      last_cancelled_order_at: { personal: true, note: 'the creation time of one of the orders, copied from it' },
    },
  },
  activations: {
    category: 'activation',
    purpose:
      "The customer's orders: which service and country, the rented number, price and outcome — shown in their history (P5) and needed for refunds and disputes.",
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_NUMBER_HISTORY_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    erasureHold: {
      column: 'status',
      values: ['requesting', 'waiting', 'received'],
      why: 'an open order still holds credits or is being bought; erasure ends it at once, the row goes once it has ended',
    },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      service: { personal: true, note: 'which service the customer verified with' },
      country: { personal: true },
      provider: notPersonal,
      upstream_id: notPersonal,
      phone: sealedColumn("the rented number, not the customer's own; personal because it is tied to their account"),
      phone_hash: {
        personal: true,
        note: 'a keyed hash (key derived from SECRET_KEY) of the rented number, for staff to find the order by it; goes with the row',
        export: { withheld: 'a keyed hash of the number shown in clear in the same row' },
      },
      price: { personal: true },
      provider_cost: { personal: false, export: { withheld: 'what the operator paid the provider: a business record, not about you' } },
      provider_currency: { personal: false, export: { withheld: 'the currency of what the operator paid the provider' } },
      status: notPersonal,
      hold_id: notPersonal,
      failure_reason: notPersonal,
      sandbox: notPersonal,
      created_at: { personal: true },
      updated_at: notPersonal,
      expires_at: notPersonal,
      cancellable_at: notPersonal,
      received_at: { personal: true },
      retry_requested_at: notPersonal,
      ended_at: notPersonal,
      next_poll_at: notPersonal,
      poll_attempts: notPersonal,
    },
  },
  activation_sms: {
    category: 'sms_content',
    purpose:
      'The verification messages an order received, shown only to its owner (P4). With SMS_STORAGE=ephemeral the text is never stored: only the code and when it arrived.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'received_at' },
    erasure: 'delete',
    owner: { via: 'activations', column: 'activation_id' },
    columns: {
      id: notPersonal,
      activation_id: { personal: true },
      dedupe_key: {
        personal: false,
        note: 'the code, a provider message id or a hash: how one message is stored once',
        export: { withheld: 'how we recognise a message sent twice (it may name a code we withheld)' },
      },
      code: { personal: true },
      text: sealedColumn('null in ephemeral mode'),
      late: notPersonal,
      received_at: { personal: true },
      source: notPersonal,
    },
  },
  activation_events: {
    category: 'reservation',
    purpose: 'The audit trail of each order: every transition, who caused it and when (reservation details, P5).',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'occurred_at' },
    erasure: 'delete',
    owner: { via: 'activations', column: 'activation_id' },
    columns: {
      id: notPersonal,
      activation_id: { personal: true },
      type: notPersonal,
      from_status: notPersonal,
      to_status: notPersonal,
      actor: { personal: true, note: 'customer, system, provider, or a staff account id', export: 'staff_ref' },
      details: { personal: false, note: 'reasons and provider replies; never SMS text or personal data' },
      occurred_at: { personal: true },
    },
  },
  order_numbers: {
    category: 'reservation',
    purpose:
      'The numeric id an order has in the SMS-Activate-compatible API (its clients read ids as integers): a pointer to the order, nothing more.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { via: 'activations', column: 'activation_id' },
    columns: {
      number: notPersonal,
      activation_id: { personal: true },
      created_at: { personal: true },
    },
  },
  provider_tasks: {
    category: 'reservation',
    purpose:
      'What must still be told to the upstream provider about an order (finish, cancel, another SMS), retried until acknowledged. Carries no personal data to the provider (P7).',
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { via: 'activations', column: 'activation_id' },
    erasureHold: {
      column: 'status',
      values: ['pending'],
      why: 'the provider has not acknowledged the cancellation yet (retried until it does, or gives up after 3 days)',
    },
    columns: {
      id: notPersonal,
      activation_id: { personal: true },
      provider: notPersonal,
      upstream_id: notPersonal,
      action: notPersonal,
      status: notPersonal,
      attempts: notPersonal,
      next_attempt_at: notPersonal,
      last_error: notPersonal,
      created_at: notPersonal,
      done_at: notPersonal,
    },
  },
  provider_calls: {
    category: 'reservation',
    purpose:
      'What we asked the upstream number provider about each order and what it answered (buys, cancels, finishes, retries, and the status checks that changed something or failed), so that staff can explain an order that went wrong. Redacted: no number and no code (ADR 36).',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_LOGS_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { via: 'activations', column: 'activation_id' },
    columns: {
      id: notPersonal,
      activation_id: { personal: true },
      provider: notPersonal,
      action: notPersonal,
      outcome: notPersonal,
      duration_ms: notPersonal,
      answer: {
        personal: false,
        note: 'the provider’s answer summarised, every run of four or more digits redacted; at most 300 characters',
      },
      created_at: notPersonal,
    },
  },
  account_events: {
    category: 'usage',
    purpose: 'The live event stream of an account (order updates, codes, balance), kept one day so a reconnecting client can resume.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', days: 1, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      seq: { personal: false, note: 'the event number within its account, which streams resume from' },
      type: notPersonal,
      payload: { personal: true, note: 'order ids, statuses, codes and balances; never SMS text' },
      created_at: notPersonal,
    },
  },
  account_event_heads: {
    category: 'usage',
    purpose: 'The number of the last live event of each account, so events are numbered per account without gaps.',
    legalBasis: 'contract',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      account_id: { personal: true },
      seq: { personal: false, note: 'a count' },
    },
  },
  idempotency_keys: {
    category: 'usage',
    purpose: 'Answer a retried order creation with the original response instead of ordering twice.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', days: 1, column: 'created_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      account_id: { personal: true },
      key: notPersonal,
      request_hash: { personal: false, export: { withheld: 'a hash of the request, to recognise a retry' } },
      activation_id: { personal: false, note: 'the order the key placed' },
      status: notPersonal,
      response_status: notPersonal,
      response_body: sealedColumn('the order as first returned, holding the rented number', {
        export: { withheld: 'a sealed copy of the order as it was first answered; the order itself is exported with your orders' },
      }),
      response_protocol: { personal: false, note: 'which API the answer was worded for (REST, SMS-Activate, 5sim)' },
      created_at: notPersonal,
    },
  },
  webhook_endpoints: {
    category: 'account',
    purpose:
      "Where a customer asked us to send their account's events (order updates, codes, balance) and the secret they are signed with.",
    legalBasis: 'contract',
    retention: { kind: 'account_lifetime' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      url: sealedColumn("the customer's own server; may name them or their business"),
      description: { personal: true, note: 'chosen by the customer' },
      event_types: notPersonal,
      secret_encrypted: {
        personal: false,
        note: 'AES-256-GCM under a key derived from SECRET_KEY; shown to the customer only at creation and rotation',
        export: { withheld: 'the signing secret: shown to you only at creation and rotation' },
      },
      status: notPersonal,
      created_by_key: { personal: false, note: 'the id of the API key that registered it, if one did' },
      disabled_reason: notPersonal,
      disabled_at: notPersonal,
      consecutive_failures: notPersonal,
      failing_since: notPersonal,
      last_success_at: notPersonal,
      created_at: notPersonal,
      updated_at: notPersonal,
    },
  },
  webhook_deliveries: {
    category: 'sms_content',
    purpose:
      "Deliver the account's events to its own webhook endpoints, retry them for up to 3 days, and show the customer a delivery log. Sent only to the endpoints of the account the event belongs to.",
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_LOGS_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { via: 'webhook_endpoints', column: 'endpoint_id' },
    columns: {
      id: notPersonal,
      endpoint_id: { personal: true },
      message_id: notPersonal,
      event_id: notPersonal,
      type: notPersonal,
      payload: {
        personal: true,
        note: 'order ids, statuses, codes and balances; the SMS text of sms.received only with SMS_STORAGE=history, never in ephemeral mode (P4), sealed as activation_sms.text is',
        export: 'sealed_sms_payload',
      },
      status: notPersonal,
      attempts: notPersonal,
      next_attempt_at: notPersonal,
      last_attempt_at: notPersonal,
      last_response_status: notPersonal,
      last_error: { personal: false, note: "an HTTP status or a network error about the customer's server" },
      last_duration_ms: notPersonal,
      created_at: { personal: true },
      delivered_at: notPersonal,
    },
  },
  job_runs: {
    category: 'operational',
    purpose:
      'Record when periodic jobs (expiry sweeps, retention, catalog sync) ran and what they did, so runs are never repeated and failures can be investigated.',
    legalBasis: 'not_applicable',
    retention: { kind: 'fixed', setting: 'RETENTION_LOGS_DAYS', column: 'started_at' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: when the periodic jobs ran' },
    columns: {
      id: notPersonal,
      job: notPersonal,
      slot_start: notPersonal,
      instance_id: notPersonal,
      status: notPersonal,
      started_at: notPersonal,
      finished_at: notPersonal,
      result: { personal: false, note: 'counts only; jobs never return personal data' },
      error: { personal: false, note: 'error messages of jobs, which never include personal data' },
    },
  },
  providers: {
    category: 'operational',
    purpose:
      "The upstream providers the operator buys numbers from: endpoint, terms (priority, markup, fee), health and our balance there. The provider's API key is stored sealed (AES-256-GCM under a key derived from SECRET_KEY) and never shown.",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the operator’s upstream providers' },
    columns: {
      id: notPersonal,
      name: notPersonal,
      kind: notPersonal,
      base_url: notPersonal,
      api_key_encrypted: {
        personal: false,
        note: "the operator's credential at the provider, sealed",
        export: { withheld: 'a credential' },
      },
      currency: notPersonal,
      credits_per_unit_micros: notPersonal,
      priority: notPersonal,
      markup_basis_points: notPersonal,
      fee_credits: notPersonal,
      enabled: notPersonal,
      push_token_hash: { personal: false, note: 'SHA-256 of the secret in the push URL', export: { withheld: 'a hash of a credential' } },
      low_balance_micros: notPersonal,
      balance_micros: notPersonal,
      balance_at: notPersonal,
      health: notPersonal,
      last_error: { personal: false, note: "the provider's last failure, never containing the key" },
      last_error_at: notPersonal,
      synced_at: notPersonal,
      created_at: notPersonal,
      updated_at: notPersonal,
      removed_at: notPersonal,
    },
  },
  provider_offers: {
    category: 'operational',
    purpose:
      "Each provider's prices and stock per service and country, as of the last catalog sync, read by every instance to price the catalog.",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the providers’ prices and stock' },
    columns: {
      provider_id: notPersonal,
      service: notPersonal,
      country: notPersonal,
      cost: notPersonal,
      count: notPersonal,
      synced_at: notPersonal,
    },
  },
  gateways: {
    category: 'operational',
    purpose:
      "The operator's own SMS gateways (an Android phone running SMS Gateway, a Twilio account, an SMPP link) that receive the pool numbers' SMS: kind, options, health. The secret (signing key, auth token, password) is sealed under a key derived from SECRET_KEY and never shown again.",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the operator’s own gateways' },
    columns: {
      id: notPersonal,
      name: notPersonal,
      kind: notPersonal,
      secret_sealed: { personal: false, note: "the gateway's credential, sealed", export: { withheld: 'a credential' } },
      settings: { personal: false, note: 'kind options (Twilio account SID, SMPP host and system id); never a secret' },
      state: notPersonal,
      last_seen_at: notPersonal,
      created_at: notPersonal,
      removed_at: notPersonal,
    },
  },
  pool_numbers: {
    category: 'operational',
    purpose:
      "The operator's own numbers in the pool: gateway, device and SIM slot, services, cost, and state (free, rented, cooling down).",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the operator’s own SIM cards and lines' },
    columns: {
      id: notPersonal,
      gateway_id: notPersonal,
      number: { personal: false, note: "the operator's own number (the customer's order holds it sealed)" },
      country: notPersonal,
      services: notPersonal,
      device: { personal: false, note: "the id of the operator's phone in the SMS Gateway app" },
      sim: notPersonal,
      cost: notPersonal,
      state: notPersonal,
      cooling_until: notPersonal,
      last_sold_at: notPersonal,
      created_at: notPersonal,
      removed_at: notPersonal,
    },
  },
  pool_leases: {
    category: 'reservation',
    purpose:
      'Which pool number was sold when, for which service, and whether an SMS reached it: the order that holds a lease names it (its upstream id), the lease names no account.',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_NUMBER_HISTORY_DAYS', column: 'ended_at' },
    erasure: 'not_personal',
    owner: { none: 'names no account: the order (erased with the account) is what links a lease to a customer' },
    columns: {
      id: notPersonal,
      number_id: notPersonal,
      kind: notPersonal,
      service: notPersonal,
      started_at: notPersonal,
      ended_at: notPersonal,
      got_sms: notPersonal,
    },
  },
  pool_service_uses: {
    category: 'reservation',
    purpose:
      "A pool number sold for a service: it is not sold for that service again within POOL_REUSE_DAYS, so that a buyer's new account cannot be taken over through a recycled number. Kept at least that long (POOL_REUSE_DAYS may not exceed RETENTION_NUMBER_HISTORY_DAYS).",
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_NUMBER_HISTORY_DAYS', column: 'used_at' },
    erasure: 'not_personal',
    owner: { none: 'names no account: a number of the operator and a service' },
    columns: {
      number_id: notPersonal,
      service: notPersonal,
      used_at: notPersonal,
      lease_id: notPersonal,
    },
  },
  gateway_messages: {
    category: 'sms_content',
    purpose:
      "Every SMS the operator's gateways received, once (the same message sent twice is recorded once), and where it went. The sender and text are kept only for messages that matched no order, sealed, for staff to look into; they are never shown to a customer.",
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', setting: 'RETENTION_GATEWAY_MESSAGES_DAYS', column: 'received_at' },
    erasure: 'delete',
    owner: {
      none: 'names no account: a message that matched an order is the order’s (activation_sms); an unmatched one belongs to no customer',
    },
    columns: {
      id: notPersonal,
      gateway_id: notPersonal,
      message_key: { personal: false, note: "the channel's id of the message" },
      content_key: { personal: false, note: 'SHA-256 of receiver, sender, time and text: recognises the same message sent again' },
      number_id: notPersonal,
      lease_id: notPersonal,
      outcome: notPersonal,
      sender_sealed: {
        personal: true,
        note: 'who sent an unmatched SMS; sealed under a key derived from SECRET_KEY',
        export: { withheld: 'not about a customer' },
      },
      text_sealed: {
        personal: true,
        note: 'the text of an unmatched SMS; sealed under a key derived from SECRET_KEY',
        export: { withheld: 'not about a customer' },
      },
      received_at: notPersonal,
    },
  },
  pool_rental_rates: {
    category: 'operational',
    purpose: "The rental rate of a pool number (USD per day, before the pool provider's markup): a number without one is never rented.",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the operator’s price of its own numbers' },
    columns: {
      number_id: notPersonal,
      per_day: notPersonal,
      updated_at: notPersonal,
    },
  },
  rentals: {
    category: 'reservation',
    purpose:
      "The customer's long-term rentals of a number (P5): which number, country and declared services, the price per day, the periods paid, auto-renewal, and how it ended — shown in their rentals and needed for disputes.",
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'ended_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    erasureHold: {
      column: 'status',
      values: ['active'],
      why: 'an active rental still holds credits; erasure ends it at once, the row goes once it has ended',
    },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      lease_id: notPersonal,
      phone: sealedColumn("the rented number, not the customer's own; personal because it is tied to their account"),
      phone_hash: {
        personal: true,
        note: 'a keyed hash (key derived from SECRET_KEY) of the rented number, for staff to find the rental by it; goes with the row',
        export: { withheld: 'a keyed hash of the number shown in clear in the same row' },
      },
      country: { personal: true },
      services: { personal: true, note: 'the services the customer said they would use the number for' },
      day_price: { personal: true },
      status: notPersonal,
      started_at: { personal: true },
      ends_at: { personal: true },
      auto_renew: notPersonal,
      periods: notPersonal,
      idempotency_key: { personal: false, note: "the client's retry key of the request that made the rental" },
      request_hash: { personal: false, export: { withheld: 'a hash of the request, to recognise a retry' } },
      created_at: { personal: true },
      updated_at: notPersonal,
      ended_at: { personal: true },
      end_reason: notPersonal,
    },
  },
  rental_periods: {
    category: 'reservation',
    purpose:
      'The periods of a rental: each one’s days and price, held at its start and captured at its end (or released on an early cancel).',
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'ends_at' },
    erasure: 'delete',
    owner: { via: 'rentals', column: 'rental_id' },
    columns: {
      id: notPersonal,
      rental_id: { personal: true },
      seq: notPersonal,
      starts_at: { personal: true },
      ends_at: { personal: true },
      days: notPersonal,
      price: { personal: true },
      hold_id: notPersonal,
      status: notPersonal,
      charged: { personal: true },
      settled_at: notPersonal,
      created_at: notPersonal,
    },
  },
  rental_sms: {
    category: 'sms_content',
    purpose:
      'Every SMS a rented number received, shown only to its renter (P4), with the code found in it. With SMS_STORAGE=ephemeral the text is never stored: only the code, the sender and when it arrived.',
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_RESERVATIONS_DAYS', column: 'received_at' },
    erasure: 'delete',
    owner: { via: 'rentals', column: 'rental_id' },
    columns: {
      id: notPersonal,
      rental_id: { personal: true },
      dedupe_key: { personal: false, note: 'the channel’s message id or a hash' },
      code: { personal: true },
      text: sealedColumn('null in ephemeral mode'),
      sender: sealedColumn('who sent the SMS (a service’s short code or number)'),
      late: notPersonal,
      received_at: { personal: true },
    },
  },
  gateway_replays: {
    category: 'operational',
    purpose:
      'Signed gateway deliveries already accepted (a hash of their timestamp and signature), so the same delivery sent again is refused.',
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', days: 1, column: 'seen_at' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: hashes of signatures' },
    columns: {
      gateway_id: notPersonal,
      replay_key: notPersonal,
      seen_at: notPersonal,
    },
  },
  catalog_rules: {
    category: 'operational',
    purpose: "The operator's catalog rules: services, countries or pairs disabled, fixed prices, markups.",
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the operator’s catalog settings' },
    columns: {
      id: notPersonal,
      scope: notPersonal,
      service: notPersonal,
      country: notPersonal,
      disabled: notPersonal,
      price_credits: notPersonal,
      markup_basis_points: notPersonal,
      created_at: notPersonal,
    },
  },
  credit_packages: {
    category: 'operational',
    purpose: 'The credit packs and plans the operator sells: credits, price, currency, period, and the app-store product that buys each.',
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: what the operator sells' },
    columns: {
      id: notPersonal,
      code: notPersonal,
      credits: notPersonal,
      price_minor: notPersonal,
      currency: notPersonal,
      interval: notPersonal,
      store_product_id: notPersonal,
      active: notPersonal,
      created_at: notPersonal,
      updated_at: notPersonal,
    },
  },
  payments: {
    category: 'transaction',
    purpose:
      "Payment records (P8): what was bought, its status, credits, amount, currency, timestamps and the processor's references — never card, bank or wallet data; kept 5 years as transaction records (P6).",
    legalBasis: 'legal_obligation',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { column: 'account_id' },
    columns: {
      id: { personal: false, note: 'the order number shown on receipts' },
      account_id: {
        personal: true,
        erasure: 'pseudonymise',
        note: 'points at an account that is anonymised on erasure: the record becomes pseudonymous',
      },
      package_id: notPersonal,
      method: { personal: true, erasure: 'keep_for_legal_period' },
      processor: notPersonal,
      status: notPersonal,
      credits: { personal: true, erasure: 'keep_for_legal_period' },
      amount_minor: { personal: true, erasure: 'keep_for_legal_period' },
      currency: { personal: true, erasure: 'keep_for_legal_period' },
      processor_ref: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: "the processor's id of the checkout or invoice; no card data",
      },
      processor_payment_ref: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: "the processor's id of the payment (PaymentIntent); no card data",
      },
      subscription_id: notPersonal,
      checkout_url: { personal: false, note: "the processor's hosted payment page; expires after 24 hours" },
      idempotency_key: { personal: false, note: "chosen by the customer's client to retry safely" },
      request_hash: { personal: false, export: { withheld: 'a hash of the request, to recognise a retry' } },
      pending_at: { personal: true, erasure: 'keep_for_legal_period' },
      paid_at: { personal: true, erasure: 'keep_for_legal_period' },
      failed_at: { personal: true, erasure: 'keep_for_legal_period' },
      failure_reason: { personal: false, note: 'plain words such as "expired"; never card details' },
      refunded_minor: { personal: true, erasure: 'keep_for_legal_period' },
      refunded_at: { personal: true, erasure: 'keep_for_legal_period' },
      dispute_status: { personal: true, erasure: 'keep_for_legal_period' },
      disputed_at: { personal: true, erasure: 'keep_for_legal_period' },
      credits_reversed: { personal: true, erasure: 'keep_for_legal_period' },
      checked_at: notPersonal,
      created_at: { personal: true, erasure: 'keep_for_legal_period' },
      updated_at: notPersonal,
    },
  },
  processed_webhook_events: {
    category: 'operational',
    purpose: "The payment processors' webhook events already handled, by event id, so a repeated delivery changes nothing.",
    legalBasis: 'legitimate_interest',
    retention: { kind: 'fixed', days: 35, column: 'received_at' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: the processors’ event ids already handled (the payments they concern are exported)' },
    columns: {
      processor: notPersonal,
      event_id: { personal: false, note: "the processor's event id" },
      type: notPersonal,
      payment_id: { personal: false, note: 'the payment the event concerned' },
      received_at: notPersonal,
    },
  },
  subscriptions: {
    category: 'transaction',
    purpose:
      "Plans customers subscribed to (P15): the package, its status, when the current period ends and whether it renews, and the processor's references for its customer portal.",
    legalBasis: 'contract',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true, erasure: 'pseudonymise' },
      package_id: { personal: true, erasure: 'keep_for_legal_period' },
      processor: notPersonal,
      processor_ref: { personal: true, erasure: 'keep_for_legal_period', note: "the processor's subscription id" },
      processor_customer_ref: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: "the processor's customer id (no name, e-mail or card is stored here)",
      },
      first_payment_id: notPersonal,
      status: { personal: true, erasure: 'keep_for_legal_period' },
      current_period_end: { personal: true, erasure: 'keep_for_legal_period' },
      cancel_at_period_end: { personal: true, erasure: 'keep_for_legal_period' },
      status_as_of: { personal: false, note: "the time of the processor's event that set the status" },
      renewal_as_of: { personal: false, note: "the time of the processor's event that set auto-renewal" },
      created_at: { personal: true, erasure: 'keep_for_legal_period' },
      updated_at: notPersonal,
    },
  },
  bitcoin_payments: {
    category: 'transaction',
    purpose:
      'The bitcoin side of a payment (P8): the receiving address handed out for it, the amount and price quoted, and the credits given so far — never a wallet key.',
    legalBasis: 'legal_obligation',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'created_at' },
    erasure: 'keep_for_legal_period',
    owner: { via: 'payments', column: 'payment_id' },
    columns: {
      payment_id: { personal: false, note: 'the order number' },
      address: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: 'a public receiving address of the operator’s wallet; links the payment to a public blockchain transaction',
      },
      expected_satoshis: { personal: true, erasure: 'keep_for_legal_period' },
      quoted_price: notPersonal,
      expires_at: notPersonal,
      credited_credits: { personal: true, erasure: 'keep_for_legal_period' },
      note: { personal: false, note: 'the crediting decision in plain words (underpaid, overpaid, waiting for confirmations)' },
      created_at: { personal: true, erasure: 'keep_for_legal_period' },
      updated_at: notPersonal,
    },
  },
  bitcoin_transactions: {
    category: 'transaction',
    purpose:
      "The bitcoin transactions Blockonomics reported for a payment's address, by status, so a payment is credited exactly once from everything that arrived (P8).",
    legalBasis: 'legal_obligation',
    retention: { kind: 'legal_period', setting: 'RETENTION_TRANSACTIONS_DAYS', column: 'first_seen_at' },
    erasure: 'keep_for_legal_period',
    owner: { via: 'payments', column: 'payment_id' },
    columns: {
      payment_id: { personal: false, note: 'the order number' },
      txid: {
        personal: true,
        erasure: 'keep_for_legal_period',
        note: 'a public blockchain transaction id; it can lead to the payer’s wallet',
      },
      status: notPersonal,
      satoshis: { personal: true, erasure: 'keep_for_legal_period' },
      rbf: notPersonal,
      first_seen_at: { personal: true, erasure: 'keep_for_legal_period' },
      last_seen_at: notPersonal,
    },
  },
  privacy_requests: {
    category: 'support',
    purpose:
      'Rights requests (access, rectification, erasure, portability, objection, restriction, withdrawal of consent): handled within 30 days, their status shown to the customer, and kept as evidence that each was answered (P11).',
    legalBasis: 'legal_obligation',
    // Evidence of compliance (Art. 5(2), 12): 3 years after the answer, which comes at most 90 days
    // after filing (30, extended by 60 under Art. 12(3)): 3 × 365 + 90 days from filing.
    retention: { kind: 'fixed', days: 1185, column: 'filed_at' },
    erasure: 'keep_for_legal_period',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true, erasure: 'keep_for_legal_period', note: 'the pseudonymous account after erasure' },
      type: { personal: true, erasure: 'keep_for_legal_period', note: 'which right the customer exercised' },
      details: { personal: true, erasure: 'delete', note: 'free text the customer wrote' },
      status: notPersonal,
      filed_at: { personal: true, erasure: 'keep_for_legal_period' },
      verified_at: { personal: true, erasure: 'keep_for_legal_period' },
      due_at: notPersonal,
      token_hash: {
        personal: false,
        note: 'SHA-256 of the e-mailed link’s token, until it is used; never the token',
        export: { withheld: 'a hash of the one-time link we e-mailed you' },
      },
      token_expires_at: {
        personal: false,
        export: { withheld: 'when the one-time link stops working: part of the link, not of your request' },
      },
      resolved_at: notPersonal,
      resolution: { personal: true, erasure: 'keep_for_legal_period', note: 'what staff told the customer' },
      handled_by: { personal: true, erasure: 'keep_for_legal_period', note: 'the staff account that handled it', export: 'staff_ref' },
      updated_at: notPersonal,
    },
  },
  support_conversations: {
    category: 'support',
    purpose:
      "Support messages from customers (P17): a conversation with the operator's support staff, in general or about one of the customer's orders, its subject and whether it waits on staff, on the customer, or is closed.",
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_SUPPORT_DAYS', column: 'last_activity_at' },
    erasure: 'delete',
    owner: { column: 'account_id' },
    columns: {
      id: notPersonal,
      account_id: { personal: true },
      order_id: { personal: true, note: 'the order it is about, if any (an order of the same account)' },
      subject: { personal: true, note: `the customer's words; ${SEALED}`, export: 'sealed' },
      status: notPersonal,
      created_at: { personal: true },
      waiting_since: { personal: true, note: 'since when the customer has waited for an answer' },
      last_activity_at: { personal: true, note: 'the last message or the closing: retention counts from here' },
      closed_at: { personal: true },
      closed_by: { personal: true, note: '`customer`, or the staff account that closed it', export: 'staff_ref' },
    },
  },
  support_messages: {
    category: 'support',
    purpose:
      "The messages of a support conversation (P17), the customer's and staff answers: what the customer chose to tell us, and what we answered.",
    legalBasis: 'contract',
    retention: { kind: 'fixed', setting: 'RETENTION_SUPPORT_DAYS', column: 'created_at' },
    erasure: 'delete',
    owner: { via: 'support_conversations', column: 'conversation_id' },
    columns: {
      id: notPersonal,
      conversation_id: { personal: true },
      author: notPersonal,
      staff_account_id: {
        personal: true,
        note: 'the staff member who wrote a staff message; the customer sees "Support"',
        export: 'staff_ref',
      },
      body: { personal: true, note: `at most 4,000 characters; ${SEALED}`, export: 'sealed' },
      created_at: { personal: true },
    },
  },
  stats_orders: {
    category: 'operational',
    purpose:
      'The operator console’s business figures (ADR 33): ended orders per hour by provider, service and country — counts, credits, provider costs and a histogram of times to code. Aggregates: no row names an account.',
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: counts per hour and provider, service or country' },
    columns: {
      dimension: notPersonal,
      hour: notPersonal,
      value: { personal: false, note: 'a provider name, a service code or a country code' },
      currency: notPersonal,
      stripe: { personal: false, note: 'the writing connection’s stripe (0–7), not an account' },
      completed: notPersonal,
      cancelled: notPersonal,
      expired: notPersonal,
      failed: notPersonal,
      revenue: notPersonal,
      cost_micros: notPersonal,
      released: notPersonal,
      ttc_0: notPersonal,
      ttc_1: notPersonal,
      ttc_2: notPersonal,
      ttc_3: notPersonal,
      ttc_4: notPersonal,
      ttc_5: notPersonal,
      ttc_6: notPersonal,
      ttc_7: notPersonal,
      ttc_8: notPersonal,
      ttc_9: notPersonal,
      ttc_10: notPersonal,
      ttc_11: notPersonal,
      ttc_12: notPersonal,
      ttc_13: notPersonal,
      ttc_14: notPersonal,
      ttc_15: notPersonal,
    },
  },
  stats_accounts: {
    category: 'operational',
    purpose: 'The operator console’s count of new accounts per hour and kind (ADR 33). Aggregates: no row names an account.',
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: counts per hour and account kind' },
    columns: {
      hour: notPersonal,
      kind: notPersonal,
      stripe: { personal: false, note: 'the writing connection’s stripe (0–7), not an account' },
      created: notPersonal,
    },
  },
  stats_payments: {
    category: 'operational',
    purpose:
      'The operator console’s payment figures per hour of creation, method, status and currency (ADR 33). Aggregates: no row names an account.',
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: counts and sums per hour, method, status and currency' },
    columns: {
      hour: notPersonal,
      method: notPersonal,
      status: notPersonal,
      currency: notPersonal,
      stripe: { personal: false, note: 'the writing connection’s stripe (0–7), not an account' },
      payments: notPersonal,
      amount_minor: notPersonal,
      credits: notPersonal,
      refunded_minor: notPersonal,
    },
  },
  instance_settings: {
    category: 'operational',
    purpose: 'Instance-wide facts shared by every otpbox instance on one database (e.g. the fingerprint of the secret key).',
    legalBasis: 'not_applicable',
    retention: { kind: 'until_changed' },
    erasure: 'not_personal',
    owner: { none: 'not about a person: instance-wide settings' },
    columns: { key: notPersonal, value: notPersonal, updated_at: notPersonal },
  },
};

/**
 * The keyring (ADR 28): its own PostgreSQL schema, backed up apart from the data and kept for a shorter
 * time, never exported, never purged by retention; erasure deletes the account's key. Declared here so
 * that every table otpbox stores is accounted for (a test compares it with the schema).
 */
export const KEYRING_MAP: Record<string, { purpose: string; columns: Record<string, ColumnEntry> }> = {
  account_keys: {
    purpose: "Each account's random data key, wrapped under a key derived from SECRET_KEY; deleted by erasure (crypto-shredding).",
    columns: {
      account_id: { personal: true, note: 'pseudonymous account id' },
      wrapped_key: { personal: false, note: 'the data key, encrypted; never exported' },
      created_at: notPersonal,
    },
  },
  destroyed_account_keys: {
    purpose: 'Accounts whose key erasure destroyed, so that no new key is made for them.',
    columns: { account_id: { personal: true, note: 'pseudonymous account id' }, destroyed_at: notPersonal },
  },
};

/** Tables we use that belong to tools, not to the data model. */
export const DATA_MAP_IGNORED_SCHEMAS = ['drizzle'];

/**
 * Who outside otpbox receives personal data, what, and when: a processor is listed (and named in the
 * published policy) exactly when the operator configured it. Upstream number providers receive only
 * the service and country of an order, never personal data, and are not listed.
 */
export interface Recipient {
  name: string;
  /** What it receives and why, as the published policy words it (Markdown, one paragraph). */
  receives: string;
  enabled: (config: Config) => boolean;
}

export const RECIPIENTS: readonly Recipient[] = [
  {
    name: 'Stripe',
    receives:
      "Card payments are made on the payment page of **Stripe**, which receives your card details directly and tells us only the payment's status and its references.",
    enabled: (config) => config.stripe !== undefined,
  },
  {
    name: 'Blockonomics',
    receives:
      'Bitcoin payments go to an address **Blockonomics** makes for each payment; it tells us what arrived at that address (the transaction id and amount). We hold no wallet keys.',
    enabled: (config) => config.blockonomics !== undefined,
  },
  {
    name: 'RevenueCat',
    receives:
      "In-app purchases are made through the App Store or Google Play and reported to us by **RevenueCat**: the product, the store's transaction reference and your app account's identifier — never your Apple or Google account details.",
    enabled: (config) => config.revenuecat !== undefined,
  },
];

/** The recipients this instance's configuration enables. */
export const recipientsFor = (config: Config): Recipient[] => RECIPIENTS.filter((recipient) => recipient.enabled(config));
