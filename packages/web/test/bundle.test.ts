import { readFileSync } from "node:fs";
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
});
