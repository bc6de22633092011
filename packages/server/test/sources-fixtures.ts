/** Feeds shared by the source-fetcher tests (parsed in sources-feeds, served in sources-fetch). */
export const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Stratechery</title>
    <link>https://stratechery.com</link>
    <atom:link href="https://stratechery.com/feed/" rel="self" type="application/rss+xml"/>
    <item>
      <title>Aggregation &amp; AI</title>
      <link>/2026/aggregation-ai/</link>
      <pubDate>Tue, 01 Dec 2026 13:30:00 +0000</pubDate>
      <dc:creator><![CDATA[Ben Thompson]]></dc:creator>
      <description><![CDATA[<p>Aggregators <b>win</b> when supply is abundant.</p><p>Second &eacute; paragraph.</p>]]></description>
    </item>
    <item>
      <title>No date here</title>
      <guid isPermaLink="true">https://stratechery.com/2026/no-date/</guid>
      <description>Plain text summary</description>
    </item>
    <item><title>No link: cannot be cited</title><description>dropped</description></item>
  </channel>
</rss>`;

export const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Product Notes</title>
  <author><name>Lenny</name></author>
  <entry>
    <title type="html">Pricing &lt;em&gt;power&lt;/em&gt;</title>
    <link rel="self" href="https://notes.example/entries/1.atom"/>
    <link rel="alternate" href="https://notes.example/2026/pricing"/>
    <updated>2026-12-02T10:00:00Z</updated>
    <published>2026-12-01T10:00:00Z</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Raise prices <strong>carefully</strong>.</p></div></content>
  </entry>
  <entry>
    <title>Relative</title>
    <link href="/2026/relative"/>
    <updated>2026-12-03T10:00:00Z</updated>
    <summary>Short</summary>
    <author><name>Guest</name></author>
  </entry>
</feed>`;

export const JSON_FEED = JSON.stringify({
  version: "https://jsonfeed.org/version/1.1",
  title: "JSON Notes",
  authors: [{ name: "Feed Author" }],
  items: [
    {
      id: "1",
      url: "https://json.example/a",
      title: "A",
      content_html: "<p>Hello <i>JSON</i></p>",
      date_published: "2026-12-04T08:00:00Z",
      authors: [{ name: "Ana" }, { name: "Bo" }],
    },
    { id: "2", external_url: "https://elsewhere.example/b", content_text: "B text", summary: "B summary" },
    { id: "3", title: "no url" },
  ],
});
