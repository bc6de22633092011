import { parse } from "yaml";
import { z } from "zod";

/**
 * Followed sources, read from the prototype's `prosora_sources.yaml` shape (spec A.3 phase 2).
 * Kept: `premium_sources` and `standard_sources` are followed, `experimental_sources` are not by
 * default; name, credibility and domains carry over. Fixed: the kind of each source is decided
 * from its URL and type (the prototype scraped The Dispatch's and Product Hunt's feeds as HTML
 * pages); entries that cannot be fetched — e-mail newsletters, a YouTube channel id in `url`,
 * social accounts — are reported as skipped with the reason instead of failing at fetch time;
 * the tier is the section's (the YAML has no `tier` key, so every source was "standard").
 */
export const SOURCE_KINDS = ["rss", "atom", "json-feed", "sitemap", "page"] as const;

const PrototypeSource = z
  .object({
    name: z.string().min(1),
    url: z.string().optional(),
    rss_url: z.string().optional(),
    email: z.string().optional(),
    type: z.string().optional(),
    credibility: z.number().min(0).max(1),
    domains: z.array(z.string()).default([]),
    frequency: z.string().optional(),
    relevance: z.number().optional(),
    notes: z.string().optional(),
  })
  .loose();

export const PrototypeSourcesFile = z
  .object({
    premium_sources: z.array(PrototypeSource).default([]),
    standard_sources: z.array(PrototypeSource).default([]),
    experimental_sources: z.array(PrototypeSource).default([]),
  })
  .loose();

export const SourceDefinition = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  url: z.string(),
  /** The site's own address, for citations and politeness per host. */
  siteUrl: z.string().optional(),
  host: z.string(),
  domains: z.array(z.string()),
  credibility: z.number().min(0).max(1),
  tier: z.enum(["premium", "standard", "experimental"]),
  /** How often to fetch: daily → 6 h, weekly → 24 h (a weekly source still posts on any day). */
  intervalMinutes: z.number().int().positive(),
});
export type SourceDefinition = z.infer<typeof SourceDefinition>;

export const SkippedSource = z.object({ name: z.string(), tier: z.string(), reason: z.string() });
export type SkippedSource = z.infer<typeof SkippedSource>;

const INTERVAL_MINUTES: Record<string, number> = { hourly: 60, daily: 360, weekly: 1440, monthly: 10_080 };

export function slug(name: string): string {
  return name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The kind a feed or page URL most likely is; the server confirms it from the response. */
export function sourceKindOf(url: string): (typeof SOURCE_KINDS)[number] {
  const u = url.toLowerCase();
  if (/sitemap[^/]*\.xml$/.test(u)) return "sitemap";
  if (/(\.json$|\/feed\.json|json-?feed)/.test(u)) return "json-feed";
  if (/(atom(\.xml)?$|\/atom\/?$)/.test(u)) return "atom";
  if (/(\/feed\/?$|\/rss\/?$|\.rss$|rss\.xml$|\/feed\/[a-z]+\/?$|feed\.xml$|hnrss\.org)/.test(u))
    return "rss";
  return "page";
}

const isHttpUrl = (s: string | undefined): s is string => !!s && /^https?:\/\/[^\s/]+/i.test(s);

/**
 * Parses the YAML text into followed sources and the entries that were skipped (with why).
 * Throws a ZodError naming the field when the file's shape is wrong.
 */
export function parseSourcesYaml(
  text: string,
  opts: { includeExperimental?: boolean } = {},
): { sources: SourceDefinition[]; skipped: SkippedSource[] } {
  const file = PrototypeSourcesFile.parse(parse(text) ?? {});
  const sections = [
    ["premium", file.premium_sources],
    ["standard", file.standard_sources],
    ...(opts.includeExperimental ? ([["experimental", file.experimental_sources]] as const) : []),
  ] as const;
  const sources: SourceDefinition[] = [];
  const skipped: SkippedSource[] = [];
  for (const [tier, entries] of sections) {
    for (const e of entries) {
      const feedUrl = isHttpUrl(e.rss_url) ? e.rss_url : isHttpUrl(e.url) ? e.url : undefined;
      if (!feedUrl) {
        const reason = e.email
          ? `an e-mail newsletter (${e.email}): nothing to fetch over HTTP`
          : e.url
            ? `"${e.url}" is not a web address${e.type === "youtube" ? " (a YouTube channel id)" : ""}`
            : "no url or rss_url";
        skipped.push({ name: e.name, tier, reason });
        continue;
      }
      const id = slug(e.name);
      if (sources.some((s) => s.id === id)) {
        skipped.push({ name: e.name, tier, reason: `a second source named "${e.name}"` });
        continue;
      }
      sources.push({
        id,
        name: e.name,
        kind: sourceKindOf(feedUrl),
        url: feedUrl,
        ...(isHttpUrl(e.url) && e.url !== feedUrl ? { siteUrl: e.url } : {}),
        host: new URL(feedUrl).hostname.replace(/^www\./, ""),
        domains: e.domains,
        credibility: e.credibility,
        tier,
        intervalMinutes: INTERVAL_MINUTES[e.frequency ?? ""] ?? 360,
      });
    }
  }
  return { sources, skipped };
}

/**
 * The sources a query draws from (spec A.3 phase 2, kept): those sharing a domain with the query,
 * or every source for a "general" query.
 */
export function sourcesForQuery<S extends { domains: readonly string[] }>(
  sources: readonly S[],
  queryDomains: readonly string[],
): S[] {
  if (queryDomains.includes("general")) return [...sources];
  return sources.filter((s) => s.domains.some((d) => queryDomains.includes(d)));
}
