-- Which API worded a stored Idempotency-Key answer (REST, SMS-Activate V1 or V2, 5sim): a retry through another
-- API words the order in its own protocol instead of being sent an answer it cannot parse. Rows stored before
-- have none: any retry words them anew from the order.
ALTER TABLE "idempotency_keys" ADD COLUMN "response_protocol" text;
