/**
 * What a solve returns. Plain data (structured-clonable, JSON-safe: unbounded range ends and
 * missing limits are `null`, never `Infinity`).
 */

export type SolveStatus =
  | "optimal"
  | "infeasible"
  | "unbounded"
  /** HiGHS proved "infeasible or unbounded" and could not tell which even without presolve. */
  | "infeasible_or_unbounded"
  | "time_limit"
  | "iteration_limit"
  | "interrupted"
  /** Stopped by another HiGHS limit (objective bound/target, solution limit). */
  | "other_limit"
  | "empty"
  | "error";

export interface SolveOptions {
  /** HiGHS `time_limit` (seconds of solver time). Default: none. */
  timeLimitSeconds?: number | undefined;
  /** HiGHS `mip_rel_gap`. Default 1e-4 (HiGHS default). */
  mipRelGap?: number | undefined;
  /** LP only: compute ranging (validity ranges of prices and costs). Default true. */
  ranging?: boolean | undefined;
  /**
   * MIP only: also report duals of the LP obtained by fixing the integer variables at their
   * incumbent values (labelled `basis: "mip-integers-fixed"`). Default false.
   */
  mipFixedDuals?: boolean | undefined;
  /** For infeasible models: compute an IIS. Default true. */
  iis?: boolean | undefined;
  /** For infeasible models: compute the feasibility relaxation. Default true. */
  relaxation?: boolean | undefined;
  /** Penalty per unit of constraint violation when a constraint sets none. Default 1. */
  defaultRelaxPenalty?: number | undefined;
  /** Slack at or below `bindingTolerance · max(1, |limit|)` counts as binding. Default 1e-6. */
  bindingTolerance?: number | undefined;
  /** HiGHS `random_seed`. */
  randomSeed?: number | undefined;
  /**
   * HiGHS `presolve`. Default "choose". Presolve can dominate on large, easy models (e.g. a
   * 10,000-deal knapsack with dense cap rows), where "off" is several times faster.
   */
  presolve?: "choose" | "on" | "off" | undefined;
  /**
   * Power-of-two scaling of rows and continuous columns before HiGHS sees a model that is not
   * well scaled (decision 0059; answers are mapped back exactly). Default true. HiGHS's MIP
   * returned worse plans as optimal on Deal Picker's AED rows without it; `false` keeps the model
   * as given, for an engine measured to be right and faster so (Capex Phasing: decision 0059).
   */
  scale?: boolean | undefined;
  /**
   * MIP only: HiGHS's feasibility-jump primal heuristic (`mip_heuristic_run_feasibility_jump`).
   * Default: off for models of at most `SMALL_MIP_COLUMNS` (200) variables, where its set-up
   * costs more than the whole solve and HiGHS proves the optimum at the root anyway; on above.
   */
  feasibilityJump?: boolean | undefined;
  /**
   * MIP only: a starting plan by variable name, e.g. the base plan when re-solving a what-if.
   * Variables it leaves out are completed by HiGHS (with the given values fixed). HiGHS checks the
   * start and, if feasible, keeps it as the first incumbent (an infeasible start is ignored), so a
   * relaxed variant cannot come back worse than the start even when stopped by the time limit.
   */
  start?: Readonly<Record<string, number>> | undefined;
  /**
   * MIP only: MIPs with at most 16 integer variables (finite bounds) are answered by an LP-based
   * branch and bound (branch.ts, decision 0057) before HiGHS's MIP, which answers when it cannot
   * finish: the optimum within 1e-9 relative (never worse than HiGHS's plan within `mipRelGap`),
   * continuous values from the LP with the integers fixed. Default true; false: HiGHS's MIP.
   */
  branchAndBound?: boolean | undefined;
  /**
   * MIP only: reduced-cost fixing before the MIP (see fixing.ts). Solves the LP relaxation, takes
   * a plan from a restricted MIP (only the `freeIntegers` integer variables with the smallest LP
   * reduced costs free; default max(100, 5 % of the integers)), then fixes every integer variable
   * whose reduced cost proves it cannot differ in any plan at least as good as that one, and solves
   * what is left. Exact: the optimum (and the gap semantics) are those of the full MIP. Pays off
   * on large models with a tight LP bound (knapsack-like: 10,000 binaries, few rows); useless when
   * the LP bound is weak. Falls back to the plain MIP when it cannot apply (LP not optimal,
   * infinite bounds in the way, no plan from the restricted MIP). Pure-integer models of at most
   * 64 integer variables are searched to the end with the LP's bound (search.ts) instead of by
   * HiGHS's MIP, unless `search` is false.
   */
  reducedCostFixing?:
    | boolean
    | { freeIntegers?: number | undefined; search?: boolean | undefined }
    | undefined;
}

/** What reduced-cost fixing did (`SolveResult.mip.reducedCostFixing`). */
export interface ReducedCostFixingReport {
  /** Objective of the LP relaxation. */
  lpObjective: number;
  /** Bound on every integer plan computed from the LP duals (the LP optimum up to tolerances). */
  lpBound: number;
  /** Objective of the plan the proof used (from the restricted MIP). */
  incumbent: number;
  /** Integer variables of the model. */
  integers: number;
  /** Integer variables left free in the restricted MIP. */
  restrictedFree: number;
  /** Integer variables fixed by the proof (|reduced cost| > bound − incumbent). */
  fixed: number;
  /** Integer (non-binary) variables whose range the proof narrowed without fixing them. */
  tightened: number;
  /** Integer variables free in the MIP whose answer is returned. */
  free: number;
  /** The proof fixed everything the restriction fixed: the restricted MIP's answer is final. */
  restrictedWasFinal: boolean;
  /**
   * Present when the small-model search (search.ts) found the plan instead of HiGHS's MIP: its
   * nodes. The restriction was then the whole model; `fixed` and `free` are the proof's at the
   * optimum.
   */
  searchNodes?: number;
}

export interface ConstraintReport {
  constraint: string;
  unit: string | null;
  activity: number;
  lower: number | null;
  upper: number | null;
  /** Distance of the activity to the binding or nearest finite limit; `null` for a free row. */
  slack: number | null;
  binding: boolean;
  /** Which limit binds (or, if none binds, is nearest). `equality` for lower = upper. */
  limit: "lower" | "upper" | "equality" | null;
}

/**
 * The shadow price of one constraint: `pricePerUnit` is the change of the objective (in the
 * objective's own sense and unit) when the constraint's `limit` is raised by +1 of its unit,
 * valid while the limit stays within [validFrom, validTo]. For min and max alike.
 */
export interface ConstraintDual {
  constraint: string;
  unit: string | null;
  objectiveUnit: string | null;
  /** Which limit the price refers to; `equality` moves both. */
  limit: "lower" | "upper" | "equality";
  limitValue: number;
  pricePerUnit: number;
  /** Lowest limit value for which the price holds (`null`: unbounded). */
  validFrom: number | null;
  /** Highest limit value for which the price holds (`null`: unbounded). */
  validTo: number | null;
  /** Objective value with the limit at `validFrom` / `validTo` (when finite). */
  objectiveAtValidFrom: number | null;
  objectiveAtValidTo: number | null;
  binding: boolean;
}

/** Reduced cost and cost ranging of one variable. */
export interface VariableSensitivity {
  variable: string;
  unit: string | null;
  value: number;
  /** Where the variable sits in the optimal basis. */
  position: "basic" | "at_lower" | "at_upper" | "fixed" | "free_nonbasic";
  /**
   * Change of the objective per +1 of the variable's active bound (equivalently, per unit the
   * variable is pushed into its feasible range from that bound). 0 for basic variables.
   */
  reducedCost: number;
  cost: number;
  /** The current solution stays optimal while the cost stays within [costFrom, costTo]. */
  costFrom: number | null;
  costTo: number | null;
}

export interface DualReport {
  /** `lp`: the model is an LP. `mip-integers-fixed`: the LP with integers fixed at the incumbent. */
  basis: "lp" | "mip-integers-fixed";
  constraints: ConstraintDual[];
  variables: VariableSensitivity[];
  /** True if ranging was computed (validFrom/To, costFrom/To are filled). */
  ranged: boolean;
}

export interface IisReport {
  /** Whether HiGHS proved the subset irreducible (every member marked "in conflict"). */
  irreducible: boolean;
  constraints: {
    constraint: string;
    unit: string | null;
    limit: "lower" | "upper" | "both";
    lower: number | null;
    upper: number | null;
  }[];
  bounds: {
    variable: string;
    unit: string | null;
    bound: "lower" | "upper" | "both";
    lower: number | null;
    upper: number | null;
  }[];
}

export interface RelaxationChange {
  kind: "constraint" | "bound";
  /** Constraint or variable name. */
  name: string;
  unit: string | null;
  limit: "lower" | "upper";
  current: number;
  /** The limit that makes the relaxed plan feasible. */
  required: number;
  /** required − current (positive: raise the limit). */
  change: number;
  penalty: number;
}

export interface RelaxationReport {
  /** Σ penalty · |change| — the minimum total weighted violation. */
  totalPenalty: number;
  changes: RelaxationChange[];
  /** The plan that is feasible once the changes are applied. */
  values: Record<string, number>;
  /** Original objective evaluated at the relaxed plan. */
  objective: number;
}

export interface InfeasibilityReport {
  iis: IisReport | null;
  /** Why the IIS is missing, if it is. */
  iisNote?: string;
  relaxation: RelaxationReport | null;
  relaxationNote?: string;
}

export interface SolveResult {
  status: SolveStatus;
  /** HiGHS's model status, for logs. */
  highsStatus: string;
  kind: "lp" | "mip";
  /** A primal feasible solution is available (optimal, or the best incumbent at a limit). */
  hasSolution: boolean;
  objective: number | null;
  objectiveUnit: string | null;
  /** Values by variable name (integers snapped to whole numbers within 1e-6). */
  values: Record<string, number>;
  /** Values in variable order (same numbers as `values`). */
  primal: number[];
  /** Activity, slack and binding flag of every constraint (when a solution exists). */
  constraints: ConstraintReport[];
  /** Names of binding constraints. */
  binding: string[];
  /** MIP only. `gap` is HiGHS's relative gap |incumbent − bound| / |incumbent|. */
  mip: {
    gap: number | null;
    bestBound: number | null;
    nodes: number;
    /** Present when `reducedCostFixing` was applied. */
    reducedCostFixing?: ReducedCostFixingReport;
    /**
     * Present when LP relaxations answered a re-solve from a start (start-proof.ts): the start
     * proven optimal, or the model infeasible; `lps` is how many LPs that took.
     */
    lpProof?: { lps: number };
    /**
     * Present when the LP-based branch and bound for few integers (branch.ts, decision 0057)
     * answered instead of HiGHS's MIP: its nodes and LPs (`nodes` above is the same count).
     */
    branchAndBound?: { nodes: number; lps: number };
  } | null;
  duals: DualReport | null;
  infeasibility: InfeasibilityReport | null;
  solveMs: number;
}
