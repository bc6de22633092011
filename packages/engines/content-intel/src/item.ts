import { ratioField } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * An item the server already fetched from a followed source (feed entry or page), with its
 * article text extracted. The engine never fetches: it ranks, quotes and checks these.
 */
export const ContentItem = z.object({
  id: z.string().min(1).max(200),
  title: z.string().max(500),
  url: z.string().min(1).max(2000),
  /** `<link rel="canonical">` when the page had one; else the URL is normalised (canonicalUrl()). */
  canonicalUrl: z.string().max(2000).optional(),
  sourceId: z.string().min(1).max(200),
  sourceName: z.string().max(200).optional(),
  /** The source's topical domains (tech, politics, product, finance, …). */
  domains: z.array(z.string().min(1).max(50)).max(20).default([]),
  /** The source's credibility weight, 0–1 (the prototype's `credibility`). */
  credibility: ratioField({ max: 1 }),
  publishedAt: z.iso.datetime({ offset: true }),
  text: z.string().max(50_000),
});
export type ContentItem = z.infer<typeof ContentItem>;
export type ContentItemInput = z.input<typeof ContentItem>;

const TRACKING_PARAM = /^(utm_[a-z_]+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid)$/i;

/**
 * A URL reduced to what identifies the page: scheme-insensitive, lower-case host without
 * "www.", no fragment, no tracking parameters, remaining parameters sorted, no trailing slash.
 * Two items with the same result are the same article (syndicated copies, feed vs page URL).
 */
export function canonicalUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return raw.trim().toLowerCase();
  }
  const host = u.hostname.toLowerCase().replace(/^www\./, "");
  const params = [...u.searchParams.entries()]
    .filter(([k]) => !TRACKING_PARAM.test(k))
    .sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : "";
  const port = u.port && !["80", "443"].includes(u.port) ? `:${u.port}` : "";
  const path = u.pathname.replace(/\/+$/, "") || "";
  return `${host}${port}${path}${query}`;
}

/** The web host an item came from (for citations: "stratechery.com"). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, "");
  } catch {
    return "";
  }
}
