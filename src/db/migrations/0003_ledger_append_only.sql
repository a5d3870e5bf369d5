-- The ledger is append-only: transfers and entries are never updated or deleted; corrections are new,
-- reversing transfers. Enforced here, below the application, so no code path can break it.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
-- Raised by a transfer statement whose guarded update did not apply to every account: the whole
-- statement (transfer row included) is undone. Called only when a concurrent change got there first.
CREATE FUNCTION ledger_refuse(reason text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger transfer refused: %', reason USING ERRCODE = 'P0001';
END;
$$;
--> statement-breakpoint
-- The system accounts credits come from and go to. Their ids are fixed so every instance agrees.
INSERT INTO ledger_accounts (id, kind, code, created_at) VALUES
  ('lac_sys_grants', 'system', 'grants', now()),
  ('lac_sys_purchases', 'system', 'purchases', now()),
  ('lac_sys_order_revenue', 'system', 'order_revenue', now()),
  ('lac_sys_refunds', 'system', 'refunds', now()),
  ('lac_sys_forfeits', 'system', 'forfeits', now()),
  ('lac_sys_chargebacks', 'system', 'chargebacks', now());
