import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./spawn.ts";

/**
 * The API loads the document renderers on first use, not at start: ExcelJS, PDFKit, docx,
 * ECharts and resvg were a third of its module graph (~1,300 of ~3,600 modules) and ~1 s of every
 * start — of the server, and of each test file that builds an app. Exports run on their own
 * threads (exports/thread.ts), dashboards render through a dynamic import
 * (conversations/export.ts), XLSX uploads import ExcelJS when one arrives (files/xlsx.ts).
 */

const RENDERERS = ["exceljs", "pdfkit", "docx", "echarts", "zrender", "@resvg/resvg-js", "svg-to-pdfkit"];

/** Every package a fresh process loads when it imports the app (ES modules and CommonJS). */
function packagesLoadedByTheApp(): Set<string> {
  const hooks = `export async function load(url, context, next) { process.stderr.write("LOADED " + url + "\\n"); return next(url, context); }`;
  const script = `
    import { createRequire, register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
    await import("./packages/server/src/app.ts");
    for (const f of Object.keys(createRequire(process.cwd() + "/").cache)) process.stderr.write("LOADED " + f + "\\n");
  `;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(res.status, res.stderr.slice(-2000)).toBe(0);
  const names = new Set<string>();
  for (const m of res.stderr.matchAll(/^LOADED .*node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) names.add(m[1]!);
  return names;
}

describe("the API's module graph", () => {
  it("holds the server's own libraries and none of the document renderers", () => {
    const loaded = packagesLoadedByTheApp();
    // The hooks saw the graph: an ES module package and a CommonJS one the API cannot do without.
    expect(loaded).toContain("drizzle-orm");
    expect(loaded).toContain("fastify");
    expect(RENDERERS.filter((p) => loaded.has(p))).toEqual([]);
  });
});
