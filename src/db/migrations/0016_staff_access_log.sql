CREATE TABLE "staff_access_log" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"staff_account_id" text NOT NULL,
	"staff_role" text NOT NULL,
	"what" text NOT NULL,
	"reason" text,
	"request_id" text,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "staff_access_log" ADD CONSTRAINT "staff_access_log_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_access_log" ADD CONSTRAINT "staff_access_log_staff_account_id_accounts_id_fk" FOREIGN KEY ("staff_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_access_log_account_idx" ON "staff_access_log" USING btree ("account_id","id");