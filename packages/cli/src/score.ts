/**
 * `modelworks score <model.json> --data new.csv --out scored.csv`: scores a customer file with a
 * fitted response model — the artifact itself, or a whole `run response-model` result that holds
 * it — streaming: the file is read a chunk at a time as bytes with each cell's bounds
 * (csv-rows.ts), each row is scored from the bytes by the engine's byte row scorer, and the scored
 * lines are written into one reused buffer per chunk. No object per row and no string per cell
 * (bench/response-model-score-cli.ts).
 */

import { type FileHandle, open, readFile } from "node:fs/promises";
import { cellTextOf, columnScorerOf, ModelArtifact } from "@modelworks/engine-response-model";
import { issuesOf } from "@modelworks/model-kit";
import { stringify } from "csv-stringify/sync";
import { type CsvRowChunk, cellText, readCsvRowChunks } from "./csv-rows.ts";

export const SCORED_COLUMNS = ["customer_id", "probability", "points", "decile", "tier"] as const;

export type ScoreOutcome =
  | { ok: true; rows: number; seconds: number }
  | { ok: false; kind: "unreadable" | "invalid"; messages: string[] };

export async function scoreFile(options: {
  modelFile: string;
  dataFile: string;
  outFile: string;
  batchSize?: number;
  onBatch?: (rows: number) => void;
}): Promise<ScoreOutcome> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(options.modelFile, "utf8"));
  } catch (err) {
    return {
      ok: false,
      kind: "unreadable",
      messages: [`cannot read ${options.modelFile}: ${(err as Error).message}`],
    };
  }
  // A run's whole output carries the artifact under `artifact`.
  const candidate =
    document && typeof document === "object" && "artifact" in document
      ? (document as { artifact: unknown }).artifact
      : document;
  const parsed = ModelArtifact.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      kind: "invalid",
      messages: issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`),
    };
  const started = performance.now();
  let out: FileHandle;
  try {
    out = await open(options.outFile, "w");
  } catch (err) {
    return {
      ok: false,
      kind: "unreadable",
      messages: [`cannot write ${options.outFile}: ${(err as Error).message}`],
    };
  }
  let rows = 0;
  const batchSize = options.batchSize ?? 10_000;
  let nextReport = batchSize;
  try {
    await out.write(stringify([SCORED_COLUMNS as unknown as string[]]));
    let scoring: ReturnType<typeof columnScorerOf> | null = null;
    let tiers: Buffer[] = [];
    const chunks = readCsvRowChunks(options.dataFile, (columns) => {
      scoring = columnScorerOf(parsed.data, columns, BATCH_ROWS);
      tiers = scoring.tierNames.map((t) => Buffer.from(csvCell(t)));
    });
    const writer = new LineWriter();
    for await (const chunk of chunks) {
      const { scorer, idIndex } = scoring!;
      const { bytes, bounds, width, ascii } = chunk;
      const slotColumn = scorer.slotColumn;
      writer.reset(chunk.rowCount * 64);
      for (let first = 0; first < chunk.rowCount; first += BATCH_ROWS) {
        const n = Math.min(BATCH_ROWS, chunk.rowCount - first);
        // The model's columns into the scorer, a column at a time.
        for (let s = 0; s < slotColumn.length; s++) {
          let b = 2 * (first * width + slotColumn[s]!);
          for (let r = 0; r < n; r++, b += 2 * width)
            scorer.setBytes(s, r, bytes, bounds[b]!, bounds[b + 1]!);
        }
        const scored = scorer.score(
          n,
          scorer.needsRowText ? (r) => rowText(chunk, first + r, scorer.columns) : undefined,
        );
        for (let r = 0; r < n; r++) {
          rows++;
          // The ID as it is in the file when it needs no quoting, else as csv-stringify writes it.
          const k = 2 * ((first + r) * width + idIndex);
          const start = idIndex < 0 ? 0 : bounds[k]!;
          const end = idIndex < 0 ? 0 : bounds[k + 1]!;
          if (start === end) writer.text(String(rows));
          else if (!ascii || !writer.plainBytes(bytes, start, end))
            writer.text(csvCell(cellTextOf(bytes, start, end)));
          writer.byte(COMMA);
          // String(probability) is the shortest text that reads back as the same double.
          writer.text(String(scored.probability[r]));
          writer.byte(COMMA);
          writer.number(scored.points[r]!);
          writer.byte(COMMA);
          writer.number(scored.decile[r]!);
          writer.byte(COMMA);
          writer.bytes(tiers[scored.tier[r]!]!);
          writer.byte(LF);
          if (rows === nextReport) {
            options.onBatch?.(rows);
            nextReport += batchSize;
          }
        }
      }
      await out.write(writer.buffer, 0, writer.length);
    }
    if (rows > 0 && rows !== nextReport - batchSize) options.onBatch?.(rows);
    await out.close();
  } catch (err) {
    await out.close().catch(() => {});
    return {
      ok: false,
      kind: "unreadable",
      messages: [`cannot score ${options.dataFile}: ${(err as Error).message}`],
    };
  }
  return { ok: true, rows, seconds: (performance.now() - started) / 1000 };
}

const COMMA = 44;
const LF = 10;
/** Rows scored together: the scorer's typed arrays for them stay in the CPU's cache. */
const BATCH_ROWS = 4096;

/** Row r of a chunk as text, for a scorecard that needs the whole row. */
function rowText(chunk: CsvRowChunk, r: number, columns: readonly string[]): Record<string, string | null> {
  const text: Record<string, string | null> = {};
  for (let c = 0; c < chunk.width; c++) text[columns[c]!] = cellText(chunk, r, c);
  return text;
}

/**
 * A chunk's output lines in one buffer, reused from chunk to chunk (written and awaited before the
 * next chunk), grown when a chunk needs more: no string per line.
 */
class LineWriter {
  buffer = Buffer.allocUnsafe(1 << 20);
  length = 0;

  reset(expected: number) {
    this.length = 0;
    if (this.buffer.length < expected) this.buffer = Buffer.allocUnsafe(expected);
  }

  private room(n: number) {
    if (this.length + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + n));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(b: number) {
    this.room(1);
    this.buffer[this.length++] = b;
  }

  bytes(b: Buffer) {
    this.room(b.length);
    b.copy(this.buffer, this.length);
    this.length += b.length;
  }

  /** A number as String(x) writes it; integers below 10^9 in size digit by digit. */
  number(x: number) {
    if (!Number.isInteger(x) || x <= -1e9 || x >= 1e9) {
      this.text(String(x));
      return;
    }
    this.room(11);
    const buf = this.buffer;
    let t = x | 0; // −0 becomes 0, as String(−0) is "0"
    if (t < 0) {
      buf[this.length++] = 45; // "-"
      t = -t;
    }
    let digits = 1;
    for (let u = t; u >= 10; u = (u / 10) | 0) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = (t / 10) | 0;
      buf[--at] = 48 + t - q * 10;
      t = q;
    } while (t > 0);
  }

  /** Text of one-byte characters is copied as is; anything else is encoded as UTF-8. */
  text(s: string) {
    const n = s.length;
    this.room(3 * n);
    const buf = this.buffer;
    let at = this.length;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        this.length += buf.write(s, this.length, "utf8");
        return;
      }
      buf[at++] = c;
    }
    this.length = at;
  }

  /** Copies an ASCII cell that needs no quoting (no quote, comma or line break); false otherwise. */
  plainBytes(src: Uint8Array, start: number, end: number): boolean {
    this.room(end - start);
    const buf = this.buffer;
    let at = this.length;
    for (let k = start; k < end; k++) {
      const c = src[k]!;
      if (c === 34 || c === COMMA || c === LF || c === 13) return false;
      buf[at++] = c;
    }
    this.length = at;
    return true;
  }
}

/** A cell as csv-stringify writes it: quoted when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
