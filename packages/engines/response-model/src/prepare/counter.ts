/**
 * What a stored preparation meets in records, counted a record at a time: missing values,
 * non-numeric text in numeric fields and levels the fit never saw — `applyPreparation`'s report
 * without building the design matrix, so a scoring stream of millions of records can say what it
 * met. The same rules as `applyPreparation` (missing text, pooled → OTHER, unseen MISSING, rank
 * lookup, numeric text), held to equal reports in test/preparation-counter.test.ts.
 */
import { type CustomerRecord, cellText } from "../records.ts";
import { isMissingText, parseNumericText } from "./numeric-text.ts";
import { type FieldReport, MISSING_LEVEL, OTHER_LEVEL, type Preparation } from "./types.ts";

export interface PreparationCounter {
  add(record: CustomerRecord): void;
  /**
   * One cell of preparation field `i` (column-wise readers): the same as `add` seeing this value
   * in the field. A finite number in a numeric field is a number without making its text.
   */
  addValue(i: number, value: CustomerRecord[string] | undefined): void;
  /** One report per preparation field, in field order (fresh copies). */
  report(): FieldReport[];
}

export function preparationCounter(preparation: Preparation): PreparationCounter {
  const reports: FieldReport[] = preparation.fields.map((f) => ({
    field: f.field,
    missing: 0,
    nonNumeric: 0,
    unseenLevels: 0,
    examples: [],
  }));
  const example = (r: FieldReport, v: string) => {
    if (r.examples.length < 5 && !r.examples.includes(v)) r.examples.push(v);
  };
  const checks = preparation.fields.map((f, i): ((v: string | null) => void) => {
    const r = reports[i]!;
    if (f.kind === "nominal") {
      const known = new Set(f.levels);
      const hasOther = known.has(OTHER_LEVEL);
      const hasMissing = known.has(MISSING_LEVEL);
      const pooled = new Set(f.pooled);
      return (v) => {
        if (isMissingText(v)) {
          r.missing++;
          if (!hasMissing) {
            r.unseenLevels++;
            example(r, v ?? "");
          }
        } else if (pooled.has(v!) ? !hasOther : !known.has(v!)) {
          r.unseenLevels++;
          example(r, v!);
        }
      };
    }
    if (f.kind === "ordinal") {
      const known = new Set(f.levels);
      return (v) => {
        if (isMissingText(v)) r.missing++;
        else if (!known.has(v!)) {
          r.unseenLevels++;
          example(r, v!);
        }
      };
    }
    // Numeric: a bounded memo, as codes repeat millions of times.
    const memo = new Map<string, boolean>();
    return (v) => {
      if (isMissingText(v)) {
        r.missing++;
        return;
      }
      let numeric = memo.get(v!);
      if (numeric === undefined) {
        numeric = parseNumericText(v!) !== undefined;
        if (memo.size < 4096) memo.set(v!, numeric);
      }
      if (!numeric) {
        r.nonNumeric++;
        example(r, v!);
      }
    };
  });
  const fields = preparation.fields.map((f) => f.field);
  const numeric = preparation.fields.map((f) => f.kind === "numeric");
  return {
    add(record) {
      for (let i = 0; i < fields.length; i++) checks[i]!(cellText(record[fields[i]!]));
    },
    addValue(i, value) {
      if (numeric[i] && typeof value === "number" && Number.isFinite(value)) return;
      checks[i]!(cellText(value));
    },
    report: () => reports.map((r) => ({ ...r, examples: [...r.examples] })),
  };
}
