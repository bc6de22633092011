import { z } from "zod";
import type { TableProfile } from "../profile/types.ts";
import { checkPlan, type PlanNote } from "./check.ts";
import { type DashboardPlan, GRID_COLUMNS, type Tile, Visual } from "./schema.ts";

/**
 * Edits a person makes by hand — dragging or resizing tiles, and the visual form — as opposed to
 * the planners' and the chat's. Unlike those, a hand edit is never silently repaired: the person
 * chose exactly this, so whatever `checkPlan` would repair or reject comes back as a field error
 * at the place in the edit it concerns, and the plan is left as it was.
 */

/** One tile's new place: a visual or a slicer by its id. */
export const LayoutTile = Visual.shape.layout.extend({ id: Visual.shape.id }).strict();
export type LayoutTile = z.infer<typeof LayoutTile>;

export const LayoutPatch = z
  .object({
    tiles: z
      .array(LayoutTile)
      .min(1)
      .max(100)
      .describe("The tiles that move or change size; the others stay where they are"),
  })
  .strict()
  .meta({ id: "LayoutPatch" });
export type LayoutPatch = z.infer<typeof LayoutPatch>;

/**
 * What the visual form edits: the whole of these fields is replaced (an optional one left out is
 * removed, e.g. no `topN` shows every category). Number formats are per binding (`bindings.N.format`).
 */
export const VisualEdit = Visual.pick({
  kind: true,
  title: true,
  bindings: true,
  sort: true,
  topN: true,
})
  .strict()
  .meta({ id: "VisualEdit" });
export type VisualEdit = z.infer<typeof VisualEdit>;

export interface ManualEditResult {
  /** The edited, checked plan; null when there are errors. */
  plan: DashboardPlan | null;
  /** Paths relative to the edit (`tiles.0.w`, `bindings.1.aggregation`). */
  errors: PlanNote[];
}

const overlap = (a: Tile, b: Tile) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Where each tile id lives in the plan (`pages.P.visuals.V` / `pages.P.slicers.S`). */
function tilePaths(plan: DashboardPlan): Map<string, { page: number; path: string; layout: Tile }> {
  const out = new Map<string, { page: number; path: string; layout: Tile }>();
  plan.pages.forEach((p, pi) => {
    for (const [si, s] of p.slicers.entries())
      out.set(s.id, { page: pi, path: `pages.${pi}.slicers.${si}`, layout: s.layout });
    for (const [vi, v] of p.visuals.entries())
      out.set(v.id, { page: pi, path: `pages.${pi}.visuals.${vi}`, layout: v.layout });
  });
  return out;
}

/** A checked note moved from the plan's path to the edit's (`prefix` of the plan → `to`), or null. */
function relocate(note: PlanNote, prefix: string, to: string): PlanNote | null {
  if (note.path !== prefix && !note.path.startsWith(`${prefix}.`)) return null;
  const rest = note.path.slice(prefix.length);
  return { path: `${to}${rest}`.replace(/^\./, ""), message: note.message };
}

/** A repair the checker would make, worded as the reason the choice is refused. */
function refusal(message: string): string {
  return message.replace(/: (\w+) instead$/, " (choose $1)").replace(/: removed$/, "");
}

/**
 * Moves and resizes tiles. Refused with field errors: an unknown or repeated id, a tile that
 * passes the grid's right edge, a tile that overlaps another on its page.
 */
export function applyLayoutPatch(
  plan: DashboardPlan,
  patch: LayoutPatch,
  tables: TableProfile[],
): ManualEditResult {
  const next = structuredClone(plan);
  const where = tilePaths(next);
  const errors: PlanNote[] = [];
  const seen = new Set<string>();
  patch.tiles.forEach((t, i) => {
    const at = where.get(t.id);
    if (!at) errors.push({ path: `tiles.${i}.id`, message: `no visual or slicer "${t.id}" in the plan` });
    else if (seen.has(t.id)) errors.push({ path: `tiles.${i}.id`, message: `"${t.id}" is moved twice` });
    if (t.x + t.w > GRID_COLUMNS)
      errors.push({
        path: `tiles.${i}.w`,
        message: `${t.w} wide at column ${t.x} passes the ${GRID_COLUMNS}-column grid's edge (at most ${GRID_COLUMNS - t.x})`,
      });
    seen.add(t.id);
    if (at) Object.assign(at.layout, { x: t.x, y: t.y, w: t.w, h: t.h });
  });
  if (errors.length) return { plan: null, errors };
  patch.tiles.forEach((t, i) => {
    const at = where.get(t.id)!;
    for (const [id, other] of where) {
      if (id === t.id || other.page !== at.page || !overlap(at.layout, other.layout)) continue;
      const o = other.layout;
      errors.push({
        path: `tiles.${i}`,
        message: `overlaps "${id}" (columns ${o.x}–${o.x + o.w - 1}, rows ${o.y}–${o.y + o.h - 1})`,
      });
      break;
    }
  });
  if (errors.length) return { plan: null, errors };
  const checked = checkPlan(next, tables);
  const fromPlan = (n: PlanNote): PlanNote => {
    for (const [i, t] of patch.tiles.entries()) {
      const moved = relocate(n, `${where.get(t.id)!.path}.layout`, `tiles.${i}`);
      if (moved) return moved;
    }
    return { path: "tiles", message: `${n.path}: ${n.message}` };
  };
  // Layout repairs would move a tile the person just placed; anything else was there before.
  const layoutRepairs = checked.repairs.filter((r) => /\.layout$|\.layout\./.test(r.path));
  const refused = [...checked.issues, ...layoutRepairs].map(fromPlan);
  if (!checked.ok || !checked.plan || refused.length) return { plan: null, errors: refused };
  return { plan: checked.plan, errors: [] };
}

/**
 * Replaces a visual's kind, title, bindings, sort and top-N. Refused with field errors (paths
 * within the edit): an unknown field, an aggregation that does not fit its column (a SUM of an
 * identifier), a kind the bindings cannot draw — whatever `checkPlan` would reject or repair.
 */
export function applyVisualEdit(
  plan: DashboardPlan,
  visualId: string,
  edit: VisualEdit,
  tables: TableProfile[],
): ManualEditResult {
  const next = structuredClone(plan);
  const at = tilePaths(next).get(visualId);
  const page = at ? next.pages[at.page] : undefined;
  const visual = page?.visuals.find((v) => v.id === visualId);
  if (!at || !visual)
    return { plan: null, errors: [{ path: "", message: `no visual "${visualId}" in the plan` }] };
  visual.kind = edit.kind;
  visual.title = edit.title;
  visual.bindings = structuredClone(edit.bindings);
  if (edit.sort) visual.sort = structuredClone(edit.sort);
  else delete visual.sort;
  if (edit.topN) visual.topN = structuredClone(edit.topN);
  else delete visual.topN;
  const checked = checkPlan(next, tables);
  const mine = (n: PlanNote) => relocate(n, at.path, "");
  const errors = [
    ...checked.issues.map((n) => mine(n) ?? { path: "", message: `${n.path}: ${n.message}` }),
    ...checked.repairs.flatMap((n) => {
      const m = mine(n);
      return m ? [{ path: m.path, message: refusal(m.message) }] : [];
    }),
  ];
  if (!checked.ok || !checked.plan || errors.length) return { plan: null, errors };
  return { plan: checked.plan, errors: [] };
}
