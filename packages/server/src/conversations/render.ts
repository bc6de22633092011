import { periodLabel, visualOption } from "@modelworks/dashboard-charts";
import type { Binding, DashboardPlan, NumberFormat, Visual } from "@modelworks/engine-dashboard-planner";
import * as echarts from "echarts";
import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { svgToPng } from "../exports/charts.ts";
import { FONT_BOLD, FONT_FAMILY, FONT_REGULAR } from "../exports/fonts.ts";

/**
 * A dashboard as a picture (PNG) and as a document (PDF), drawn on the server from the live query
 * rows with the export path's own parts: ECharts' SSR renderer to SVG, resvg for the PNG and
 * pdfkit + svg-to-pdfkit for the PDF (vectors, the bundled DejaVu font) — no headless browser.
 * Each page of the plan is one SVG laid out on the plan's 12-column grid; the PDF follows the
 * pictures with every visual's numbers as a table, written in full so they can be read back.
 */

export interface VisualRows {
  visualId: string;
  columns: { name: string; role: string; binding?: number | undefined }[];
  rows: Record<string, unknown>[];
}

const WIDTH_PX = 1280;
const PAD_PX = 16;
const ROW_PX = 56; // the web's grid row
const GAP_PX = 8;
const COL_PX = (WIDTH_PX - 2 * PAD_PX) / 12;
const HEADER_PX = 56;

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
const clip = (s: string, chars: number) => (s.length > chars ? `${s.slice(0, Math.max(1, chars - 1))}…` : s);

/** DuckDB DECIMALs arrive as exact text ("52.50"): numbers again for the measures. */
function numeric(x: unknown): number | null {
  if (typeof x === "number") return x;
  if (typeof x === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(x)) return Number(x);
  return null;
}
const MEASURES = new Set(["value", "previousValue", "binStart", "binEnd", "raw"]);

/** A value as its binding's number format asks (what the dashboard shows). */
export function formatted(v: unknown, f: NumberFormat | undefined): string {
  const n = numeric(v);
  if (n === null) return v === null || v === undefined ? "—" : String(v);
  if (!f) return exact(n);
  const d = f.kind === "integer" ? 0 : (f.decimals ?? 0);
  const o: Intl.NumberFormatOptions = { minimumFractionDigits: d, maximumFractionDigits: d };
  if (f.compact) o.notation = "compact";
  if (f.kind === "currency" && f.currency)
    return new Intl.NumberFormat("en-US", { ...o, style: "currency", currency: f.currency }).format(n);
  const text = new Intl.NumberFormat("en-US", o).format(n);
  return f.kind === "percent" ? `${text} %` : text;
}

/** A number in full (up to 6 decimals, no grouping): the data tables' form, equal to the query's value. */
export function exact(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

function cell(v: Visual, c: VisualRows["columns"][number], row: Record<string, unknown>) {
  if (c.role === "other") return row[c.name] ? "Other" : "";
  const x = row[c.name];
  if (MEASURES.has(c.role)) {
    const n = numeric(x);
    if (n !== null) return exact(n);
  }
  if (typeof x === "string" && c.role === "group") {
    const b = c.binding === undefined ? undefined : v.bindings[c.binding];
    if (b?.timeGrain) return x.slice(0, b.timeGrain === "year" ? 4 : b.timeGrain === "month" ? 7 : 10);
  }
  return x === null || x === undefined ? "—" : String(x);
}

function columnTitle(v: Visual, c: VisualRows["columns"][number]): string {
  const b: Binding | undefined = c.binding === undefined ? undefined : v.bindings[c.binding];
  if (c.role === "other") return "Other";
  if (c.role === "period" || c.role === "previousPeriod")
    return c.role === "period" ? "Period" : "Previous period";
  const name = b?.label ?? b?.field?.column ?? (b?.aggregation === "count" ? "Rows" : c.name);
  const agg = b?.aggregation && b.aggregation !== "count" ? `${b.aggregation} of ` : "";
  return c.role === "previousValue" ? `${agg}${name} (previous)` : `${agg}${name}`;
}

/** Each visual's result as a table of exact values: what the PDF's data pages print. */
export function dataTable(v: Visual, r: VisualRows): { headers: string[]; rows: string[][] } {
  const cols = r.columns.filter((c) => c.role !== "other" || r.rows.some((row) => row[c.name]));
  return {
    headers: cols.map((c) => columnTitle(v, c)),
    rows: r.rows.map((row) => cols.map((c) => cell(v, c, row))),
  };
}

/**
 * A visual's chart, built by the module the web's dashboard draws from (so paper matches the
 * screen), printed: no animation or tooltips, the bundled font, numbers in the plan's formats.
 */
function chartOption(v: Visual, r: VisualRows): echarts.EChartsCoreOption | null {
  return visualOption(v, r, {
    formatCell: (x, b, grain) =>
      grain && typeof x === "string"
        ? periodLabel(x, grain)
        : formatted(x, b?.format as NumberFormat | undefined),
    columnTitle: (_, c) => columnTitle(v, c),
    print: { fontFamily: FONT_FAMILY },
  });
}

/** The inner drawing of an ECharts SVG, to be placed inside the page's SVG. */
function chartBody(option: echarts.EChartsCoreOption, w: number, h: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: w, height: h });
  try {
    chart.setOption(option);
    return chart
      .renderToSVGString()
      .replace(/^<svg[^>]*>/, "")
      .replace(/<\/svg>\s*$/, "");
  } finally {
    chart.dispose();
  }
}

function tileBody(v: Visual, r: VisualRows | undefined, w: number, h: number): string {
  if (!r) return "";
  const option = chartOption(v, r);
  if (option) return chartBody(option, w, h);
  if (v.kind === "kpi") {
    const val = r.columns.find((c) => c.role === "value");
    const prev = r.columns.find((c) => c.role === "previousValue");
    const row = r.rows[0] ?? {};
    const f = val?.binding === undefined ? undefined : v.bindings[val.binding]?.format;
    const now = val ? numeric(row[val.name]) : null;
    const before = prev ? numeric(row[prev.name]) : null;
    let out = `<text x="4" y="${Math.min(h - 8, 40)}" font-size="30" font-weight="bold">${esc(formatted(now, f))}</text>`;
    if (now !== null && before !== null && before !== 0) {
      const pct = ((now - before) / Math.abs(before)) * 100;
      const color = pct >= 0 ? "#1a7f37" : "#cf222e";
      out += `<text x="4" y="${Math.min(h - 2, 62)}" font-size="12" fill="${color}">${pct >= 0 ? "▲" : "▼"} ${Math.abs(pct).toFixed(1)} % vs ${esc(formatted(before, f))}</text>`;
    }
    return out;
  }
  // Tables, pivots and maps by region: the rows as text, as many as fit.
  const t = dataTable(v, r);
  const colW = w / Math.max(1, t.headers.length);
  const chars = Math.max(3, Math.floor(colW / 7));
  const lines = Math.max(0, Math.floor((h - 4) / 17) - 1);
  const row = (cells: string[], y: number, bold = false) =>
    cells
      .map(
        (c, i) =>
          `<text x="${4 + i * colW}" y="${y}" font-size="11"${bold ? ' font-weight="bold"' : ""}>${esc(clip(c, chars))}</text>`,
      )
      .join("");
  return [
    row(t.headers, 13, true),
    ...t.rows.slice(0, lines).map((cells, i) => row(cells, 30 + i * 17)),
  ].join("");
}

/** One page of the plan as an SVG on the 12-column grid. */
export function pageSvg(
  plan: DashboardPlan,
  pageIndex: number,
  results: VisualRows[],
): { svg: string; widthPx: number; heightPx: number } {
  const page = plan.pages[pageIndex]!;
  const tiles = [...page.slicers, ...page.visuals];
  const rows = Math.max(1, ...tiles.map((t) => t.layout.y + t.layout.h));
  const height = HEADER_PX + rows * ROW_PX + PAD_PX;
  const parts: string[] = [
    `<rect width="${WIDTH_PX}" height="${height}" fill="#f6f8fa"/>`,
    `<text x="${PAD_PX}" y="30" font-size="20" font-weight="bold">${esc(clip(plan.title, 90))}</text>`,
    `<text x="${PAD_PX}" y="48" font-size="12" fill="#555555">${esc(clip(page.title, 120))}</text>`,
  ];
  const place = (l: { x: number; y: number; w: number; h: number }) => ({
    x: PAD_PX + l.x * COL_PX + GAP_PX / 2,
    y: HEADER_PX + l.y * ROW_PX + GAP_PX / 2,
    w: l.w * COL_PX - GAP_PX,
    h: l.h * ROW_PX - GAP_PX,
  });
  for (const s of page.slicers) {
    const p = place(s.layout);
    parts.push(
      `<g transform="translate(${p.x},${p.y})"><rect width="${p.w}" height="${p.h}" rx="6" fill="#ffffff" stroke="#d0d7e0"/>` +
        `<text x="10" y="${Math.min(p.h - 6, 20)}" font-size="12">${esc(clip(`${s.title ?? s.field.column}: all`, Math.floor(p.w / 7)))}</text></g>`,
    );
  }
  for (const v of page.visuals) {
    const p = place(v.layout);
    const bodyW = Math.max(10, Math.round(p.w - 12));
    const bodyH = Math.max(10, Math.round(p.h - 34));
    parts.push(
      `<g transform="translate(${p.x},${p.y})"><rect width="${p.w}" height="${p.h}" rx="6" fill="#ffffff" stroke="#d0d7e0"/>` +
        `<text x="10" y="20" font-size="13" font-weight="bold">${esc(clip(v.title, Math.floor(p.w / 8)))}</text>` +
        `<g transform="translate(6,28)">${tileBody(
          v,
          results.find((r) => r.visualId === v.id),
          bodyW,
          bodyH,
        )}</g></g>`,
    );
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${height}" viewBox="0 0 ${WIDTH_PX} ${height}" ` +
    `font-family="${FONT_FAMILY}">${parts.join("")}</svg>`;
  return { svg, widthPx: WIDTH_PX, heightPx: height };
}

/** The dashboard's pages one under another as a PNG (2× for print). */
export function dashboardPng(plan: DashboardPlan, results: VisualRows[]): Buffer {
  const pages = plan.pages.map((_, i) => pageSvg(plan, i, results));
  const height = pages.reduce((n, p) => n + p.heightPx, 0);
  let y = 0;
  const body = pages
    .map((p) => {
      const g = `<g transform="translate(0,${y})">${p.svg.replace(/^<svg[^>]*>/, "").replace(/<\/svg>$/, "")}</g>`;
      y += p.heightPx;
      return g;
    })
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${height}" viewBox="0 0 ${WIDTH_PX} ${height}" font-family="${FONT_FAMILY}">${body}</svg>`;
  return svgToPng(svg, 1.5);
}

/** The dashboard as a PDF: each page's picture (vectors) on a landscape page, then every visual's numbers. */
export async function dashboardPdf(
  plan: DashboardPlan,
  results: VisualRows[],
  meta: { revision: number; generatedAt: Date },
): Promise<Buffer> {
  const MARGIN = 36;
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    info: { Title: plan.title, Creator: "Modelworks", CreationDate: meta.generatedAt },
  });
  doc.registerFont("regular", FONT_REGULAR);
  doc.registerFont("bold", FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on("end", () => resolve()));
  const width = doc.page.width - 2 * MARGIN;
  plan.pages.forEach((_, i) => {
    if (i > 0) doc.addPage();
    const { svg, widthPx, heightPx } = pageSvg(plan, i, results);
    const scale = Math.min(width / widthPx, (doc.page.height - 2 * MARGIN - 16) / heightPx);
    SVGtoPDF(doc, svg, MARGIN, MARGIN, {
      width: widthPx * scale,
      height: heightPx * scale,
      assumePt: false,
      fontCallback: (_family: string, bold: boolean) => (bold ? "bold" : "regular"),
    });
  });
  doc.addPage();
  doc.font("bold").fontSize(14).text(`${plan.title}: the numbers`, { width });
  doc
    .font("regular")
    .fontSize(8.5)
    .fillColor("#555555")
    .text(
      `Plan revision ${meta.revision}, queried ${meta.generatedAt.toISOString()}. Each visual's query result, exactly.`,
      { width },
    );
  for (const v of plan.pages.flatMap((p) => p.visuals)) {
    const r = results.find((x) => x.visualId === v.id);
    if (!r) continue;
    const t = dataTable(v, r);
    const colW = width / Math.max(1, t.headers.length);
    if (doc.y > doc.page.height - MARGIN - 60) doc.addPage();
    doc.moveDown(0.8).font("bold").fontSize(11).fillColor("black").text(v.title, MARGIN, doc.y, { width });
    const line = (cells: string[], bold: boolean) => {
      if (doc.y > doc.page.height - MARGIN - 14) doc.addPage();
      const y = doc.y;
      doc.font(bold ? "bold" : "regular").fontSize(8.5);
      cells.forEach((c, i) => {
        doc.text(c, MARGIN + i * colW, y, { width: colW - 4, lineBreak: false, ellipsis: true });
      });
      doc.x = MARGIN;
      doc.y = y + 12;
    };
    line(t.headers, true);
    for (const row of t.rows) line(row, false);
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
