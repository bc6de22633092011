/**
 * The result views this app ships, by the names models declare (`view` in defineModel, published
 * by GET /models/{id}). `generic` draws KPIs and the declared charts and tables; `optimizer` adds
 * the optimizers' shared explanation; the rest are dedicated views (components/model-views, one
 * lazy chunk each). A name this build does not know (a newer engine's view) gets the generic view.
 */
export const RESULT_VIEWS = [
  "generic",
  "optimizer",
  "tif-deal",
  "tif-comparison",
  "tif-matrix",
  "tif-montecarlo",
  "tif-solve",
] as const;
export type ResultViewName = (typeof RESULT_VIEWS)[number];

export function resultViewOf(model: { view?: string | null }): ResultViewName {
  return (RESULT_VIEWS as readonly string[]).includes(model.view ?? "")
    ? (model.view as ResultViewName)
    : "generic";
}

/** Basis points with a sign, one decimal: the way the TIF program states its +150 bps target. */
export function formatBps(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const abs = Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${abs} bps`;
}

/**
 * tif-solve's badge agrees with the solver: a gap within the search's tolerance of the target
 * (+149.9 against +150 with 0.1 bps) is the target met, as the "solved" status says (issue 18
 * item 10).
 */
export function solveMeetsTarget(o: {
  gapBpsAtValue: number | null;
  targetIrrGapBps: number;
  toleranceBps: number;
}): boolean {
  if (o.gapBpsAtValue === null) return false;
  // 1e-9 bps absorbs the float noise of gap − target at exactly the tolerance.
  return o.gapBpsAtValue >= o.targetIrrGapBps - Math.abs(o.toleranceBps) - 1e-9;
}
