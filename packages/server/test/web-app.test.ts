import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { webAppRoutes } from "../src/http/web-app.ts";

/** The web app's files at `/`: assets, deep links answered with index.html, the API's 404s kept. */
const root = mkdtempSync(join(tmpdir(), "mw-web-"));
mkdirSync(join(root, "assets"));
writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
writeFileSync(join(root, "favicon.svg"), "<svg/>");

async function appWith(dir: string) {
  const app = Fastify();
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ title: "Not Found" }));
  await app.register(webAppRoutes, { root: dir });
  await app.ready();
  return app;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("web app routes", () => {
  it("serves index.html for / and for the app's own deep links, never cached", async () => {
    const app = await appWith(root);
    for (const url of ["/", "/projects/123", "/invitations/accept?token=mwi_x"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain("<title>app</title>");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
    await app.close();
  });

  it("serves hashed assets as immutable, other files as they are", async () => {
    const app = await appWith(root);
    const js = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe("console.log(1)");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.body).toBe("<svg/>");
    expect((await app.inject({ method: "GET", url: "/assets/missing.js" })).statusCode).toBe(404);
    await app.close();
  });

  it("leaves /api/ paths to the API's 404 and does not escape its folder", async () => {
    const app = await appWith(root);
    const api = await app.inject({ method: "GET", url: "/api/v1/nope" });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ title: "Not Found" });
    const outside = await app.inject({ method: "GET", url: "/..%2F..%2Fetc%2Fpasswd" });
    expect(outside.body).not.toContain("root:");
    await app.close();
  });

  it("registers nothing when the app is not built (an API-only deployment)", async () => {
    const empty = mkdtempSync(join(tmpdir(), "mw-web-empty-"));
    const app = await appWith(empty);
    expect((await app.inject({ method: "GET", url: "/" })).statusCode).toBe(404);
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  });
});
