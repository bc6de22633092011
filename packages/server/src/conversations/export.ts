import type { DashboardPlan } from "@modelworks/engine-dashboard-planner";
import type { Db } from "../db/client.ts";
import type { FileStore } from "../files/store.ts";
import { queryRevision } from "./query.ts";
import type { PlanRevisionRow } from "./store.ts";

/** A revision's PDF or PNG as an attachment named after the plan (shared with the public share view). */
export async function renderDashboard(
  db: Db,
  store: FileStore,
  orgId: string,
  rev: PlanRevisionRow,
  format: "pdf" | "png",
) {
  const plan = rev.plan as DashboardPlan;
  const visuals = await queryRevision(db, store, orgId, rev, { slicers: {}, selections: [] });
  // Loaded on first use: the renderer brings ECharts and PDFKit, which the API needs for nothing else.
  const { dashboardPdf, dashboardPng } = await import("./render.ts");
  const body =
    format === "pdf"
      ? await dashboardPdf(plan, visuals, { revision: rev.revision, generatedAt: new Date() })
      : dashboardPng(plan, visuals);
  return { body, title: plan.title };
}
