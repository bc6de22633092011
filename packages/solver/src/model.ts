/**
 * The solver's model: a plain, structured-clonable description of an LP or MILP that travels to a
 * worker thread. Human names and units are metadata only — HiGHS sees generated identifiers
 * (c0, c1, … / r0, r1, …) and numeric arrays, never user strings (docs/decisions/0007).
 */

export type Sense = "min" | "max";

export interface VariableSpec {
  /** Human name, unique within the model (keys `values` in the result). Never sent to HiGHS. */
  name: string;
  /** Lower bound; `-Infinity` for none. */
  lower: number;
  /** Upper bound; `Infinity` for none. */
  upper: number;
  integer: boolean;
  /** Objective coefficient. */
  cost: number;
  unit?: string | undefined;
  /**
   * Penalty per unit of violating this variable's bounds in the feasibility relaxation.
   * Absent or `null`: the bounds are hard (never relaxed).
   */
  boundPenalty?: number | null | undefined;
}

export interface ConstraintSpec {
  /** Human name, unique within the model. Never sent to HiGHS. */
  name: string;
  /** Column indices (into `variables`), no duplicates. */
  vars: number[];
  /** Coefficients, parallel to `vars`. */
  coefs: number[];
  /** Lower limit of the row activity; `-Infinity` for none. */
  lower: number;
  /** Upper limit of the row activity; `Infinity` for none. */
  upper: number;
  /** Unit of the row activity and its limits, e.g. "AED" or "months". */
  unit?: string | undefined;
  /**
   * Penalty per unit of violation in the feasibility relaxation. Absent: the solve option's
   * default (1). `null`: the constraint is hard (never relaxed).
   */
  relaxPenalty?: number | null | undefined;
}

export interface ModelSpec {
  sense: Sense;
  /** Unit of the objective, e.g. "AED/yr"; shadow prices are objective units per constraint unit. */
  objectiveUnit?: string | undefined;
  /** Constant added to the objective. */
  objectiveOffset: number;
  variables: VariableSpec[];
  constraints: ConstraintSpec[];
}

/** The objective of `x` in the model's own sense, offset included (a plain loop: it runs per node). */
export function objectiveOf(spec: ModelSpec, x: ArrayLike<number>): number {
  let z = spec.objectiveOffset;
  for (let j = 0; j < spec.variables.length; j++) z += spec.variables[j]!.cost * x[j]!;
  return z;
}

export class SolverModelError extends Error {
  override readonly name = "SolverModelError";
}

/** A handle to a variable of a `ModelBuilder`; only its index reaches the solver. */
export interface Var {
  readonly index: number;
  readonly name: string;
}

export type Terms = ReadonlyArray<readonly [Var, number]> | ReadonlyMap<Var, number>;

export interface VariableInput {
  name: string;
  /** Default 0. */
  lower?: number;
  /** Default +Infinity (1 for `binary`). */
  upper?: number;
  integer?: boolean;
  /** Shorthand for integer in [0, 1]. */
  binary?: boolean;
  /** Objective coefficient, default 0. */
  cost?: number;
  unit?: string;
  boundPenalty?: number | null;
}

export interface ConstraintInput {
  name: string;
  terms: Terms;
  /** Default -Infinity. */
  lower?: number;
  /** Default +Infinity. */
  upper?: number;
  unit?: string;
  relaxPenalty?: number | null;
}

/** `what` names the number in the error; a function, so that no message is built for a valid one. */
function checkNumber(what: () => string, v: number, allowInfinite: boolean) {
  if (typeof v !== "number" || Number.isNaN(v)) throw new SolverModelError(`${what()} must be a number.`);
  if (!allowInfinite && !Number.isFinite(v)) throw new SolverModelError(`${what()} must be finite.`);
}

/**
 * Whether `checkNumber` would throw: tested first, so that the hot path of a model build (every
 * number valid) allocates no closure for the message.
 */
const invalid = (v: number, allowInfinite: boolean) =>
  typeof v !== "number" || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v));

/**
 * Builds a `ModelSpec`. Coefficients of a variable repeated in one constraint are summed.
 *
 * ```ts
 * const m = new ModelBuilder("max", { objectiveUnit: "$" });
 * const x = m.variable({ name: "doors", cost: 3 });
 * m.constraint({ name: "plant 1", terms: [[x, 1]], upper: 4, unit: "hours" });
 * ```
 */
export class ModelBuilder {
  readonly #variables: VariableSpec[] = [];
  readonly #constraints: ConstraintSpec[] = [];
  readonly #varNames = new Set<string>();
  readonly #rowNames = new Set<string>();
  readonly #vars: Var[] = [];
  /** Per variable: its position in the row being added, or −1 (see `constraint`). */
  readonly #slot: number[] = [];
  #offset = 0;

  constructor(
    readonly sense: Sense,
    readonly opts: { objectiveUnit?: string } = {},
  ) {
    if (sense !== "min" && sense !== "max") throw new SolverModelError('sense must be "min" or "max".');
  }

  variable(input: VariableInput): Var {
    const { name } = input;
    if (typeof name !== "string" || name.length === 0) throw new SolverModelError("A variable needs a name.");
    if (this.#varNames.has(name)) throw new SolverModelError(`Duplicate variable name "${name}".`);
    const binary = input.binary === true;
    const lower = input.lower ?? 0;
    const upper = input.upper ?? (binary ? 1 : Number.POSITIVE_INFINITY);
    const cost = input.cost ?? 0;
    if (invalid(lower, true)) checkNumber(() => `Lower bound of "${name}"`, lower, true);
    if (invalid(upper, true)) checkNumber(() => `Upper bound of "${name}"`, upper, true);
    if (invalid(cost, false)) checkNumber(() => `Cost of "${name}"`, cost, false);
    if (lower > upper)
      throw new SolverModelError(`Variable "${name}": lower bound ${lower} > upper ${upper}.`);
    if (lower === Number.POSITIVE_INFINITY || upper === Number.NEGATIVE_INFINITY)
      throw new SolverModelError(`Variable "${name}": bounds cannot exclude every value.`);
    if (input.boundPenalty != null && invalid(input.boundPenalty, false))
      checkNumber(() => `Bound penalty of "${name}"`, input.boundPenalty, false);
    this.#varNames.add(name);
    const spec: VariableSpec = { name, lower, upper, integer: binary || input.integer === true, cost };
    if (input.unit !== undefined) spec.unit = input.unit;
    if (input.boundPenalty !== undefined) spec.boundPenalty = input.boundPenalty;
    this.#variables.push(spec);
    const v: Var = Object.freeze({ index: this.#variables.length - 1, name });
    this.#vars.push(v);
    this.#slot.push(-1);
    return v;
  }

  constraint(input: ConstraintInput): number {
    const { name } = input;
    if (typeof name !== "string" || name.length === 0)
      throw new SolverModelError("A constraint needs a name.");
    if (this.#rowNames.has(name)) throw new SolverModelError(`Duplicate constraint name "${name}".`);
    const lower = input.lower ?? Number.NEGATIVE_INFINITY;
    const upper = input.upper ?? Number.POSITIVE_INFINITY;
    if (invalid(lower, true)) checkNumber(() => `Lower limit of "${name}"`, lower, true);
    if (invalid(upper, true)) checkNumber(() => `Upper limit of "${name}"`, upper, true);
    if (lower > upper)
      throw new SolverModelError(`Constraint "${name}": lower limit ${lower} > upper ${upper}.`);
    if (lower === Number.POSITIVE_INFINITY || upper === Number.NEGATIVE_INFINITY)
      throw new SolverModelError(`Constraint "${name}": limits cannot exclude every value.`);
    if (input.relaxPenalty != null && invalid(input.relaxPenalty, false))
      checkNumber(() => `Relax penalty of "${name}"`, input.relaxPenalty, false);
    // Repeated variables summed, in the order of their first appearance: `slot` holds each
    // variable's position in `sums` for this row (reset after it), so no map per row.
    const slot = this.#slot;
    const seen: number[] = [];
    const sums: number[] = [];
    const entries =
      input.terms instanceof Map ? input.terms.entries() : (input.terms as Iterable<[Var, number]>);
    try {
      for (const [v, c] of entries) {
        if (this.#vars[v.index] !== v)
          throw new SolverModelError(`Constraint "${name}" uses a foreign variable.`);
        if (!Number.isFinite(c)) checkNumber(() => `Coefficient of "${v.name}" in "${name}"`, c, false);
        const at = slot[v.index];
        if (at === undefined || at < 0) {
          slot[v.index] = seen.length;
          seen.push(v.index);
          sums.push(0 + c);
        } else sums[at] = sums[at]! + c;
      }
    } finally {
      for (const j of seen) slot[j] = -1;
    }
    const vars: number[] = [];
    const coefs: number[] = [];
    for (let t = 0; t < seen.length; t++) {
      const c = sums[t]!;
      if (c === 0) continue;
      vars.push(seen[t]!);
      coefs.push(c);
    }
    this.#rowNames.add(name);
    const spec: ConstraintSpec = { name, vars, coefs, lower, upper };
    if (input.unit !== undefined) spec.unit = input.unit;
    if (input.relaxPenalty !== undefined) spec.relaxPenalty = input.relaxPenalty;
    this.#constraints.push(spec);
    return this.#constraints.length - 1;
  }

  /** activity ≤ limit */
  le(name: string, terms: Terms, limit: number, unit?: string) {
    return this.constraint({ name, terms, upper: limit, ...(unit !== undefined ? { unit } : {}) });
  }
  /** activity ≥ limit */
  ge(name: string, terms: Terms, limit: number, unit?: string) {
    return this.constraint({ name, terms, lower: limit, ...(unit !== undefined ? { unit } : {}) });
  }
  /** activity = limit */
  eq(name: string, terms: Terms, limit: number, unit?: string) {
    return this.constraint({
      name,
      terms,
      lower: limit,
      upper: limit,
      ...(unit !== undefined ? { unit } : {}),
    });
  }

  objectiveOffset(offset: number): this {
    checkNumber(() => "Objective offset", offset, false);
    this.#offset = offset;
    return this;
  }

  get variables(): readonly Var[] {
    return this.#vars;
  }

  build(): ModelSpec {
    const spec: ModelSpec = {
      sense: this.sense,
      objectiveOffset: this.#offset,
      variables: this.#variables.map((v) => ({ ...v })),
      constraints: this.#constraints.map((c) => ({ ...c, vars: [...c.vars], coefs: [...c.coefs] })),
    };
    if (this.opts.objectiveUnit !== undefined) spec.objectiveUnit = this.opts.objectiveUnit;
    return spec;
  }
}

/**
 * Checks a `ModelSpec` that did not come from a `ModelBuilder` (e.g. one built by hand or
 * received from elsewhere). Throws `SolverModelError` on the first problem.
 */
export function validateModel(spec: ModelSpec): void {
  const b = new ModelBuilder(
    spec.sense,
    spec.objectiveUnit !== undefined ? { objectiveUnit: spec.objectiveUnit } : {},
  );
  const vars = spec.variables.map((v) =>
    b.variable({
      name: v.name,
      lower: v.lower,
      upper: v.upper,
      integer: v.integer,
      cost: v.cost,
      ...(v.boundPenalty !== undefined ? { boundPenalty: v.boundPenalty } : {}),
    }),
  );
  for (const c of spec.constraints) {
    if (c.vars.length !== c.coefs.length)
      throw new SolverModelError(`Constraint "${c.name}": vars and coefs differ in length.`);
    if (new Set(c.vars).size !== c.vars.length)
      throw new SolverModelError(`Constraint "${c.name}" repeats a variable.`);
    const terms: [Var, number][] = c.vars.map((j, k) => {
      const v = vars[j];
      if (!v) throw new SolverModelError(`Constraint "${c.name}" uses unknown variable index ${j}.`);
      return [v, c.coefs[k]!];
    });
    b.constraint({ name: c.name, terms, lower: c.lower, upper: c.upper });
  }
  checkNumber(() => "Objective offset", spec.objectiveOffset, false);
}
