CREATE TABLE "catalog_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"service" text,
	"country" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"price_credits" integer,
	"markup_basis_points" integer,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "catalog_rules_shape" CHECK (("catalog_rules"."scope" = 'service' and "catalog_rules"."service" is not null and "catalog_rules"."country" is null)
       or ("catalog_rules"."scope" = 'country' and "catalog_rules"."country" is not null and "catalog_rules"."service" is null)
       or ("catalog_rules"."scope" = 'pair' and "catalog_rules"."service" is not null and "catalog_rules"."country" is not null))
);
--> statement-breakpoint
CREATE TABLE "provider_offers" (
	"provider_id" text NOT NULL,
	"service" text NOT NULL,
	"country" text NOT NULL,
	"cost" bigint NOT NULL,
	"count" integer NOT NULL,
	"synced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "provider_offers_provider_id_service_country_pk" PRIMARY KEY("provider_id","service","country")
);
--> statement-breakpoint
CREATE TABLE "providers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"base_url" text NOT NULL,
	"api_key_encrypted" text NOT NULL,
	"currency" text NOT NULL,
	"credits_per_unit_micros" bigint,
	"priority" integer DEFAULT 100 NOT NULL,
	"markup_basis_points" integer DEFAULT 0 NOT NULL,
	"fee_credits" integer DEFAULT 0 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"push_token_hash" text NOT NULL,
	"low_balance_micros" bigint DEFAULT 5000000 NOT NULL,
	"balance_micros" bigint,
	"balance_at" timestamp with time zone,
	"health" text DEFAULT 'unknown' NOT NULL,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"synced_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "providers_name_slug" CHECK ("providers"."name" ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
	CONSTRAINT "providers_markup_range" CHECK ("providers"."markup_basis_points" between -5000 and 100000)
);
--> statement-breakpoint
ALTER TABLE "activations" ADD COLUMN "next_poll_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "activations" ADD COLUMN "poll_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "provider_offers" ADD CONSTRAINT "provider_offers_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_rules_target_key" ON "catalog_rules" USING btree ("scope",coalesce("service", ''),coalesce("country", ''));--> statement-breakpoint
CREATE INDEX "provider_offers_pair_idx" ON "provider_offers" USING btree ("service","country");--> statement-breakpoint
CREATE UNIQUE INDEX "providers_name_key" ON "providers" USING btree ("name");--> statement-breakpoint
CREATE INDEX "activations_unsettled_idx" ON "activations" USING btree ("ended_at") WHERE "activations"."failure_reason" in ('interrupted', 'provider_unavailable');--> statement-breakpoint
CREATE INDEX "activations_poll_idx" ON "activations" USING btree ("next_poll_at") WHERE "activations"."next_poll_at" is not null and "activations"."status" in ('waiting', 'received');