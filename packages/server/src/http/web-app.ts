import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where `vite build` writes the web app (packages/web/dist). */
export const WEB_DIST_DIR = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/**
 * The web app (packages/web) at `/`: files from its build, and index.html for every other
 * path so the browser's router handles deep links (`/runs/…`, `/invitations/accept?token=…`).
 * The API keeps its own 404s. Without a build (an API-only image) nothing is registered.
 */
export async function webAppRoutes(app: FastifyInstance, opts: { root?: string } = {}) {
  const root = opts.root ?? WEB_DIST_DIR;
  if (!existsSync(`${root}/index.html`)) {
    app.log.info({ root }, "web app not built; serving the API only");
    return;
  }
  // Cache headers are set here, per kind of file, rather than by @fastify/static.
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false });
  app.get("/*", { config: { access: "public" }, schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split("?")[0]!;
    if (path.startsWith("/api/")) return reply.callNotFound(); // the API's own 404
    // Hashed assets never change; index.html must be revalidated so a deploy is picked up.
    if (path.startsWith("/assets/")) {
      return reply.header("cache-control", "public, max-age=31536000, immutable").sendFile(path.slice(1));
    }
    const file = path.slice(1);
    if (file && !file.includes("..") && !file.endsWith("/") && existsSync(`${root}/${file}`)) {
      return reply.header("cache-control", "no-cache").sendFile(file);
    }
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
