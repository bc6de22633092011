ALTER TABLE "content_items" ADD COLUMN "minhash_bands" integer[];--> statement-breakpoint
CREATE INDEX "content_items_bands_idx" ON "content_items" USING gin ("minhash_bands");--> statement-breakpoint
CREATE INDEX "content_items_unbanded_idx" ON "content_items" USING btree ("org_id","published_at") WHERE "content_items"."minhash_bands" is null;