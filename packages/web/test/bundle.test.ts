import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWeb, WEB_DIR } from "../scripts/build.ts";
import { bundleReport } from "../scripts/bundle-report.ts";

/** The first visit's JavaScript stays under budget; charts and tables load with the pages that use them. */
describe("web bundle", () => {
  beforeAll(async () => {
    await buildWeb({ quiet: true });
  }, 240_000);

  it("keeps the initial JavaScript under 300 KB gzipped", () => {
    const r = bundleReport();
    console.log(`web bundle: initial JS ${(r.initialJsGzip / 1024).toFixed(1)} KB gzipped`);
    expect(r.chunks.some((c) => c.initial)).toBe(true);
    expect(r.initialJsGzip).toBeLessThan(300 * 1024);
  });

  it("leaves ECharts, the table engine and the pages out of the initial download", () => {
    const r = bundleReport();
    const initial = r.chunks
      .filter((c) => c.initial)
      .map((c) => readFileSync(join(WEB_DIR, "dist", c.file), "utf8"))
      .join("\n");
    expect(initial).not.toContain("registerPreprocessor"); // echarts/core
    expect(initial).not.toContain("getSortedRowModel"); // @tanstack/react-table
    expect(initial).not.toContain("Shadow prices"); // the run page
    expect(initial).toContain("Minified React error"); // React's production build, not its development one
    expect(r.chunks.filter((c) => !c.initial && c.file.endsWith(".js")).length).toBeGreaterThan(5);
  });

  it("keeps ECharts out of the scenario editor until its what-if tab opens", () => {
    const assets = readdirSync(join(WEB_DIR, "dist", "assets"));
    const editor = assets.find((f) => /^scenario-.*\.js$/.test(f));
    expect(editor).toBeDefined();
    const body = readFileSync(join(WEB_DIR, "dist", "assets", editor!), "utf8");
    // Static imports only: the lazy what-if panel may name the chart chunk in its preload list.
    const staticImports = [...body.matchAll(/from"\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(staticImports.length).toBeGreaterThan(0);
    expect(staticImports.some((f) => f.startsWith("echarts-"))).toBe(false);
    expect(assets.some((f) => /^echarts-.*\.js$/.test(f))).toBe(true);
  });

  it("ships every initial file precompressed, brotli smaller than gzip", () => {
    const r = bundleReport();
    // Files under 1 KB are left plain (scripts/compress.ts): the headers would outweigh the saving.
    const initial = r.chunks.filter((c) => c.initial && c.bytes >= 1024);
    expect(initial.length).toBeGreaterThan(1);
    for (const c of initial) {
      const path = join(WEB_DIR, "dist", c.file);
      expect(existsSync(`${path}.br`), c.file).toBe(true);
      expect(existsSync(`${path}.gz`), c.file).toBe(true);
      expect(readFileSync(`${path}.br`).length).toBeLessThan(readFileSync(`${path}.gz`).length);
    }
    expect(existsSync(join(WEB_DIR, "dist", "index.html.gz"))).toBe(true);
  });
});
