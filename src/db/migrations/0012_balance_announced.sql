-- Every committed change of a customer's balances is announced (issue 15, ADR 22): each instance
-- keeps its customers' balances in memory for GET /api/v1/me and drops one when the notification
-- arrives, whichever process, instance or code path changed it. PostgreSQL delivers notifications at
-- commit only, and folds identical ones of one transaction into one.
CREATE FUNCTION otpbox_announce_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('otpbox_balance', NEW.owner_account_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_balance_announced AFTER UPDATE OF posted, pending ON ledger_accounts FOR EACH ROW
  WHEN (NEW.owner_account_id IS NOT NULL AND (OLD.posted, OLD.pending) IS DISTINCT FROM (NEW.posted, NEW.pending))
  EXECUTE FUNCTION otpbox_announce_balance();
