/**
 * The executive summary (spec C.6: the sample report's Key findings, Recommended targeting
 * strategy with Priority 1/2 tiers, Budget and Data insights), written from the run's numbers.
 *
 * The numbers are first written down once as `facts` (formatted as the summary shows them). The
 * built-in template uses only those; a language model, when the organization has one, gets them
 * as data and writes prose — and its text is accepted only if every number in it is one of the
 * facts' numbers (an invented "47,293 customers" is rejected, and the built-in text serves,
 * labelled with the reason).
 */
import { type GeneratedBy, LlmError, type ModelLlm, withBuiltIn } from "@modelworks/model-kit";
import type { ResponseModelOutput } from "./model-schema.ts";

type Result = Omit<ResponseModelOutput, "executiveSummary">;

export interface ExecutiveSummary {
  text: string;
  generatedBy: GeneratedBy;
  fallbackReason?: string;
}

const int = (x: number) => Math.round(x).toLocaleString("en-US");
const pct = (share: number) => `${(100 * share).toFixed(1)} %`;
const usd = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;

/** The facts the summary may state, by name, as shown. */
export function summaryFacts(r: Result): Record<string, string> {
  const h = r.holdout;
  const top = [...h.deciles].sort((a, b) => b.decile - a.decile)[0];
  const plan = r.mailingPlan;
  const best = plan.bestDepthWithinBudget ?? plan.bestDepth;
  const facts: Record<string, string> = {
    records: int(r.dataReport.rowCount),
    responders: int(r.dataReport.target?.positives ?? 0),
    responseRate: pct(r.allRows.responseRate),
    fieldsUsed: int(r.dataReport.specs.length),
    fieldsExcluded: int(r.dataReport.excluded.length),
    holdoutRows: int(r.split.holdoutRows),
    holdoutAuc: h.auc.auc.toFixed(3),
    holdoutAucLower: h.auc.lower.toFixed(3),
    holdoutAucUpper: h.auc.upper.toFixed(3),
    topDecileRate: pct(top?.rate ?? 0),
    topDecileLift: h.gate.topDecileLift.toFixed(2),
    gateLift: h.gate.minTopDecileLift.toFixed(1),
    fileSize: int(r.mailingPlan.rows.at(-1)?.pieces ?? 0),
  };
  plan.tiers.forEach((t, i) => {
    facts[`tier${i + 1}Name`] = t.name;
    facts[`tier${i + 1}Share`] = `${(t.toPct - t.fromPct).toFixed(0)} %`;
    facts[`tier${i + 1}Pieces`] = int(t.pieces);
    facts[`tier${i + 1}Responses`] = int(t.expectedResponses);
    facts[`tier${i + 1}Cost`] = usd(t.costUsd);
    facts[`tier${i + 1}Rate`] = pct(t.responseRate);
  });
  if (best) {
    facts.bestDepth = `${best.depthPct.toFixed(0)} %`;
    facts.bestDepthPieces = int(best.pieces);
    facts.bestDepthCost = usd(best.costUsd);
    facts.bestDepthResponses = int(best.expectedResponses);
    facts.bestDepthProfit = usd(best.profitUsd);
    facts.bestDepthRoi = pct(best.roi ?? 0);
  }
  r.importance.slice(0, 3).forEach((f, i) => {
    facts[`field${i + 1}`] = f.field;
    facts[`field${i + 1}Share`] = `${f.sharePct.toFixed(1)} %`;
  });
  const steps = r.forwardSelection.rows;
  const at = (k: number) => steps.find((s) => s.n_variables === k);
  for (const k of [3, 5]) {
    const s = at(k);
    if (s) facts[`top${k}Share`] = pct(s.share_of_best);
  }
  const leak = r.dataReport.excluded.filter((e) => e.reasons.includes("leakage")).map((e) => e.field);
  if (leak.length > 0) facts.leakageFields = leak.join(", ");
  return facts;
}

/** The template: sections of the sample report, sentences only from `facts`. */
export function builtInSummary(r: Result, f: Record<string, string>): string {
  const lines: string[] = [];
  lines.push("EXECUTIVE SUMMARY", "");
  lines.push("Key findings");
  lines.push(
    `- ${f.records} customer records, ${f.responders} responders (${f.responseRate}); ${f.fieldsUsed} fields in the model.`,
  );
  lines.push(
    `- On ${f.holdoutRows} held-out records the model ranks a responder above a non-responder with AUC ${f.holdoutAuc} (95 % CI ${f.holdoutAucLower}–${f.holdoutAucUpper}).`,
  );
  lines.push(
    `- The top decile responds at ${f.topDecileRate}, a lift of ${f.topDecileLift}: the deployment gate (lift ${f.gateLift}) ${r.holdout.gate.pass ? "is met" : "is NOT met — do not deploy as is"}.`,
  );
  lines.push("", "Recommended targeting strategy");
  r.mailingPlan.tiers.forEach((_, i) => {
    const k = i + 1;
    lines.push(
      `- ${f[`tier${k}Name`]}: the ${k === 1 ? "top" : "next"} ${f[`tier${k}Share`]} of the file, ${f[`tier${k}Pieces`]} pieces, about ${f[`tier${k}Responses`]} responses (${f[`tier${k}Rate`]}).`,
    );
  });
  lines.push("", "Budget");
  if (f.bestDepth)
    lines.push(
      `- Mail the top ${f.bestDepth} (${f.bestDepthPieces} pieces, ${f.bestDepthCost}): about ${f.bestDepthResponses} responses, profit ${f.bestDepthProfit}, ROI ${f.bestDepthRoi}.`,
    );
  else lines.push("- No mailing depth is profitable at these costs and values.");
  r.mailingPlan.tiers.forEach((_, i) => {
    const k = i + 1;
    lines.push(`- ${f[`tier${k}Name`]} costs ${f[`tier${k}Cost`]}.`);
  });
  lines.push("", "Data insights");
  const top = [1, 2, 3]
    .filter((k) => f[`field${k}`])
    .map((k) => `${f[`field${k}`]} (${f[`field${k}Share`]})`);
  if (top.length > 0) lines.push(`- Strongest fields: ${top.join(", ")} of the model's importance.`);
  if (f.top3Share)
    lines.push(
      `- The top 3 fields give ${f.top3Share} of the best holdout performance${f.top5Share ? `, the top 5 ${f.top5Share}` : ""}.`,
    );
  if (f.leakageFields) lines.push(`- Left out as likely leakage: ${f.leakageFields}.`);
  return lines.join("\n");
}

const NUMBER_RE = /\d[\d,]*(?:\.\d+)?/g;
const numbersIn = (text: string) =>
  (text.match(NUMBER_RE) ?? []).map((t) => t.replace(/,/g, "").replace(/\.$/, "")).filter((t) => t !== "");

/** Numbers in `text` that none of the facts contains (the summary's "every number is in the results" rule). */
export function unsupportedNumbers(text: string, facts: Record<string, string>): string[] {
  const allowed = new Set(Object.values(facts).flatMap(numbersIn));
  // Section and tier words the prompt itself uses ("95 % CI", "Priority 1", "top 3") are not claims.
  for (const t of ["95", "1", "2", "3", "5", "10"]) allowed.add(t);
  return [...new Set(numbersIn(text).filter((n) => !allowed.has(n)))];
}

const SYSTEM =
  "You write the executive summary of a direct-mail response model for an agency's client. " +
  "Use the sections Key findings, Recommended targeting strategy, Budget, Data insights. " +
  "State only numbers that appear in the facts, written exactly as given; never compute or invent others.";

export async function executiveSummary(
  r: Result,
  ctx: { llm?: ModelLlm | undefined; signal: AbortSignal },
): Promise<ExecutiveSummary> {
  const facts = summaryFacts(r);
  const builtIn = () => builtInSummary(r, facts);
  const out = await withBuiltIn(
    { llm: ctx.llm as ModelLlm, signal: ctx.signal },
    async (llm) => {
      const a = await llm.generateText({
        task: "report",
        system: SYSTEM,
        prompt: "Write the executive summary from these facts (one per line, name: value).",
        data: [
          {
            name: "facts",
            text: Object.entries(facts)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n"),
          },
        ],
        maxOutputTokens: 800,
      });
      const invented = unsupportedNumbers(a.value, facts);
      if (invented.length > 0)
        throw new LlmError(
          "llm_output_invalid",
          `the summary states numbers not in the results: ${invented.join(", ")}`,
        );
      return a;
    },
    builtIn,
  );
  return {
    text: out.value,
    generatedBy: out.generatedBy,
    ...(out.fallbackReason ? { fallbackReason: out.fallbackReason } : {}),
  };
}
