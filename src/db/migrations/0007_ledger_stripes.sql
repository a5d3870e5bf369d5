ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_transfer_id_ledger_transfers_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_account_id_ledger_accounts_id_fk";
--> statement-breakpoint
DROP INDEX "ledger_accounts_code_key";--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD COLUMN "stripe" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_code_key" ON "ledger_accounts" USING btree ("code","stripe");--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_stripe_range" CHECK ("ledger_accounts"."stripe" >= 0 and "ledger_accounts"."stripe" < 32);--> statement-breakpoint
-- Stripes 1–31 of every system account (stripe 0 keeps its original id). A customer's transfers use
-- the stripe its id hashes to; reports and `ledger verify` add the stripes of a code together.
INSERT INTO ledger_accounts (id, kind, code, stripe, created_at)
SELECT 'lac_sys_' || c.code || '_' || n, 'system', c.code, n, now()
FROM (VALUES ('grants'), ('purchases'), ('order_revenue'), ('refunds'), ('forfeits'), ('chargebacks')) AS c(code),
     generate_series(1, 31) AS n;
--> statement-breakpoint
-- Entries have no foreign keys (see the schema): ledger accounts are never deleted instead. An erased
-- customer's wallet stays, pseudonymised with the rest of its transaction records.
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
