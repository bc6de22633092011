CREATE TABLE "content_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"impressions" integer NOT NULL,
	"reactions" integer NOT NULL,
	"comments" integer NOT NULL,
	"reposts" integer NOT NULL,
	"origin" text NOT NULL,
	"file_id" uuid,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "content_feedback_counts_check" CHECK ("content_feedback"."impressions" >= 1 and "content_feedback"."reactions" >= 0 and "content_feedback"."comments" >= 0 and "content_feedback"."reposts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "content_fetches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"outcome" text NOT NULL,
	"error" text,
	"items_new" integer DEFAULT 0 NOT NULL,
	"items_duplicate" integer DEFAULT 0 NOT NULL,
	"items_near_duplicate" integer DEFAULT 0 NOT NULL,
	"skipped" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "content_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"url_key" text NOT NULL,
	"url" text NOT NULL,
	"canonical_url" text,
	"title" text NOT NULL,
	"text" text NOT NULL,
	"author" text,
	"published_at" timestamp with time zone NOT NULL,
	"dated_by_source" boolean NOT NULL,
	"content_hash" text NOT NULL,
	"duplicate_of_id" uuid,
	"duplicate_similarity" double precision,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("content_items"."title", '')), 'A') || setweight(to_tsvector('english', left(coalesce("content_items"."text", ''), 100000)), 'B')) STORED NOT NULL
);
--> statement-breakpoint
CREATE TABLE "content_posts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"run_id" uuid,
	"variant_kind" text NOT NULL,
	"text" text NOT NULL,
	"domains" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"hour_local" integer,
	"external_id" text,
	"predicted" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "content_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"owner_user_id" uuid,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"kind" text NOT NULL,
	"host" text NOT NULL,
	"domains" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"credibility" double precision NOT NULL,
	"tier" text DEFAULT 'standard' NOT NULL,
	"interval_minutes" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"etag" text,
	"last_modified" text,
	"status" text DEFAULT 'new' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failing_since" timestamp with time zone,
	"last_error" text,
	"last_attempt_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "content_sources_credibility_check" CHECK ("content_sources"."credibility" >= 0 and "content_sources"."credibility" <= 1),
	CONSTRAINT "content_sources_interval_check" CHECK ("content_sources"."interval_minutes" > 0)
);
--> statement-breakpoint
ALTER TABLE "content_feedback" ADD CONSTRAINT "content_feedback_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_feedback" ADD CONSTRAINT "content_feedback_post_id_content_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."content_posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_feedback" ADD CONSTRAINT "content_feedback_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_fetches" ADD CONSTRAINT "content_fetches_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_fetches" ADD CONSTRAINT "content_fetches_source_id_content_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."content_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_items" ADD CONSTRAINT "content_items_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_items" ADD CONSTRAINT "content_items_source_id_content_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."content_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_posts" ADD CONSTRAINT "content_posts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_posts" ADD CONSTRAINT "content_posts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_posts" ADD CONSTRAINT "content_posts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_sources" ADD CONSTRAINT "content_sources_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_sources" ADD CONSTRAINT "content_sources_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_sources" ADD CONSTRAINT "content_sources_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "content_feedback_post_idx" ON "content_feedback" USING btree ("post_id","recorded_at");--> statement-breakpoint
CREATE INDEX "content_fetches_source_idx" ON "content_fetches" USING btree ("source_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "content_items_org_url_key" ON "content_items" USING btree ("org_id","url_key");--> statement-breakpoint
CREATE INDEX "content_items_org_hash_idx" ON "content_items" USING btree ("org_id","content_hash");--> statement-breakpoint
CREATE INDEX "content_items_org_published_idx" ON "content_items" USING btree ("org_id","published_at");--> statement-breakpoint
CREATE INDEX "content_items_source_idx" ON "content_items" USING btree ("source_id","published_at");--> statement-breakpoint
CREATE INDEX "content_items_search_idx" ON "content_items" USING gin ("search");--> statement-breakpoint
CREATE INDEX "content_posts_user_idx" ON "content_posts" USING btree ("org_id","user_id","published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "content_posts_org_external_key" ON "content_posts" USING btree ("org_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "content_sources_org_url_key" ON "content_sources" USING btree ("org_id","url");--> statement-breakpoint
CREATE INDEX "content_sources_due_idx" ON "content_sources" USING btree ("next_attempt_at") WHERE "content_sources"."enabled";