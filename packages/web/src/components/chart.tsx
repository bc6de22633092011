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
  onClick,
}: {
  option: ChartOption;
  height?: number | string;
  label: string;
  /** A click on a mark (a bar, a point): its category name (dashboards cross-filter by it). */
  onClick?: (mark: { name: string; seriesIndex: number; dataIndex: number }) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme("light");
  const chart = useRef<echarts.ECharts | null>(null);
  // The instance that has drawn an option already (a new one, after a theme change, has not).
  const drawnBy = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, scheme === "dark" ? "dark" : undefined, { renderer: "canvas" });
    chart.current = c;
    // An observer reports the size it starts with too: only a real change redraws (a second full
    // drawing of every chart on a dashboard's first render otherwise).
    const ro = new ResizeObserver(([e]) => {
      const box = e?.contentRect;
      if (box && Math.round(box.width) === c.getWidth() && Math.round(box.height) === c.getHeight()) return;
      c.resize();
    });
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [scheme]);
  // The latest handler, read at click time, so a new closure needs no re-binding.
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  // biome-ignore lint/correctness/useExhaustiveDependencies: bound once per chart instance (re-created with the theme)
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const handler = (p: { name?: string; seriesIndex?: number; dataIndex?: number }) =>
      clickRef.current?.({
        name: String(p.name ?? ""),
        seriesIndex: p.seriesIndex ?? 0,
        dataIndex: p.dataIndex ?? 0,
      });
    c.on("click", handler);
    return () => {
      c.off("click", handler);
    };
  }, [scheme]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a theme change re-creates the chart, which needs the option again
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    // The first drawing appears at once: an entry animation redraws every chart on every frame
    // for a second, and on a dashboard of several charts those frames delay the charts still to be
    // drawn (issue 16's first-render profile). Later changes (a filter) still animate.
    const first = drawnBy.current !== c;
    drawnBy.current = c;
    c.setOption({ backgroundColor: "transparent", ...(first ? { animation: false } : {}), ...option }, true);
  }, [option, scheme]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
