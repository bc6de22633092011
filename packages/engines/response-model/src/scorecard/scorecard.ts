import type { ScoringModel } from "../fit/scoring-model.ts";
import { isMissingText, parseNumericText } from "../prepare/numeric-text.ts";
import { MISSING_LEVEL, OTHER_LEVEL } from "../prepare/types.ts";

/**
 * Points scorecards in raw units, built from the stored preparation and one lambda's coefficients.
 *
 * Points are an affine map of the model's log-odds z: points ≈ offset + factor × z.
 * - `prototype`: the prototype's scale — BASE 1000 and each rule int(coefficient × 1000) (truncated
 *   toward zero, as Python's int()); the intercept is not in the points, so probability =
 *   sigmoid(intercept + (points − 1000) / 1000).
 * - `pdo`: the industry's scale — `basePoints` at odds `baseOdds`, +`pdo` points doubles the odds:
 *   factor = pdo / ln 2, offset = basePoints − factor × ln(baseOdds); rules rounded to the nearest point.
 *
 * Categories (nominal levels, ordinal levels, "missing") get whole points per original label.
 * Numeric fields get exact linear points per raw unit (decision in the package README: banding
 * a linear term would make the rules disagree with the model they summarise), so a record's points
 * are reproduced exactly from the rules, and differ from offset + factor × z only by the rounding
 * of its category rules (at most `maxRoundingPoints`).
 */
export type ScorecardScale =
  | { kind: "prototype" }
  | { kind: "pdo"; basePoints: number; baseOdds: number; pdo: number };

export type ScorecardRule =
  | { kind: "base"; points: number; text: string }
  | {
      kind: "category";
      field: string;
      /** Raw labels this rule matches; `missing` also matches an empty/null value. */
      labels: string[];
      missing: boolean;
      points: number;
      text: string;
    }
  | {
      kind: "linear";
      field: string;
      /** points = pointsPerUnit × (raw − reference) for a numeric raw value… */
      pointsPerUnit: number;
      reference: number;
      /** …and these points when the value is missing or not a number. */
      missingPoints: number;
      text: string;
    };

export interface Scorecard {
  scale: ScorecardScale;
  factor: number;
  offset: number;
  /** prototype scale: the model intercept (not in the points); 0 on the PDO scale. */
  interceptOutsidePoints: number;
  rules: ScorecardRule[];
  /** The most a record's points can differ from offset + factor × z through rounding. */
  maxRoundingPoints: number;
}

export function buildScorecard(model: ScoringModel, scale: ScorecardScale): Scorecard {
  const prototype = scale.kind === "prototype";
  const factor = prototype ? 1000 : scale.pdo / Math.LN2;
  const offset = prototype ? 1000 : scale.basePoints - factor * Math.log(scale.baseOdds);
  const whole = prototype ? Math.trunc : Math.round;
  const roundingPerRule = prototype ? 1 : 0.5;
  const { preparation, coefficients } = model;
  const basePoints = prototype ? 1000 : whole(offset + factor * model.intercept);
  const rules: ScorecardRule[] = [
    { kind: "base", points: basePoints, text: `Start every record at ${basePoints} points` },
  ];
  let rounding = prototype ? 0 : 0.5;
  const say = (p: number) => (p >= 0 ? `add ${p}` : `subtract ${-p}`);
  const quote = (labels: string[]) => labels.map((l) => `"${l}"`).join(", ");
  let col = 0;
  for (const f of preparation.fields) {
    if (f.kind === "nominal") {
      let any = false;
      f.levels.forEach((level, k) => {
        const points = whole(factor * coefficients[col + k]!);
        if (points === 0) return;
        any = true;
        const missing = level === MISSING_LEVEL;
        const labels = level === OTHER_LEVEL ? [OTHER_LEVEL, ...f.pooled] : [level];
        const what = missing ? "is missing" : `is ${quote(labels)}`;
        rules.push({
          kind: "category",
          field: f.field,
          labels,
          missing,
          points,
          text: `If ${f.field} ${what}, ${say(points)} points`,
        });
      });
      if (any) rounding += roundingPerRule; // one level per record
      col += f.levels.length;
      continue;
    }
    const c = coefficients[col]!;
    const ci = f.missingIndicator ? coefficients[col + 1]! : 0;
    if (f.kind === "ordinal") {
      // Each ordered level is its own rule (its rank × the coefficient); missing and unknown take the fill rank.
      const fillPoints = whole(factor * c * f.fill);
      // Every level gets a rule, 0 points included, so that none falls to "any other value".
      if (c !== 0 || ci !== 0)
        f.levels.forEach((level, i) => {
          const points = whole(factor * c * (f.levels.length - 1 - i));
          rules.push({
            kind: "category",
            field: f.field,
            labels: [level],
            missing: false,
            points,
            text: `If ${f.field} is "${level}", ${say(points)} points`,
          });
        });
      const missingPoints = fillPoints + whole(factor * ci);
      if (missingPoints !== 0)
        rules.push({
          kind: "category",
          field: f.field,
          labels: [],
          missing: true,
          points: missingPoints,
          text: `If ${f.field} is missing, ${say(missingPoints)} points`,
        });
      if (fillPoints !== 0)
        rules.push({
          kind: "category",
          field: f.field,
          labels: [],
          missing: false,
          points: fillPoints,
          text: `If ${f.field} is any other value, ${say(fillPoints)} points`,
        });
      if (c !== 0 || ci !== 0) rounding += roundingPerRule * (ci !== 0 ? 2 : 1);
    } else {
      const slope = factor * c;
      const pointsPerUnit = f.flipAbout === null ? slope : -slope;
      const reference = f.flipAbout ?? 0;
      const missingPoints = slope * f.fill + whole(factor * ci);
      if (c !== 0 || ci !== 0) {
        rules.push({
          kind: "linear",
          field: f.field,
          pointsPerUnit,
          reference,
          missingPoints,
          text: `${f.field}: ${say(round3(pointsPerUnit))} points per unit${reference ? ` (0 points at ${reference})` : ""}; if missing, ${say(round3(missingPoints))} points`,
        });
        if (ci !== 0) rounding += roundingPerRule;
      }
    }
    col += f.missingIndicator ? 2 : 1;
  }
  return {
    scale,
    factor,
    offset,
    interceptOutsidePoints: prototype ? model.intercept : 0,
    rules,
    maxRoundingPoints: rounding,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A record's points from the rules alone and its raw values (as the file holds them). Per field,
 * the first matching category rule applies; a field with no matching rule scores 0 ("any other value").
 */
export function scoreRecord(card: Scorecard, record: Record<string, string | null | undefined>): number {
  let points = 0;
  const done = new Set<string>();
  for (const rule of card.rules) {
    if (rule.kind === "base") {
      points += rule.points;
      continue;
    }
    if (done.has(rule.field)) continue;
    const raw = record[rule.field];
    const missing = isMissingText(raw);
    if (rule.kind === "linear") {
      const x = missing ? undefined : parseNumericText(raw!);
      points += x === undefined ? rule.missingPoints : rule.pointsPerUnit * (x - rule.reference);
      done.add(rule.field);
      continue;
    }
    const matches = missing
      ? rule.missing || rule.labels.includes(MISSING_LEVEL)
      : rule.labels.includes(raw!) || (!rule.missing && rule.labels.length === 0);
    if (matches) {
      points += rule.points;
      done.add(rule.field);
    }
  }
  return points;
}

/** The probability a number of points stands for (strictly increasing in points). */
export function probabilityOfPoints(card: Scorecard, points: number): number {
  const z = card.interceptOutsidePoints + (points - card.offset) / card.factor;
  return 1 / (1 + Math.exp(-z));
}
