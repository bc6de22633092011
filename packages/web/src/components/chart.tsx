import { useComputedColorScheme } from "@mantine/core";
import { BarChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

// Only what the descriptors can ask for: tree-shaken ECharts (see docs/decisions/0012-web-app.md).
echarts.use([
  LineChart,
  BarChart,
  PieChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

import type { ChartOption } from "../lib/charts.ts";

export type { ChartOption };

/** One ECharts canvas; re-created when the theme changes, resized with its container. */
export function EChart({
  option,
  height = 320,
  label,
}: {
  option: ChartOption;
  height?: number;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme("light");
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, scheme === "dark" ? "dark" : undefined, { renderer: "canvas" });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [scheme]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a theme change re-creates the chart, which needs the option again
  useEffect(() => {
    chart.current?.setOption({ backgroundColor: "transparent", ...option }, true);
  }, [option, scheme]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
