import type { z } from "zod";
import type { BindingGroup } from "./explain-schema.ts";

type Group = z.output<typeof BindingGroup>;

export interface Family {
  family: string;
  label: string;
}

/**
 * Binding rows grouped by family and ranked: the family whose re-solved relaxation gains most
 * first, then by the largest |price| in it, then by count. Rows `familyOf` maps to null
 * (definitions, e.g. "each project starts once") bind by construction and are left out.
 */
export function groupBinding(
  binding: readonly string[],
  familyOf: (constraint: string) => (Family & { what?: string }) | null,
  prices: readonly { constraint: string; pricePerUnit: number }[],
  resolved: (family: string) => Group["resolved"] = () => null,
  topN = 3,
): Group[] {
  const price = new Map(prices.map((p) => [p.constraint, p.pricePerUnit]));
  const groups = new Map<string, Group>();
  const rows = new Map<string, Group["top"]>();
  for (const name of binding) {
    const f = familyOf(name);
    if (!f) continue;
    let g = groups.get(f.family);
    if (!g) {
      g = { family: f.family, label: f.label, count: 0, top: [], resolved: resolved(f.family) };
      groups.set(f.family, g);
      rows.set(f.family, []);
    }
    g.count++;
    rows
      .get(f.family)!
      .push({ constraint: name, what: f.what ?? null, pricePerUnit: price.get(name) ?? null });
  }
  const size = (p: number | null) => Math.abs(p ?? 0);
  for (const [family, list] of rows) {
    // Largest price first; equal prices keep the model's order (month 3 before month 12).
    groups.get(family)!.top = [...list]
      .sort((a, b) => size(b.pricePerUnit) - size(a.pricePerUnit))
      .slice(0, topN);
  }
  const gain = (g: Group) => Math.abs(g.resolved?.deltaObjective ?? 0);
  return [...groups.values()].sort(
    (a, b) =>
      gain(b) - gain(a) ||
      size(b.top[0]?.pricePerUnit ?? 0) - size(a.top[0]?.pricePerUnit ?? 0) ||
      b.count - a.count,
  );
}
