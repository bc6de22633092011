import { createHash } from "node:crypto";
import { ContentItem, canonicalUrl, type SourceDefinition } from "@modelworks/engine-content-intel";
import { contentHash, extractArticle } from "./extract.ts";
import { type FeedEntry, FeedError, type FeedFormat, parseFeed } from "./feeds.ts";
import {
  createHttpClient,
  FetchError,
  type FetchResponse,
  type HttpClient,
  type HttpClientOptions,
  type Validators,
} from "./http.ts";
import {
  type BackoffOptions,
  createPoliteness,
  nextHealth,
  type Politeness,
  type PolitenessOptions,
  type SourceHealth,
} from "./politeness.ts";
import { createRobotsCache, type RobotsCache, type RobotsCacheOptions } from "./robots.ts";

/**
 * One fetch of one followed source: robots.txt checked, the request paced per host, a conditional
 * GET with the stored validators, the feed parsed (or the page, or the sitemap's newest pages,
 * extracted), items shaped as the engine's ContentItem. Nothing throws past `fetchSource`: any
 * failure becomes the source's health, so one broken source never stops the others.
 */

/** What the caller stored from the source's previous fetch. */
export interface SourceState {
  validators?: Validators;
  health?: SourceHealth;
  /** Items already stored (their `urlKey`): not returned again, and their pages not re-fetched. */
  knownUrlKeys?: ReadonlySet<string>;
}

/** A ContentItem plus what the store needs for de-duplication and display. */
export type FetchedItem = ContentItem & {
  /** The engine's canonicalUrl() of the page's canonical URL (or its URL): the de-duplication key. */
  urlKey: string;
  /** sha256 of the normalised text (extract.ts contentHash). */
  contentHash: string;
  author?: string;
  /** False when the feed gave no date and the fetch time stands in. */
  datedBySource: boolean;
};

export interface FetchSourceResult {
  sourceId: string;
  items: FetchedItem[];
  validators: Validators;
  health: SourceHealth;
  /** The source answered 304: nothing changed since the stored validators. */
  notModified: boolean;
  format?: FeedFormat | "page";
  /** Pages of a sitemap, or entries, left out, with why (the source itself still succeeded). */
  skipped: { url: string; reason: string }[];
}

export interface FetchDeps {
  http: HttpClient;
  politeness: Politeness;
  robots: RobotsCache;
  now?: () => number;
  backoff?: BackoffOptions;
  /** Items kept per fetch, newest first (a feed of 10,000 entries is not stored whole). */
  maxItems?: number;
  /** Pages fetched per run from a sitemap. */
  maxSitemapPages?: number;
  /** Child sitemaps read from a sitemap index per run. */
  maxChildSitemaps?: number;
  /**
   * Feed entries whose page is fetched for its full article text, newest first, per run — only
   * those whose feed summary is shorter than `fullTextBelowChars` (default 1,000). 0 (the
   * default) keeps feed summaries: the ingestion job decides what a source's pages are worth.
   */
  maxArticlePages?: number;
  fullTextBelowChars?: number;
}

/**
 * The three shared pieces wired together. robots.txt requests have their own lane per host
 * (`robots:<host>`, outside the global limit): they are made while a request to another host may
 * hold its slots (a redirect to a new site), and must not wait on those slots (deadlock).
 */
export function createFetchDeps(
  o: {
    http?: HttpClientOptions;
    politeness?: PolitenessOptions;
    robots?: Omit<RobotsCacheOptions, "fetch">;
  } & Omit<FetchDeps, "http" | "politeness" | "robots"> = {},
): FetchDeps {
  const http = createHttpClient(o.http);
  const politeness = createPoliteness(o.politeness);
  const robots = createRobotsCache({
    ...o.robots,
    fetch: (url) =>
      politeness.run(
        `robots:${new URL(url).host}`,
        () => http.fetch({ url, accept: "text/plain", maxBytes: 512 * 1024 }),
        { global: false },
      ),
  });
  const { http: _h, politeness: _p, robots: _r, ...rest } = o;
  return { http, politeness, robots, ...rest };
}

class SourceError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const ACCEPT_FEED =
  "application/feed+json, application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";
const ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/** robots.txt, then the host's pace, then the request; a non-2xx/304 answer is an error. */
async function politeGet(
  deps: FetchDeps,
  url: string,
  accept: string,
  validators?: Validators,
): Promise<FetchResponse> {
  const verdict = await deps.robots.check(url);
  if (!verdict.allowed) throw new SourceError(verdict.reason ?? "robots.txt disallows this URL");
  // A redirect to a path robots.txt forbids is not followed (its own host's rules apply).
  const beforeRedirect = async (next: string) => {
    const v = await deps.robots.check(next);
    if (!v.allowed)
      throw new SourceError(`redirected to ${next}, but ${v.reason ?? "robots.txt disallows it"}`);
  };
  const res = await deps.politeness.run(
    new URL(url).host,
    () => deps.http.fetch({ url, accept, beforeRedirect, ...(validators ? { validators } : {}) }),
    verdict.crawlDelayMs !== undefined ? { minIntervalMs: verdict.crawlDelayMs } : {},
  );
  if (res.notModified || (res.status >= 200 && res.status < 300)) return res;
  throw new SourceError(`HTTP ${res.status} from ${new URL(res.url).host}`, res.retryAfterSeconds);
}

const shortHash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 24);

function toItem(
  source: SourceDefinition,
  e: {
    title: string;
    url: string;
    canonicalUrl?: string;
    publishedAt?: string;
    text: string;
    author?: string;
  },
  fetchedAtMs: number,
): FetchedItem {
  // A canonical URL too long to store is ignored rather than cut into a different URL.
  const canonical = e.canonicalUrl && e.canonicalUrl.length <= 2000 ? e.canonicalUrl : undefined;
  const urlKey = canonicalUrl(canonical ?? e.url);
  const item = ContentItem.parse({
    id: `${source.id}:${shortHash(urlKey)}`,
    title: e.title.slice(0, 500),
    url: e.url,
    ...(canonical ? { canonicalUrl: canonical } : {}),
    sourceId: source.id,
    sourceName: source.name.slice(0, 200),
    domains: source.domains,
    credibility: source.credibility,
    publishedAt: e.publishedAt ?? new Date(fetchedAtMs).toISOString(),
    text: e.text.slice(0, 50_000),
  });
  return {
    ...item,
    urlKey,
    contentHash: contentHash(e.text),
    ...(e.author ? { author: e.author } : {}),
    datedBySource: !!e.publishedAt,
  };
}

const newestFirst = (a: { publishedAt?: string }, b: { publishedAt?: string }) =>
  (b.publishedAt ?? "").localeCompare(a.publishedAt ?? "");

async function fetchPageItem(
  source: SourceDefinition,
  deps: FetchDeps,
  url: string,
  nowMs: number,
  validators?: Validators,
) {
  const res = await politeGet(deps, url, ACCEPT_PAGE, validators);
  if (res.notModified) return { res, item: undefined };
  const a = extractArticle(res.decode().text, res.url);
  const item = toItem(
    source,
    {
      title: a.title,
      url: res.url,
      ...(a.canonicalUrl ? { canonicalUrl: a.canonicalUrl } : {}),
      ...(a.publishedAt ? { publishedAt: a.publishedAt } : {}),
      text: a.text,
      ...(a.byline ? { author: a.byline } : {}),
    },
    nowMs,
  );
  return { res, item };
}

async function fetchOnce(
  source: SourceDefinition,
  state: SourceState,
  deps: FetchDeps,
  nowMs: number,
): Promise<Omit<FetchSourceResult, "health" | "sourceId">> {
  const known = state.knownUrlKeys ?? new Set<string>();
  const maxItems = deps.maxItems ?? 50;
  const skipped: { url: string; reason: string }[] = [];

  if (source.kind === "page") {
    const { res, item } = await fetchPageItem(source, deps, source.url, nowMs, state.validators);
    const items = item && !known.has(item.urlKey) ? [item] : [];
    return { items, validators: res.validators, notModified: res.notModified, format: "page", skipped };
  }

  const res = await politeGet(deps, source.url, ACCEPT_FEED, state.validators);
  if (res.notModified) return { items: [], validators: res.validators, notModified: true, skipped };
  const feed = parseFeed(res.decode().text, res.url, res.contentType);

  let entries: FeedEntry[] = feed.entries;
  if (feed.format === "sitemap-index") {
    entries = [];
    for (const child of feed.sitemaps.slice(0, deps.maxChildSitemaps ?? 5)) {
      try {
        const c = await politeGet(deps, child, ACCEPT_FEED);
        const parsed = parseFeed(c.decode().text, c.url, c.contentType);
        if (parsed.format !== "sitemap")
          throw new FeedError("not-a-feed", `a ${parsed.format}, not a sitemap`);
        entries.push(...parsed.entries);
      } catch (err) {
        skipped.push({ url: child, reason: (err as Error).message });
      }
    }
  }

  if (feed.format === "sitemap" || feed.format === "sitemap-index") {
    // A sitemap lists pages, not articles: the newest unseen ones are fetched and extracted.
    const pages = entries.filter((e) => !known.has(canonicalUrl(e.url))).sort(newestFirst);
    const items: FetchedItem[] = [];
    for (const e of pages.slice(0, Math.min(maxItems, deps.maxSitemapPages ?? 10))) {
      try {
        const { item } = await fetchPageItem(source, deps, e.url, nowMs);
        if (item && !known.has(item.urlKey))
          items.push(
            e.publishedAt && !item.datedBySource
              ? { ...item, publishedAt: e.publishedAt, datedBySource: true }
              : item,
          );
      } catch (err) {
        skipped.push({ url: e.url, reason: (err as Error).message });
      }
    }
    return { items, validators: res.validators, notModified: false, format: feed.format, skipped };
  }

  const items: FetchedItem[] = [];
  for (const e of entries.sort(newestFirst)) {
    if (items.length >= maxItems) break;
    if (e.url.length > 2000) {
      // One odd entry is reported; the rest of the feed still flows.
      skipped.push({
        url: `${e.url.slice(0, 200)}…`,
        reason: "the entry's URL is longer than 2,000 characters",
      });
      continue;
    }
    const it = toItem(
      source,
      {
        title: e.title,
        url: e.url,
        ...(e.publishedAt ? { publishedAt: e.publishedAt } : {}),
        text: e.summary,
        ...(e.author ? { author: e.author } : {}),
      },
      nowMs,
    );
    if (!known.has(it.urlKey)) items.push(it);
  }
  let pagesLeft = deps.maxArticlePages ?? 0;
  for (let i = 0; i < items.length && pagesLeft > 0; i++) {
    const summaryItem = items[i]!;
    if (summaryItem.text.length >= (deps.fullTextBelowChars ?? 1_000)) continue;
    pagesLeft--;
    try {
      const { item: full } = await fetchPageItem(source, deps, summaryItem.url, nowMs);
      if (full && full.text.length > summaryItem.text.length)
        items[i] = {
          ...full,
          // The feed's own title, date and author describe the entry better than page chrome.
          title: summaryItem.title || full.title,
          publishedAt: summaryItem.datedBySource ? summaryItem.publishedAt : full.publishedAt,
          datedBySource: summaryItem.datedBySource || full.datedBySource,
          ...(summaryItem.author ? { author: summaryItem.author } : {}),
        };
    } catch (err) {
      // The summary item stays; the page is reported.
      skipped.push({ url: summaryItem.url, reason: (err as Error).message });
    }
  }
  // A page's canonical URL may reveal an entry as already stored, or two entries as one.
  const seen = new Set<string>();
  const unique = items.filter((it) => !known.has(it.urlKey) && !seen.has(it.urlKey) && seen.add(it.urlKey));
  return { items: unique, validators: res.validators, notModified: false, format: feed.format, skipped };
}

export async function fetchSource(
  source: SourceDefinition,
  state: SourceState,
  deps: FetchDeps,
): Promise<FetchSourceResult> {
  const now = deps.now ?? Date.now;
  const startedMs = now();
  try {
    const r = await fetchOnce(source, state, deps, startedMs);
    return {
      sourceId: source.id,
      ...r,
      health: nextHealth(
        state.health,
        { ok: true, intervalMinutes: source.intervalMinutes },
        now(),
        deps.backoff,
      ),
    };
  } catch (err) {
    const known = err instanceof FetchError || err instanceof FeedError || err instanceof SourceError;
    const error = known
      ? (err as Error).message
      : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    const retryAfterSeconds = err instanceof SourceError ? err.retryAfterSeconds : undefined;
    return {
      sourceId: source.id,
      items: [],
      // A failed fetch keeps the stored validators: the next conditional GET is still valid.
      validators: state.validators ?? {},
      notModified: false,
      skipped: [],
      health: nextHealth(
        state.health,
        { ok: false, error, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
        now(),
        deps.backoff,
      ),
    };
  }
}
