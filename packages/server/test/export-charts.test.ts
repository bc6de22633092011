/**
 * Charts of exports (exports/charts.ts): the gantt kind as ECharts bars — a transparent offset
 * stacked under the duration, periods as cells centred on their number — and its SVG.
 */
import type { ChartDescriptor } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { chartOption, chartSvg } from "../src/exports/charts.ts";
import type { ResolvedChart } from "../src/exports/report.ts";

const gantt: ChartDescriptor = {
  name: "gantt",
  title: "Schedule",
  kind: "gantt",
  table: "schedule",
  x: "projectId",
  y: ["startMonth", "endMonth"],
};

function resolved(rows: Record<string, unknown>[]): ResolvedChart {
  return {
    name: gantt.name,
    title: gantt.title,
    descriptor: gantt,
    table: {
      name: "schedule",
      title: "Schedule",
      columns: [
        { key: "projectId", title: "Project" },
        { key: "startMonth", title: "Start", unit: "month", format: "integer" },
        { key: "endMonth", title: "End", unit: "month", format: "integer" },
      ],
      rows,
    },
  };
}

describe("gantt chart", () => {
  const rows = [
    { projectId: "lobby", startMonth: 3, endMonth: 5 },
    { projectId: "roof", startMonth: null, endMonth: null },
    { projectId: "gym", startMonth: 7, endMonth: 7 },
  ];

  it("draws months 3–5 as 2.5–5.5 and a one-month project as one cell; unscheduled rows keep their label without a bar", () => {
    const o = chartOption(resolved(rows)) as {
      yAxis: { type: string; data: string[]; inverse: boolean };
      xAxis: { type: string; min: number; name: string };
      series: { stack: string; data: (number | null)[] }[];
    };
    expect(o.yAxis).toMatchObject({ type: "category", data: ["lobby", "roof", "gym"], inverse: true });
    expect(o.xAxis.type).toBe("value");
    expect(o.xAxis.min).toBe(2);
    expect(o.xAxis.name).toBe("month");
    const [offset, length] = o.series;
    expect(offset!.stack).toBe(length!.stack);
    expect(offset!.data).toEqual([2.5, null, 6.5]);
    expect(length!.data).toEqual([3, null, 1]);
  });

  it("renders to SVG with every project's label", () => {
    const svg = chartSvg(resolved(rows));
    expect(svg.startsWith("<svg")).toBe(true);
    for (const id of ["lobby", "roof", "gym"]) expect(svg).toContain(id);
  });
});
