import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { displayValue, titleWithUnit } from "./cells.ts";
import { chartSvg } from "./charts.ts";
import { FONT_BOLD, FONT_REGULAR } from "./fonts.ts";
import { type Column, type Field, type PagedBlock, type PagedDocument, when } from "./report.ts";

/**
 * The PDF report, drawn with pdfkit: title and run metadata, key results, charts (ECharts SVG
 * drawn as vectors by svg-to-pdfkit), tables with a header row repeated on every page, inputs,
 * and page numbers. No headless browser: everything is laid out here, on the document's paper
 * (US Letter or A4); wide tables on landscape pages.
 */

const MARGIN = 48;
const GRAY = "#555555";
const RULE = "#d0d7e0";
const HEADER_BG = "#e8eef5";
const CHART_W_PX = 720;
const CHART_H_PX = 340;

type Doc = PDFKit.PDFDocument;

const numeric = (c: { format?: string | undefined }) => c.format !== "text" && c.format !== "date";

class Layout {
  landscape = false;
  constructor(
    readonly doc: Doc,
    readonly paper: string,
  ) {}
  /** A new page in the current orientation (pdfkit's own addPage would fall back to portrait). */
  addPage() {
    this.doc.addPage({ size: this.paper, layout: this.landscape ? "landscape" : "portrait", margin: MARGIN });
  }
  /** Turns to a page of the given orientation unless this one already is. */
  orient(landscape: boolean) {
    if (landscape === this.landscape) return;
    this.landscape = landscape;
    this.addPage();
  }
  get width() {
    return this.doc.page.width - 2 * MARGIN;
  }
  get bottom() {
    return this.doc.page.height - MARGIN - 14; // room for the page number
  }
  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number) {
    if (this.doc.y + height > this.bottom) this.addPage();
  }
}

function heading(l: Layout, text: string, level: 1 | 2 | 3) {
  const size = level === 1 ? 16 : level === 2 ? 13 : 11;
  l.ensure(size * 3);
  l.doc.moveDown(level === 3 ? 0.4 : 0.8);
  l.doc.font("bold").fontSize(size).fillColor("black").text(text, MARGIN, l.doc.y, { width: l.width });
  l.doc.moveDown(0.3);
}

function paragraph(l: Layout, text: string, note = false) {
  l.ensure(20);
  l.doc
    .font("regular")
    .fontSize(note ? 8 : 9.5)
    .fillColor(note ? GRAY : "black")
    .text(text, MARGIN, l.doc.y, { width: l.width });
  l.doc.moveDown(0.4);
}

function fields(l: Layout, rows: Field[]) {
  const { doc } = l;
  const labelW = l.width * 0.42;
  const valueW = l.width - labelW - 8;
  doc.fontSize(8.5);
  for (const f of rows) {
    const value = displayValue(f.value, f);
    const label = titleWithUnit(f.label, f);
    const h =
      Math.max(
        doc.font("bold").heightOfString(label, { width: labelW }),
        doc.font("regular").heightOfString(value, { width: valueW }),
      ) + 4;
    l.ensure(h);
    const y = doc.y;
    doc
      .font("bold")
      .fillColor(GRAY)
      .text(label, MARGIN, y + 2, { width: labelW });
    doc
      .font("regular")
      .fillColor("black")
      .text(value, MARGIN + labelW + 8, y + 2, { width: valueW });
    doc.y = y + h;
    doc
      .moveTo(MARGIN, doc.y)
      .lineTo(MARGIN + l.width, doc.y)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
  }
  doc.moveDown(0.5);
}

/**
 * Column widths for a table: numbers get the width they need (a cut number is a wrong number);
 * text columns are served shortest first, each at most an equal share of what is left, so a
 * status or a code keeps its width and long text shares the rest; width left over when all
 * text fits goes to the text columns (to all columns when there is no text).
 */
export function columnWidths(want: number[], isNumber: boolean[], total: number): number[] {
  const numbers = want.reduce((a, w, i) => a + (isNumber[i] ? w : 0), 0);
  const textIdx = want.map((_, i) => i).filter((i) => !isNumber[i]);
  if (textIdx.length === 0 || numbers >= total * 0.8) {
    const sum = want.reduce((a, b) => a + b, 0);
    return want.map((w) => (w / sum) * total);
  }
  const widths = [...want];
  let remaining = total - numbers;
  [...textIdx]
    .sort((a, b) => want[a]! - want[b]!)
    .forEach((i, n) => {
      widths[i] = Math.min(want[i]!, remaining / (textIdx.length - n));
      remaining -= widths[i]!;
    });
  const texts = textIdx.reduce((a, i) => a + widths[i]!, 0);
  if (remaining > 0) for (const i of textIdx) widths[i]! += (remaining * widths[i]!) / texts;
  return widths;
}

function table(l: Layout, title: string | undefined, columns: Column[], rows: Record<string, unknown>[]) {
  const { doc } = l;
  if (title) heading(l, title, 3);
  const size = l.landscape ? 7 : 7.5;
  const pad = 3;
  const text = rows.map((r) => columns.map((c) => displayValue(r[c.key], c)));
  const titles = columns.map((c) => titleWithUnit(c.title, c));
  // Width by content (longest of header words and sampled cells), scaled to the page.
  doc.font("regular").fontSize(size);
  const want = columns.map((_, i) => {
    const cells = text.slice(0, 100).map((r) => doc.widthOfString(r[i]!));
    const words = titles[i]!.split(/\s+/).map((w) => doc.widthOfString(w));
    return Math.max(30, ...cells, ...words) + 2 * pad;
  });
  const widths = columnWidths(want, columns.map(numeric), l.width);
  const x0 = MARGIN;
  const drawHeader = () => {
    doc.font("bold").fontSize(size);
    const h =
      Math.max(...titles.map((t, i) => doc.heightOfString(t, { width: widths[i]! - 2 * pad }))) + 2 * pad;
    l.ensure(h + 14);
    const y = doc.y;
    doc.rect(x0, y, l.width, h).fill(HEADER_BG);
    let x = x0;
    titles.forEach((t, i) => {
      doc.fillColor("black").text(t, x + pad, y + pad, {
        width: widths[i]! - 2 * pad,
        align: numeric(columns[i]!) ? "right" : "left",
      });
      x += widths[i]!;
    });
    doc.y = y + h;
  };
  drawHeader();
  const rowH = size + 2 * pad + 1;
  doc.font("regular").fontSize(size);
  text.forEach((cells, r) => {
    if (doc.y + rowH > l.bottom) {
      l.addPage();
      drawHeader();
      doc.font("regular").fontSize(size);
    }
    const y = doc.y;
    if (r % 2 === 1) doc.rect(x0, y, l.width, rowH).fill("#f7f9fb");
    let x = x0;
    cells.forEach((cell, i) => {
      doc.fillColor("black").text(cell, x + pad, y + pad, {
        width: widths[i]! - 2 * pad,
        height: rowH - pad,
        ellipsis: true,
        lineBreak: false,
        align: numeric(columns[i]!) ? "right" : "left",
      });
      x += widths[i]!;
    });
    doc.y = y + rowH;
  });
  doc
    .moveTo(x0, doc.y)
    .lineTo(x0 + l.width, doc.y)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();
  doc.x = MARGIN;
  doc.moveDown(0.6);
}

function chart(l: Layout, title: string, svg: string) {
  const w = l.width;
  const h = (w * CHART_H_PX) / CHART_W_PX;
  l.ensure(h + 40);
  heading(l, title, 3);
  const y = l.doc.y;
  SVGtoPDF(l.doc, svg, MARGIN, y, {
    width: w,
    height: h,
    assumePt: false,
    fontCallback: (_family, bold) => (bold ? "bold" : "regular"),
  });
  l.doc.y = y + h + 6;
  l.doc.x = MARGIN;
}

function block(l: Layout, b: PagedBlock) {
  l.orient(b.kind === "table" && b.landscape === true);
  switch (b.kind) {
    case "heading":
      return heading(l, b.text, b.level);
    case "paragraph":
      return paragraph(l, b.text, b.note);
    case "fields":
      return fields(l, b.rows);
    case "table":
      return table(l, b.title, b.columns, b.rows);
    case "chart":
      return chart(l, b.title, chartSvg(b.chart, CHART_W_PX, CHART_H_PX));
    case "pageBreak":
      return l.addPage();
  }
}

export async function renderPdf(d: PagedDocument, generatedAt = new Date()): Promise<Buffer> {
  const paper = d.paper ?? "A4";
  const doc = new PDFDocument({
    size: paper,
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: d.title,
      Creator: "Modelworks",
      Producer: "Modelworks (pdfkit)",
      CreationDate: generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  doc.registerFont("regular", FONT_REGULAR);
  doc.registerFont("bold", FONT_BOLD);
  const l = new Layout(doc, paper);
  doc.font("bold").fontSize(18).text(d.title, { width: l.width });
  doc.moveDown(0.2);
  doc.font("regular").fontSize(8.5).fillColor(GRAY).text(d.subtitle.slice(0, 900), { width: l.width });
  doc.text(`Generated ${when(generatedAt, d.locale)} by Modelworks`);
  doc.fillColor("black").moveDown(0.6);
  for (const b of d.blocks) block(l, b);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin pdfkit would start a new page; the footer lives there on purpose.
    doc.page.margins.bottom = 0;
    doc
      .font("regular")
      .fontSize(7.5)
      .fillColor(GRAY)
      .text(`${d.title} · page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN, {
        width: doc.page.width - 2 * MARGIN,
        align: "center",
        lineBreak: false,
      });
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
