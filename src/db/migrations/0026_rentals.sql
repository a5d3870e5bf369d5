CREATE TABLE "pool_rental_rates" (
	"number_id" text PRIMARY KEY NOT NULL,
	"per_day" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "pool_rental_rates_positive" CHECK ("pool_rental_rates"."per_day" > 0)
);
--> statement-breakpoint
CREATE TABLE "rental_periods" (
	"id" text PRIMARY KEY NOT NULL,
	"rental_id" text NOT NULL,
	"seq" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"days" integer NOT NULL,
	"price" bigint NOT NULL,
	"hold_id" text NOT NULL,
	"status" text DEFAULT 'held' NOT NULL,
	"charged" bigint,
	"settled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rental_periods_price_positive" CHECK ("rental_periods"."price" > 0 and "rental_periods"."days" between 1 and 183)
);
--> statement-breakpoint
CREATE TABLE "rental_sms" (
	"id" text PRIMARY KEY NOT NULL,
	"rental_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"code" text,
	"text" text,
	"sender" text,
	"late" boolean DEFAULT false NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rentals" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"lease_id" text NOT NULL,
	"phone" text,
	"phone_hash" text NOT NULL,
	"country" text NOT NULL,
	"services" text[],
	"day_price" bigint NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"auto_renew" boolean DEFAULT false NOT NULL,
	"periods" integer DEFAULT 1 NOT NULL,
	"idempotency_key" text,
	"request_hash" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	CONSTRAINT "rentals_day_price_positive" CHECK ("rentals"."day_price" > 0),
	CONSTRAINT "rentals_ended" CHECK (("rentals"."status" = 'active') = ("rentals"."ended_at" is null))
);
--> statement-breakpoint
ALTER TABLE "pool_rental_rates" ADD CONSTRAINT "pool_rental_rates_number_id_pool_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."pool_numbers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rental_periods" ADD CONSTRAINT "rental_periods_rental_id_rentals_id_fk" FOREIGN KEY ("rental_id") REFERENCES "public"."rentals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rental_sms" ADD CONSTRAINT "rental_sms_rental_id_rentals_id_fk" FOREIGN KEY ("rental_id") REFERENCES "public"."rentals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rentals" ADD CONSTRAINT "rentals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "rental_periods_seq_key" ON "rental_periods" USING btree ("rental_id","seq");--> statement-breakpoint
CREATE INDEX "rental_periods_due_idx" ON "rental_periods" USING btree ("ends_at") WHERE "rental_periods"."status" = 'held';--> statement-breakpoint
CREATE UNIQUE INDEX "rental_sms_dedupe_key" ON "rental_sms" USING btree ("rental_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "rental_sms_received_idx" ON "rental_sms" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "rentals_account_idx" ON "rentals" USING btree ("account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "rentals_lease_key" ON "rentals" USING btree ("lease_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rentals_idempotency_key" ON "rentals" USING btree ("account_id","idempotency_key") WHERE "rentals"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "rentals_due_idx" ON "rentals" USING btree ("ends_at") WHERE "rentals"."status" = 'active';--> statement-breakpoint
CREATE INDEX "rentals_phone_hash_idx" ON "rentals" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "rentals_ended_idx" ON "rentals" USING btree ("ended_at");