import { type ComponentType, type LazyExoticComponent, lazy, Suspense } from "react";
import { type ResultViewName, resultViewOf } from "../../lib/model-views.ts";
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
 * Dedicated result views by the name a model declares, each its own lazy chunk. `generic` and
 * `optimizer` are drawn by RunResults itself, so a new model with only tables and charts needs
 * no web code.
 */
const VIEWS: Partial<Record<ResultViewName, View>> = {
  "tif-deal": lazy(() => import("./tif-deal.tsx")),
  "tif-comparison": lazy(() => import("./tif-comparison.tsx")),
  "tif-matrix": lazy(() => import("./tif-matrix.tsx")),
  "tif-montecarlo": lazy(() => import("./tif-montecarlo.tsx")),
  "tif-solve": lazy(() => import("./tif-solve.tsx")),
};

/** The dedicated view a model declares, if this app ships it. */
export function dedicatedViewOf(model: { view?: string | null }): View | undefined {
  return VIEWS[resultViewOf(model)];
}

export function ModelView({ view: View, ...props }: ModelViewProps & { view: View }) {
  return (
    <Suspense fallback={<Loading label="Loading the results view…" />}>
      <View {...props} />
    </Suspense>
  );
}
