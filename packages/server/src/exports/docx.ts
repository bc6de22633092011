import {
  AlignmentType,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { displayValue, titleWithUnit } from "./cells.ts";
import { chartSvg, svgToPng } from "./charts.ts";
import { FONT_FAMILY } from "./fonts.ts";
import { type Column, type Field, type PagedBlock, type PagedDocument, when } from "./report.ts";

/**
 * The Word report: the same blocks as the PDF, as real Word headings, paragraphs and tables
 * (header rows repeat across pages) so a reader can edit it. Charts are embedded as SVG with a
 * PNG fallback: Word 2016+ and LibreOffice show the crisp vector, older readers the PNG (the
 * `docx` package requires the fallback for SVG images, and it is rasterized by resvg).
 */

const CHART_W_PX = 720;
const CHART_H_PX = 340;
/** Chart width on the page in pixels at 96 dpi (≈ 6.25 in). */
const CHART_PAGE_W = 600;

const numeric = (c: { format?: string | undefined }) => c.format !== "text" && c.format !== "date";

const cell = (text: string, opts: { bold?: boolean; right?: boolean; header?: boolean } = {}) =>
  new TableCell({
    children: [
      new Paragraph({
        alignment: opts.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: [new TextRun({ text, bold: opts.bold ?? false, size: 16 })],
      }),
    ],
    ...(opts.header ? { shading: { type: ShadingType.CLEAR, color: "auto", fill: "E8EEF5" } } : {}),
  });

function fieldsTable(rows: Field[]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map(
      (f) =>
        new TableRow({
          children: [cell(titleWithUnit(f.label, f), { bold: true }), cell(displayValue(f.value, f))],
        }),
    ),
  });
}

function dataTable(columns: Column[], rows: Record<string, unknown>[]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({
        tableHeader: true,
        children: columns.map((c) =>
          cell(titleWithUnit(c.title, c), { bold: true, header: true, right: numeric(c) }),
        ),
      }),
      ...rows.map(
        (r) =>
          new TableRow({
            children: columns.map((c) => cell(displayValue(r[c.key], c), { right: numeric(c) })),
          }),
      ),
    ],
  });
}

const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

function blockChildren(b: PagedBlock): (Paragraph | Table)[] {
  switch (b.kind) {
    case "heading":
      return [new Paragraph({ heading: HEADINGS[b.level], text: b.text })];
    case "paragraph":
      return [
        new Paragraph({
          children: [
            new TextRun({ text: b.text, ...(b.note ? { italics: true, color: "555555", size: 16 } : {}) }),
          ],
        }),
      ];
    case "fields":
      return [fieldsTable(b.rows), new Paragraph({})];
    case "table":
      return [
        ...(b.title ? [new Paragraph({ heading: HeadingLevel.HEADING_3, text: b.title })] : []),
        dataTable(b.columns, b.rows),
        new Paragraph({}),
      ];
    case "pageBreak":
      return [new Paragraph({ children: [new PageBreak()] })];
    case "chart": {
      const svg = chartSvg(b.chart, CHART_W_PX, CHART_H_PX);
      return [
        new Paragraph({ heading: HeadingLevel.HEADING_3, text: b.title }),
        new Paragraph({
          children: [
            new ImageRun({
              type: "svg",
              data: Buffer.from(svg),
              fallback: { type: "png", data: svgToPng(svg) },
              transformation: {
                width: CHART_PAGE_W,
                height: Math.round((CHART_PAGE_W * CHART_H_PX) / CHART_W_PX),
              },
              altText: { name: b.title, title: b.title, description: `Chart: ${b.title}` },
            }),
          ],
        }),
      ];
    }
  }
}

export async function renderDocx(d: PagedDocument, generatedAt = new Date()): Promise<Buffer> {
  const doc = new Document({
    creator: "Modelworks",
    title: d.title,
    description: d.subtitle.slice(0, 500),
    styles: { default: { document: { run: { font: FONT_FAMILY, size: 19 } } } },
    sections: [
      {
        properties: {
          page: {
            // Twips (1/1440 in): US Letter 8.5 × 11 in, A4 210 × 297 mm — the report's paper.
            size: d.paper === "LETTER" ? { width: 12240, height: 15840 } : { width: 11906, height: 16838 },
            margin: { top: 900, bottom: 900, left: 900, right: 900 },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ text: `${d.title} · page `, size: 14, color: "555555" }),
                  new TextRun({ children: [PageNumber.CURRENT], size: 14, color: "555555" }),
                ],
              }),
            ],
          }),
        },
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, text: d.title }),
          new Paragraph({
            children: [new TextRun({ text: d.subtitle.slice(0, 900), color: "555555", size: 16 })],
          }),
          new Paragraph({
            children: [
              new TextRun({
                text: `Generated ${when(generatedAt, d.locale)} by Modelworks`,
                color: "555555",
                size: 16,
              }),
            ],
          }),
          ...d.blocks.flatMap(blockChildren),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
