import { formatValue } from "../format.ts";

/**
 * Whether less of an output is better: costs, debt service, financing, spend, shortfalls. Their
 * decreases are shown green and increases red (issue 18 item 11: a cost minimizer's saving was red).
 */
export function lowerIsBetter(path: string): boolean {
  const key = path.split(".").pop() ?? path;
  return /(cost|Cost|expense|Expense|spend|Spend|shortfall|Shortfall|penalty|Penalty|debtService|DebtService|interest|Interest|fee|Fee|vacancy|Vacancy|loss|Loss|payback|Payback|violation|Violation|makespan|Makespan|delay|Delay|risk|Risk)/.test(
    key,
  );
}

/** Green for a change for the better, red for worse, none for no change. */
export function deltaColor(path: string, absolute: number): string | undefined {
  if (absolute === 0) return undefined;
  const better = lowerIsBetter(path) ? absolute < 0 : absolute > 0;
  return better ? "green.9" : "red.8";
}

/** A change with its sign, in the unit's own terms: rates and returns in bps, money in money. */
export function formatDelta(absolute: number, unit: string | undefined, currency?: string): string {
  if (unit?.startsWith("fraction")) return formatValue(absolute * 10_000, "bps");
  const body = formatValue(Math.abs(absolute), unit, undefined, { currency, negatives: "minus" });
  return `${absolute > 0 ? "+" : absolute < 0 ? "−" : ""}${body}`;
}

/** Outputs that are solver detail, not results (IRR root lists and counts). */
export function isDetailPath(path: string): boolean {
  return /Roots?(\.\d+)?$|RootCount$/.test(path) || /Roots\.\d+$/.test(path);
}

/** Whether a model minimizes its objective: its declared "objective" column or KPI is a cost. */
export function objectiveIsCost(model: {
  kpis: { path: string; title: string }[];
  tables: { columns: { key: string; title: string }[] }[];
}): boolean {
  const titles = [
    ...model.kpis.filter((k) => /(^|\.)objective$/.test(k.path)).map((k) => k.title),
    ...model.tables.flatMap((t) => t.columns.filter((c) => c.key === "objective").map((c) => c.title)),
  ];
  return titles.some((t) => /cost|expense|spend/i.test(t));
}
