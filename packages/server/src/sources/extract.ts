import { createHash } from "node:crypto";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";

/**
 * Article text from an HTML page: Readability (Firefox's reader view) on a linkedom document —
 * no browser, no script execution, no subresource loads. Pages Readability cannot read (too
 * short, no article) fall back to the body's visible text. The text is data: whatever a page
 * says, it is returned as a string and nothing in it is interpreted.
 */
export interface ExtractedArticle {
  title: string;
  text: string;
  /** `<link rel=canonical>`, else `og:url`, made absolute; absent when the page names neither. */
  canonicalUrl?: string;
  byline?: string;
  excerpt?: string;
  lang?: string;
  /** `article:published_time` when the page states one (ISO 8601). */
  publishedAt?: string;
  /** sha256 of the normalised text: equal for the same article under two URLs. */
  contentHash: string;
}

/** The longest text kept per item (the engine's ContentItem.text limit). */
export const MAX_TEXT_CHARS = 50_000;

/** Whitespace collapsed, paragraphs kept as single newlines. */
export function tidyText(s: string): string {
  return s
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ *\n[\n ]*/g, "\n")
    .trim();
}

/** Text of an HTML fragment (feed summaries and content), tags and entities resolved. */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return tidyText(html);
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  for (const el of document.querySelectorAll("script, style, noscript, template")) el.remove();
  for (const el of document.querySelectorAll("p, div, br, li, h1, h2, h3, h4, h5, h6, blockquote, tr"))
    el.after("\n");
  return tidyText(document.body?.textContent ?? "");
}

/**
 * The text identity used for de-duplication: Unicode NFKC, lower case, every run of whitespace
 * and punctuation one space. Two copies of an article that differ in markup, line breaks or
 * curly quotes hash the same.
 */
export function contentHash(text: string): string {
  const normalised = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, " ")
    .trim();
  return createHash("sha256").update(normalised).digest("hex");
}

function absolute(href: string | null | undefined, base: string): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function extractArticle(html: string, pageUrl: string): ExtractedArticle {
  const { document } = parseHTML(html);
  const meta = (sel: string) => document.querySelector(sel)?.getAttribute("content")?.trim() || undefined;
  const canonical =
    absolute(document.querySelector('link[rel~="canonical" i]')?.getAttribute("href"), pageUrl) ??
    absolute(meta('meta[property="og:url"]'), pageUrl);
  const publishedRaw = meta('meta[property="article:published_time"]') ?? meta('meta[name="date"]');
  const publishedMs = publishedRaw ? Date.parse(publishedRaw) : Number.NaN;
  const docTitle = tidyText(document.querySelector("title")?.textContent ?? "");
  const lang = document.documentElement?.getAttribute("lang") ?? undefined;

  // Readability changes the document it reads, so it gets its own copy.
  const article = new Readability(parseHTML(html).document as unknown as Document, {
    charThreshold: 200,
  }).parse();
  let text = article?.textContent ? tidyText(article.textContent) : "";
  if (!text) {
    for (const el of document.querySelectorAll("script, style, noscript, template, nav, header, footer"))
      el.remove();
    text = htmlToText(document.body?.innerHTML ?? "");
  }
  text = text.slice(0, MAX_TEXT_CHARS);
  const title = tidyText(article?.title ?? "") || docTitle || meta('meta[property="og:title"]') || "";
  return {
    title: title.slice(0, 500),
    text,
    ...(canonical ? { canonicalUrl: canonical } : {}),
    ...(article?.byline ? { byline: tidyText(article.byline) } : {}),
    ...(article?.excerpt ? { excerpt: tidyText(article.excerpt) } : {}),
    ...(lang ? { lang } : {}),
    ...(Number.isFinite(publishedMs) ? { publishedAt: new Date(publishedMs).toISOString() } : {}),
    contentHash: contentHash(text),
  };
}
