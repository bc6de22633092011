import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildWeb, WEB_DIR } from "./build.ts";

/**
 * Bundle sizes of the built app: the JavaScript a first visit downloads (the entry script and the
 * chunks index.html preloads) and every lazily loaded chunk, raw and gzipped (level 9, as a
 * server or CDN would send them). `npm run web:bundle-report`; the bundle test holds the budget.
 */
export interface Chunk {
  file: string;
  bytes: number;
  gzipBytes: number;
  initial: boolean;
}

export function bundleReport(dist = join(WEB_DIR, "dist")) {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const initialFiles = new Set(
    [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!),
  );
  const chunks: Chunk[] = readdirSync(join(dist, "assets"))
    .filter((f) => f.endsWith(".js") || f.endsWith(".css"))
    .map((f) => {
      const body = readFileSync(join(dist, "assets", f));
      return {
        file: `assets/${f}`,
        bytes: body.length,
        gzipBytes: gzipSync(body, { level: 9 }).length,
        initial: initialFiles.has(`assets/${f}`),
      };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  const js = chunks.filter((c) => c.file.endsWith(".js"));
  const initialJsGzip = js.filter((c) => c.initial).reduce((s, c) => s + c.gzipBytes, 0);
  const initialCss = chunks.filter((c) => c.file.endsWith(".css") && c.initial);
  return {
    chunks,
    initialJsGzip,
    initialJsBytes: js.filter((c) => c.initial).reduce((s, c) => s + c.bytes, 0),
    initialCssGzip: initialCss.reduce((s, c) => s + c.gzipBytes, 0),
    lazyJsGzip: js.filter((c) => !c.initial).reduce((s, c) => s + c.gzipBytes, 0),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
  const r = bundleReport();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`initial JS: ${kb(r.initialJsBytes)} raw, ${kb(r.initialJsGzip)} gzipped (budget 300 KB)`);
  console.log(`initial CSS: ${kb(r.initialCssGzip)} gzipped; lazy JS total: ${kb(r.lazyJsGzip)} gzipped\n`);
  for (const c of r.chunks) {
    console.log(
      `${c.initial ? "initial" : "lazy   "}  ${kb(c.gzipBytes).padStart(9)} gz  ${kb(c.bytes).padStart(9)}  ${c.file}`,
    );
  }
}
