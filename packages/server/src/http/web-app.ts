import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { acceptedEncodings, ENCODING_EXTENSION } from "./encoding.ts";

/** Where `vite build` writes the web app (packages/web/dist). */
export const WEB_DIST_DIR = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/**
 * The web app (packages/web) at `/`: files from its build, and index.html for every other
 * path so the browser's router handles deep links (`/runs/…`, `/invitations/accept?token=…`).
 * The API keeps its own 404s. Without a build (an API-only image) nothing is registered.
 * Text files the build precompressed (`<file>.br`, `<file>.gz`) go out in the best coding the
 * client accepts, with `Vary: Accept-Encoding` so caches keep one copy per coding.
 */
export async function webAppRoutes(app: FastifyInstance, opts: { root?: string } = {}) {
  const root = opts.root ?? WEB_DIST_DIR;
  if (!existsSync(`${root}/index.html`)) {
    app.log.info({ root }, "web app not built; serving the API only");
    return;
  }
  // Cache headers are set here, per kind of file, rather than by @fastify/static.
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false });
  const send = (req: FastifyRequest, reply: FastifyReply, file: string) => {
    const siblings = Object.values(ENCODING_EXTENSION).map((ext) => `${root}/${file}${ext}`);
    if (file.includes("..") || !siblings.some((s) => existsSync(s))) return reply.sendFile(file);
    reply.header("vary", "accept-encoding");
    for (const encoding of acceptedEncodings(req.headers["accept-encoding"])) {
      const sibling = `${file}${ENCODING_EXTENSION[encoding]}`;
      if (!existsSync(`${root}/${sibling}`)) continue;
      // The type is the original file's, not the sibling's (.br/.gz).
      return reply
        .header("content-encoding", encoding)
        .type(MIME[extname(file)] ?? "application/octet-stream")
        .sendFile(sibling, { contentType: false });
    }
    return reply.sendFile(file);
  };
  app.get("/*", { config: { access: "public" }, schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split("?")[0]!;
    if (path.startsWith("/api/")) return reply.callNotFound(); // the API's own 404
    // Hashed assets never change; index.html must be revalidated so a deploy is picked up.
    if (path.startsWith("/assets/")) {
      reply.header("cache-control", "public, max-age=31536000, immutable");
      return send(req, reply, path.slice(1));
    }
    const file = path.slice(1);
    if (file && !file.includes("..") && !file.endsWith("/") && existsSync(`${root}/${file}`)) {
      reply.header("cache-control", "no-cache");
      return send(req, reply, file);
    }
    reply.header("cache-control", "no-cache");
    return send(req, reply, "index.html");
  });
}

/** Types of the files the build precompresses (packages/web/scripts/compress.ts). */
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};
