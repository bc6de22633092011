/**
 * The response flag. Accepted spellings (case and blanks ignored): yes/true/1/y/t → 1 and
 * no/false/0/n/f → 0, numbers equal to 1 or 0 ("1.0") too. Anything else, a missing flag, or
 * a flag with only one class is a field-level error naming the target: the prototype mapped every
 * unknown string to 0, which silently turns "Responded" into a non-response.
 */
import type { DataIssue } from "./issues.ts";
import { isMissing, parseNumeric } from "./values.ts";

const ONE = new Set(["yes", "true", "1", "y", "t"]);
const ZERO = new Set(["no", "false", "0", "n", "f"]);

export interface TargetSummary {
  field: string;
  positives: number;
  negatives: number;
  /** positives / rows. */
  rate: number;
  /** Each distinct raw value and the class it was read as. */
  values: { value: string; count: number; as: 0 | 1 }[];
}

export type TargetResult =
  | { ok: true; y: Uint8Array; summary: TargetSummary }
  | { ok: false; issues: DataIssue[] };

function classOf(cell: string): 0 | 1 | null {
  const text = cell.trim().toLowerCase();
  if (ONE.has(text)) return 1;
  if (ZERO.has(text)) return 0;
  const x = parseNumeric(text);
  return x === 1 ? 1 : x === 0 ? 0 : null;
}

export function parseTarget(field: string, cells: readonly (string | null)[]): TargetResult {
  const y = new Uint8Array(cells.length);
  const counts = new Map<string, { count: number; as: 0 | 1 | null }>();
  let missing = 0;
  cells.forEach((cell, i) => {
    if (isMissing(cell)) {
      missing++;
      return;
    }
    const seen = counts.get(cell);
    const as = seen ? seen.as : classOf(cell);
    counts.set(cell, { count: (seen?.count ?? 0) + 1, as });
    y[i] = as ?? 0;
  });
  const issues: DataIssue[] = [];
  const unknown = [...counts].filter(([, v]) => v.as === null);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map(([value, v]) => `"${value}" (${v.count})`);
    issues.push({
      field,
      code: "target_not_binary",
      severity: "error",
      message: `${field} must be a yes/no flag (yes/true/1/y/t or no/false/0/n/f); ${unknown.length} other value(s): ${shown.join(", ")}`,
      counts: { distinctOther: unknown.length },
    });
  }
  if (missing > 0) {
    issues.push({
      field,
      code: "target_missing",
      severity: "error",
      message: `${field} is empty in ${missing} row(s); every row needs a response flag`,
      counts: { missingRows: missing },
    });
  }
  let positives = 0;
  let negatives = 0;
  for (const [, v] of counts) {
    if (v.as === 1) positives += v.count;
    if (v.as === 0) negatives += v.count;
  }
  if (issues.length === 0 && (positives === 0 || negatives === 0)) {
    issues.push({
      field,
      code: "target_one_class",
      severity: "error",
      message: `${field} has only ${positives === 0 ? "non-responders" : "responders"} (${positives + negatives} rows); a model needs both`,
      counts: { positives, negatives },
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const values = [...counts].map(([value, v]) => ({ value, count: v.count, as: v.as as 0 | 1 }));
  const rate = positives / cells.length;
  return { ok: true, y, summary: { field, positives, negatives, rate, values } };
}
