import type { DocumentContent, DocumentDescriptor } from "@modelworks/model-kit";
import type { DebtStackInputParsed, DebtStackOutputT } from "./schema.ts";

/**
 * The indicative term sheet of a debt-stack run as a document (PDF or Word through the
 * platform's exports): sources and uses (gross: financing fees are a use), one section per funded
 * tranche with its pricing, terms and fees (origination % and fixed), tranches left out, hedges,
 * and the covenants the stack was sized against. Numbers come from the run's
 * `termSheet` and `kpis`; nothing is recomputed here. An infeasible run has no term sheet.
 */
export function debtStackTermSheet(
  out: DebtStackOutputT,
  input: DebtStackInputParsed,
): DocumentContent | null {
  const ts = out.termSheet;
  const k = out.kpis;
  if (!ts || !k) return null;
  const ccy = out.currency;
  const money = (label: string, value: number) => ({
    label,
    value,
    unit: ccy,
    format: "currency" as const,
    decimals: 0,
  });
  const pct = (label: string, value: number | null, decimals = 2) => ({
    label,
    value,
    unit: "fraction",
    format: "percent" as const,
    decimals,
  });
  const shareTable = (rows: { item: string; amount: number; share: number }[]) => ({
    kind: "table" as const,
    columns: [
      { key: "item", title: "Item", format: "text" as const },
      { key: "amount", title: "Amount", unit: ccy, format: "currency" as const, decimals: 0 },
      { key: "share", title: "Share", unit: "fraction", format: "percent" as const, decimals: 2 },
    ],
    rows,
  });
  const funded = ts.tranches.filter((t) => t.amount > 0);
  const unused = ts.tranches.filter((t) => !(t.amount > 0));
  const scenarios = input.rateScenarios.map((s) => s.id);
  return {
    title: `Indicative term sheet — ${out.objective === "worst-case" ? "worst-case" : "expected"} cost stack`,
    blocks: [
      {
        kind: "paragraph",
        text:
          `Acquisition at ${ccy} ${Math.round(input.purchasePrice).toLocaleString("en-US")} funded with ` +
          `${funded.length} debt tranche${funded.length === 1 ? "" : "s"} and equity. ${out.statusLabel}`,
      },
      { kind: "heading", text: "Summary", level: 2 },
      {
        kind: "fields",
        rows: [
          money("Total uses", k.uses),
          money("Equity", k.equity),
          money("Total debt", k.totalDebt),
          money("Financing fees (origination + fixed)", k.financingFees),
          money("Net debt proceeds (after fees)", k.netDebtProceeds),
          pct("Loan-to-value", k.ltv),
          pct("Loan-to-cost", k.ltc),
          pct("Blended rate (expected)", k.blendedRate, 3),
          money("Expected annual financing cost", k.expectedAnnualCost),
          money("Worst-case annual financing cost", k.worstCaseAnnualCost),
          { label: "Minimum DSCR", value: k.minDscr, unit: "x", format: "number", decimals: 2 },
          pct("Year-1 debt yield", k.year1DebtYield),
          pct("Fixed or hedged share of debt at closing", k.fixedOrHedgedShare),
          pct("Lowest fixed or hedged share (any year, scenario)", k.minFixedOrHedgedShare),
        ],
      },
      { kind: "heading", text: "Sources", level: 2 },
      shareTable(ts.sources),
      { kind: "heading", text: "Uses", level: 2 },
      shareTable(ts.uses),
      { kind: "chart", chart: "stack" },
      { kind: "heading", text: "Tranches", level: 2 },
      ...funded.flatMap((t) => [
        { kind: "heading" as const, text: `${t.name} (${t.trancheId})`, level: 3 as const },
        {
          kind: "fields" as const,
          rows: [
            money("Amount", t.amount),
            { label: "Pricing", value: t.pricing },
            { label: "Term", value: t.termMonths, unit: "months", format: "integer" as const },
            { label: "Interest-only period", value: t.ioMonths, unit: "months", format: "integer" as const },
            t.amortizationMonths === null
              ? { label: "Amortization", value: "none (interest-only to maturity)" }
              : {
                  label: "Amortization",
                  value: t.amortizationMonths,
                  unit: "months",
                  format: "integer" as const,
                },
            ...(t.minAmount > 0 ? [money("Minimum amount", t.minAmount)] : []),
            pct(`Origination fee rate`, t.originationFeeRate, 3),
            money("Origination fee", t.upfrontFee),
            money("Fixed fee", t.fixedFee),
            money("Total fees", t.totalFees),
            ...scenarios.map((s) => money(`Balance at horizon (${s})`, t.balanceAtHorizonByScenario[s] ?? 0)),
          ],
        },
      ]),
      ...(unused.length
        ? [
            {
              kind: "paragraph" as const,
              text:
                "Not used: " +
                unused
                  .map(
                    (t) =>
                      `${t.name} (${t.trancheId}${t.minAmount > 0 ? `, minimum ${ccy} ${Math.round(t.minAmount).toLocaleString("en-US")}` : ""})`,
                  )
                  .join("; ") +
                ".",
            },
          ]
        : []),
      { kind: "heading" as const, text: "Fees", level: 2 as const },
      {
        kind: "fields" as const,
        rows: [
          money("Origination fees", ts.fees.origination),
          money("Fixed fees (tranches used)", ts.fees.fixed),
          money("Total financing fees", ts.fees.total),
        ],
      },
      ...(ts.hedges.length
        ? [
            { kind: "heading" as const, text: "Hedges", level: 2 as const },
            {
              kind: "table" as const,
              columns: [
                { key: "hedgeId", title: "Hedge", format: "text" as const },
                { key: "description", title: "Terms", format: "text" as const },
                { key: "notional", title: "Notional", unit: ccy, format: "currency" as const, decimals: 0 },
              ],
              rows: ts.hedges,
            },
          ]
        : []),
      { kind: "heading", text: "Covenants", level: 2 },
      {
        kind: "fields",
        rows: [
          pct("Maximum LTV", ts.covenants.maxLtv),
          pct("Maximum LTC", ts.covenants.maxLtc),
          { label: "Minimum DSCR", value: ts.covenants.minDscr, unit: "x", format: "number", decimals: 2 },
          pct("Minimum debt yield", ts.covenants.minDebtYield),
          pct("Minimum fixed or hedged share", ts.covenants.minFixedShare),
        ],
      },
      {
        kind: "paragraph",
        text:
          "Indicative only: amounts are the optimizer's sizing under the stated covenants and rate scenarios " +
          "(" +
          scenarios.join(", ") +
          "), not a lender's commitment.",
      },
    ],
  };
}

export const debtStackTermSheetDocument: DocumentDescriptor<DebtStackOutputT, DebtStackInputParsed> = {
  name: "term-sheet",
  title: "Indicative term sheet",
  summary: "Sources and uses, tranche pricing and terms, hedges and covenants of the optimal stack.",
  build: debtStackTermSheet,
};
