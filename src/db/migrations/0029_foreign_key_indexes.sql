-- Indexes on three foreign keys whose parent rows are deleted. PostgreSQL checks a foreign key on
-- every parent row deleted by looking up its child rows; without an index on the child's column, each
-- check reads the whole child table. Deleting 200 orders beside 200,000 provider tasks took 2.3 s of
-- such checks (1.4 ms with the index). The deletes: orders and pool leases by retention, orders and
-- devices by erasure. src/db/__tests__/foreign-key-indexes.test.ts lists the keys left without one, and why.
-- And the staff's page of unmatched gateway messages, which read every message received to find them
-- (20 ms at 200,000 messages, growing with them): a partial index of the unmatched ones.
CREATE INDEX "sessions_device_idx" ON "sessions" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "provider_tasks_activation_idx" ON "provider_tasks" USING btree ("activation_id");--> statement-breakpoint
CREATE INDEX "gateway_messages_lease_idx" ON "gateway_messages" USING btree ("lease_id");--> statement-breakpoint
CREATE INDEX "gateway_messages_unmatched_idx" ON "gateway_messages" USING btree ("id") WHERE "gateway_messages"."outcome" = 'unmatched';