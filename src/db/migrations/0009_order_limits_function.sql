-- The order limits of an account as they stand now (ADR 12, "one statement per order"). The statement
-- that places an order locks the customer's wallet row, then calls this function with the locked
-- wallet's id: the call depends on the locked row, so it runs after the lock is granted, and, being
-- VOLATILE, its query takes a fresh snapshot — it sees every order committed by whoever held the lock
-- before, which a plain sub-select of that statement (sharing the statement's snapshot) would not.
-- Each count stops where its limit is reached (an index range, not a scan of the account's history).
CREATE FUNCTION otpbox_order_limits(
  p_account text, p_locked_wallet text, p_minute_ago timestamptz, p_hour_ago timestamptz,
  p_max_open int, p_max_per_minute int, p_cancel_window int,
  OUT open int, OUT last_minute int, OUT oldest timestamptz, OUT cancelled int, OUT ended int
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF p_locked_wallet IS NULL THEN
    RAISE EXCEPTION 'otpbox_order_limits: called without a locked wallet';
  END IF;
  SELECT
    (SELECT count(*) FROM (SELECT 1 FROM activations
       WHERE account_id = p_account AND status IN ('requesting', 'waiting', 'received') LIMIT p_max_open) o)::int,
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
