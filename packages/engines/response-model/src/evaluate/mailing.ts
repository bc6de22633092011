/**
 * The mailing plan: how deep into a file to mail, from the model's cumulative-gains curve and
 * the campaign's economics. At depth d (share of the file, best-scored first) with N records:
 *   pieces = round(N·d), cost = pieces × cost per piece,
 *   expected responses = N × base rate × capture(d),
 * where the base rate is the response rate expected on the mailed file (the training file's
 * rate by default — give the campaign's real rate when the training file was enriched, as the
 * sample's 28 % was) and capture(d) comes from the gains curve. Revenue = responses × value per
 * response; profit = revenue − cost; ROI = profit / cost.
 */
import { captureAt, type GainsPoint } from "./curves.ts";

export interface MailingTier {
  name: string;
  /** Share of the file in this tier, percent; tiers follow each other from the top. */
  sharePct: number;
}

/** The sample report's tiers: Priority 1 = top 15 %, Priority 2 = next 25 %. */
export const DEFAULT_TIERS: MailingTier[] = [
  { name: "Priority 1", sharePct: 15 },
  { name: "Priority 2", sharePct: 25 },
];

export interface MailingPlanInput {
  fileSize: number;
  costPerPieceUsd: number;
  valuePerResponseUsd: number;
  budgetUsd?: number;
  /** Cumulative gains of the model (holdout), e.g. `gainsCurve(y, p, 100)`. */
  gains: GainsPoint[];
  /** Response rate expected on the mailed file, 0–1. */
  baseRate: number;
  /** Depth step in percent (5 → 5 %, 10 %, … 100 %; 10 = by decile). */
  stepPct?: number;
  tiers?: MailingTier[];
}

export interface MailingDepthRow {
  depthPct: number;
  pieces: number;
  costUsd: number;
  expectedResponses: number;
  responseRate: number;
  /** Response rate / base rate (null at a zero base rate). */
  lift: number | null;
  /** null when no response is expected. */
  costPerResponseUsd: number | null;
  revenueUsd: number;
  profitUsd: number;
  /** profit / cost (null when nothing is mailed). */
  roi: number | null;
  withinBudget: boolean;
}

export interface MailingTierRow extends Omit<MailingDepthRow, "depthPct" | "withinBudget"> {
  name: string;
  fromPct: number;
  toPct: number;
}

export interface MailingPlan {
  rows: MailingDepthRow[];
  /** The depth of largest profit among the rows (null when no depth makes a profit). */
  bestDepth: MailingDepthRow | null;
  /** The same within the budget (null without a budget, or when nothing affordable profits). */
  bestDepthWithinBudget: MailingDepthRow | null;
  tiers: MailingTierRow[];
}

function economics(input: MailingPlanInput, fromDepth: number, toDepth: number) {
  const pieces = Math.round(input.fileSize * toDepth) - Math.round(input.fileSize * fromDepth);
  const costUsd = pieces * input.costPerPieceUsd;
  const expectedResponses =
    input.fileSize * input.baseRate * (captureAt(input.gains, toDepth) - captureAt(input.gains, fromDepth));
  const responseRate = pieces === 0 ? 0 : expectedResponses / pieces;
  const revenueUsd = expectedResponses * input.valuePerResponseUsd;
  const profitUsd = revenueUsd - costUsd;
  return {
    pieces,
    costUsd,
    expectedResponses,
    responseRate,
    lift: input.baseRate === 0 ? null : responseRate / input.baseRate,
    costPerResponseUsd: expectedResponses === 0 ? null : costUsd / expectedResponses,
    revenueUsd,
    profitUsd,
    roi: costUsd === 0 ? null : profitUsd / costUsd,
  };
}

export function mailingPlan(input: MailingPlanInput): MailingPlan {
  const step = input.stepPct ?? 5;
  if (!(step > 0 && step <= 100)) throw new Error(`depth step ${step} % must be in (0, 100]`);
  const rows: MailingDepthRow[] = [];
  for (let k = 1; k * step <= 100 + 1e-9; k++) {
    const depthPct = Math.min(100, k * step);
    const e = economics(input, 0, depthPct / 100);
    rows.push({
      depthPct,
      ...e,
      withinBudget: input.budgetUsd === undefined || e.costUsd <= input.budgetUsd,
    });
  }
  const best = (candidates: MailingDepthRow[]) =>
    candidates.reduce<MailingDepthRow | null>(
      (b, r) => (r.profitUsd > 0 && (b === null || r.profitUsd > b.profitUsd) ? r : b),
      null,
    );
  const tiers: MailingTierRow[] = [];
  let from = 0;
  for (const t of input.tiers ?? DEFAULT_TIERS) {
    const to = Math.min(100, from + t.sharePct);
    tiers.push({ name: t.name, fromPct: from, toPct: to, ...economics(input, from / 100, to / 100) });
    from = to;
  }
  return {
    rows,
    bestDepth: best(rows),
    bestDepthWithinBudget: input.budgetUsd === undefined ? null : best(rows.filter((r) => r.withinBudget)),
    tiers,
  };
}
