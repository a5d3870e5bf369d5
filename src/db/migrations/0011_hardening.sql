-- Live events numbered per account (issue 14, "live events are never lost"): each account's events
-- carry 1, 2, 3, … given under the account's row in account_event_heads, which the emitting
-- transaction holds until it commits, so an account's events commit in the order of their numbers.
CREATE TABLE "account_event_heads" (
	"account_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_event_heads" ADD CONSTRAINT "account_event_heads_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
DROP INDEX "account_events_account_idx";--> statement-breakpoint
ALTER TABLE "account_events" ADD COLUMN "seq" bigint;--> statement-breakpoint
-- The events kept so far (one day's worth) are numbered in the order of their global ids.
UPDATE account_events e SET seq = n.seq
FROM (SELECT id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS seq FROM account_events) n
WHERE n.id = e.id;
--> statement-breakpoint
ALTER TABLE "account_events" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "account_events_account_seq_key" ON "account_events" USING btree ("account_id","seq");--> statement-breakpoint
INSERT INTO account_event_heads (account_id, seq) SELECT account_id, max(seq) FROM account_events GROUP BY account_id;
--> statement-breakpoint
-- Device accounts prove possession of a secret (issue 14): its hash, set at the first sign-in.
ALTER TABLE "devices" ADD COLUMN "secret_hash" text;--> statement-breakpoint
-- An idempotency key is claimed by the statement that places its order, and names it.
ALTER TABLE "idempotency_keys" ADD COLUMN "activation_id" text;--> statement-breakpoint
-- Demo credits: a second wallet ("purse") per customer, and system accounts of their own.
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_kind_shape";--> statement-breakpoint
DROP INDEX "ledger_accounts_owner_key";--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD COLUMN "purse" text;--> statement-breakpoint
UPDATE ledger_accounts SET purse = 'credits' WHERE kind = 'wallet';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_owner_key" ON "ledger_accounts" USING btree ("owner_account_id","purse");--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_kind_shape" CHECK (("ledger_accounts"."kind" = 'wallet') = ("ledger_accounts"."owner_account_id" is not null) and ("ledger_accounts"."kind" = 'system') = ("ledger_accounts"."code" is not null)
          and ("ledger_accounts"."kind" = 'wallet') = ("ledger_accounts"."purse" is not null));--> statement-breakpoint
INSERT INTO ledger_accounts (id, kind, code, stripe, created_at)
SELECT 'lac_sys_' || c.code || CASE WHEN n = 0 THEN '' ELSE '_' || n END, 'system', c.code, n, now()
FROM (VALUES ('demo_grants'), ('demo_revenue'), ('demo_voids')) AS c(code),
     generate_series(0, 31) AS n;
--> statement-breakpoint
-- The open-order count is kept under the lock of the customer's credits wallet only (the lock that
-- serialises an account's orders; see migration 0010): every statement that locks both of a
-- customer's wallets locks the credits wallet first.
CREATE OR REPLACE FUNCTION otpbox_count_open_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' AND NEW.status IN ('requesting', 'waiting', 'received') THEN
    PERFORM 1 FROM ledger_accounts WHERE owner_account_id = NEW.account_id AND purse = 'credits' FOR UPDATE;
    INSERT INTO account_order_counts (account_id, open) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET open = account_order_counts.open + 1;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.status IN ('requesting', 'waiting', 'received') THEN
    PERFORM 1 FROM ledger_accounts WHERE owner_account_id = OLD.account_id AND purse = 'credits' FOR UPDATE;
    UPDATE account_order_counts SET open = open - 1 WHERE account_id = OLD.account_id;
  END IF;
  RETURN NULL;
END $$;
