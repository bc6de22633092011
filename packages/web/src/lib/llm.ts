// The language-model pages' logic in business words (issue 14): what each task is, where answers
// come from, the price table as editable rows, the budget's share and the months to show. Pure;
// the pages (pages/llm.tsx) only lay it out.
import type { LlmSettings, LlmStatus, LlmUsage } from "@modelworks/contracts/llm";
import type { z } from "zod";

export type Status = z.output<typeof LlmStatus>;
export type Settings = z.output<typeof LlmSettings>;
export type Usage = z.output<typeof LlmUsage>;
export type Task = keyof Status["tasks"];

/** What each task does, as a person reads it; the keys are the platform's tasks. */
export const TASK_LABELS: Record<Task, string> = {
  classify: "Classifying documents",
  extract: "Extracting facts",
  draft: "Drafting text",
  plan: "Planning dashboards",
  report: "Writing reports",
  chat: "Chat answers",
};

export const PROVIDER_LABELS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google Gemini",
  ollama: "Ollama (self-hosted)",
  "openai-compatible": "OpenAI-compatible (vLLM, LM Studio, Azure…)",
};

export const providerLabel = (p: string | null | undefined) => (p ? (PROVIDER_LABELS[p] ?? p) : "—");

/** One sentence: where the organization's AI answers come from now. */
export function sourceSentence(s: Pick<Status, "source" | "provider" | "models">): string {
  switch (s.source) {
    case "organization":
      return `Your organization's own provider (${providerLabel(s.provider)}, model ${s.models?.default ?? "?"}) answers.`;
    case "platform":
      return `The platform's shared provider (${providerLabel(s.provider)}, model ${s.models?.default ?? "?"}) answers; your organization has no provider of its own.`;
    default:
      return "No AI provider is set up: every feature runs on its built-in rules and templates, and results say “built-in”.";
  }
}

/** Why the built-in path exists, for empty states. */
export const BUILT_IN_EXPLAINED =
  "Without an AI provider, every feature still works on built-in rules and templates (query analysis, draft templates, dashboard plans, report templates), and each result says it was produced “built-in”. Calls to a provider, their tokens and their estimated cost appear here once one is set up.";

export interface PriceRow {
  model: string;
  inputPerMTokUsd: number;
  outputPerMTokUsd: number;
}

export const priceRows = (prices: Settings["prices"]): PriceRow[] =>
  Object.entries(prices)
    .map(([model, p]) => ({ model, ...p }))
    .sort((a, b) => a.model.localeCompare(b.model));

/** Rows back to the settings' record; blank model names are dropped, the last of a duplicate wins. */
export function pricesOf(rows: readonly PriceRow[]): Settings["prices"] {
  const out: Settings["prices"] = {};
  for (const r of rows) {
    const model = r.model.trim();
    if (model) out[model] = { inputPerMTokUsd: r.inputPerMTokUsd, outputPerMTokUsd: r.outputPerMTokUsd };
  }
  return out;
}

/** A task route as the form edits it: "" provider means "the default provider". */
export type RouteRow = { providerId: string; model: string };

export function routeRows(tasks: readonly Task[], routes: Settings["taskRoutes"]): Record<string, RouteRow> {
  return Object.fromEntries(
    tasks.map((t) => [t, { providerId: routes[t]?.providerId ?? "", model: routes[t]?.model ?? "" }]),
  );
}

/** The routes the form names (a provider chosen); a chosen provider without a model keeps the model empty for the server to refuse. */
export function routesOf(rows: Record<string, RouteRow>): Settings["taskRoutes"] {
  const out: Settings["taskRoutes"] = {};
  for (const [task, r] of Object.entries(rows))
    if (r.providerId) out[task as Task] = { providerId: r.providerId, model: r.model.trim() };
  return out;
}

/** The share of the budget spent (0…1+), or null without a budget. */
export function budgetShare(costUsd: number, budgetUsd: number | null): number | null {
  if (budgetUsd === null) return null;
  if (budgetUsd === 0) return costUsd > 0 ? Number.POSITIVE_INFINITY : 0;
  return costUsd / budgetUsd;
}

/** "2026-12" and the `count - 1` months before it, newest first (UTC calendar months). */
export function recentMonths(now: Date, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
  }
  return out;
}

/** USD as a cost reads: small amounts keep their cents' fractions ($0.0031), large ones do not. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const PRICE_HELP =
  "Costs are estimates from a built-in price table of common models. Add a row to set or correct the price of a model (for example a self-hosted one at 0, or your negotiated rate); a row here wins over the built-in price.";
