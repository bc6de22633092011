import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { dashboardPlanner } from "../src/index.ts";

/**
 * The model under odd numbers, as the server's fuzz test sends them: any number of an example
 * (a profile's counts, min/max, a sample cell, a tile, a top N) set to 0, −1, ½, ±1e12 or 1e13
 * must give a field-level input error or a finished run — never an engine crash (a
 * ModelOutputError or a TypeError). A seeded sample of the cases keeps it quick.
 */
type Path = (string | number)[];
const VALUES = [0, -1, 0.5, 1e12, -1e12, 1e13];

function numberPaths(v: unknown, path: Path, out: Path[]) {
  if (typeof v === "number") out.push(path);
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) numberPaths(x, [...path, i], out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) numberPaths(x, [...path, k], out);
}

function setAt(root: unknown, path: Path, value: unknown) {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
}

function seeded(seed: number) {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe("dashboard-planner under odd numbers", () => {
  const rand = seeded(16);
  const cases: { name: string; input: unknown }[] = [];
  for (const ex of dashboardPlanner.examples) {
    const paths: Path[] = [];
    numberPaths(ex.input, [], paths);
    for (let n = 0; n < 40; n++) {
      const path = paths[Math.floor(rand() * paths.length)]!;
      const value = VALUES[Math.floor(rand() * VALUES.length)]!;
      const input = structuredClone(ex.input);
      setAt(input, path, value);
      cases.push({ name: `${ex.name}: ${path.join(".")} = ${value}`, input });
    }
  }

  it(`${cases.length} cases: an input error or a finished run`, async () => {
    let finished = 0;
    for (const c of cases) {
      try {
        await executeModel(dashboardPlanner, c.input, createContext());
        finished++;
      } catch (err) {
        expect(err, c.name).toBeInstanceOf(ModelInputError);
      }
    }
    // Most odd numbers are still valid profiles: the engine ran on them.
    expect(finished).toBeGreaterThan(cases.length / 3);
  });
});
