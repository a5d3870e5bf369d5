-- The rate limits' shared counts (ADR 43). UNLOGGED: counts that live one window, rebuilt by the next
-- flushes after a crash empties them, are not worth a WAL record (and a replica's copy) per flush.
CREATE UNLOGGED TABLE "rate_limit_counters" (
	"limiter" text NOT NULL,
	"key" text NOT NULL,
	"window_id" bigint NOT NULL,
	"hits" integer NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rate_limit_counters_limiter_key_window_id_pk" PRIMARY KEY("limiter","key","window_id")
);
