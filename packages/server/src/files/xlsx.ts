import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type ExcelJS from "exceljs";
import yauzl from "yauzl";
import { FileRejected } from "./sniff.ts";

export interface ZipLimits {
  /** Largest total of uncompressed bytes over all entries. */
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of any sizeable entry, and of the whole archive. */
  maxRatio: number;
}

/** Below this an entry's ratio says nothing (a 2 KiB XML of repeated tags compresses 50×). */
const RATIO_FLOOR_BYTES = 1024 * 1024;

/**
 * Guards the XLSX parser against zip bombs and non-workbooks, before the parser sees a byte.
 * The central directory's declared sizes are checked first (total and ratio); then every entry is
 * inflated once through yauzl, which fails an entry whose real size differs from the declared
 * one — so a directory that lies about sizes is caught too, at the cost of one streaming pass.
 */
export async function checkXlsxArchive(file: string, limits: ZipLimits): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
      (err, z) =>
        err || !z
          ? reject(new FileRejected("The file is named .xlsx but is not a readable ZIP archive."))
          : resolve(z),
    ),
  );
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (e: yauzl.Entry) => {
        entries.push(e);
        zip.readEntry();
      });
      zip.on("end", () => resolve());
      zip.on("error", () => reject(new FileRejected("The XLSX archive is damaged.")));
      zip.readEntry();
    });
    const names = new Set(entries.map((e) => e.fileName));
    if (!names.has("[Content_Types].xml") || !names.has("xl/workbook.xml")) {
      throw new FileRejected("The file is a ZIP archive but not an Excel workbook (no xl/workbook.xml).");
    }
    let total = 0;
    let compressed = 0;
    for (const e of entries) {
      total += e.uncompressedSize;
      compressed += e.compressedSize;
      if (
        e.uncompressedSize > RATIO_FLOOR_BYTES &&
        e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio
      ) {
        throw bomb(
          `entry ${e.fileName} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}×`,
        );
      }
    }
    if (total > limits.maxUncompressedBytes) {
      throw bomb(`it would expand to ${mib(total)} (limit ${mib(limits.maxUncompressedBytes)})`);
    }
    if (total > RATIO_FLOOR_BYTES && total / Math.max(1, compressed) > limits.maxRatio) {
      throw bomb(`it expands ${Math.round(total / Math.max(1, compressed))}× overall`);
    }
    for (const e of entries) await drain(zip, e);
  } finally {
    zip.close();
  }
}

const bomb = (why: string) => new FileRejected(`The XLSX file was refused as a possible zip bomb: ${why}.`);
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

/** The XML parts a parser reads: worksheets, shared strings, relationships, drawings' VML. */
const XML_PART_RE = /\.(xml|rels|vml)$/i;
const DOCTYPE = Buffer.from("<!DOCTYPE");

/**
 * Inflates one entry to its end (yauzl checks its real size). An XML part must not declare a
 * document type: Excel never writes one, and a DTD's entities are how XML bombs (billion laughs)
 * and external-entity reads work — the parser failed on them as a 500 before (issue 19 item 6).
 */
function drain(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  const scan = XML_PART_RE.test(entry.fileName);
  let tail = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new FileRejected(`The XLSX archive is damaged (${entry.fileName}).`));
      if (scan) {
        stream.on("data", (chunk: Buffer) => {
          // Keep the last few bytes so a declaration split across two chunks is still seen.
          const window = Buffer.concat([tail, chunk]);
          if (indexOfIgnoreCase(window, DOCTYPE) >= 0) {
            stream.destroy();
            reject(
              new FileRejected(
                `The XLSX file is not a plain workbook: ${entry.fileName} declares a document type (<!DOCTYPE …>), which Excel never writes; refused.`,
              ),
            );
            return;
          }
          tail = window.subarray(Math.max(0, window.length - (DOCTYPE.length - 1)));
        });
      }
      stream.on("error", () =>
        reject(
          new FileRejected(
            `The XLSX archive is damaged or lies about its sizes (${entry.fileName}); refused as a possible zip bomb.`,
          ),
        ),
      );
      stream.on("end", () => resolve());
      stream.resume();
    });
  });
}

/** `needle` (ASCII) in `haystack`, ignoring ASCII case. */
function indexOfIgnoreCase(haystack: Buffer, needle: Buffer): number {
  const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (lower(haystack[i + j]!) !== lower(needle[j]!)) continue outer;
    }
    return i;
  }
  return -1;
}

export interface SheetChoice {
  /** A sheet name, or its 1-based position; the first sheet when absent. */
  sheet?: string;
}

/**
 * Streams one worksheet of a (checked) workbook into a CSV file, so XLSX takes the same ingest
 * path as CSV. Cells become text as Excel shows them: formulas give their cached result and are
 * never evaluated; a text cell such as `=HYPERLINK(…)` stays that text. Dates become ISO dates.
 * Returns the sheet's name and every sheet name seen.
 */
export async function xlsxSheetToCsv(
  file: string,
  out: string,
  choice: SheetChoice,
): Promise<{ sheet: string; sheets: string[] }> {
  // Loaded on first use: ExcelJS and its dependencies are ~400 modules the API needs only here.
  const { default: Excel } = await import("exceljs");
  const reader = new Excel.stream.xlsx.WorkbookReader(file, {
    sharedStrings: "cache",
    worksheets: "emit",
    hyperlinks: "ignore",
    styles: "cache",
    entries: "ignore",
  });
  const sheets: string[] = [];
  let chosen: string | null = null;
  const sink = createWriteStream(out);
  const write = async (line: string) => {
    if (!sink.write(line)) await once(sink, "drain");
  };
  try {
    let position = 0;
    for await (const ws of reader) {
      position++;
      const name = (ws as unknown as { name: string }).name;
      sheets.push(name);
      const wanted =
        chosen === null &&
        (choice.sheet === undefined
          ? position === 1
          : choice.sheet === name || choice.sheet === String(position));
      if (!wanted) {
        // Read it through rather than skip it: when a workbook stores its sheets before its
        // shared strings, exceljs parks each sheet in a temp file and deletes that file as soon
        // as the next sheet is asked for, racing the still-opening read stream of a skipped sheet
        // into an uncaught ENOENT that would take the process down.
        for await (const _row of ws as AsyncIterable<ExcelJS.Row>);
        continue;
      }
      chosen = name;
      let width = 0;
      let rowNumber = 0;
      for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
        // Blank rows are absent from the sheet XML; keep them as empty lines' worth of data.
        while (++rowNumber < row.number) if (width) await write(`${",".repeat(width - 1)}\n`);
        const values = (row.values as unknown[]).slice(1).map(cellText);
        if (width === 0) width = trimEnd(values).length;
        else if (trimEnd(values).length > width) {
          throw new FileRejected(
            `Row ${row.number} of sheet "${name}" has values beyond the header's last column (${width}).`,
          );
        }
        const cells = Array.from({ length: width }, (_, i) => csvField(values[i] ?? ""));
        await write(`${cells.join(",")}\n`);
      }
    }
  } catch (err) {
    // exceljs fails on XML it cannot parse (a malformed part, a character reference to NUL) with
    // whatever error its parser left behind — often a TypeError. That is the file's fault, not the
    // server's: refuse it. Our own refusals and system errors (disk full) keep their meaning.
    if (err instanceof FileRejected || isSystemError(err)) throw err;
    throw new FileRejected(
      "The XLSX file could not be read as a workbook: one of its XML parts is malformed.",
    );
  } finally {
    sink.end();
    await once(sink, "close");
  }
  if (chosen === null) {
    throw new FileRejected(
      choice.sheet === undefined
        ? "The workbook has no worksheets."
        : `The workbook has no sheet "${choice.sheet}"; it has ${sheets.map((s) => `"${s}"`).join(", ")}.`,
    );
  }
  return { sheet: chosen, sheets };
}

/** An operating-system error (ENOSPC, EMFILE, …): the machine's trouble, not the file's. */
function isSystemError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

function trimEnd(values: string[]): string[] {
  let n = values.length;
  while (n > 0 && values[n - 1] === "") n--;
  return values.slice(0, n);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("result" in o) return cellText(o.result); // a formula: its cached value, never evaluated
    if ("formula" in o || "sharedFormula" in o) return "";
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join("");
    if ("text" in o) return cellText(o.text);
    if ("error" in o) return "";
    return "";
  }
  return String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}
