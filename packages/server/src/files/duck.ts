import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { sampleLines, sniffDecimal, sniffDelimiter, splitLine, uniqueHeaders } from "./dialect.ts";
import { FileRejected, type TextEncoding } from "./sniff.ts";

/**
 * DuckDB does the heavy lifting of ingest: parsing a CSV in parallel, typing its columns,
 * writing it as Parquet (typed, compressed, and fast to page through and re-read for mapping),
 * and profiling every column in one aggregate pass. One in-process instance per server with a
 * memory cap that spills to disk (docs/decisions/0011-file-ingest.md).
 */
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

export interface DuckSettings {
  /** `memory_limit`, in MB as DuckDB reads it (256 MB = 244.1 MiB). */
  memoryMb: number;
  /** Where operators spill past the cap (`temp_directory`). */
  tempDir: string;
}

// Whoever calls first creates the instance, so it must never depend on the caller passing
// options: until configureDuck() runs (the runtime does, from FILES_DUCKDB_MEMORY_MB and
// DATA_DIR) the defaults hold, and they include a temp directory of this process's own (DuckDB's
// own default is `.tmp` under whatever the working directory happens to be).
let settings: DuckSettings = {
  memoryMb: 256,
  tempDir: path.join(os.tmpdir(), `modelworks-duckdb-${process.pid}`),
};
let instance: Promise<DuckDBInstance> | null = null;

export function duck(): Promise<DuckDBInstance> {
  instance ??= DuckDBInstance.create(":memory:", {
    threads: "2",
    memory_limit: `${settings.memoryMb}MB`,
    temp_directory: settings.tempDir,
    // Results keep the file's row order (the default, said here because it matters): rejected
    // rows are reported by line, rows pages and mapping read rows by position.
    preserve_insertion_order: "true",
    // Only files the server names are read; nothing is fetched or installed at run time.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  return instance;
}

/**
 * Sets the memory cap and spill directory: the options of the instance if it does not exist yet,
 * otherwise applied to it. The spill directory cannot move once DuckDB has written to it; the
 * instance then keeps the one it has (still a directory: it can always spill).
 */
export async function configureDuck(next: DuckSettings): Promise<void> {
  settings = { ...next };
  if (!instance) return;
  const c = await (await instance).connect();
  try {
    await c.run(`set memory_limit = ${lit(`${next.memoryMb}MB`)}`);
    await c.run(`set temp_directory = ${lit(next.tempDir)}`).catch(() => undefined);
  } finally {
    c.closeSync();
  }
}

/** The settings in force on the instance (for tests and diagnostics). */
export async function duckSettings(): Promise<{ memoryLimit: string; tempDir: string }> {
  return withConnection(async (c) => {
    const row = (
      await c.runAndReadAll("select current_setting('memory_limit') m, current_setting('temp_directory') t")
    ).getRowObjectsJson()[0]!;
    return { memoryLimit: String(row.m), tempDir: String(row.t) };
  });
}

export async function withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const c = await (await duck()).connect();
  try {
    return await fn(c);
  } finally {
    c.closeSync();
  }
}

const MiB = 1024 * 1024;
/** The longest CSV line read (one row's bytes), unless the memory cap is too small for it. */
export const CSV_MAX_LINE_BYTES = 10_000_000;

/**
 * The CSV reader's buffer size and line limit for a memory cap. DuckDB parses a CSV in buffers
 * it cannot spill, several at once (each thread's, and the next one while a row crosses the
 * boundary), and sizes each at 16 × max_line_size unless told: with the 10 MB line limit that is
 * 160 MB (152.6 MiB) per buffer, capped at the file's size. A 159 MB file fit in one such buffer
 * under the 256 MB cap; a 203 MB one (1M rows × 30 columns, issue 16) needed two and failed with
 * "could not allocate block of size 152.5 MiB". A sixteenth of the cap each (16 MB at the
 * default, never more than 16 MiB) leaves the rest to the Parquet writer and the profile.
 */
export function csvBuffer(memoryMb: number): { bufferBytes: number; maxLineBytes: number } {
  const bufferBytes = Math.max(MiB, Math.min(16 * MiB, Math.floor((memoryMb * 1_000_000) / 16)));
  // DuckDB refuses a buffer smaller than the line limit: a line must fit in one buffer.
  return { bufferBytes, maxLineBytes: Math.min(CSV_MAX_LINE_BYTES, bufferBytes) };
}

export interface CsvLayout {
  delimiter: string;
  /** The decimal separator of numbers ("," in `;`-separated European exports). */
  decimal: "." | ",";
  encoding: TextEncoding;
  header: string[];
  renamedHeaders: { column: number; from: string; to: string }[];
}

/** Decides the delimiter (unless given) and the header names from the file's first 64 KiB. */
export async function csvLayout(
  file: string,
  encoding: TextEncoding,
  delimiter?: string,
): Promise<CsvLayout> {
  const fh = await open(file, "r");
  let text: string;
  let complete: boolean;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    complete = bytesRead < buf.length;
    text = new TextDecoder(
      encoding === "latin-1" ? "latin1" : encoding === "utf-16" ? "utf-16le" : "utf-8",
    ).decode(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
  const lines = sampleLines(text, complete);
  if (lines.length === 0 || lines[0]!.trim() === "") throw new FileRejected("The file has no header row.");
  const delim = delimiter ?? sniffDelimiter(lines);
  const { names, renamed } = uniqueHeaders(splitLine(lines[0]!, delim));
  return {
    delimiter: delim,
    decimal: sniffDecimal(lines, delim),
    encoding,
    header: names,
    renamedHeaders: renamed,
  };
}

export interface IngestResult {
  rowCount: number;
  columns: { name: string; duckType: string }[];
}

/**
 * Parses the CSV strictly into a Parquet file. Rows with too many or too few fields, bad
 * quoting or invalid text are collected (store_rejects) and fail the whole file with their line
 * numbers: a half-read table is never kept. A value that does not fit the type guessed from the
 * first rows makes DuckDB re-type from the whole file rather than fail.
 */
export async function ingestCsv(file: string, layout: CsvLayout, parquetOut: string): Promise<IngestResult> {
  return withConnection(async (c) => {
    const { bufferBytes, maxLineBytes } = csvBuffer(settings.memoryMb);
    const read = (sampleAll: boolean) =>
      `read_csv(${lit(file)}, delim=${lit(layout.delimiter)}, decimal_separator=${lit(layout.decimal)},
        quote='"', escape='"', header=true,
        names=[${layout.header.map(lit).join(",")}], encoding=${lit(layout.encoding)},
        store_rejects=true, ${sampleAll ? "sample_size=-1," : ""}
        max_line_size=${maxLineBytes}, buffer_size=${bufferBytes})`;
    for (const sampleAll of [false, true]) {
      await c.run(
        `copy (select * from ${read(sampleAll)}) to ${lit(parquetOut)} (format parquet, compression snappy)`,
      );
      const rejects = (
        await c.runAndReadAll(
          `select line, column_name, error_type, error_message from reject_errors order by line limit 5`,
        )
      ).getRowObjectsJson() as {
        line: string;
        column_name: string | null;
        error_type: string;
        error_message: string;
      }[];
      const total = Number(
        (await c.runAndReadAll("select count(distinct line) n from reject_errors")).getRowObjectsJson()[0]!.n,
      );
      await c.run("delete from reject_errors; delete from reject_scans;");
      if (total === 0) break;
      if (!sampleAll && rejects.every((r) => r.error_type === "CAST")) continue;
      throw new FileRejected(
        `${total} row${total === 1 ? "" : "s"} could not be read: ${rejects
          .map((r) => `line ${r.line}: ${describeReject(r, layout.header.length)}`)
          .join("; ")}${total > rejects.length ? "; …" : ""}.`,
      );
    }
    const meta = await c.runAndReadAll(`select count(*) n from read_parquet(${lit(parquetOut)})`);
    const rowCount = Number(meta.getRowObjectsJson()[0]!.n);
    const desc = (
      await c.runAndReadAll(`describe select * from read_parquet(${lit(parquetOut)})`)
    ).getRowObjectsJson();
    return {
      rowCount,
      columns: desc.map((d) => ({ name: String(d.column_name), duckType: String(d.column_type) })),
    };
  }).catch((err) => {
    if (err instanceof FileRejected) throw err;
    throw new FileRejected(`The CSV could not be parsed: ${firstLine(err)}`);
  });
}

function describeReject(
  r: { column_name: string | null; error_type: string; error_message: string },
  width: number,
): string {
  const found = /Found: (\d+)/.exec(r.error_message)?.[1];
  switch (r.error_type) {
    case "TOO MANY COLUMNS":
      return `${found ?? "more"} fields where the header has ${width}`;
    case "MISSING COLUMNS":
      return `${found ?? "fewer"} fields where the header has ${width}`;
    case "INVALID ENCODING":
    case "INVALID UNICODE":
      return "text that is not valid in the file's encoding";
    case "UNQUOTED VALUE":
      return "a quote inside an unquoted value";
    default:
      return `${r.column_name ? `column "${r.column_name}": ` : ""}${r.error_message}`;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .replace(/^[A-Za-z ]*Error: /, "")
    .split("\n")[0]!
    .slice(0, 300);
}

export type InferredType = "integer" | "number" | "boolean" | "date" | "datetime" | "time" | "string";
export type ValuePattern = "percent" | "currency" | "email" | "identifier" | null;

export interface ColumnProfile {
  name: string;
  type: InferredType;
  /** A pattern most non-empty text values share, useful to mapping (e.g. "12.5%"). */
  pattern: ValuePattern;
  count: number;
  missing: number;
  missingPct: number;
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  examples: (string | number | boolean)[];
}

export function inferredType(duckType: string): InferredType {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t))
    return "integer";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(t)) return "number";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "datetime";
  if (t.startsWith("TIME")) return "time";
  return "string";
}

const PATTERNS: [Exclude<ValuePattern, null>, string][] = [
  ["percent", "^\\s*-?\\d+(\\.\\d+)?\\s*%\\s*$"],
  [
    "currency",
    "^\\s*-?[$€£¥]\\s*-?[\\d,]+(\\.\\d+)?\\s*$|^\\s*-?[\\d,]+(\\.\\d+)?\\s*(USD|EUR|GBP|AED)\\s*$",
  ],
  ["email", "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"],
  ["identifier", "^[A-Za-z]{1,6}[-_]?\\d+$"],
];

const PATTERN_SAMPLE = 20_000;

/**
 * One aggregate pass over the Parquet file for every column, a distinct count of each, then a few
 * examples of each.
 */
export async function profileParquet(
  parquet: string,
  columns: { name: string; duckType: string }[],
): Promise<{ rowCount: number; columns: ColumnProfile[] }> {
  return withConnection(async (c) => {
    const src = `read_parquet(${lit(parquet)})`;
    const parts = ["count(*) as n"];
    const patterns: string[] = [];
    columns.forEach((col, i) => {
      const q = ident(col.name);
      const type = inferredType(col.duckType);
      parts.push(`count(${q}) as c${i}`);
      if (type === "integer" || type === "number") {
        parts.push(
          `min(${q})::double as lo${i}`,
          `max(${q})::double as hi${i}`,
          `avg(${q})::double as m${i}`,
        );
      } else if (type !== "string" && type !== "boolean") {
        parts.push(`min(${q})::varchar as lo${i}`, `max(${q})::varchar as hi${i}`);
      } else if (type === "string") {
        patterns.push(`count(${q}) as pc${i}`);
        PATTERNS.forEach(([, re], j) => {
          patterns.push(`count(*) filter (where regexp_full_match(${q}, ${lit(re)})) as p${i}_${j}`);
        });
      }
    });
    const agg = (await c.runAndReadAll(`select ${parts.join(", ")} from ${src}`)).getRowObjectsJS()[0]!;
    // Exact distinct counts one column per query. In one query every count(distinct) keeps its own
    // hash table per thread at once, which DuckDB could not fit under the 256 MB cap for 30 columns
    // of a million distinct values (measured: failed even at 224 MB); one at a time the memory is
    // one column's, and Parquet is read column by column anyway, so the time is the same (1.8 s
    // against 2.0 s for the 1M × 30 bench file).
    const distinct: number[] = [];
    for (const col of columns) {
      const res = await c.runAndReadAll(`select count(distinct ${ident(col.name)}) as d from ${src}`);
      distinct.push(Number(res.getRowObjectsJS()[0]!.d));
    }
    // Value patterns are a hint for mapping, so a sample decides them: regular expressions over
    // every text cell of a million rows would cost more than the rest of the profile.
    const pat = patterns.length
      ? (
          await c.runAndReadAll(
            `select ${patterns.join(", ")} from (select * from ${src} limit ${PATTERN_SAMPLE})`,
          )
        ).getRowObjectsJS()[0]!
      : {};
    const rowCount = Number(agg.n);
    const examples = (await c.runAndReadAll(`select * from ${src} limit 200`)).getRowObjectsJson() as Record<
      string,
      unknown
    >[];
    const out: ColumnProfile[] = columns.map((col, i) => {
      const type = inferredType(col.duckType);
      const count = Number(agg[`c${i}`]);
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
      let pattern: ValuePattern = null;
      const sampled = Number(pat[`pc${i}`] ?? 0);
      if (type === "string" && sampled > 0) {
        const hit = PATTERNS.findIndex((_, j) => Number(pat[`p${i}_${j}`]) >= 0.9 * sampled);
        pattern = hit >= 0 ? PATTERNS[hit]![0] : null;
      }
      const seen = new Set<string>();
      const ex: (string | number | boolean)[] = [];
      for (const row of examples) {
        const v = row[col.name];
        if (v === null || v === undefined || v === "" || seen.has(String(v))) continue;
        seen.add(String(v));
        ex.push(typeof v === "number" || typeof v === "boolean" ? v : String(v));
        if (ex.length === 5) break;
      }
      const numeric = type === "integer" || type === "number";
      return {
        name: col.name,
        type,
        pattern,
        count,
        missing: rowCount - count,
        missingPct: rowCount === 0 ? 0 : Math.round(((rowCount - count) / rowCount) * 10000) / 100,
        distinct: distinct[i]!,
        min: numeric ? num(agg[`lo${i}`]) : text(agg[`lo${i}`]),
        max: numeric ? num(agg[`hi${i}`]) : text(agg[`hi${i}`]),
        mean: numeric ? num(agg[`m${i}`]) : null,
        examples: ex,
      };
    });
    return { rowCount, columns: out };
  });
}

/** A page of rows as JSON values (integers as numbers, dates as ISO text). */
export async function readRows(
  parquet: string,
  offset: number,
  limit: number,
): Promise<Record<string, unknown>[]> {
  return withConnection(async (c) => {
    const res = await c.runAndReadAll(
      `select * from read_parquet(${lit(parquet)}) limit ${Math.trunc(limit)} offset ${Math.trunc(offset)}`,
    );
    return jsonRows(res.getRowObjectsJS());
  });
}

/** DuckDB row objects as JSON values (bigints as numbers, midnight dates as `2026-01-31`). */
export function jsonRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)])));
}

function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  return String(v);
}

/**
 * The rows of a stored file, streamed: DuckDB hands them over a chunk (~2,048 rows) at a time, so
 * reading a file of any size holds one chunk in memory: text, numbers, booleans, null.
 */
export async function* streamRows(parquet: string): AsyncGenerator<Record<string, unknown>[]> {
  const c = await (await duck()).connect();
  try {
    const result = await c.stream(`select * from read_parquet(${lit(parquet)})`);
    const names = result.columnNames();
    // Column vectors, turned into row objects here: ~3× faster than yieldRowObjectJs (measured:
    // 300k rows × 25 columns in 2.3 s against 7.6 s). Dates and decimals come as their text.
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      const columns = chunk.getColumns();
      const rows = new Array<Record<string, unknown>>(chunk.rowCount);
      for (let i = 0; i < chunk.rowCount; i++) {
        const row: Record<string, unknown> = {};
        for (let k = 0; k < names.length; k++) row[names[k]!] = streamedValue(columns[k]![i]);
        rows[i] = row;
      }
      yield rows;
    }
  } finally {
    c.closeSync();
  }
}

/**
 * Chosen columns of a stored file, streamed column-wise: per DuckDB chunk (~2,048 rows) one array
 * of values per column (as `streamRows` gives them), no object per row. Only the columns named
 * are read from the Parquet file: a customer file's other 20–200 columns cost nothing.
 */
export async function* streamColumns(
  parquet: string,
  names: readonly string[],
): AsyncGenerator<{ rowCount: number; columns: unknown[][] }> {
  const c = await (await duck()).connect();
  try {
    // A file with none of the columns still has its rows (each scores as all-missing).
    const list = names.length > 0 ? names.map(ident).join(", ") : "1 as mw_none__";
    const result = await c.stream(`select ${list} from read_parquet(${lit(parquet)})`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      const columns = chunk.getColumns().slice(0, names.length) as unknown[][];
      for (const column of columns)
        for (let i = 0; i < column.length; i++) {
          const v = column[i];
          if (v !== null && typeof v !== "string" && typeof v !== "number") column[i] = streamedValue(v);
        }
      yield { rowCount: chunk.rowCount, columns };
    }
  } finally {
    c.closeSync();
  }
}

function streamedValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  return String(v);
}

/**
 * Up to `max` rows spread evenly over the file (every k-th row, in file order): a sample that sees
 * the whole file, not its first rows, for the dashboard planner's grain and join checks.
 */
export async function sampleRows(
  parquet: string,
  rowCount: number,
  max: number,
): Promise<Record<string, unknown>[]> {
  const step = Math.max(1, Math.ceil(rowCount / max));
  return withConnection(async (c) => {
    const res = await c.runAndReadAll(
      `select * exclude (mw_row__) from (select *, row_number() over () - 1 as mw_row__ from read_parquet(${lit(parquet)}))
       where mw_row__ % ${step} = 0 order by mw_row__ limit ${Math.trunc(max)}`,
    );
    return jsonRows(res.getRowObjectsJS());
  });
}
