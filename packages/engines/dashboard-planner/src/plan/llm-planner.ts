/**
 * The language-model planner and chat edits, through the platform's `ctx.llm` (model-kit llm.ts):
 * the model is given the profile as JSON (`planningContext`, no rows) and the conversation, both
 * as delimited data blocks — text from uploads and users is never an instruction — and answers
 * in the plan schema. Its answer is untrusted: checked against the data (`checkPlan`), repaired
 * where the fix is obvious, and otherwise replaced by the built-in plan labelled as a fallback with
 * the reason. Failures the built-in path may not cure (`builtInMayCure`: a spent budget, a rejected
 * key, an unknown model, cancellation) propagate: the run fails with that reason.
 */
import {
  builtInMayCure,
  type LlmAnswer,
  type LlmDocument,
  LlmUnavailableError,
  type ModelLlm,
} from "@modelworks/model-kit";
import { z } from "zod";
import type { TableProfile } from "../profile/types.ts";
import { planDashboard } from "./builtin.ts";
import { acceptOrFallBack, checkPlan, type PlanNote } from "./check.ts";
import { planningContext } from "./context.ts";
import { diffPlans, editVisual, type PlanChange } from "./edit.ts";
import { DashboardPlan, type GeneratedBy, Visual } from "./schema.ts";

export const ChatMessage = z
  .object({
    role: z.enum(["user", "assistant", "system"]),
    content: z.string().max(20_000),
  })
  .strict();
export type ChatMessage = z.infer<typeof ChatMessage>;

export interface PlanRequest {
  tables: TableProfile[];
  goal?: string | undefined;
  conversation?: readonly ChatMessage[];
}

export interface PlanOutcome {
  plan: DashboardPlan;
  generatedBy: z.infer<typeof GeneratedBy>;
  /** Set when the built-in plan stands in for the model's: why. */
  fallback: { reason: string } | null;
  repairs: PlanNote[];
  issues: PlanNote[];
}

const PLAN_SYSTEM = [
  "You design analytical dashboards. Answer with one dashboard plan in the given JSON schema.",
  "Use only tables and columns named in the data profile, spelled exactly. Aggregate measures;",
  "never sum or average identifiers; group by dimensions, time and geography; put KPIs first.",
  'Lay tiles out on a 12-column grid without overlaps. Set generatedBy to "built-in" (it is replaced).',
].join(" ");

/** The profile and the conversation as data blocks: the model reads them, never obeys them. */
function dataBlocks(req: PlanRequest): LlmDocument[] {
  const docs: LlmDocument[] = [
    { name: "data profile (JSON)", text: JSON.stringify(planningContext(req.tables)) },
  ];
  if (req.conversation?.length)
    docs.push({
      name: "conversation",
      text: req.conversation.map((m) => `${m.role}: ${m.content}`).join("\n\n"),
    });
  return docs;
}

/**
 * The reason a fallback gives, for the failures the built-in path may cure (model-kit's
 * `builtInMayCure`: provider down, answer off its schema). Everything else is rethrown, so the run
 * fails with that reason: cancellation, a spent budget, and the admin's misconfigurations — a
 * rejected key, an unknown model, a key the server cannot open — which a built-in plan would hide.
 */
function reasonOrThrow(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) throw err;
  if (builtInMayCure(err)) return `${err.code}: ${err.message}`;
  throw err;
}

function builtIn(req: PlanRequest, fallback: string | null): PlanOutcome {
  const plan = planDashboard({ tables: req.tables, ...(req.goal ? { goal: req.goal } : {}) });
  return {
    plan: fallback ? { ...plan, fallback: { reason: fallback } } : plan,
    generatedBy: "built-in",
    fallback: fallback ? { reason: fallback } : null,
    repairs: [],
    issues: [],
  };
}

/**
 * A plan from the model when one is configured (`llm.available`), else the built-in plan. The
 * model's plan is checked and repaired; with issues left, or when the call fails for a reason a
 * fallback cures, the built-in plan serves, labelled with the reason.
 */
export async function planWithModel(
  llm: ModelLlm,
  req: PlanRequest,
  signal?: AbortSignal,
): Promise<PlanOutcome> {
  if (!llm.available) return builtIn(req, null);
  let answer: LlmAnswer<DashboardPlan>;
  try {
    answer = await llm.generateObject({
      task: "plan",
      schema: DashboardPlan,
      schemaName: "plan",
      system: PLAN_SYSTEM,
      prompt: `Plan a dashboard for this goal: ${JSON.stringify(req.goal ?? "an overview of the data")}.`,
      data: dataBlocks(req),
    });
  } catch (err) {
    if (err instanceof LlmUnavailableError) return builtIn(req, null);
    return builtIn(
      req,
      `The language model gave no usable plan (${reasonOrThrow(err, signal)}); this is the built-in plan.`,
    );
  }
  // What the model says produced the plan, or that it is a fallback, is not its to say.
  const candidate = { ...answer.value, generatedBy: answer.generatedBy };
  delete (candidate as { fallback?: unknown }).fallback;
  const checked = acceptOrFallBack(candidate, {
    tables: req.tables,
    ...(req.goal ? { goal: req.goal } : {}),
  });
  const plan = checked.plan!;
  return {
    plan,
    generatedBy: checked.fellBack ? "built-in" : answer.generatedBy,
    fallback: checked.fellBack ? (plan.fallback ?? null) : null,
    repairs: checked.repairs,
    issues: checked.issues,
  };
}

/** The model's answer to an edit: a whole new plan, or one visual replaced (a patch). */
export const EditAnswer = z.union([
  z.object({ kind: z.literal("plan"), plan: DashboardPlan }).strict(),
  z.object({ kind: z.literal("visual"), visual: Visual }).strict(),
]);
export type EditAnswer = z.infer<typeof EditAnswer>;

export interface EditRequest extends PlanRequest {
  plan: DashboardPlan;
  instruction: string;
  /** The visual the user pointed at, if any: the deterministic interpreter edits one visual. */
  visualId?: string | undefined;
}

export interface EditOutcome {
  /** True when the plan changed and the new revision passed the checks. */
  applied: boolean;
  plan: DashboardPlan;
  /** Who made the change: the built-in interpreter or the model. */
  generatedBy: z.infer<typeof GeneratedBy>;
  understood: string[];
  diff: PlanChange[];
  repairs: PlanNote[];
  issues: PlanNote[];
}

/**
 * A change asked in words. The deterministic interpreter first (`editVisual`, on the visual the
 * user pointed at); what it does not understand goes to the model, whose new plan or replaced
 * visual is checked like any plan. A rejected edit leaves the plan as it was, with the issues.
 */
export async function editWithModel(
  llm: ModelLlm,
  req: EditRequest,
  signal?: AbortSignal,
): Promise<EditOutcome> {
  let builtInIssues: PlanNote[] = [];
  if (req.visualId) {
    const r = editVisual(req.plan, req.visualId, req.instruction, req.tables);
    if (r.applied) return { ...r, generatedBy: "built-in" };
    builtInIssues = r.issues;
  }
  const unchanged = (
    issues: PlanNote[],
    generatedBy: EditOutcome["generatedBy"] = "built-in",
  ): EditOutcome => ({
    applied: false,
    plan: req.plan,
    generatedBy,
    understood: [],
    diff: [],
    repairs: [],
    issues,
  });
  if (!llm.available) {
    return unchanged(
      builtInIssues.length
        ? builtInIssues
        : [{ path: "", message: "the instruction was not understood, and no language model is configured" }],
    );
  }
  let answer: LlmAnswer<EditAnswer>;
  try {
    answer = await llm.generateObject({
      task: "plan",
      schema: EditAnswer,
      schemaName: "edit",
      system:
        `${PLAN_SYSTEM} You are editing the current plan: answer {kind: "visual", visual} to change or add one ` +
        'visual (same id to replace it), or {kind: "plan", plan} for a new plan.',
      prompt: `Change the dashboard as the user asks: ${JSON.stringify(req.instruction)}${
        req.visualId ? ` (the visual "${req.visualId}")` : ""
      }.`,
      data: [...dataBlocks(req), { name: "current plan (JSON)", text: JSON.stringify(req.plan) }],
    });
  } catch (err) {
    if (err instanceof LlmUnavailableError) return unchanged(builtInIssues);
    return unchanged([
      { path: "", message: `the language model gave no usable edit (${reasonOrThrow(err, signal)})` },
    ]);
  }
  const value = answer.value;
  const next: DashboardPlan =
    value.kind === "plan" ? value.plan : replaceVisual(req.plan, value.visual, req.visualId);
  const candidate = { ...next, generatedBy: answer.generatedBy };
  delete (candidate as { fallback?: unknown }).fallback;
  const checked = checkPlan(candidate, req.tables);
  if (!checked.ok || !checked.plan)
    return { ...unchanged(checked.issues, answer.generatedBy), repairs: checked.repairs };
  return {
    applied: true,
    plan: checked.plan,
    generatedBy: answer.generatedBy,
    understood: [
      value.kind === "plan"
        ? "a new plan from the language model"
        : `visual "${value.visual.id}" changed by the language model`,
    ],
    diff: diffPlans(req.plan, checked.plan),
    repairs: checked.repairs,
    issues: [],
  };
}

/** The plan with `visual` in place of the one of the same id (else of `visualId`), or added to that visual's page. */
function replaceVisual(plan: DashboardPlan, visual: Visual, visualId?: string): DashboardPlan {
  const next = structuredClone(plan);
  for (const id of [visual.id, visualId]) {
    for (const page of next.pages) {
      const i = page.visuals.findIndex((v) => v.id === id);
      if (i >= 0) {
        page.visuals[i] = visual;
        return next;
      }
    }
  }
  next.pages[0]!.visuals.push(visual);
  return next;
}
