import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writePowerBiProject } from "../../src/powerbi/index.ts";
import { EXAMPLE_DATA, EXAMPLE_SPEC } from "./example.ts";
import { listFiles } from "./json-schemas.ts";

/**
 * The example spec's whole project, committed under test/fixtures/golden-project and reviewed by
 * hand. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run packages/engines/dashboard-planner/test/powerbi/golden.test.ts
 * and review the diff.
 */
const GOLDEN_DIR = fileURLToPath(new URL("../fixtures/golden-project", import.meta.url));

const files = writePowerBiProject(EXAMPLE_SPEC, EXAMPLE_DATA);

if (process.env.UPDATE_GOLDEN === "1") {
  rmSync(GOLDEN_DIR, { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(GOLDEN_DIR, path)), { recursive: true });
    writeFileSync(join(GOLDEN_DIR, path), content);
  }
}

describe("golden project", () => {
  it("has exactly the golden files", () => {
    const golden = listFiles(GOLDEN_DIR).map((f) => relative(GOLDEN_DIR, f).split(sep).join("/"));
    expect([...files.keys()]).toEqual(golden.sort());
  });

  it.each([...files.keys()])("%s matches its golden copy byte for byte", (path) => {
    const content = files.get(path)!;
    const golden = readFileSync(join(GOLDEN_DIR, path));
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    if (typeof content === "string") expect(content).toBe(golden.toString("utf8"));
    expect(bytes.equals(golden)).toBe(true);
  });
});
