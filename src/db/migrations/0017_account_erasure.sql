ALTER TABLE "accounts" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "pseudonym" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "erasure_completed_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_pseudonym_key" ON "accounts" USING btree ("pseudonym");--> statement-breakpoint
CREATE INDEX "accounts_erasure_pending_idx" ON "accounts" USING btree ("deleted_at") WHERE "accounts"."deleted_at" is not null and "accounts"."erasure_completed_at" is null;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_deleted_shape" CHECK (("accounts"."status" = 'deleted') = ("accounts"."deleted_at" is not null) and ("accounts"."deleted_at" is null) = ("accounts"."pseudonym" is null));