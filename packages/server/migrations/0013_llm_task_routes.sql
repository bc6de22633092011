ALTER TABLE "llm_providers" ADD COLUMN "label" text;--> statement-breakpoint
ALTER TABLE "llm_settings" ADD COLUMN "task_routes" jsonb DEFAULT '{}'::jsonb NOT NULL;