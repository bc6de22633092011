import { ModelInputError } from "@modelworks/model-kit";
import { allocateDesignValues } from "../fit/lognet.ts";
import type { FieldSpec, RawTable } from "../types.ts";
import { isMissingText, median, parseNumericText } from "./numeric-text.ts";
import {
  DEFAULT_PREPARATION_OPTIONS,
  type Design,
  type DesignColumn,
  type FieldPreparation,
  type FieldReport,
  MISSING_LEVEL,
  OTHER_LEVEL,
  type Preparation,
  type PreparationOptions,
} from "./types.ts";

/**
 * Learns the preparation from training data and builds its design matrix. The training design is
 * produced by `applyPreparation` itself, so scoring the training file reproduces it exactly.
 */
export function prepare(
  table: RawTable,
  specs: readonly FieldSpec[],
  options: PreparationOptions = {},
): { preparation: Preparation; design: Design; report: FieldReport[] } {
  const opts = { ...DEFAULT_PREPARATION_OPTIONS, ...options };
  const fields = specs.map((spec) => learnField(spec, columnOf(table, spec.name), opts));
  const columns = fields.flatMap(designColumnsOf);
  const preparation: Preparation = { version: 1, fields, columns, options: opts };
  return { preparation, ...applyPreparation(preparation, table) };
}

function columnOf(table: RawTable, field: string): (string | null)[] {
  const column = table.columns[field];
  if (!column)
    throw new ModelInputError([{ path: `fields.${field}`, message: `The file has no column "${field}".` }]);
  return column;
}

function learnField(
  spec: FieldSpec,
  values: (string | null)[],
  opts: Required<PreparationOptions>,
): FieldPreparation {
  const issue = (message: string) => new ModelInputError([{ path: `fields.${spec.name}`, message }]);
  if (spec.kind === "numeric") {
    const parsed: number[] = [];
    let nonMissing = 0;
    for (const v of values) {
      if (isMissingText(v)) continue;
      nonMissing++;
      const x = parseNumericText(v!);
      if (x !== undefined) parsed.push(x);
    }
    const bad = nonMissing - parsed.length;
    if (nonMissing > 0 && bad / nonMissing > opts.maxNonNumericShare)
      throw issue(
        `${spec.name}: ${bad} of ${nonMissing} values are not numbers (more than ${opts.maxNonNumericShare * 100} %); treat it as a category or clean it.`,
      );
    if (parsed.length === 0) throw issue(`${spec.name} has no numeric values to learn from.`);
    const direction = spec.direction ?? "higher-is-better";
    let flipAbout: number | null = null;
    if (direction === "lower-is-better") {
      flipAbout = parsed.reduce((a, b) => (b > a ? b : a), Number.NEGATIVE_INFINITY);
      for (let i = 0; i < parsed.length; i++) parsed[i] = flipAbout - parsed[i]!;
    }
    return {
      kind: "numeric",
      field: spec.name,
      direction,
      flipAbout,
      fill: median(parsed),
      missingIndicator: opts.missingIndicators,
    };
  }
  if (spec.kind === "ordinal") {
    const levels = spec.order ?? [];
    if (levels.length < 2) throw issue(`${spec.name} is ordinal but has no order of at least two levels.`);
    if (new Set(levels).size !== levels.length) throw issue(`${spec.name}: the order repeats a level.`);
    const rankOf = new Map(levels.map((l, i) => [l, levels.length - 1 - i]));
    const ranks: number[] = [];
    for (const v of values) {
      const r = isMissingText(v) ? undefined : rankOf.get(v!);
      if (r !== undefined) ranks.push(r);
    }
    if (ranks.length === 0) throw issue(`${spec.name} has no values among its ordered levels.`);
    return {
      kind: "ordinal",
      field: spec.name,
      levels: [...levels],
      fill: median(ranks),
      missingIndicator: opts.missingIndicators,
    };
  }
  const counts = new Map<string, number>();
  for (const v of values) {
    const level = isMissingText(v) ? MISSING_LEVEL : v!;
    counts.set(level, (counts.get(level) ?? 0) + 1);
  }
  const pooled =
    opts.minLevelCount > 0
      ? [...counts].filter(([l, c]) => c < opts.minLevelCount && l !== MISSING_LEVEL).map(([l]) => l)
      : [];
  const kept = [...counts.keys()].filter((l) => !pooled.includes(l));
  if (pooled.length > 0 && !kept.includes(OTHER_LEVEL)) kept.push(OTHER_LEVEL);
  if (kept.length > opts.maxLevels)
    throw issue(
      `${spec.name} has ${kept.length} distinct values (more than ${opts.maxLevels}); pool rare levels (minLevelCount) or leave the field out.`,
    );
  // Code-unit order, not locale order: the same on every machine.
  kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { kind: "nominal", field: spec.name, levels: kept, pooled: pooled.sort() };
}

function designColumnsOf(f: FieldPreparation): DesignColumn[] {
  if (f.kind === "nominal")
    return f.levels.map((level) => ({ name: `${f.field}=${level}`, field: f.field, role: "level", level }));
  const value: DesignColumn = { name: f.field, field: f.field, role: "value" };
  return f.missingIndicator
    ? [value, { name: `${f.field}[missing]`, field: f.field, role: "missing" }]
    : [value];
}

/**
 * Re-applies a stored preparation to any table with its fields (training, holdout, a new file).
 * Never throws on values: unseen levels and non-numeric text are counted in the report.
 */
export function applyPreparation(
  preparation: Preparation,
  table: RawTable,
): { design: Design; report: FieldReport[] } {
  const n = table.rowCount;
  // In the fitter's kernel memory where it can be: a fit on all rows then copies nothing.
  const x = allocateDesignValues(n, preparation.columns.length);
  const report: FieldReport[] = [];
  let col = 0;
  for (const f of preparation.fields) {
    const values = columnOf(table, f.field);
    const r: FieldReport = { field: f.field, missing: 0, nonNumeric: 0, unseenLevels: 0, examples: [] };
    const example = (v: string) => {
      if (r.examples.length < 5 && !r.examples.includes(v)) r.examples.push(v);
    };
    if (f.kind === "nominal") {
      const index = new Map(f.levels.map((l, i) => [l, i]));
      const other = index.get(OTHER_LEVEL);
      const pooled = new Set(f.pooled);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let k: number | undefined;
        if (isMissingText(v)) {
          r.missing++;
          k = index.get(MISSING_LEVEL);
        } else if (pooled.has(v!)) k = other;
        else k = index.get(v!);
        if (k === undefined) {
          // Unseen at training time (or MISSING never seen): all dummies stay 0.
          r.unseenLevels++;
          example(v ?? "");
        } else x[(col + k) * n + i] = 1;
      }
      col += f.levels.length;
    } else {
      const at = col * n;
      const missingAt = f.missingIndicator ? (col + 1) * n : -1;
      const rankOf =
        f.kind === "ordinal" ? new Map(f.levels.map((l, i) => [l, f.levels.length - 1 - i])) : null;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let value: number | undefined;
        if (isMissingText(v)) {
          r.missing++;
          if (missingAt >= 0) x[missingAt + i] = 1;
        } else if (rankOf) {
          value = rankOf.get(v!);
          if (value === undefined) {
            r.unseenLevels++;
            example(v!);
          }
        } else if (f.kind === "numeric") {
          value = parseNumericText(v!);
          if (value === undefined) {
            // Scored as missing, so the indicator (if any) says so too.
            r.nonNumeric++;
            example(v!);
            if (missingAt >= 0) x[missingAt + i] = 1;
          } else if (f.flipAbout !== null) value = f.flipAbout - value;
        }
        x[at + i] = value ?? f.fill;
      }
      col += f.missingIndicator ? 2 : 1;
    }
    report.push(r);
  }
  return { design: { rowCount: n, columnCount: col, x, columns: preparation.columns }, report };
}
