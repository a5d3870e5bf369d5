CREATE TABLE "account_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "account_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activation_events" (
	"id" text PRIMARY KEY NOT NULL,
	"activation_id" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"details" jsonb,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activation_sms" (
	"id" text PRIMARY KEY NOT NULL,
	"activation_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"code" text,
	"text" text,
	"late" boolean DEFAULT false NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activations" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"service" text NOT NULL,
	"country" text NOT NULL,
	"provider" text NOT NULL,
	"upstream_id" text,
	"phone" text,
	"price" bigint NOT NULL,
	"provider_cost" bigint,
	"provider_currency" text,
	"status" text NOT NULL,
	"hold_id" text,
	"failure_reason" text,
	"sandbox" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"cancellable_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone,
	"retry_requested_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	CONSTRAINT "activations_price_positive" CHECK ("activations"."price" > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"account_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_account_id_key_pk" PRIMARY KEY("account_id","key")
);
--> statement-breakpoint
CREATE TABLE "provider_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"activation_id" text NOT NULL,
	"provider" text NOT NULL,
	"upstream_id" text NOT NULL,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "account_events" ADD CONSTRAINT "account_events_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_events" ADD CONSTRAINT "activation_events_activation_id_activations_id_fk" FOREIGN KEY ("activation_id") REFERENCES "public"."activations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_sms" ADD CONSTRAINT "activation_sms_activation_id_activations_id_fk" FOREIGN KEY ("activation_id") REFERENCES "public"."activations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activations" ADD CONSTRAINT "activations_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_tasks" ADD CONSTRAINT "provider_tasks_activation_id_activations_id_fk" FOREIGN KEY ("activation_id") REFERENCES "public"."activations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_events_account_idx" ON "account_events" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "account_events_created_idx" ON "account_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "activation_events_activation_idx" ON "activation_events" USING btree ("activation_id","id");--> statement-breakpoint
CREATE INDEX "activation_events_occurred_idx" ON "activation_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "activation_sms_dedupe_key" ON "activation_sms" USING btree ("activation_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "activation_sms_received_idx" ON "activation_sms" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "activations_account_idx" ON "activations" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "activations_open_expiry_idx" ON "activations" USING btree ("expires_at") WHERE "activations"."status" in ('requesting', 'waiting', 'received');--> statement-breakpoint
CREATE UNIQUE INDEX "activations_upstream_key" ON "activations" USING btree ("provider","upstream_id") WHERE "activations"."upstream_id" is not null;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "provider_tasks_due_idx" ON "provider_tasks" USING btree ("next_attempt_at") WHERE "provider_tasks"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "provider_tasks_created_idx" ON "provider_tasks" USING btree ("created_at");