// Business language for what the models declare (issue 18 item 12): help text written for
// developers ("null = none") read as an analyst expects, and a glossary of the terms a model's
// explanation cannot avoid. Pure; used by the form, the result panels and the catalog.

/** Terms a result or a help text may use, each explained in one sentence. */
export const GLOSSARY: { term: string; meaning: string }[] = [
  {
    term: "Binding constraint",
    meaning: "A limit the plan uses up completely; loosening it could improve the result.",
  },
  {
    term: "Shadow price",
    meaning:
      "How much the objective would change per unit of a limit, while the limit stays in the range shown.",
  },
  {
    term: "bps (basis points)",
    meaning: "Hundredths of a percentage point: 150 bps = 1.50 percentage points.",
  },
  { term: "DSCR", meaning: "Debt service coverage ratio: net operating income divided by debt service." },
  {
    term: "LTV / LTC",
    meaning: "Loan to value / loan to cost: the loan as a share of the property's value or cost.",
  },
  { term: "IRR (levered)", meaning: "The internal rate of return on the equity after debt flows." },
  {
    term: "MIRR",
    meaning: "The modified IRR: cash flows reinvested and financed at stated rates; one answer always.",
  },
  {
    term: "TIF",
    meaning: "Tax increment financing: the city returns part of the property tax increase to the project.",
  },
  { term: "AMI", meaning: "Area median income; affordable rents are set for households at a share of it." },
  { term: "WAULT", meaning: "Weighted average unexpired lease term, in months." },
  {
    term: "Smallest relaxation",
    meaning: "When no plan is possible: the least change to the limits that would make one possible.",
  },
  {
    term: "Conflicting limits",
    meaning: "The smallest set of limits that cannot all hold at once (the solver's IIS).",
  },
  {
    term: "Optimality gap",
    meaning: "How far the plan may be from the best possible one when the solver stops.",
  },
  {
    term: "Yield ratio search",
    meaning: "The method that finds the best ratio (such as yield on cost) exactly.",
  },
];

/** Solver and method names as a person reads them. */
const TERMS: [RegExp, string][] = [
  [/\bHiGHS getFixedLp\b/g, "the plan's fixed-integer pricing"],
  [/\bHiGHS\b/g, "the optimization solver"],
  [/\bDinkelbach\b/g, "yield ratio search"],
  [/\bIIS\b/g, "conflicting limits"],
  [/\bMIP gap\b/gi, "optimality gap"],
];

/**
 * Help text in business language: "null = none" → "Leave empty for none", "null: no limit" →
 * "Empty: no limit", solver names replaced. Text without such phrases is unchanged.
 */
export function plainHelp(text: string | undefined | null): string | undefined {
  if (!text) return undefined;
  let t = text
    .replace(/;?\s*null\s*=\s*/g, (m) => `${m.startsWith(";") ? ". " : ""}Leave empty for `)
    .replace(/;?\s*null:\s*/g, (m) => `${m.startsWith(";") ? ". " : ""}Empty: `);
  for (const [re, plain] of TERMS) t = t.replace(re, plain);
  return t.charAt(0).toUpperCase() + t.slice(1);
}
