import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompress } from "../../web/scripts/compress.ts";
import { acceptedEncodings } from "../src/http/encoding.ts";
import { webAppRoutes } from "../src/http/web-app.ts";

/** The web app's build goes out precompressed: brotli or gzip as the client accepts, else plain. */
const root = mkdtempSync(join(tmpdir(), "mw-web-enc-"));
const js = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(",")}];\n`;
const html = `<!doctype html><title>app</title><p>${"welcome ".repeat(300)}</p>`;
let app: Awaited<ReturnType<typeof Fastify>>;

beforeAll(async () => {
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), html);
  writeFileSync(join(root, "assets", "index-abc123.js"), js);
  writeFileSync(join(root, "assets", "tiny-1.js"), "1");
  const totals = precompress(root);
  expect(totals.files).toBe(2); // the tiny file is not worth compressing
  app = Fastify();
  await app.register(webAppRoutes, { root });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string) =>
  app.inject({ method: "GET", url, headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} });

describe("precompressed web app", () => {
  it("sends brotli when accepted, with the original type, Vary and a smaller body", async () => {
    const res = await get("/assets/index-abc123.js", "gzip, deflate, br");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.rawPayload.length).toBeLessThan(js.length / 4);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(js);
  });

  it("sends gzip to a client without brotli, and for index.html at a deep link", async () => {
    const res = await get("/assets/index-abc123.js", "gzip");
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(res.rawPayload).toString()).toBe(js);
    const page = await get("/projects/42", "gzip;q=1, br;q=0");
    expect(page.headers["content-encoding"]).toBe("gzip");
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(gunzipSync(page.rawPayload).toString()).toBe(html);
  });

  it("sends the plain file, still with Vary, when no coding is acceptable", async () => {
    for (const header of [undefined, "identity", "br;q=0, gzip;q=0", "deflate"]) {
      const res = await get("/assets/index-abc123.js", header);
      expect(res.headers["content-encoding"], String(header)).toBeUndefined();
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(res.body).toBe(js);
    }
    // A file with no compressed copy is sent as it is, without Vary.
    const tiny = await get("/assets/tiny-1.js", "br");
    expect(tiny.headers["content-encoding"]).toBeUndefined();
    expect(tiny.headers.vary).toBeUndefined();
    expect(tiny.body).toBe("1");
  });

  it("reads Accept-Encoding weights", () => {
    expect(acceptedEncodings("gzip, br")).toEqual(["br", "gzip"]);
    expect(acceptedEncodings("br;q=0.5, gzip")).toEqual(["gzip", "br"]);
    expect(acceptedEncodings("*")).toEqual(["br", "gzip"]);
    expect(acceptedEncodings("*;q=0.1, br;q=0")).toEqual(["gzip"]);
    expect(acceptedEncodings("x-gzip")).toEqual(["gzip"]);
    expect(acceptedEncodings("")).toEqual([]);
  });
});
