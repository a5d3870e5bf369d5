-- The keyring (ADR 28): per-account data keys, in a schema of their own, backed up apart from the data.
CREATE SCHEMA "keyring";
--> statement-breakpoint
CREATE TABLE "keyring"."account_keys" (
	"account_id" text PRIMARY KEY NOT NULL,
	"wrapped_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "keyring"."destroyed_account_keys" (
	"account_id" text PRIMARY KEY NOT NULL,
	"destroyed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_email_lowercase";--> statement-breakpoint
DROP INDEX "accounts_email_key";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "email_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_email_hash_key" ON "accounts" USING btree ("email_hash");--> statement-breakpoint
-- Existing addresses get their keyed hash (and are sealed) at the next start, which needs SECRET_KEY:
-- the check holds for new rows now and is validated once the start-up step has sealed the old ones.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_email_has_hash" CHECK (("accounts"."email" is null) = ("accounts"."email_hash" is null)) NOT VALID;