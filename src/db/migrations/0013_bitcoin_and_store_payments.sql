CREATE TABLE "bitcoin_payments" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"expected_satoshis" bigint NOT NULL,
	"quoted_price" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"credited_credits" bigint DEFAULT 0 NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bitcoin_payments_expected_positive" CHECK ("bitcoin_payments"."expected_satoshis" > 0),
	CONSTRAINT "bitcoin_payments_credited_not_negative" CHECK ("bitcoin_payments"."credited_credits" >= 0)
);
--> statement-breakpoint
CREATE TABLE "bitcoin_transactions" (
	"payment_id" text NOT NULL,
	"txid" text NOT NULL,
	"status" integer NOT NULL,
	"satoshis" bigint NOT NULL,
	"rbf" boolean DEFAULT false NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bitcoin_transactions_payment_id_txid_status_pk" PRIMARY KEY("payment_id","txid","status"),
	CONSTRAINT "bitcoin_transactions_status_range" CHECK ("bitcoin_transactions"."status" between -1 and 2),
	CONSTRAINT "bitcoin_transactions_satoshis_not_negative" CHECK ("bitcoin_transactions"."satoshis" >= 0)
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "status_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "renewal_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bitcoin_payments" ADD CONSTRAINT "bitcoin_payments_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bitcoin_transactions" ADD CONSTRAINT "bitcoin_transactions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bitcoin_payments_address_key" ON "bitcoin_payments" USING btree ("address");