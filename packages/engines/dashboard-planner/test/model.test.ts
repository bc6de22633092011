import { createContext, executeModel, ModelInputError, unboundedInputFields } from "@modelworks/model-kit";
import { createTestLlm } from "@modelworks/model-kit/testing";
import { describe, expect, it } from "vitest";
import {
  dashboardPlanner,
  EXAMPLE_PROFILES,
  planDashboard,
  powerBi,
  powerBiProjectFiles,
} from "../src/index.ts";
import { describeErrors, loadSchemas } from "./powerbi/json-schemas.ts";

/** The hosted model: progress at the issue's stages, both planners, edits, and the Power BI files. */
const example = (name: string) => dashboardPlanner.examples.find((e) => e.name === name)!.input;

async function run(input: unknown, llm?: ReturnType<typeof createTestLlm>) {
  const progress: number[] = [];
  const out = await executeModel(
    dashboardPlanner,
    input,
    createContext({ onProgress: (f) => progress.push(f), ...(llm ? { llm } : {}) }),
  );
  return { out, progress };
}

describe("dashboard-planner@1.0.0", () => {
  it("plans every example; progress analyzing 10 → processing 30 → building 50 → finalizing 90", async () => {
    for (const ex of dashboardPlanner.examples) {
      const { out, progress } = await run(ex.input);
      expect(progress, ex.name).toEqual([0.1, 0.3, 0.5, 0.9]);
      expect(out.generatedBy).toBe("built-in");
      expect(out.fallback).toBeNull();
      expect(out.issues, ex.name).toEqual([]);
      expect(out.kpis.visuals).toBe(out.visuals.length);
      expect(out.powerBi.summary.visuals).toBe(out.kpis.visuals + out.kpis.slicers);
    }
  });

  it("without a model the plan is the built-in planner's, and its Power BI files validate", async () => {
    const { out } = await run(example("guns-violent-crime"));
    expect(out.mode).toBe("plan");
    expect(out.plan).toEqual(
      planDashboard({ tables: [EXAMPLE_PROFILES.us_state_guns_panel!], goal: "violent crime by state" }),
    );
    expect(out.roles.find((r) => r.column === "state")).toMatchObject({
      role: "geography",
      detail: "us-state",
    });
    expect(out.visuals.find((v) => v.kind === "map")).toMatchObject({ powerBiKind: "filledMap" });
    const table = out.powerBi.spec.tables[0]!;
    const csv = powerBi.powerBiCsv(table, EXAMPLE_PROFILES.us_state_guns_panel!.sampleRows!);
    const files = powerBiProjectFiles(out, { [table.fileName]: csv });
    expect(files.get(`data/${table.fileName}`)).toBe(csv);
    const schemas = loadSchemas();
    let checked = 0;
    for (const [p, content] of files) {
      if (!/(\.json|\.pbir|\.pbism|\.pbip|\/\.platform)$/.test(p)) continue;
      const doc = JSON.parse(String(content));
      const v = schemas.validator(doc.$schema)!;
      expect(v(doc) ? "" : describeErrors(v.errors), p).toBe("");
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("auto uses the configured model; built-in never calls it", async () => {
    const answer = { ...planDashboard({ tables: [EXAMPLE_PROFILES.mpg!] }), title: "Model's mpg" };
    const llm = createTestLlm({ answer: () => answer });
    const { out } = await run(example("mpg-conversation"), llm);
    expect(out.generatedBy).toEqual({ provider: "test", model: "mock-model" });
    expect(out.plan.title).toBe("Model's mpg");
    // The conversation reached the model as data.
    expect(llm.calls[0]!.prompt).toContain("Which classes and engines do best?");

    const quiet = createTestLlm({ answer: () => answer });
    const r = await run({ ...example("mpg-conversation"), planner: "built-in" }, quiet);
    expect(quiet.calls).toHaveLength(0);
    expect(r.out.generatedBy).toBe("built-in");
  });

  it("an edit: the new revision, what was understood, and its diff", async () => {
    const { out } = await run(example("mpg-edit"));
    expect(out.mode).toBe("edit");
    expect(out.applied).toBe(true);
    expect(out.understood).toEqual(["made vertical", "top 5 only"]);
    const bar = out.plan.pages[0]!.visuals.find((v) => v.id === "bar-class")!;
    expect(bar).toMatchObject({ kind: "column", topN: { n: 5, other: false } });
    expect(out.diff).toEqual([
      { path: "pages.0.visuals.6.kind", from: "bar", to: "column" },
      { path: "pages.0.visuals.6.topN", from: undefined, to: { n: 5, other: false } },
    ]);
    expect(out.powerBi.spec.pages[0]!.visuals.find((v) => v.id === "bar-class")).toMatchObject({
      kind: "columnChart",
      topN: { count: 5, direction: "top" },
    });
  });

  it("an edit nobody understood: not applied, the plan unchanged, and why", async () => {
    const input = { ...example("mpg-edit"), instruction: "make it pop", planner: "built-in" };
    const { out } = await run(input);
    expect(out).toMatchObject({ mode: "edit", applied: false, diff: [], understood: [] });
    expect(out.plan).toEqual((input as { plan: unknown }).plan);
    expect(out.issues[0]!.message).toMatch(/not understood, and no language model is configured/);
  });

  it("a current plan that no longer fits re-uploaded data: the built-in plan, labelled with the reason", async () => {
    const plan = planDashboard({ tables: [EXAMPLE_PROFILES.mpg!] });
    const renamed = structuredClone(EXAMPLE_PROFILES.mpg!);
    renamed.columns = renamed.columns.filter((c) => c.name !== "cty");
    renamed.sampleRows = renamed.sampleRows!.map(({ cty: _, ...r }) => r);
    const { out } = await run({ tables: [renamed], plan });
    expect(out.mode).toBe("recheck");
    expect(out.applied).toBe(false);
    expect(out.fallback?.reason).toMatch(/^The current plan no longer fits the data \(.*no column "cty"/);
    expect(out.issues.length).toBeGreaterThan(0);
  });

  it("bad input: field-level errors, and every number and list bounded", async () => {
    const mpg = EXAMPLE_PROFILES.mpg!;
    const fail = async (input: unknown) => {
      try {
        await run(input);
      } catch (err) {
        expect(err).toBeInstanceOf(ModelInputError);
        return (err as ModelInputError).issues.map((i) => i.path);
      }
      throw new Error("accepted");
    };
    expect(await fail({ tables: [mpg], instruction: "make it blue" })).toEqual(["plan"]);
    expect(await fail({ tables: Array.from({ length: 11 }, (_, i) => ({ ...mpg, name: `t${i}` })) })).toEqual(
      ["tables"],
    );
    expect(await fail({ tables: [mpg, mpg] })).toEqual(["tables.1.name"]);
    expect(await fail({ tables: [{ ...mpg, rowCount: 1e13 }] })).toEqual(["tables.0.rowCount"]);
    expect(unboundedInputFields(dashboardPlanner.input)).toEqual([]);
  });
});
