/**
 * The `dashboard-planner` model: profiled tables, a goal and the conversation in; a checked
 * dashboard plan (from the language model when one is configured, else the built-in rules), what
 * was repaired or could not be, the diff of an edit, and the Power BI project spec the plan
 * publishes to out. The platform runs it as a job with progress; `powerBiProjectFiles` turns a
 * run's output (and the tables' CSVs) into the project's files for the server to zip.
 */
import {
  countField,
  defineModel,
  finiteField,
  type ModelContext,
  recordField,
  unavailableLlm,
} from "@modelworks/model-kit";
import { z } from "zod";
import { EXAMPLE_PROFILES } from "./examples/profiles.ts";
import { planDashboard } from "./plan/builtin.ts";
import { checkPlan, type PlanNote } from "./plan/check.ts";
import { ChatMessage, editWithModel, planWithModel } from "./plan/llm-planner.ts";
import { writeReply } from "./plan/reply.ts";
import { DashboardPlan, GeneratedBy } from "./plan/schema.ts";
import { checkedPowerBiSpec, PLAN_KIND_TO_POWER_BI } from "./powerbi/from-plan.ts";
import { type ProjectFiles, writePowerBiProject } from "./powerbi/project.ts";
import { PowerBiProjectSpec } from "./powerbi/spec.ts";
import { analyzeTables } from "./profile/analyze.ts";
import type { TableProfile } from "./profile/types.ts";

const Text = (max: number) => z.string().max(max);
const Scalar = z.union([Text(10_000), finiteField(), z.boolean()]);

/** A column as the platform's file profile gives it (extra fields such as missingPct are dropped). */
export const ColumnProfileInput = z.object({
  name: z.string().min(1).max(200),
  type: z.enum(["integer", "number", "boolean", "date", "datetime", "time", "string"]),
  pattern: z.enum(["percent", "currency", "email", "identifier"]).nullable().optional(),
  count: countField(),
  missing: countField(),
  distinct: countField(),
  min: z.union([finiteField(), Text(200)]).nullable(),
  max: z.union([finiteField(), Text(200)]).nullable(),
  mean: finiteField().nullable().optional(),
  examples: z.array(Scalar).max(20),
});

export const TableInput = z.object({
  name: z
    .string()
    .min(1)
    .max(200)
    .describe("How plans and queries name the table (a file: its name without extension)"),
  rowCount: countField(),
  columns: z.array(ColumnProfileInput).min(1).max(500),
  sampleRows: z
    .array(recordField(Text(200), Scalar.nullable(), 500))
    .max(5000)
    .optional()
    .describe("Up to 5,000 rows keyed by column: proves grains, joins and correlations"),
});

export const DashboardPlannerInput = z
  .object({
    tables: z.array(TableInput).min(1).max(10).describe("The uploaded files' profiles (up to 10)"),
    goal: Text(2000).default("").describe("What the user wants to see, in their words"),
    conversation: z.array(ChatMessage).max(200).default([]).describe("The conversation so far, oldest first"),
    plan: DashboardPlan.optional().describe("The current plan: re-checked, or edited by the instruction"),
    instruction: Text(2000).optional().describe("A change asked in words (needs the current plan)"),
    visualId: Text(64)
      .optional()
      .describe("The visual the instruction is about, when the user pointed at one"),
    planner: z
      .enum(["auto", "built-in"])
      .default("auto")
      .describe("auto: the language model when one is configured, else the built-in rules"),
  })
  .strict()
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.tables.forEach((t, i) => {
      if (seen.has(t.name))
        ctx.addIssue({ code: "custom", path: ["tables", i, "name"], message: `"${t.name}" is named twice` });
      seen.add(t.name);
    });
    if (input.instruction !== undefined && !input.plan)
      ctx.addIssue({
        code: "custom",
        path: ["plan"],
        message: "an instruction edits a plan: give the current plan",
      });
  });
export type DashboardPlannerInput = z.output<typeof DashboardPlannerInput>;

const Note = z.object({ path: z.string(), message: z.string() });

export const DashboardPlannerOutput = z.object({
  mode: z.enum(["plan", "edit", "recheck"]),
  /** False when an edit was not understood or failed the checks (the plan is the old one), or a current plan no longer fits (replaced). */
  applied: z.boolean(),
  plan: DashboardPlan,
  generatedBy: GeneratedBy,
  fallback: z.object({ reason: z.string() }).nullable(),
  issues: z.array(Note),
  repairs: z.array(Note),
  /** Edits: what was understood, and every changed value. */
  understood: z.array(z.string()),
  diff: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })),
  /**
   * The assistant's reply as the language model wrote (and streamed) it, when the model made the
   * plan or the edit; null otherwise — the caller words the reply from the outcome itself.
   */
  reply: z.string().nullable(),
  roles: z.array(
    z.object({
      table: z.string(),
      column: z.string(),
      type: z.string(),
      role: z.string(),
      detail: z.string().nullable(),
      reasons: z.string(),
    }),
  ),
  visuals: z.array(
    z.object({
      page: z.string(),
      id: z.string(),
      kind: z.string(),
      title: z.string(),
      fields: z.string(),
      powerBiKind: z.string(),
    }),
  ),
  kpis: z.object({
    pages: z.number().int(),
    visuals: z.number().int(),
    slicers: z.number().int(),
    repairs: z.number().int(),
    issues: z.number().int(),
    measures: z.number().int(),
  }),
  powerBi: z.object({
    spec: PowerBiProjectSpec,
    notes: z.array(Note),
    summary: z.object({
      name: z.string(),
      tables: z.number().int(),
      measures: z.number().int(),
      relationships: z.number().int(),
      pages: z.number().int(),
      visuals: z.number().int(),
    }),
  }),
});
export type DashboardPlannerOutput = z.output<typeof DashboardPlannerOutput>;

interface Planned {
  mode: DashboardPlannerOutput["mode"];
  applied: boolean;
  plan: DashboardPlan;
  generatedBy: DashboardPlannerOutput["generatedBy"];
  fallback: { reason: string } | null;
  issues: PlanNote[];
  repairs: PlanNote[];
  understood: string[];
  diff: DashboardPlannerOutput["diff"];
}

async function planOrEdit(
  input: DashboardPlannerInput,
  tables: TableProfile[],
  ctx: ModelContext,
): Promise<Planned> {
  const llm = input.planner === "built-in" ? unavailableLlm : ctx.llm;
  const goal = input.goal || undefined;
  if (input.plan && input.instruction !== undefined) {
    const r = await editWithModel(
      llm,
      {
        tables,
        goal,
        conversation: input.conversation,
        plan: input.plan,
        instruction: input.instruction,
        visualId: input.visualId,
      },
      ctx.signal,
    );
    return { mode: "edit", ...r, fallback: r.plan.fallback ?? null };
  }
  if (input.plan) {
    // The current plan against (possibly re-uploaded) data: kept when it still fits.
    const r = checkPlan(input.plan, tables);
    if (r.ok && r.plan)
      return {
        mode: "recheck",
        applied: true,
        plan: r.plan,
        generatedBy: r.plan.generatedBy,
        fallback: r.plan.fallback ?? null,
        issues: [],
        repairs: r.repairs,
        understood: [],
        diff: [],
      };
    const first = r.issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const reason = `The current plan no longer fits the data (${first.join("; ")}); this is the built-in plan.`;
    const plan = { ...planDashboard({ tables, ...(goal ? { goal } : {}) }), fallback: { reason } };
    return {
      mode: "recheck",
      applied: false,
      plan,
      generatedBy: "built-in",
      fallback: { reason },
      issues: r.issues,
      repairs: r.repairs,
      understood: [],
      diff: [],
    };
  }
  const r = await planWithModel(llm, { tables, goal, conversation: input.conversation }, ctx.signal);
  return { mode: "plan", applied: true, ...r, understood: [], diff: [] };
}

export const dashboardPlanner = defineModel({
  id: "dashboard-planner",
  version: "1.0.0",
  title: "Dashboard planner: from uploaded data and a conversation to a dashboard and a Power BI project",
  summary:
    "Reads the uploaded files' profiles (semantic roles, grain, date range, joins), plans a dashboard — KPIs with " +
    "period-over-period, trends, ranked bars, maps, scatters, histograms, pivots, slicers — with the language model " +
    "when one is configured and the built-in Show Me / X-ray rules otherwise, checks every plan against the data " +
    "(repairing or explaining; a fallback is labelled with its reason), applies changes asked in words with a diff, " +
    "and maps the plan onto a Power BI project (PBIR report, TMDL model).",
  input: DashboardPlannerInput,
  output: DashboardPlannerOutput,
  examples: [
    {
      name: "guns-violent-crime",
      title: "US states 1977–1999: violent crime by state",
      input: { tables: [EXAMPLE_PROFILES.us_state_guns_panel!], goal: "violent crime by state" },
    },
    {
      name: "mpg-conversation",
      title: "Fuel economy, from a short conversation",
      input: {
        tables: [EXAMPLE_PROFILES.mpg!],
        goal: "city mpg by class and cylinders",
        conversation: [
          { role: "user", content: "I care about city fuel economy. Which classes and engines do best?" },
          { role: "assistant", content: "I will rank classes and cylinder counts by average city mpg." },
        ],
      },
    },
    {
      name: "mpg-edit",
      title: "An edit by chat: the class bars vertical, top 5 only",
      input: {
        tables: [EXAMPLE_PROFILES.mpg!],
        plan: planDashboard({ tables: [EXAMPLE_PROFILES.mpg!] }),
        instruction: "make it vertical, top 5 only",
        visualId: "bar-class",
      },
    },
    {
      name: "midwest-built-in",
      title: "Midwest counties, built-in rules only",
      input: { tables: [EXAMPLE_PROFILES.midwest!], goal: "population by state", planner: "built-in" },
    },
    {
      name: "caschools-scores",
      title: "California school districts: test scores",
      input: { tables: [EXAMPLE_PROFILES.caschools!], goal: "reading and math scores by county" },
    },
  ],
  layout: {
    sections: [
      { id: "data", title: "Data", fields: ["tables"] },
      { id: "conversation", title: "Goal and conversation", fields: ["goal", "conversation"] },
      { id: "edit", title: "Edit", fields: ["plan", "instruction", "visualId"] },
      { id: "planner", title: "Planner", fields: ["planner"] },
    ],
  },
  kpis: [
    { path: "kpis.pages", title: "Pages", format: "integer" },
    { path: "kpis.visuals", title: "Visuals", format: "integer" },
    { path: "kpis.slicers", title: "Slicers", format: "integer" },
    { path: "kpis.measures", title: "Power BI measures", format: "integer" },
    { path: "kpis.repairs", title: "Repairs", format: "integer" },
    { path: "kpis.issues", title: "Issues", format: "integer" },
  ],
  tables: [
    {
      name: "visuals",
      title: "Visuals",
      rows: "visuals",
      columns: [
        { key: "page", title: "Page", format: "text" },
        { key: "id", title: "Id", format: "text" },
        { key: "kind", title: "Kind", format: "text" },
        { key: "title", title: "Title", format: "text" },
        { key: "fields", title: "Fields", format: "text" },
        { key: "powerBiKind", title: "Power BI visual", format: "text" },
      ],
    },
    {
      name: "repairs",
      title: "Repairs",
      rows: "repairs",
      columns: [
        { key: "path", title: "Where", format: "text" },
        { key: "message", title: "What was changed, and why", format: "text" },
      ],
    },
    {
      name: "issues",
      title: "Issues",
      rows: "issues",
      columns: [
        { key: "path", title: "Where", format: "text" },
        { key: "message", title: "What could not be used", format: "text" },
      ],
    },
    {
      name: "roles",
      title: "Roles per column",
      rows: "roles",
      columns: [
        { key: "table", title: "Table", format: "text" },
        { key: "column", title: "Column", format: "text" },
        { key: "type", title: "Type", format: "text" },
        { key: "role", title: "Role", format: "text" },
        { key: "detail", title: "Detail", format: "text" },
        { key: "reasons", title: "Why", format: "text" },
      ],
    },
    {
      name: "power-bi-notes",
      title: "Power BI project: what differs from the dashboard",
      rows: "powerBi.notes",
      columns: [
        { key: "path", title: "Where", format: "text" },
        { key: "message", title: "Note", format: "text" },
      ],
    },
  ],
  timeoutMs: 120_000,
  async run(input, ctx) {
    ctx.progress(0.1, "Analyzing the data");
    const tables = input.tables as TableProfile[];
    const analysis = analyzeTables(tables);
    ctx.progress(0.3, "Processing: planning the dashboard");
    const planned = await planOrEdit(input, tables, ctx);
    // The model replies only for what it made: a built-in plan or a fallback is worded by the caller.
    const reply =
      input.planner !== "built-in" && planned.generatedBy !== "built-in" && !planned.fallback
        ? await writeReply(ctx.llm, planned, input.instruction ?? input.goal ?? "", ctx.signal)
        : null;
    ctx.progress(0.5, "Building the Power BI project");
    const { spec: checkedSpec, notes } = checkedPowerBiSpec(planned.plan, tables);
    ctx.progress(0.9, "Finalizing");
    const visuals = planned.plan.pages.flatMap((page) =>
      page.visuals.map((v) => ({
        page: page.title,
        id: v.id,
        kind: v.kind,
        title: v.title,
        fields: v.bindings
          .map((b) =>
            b.aggregation ? `${b.aggregation}(${b.field?.column ?? "rows"})` : (b.field?.column ?? ""),
          )
          .join(", "),
        powerBiKind: PLAN_KIND_TO_POWER_BI[v.kind],
      })),
    );
    const pbiVisuals = checkedSpec.pages.reduce((n, p) => n + p.visuals.length, 0);
    return {
      ...planned,
      reply,
      roles: analysis.tables.flatMap((t) =>
        t.columns.map((c) => ({
          table: t.name,
          column: c.column,
          type: c.type,
          role: c.role,
          detail: c.geo ?? c.grain ?? c.defaultAggregation ?? null,
          reasons: c.reasons.join("; "),
        })),
      ),
      visuals,
      kpis: {
        pages: planned.plan.pages.length,
        visuals: visuals.length,
        slicers: planned.plan.pages.reduce((n, p) => n + p.slicers.length, 0),
        repairs: planned.repairs.length,
        issues: planned.issues.length,
        measures: checkedSpec.measures.length,
      },
      powerBi: {
        spec: checkedSpec,
        notes,
        summary: {
          name: checkedSpec.name,
          tables: checkedSpec.tables.length,
          measures: checkedSpec.measures.length,
          relationships: checkedSpec.relationships.length,
          pages: checkedSpec.pages.length,
          visuals: pbiVisuals,
        },
      },
    };
  },
});

/**
 * A run's Power BI project, in memory (path → text or bytes), for the server to zip. `data`: the
 * tables' files by `fileName` (`powerBi.spec.tables[].fileName`, CSV as `powerBiCsv` writes it);
 * without it the project has no data folder.
 */
export function powerBiProjectFiles(
  output: Pick<DashboardPlannerOutput, "powerBi">,
  data?: Readonly<Record<string, string | Uint8Array>>,
): ProjectFiles {
  return writePowerBiProject(output.powerBi.spec, data);
}
