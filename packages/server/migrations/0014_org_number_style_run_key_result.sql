ALTER TABLE "organizations" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "negative_numbers" text DEFAULT 'minus' NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "negatives_red" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "key_result" jsonb;