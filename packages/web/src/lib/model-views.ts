/**
 * Which models have a dedicated result view (components/model-views: one lazy chunk each). The
 * rest, and tif@1 (no annual summary), get the generic view.
 */
export const DEDICATED_VIEWS = [
  "tif",
  "tif-comparison",
  "tif-incentive-matrix",
  "tif-montecarlo",
  "tif-solve",
] as const;
export type DedicatedView = (typeof DEDICATED_VIEWS)[number];

export function dedicatedViewOf(modelId: string, output: unknown): DedicatedView | undefined {
  if (!(DEDICATED_VIEWS as readonly string[]).includes(modelId)) return undefined;
  if (modelId === "tif" && !(output && typeof output === "object" && "annual" in output)) return undefined;
  return modelId as DedicatedView;
}

/** Basis points with a sign, one decimal: the way the TIF program states its +150 bps target. */
export function formatBps(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const abs = Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${abs} bps`;
}
