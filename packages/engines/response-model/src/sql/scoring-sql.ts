import type { ScoringModel } from "../fit/scoring-model.ts";
import { NUMBER_PATTERN_SOURCE, NUMERIC_STRIP_CHARS } from "../prepare/numeric-text.ts";
import { MISSING_LEVEL, OTHER_LEVEL } from "../prepare/types.ts";
import type { Scorecard } from "../scorecard/scorecard.ts";
import { DIALECTS, type DialectRules, doubleLiteral, type SqlDialect } from "./dialects.ts";

export interface ScoringSqlOptions {
  dialect: SqlDialect;
  /** The raw table, as name parts (e.g. ["warehouse", "crm", "customers"]); each part is quoted. */
  table: string[];
  /** Columns copied through to the result (e.g. the customer ID). */
  passThrough?: string[];
  /** Adds a `points` column: the scorecard's rules applied to the raw values, as `scoreRecord`. */
  scorecard?: Scorecard;
}

/**
 * One SELECT that scores the raw table in a warehouse exactly as `scoreProbability` does: the
 * stored preparation (text cleaning, direction, median fill, levels, ranks, pooling, unseen
 * levels → 0) written as CASE expressions, the log-odds summed in design-column order, and the
 * probability 1 / (1 + EXP(−z)). Output columns: the pass-through columns, `log_odds`, `probability`
 * and, with a scorecard, `points`.
 */
export function scoringSql(model: ScoringModel, options: ScoringSqlOptions): string {
  const d = DIALECTS[options.dialect];
  const terms = [doubleLiteral(model.intercept), ...termsOf(model, d)];
  const pass = (options.passThrough ?? []).map((c) => d.identifier(c));
  const from = options.table.map((p) => d.identifier(p)).join(".");
  // EXP's argument is kept within ±700: PostgreSQL raises an error where doubles overflow.
  const z = "z";
  const points = options.scorecard ? pointsTerms(options.scorecard, d) : null;
  return [
    "SELECT",
    [
      ...pass,
      `${z} AS ${d.identifier("log_odds")}`,
      `1 / (1 + EXP(-GREATEST(LEAST(${z}, 700), -700))) AS ${d.identifier("probability")}`,
      ...(points ? [d.identifier("points")] : []),
    ]
      .map((c) => `  ${c}`)
      .join(",\n"),
    "FROM (",
    "  SELECT",
    [
      ...pass,
      `(\n      ${terms.join("\n      + ")}\n    ) AS ${z}`,
      ...(points ? [`(\n      ${points.join("\n      + ")}\n    ) AS ${d.identifier("points")}`] : []),
    ]
      .map((c) => `    ${c}`)
      .join(",\n"),
    `  FROM ${from}`,
    ") AS scored",
  ].join("\n");
}

/** The model's terms in design-column order (zero coefficients left out, as the engine skips them). */
function termsOf(model: ScoringModel, d: DialectRules): string[] {
  const { preparation, coefficients } = model;
  const terms: string[] = [];
  let col = 0;
  for (const f of preparation.fields) {
    const raw = d.identifier(f.field);
    const missing = `(${raw} IS NULL OR ${raw} = '')`;
    if (f.kind === "nominal") {
      // Each level column's term, in column order: 0/1 dummies times their coefficient.
      const pooled = f.pooled.map((l) => d.string(l)).join(", ");
      f.levels.forEach((level, k) => {
        const c = coefficients[col + k]!;
        if (c === 0) return;
        let when: string;
        if (level === MISSING_LEVEL) when = `${missing} OR ${raw} = ${d.string(level)}`;
        else if (level === OTHER_LEVEL && f.pooled.length > 0)
          when = `${raw} IN (${pooled}) OR ${raw} = ${d.string(level)}`;
        // A label pooled at training time belongs to OTHER even if it equals a kept level's name.
        else if (f.pooled.length > 0) when = `${raw} = ${d.string(level)} AND ${raw} NOT IN (${pooled})`;
        else when = `${raw} = ${d.string(level)}`;
        terms.push(`CASE WHEN ${when} THEN ${doubleLiteral(c)} ELSE 0 END`);
      });
      col += f.levels.length;
      continue;
    }
    const c = coefficients[col]!;
    const ci = f.missingIndicator ? coefficients[col + 1]! : 0;
    let value: string; // NULL when missing or not usable, before the fill
    if (f.kind === "ordinal") {
      const whens = f.levels.map(
        (l, i) => `WHEN ${d.string(l)} THEN ${doubleLiteral(f.levels.length - 1 - i)}`,
      );
      value = `CASE ${raw} ${whens.join(" ")} END`;
    } else {
      const parsed = numericSql(raw, d);
      value = f.flipAbout === null ? parsed : `(${doubleLiteral(f.flipAbout)} - ${parsed})`;
    }
    if (c !== 0) terms.push(`${doubleLiteral(c)} * COALESCE(${value}, ${doubleLiteral(f.fill)})`);
    if (ci !== 0) {
      // Ordinal: the indicator marks missing values only; numeric: also text that is not a number.
      const flag = f.kind === "ordinal" ? missing : `${value} IS NULL`;
      terms.push(`CASE WHEN ${flag} THEN ${doubleLiteral(ci)} ELSE 0 END`);
    }
    col += f.missingIndicator ? 2 : 1;
  }
  return terms;
}

/** Numeric text → double, NULL when missing or not a number (parseNumericText in SQL). */
function numericSql(raw: string, d: DialectRules): string {
  let cleaned = raw;
  for (const ch of NUMERIC_STRIP_CHARS) cleaned = `REPLACE(${cleaned}, ${d.string(ch)}, '')`;
  cleaned = d.trimSpaces(cleaned);
  return `CASE WHEN ${d.matches(cleaned, NUMBER_PATTERN_SOURCE)} THEN ${d.toDouble(cleaned)} END`;
}

/** The scorecard's points: BASE, then per field the first matching rule (as `scoreRecord`). */
function pointsTerms(card: Scorecard, d: DialectRules): string[] {
  const terms: (string | { field: string })[] = [];
  const byField = new Map<string, string[]>();
  for (const rule of card.rules) {
    if (rule.kind === "base") {
      terms.push(doubleLiteral(rule.points));
      continue;
    }
    const raw = d.identifier(rule.field);
    const missing = `(${raw} IS NULL OR ${raw} = '')`;
    if (rule.kind === "linear") {
      terms.push(
        `COALESCE(${doubleLiteral(rule.pointsPerUnit)} * (${numericSql(raw, d)} - ${doubleLiteral(rule.reference)}), ${doubleLiteral(rule.missingPoints)})`,
      );
      continue;
    }
    const inLabels =
      rule.labels.length > 0 ? `${raw} IN (${rule.labels.map((l) => d.string(l)).join(", ")})` : "";
    let when: string;
    if (rule.missing) when = inLabels ? `${missing} OR ${inLabels}` : missing;
    else if (rule.labels.length === 0)
      when = `NOT ${missing}`; // "any other value"
    else when = inLabels;
    let whens = byField.get(rule.field);
    if (!whens) {
      whens = [];
      byField.set(rule.field, whens);
      terms.push({ field: rule.field }); // the field's CASE goes here, its WHENs in rule order
    }
    whens.push(`WHEN ${when} THEN ${doubleLiteral(rule.points)}`);
  }
  return terms.map((t) => (typeof t === "string" ? t : `CASE ${byField.get(t.field)!.join(" ")} ELSE 0 END`));
}
