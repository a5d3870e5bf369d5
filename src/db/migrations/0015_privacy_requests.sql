CREATE TABLE "privacy_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"type" text NOT NULL,
	"details" text,
	"status" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"due_at" timestamp with time zone NOT NULL,
	"token_hash" text,
	"token_expires_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"handled_by" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "privacy_requests_details_length" CHECK (char_length("privacy_requests"."details") <= 2000),
	CONSTRAINT "privacy_requests_resolution_length" CHECK (char_length("privacy_requests"."resolution") <= 2000)
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "processing_restricted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "privacy_requests_account_idx" ON "privacy_requests" USING btree ("account_id","filed_at");--> statement-breakpoint
CREATE INDEX "privacy_requests_queue_idx" ON "privacy_requests" USING btree ("status","due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_requests_token_hash_key" ON "privacy_requests" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_requests_one_open_key" ON "privacy_requests" USING btree ("account_id","type") WHERE "privacy_requests"."status" in ('open', 'in_progress');