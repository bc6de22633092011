import { describe, expect, it } from "vitest";
import { contentHash, extractArticle, htmlToText } from "../src/sources/extract.ts";
import { FeedError, parseFeed } from "../src/sources/feeds.ts";
import { ATOM, JSON_FEED, RSS2 } from "./sources-fixtures.ts";

/** Each feed format mapped onto one entry shape; documents that are not feeds say what they are. */
const BASE = "https://example.com/feed";

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://slashdot.example/"><title>RDF site</title></channel>
  <item rdf:about="https://slashdot.example/story/1">
    <title>First story</title>
    <link>https://slashdot.example/story/1</link>
    <description>About RDF</description>
    <dc:date>2026-11-30T09:00:00+01:00</dc:date>
    <dc:creator>editor</dc:creator>
  </item>
  <item rdf:about="https://slashdot.example/story/2"><title>Second</title></item>
</rdf:RDF>`;

describe("feed formats", () => {
  it("RSS 2.0: CDATA HTML to text, relative links resolved, guid permalinks, dates, creator", () => {
    const f = parseFeed(RSS2, "https://stratechery.com/feed/");
    expect(f.format).toBe("rss");
    expect(f.title).toBe("Stratechery");
    expect(f.entries).toHaveLength(2);
    expect(f.entries[0]).toEqual({
      title: "Aggregation & AI",
      url: "https://stratechery.com/2026/aggregation-ai/",
      publishedAt: "2026-12-01T13:30:00.000Z",
      summary: "Aggregators win when supply is abundant.\nSecond é paragraph.",
      author: "Ben Thompson",
    });
    expect(f.entries[1]).toEqual({
      title: "No date here",
      url: "https://stratechery.com/2026/no-date/",
      summary: "Plain text summary",
    });
  });

  it("RSS 1.0 (RDF): items beside the channel, Dublin Core date and creator, rdf:about as link", () => {
    const f = parseFeed(RDF, BASE);
    expect(f.format).toBe("rdf");
    expect(f.title).toBe("RDF site");
    expect(f.entries.map((e) => e.url)).toEqual([
      "https://slashdot.example/story/1",
      "https://slashdot.example/story/2",
    ]);
    expect(f.entries[0]).toMatchObject({
      publishedAt: "2026-11-30T08:00:00.000Z",
      author: "editor",
      summary: "About RDF",
    });
  });

  it("Atom 1.0: alternate link, published over updated, xhtml content, feed author as fallback", () => {
    const f = parseFeed(ATOM, "https://notes.example/atom.xml");
    expect(f.format).toBe("atom");
    expect(f.entries[0]).toEqual({
      title: "Pricing power",
      url: "https://notes.example/2026/pricing",
      publishedAt: "2026-12-01T10:00:00.000Z",
      summary: "Raise prices carefully.",
      author: "Lenny",
    });
    expect(f.entries[1]).toMatchObject({
      url: "https://notes.example/2026/relative",
      author: "Guest",
      summary: "Short",
    });
  });

  it("Atom html and text constructs are unescaped once, CDATA kept literal", () => {
    const doc = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://a.example/1"/><title>t</title>
      <summary type="html">&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;<![CDATA[<p>5 < 6</p>]]></summary></entry>
      <entry><link href="https://a.example/2"/><title>u</title><summary>a &lt;b&gt; is not bold</summary></entry></feed>`;
    const f = parseFeed(doc, BASE);
    expect(f.entries.map((e) => e.summary)).toEqual(["Tom & Jerry\n5 < 6", "a <b> is not bold"]);
  });

  it("JSON Feed 1.1: url or external_url, authors, summary before content", () => {
    const f = parseFeed(JSON_FEED, "https://json.example/feed.json", "application/feed+json");
    expect(f.format).toBe("json-feed");
    expect(f.entries).toEqual([
      {
        title: "A",
        url: "https://json.example/a",
        publishedAt: "2026-12-04T08:00:00.000Z",
        summary: "Hello JSON",
        author: "Ana, Bo",
      },
      { title: "", url: "https://elsewhere.example/b", summary: "B summary", author: "Feed Author" },
    ]);
  });

  it("sitemaps: urlset entries with lastmod, an index's children newest first", () => {
    const urlset = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>https://site.example/a</loc><lastmod>2026-12-01</lastmod></url>
        <url><loc>https://site.example/b</loc></url>
      </urlset>`;
    const s = parseFeed(urlset, BASE);
    expect(s.format).toBe("sitemap");
    expect(s.entries).toEqual([
      { title: "", url: "https://site.example/a", publishedAt: "2026-12-01T00:00:00.000Z", summary: "" },
      { title: "", url: "https://site.example/b", summary: "" },
    ]);
    const index = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>https://site.example/old.xml</loc><lastmod>2025-01-01</lastmod></sitemap>
        <sitemap><loc>/new.xml</loc><lastmod>2026-12-01</lastmod></sitemap>
      </sitemapindex>`;
    expect(parseFeed(index, "https://site.example/sitemap.xml")).toEqual({
      format: "sitemap-index",
      entries: [],
      sitemaps: ["https://site.example/new.xml", "https://site.example/old.xml"],
    });
  });
});

describe("documents that are not feeds", () => {
  const fail = (text: string, contentType?: string): FeedError => {
    try {
      parseFeed(text, BASE, contentType);
    } catch (err) {
      expect(err).toBeInstanceOf(FeedError);
      return err as FeedError;
    }
    throw new Error("expected a FeedError");
  };

  it("invalid XML names the line and what is wrong", () => {
    const e = fail('<?xml version="1.0"?>\n<rss>\n<channel><item><title>open</item></channel></rss>');
    expect(e.code).toBe("invalid-xml");
    expect(e.message).toMatch(/^invalid XML at line 3, column \d+: .*title/);
  });

  it("an HTML page, an unknown root, plain text, JSON that is not a JSON Feed, entity declarations", () => {
    expect(fail("<!DOCTYPE html><html><body>hi</body></html>").message).toBe(
      "the document is an HTML page, not a feed or sitemap",
    );
    expect(fail("<note><to>x</to></note>").message).toMatch(/root element is <note>, not rss/);
    expect(fail("just words").code).toBe("not-a-feed");
    expect(fail('{"items": []}', "application/json").message).toMatch(/not a JSON Feed/);
    expect(fail("{not json").code).toBe("invalid-json");
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss>&lol2;</rss>`;
    expect(fail(lol).code).toBe("entities");
  });
});

describe("article extraction", () => {
  const article = (
    body: string,
    head = "",
  ) => `<!doctype html><html lang="en"><head><title>Site | Title</title>${head}</head>
    <body><nav>Home · About · Subscribe</nav><article><h1>The real title</h1>${body}</article>
    <footer>© footer links</footer></body></html>`;
  const para = "Fintech companies face new rules on model risk management this year. ".repeat(6);

  it("Readability keeps the article and drops navigation; canonical link made absolute", () => {
    const a = extractArticle(
      article(
        `<p>${para}</p><p>Second paragraph with 42% growth.</p>`,
        '<link rel="canonical" href="/posts/real">',
      ),
      "https://blog.example/posts/real?utm_source=x",
    );
    expect(a.canonicalUrl).toBe("https://blog.example/posts/real");
    expect(a.text).toContain("42% growth");
    expect(a.text).not.toContain("Subscribe");
    expect(a.text).not.toContain("footer links");
    expect(a.lang).toBe("en");
    expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("og:url when there is no canonical link; a short page falls back to its body text", () => {
    const a = extractArticle(
      '<html><head><meta property="og:url" content="https://x.example/a"><title>T</title></head><body><p>Tiny.</p></body></html>',
      "https://x.example/a?ref=feed",
    );
    expect(a.canonicalUrl).toBe("https://x.example/a");
    expect(a.text).toBe("Tiny.");
    expect(a.title).toBe("T");
  });

  it("the same text under different markup hashes the same; different text does not", () => {
    const one = htmlToText("<p>Rates rose 25 bps.</p><p>“Banks” adjust.</p>");
    const two = htmlToText('<div>Rates   rose 25 bps.<br>"Banks" adjust.</div>');
    expect(contentHash(one)).toBe(contentHash(two));
    expect(contentHash(one)).not.toBe(contentHash("Rates rose 50 bps. Banks adjust."));
  });
});
