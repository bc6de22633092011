import { type ComponentType, type LazyExoticComponent, lazy, Suspense } from "react";
import { type DedicatedView, dedicatedViewOf } from "../../lib/model-views.ts";
import type { Model, Run } from "../../types.ts";
import { Loading } from "../states.tsx";

/** What a dedicated result view gets: the run, its output and the model's descriptors. */
export interface ModelViewProps {
  run: Run;
  model: Model;
  output: Record<string, unknown>;
  currency: string;
}

type View = LazyExoticComponent<ComponentType<ModelViewProps>>;

/**
 * Dedicated result views by model id, each its own lazy chunk. A model without one is shown by
 * the generic view (KPIs, declared tables and charts), so a new model still needs no web code.
 */
const VIEWS: Record<DedicatedView, View> = {
  tif: lazy(() => import("./tif-deal.tsx")),
  "tif-comparison": lazy(() => import("./tif-comparison.tsx")),
  "tif-incentive-matrix": lazy(() => import("./tif-matrix.tsx")),
  "tif-montecarlo": lazy(() => import("./tif-montecarlo.tsx")),
  "tif-solve": lazy(() => import("./tif-solve.tsx")),
};

/** The dedicated view of a model (tif: only tif@2, whose output has the annual summary), if any. */
export function modelViewFor(modelId: string, output: unknown): View | undefined {
  const id = dedicatedViewOf(modelId, output);
  return id ? VIEWS[id] : undefined;
}

export function ModelView({ view: View, ...props }: ModelViewProps & { view: View }) {
  return (
    <Suspense fallback={<Loading label="Loading the results view…" />}>
      <View {...props} />
    </Suspense>
  );
}
