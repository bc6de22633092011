ALTER TABLE "runs" ADD COLUMN "reference_data" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reference_data_key" text;