import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The web app talks to the server only through the API: it may import the API's shapes
 * (`@modelworks/contracts`), the model contract (`@modelworks/model-kit`) and the pure chart
 * options of dashboards (`@modelworks/dashboard-charts`, no imports of its own), never server code
 * (decision 0012: server modules imported that way ended up in the browser bundle).
 */
const WEB = resolve(import.meta.dirname, "..");
const SRC = join(WEB, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const IMPORT_RE = /(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(IMPORT_RE)].map((m) => (m[1] ?? m[2]) as string);
}

/** Why a specifier is not allowed from the web app, or null when it is. */
export function forbiddenImport(fromFile: string, specifier: string): string | null {
  if (specifier.startsWith("@modelworks/")) {
    const pkg = specifier.split("/").slice(0, 2).join("/");
    return pkg === "@modelworks/contracts" ||
      pkg === "@modelworks/model-kit" ||
      pkg === "@modelworks/dashboard-charts"
      ? null
      : `${pkg} is not a web dependency`;
  }
  if (specifier.startsWith(".")) {
    const target = resolve(fromFile, "..", specifier);
    return target.startsWith(`${WEB}/`) ? null : `${relative(WEB, target)} is outside packages/web`;
  }
  return null;
}

describe("the web app's imports", () => {
  it("reach only contracts, model-kit, dashboard-charts and packages/web itself", () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const bad = files.flatMap((file) =>
      importsOf(file).flatMap((spec) => {
        const why = forbiddenImport(file, spec);
        return why ? [`${relative(WEB, file)}: ${spec} (${why})`] : [];
      }),
    );
    expect(bad).toEqual([]);
  });

  it("the rule bites: a server import and a relative escape are refused", () => {
    const file = join(SRC, "api.ts");
    expect(forbiddenImport(file, "@modelworks/server/contracts")).toMatch(/not a web dependency/);
    expect(forbiddenImport(file, "../../server/src/app.ts")).toMatch(/outside packages\/web/);
    expect(forbiddenImport(file, "@modelworks/contracts/runs")).toBeNull();
    expect(forbiddenImport(file, "@modelworks/dashboard-charts")).toBeNull();
    expect(forbiddenImport(file, "@modelworks/engine-dashboard-planner")).toMatch(/not a web dependency/);
    expect(forbiddenImport(file, "./lib/format.ts")).toBeNull();
    expect(importsOf(file).length).toBeGreaterThan(0);
  });

  it("package.json lists no server dependency", () => {
    const pkg = JSON.parse(readFileSync(join(WEB, "package.json"), "utf8"));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    expect(deps).toContain("@modelworks/contracts");
    expect(deps.filter((d) => d.startsWith("@modelworks/server"))).toEqual([]);
  });
});
