CREATE TABLE "credit_packages" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"credits" bigint NOT NULL,
	"price_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"interval" text,
	"store_product_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_packages_credits_positive" CHECK ("credit_packages"."credits" > 0),
	CONSTRAINT "credit_packages_price_positive" CHECK ("credit_packages"."price_minor" > 0),
	CONSTRAINT "credit_packages_currency_iso" CHECK ("credit_packages"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"package_id" text NOT NULL,
	"method" text NOT NULL,
	"processor" text NOT NULL,
	"status" text NOT NULL,
	"credits" bigint NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"processor_ref" text,
	"processor_payment_ref" text,
	"subscription_id" text,
	"checkout_url" text,
	"idempotency_key" text,
	"request_hash" text,
	"pending_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"failure_reason" text,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"refunded_at" timestamp with time zone,
	"dispute_status" text DEFAULT 'none' NOT NULL,
	"disputed_at" timestamp with time zone,
	"credits_reversed" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_credits_positive" CHECK ("payments"."credits" > 0),
	CONSTRAINT "payments_amount_not_negative" CHECK ("payments"."amount_minor" >= 0),
	CONSTRAINT "payments_reversed_range" CHECK ("payments"."credits_reversed" between 0 and "payments"."credits"),
	CONSTRAINT "payments_currency_iso" CHECK ("payments"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "processed_webhook_events" (
	"processor" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"payment_id" text,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "processed_webhook_events_processor_event_id_pk" PRIMARY KEY("processor","event_id")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"package_id" text NOT NULL,
	"processor" text NOT NULL,
	"processor_ref" text NOT NULL,
	"processor_customer_ref" text,
	"first_payment_id" text,
	"status" text NOT NULL,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_package_id_credit_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."credit_packages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_package_id_credit_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."credit_packages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_packages_code_key" ON "credit_packages" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_packages_store_product_key" ON "credit_packages" USING btree ("store_product_id") WHERE "credit_packages"."store_product_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_processor_ref_key" ON "payments" USING btree ("processor","processor_ref") WHERE "payments"."processor_ref" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_processor_payment_ref_key" ON "payments" USING btree ("processor","processor_payment_ref") WHERE "payments"."processor_payment_ref" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_idempotency_key" ON "payments" USING btree ("account_id","idempotency_key") WHERE "payments"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "payments_account_idx" ON "payments" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "payments_open_disputes_idx" ON "payments" USING btree ("account_id") WHERE "payments"."dispute_status" = 'open';--> statement-breakpoint
CREATE INDEX "processed_webhook_events_received_idx" ON "processed_webhook_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_processor_ref_key" ON "subscriptions" USING btree ("processor","processor_ref");--> statement-breakpoint
CREATE INDEX "subscriptions_account_idx" ON "subscriptions" USING btree ("account_id");