CREATE TABLE "account_order_counts" (
	"account_id" text PRIMARY KEY NOT NULL,
	"open" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "account_order_counts_open_not_negative" CHECK ("account_order_counts"."open" >= 0)
);
--> statement-breakpoint
DROP INDEX "activations_account_open_idx";--> statement-breakpoint
ALTER TABLE "account_order_counts" ADD CONSTRAINT "account_order_counts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Open orders per account, kept by a trigger in the transaction of every write to activations, so no
-- code path (nor a test that inserts a row) can leave the count behind. Only a change of openness
-- fires it (an order bought, received or re-polled does not).
-- Lock order: an account's count is changed only under its wallet's lock, taken first here. Placing an
-- order locks the wallet before it inserts the order (so this lock is already held), and every other
-- transition locks the order, then the wallet (a release, a capture), then the count: one order for
-- all, so the count adds no deadlock, and the placing statement never waits on it.
CREATE FUNCTION otpbox_count_open_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' AND NEW.status IN ('requesting', 'waiting', 'received') THEN
    PERFORM 1 FROM ledger_accounts WHERE owner_account_id = NEW.account_id FOR UPDATE;
    INSERT INTO account_order_counts (account_id, open) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET open = account_order_counts.open + 1;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.status IN ('requesting', 'waiting', 'received') THEN
    PERFORM 1 FROM ledger_accounts WHERE owner_account_id = OLD.account_id FOR UPDATE;
    UPDATE account_order_counts SET open = open - 1 WHERE account_id = OLD.account_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER activations_open_count_insert AFTER INSERT ON activations FOR EACH ROW
  WHEN (NEW.status IN ('requesting', 'waiting', 'received')) EXECUTE FUNCTION otpbox_count_open_orders();
--> statement-breakpoint
CREATE TRIGGER activations_open_count_update AFTER UPDATE OF status, account_id ON activations FOR EACH ROW
  WHEN ((OLD.status IN ('requesting', 'waiting', 'received')) IS DISTINCT FROM (NEW.status IN ('requesting', 'waiting', 'received'))
        OR OLD.account_id IS DISTINCT FROM NEW.account_id)
  EXECUTE FUNCTION otpbox_count_open_orders();
--> statement-breakpoint
CREATE TRIGGER activations_open_count_delete AFTER DELETE ON activations FOR EACH ROW
  WHEN (OLD.status IN ('requesting', 'waiting', 'received')) EXECUTE FUNCTION otpbox_count_open_orders();
--> statement-breakpoint
-- The orders open before this migration (the triggers above hold writers back until it commits).
INSERT INTO account_order_counts (account_id, open)
SELECT account_id, count(*) FROM activations WHERE status IN ('requesting', 'waiting', 'received') GROUP BY account_id;
--> statement-breakpoint
-- The limits read the open orders from the count: one row, whatever the limit (see migration 0009 for
-- why this is a VOLATILE function called with the locked wallet). Without a count to bound, it no
-- longer takes the limit on open orders.
DROP FUNCTION otpbox_order_limits(text, text, timestamptz, timestamptz, int, int, int);
--> statement-breakpoint
CREATE FUNCTION otpbox_order_limits(
  p_account text, p_locked_wallet text, p_minute_ago timestamptz, p_hour_ago timestamptz,
  p_max_per_minute int, p_cancel_window int,
  OUT open int, OUT last_minute int, OUT oldest timestamptz, OUT cancelled int, OUT ended int
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF p_locked_wallet IS NULL THEN
    RAISE EXCEPTION 'otpbox_order_limits: called without a locked wallet';
  END IF;
  SELECT
    coalesce((SELECT c.open FROM account_order_counts c WHERE c.account_id = p_account), 0),
    (SELECT count(*) FROM (SELECT 1 FROM activations
       WHERE account_id = p_account AND created_at > p_minute_ago LIMIT p_max_per_minute) m)::int,
    (SELECT min(created_at) FROM activations WHERE account_id = p_account AND created_at > p_minute_ago),
    (count(*) FILTER (WHERE r.status = 'cancelled'))::int,
    (count(*) FILTER (WHERE r.status IN ('cancelled', 'completed', 'expired')))::int
  INTO open, last_minute, oldest, cancelled, ended
  FROM (SELECT status FROM activations
        WHERE account_id = p_account AND created_at > p_hour_ago
        ORDER BY created_at DESC LIMIT p_cancel_window) r;
END $$;
