import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ColumnProfile, csvLayout, ingestCsv, profileParquet } from "./duck.ts";
import { checkContent, type FileKind, FileRejected } from "./sniff.ts";
import { checkXlsxArchive, xlsxSheetToCsv, type ZipLimits } from "./xlsx.ts";

export interface Received {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Streams an upload to a scratch file, hashing as it goes: the bytes never sit in memory whole.
 * `onBytes` reports progress. A stream that ends in error (size limit, client gone) leaves no file.
 */
export async function receive(
  stream: Readable,
  scratch: string,
  onBytes?: (received: number) => void,
): Promise<Received> {
  await mkdir(scratch, { recursive: true });
  const file = path.join(scratch, `${randomUUID()}.upload`);
  const hash = createHash("sha256");
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, counter, createWriteStream(file));
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return { path: file, size, sha256: hash.digest("hex") };
}

export interface ParseOptions {
  sheet?: string | undefined;
  delimiter?: string | undefined;
}

export interface Parsed {
  /** The typed table as Parquet, in scratch. */
  parquet: string;
  rowCount: number;
  layout: Record<string, unknown>;
  profile: ColumnProfile[];
  scratchFiles: string[];
}

/**
 * Checks and parses a received file: magic bytes, then (XLSX) the zip-bomb guard and the sheet
 * to CSV, then DuckDB ingest to Parquet and the per-column profile. Throws FileRejected with a
 * message for a person; the caller deletes `scratchFiles` either way.
 */
export async function parseUpload(
  received: Received,
  kind: FileKind,
  opts: ParseOptions,
  limits: ZipLimits,
  onPhase?: (phase: string) => void,
): Promise<Parsed> {
  const scratchFiles: string[] = [];
  const base = received.path.replace(/\.upload$/, "");
  try {
    onPhase?.("checking");
    const sniffed = await checkContent(received.path, kind, received.size);
    let csv = received.path;
    let layout: Record<string, unknown> = {};
    if (kind === "xlsx") {
      if (opts.delimiter) throw new FileRejected("`delimiter` applies to CSV files, not XLSX.");
      await checkXlsxArchive(received.path, limits);
      csv = `${base}.sheet.csv`;
      scratchFiles.push(csv);
      onPhase?.("reading sheet");
      const { sheet, sheets } = await xlsxSheetToCsv(received.path, csv, { sheet: opts.sheet });
      layout = { sheet, sheets };
    } else if (opts.sheet) {
      throw new FileRejected("`sheet` applies to XLSX files, not CSV.");
    }
    const csvInfo = await csvLayout(csv, kind === "xlsx" ? "utf-8" : sniffed.encoding, opts.delimiter);
    const parquet = `${base}.parquet`;
    scratchFiles.push(parquet);
    onPhase?.("parsing");
    const ingested = await ingestCsv(csv, csvInfo, parquet);
    if (ingested.rowCount === 0) throw new FileRejected("The file has a header but no data rows.");
    onPhase?.("profiling");
    const { columns } = await profileParquet(parquet, ingested.columns);
    return {
      parquet,
      rowCount: ingested.rowCount,
      layout: {
        ...layout,
        ...(kind === "csv"
          ? {
              delimiter: csvInfo.delimiter,
              decimal: csvInfo.decimal,
              encoding: csvInfo.encoding,
              bom: sniffed.bom > 0,
            }
          : {}),
        columns: csvInfo.header,
        renamedHeaders: csvInfo.renamedHeaders,
      },
      profile: columns,
      scratchFiles,
    };
  } catch (err) {
    await Promise.all(scratchFiles.map((f) => rm(f, { force: true })));
    throw err;
  }
}
