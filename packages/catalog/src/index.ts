import { contentIntel } from "@modelworks/engine-content-intel";
import { dashboardPlanner } from "@modelworks/engine-dashboard-planner";
import {
  capexPhasingV2,
  dealPickerV2,
  dealPickerV3,
  debtStackV3,
  leasingMixV2,
} from "@modelworks/engine-optimizers";
import { responseModel } from "@modelworks/engine-response-model";
import { llmBrief, monteCarloSum, presentationTest } from "@modelworks/engine-testbench";
import {
  TIF_REFERENCE_DATASETS,
  tifComparisonModel,
  tifIncentiveMatrixModel,
  tifLumpSumModel,
  tifMonteCarlo,
  tifSolveModel,
  tifV1,
  tifV2,
} from "@modelworks/engine-tif";
import type { AnyModel, ReferenceDataset } from "@modelworks/model-kit";

/**
 * The models this build hosts. An id may have several versions (e.g. a prototype-exact v1
 * beside a corrected v2); runs record the version they ran. Add an engine here to host it.
 */
export const MODELS: readonly AnyModel[] = [
  monteCarloSum,
  llmBrief,
  presentationTest,
  tifV1,
  tifV2,
  tifComparisonModel,
  tifIncentiveMatrixModel,
  tifLumpSumModel,
  tifSolveModel,
  tifMonteCarlo,
  dealPickerV2,
  dealPickerV3,
  leasingMixV2,
  debtStackV3,
  capexPhasingV2,
  contentIntel,
  dashboardPlanner,
  responseModel,
];

/** Reference datasets the hosted engines read (`ctx.data`); the server resolves them before a run. */
export const REFERENCE_DATASETS: readonly ReferenceDataset[] = [...TIF_REFERENCE_DATASETS];

export class Catalog {
  private readonly byId = new Map<string, AnyModel[]>();

  constructor(models: readonly AnyModel[]) {
    for (const m of models) {
      const versions = this.byId.get(m.id) ?? [];
      if (versions.some((v) => v.version === m.version))
        throw new Error(`Duplicate model ${m.id}@${m.version}`);
      versions.push(m);
      versions.sort((a, b) => compareSemver(b.version, a.version));
      this.byId.set(m.id, versions);
    }
  }

  /** The requested version, or the newest when none is given; undefined when unknown. */
  find(id: string, version?: string): AnyModel | undefined {
    const versions = this.byId.get(id);
    return version ? versions?.find((m) => m.version === version) : versions?.[0];
  }

  versions(id: string): AnyModel[] {
    return this.byId.get(id) ?? [];
  }

  /** Newest version of every model; `internal` ones only when asked for. */
  list(opts: { includeInternal?: boolean } = {}): AnyModel[] {
    return [...this.byId.values()].map((v) => v[0]!).filter((m) => opts.includeInternal || !m.internal);
  }
}

export const catalog = new Catalog(MODELS);

function compareSemver(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => (Number.isNaN(Number(x)) ? x : Number(x)));
  const pb = b.split(/[.-]/).map((x) => (Number.isNaN(Number(x)) ? x : Number(x)));
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] as number) - (pb[i] as number);
    if (d !== 0) return d;
  }
  // A pre-release sorts before its release.
  if (pa.length !== pb.length) return pa.length === 3 ? 1 : pb.length === 3 ? -1 : 0;
  return String(pa.slice(3)).localeCompare(String(pb.slice(3)));
}
