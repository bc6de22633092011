CREATE TABLE "retention_policies" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"files_days" integer DEFAULT 30,
	"runs_days" integer,
	"expired_share_links_days" integer DEFAULT 30,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retention_policies_files_days_check" CHECK ("retention_policies"."files_days" between 1 and 3650),
	CONSTRAINT "retention_policies_runs_days_check" CHECK ("retention_policies"."runs_days" between 1 and 3650),
	CONSTRAINT "retention_policies_share_links_days_check" CHECK ("retention_policies"."expired_share_links_days" between 1 and 3650)
);
--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;