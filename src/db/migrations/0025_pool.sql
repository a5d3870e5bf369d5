CREATE TABLE "gateway_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"gateway_id" text NOT NULL,
	"message_key" text,
	"content_key" text,
	"number_id" text,
	"lease_id" text,
	"outcome" text NOT NULL,
	"sender_sealed" text,
	"text_sealed" text,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_messages_text_unmatched" CHECK ("gateway_messages"."outcome" = 'unmatched' or ("gateway_messages"."text_sealed" is null and "gateway_messages"."sender_sealed" is null))
);
--> statement-breakpoint
CREATE TABLE "gateway_replays" (
	"gateway_id" text NOT NULL,
	"replay_key" text NOT NULL,
	"seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_replays_gateway_id_replay_key_pk" PRIMARY KEY("gateway_id","replay_key")
);
--> statement-breakpoint
CREATE TABLE "gateways" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'unknown' NOT NULL,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "gateways_name_slug" CHECK ("gateways"."name" ~ '^[a-z0-9][a-z0-9-]{0,39}$')
);
--> statement-breakpoint
CREATE TABLE "pool_leases" (
	"id" text PRIMARY KEY NOT NULL,
	"number_id" text NOT NULL,
	"kind" text NOT NULL,
	"service" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"got_sms" boolean DEFAULT false NOT NULL,
	CONSTRAINT "pool_leases_service" CHECK (("pool_leases"."kind" = 'order') = ("pool_leases"."service" is not null))
);
--> statement-breakpoint
CREATE TABLE "pool_numbers" (
	"id" text PRIMARY KEY NOT NULL,
	"gateway_id" text NOT NULL,
	"number" text NOT NULL,
	"country" text NOT NULL,
	"services" text[],
	"device" text,
	"sim" integer,
	"cost" bigint DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'free' NOT NULL,
	"cooling_until" timestamp with time zone,
	"last_sold_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "pool_numbers_cost" CHECK ("pool_numbers"."cost" >= 0),
	CONSTRAINT "pool_numbers_sim" CHECK ("pool_numbers"."sim" is null or ("pool_numbers"."sim" between 1 and 16 and "pool_numbers"."device" is not null)),
	CONSTRAINT "pool_numbers_cooling" CHECK (("pool_numbers"."state" = 'cooling') = ("pool_numbers"."cooling_until" is not null))
);
--> statement-breakpoint
CREATE TABLE "pool_service_uses" (
	"number_id" text NOT NULL,
	"service" text NOT NULL,
	"used_at" timestamp with time zone NOT NULL,
	"lease_id" text NOT NULL,
	CONSTRAINT "pool_service_uses_lease_id_service_pk" PRIMARY KEY("lease_id","service")
);
--> statement-breakpoint
ALTER TABLE "gateway_messages" ADD CONSTRAINT "gateway_messages_gateway_id_gateways_id_fk" FOREIGN KEY ("gateway_id") REFERENCES "public"."gateways"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_messages" ADD CONSTRAINT "gateway_messages_number_id_pool_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."pool_numbers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_messages" ADD CONSTRAINT "gateway_messages_lease_id_pool_leases_id_fk" FOREIGN KEY ("lease_id") REFERENCES "public"."pool_leases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_replays" ADD CONSTRAINT "gateway_replays_gateway_id_gateways_id_fk" FOREIGN KEY ("gateway_id") REFERENCES "public"."gateways"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_leases" ADD CONSTRAINT "pool_leases_number_id_pool_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."pool_numbers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_numbers" ADD CONSTRAINT "pool_numbers_gateway_id_gateways_id_fk" FOREIGN KEY ("gateway_id") REFERENCES "public"."gateways"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_service_uses" ADD CONSTRAINT "pool_service_uses_number_id_pool_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."pool_numbers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_service_uses" ADD CONSTRAINT "pool_service_uses_lease_id_pool_leases_id_fk" FOREIGN KEY ("lease_id") REFERENCES "public"."pool_leases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_messages_message_key" ON "gateway_messages" USING btree ("gateway_id","message_key") WHERE "gateway_messages"."message_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_messages_content_key" ON "gateway_messages" USING btree ("gateway_id","content_key") WHERE "gateway_messages"."content_key" is not null;--> statement-breakpoint
CREATE INDEX "gateway_messages_received_idx" ON "gateway_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "gateway_replays_seen_idx" ON "gateway_replays" USING btree ("seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateways_name_key" ON "gateways" USING btree ("name") WHERE "gateways"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "pool_leases_open_key" ON "pool_leases" USING btree ("number_id") WHERE "pool_leases"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "pool_leases_number_idx" ON "pool_leases" USING btree ("number_id","started_at");--> statement-breakpoint
CREATE INDEX "pool_leases_ended_idx" ON "pool_leases" USING btree ("ended_at");--> statement-breakpoint
CREATE UNIQUE INDEX "pool_numbers_number_key" ON "pool_numbers" USING btree ("number") WHERE "pool_numbers"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "pool_numbers_device_sim_key" ON "pool_numbers" USING btree ("gateway_id","device","sim") WHERE "pool_numbers"."removed_at" is null and "pool_numbers"."device" is not null;--> statement-breakpoint
CREATE INDEX "pool_numbers_gateway_idx" ON "pool_numbers" USING btree ("gateway_id");--> statement-breakpoint
CREATE INDEX "pool_service_uses_number_idx" ON "pool_service_uses" USING btree ("number_id","service","used_at");--> statement-breakpoint
CREATE INDEX "pool_service_uses_used_idx" ON "pool_service_uses" USING btree ("used_at");