/**
 * The assistant's reply to a conversation message, written by the language model and streamed
 * as it is written (`onText`: the platform publishes each delta as a run event, so the web shows
 * the reply growing). Asked only when the model made the plan or the edit: a built-in plan or a
 * fallback keeps the deterministic reply the server writes, which names the fallback's reason —
 * a model's prose could leave that out. A failed call leaves the reply to the server the same way.
 */
import { builtInMayCure, type ModelLlm } from "@modelworks/model-kit";
import type { PlanNote } from "./check.ts";
import type { DashboardPlan } from "./schema.ts";

/** What the reply is about: the outcome of planning or editing. */
export interface ReplyFacts {
  mode: "plan" | "edit" | "recheck";
  applied: boolean;
  plan: DashboardPlan;
  understood: string[];
  repairs: PlanNote[];
  issues: PlanNote[];
}

/** The reply's bound: a few sentences (the server stores at most 20,000 characters). */
const REPLY_MAX_TOKENS = 400;
export const REPLY_MAX_CHARS = 20_000;

const REPLY_SYSTEM = [
  "You are the assistant of a dashboard tool. In two to four plain sentences, tell the user what the",
  "dashboard described in the data block shows, or what was changed. Mention repairs if there are any.",
  "Do not invent numbers: the data block has no values, only the plan.",
].join(" ");

/** The plan's outline for the reply: titles, kinds and fields — no data values. */
function outline(f: ReplyFacts): string {
  return JSON.stringify({
    outcome: f.mode === "edit" ? (f.applied ? "edited" : "not changed") : "planned",
    title: f.plan.title,
    understood: f.understood,
    repairs: f.repairs.map((r) => r.message),
    issues: f.issues.map((i) => i.message),
    pages: f.plan.pages.map((p) => ({
      title: p.title,
      visuals: p.visuals.map((v) => ({ kind: v.kind, title: v.title })),
      slicers: p.slicers.map((s) => s.title ?? s.field.column),
    })),
  });
}

/**
 * The model's reply, streamed through `onText`; null when no model is configured or the call
 * failed in a way the deterministic reply cures (then the server writes it). Cancellation and
 * failures the built-in path may not cure propagate, as for the plan itself.
 */
export async function writeReply(
  llm: ModelLlm,
  facts: ReplyFacts,
  userMessage: string,
  signal?: AbortSignal,
): Promise<string | null> {
  if (!llm.available) return null;
  try {
    const answer = await llm.generateText({
      task: "chat",
      system: REPLY_SYSTEM,
      prompt: "Reply to the user's last message about their dashboard.",
      data: [
        { name: "user's message", text: userMessage },
        { name: "dashboard outcome (JSON)", text: outline(facts) },
      ],
      maxOutputTokens: REPLY_MAX_TOKENS,
      // Streaming is asked for by passing onText; the text arrives whole in the answer as well.
      onText: () => {},
    });
    const text = answer.value.trim() === "" ? null : answer.value;
    return text === null ? null : text.slice(0, REPLY_MAX_CHARS);
  } catch (err) {
    if (signal?.aborted || !builtInMayCure(err)) throw err;
    return null;
  }
}
