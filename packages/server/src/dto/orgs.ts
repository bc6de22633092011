import type { organizations } from "../db/schema.ts";

type OrgRow = typeof organizations.$inferSelect;

/** An organization as the API shows it. */
export function orgDto(o: OrgRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    locale: o.locale,
    negativeNumbers: o.negativeNumbers,
    negativesRed: o.negativesRed,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
