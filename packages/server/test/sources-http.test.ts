import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockedAddressReason } from "../src/sources/address-guard.ts";
import { decodeBody } from "../src/sources/charset.ts";
import { createHttpClient, FetchError, type HttpClientOptions } from "../src/sources/http.ts";
import { huge, resolveToLoopback, type SiteServer, send, startSiteServer } from "./sources-server.ts";

/** The client for untrusted URLs against a local server: bounds, SSRF guard, validators, charsets. */
let site: SiteServer;
beforeAll(async () => {
  site = await startSiteServer();
});
afterAll(() => site?.close());

const client = (o: HttpClientOptions = {}) =>
  createHttpClient({
    allowAddresses: ["127.0.0.1"],
    resolve: resolveToLoopback,
    totalTimeoutMs: 3_000,
    ...o,
  });

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error("expected the fetch to fail");
}

describe("address guard (SSRF)", () => {
  it("refuses loopback, private, link-local, CGNAT, mapped and unique-local addresses", () => {
    const none = new Set<string>();
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
    ])
      expect(blockedAddressReason(a, none), a).toMatch(/private, loopback/);
    for (const a of ["::1", "::ffff:127.0.0.1", "fe80::1", "fd00::1", "::"])
      expect(blockedAddressReason(a, none), a).not.toBeNull();
    for (const a of ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
      expect(blockedAddressReason(a, none), a).toBeNull();
    expect(blockedAddressReason("127.0.0.1", new Set(["127.0.0.1"]))).toBeNull();
  });

  it("without the allow-list a request to 127.0.0.1 never leaves, by IP or by a name resolving to it", async () => {
    site.route("/guarded", send("secret"));
    const strict = createHttpClient({ resolve: resolveToLoopback });
    const before = site.requests("/guarded").length;
    expect((await failure(strict.fetch({ url: site.url("/guarded") }))).code).toBe("blocked-address");
    expect((await failure(strict.fetch({ url: site.url("/guarded", "innocent.test") }))).message).toMatch(
      /innocent\.test resolves to 127\.0\.0\.1/,
    );
    expect((await failure(strict.fetch({ url: "http://private.example/" }))).code).toBe("blocked-address");
    expect((await failure(strict.fetch({ url: "http://metadata.example/latest/meta-data" }))).code).toBe(
      "blocked-address",
    );
    expect((await failure(strict.fetch({ url: "http://[::1]:9/" }))).code).toBe("blocked-address");
    expect(site.requests("/guarded").length - before).toBe(0);
  });

  it("only http and https", async () => {
    expect((await failure(client().fetch({ url: "file:///etc/passwd" }))).code).toBe("unsupported-scheme");
    expect((await failure(client().fetch({ url: "not a url" }))).code).toBe("invalid-url");
  });
});

describe("redirects", () => {
  it("follows up to 5, records the chain, re-checks every hop", async () => {
    site.route("/moved", send("", { location: "/hop1" }, 301));
    site.route("/hop1", send("", { location: "/final" }, 302));
    site.route("/final", send("here", { "content-type": "text/plain" }));
    const res = await client().fetch({ url: site.url("/moved") });
    expect(res.status).toBe(200);
    expect(res.url).toBe(site.url("/final"));
    expect(res.redirects).toEqual([site.url("/moved"), site.url("/hop1")]);
    expect(res.body.toString()).toBe("here");
  });

  it("stops a loop at the first repeated URL", async () => {
    site.route("/loop/a", send("", { location: "/loop/b" }, 302));
    site.route("/loop/b", send("", { location: "/loop/a" }, 302));
    const err = await failure(client().fetch({ url: site.url("/loop/a") }));
    expect(err.code).toBe("redirect-loop");
    expect(site.requests("/loop/a")).toHaveLength(1);
    expect(site.requests("/loop/b")).toHaveLength(1);
  });

  it("gives up after 5 redirects (6 requests)", async () => {
    for (let i = 0; i < 10; i++) site.route(`/chain/${i}`, send("", { location: `/chain/${i + 1}` }, 307));
    const err = await failure(client().fetch({ url: site.url("/chain/0") }));
    expect(err.code).toBe("too-many-redirects");
    const hits = site.log.filter((l) => l.path.startsWith("/chain/")).length;
    expect(hits).toBe(6);
  });

  it("refuses a redirect to another scheme or to a private address", async () => {
    site.route("/to-file", send("", { location: "file:///etc/passwd" }, 302));
    expect((await failure(client().fetch({ url: site.url("/to-file") }))).code).toBe("bad-redirect");
    site.route("/to-metadata", send("", { location: "http://metadata.example/x" }, 302));
    expect((await failure(client().fetch({ url: site.url("/to-metadata") }))).code).toBe("blocked-address");
  });
});

describe("bounds", () => {
  it("a slow answer fails at the total timeout", async () => {
    site.route("/slow", (_req, res) => {
      const t = setTimeout(() => res.writeHead(200).end("late"), 2_000);
      res.on("close", () => clearTimeout(t));
    });
    const t0 = performance.now();
    const err = await failure(client({ totalTimeoutMs: 300 }).fetch({ url: site.url("/slow") }));
    const elapsedMs = performance.now() - t0;
    expect(err.code).toBe("timeout");
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(1_500);
  });

  it("a DNS lookup that hangs fails at the total timeout", async () => {
    const hanging = createHttpClient({ totalTimeoutMs: 200, resolve: () => new Promise(() => {}) });
    const t0 = performance.now();
    expect((await failure(hanging.fetch({ url: "http://hangs.example/" }))).code).toBe("timeout");
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("a body that trickles fails at the total timeout too", async () => {
    site.route("/trickle", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const iv = setInterval(() => res.write("x"), 50);
      res.on("close", () => clearInterval(iv));
    });
    const err = await failure(client({ totalTimeoutMs: 400 }).fetch({ url: site.url("/trickle") }));
    expect(err.code).toBe("timeout");
  });

  it("a huge page: reading stops at the cap, the rest is never transferred", async () => {
    const capBytes = 1024 * 1024;
    const totalBytes = 64 * 1024 * 1024;
    site.route("/huge", huge("/huge", totalBytes, site.bytesWritten));
    const err = await failure(client({ maxBytes: capBytes }).fetch({ url: site.url("/huge") }));
    expect(err.code).toBe("too-large");
    expect(err.bytesRead).toBeLessThanOrEqual(capBytes);
    expect(err.bytesRead).toBeGreaterThan(capBytes - 64 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    // Socket buffers let a few MB more leave the server, never the whole 64 MB.
    expect(site.bytesWritten.get("/huge")!).toBeLessThan(totalBytes / 4);
  });

  it("a declared Content-Length over the cap is refused before reading", async () => {
    site.route("/declared", (_req, res) => {
      res.writeHead(200, { "content-length": String(10 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    const err = await failure(client({ maxBytes: 1024 * 1024 }).fetch({ url: site.url("/declared") }));
    expect(err.code).toBe("too-large");
    expect(err.bytesRead).toBe(0);
  });

  it("a gzip bomb is capped on the decompressed size", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    site.route("/bomb", send(bomb, { "content-encoding": "gzip", "content-type": "text/html" }));
    const err = await failure(client({ maxBytes: 2 * 1024 * 1024 }).fetch({ url: site.url("/bomb") }));
    expect(err.code).toBe("too-large");
    expect(err.bytesRead).toBeLessThanOrEqual(2 * 1024 * 1024);
    site.route("/gz", send(gzipSync("compressed text"), { "content-encoding": "gzip" }));
    expect((await client().fetch({ url: site.url("/gz") })).body.toString()).toBe("compressed text");
  });

  it("an unreachable port is a clear error", async () => {
    const err = await failure(client().fetch({ url: "http://127.0.0.1:1/" }));
    expect(err.code).toBe("unreachable");
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe("conditional GET and identity", () => {
  it("sends the stored validators back and handles 304", async () => {
    const etag = '"v1"';
    const lastModified = "Wed, 02 Dec 2026 10:00:00 GMT";
    site.route("/cond.xml", (req, res) => {
      if (req.headers["if-none-match"] === etag) res.writeHead(304, { etag }).end();
      else
        res
          .writeHead(200, { etag, "last-modified": lastModified, "content-type": "application/rss+xml" })
          .end("<rss/>");
    });
    const c = client();
    const first = await c.fetch({ url: site.url("/cond.xml") });
    expect(first.status).toBe(200);
    expect(first.validators).toEqual({ etag, lastModified });
    const second = await c.fetch({ url: site.url("/cond.xml"), validators: first.validators });
    expect(second.notModified).toBe(true);
    expect(second.body.length).toBe(0);
    // The 304 carried no Last-Modified: the stored one stays valid.
    expect(second.validators).toEqual({ etag, lastModified });
    const sent = site.requests("/cond.xml")[1]!.headers;
    expect(sent["if-none-match"]).toBe(etag);
    expect(sent["if-modified-since"]).toBe(lastModified);
  });

  it("names Modelworks with a contact URL in User-Agent", async () => {
    site.route("/ua", send("ok"));
    await client().fetch({ url: site.url("/ua") });
    expect(site.requests("/ua")[0]!.headers["user-agent"]).toMatch(
      /^ModelworksBot\/[\d.]+ \(\+https:\/\/\S+/,
    );
  });
});

describe("charsets", () => {
  const latin1 = (s: string) => Buffer.from(s, "latin1");

  it("decodes by BOM, header, XML declaration, meta, then UTF-8 or Windows-1252", () => {
    expect(decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("café")]))).toMatchObject({
      text: "café",
      from: "bom",
    });
    expect(decodeBody(latin1("café naïve"), "text/html; charset=ISO-8859-1")).toMatchObject({
      text: "café naïve",
      encoding: "windows-1252",
      from: "header",
    });
    expect(decodeBody(latin1('<?xml version="1.0" encoding="ISO-8859-1"?><rss>Zürich</rss>')).text).toContain(
      "Zürich",
    );
    const meta = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1252"></head><body>'),
      Buffer.from([0x93, 0x71, 0x94, 0x20, 0x80]),
    ]);
    expect(decodeBody(meta).text).toContain("“q” €");
    expect(decodeBody(Buffer.from("naïve ✓")).from).toBe("utf-8-valid");
    expect(decodeBody(latin1("déjà vu"))).toMatchObject({ text: "déjà vu", from: "fallback" });
  });

  it("a Latin-1 page over HTTP arrives without mojibake", async () => {
    site.route(
      "/latin1",
      send(latin1("<p>Crème brûlée à Genève</p>"), { "content-type": "text/html; charset=latin1" }),
    );
    const text = (await client().fetch({ url: site.url("/latin1") })).decode().text;
    expect(text).toBe("<p>Crème brûlée à Genève</p>");
    expect(text).not.toMatch(/Ã|\uFFFD/);
  });
});
