import { humanize } from "../format.ts";

/**
 * A field's dotted path as the form shows it (issue 18 item 12): `unitMix.1.grossSqft` is
 * "Unit mix, row 2: Gross sqft" — rows counted from 1 as the grid numbers them, names as the
 * labels read, never a zero-based developer path.
 */
export function describePath(path: string): string {
  const parts = path.split(".").filter((p) => p !== "" && p !== "body" && p !== "input");
  const out: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) out.push(`row ${Number(p) + 1}`);
    else out.push(humanize(p));
  }
  return out.join(", ");
}
