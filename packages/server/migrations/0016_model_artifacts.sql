CREATE TABLE "model_artifacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"model_id" text NOT NULL,
	"model_version" text NOT NULL,
	"source_run_id" uuid NOT NULL,
	"data_fingerprint" text NOT NULL,
	"artifact" jsonb NOT NULL,
	"gate_pass" boolean NOT NULL,
	"gate_override_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"retired_by" uuid,
	"retired_at" timestamp with time zone,
	CONSTRAINT "model_artifacts_state_check" CHECK ("model_artifacts"."state" in ('draft','approved','retired'))
);
--> statement-breakpoint
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_retired_by_users_id_fk" FOREIGN KEY ("retired_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "model_artifacts_org_name_version_key" ON "model_artifacts" USING btree ("org_id",lower("name"),"version");--> statement-breakpoint
CREATE INDEX "model_artifacts_org_created_idx" ON "model_artifacts" USING btree ("org_id","created_at");