import { XMLParser, XMLValidator } from "fast-xml-parser";
import { htmlToText, tidyText } from "./extract.ts";

/**
 * Feed and sitemap parsing: RSS 2.0, RSS 1.0 (RDF), Atom 1.0, JSON Feed 1.0/1.1, sitemap
 * `urlset` and sitemap index. XML is validated and parsed by fast-xml-parser
 * (docs/decisions/0031); the mapping of each format onto one item shape is ours. A document that
 * is not one of these fails with a FeedError saying what it is instead.
 */
export type FeedFormat = "rss" | "rdf" | "atom" | "json-feed" | "sitemap" | "sitemap-index";

export interface FeedEntry {
  title: string;
  url: string;
  /** ISO 8601, when the entry carries a parseable date. */
  publishedAt?: string;
  /** Plain text of the entry's summary or content (HTML removed). */
  summary: string;
  author?: string;
}

export interface ParsedFeed {
  format: FeedFormat;
  title?: string;
  entries: FeedEntry[];
  /** A sitemap index's child sitemaps (absolute URLs), newest first when dated. */
  sitemaps: string[];
}

export type FeedErrorCode = "invalid-xml" | "invalid-json" | "not-a-feed" | "entities";

export class FeedError extends Error {
  override name = "FeedError";
  constructor(
    readonly code: FeedErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ALWAYS_ARRAY = new Set(["item", "entry", "link", "url", "sitemap", "author", "category"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ALWAYS_ARRAY.has(name),
  // Atom text constructs may hold XHTML, mixed content the object form would reorder: kept raw.
  stopNodes: ["feed.entry.content", "feed.entry.summary"],
});

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (m, e: string) => {
    if (e[0] !== "#") return XML_ENTITIES[e.toLowerCase()] ?? m;
    const cp = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/**
 * An Atom text construct (RFC 4287 §3.1) kept raw by the parser, as HTML: `xhtml` is markup
 * already; `html` and `text` are escaped or CDATA-wrapped and are unescaped first.
 */
function atomTextAsHtml(n: Node): string {
  if (n === undefined || n === null) return "";
  const raw = typeof n === "object" ? textOf(field(n, "#text")) : String(n);
  const type = typeof n === "object" ? field(n, "@_type") : undefined;
  if (type === "xhtml") return raw;
  const html = raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => (part.startsWith("<![CDATA[") ? part.slice(9, -3) : decodeXmlEntities(part)))
    .join("");
  if (type === "html") return html;
  return html.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;")); // text: no markup in it
}

type Node = unknown;
const arr = (n: Node): Node[] => (n === undefined || n === null ? [] : Array.isArray(n) ? n : [n]);

/** All text under a node (an xhtml Atom `content` is a tree), attributes excluded. */
function textOf(n: Node): string {
  if (n === undefined || n === null) return "";
  if (typeof n === "string" || typeof n === "number" || typeof n === "boolean") return String(n);
  if (Array.isArray(n)) return n.map(textOf).join(" ");
  return Object.entries(n as Record<string, Node>)
    .filter(([k]) => !k.startsWith("@_"))
    .map(([, v]) => textOf(v))
    .join(" ");
}

function field(n: Node, ...names: string[]): Node {
  if (!n || typeof n !== "object") return undefined;
  for (const name of names) {
    const v = (n as Record<string, Node>)[name];
    if (v !== undefined) return v;
  }
  return undefined;
}

function isoDate(raw: string | undefined): string | undefined {
  if (!raw?.trim()) return undefined;
  const ms = Date.parse(raw.trim());
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function absoluteUrl(raw: string | undefined, base: string): string | undefined {
  if (!raw?.trim()) return undefined;
  try {
    const u = new URL(raw.trim(), base);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** RSS has `<link>text</link>`; an `atom:link` beside it (self) is an object and is skipped. */
function rssLink(item: Node): string | undefined {
  for (const l of arr(field(item, "link"))) if (typeof l === "string" && l.trim()) return l;
  const guid = field(item, "guid");
  const g = typeof guid === "string" ? guid : textOf(guid);
  const permalink = typeof guid === "object" ? field(guid, "@_isPermaLink") !== "false" : true;
  return permalink && /^https?:\/\//i.test(g) ? g : undefined;
}

function atomLink(entry: Node): string | undefined {
  const links = arr(field(entry, "link")).filter(
    (l): l is Record<string, string> => typeof l === "object" && l !== null,
  );
  const alt = links.find((l) => !l["@_rel"] || l["@_rel"] === "alternate") ?? links[0];
  return alt?.["@_href"];
}

function authorOf(n: Node): string | undefined {
  const names = arr(n)
    .map((a) => tidyText(typeof a === "object" ? textOf(field(a, "name") ?? a) : textOf(a)))
    .filter(Boolean);
  return names.length ? names.join(", ").slice(0, 200) : undefined;
}

function entry(
  base: string,
  o: { title: Node; url: string | undefined; date: Node; summary: Node; author: Node },
): FeedEntry | null {
  const url = absoluteUrl(o.url, base);
  if (!url) return null; // an entry without a link cannot be cited
  const author = authorOf(o.author);
  const publishedAt = isoDate(textOf(o.date));
  return {
    title: htmlToText(textOf(o.title)).slice(0, 500),
    url,
    ...(publishedAt ? { publishedAt } : {}),
    summary: htmlToText(textOf(o.summary)),
    ...(author ? { author } : {}),
  };
}

const compact = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

function parseJsonFeed(text: string, base: string): ParsedFeed {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new FeedError("invalid-json", `the document is not valid JSON (${(err as Error).message})`);
  }
  const version = typeof doc?.version === "string" ? doc.version : "";
  if (!version.startsWith("https://jsonfeed.org/version/1") || !Array.isArray(doc.items))
    throw new FeedError(
      "not-a-feed",
      "the JSON document is not a JSON Feed (no jsonfeed.org version and items)",
    );
  const entries = (doc.items as Record<string, unknown>[]).map((it) =>
    entry(base, {
      title: it.title,
      url: (typeof it.url === "string" ? it.url : undefined) ?? (it.external_url as string | undefined),
      date: it.date_published ?? it.date_modified,
      summary: it.summary ?? it.content_text ?? it.content_html,
      author: it.authors ?? it.author ?? doc.authors ?? doc.author,
    }),
  );
  return {
    format: "json-feed",
    ...(typeof doc.title === "string" ? { title: doc.title } : {}),
    entries: compact(entries),
    sitemaps: [],
  };
}

/** Parses a fetched document; `baseUrl` (the URL it came from) resolves relative links. */
export function parseFeed(text: string, baseUrl: string, contentType?: string): ParsedFeed {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (/json/i.test(contentType ?? "") || head.startsWith("{")) return parseJsonFeed(head, baseUrl);
  if (/^(<!--[\s\S]*?-->\s*)*<!doctype html|^<html[\s>]/i.test(head))
    throw new FeedError("not-a-feed", "the document is an HTML page, not a feed or sitemap");
  if (!head.startsWith("<")) throw new FeedError("not-a-feed", "the document is neither XML nor JSON");
  // Entity declarations are how "billion laughs" documents expand; no real feed needs them.
  if (/<!ENTITY/i.test(head))
    throw new FeedError("entities", "the document declares XML entities, which are not accepted");
  const valid = XMLValidator.validate(head);
  if (valid !== true)
    throw new FeedError(
      "invalid-xml",
      `invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg.replace(/\s+/g, " ")}`,
    );
  const doc = parser.parse(head) as Record<string, Node>;

  const rss = field(doc, "rss");
  if (rss !== undefined) {
    const channel = field(rss, "channel");
    return {
      format: "rss",
      title: tidyText(textOf(field(channel, "title"))),
      entries: compact(
        arr(field(channel, "item")).map((it) =>
          entry(baseUrl, {
            title: field(it, "title"),
            url: rssLink(it),
            date: field(it, "pubDate", "date", "published", "updated"),
            summary: field(it, "description", "encoded", "summary"),
            author: field(it, "creator", "author"),
          }),
        ),
      ),
      sitemaps: [],
    };
  }
  const rdf = field(doc, "RDF");
  if (rdf !== undefined) {
    // RSS 1.0: items are siblings of the channel, dates and authors in Dublin Core.
    return {
      format: "rdf",
      title: tidyText(textOf(field(field(rdf, "channel"), "title"))),
      entries: compact(
        arr(field(rdf, "item")).map((it) =>
          entry(baseUrl, {
            title: field(it, "title"),
            url: rssLink(it) ?? (field(it, "@_about") as string | undefined),
            date: field(it, "date"),
            summary: field(it, "description", "encoded"),
            author: field(it, "creator"),
          }),
        ),
      ),
      sitemaps: [],
    };
  }
  const feed = field(doc, "feed");
  if (feed !== undefined) {
    return {
      format: "atom",
      title: tidyText(textOf(field(feed, "title"))),
      entries: compact(
        arr(field(feed, "entry")).map((e) =>
          entry(baseUrl, {
            title: field(e, "title"),
            url: atomLink(e),
            date: field(e, "published", "updated"),
            summary: atomTextAsHtml(field(e, "summary", "content")),
            author: field(e, "author") ?? field(feed, "author"),
          }),
        ),
      ),
      sitemaps: [],
    };
  }
  const urlset = field(doc, "urlset");
  if (urlset !== undefined) {
    return {
      format: "sitemap",
      entries: compact(
        arr(field(urlset, "url")).map((u) =>
          entry(baseUrl, {
            title: "",
            url: textOf(field(u, "loc")),
            date: field(u, "lastmod"),
            summary: "",
            author: undefined,
          }),
        ),
      ),
      sitemaps: [],
    };
  }
  const index = field(doc, "sitemapindex");
  if (index !== undefined) {
    const children = arr(field(index, "sitemap"))
      .map((s) => ({
        url: absoluteUrl(textOf(field(s, "loc")), baseUrl),
        at: Date.parse(textOf(field(s, "lastmod"))),
      }))
      .filter((s): s is { url: string; at: number } => !!s.url)
      .sort((a, b) => (Number.isFinite(b.at) ? b.at : 0) - (Number.isFinite(a.at) ? a.at : 0));
    return { format: "sitemap-index", entries: [], sitemaps: children.map((c) => c.url) };
  }
  const root = Object.keys(doc).find((k) => !k.startsWith("?") && !k.startsWith("#")) ?? "(none)";
  throw new FeedError(
    "not-a-feed",
    `the XML root element is <${root}>, not rss, rdf:RDF, feed, urlset or sitemapindex: not a feed`,
  );
}
