ALTER TABLE "retention_policies" ADD COLUMN "content_items_days" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "phase_timings" jsonb;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_content_items_days_check" CHECK ("retention_policies"."content_items_days" between 0 and 36500);