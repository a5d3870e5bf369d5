CREATE TABLE "stats_accounts" (
	"hour" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"stripe" smallint NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_accounts_hour_kind_stripe_pk" PRIMARY KEY("hour","kind","stripe")
);
--> statement-breakpoint
CREATE TABLE "stats_orders" (
	"dimension" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"value" text NOT NULL,
	"currency" text NOT NULL,
	"stripe" smallint NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"expired" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"revenue" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	"released" bigint DEFAULT 0 NOT NULL,
	"ttc_0" integer DEFAULT 0 NOT NULL,
	"ttc_1" integer DEFAULT 0 NOT NULL,
	"ttc_2" integer DEFAULT 0 NOT NULL,
	"ttc_3" integer DEFAULT 0 NOT NULL,
	"ttc_4" integer DEFAULT 0 NOT NULL,
	"ttc_5" integer DEFAULT 0 NOT NULL,
	"ttc_6" integer DEFAULT 0 NOT NULL,
	"ttc_7" integer DEFAULT 0 NOT NULL,
	"ttc_8" integer DEFAULT 0 NOT NULL,
	"ttc_9" integer DEFAULT 0 NOT NULL,
	"ttc_10" integer DEFAULT 0 NOT NULL,
	"ttc_11" integer DEFAULT 0 NOT NULL,
	"ttc_12" integer DEFAULT 0 NOT NULL,
	"ttc_13" integer DEFAULT 0 NOT NULL,
	"ttc_14" integer DEFAULT 0 NOT NULL,
	"ttc_15" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_orders_dimension_hour_value_currency_stripe_pk" PRIMARY KEY("dimension","hour","value","currency","stripe")
);
--> statement-breakpoint
CREATE TABLE "stats_payments" (
	"hour" timestamp with time zone NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"stripe" smallint NOT NULL,
	"payments" integer DEFAULT 0 NOT NULL,
	"amount_minor" bigint DEFAULT 0 NOT NULL,
	"credits" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_payments_hour_method_status_currency_stripe_pk" PRIMARY KEY("hour","method","status","currency","stripe")
);
--> statement-breakpoint
-- The overview's figures (ADR 33), kept by triggers in the transaction of the change they count, so
-- every path that ends an order, creates an account or changes a payment counts (the hot-path
-- statements, the sweeps, erasure, a test's insert), and a figure is never ahead of or behind its
-- commit. Each writer adds to the row of its connection's stripe (pg_backend_pid() % 8): two
-- transactions rarely share a row, so neither waits on the other's commit. Every change NOTIFYs
-- otpbox_stats (one per transaction: PostgreSQL folds equal notifications), for the staff stream.
--
-- Time to code, in the buckets of modules/stats/histogram.ts (a test keeps the two equal): 0 for
-- under 5 s, … 15 for 900 s and more.
CREATE FUNCTION otpbox_ttc_bucket(seconds double precision) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN seconds IS NULL THEN NULL
              ELSE width_bucket(seconds, ARRAY[5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900]::double precision[]) END
$$;
--> statement-breakpoint
-- The hour an ended order counts in: when it ended (UTC).
CREATE FUNCTION otpbox_stats_hour(at timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_trunc('hour', at, 'UTC')
$$;
--> statement-breakpoint
CREATE FUNCTION otpbox_stats_order_ended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_hour timestamptz := otpbox_stats_hour(coalesce(NEW.ended_at, NEW.updated_at));
  v_stripe smallint := pg_backend_pid() % 8;
  v_currency text := coalesce(NEW.provider_currency, '');
  v_completed int := (NEW.status = 'completed')::int;
  v_cancelled int := (NEW.status = 'cancelled')::int;
  v_expired int := (NEW.status = 'expired')::int;
  v_failed int := (NEW.status = 'failed')::int;
  v_revenue bigint := CASE WHEN NEW.status = 'completed' AND NOT NEW.sandbox THEN NEW.price ELSE 0 END;
  v_cost bigint := CASE WHEN NEW.status = 'completed' AND NOT NEW.sandbox THEN coalesce(NEW.provider_cost, 0) ELSE 0 END;
  v_released bigint := CASE WHEN NEW.status <> 'completed' AND NOT NEW.sandbox THEN NEW.price ELSE 0 END;
  v_bucket int := CASE WHEN NEW.status = 'completed' AND NEW.received_at IS NOT NULL
                THEN otpbox_ttc_bucket(greatest(0, extract(epoch FROM NEW.received_at - NEW.created_at)::double precision)) END;
BEGIN
  INSERT INTO stats_orders AS t (dimension, hour, value, currency, stripe, completed, cancelled, expired, failed,
                                 revenue, cost_micros, released, ttc_0, ttc_1, ttc_2, ttc_3, ttc_4, ttc_5, ttc_6, ttc_7, ttc_8, ttc_9, ttc_10, ttc_11, ttc_12, ttc_13, ttc_14, ttc_15)
  SELECT d.dimension, v_hour, d.value, v_currency, v_stripe, v_completed, v_cancelled, v_expired, v_failed, v_revenue, v_cost, v_released, (v_bucket IS NOT DISTINCT FROM 0)::int, (v_bucket IS NOT DISTINCT FROM 1)::int, (v_bucket IS NOT DISTINCT FROM 2)::int, (v_bucket IS NOT DISTINCT FROM 3)::int, (v_bucket IS NOT DISTINCT FROM 4)::int, (v_bucket IS NOT DISTINCT FROM 5)::int, (v_bucket IS NOT DISTINCT FROM 6)::int, (v_bucket IS NOT DISTINCT FROM 7)::int, (v_bucket IS NOT DISTINCT FROM 8)::int, (v_bucket IS NOT DISTINCT FROM 9)::int, (v_bucket IS NOT DISTINCT FROM 10)::int, (v_bucket IS NOT DISTINCT FROM 11)::int, (v_bucket IS NOT DISTINCT FROM 12)::int, (v_bucket IS NOT DISTINCT FROM 13)::int, (v_bucket IS NOT DISTINCT FROM 14)::int, (v_bucket IS NOT DISTINCT FROM 15)::int
  FROM (VALUES ('provider', NEW.provider), ('service', NEW.service), ('country', NEW.country)) d(dimension, value)
  ON CONFLICT (dimension, hour, value, currency, stripe) DO UPDATE SET
      completed = t.completed + EXCLUDED.completed, cancelled = t.cancelled + EXCLUDED.cancelled,
      expired = t.expired + EXCLUDED.expired, failed = t.failed + EXCLUDED.failed,
      revenue = t.revenue + EXCLUDED.revenue, cost_micros = t.cost_micros + EXCLUDED.cost_micros,
      released = t.released + EXCLUDED.released,
      ttc_0 = t.ttc_0 + EXCLUDED.ttc_0,
      ttc_1 = t.ttc_1 + EXCLUDED.ttc_1,
      ttc_2 = t.ttc_2 + EXCLUDED.ttc_2,
      ttc_3 = t.ttc_3 + EXCLUDED.ttc_3,
      ttc_4 = t.ttc_4 + EXCLUDED.ttc_4,
      ttc_5 = t.ttc_5 + EXCLUDED.ttc_5,
      ttc_6 = t.ttc_6 + EXCLUDED.ttc_6,
      ttc_7 = t.ttc_7 + EXCLUDED.ttc_7,
      ttc_8 = t.ttc_8 + EXCLUDED.ttc_8,
      ttc_9 = t.ttc_9 + EXCLUDED.ttc_9,
      ttc_10 = t.ttc_10 + EXCLUDED.ttc_10,
      ttc_11 = t.ttc_11 + EXCLUDED.ttc_11,
      ttc_12 = t.ttc_12 + EXCLUDED.ttc_12,
      ttc_13 = t.ttc_13 + EXCLUDED.ttc_13,
      ttc_14 = t.ttc_14 + EXCLUDED.ttc_14,
      ttc_15 = t.ttc_15 + EXCLUDED.ttc_15;
  PERFORM pg_notify('otpbox_stats', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
-- An order counts once, when it reaches a final status (the state table allows no move out of one).
CREATE TRIGGER activations_stats_ended AFTER UPDATE OF status ON activations FOR EACH ROW
  WHEN (OLD.status IN ('requesting', 'waiting', 'received') AND NEW.status IN ('completed', 'cancelled', 'expired', 'failed'))
  EXECUTE FUNCTION otpbox_stats_order_ended();
--> statement-breakpoint
CREATE TRIGGER activations_stats_inserted_ended AFTER INSERT ON activations FOR EACH ROW
  WHEN (NEW.status IN ('completed', 'cancelled', 'expired', 'failed'))
  EXECUTE FUNCTION otpbox_stats_order_ended();
--> statement-breakpoint
-- Accounts by creation hour and kind: an upgrade (device → email) moves the account to its new kind.
CREATE FUNCTION otpbox_stats_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s smallint := pg_backend_pid() % 8;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO stats_accounts AS t (hour, kind, stripe, created) VALUES (otpbox_stats_hour(OLD.created_at), OLD.kind, s, -1)
    ON CONFLICT (hour, kind, stripe) DO UPDATE SET created = t.created + EXCLUDED.created;
  END IF;
  INSERT INTO stats_accounts AS t (hour, kind, stripe, created) VALUES (otpbox_stats_hour(NEW.created_at), NEW.kind, s, 1)
  ON CONFLICT (hour, kind, stripe) DO UPDATE SET created = t.created + EXCLUDED.created;
  PERFORM pg_notify('otpbox_stats', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER accounts_stats_insert AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION otpbox_stats_account();
--> statement-breakpoint
CREATE TRIGGER accounts_stats_kind AFTER UPDATE OF kind ON accounts FOR EACH ROW
  WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION otpbox_stats_account();
--> statement-breakpoint
-- Payments by creation hour, method, current status and currency: a change moves the payment's
-- count and amounts from its old row to its new one (refunds: the refunded amount grows).
CREATE FUNCTION otpbox_stats_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s smallint := pg_backend_pid() % 8;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO stats_payments AS t (hour, method, status, currency, stripe, payments, amount_minor, credits, refunded_minor)
    VALUES (otpbox_stats_hour(OLD.created_at), OLD.method, OLD.status, OLD.currency, s, -1, -OLD.amount_minor, -OLD.credits, -OLD.refunded_minor)
    ON CONFLICT (hour, method, status, currency, stripe) DO UPDATE SET
      payments = t.payments + EXCLUDED.payments, amount_minor = t.amount_minor + EXCLUDED.amount_minor,
      credits = t.credits + EXCLUDED.credits, refunded_minor = t.refunded_minor + EXCLUDED.refunded_minor;
  END IF;
  INSERT INTO stats_payments AS t (hour, method, status, currency, stripe, payments, amount_minor, credits, refunded_minor)
  VALUES (otpbox_stats_hour(NEW.created_at), NEW.method, NEW.status, NEW.currency, s, 1, NEW.amount_minor, NEW.credits, NEW.refunded_minor)
  ON CONFLICT (hour, method, status, currency, stripe) DO UPDATE SET
    payments = t.payments + EXCLUDED.payments, amount_minor = t.amount_minor + EXCLUDED.amount_minor,
    credits = t.credits + EXCLUDED.credits, refunded_minor = t.refunded_minor + EXCLUDED.refunded_minor;
  PERFORM pg_notify('otpbox_stats', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_stats_insert AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION otpbox_stats_payment();
--> statement-breakpoint
CREATE TRIGGER payments_stats_change AFTER UPDATE OF status, refunded_minor, amount_minor, credits, method, currency ON payments FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.refunded_minor IS DISTINCT FROM NEW.refunded_minor
        OR OLD.amount_minor IS DISTINCT FROM NEW.amount_minor OR OLD.credits IS DISTINCT FROM NEW.credits
        OR OLD.method IS DISTINCT FROM NEW.method OR OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION otpbox_stats_payment();
--> statement-breakpoint
-- The figures recomputed from the rows (the backfill): what the triggers would have counted had they
-- always existed, in stripe 0. Idempotent; it forgets orders retention already purged, so it runs in
-- this migration (before anything is purged with the figures in place) and on a seeded benchmark
-- database. The sources are locked against writes while it runs.
CREATE FUNCTION otpbox_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE activations, accounts, payments IN SHARE MODE;
  DELETE FROM stats_orders;
  DELETE FROM stats_accounts;
  DELETE FROM stats_payments;
  INSERT INTO stats_orders (dimension, hour, value, currency, stripe, completed, cancelled, expired, failed,
                            revenue, cost_micros, released, ttc_0, ttc_1, ttc_2, ttc_3, ttc_4, ttc_5, ttc_6, ttc_7, ttc_8, ttc_9, ttc_10, ttc_11, ttc_12, ttc_13, ttc_14, ttc_15)
  SELECT d.dimension, o.hour, d.value, o.currency, 0,
         count(*) FILTER (WHERE o.status = 'completed')::int, count(*) FILTER (WHERE o.status = 'cancelled')::int,
         count(*) FILTER (WHERE o.status = 'expired')::int, count(*) FILTER (WHERE o.status = 'failed')::int,
         coalesce(sum(o.price) FILTER (WHERE o.status = 'completed' AND NOT o.sandbox), 0),
         coalesce(sum(coalesce(o.provider_cost, 0)) FILTER (WHERE o.status = 'completed' AND NOT o.sandbox), 0),
         coalesce(sum(o.price) FILTER (WHERE o.status <> 'completed' AND NOT o.sandbox), 0),
         count(*) FILTER (WHERE o.bucket = 0)::int,
         count(*) FILTER (WHERE o.bucket = 1)::int,
         count(*) FILTER (WHERE o.bucket = 2)::int,
         count(*) FILTER (WHERE o.bucket = 3)::int,
         count(*) FILTER (WHERE o.bucket = 4)::int,
         count(*) FILTER (WHERE o.bucket = 5)::int,
         count(*) FILTER (WHERE o.bucket = 6)::int,
         count(*) FILTER (WHERE o.bucket = 7)::int,
         count(*) FILTER (WHERE o.bucket = 8)::int,
         count(*) FILTER (WHERE o.bucket = 9)::int,
         count(*) FILTER (WHERE o.bucket = 10)::int,
         count(*) FILTER (WHERE o.bucket = 11)::int,
         count(*) FILTER (WHERE o.bucket = 12)::int,
         count(*) FILTER (WHERE o.bucket = 13)::int,
         count(*) FILTER (WHERE o.bucket = 14)::int,
         count(*) FILTER (WHERE o.bucket = 15)::int
  FROM (SELECT a.provider, a.service, a.country, a.status, a.sandbox, a.price, a.provider_cost,
               otpbox_stats_hour(coalesce(a.ended_at, a.updated_at)) AS hour, coalesce(a.provider_currency, '') AS currency,
               CASE WHEN a.status = 'completed' AND a.received_at IS NOT NULL
                    THEN otpbox_ttc_bucket(greatest(0, extract(epoch FROM a.received_at - a.created_at)::double precision)) END AS bucket
        FROM activations a WHERE a.status IN ('completed', 'cancelled', 'expired', 'failed')) o
  CROSS JOIN LATERAL (VALUES ('provider', o.provider), ('service', o.service), ('country', o.country)) d(dimension, value)
  GROUP BY d.dimension, o.hour, d.value, o.currency;
  INSERT INTO stats_accounts (hour, kind, stripe, created)
  SELECT otpbox_stats_hour(created_at), kind, 0, count(*)::int FROM accounts GROUP BY 1, 2;
  INSERT INTO stats_payments (hour, method, status, currency, stripe, payments, amount_minor, credits, refunded_minor)
  SELECT otpbox_stats_hour(created_at), method, status, currency, 0, count(*)::int, sum(amount_minor), sum(credits), sum(refunded_minor)
  FROM payments GROUP BY 1, 2, 3, 4;
END $$;
--> statement-breakpoint
SELECT otpbox_stats_rebuild();
