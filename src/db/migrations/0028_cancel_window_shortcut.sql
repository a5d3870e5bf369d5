ALTER TABLE "account_order_counts" ADD COLUMN "last_cancelled_order_at" timestamp with time zone;--> statement-breakpoint
-- The cancel throttle (migration 0009) counts the cancelled orders among the account's last orders of
-- the hour, reading up to 100 of them on every order placed: most of the rows an order read. A trigger
-- now keeps, beside the open count, the creation time of the account's newest cancelled order, for
-- every write that makes a row cancelled (an insert too, as tests and imports do). While that time is
-- older than the hour, no order of the window is cancelled, the throttle cannot refuse, and the window
-- is not read. A deleted order can leave the time too new, never too old: the window is then read, as
-- before. Same lock order as the open count (migration 0010): the credits wallet, then the count.
CREATE FUNCTION otpbox_note_cancelled_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM ledger_accounts WHERE owner_account_id = NEW.account_id AND purse = 'credits' FOR UPDATE;
  INSERT INTO account_order_counts (account_id, open, last_cancelled_order_at) VALUES (NEW.account_id, 0, NEW.created_at)
  ON CONFLICT (account_id) DO UPDATE
  SET last_cancelled_order_at = greatest(account_order_counts.last_cancelled_order_at, EXCLUDED.last_cancelled_order_at);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER activations_cancelled_insert AFTER INSERT ON activations FOR EACH ROW
  WHEN (NEW.status = 'cancelled') EXECUTE FUNCTION otpbox_note_cancelled_order();
--> statement-breakpoint
CREATE TRIGGER activations_cancelled_update AFTER UPDATE OF status, account_id, created_at ON activations FOR EACH ROW
  WHEN (NEW.status = 'cancelled' AND (OLD.status IS DISTINCT FROM 'cancelled' OR OLD.account_id IS DISTINCT FROM NEW.account_id
        OR OLD.created_at IS DISTINCT FROM NEW.created_at))
  EXECUTE FUNCTION otpbox_note_cancelled_order();
--> statement-breakpoint
-- The orders cancelled before this migration (the trigger above holds writers back until it commits).
INSERT INTO account_order_counts (account_id, open, last_cancelled_order_at)
SELECT account_id, 0, max(created_at) FROM activations WHERE status = 'cancelled' GROUP BY account_id
ON CONFLICT (account_id) DO UPDATE SET last_cancelled_order_at = EXCLUDED.last_cancelled_order_at;
--> statement-breakpoint
-- The same limits, the window read only when an order of the hour may have been cancelled (then
-- exactly as before); otherwise no cancelled order and no ended one are counted: the throttle, which
-- needs at least CANCEL_THROTTLE_MIN_ORDERS (≥ 1) cancelled, cannot refuse.
CREATE OR REPLACE FUNCTION otpbox_order_limits(
  p_account text, p_locked_wallet text, p_minute_ago timestamptz, p_hour_ago timestamptz,
  p_max_per_minute int, p_cancel_window int,
  OUT open int, OUT last_minute int, OUT oldest timestamptz, OUT cancelled int, OUT ended int
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_last_cancelled timestamptz;
BEGIN
  IF p_locked_wallet IS NULL THEN
    RAISE EXCEPTION 'otpbox_order_limits: called without a locked wallet';
  END IF;
  SELECT c.open, c.last_cancelled_order_at INTO open, v_last_cancelled
  FROM account_order_counts c WHERE c.account_id = p_account;
  open := coalesce(open, 0);
  SELECT
    (SELECT count(*) FROM (SELECT 1 FROM activations
       WHERE account_id = p_account AND created_at > p_minute_ago LIMIT p_max_per_minute) m)::int,
    (SELECT min(created_at) FROM activations WHERE account_id = p_account AND created_at > p_minute_ago)
  INTO last_minute, oldest;
  IF v_last_cancelled IS NULL OR v_last_cancelled <= p_hour_ago THEN
    cancelled := 0;
    ended := 0;
    RETURN;
  END IF;
  SELECT
    (count(*) FILTER (WHERE r.status = 'cancelled'))::int,
    (count(*) FILTER (WHERE r.status IN ('cancelled', 'completed', 'expired')))::int
  INTO cancelled, ended
  FROM (SELECT status FROM activations
        WHERE account_id = p_account AND created_at > p_hour_ago
        ORDER BY created_at DESC LIMIT p_cancel_window) r;
END $$;
