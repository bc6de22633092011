CREATE TABLE "content_item_bands" (
	"org_id" uuid NOT NULL,
	"hash" integer NOT NULL,
	"item_id" uuid NOT NULL,
	CONSTRAINT "content_item_bands_org_id_hash_item_id_pk" PRIMARY KEY("org_id","hash","item_id")
);
--> statement-breakpoint
ALTER TABLE "content_items" ADD COLUMN "banded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "content_item_bands" ADD CONSTRAINT "content_item_bands_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_item_bands" ADD CONSTRAINT "content_item_bands_item_id_content_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."content_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "content_item_bands_item_idx" ON "content_item_bands" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "content_items_unbanded_idx" ON "content_items" USING btree ("org_id","published_at") WHERE not "content_items"."banded";