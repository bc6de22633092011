/**
 * A streaming CSV reader for scoring at scale, on bytes: the file is read a chunk (1 MiB) at a
 * time into one reused buffer, and each chunk's complete rows are found by scanning bytes — no
 * text decoding and no string per cell. A chunk hands over the buffer and, per cell, where its
 * bytes start and end (row r, column c: `bounds[2 * (r * width + c)]` and the next entry; start =
 * end is an empty cell, missing). The scorer reads numbers and known levels from the bytes
 * (engine-response-model's byte scorer); `cellText` decodes a cell when a string is needed.
 *
 * RFC 4180 as csv-parse reads it with the options in csv.ts: the first row names the columns,
 * a UTF-8 BOM is dropped, quoted cells may hold commas, newlines and doubled quotes (unescaped in
 * place: a cell only shrinks), LF, CRLF or CR ends a row (the header's decides: a CR alone is text
 * in a file of LF or CRLF rows), empty lines are skipped, every row must
 * have the header's number of cells, and an empty cell is missing. Rows split at a newline byte,
 * which never falls inside a UTF-8 character, so a chunk's rows decode on their own.
 */

import { isAscii } from "node:buffer";
import { open } from "node:fs/promises";
import { cellTextOf } from "@modelworks/engine-response-model";

export interface CsvRowChunk {
  /** The chunk's bytes; cells point into them. Reused: read before asking for the next chunk. */
  bytes: Buffer;
  /** Per cell, start and end in `bytes`, row-major (2 entries per cell). Reused too. */
  bounds: Int32Array;
  rowCount: number;
  width: number;
  /** Whether the chunk is ASCII (a cell's bytes are then its text, one byte per character). */
  ascii: boolean;
}

/** The text of row r's cell c, null when empty (missing). */
export function cellText(chunk: CsvRowChunk, r: number, c: number): string | null {
  const k = 2 * (r * chunk.width + c);
  const start = chunk.bounds[k]!;
  const end = chunk.bounds[k + 1]!;
  return start === end ? null : cellTextOf(chunk.bytes, start, end);
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** 1 for the bytes that end an unquoted cell: comma, LF, CR (one load per byte, not three tests). */
const ENDS_CELL = new Uint8Array(256);
ENDS_CELL[COMMA] = ENDS_CELL[LF] = ENDS_CELL[CR] = 1;

export class CsvShapeError extends Error {}

/** The reader's state between chunks (module-level parsing keeps the hot loop's variables local). */
interface Reader {
  bytes: Buffer;
  bounds: Int32Array;
  rowCount: number;
  width: number;
  header: string[] | null;
  line: number; // rows read, header included (for messages)
  /** Whether rows end with a CR alone (the header's did); otherwise a CR alone is text. */
  crRows: boolean;
  /** The current row's quoted cells with doubled quotes, unescaped once the row is complete. */
  doubled: number[];
  onHeader: (columns: string[]) => void;
}

/** Parses the complete rows of bytes[from, end); returns where the incomplete tail starts. */
function parseRows(st: Reader, from: number, end: number, final: boolean): number {
  const bytes = st.bytes;
  const doubled = st.doubled;
  let bounds = st.bounds;
  let width = st.width;
  let rowCount = 0;
  let pos = from;
  // The header's row end decides the file's (csv-parse detects it from the first one): a CR
  // alone ends rows only in a file whose header ends with a CR alone.
  let crEndsRows = st.header === null || st.crRows;
  while (pos < end) {
    const base = st.header === null ? 0 : 2 * rowCount * width;
    if (bounds.length < base + 2 * width + 4) {
      const grown = new Int32Array(2 * (base + 2 * width + 4));
      grown.set(bounds);
      bounds = st.bounds = grown;
    }
    let cells = 0;
    let i = pos;
    let complete = false;
    doubled.length = 0;
    for (;;) {
      let start: number;
      let stop: number;
      let j: number;
      if (i < end && bytes[i] === QUOTE) {
        // A quoted cell: up to the closing quote; "" is a quote.
        j = i + 1;
        let closed = false;
        let hasDoubled = false;
        for (;;) {
          const q = bytes.indexOf(QUOTE, j);
          if (q < 0 || q >= end) break;
          if (q + 1 >= end && !final) break; // the quote might be the first of a pair
          if (bytes[q + 1] === QUOTE) {
            hasDoubled = true;
            j = q + 2;
            continue;
          }
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          if (!final) break;
          throw new CsvShapeError(`row ${st.line + 1}: a quoted cell is not closed`);
        }
        start = i + 1;
        stop = j - 1;
        if (hasDoubled) doubled.push(cells);
        if (j < end) {
          const c = bytes[j];
          if (c !== COMMA && c !== LF && c !== CR)
            throw new CsvShapeError(`row ${st.line + 1}: text after a quoted cell`);
        }
      } else {
        j = i;
        let more = false; // the cell may go on in the next chunk
        for (;;) {
          while (j < end && ENDS_CELL[bytes[j]!] === 0) j++;
          // A bare CR in a file whose rows end in LF or CRLF is text, as csv-parse reads it.
          if (j < end && bytes[j] === CR && !crEndsRows) {
            if (j + 1 >= end) more = !final;
            else if (bytes[j + 1] !== LF) {
              j++;
              continue;
            }
          }
          break;
        }
        if (more || (j >= end && !final)) break; // the row goes on in the next chunk
        start = i;
        stop = j;
      }
      let k = base + 2 * cells;
      if (k + 3 >= bounds.length) {
        const grown = new Int32Array(2 * bounds.length + 4);
        grown.set(bounds);
        bounds = st.bounds = grown;
      }
      bounds[k] = start;
      bounds[k + 1] = stop;
      cells++;
      // At a delimiter, or the end of the file.
      if (j >= end) {
        i = j;
        complete = true;
        break;
      }
      const c = bytes[j];
      if (c === COMMA) {
        i = j + 1;
        if (i >= end && final) {
          // A comma at the very end: one more, empty cell (room was made above).
          k += 2;
          bounds[k] = bounds[k + 1] = i;
          cells++;
          complete = true;
          break;
        }
        continue;
      }
      if (c === CR) {
        if (j + 1 >= end && !final) break; // CR LF split across chunks
        i = bytes[j + 1] === LF ? j + 2 : j + 1;
        if (st.header === null) st.crRows = i === j + 1;
      } else i = j + 1;
      complete = true;
      break;
    }
    if (!complete) break;
    pos = i;
    // An empty line (one empty cell and nothing else) is skipped, as skip_empty_lines does.
    if (cells === 1 && bounds[base] === bounds[base + 1]) continue;
    st.line++;
    for (const c of doubled) {
      // Unescape in place: "" → ", moving the cell's bytes left.
      const k = base + 2 * c;
      let w = bounds[k]!;
      const e = bounds[k + 1]!;
      for (let r = w; r < e; r++) {
        bytes[w++] = bytes[r]!;
        if (bytes[r] === QUOTE) r++;
      }
      bounds[k + 1] = w;
    }
    if (st.header === null) {
      const header: string[] = [];
      for (let c = 0; c < cells; c++) header.push(cellTextOf(bytes, bounds[2 * c]!, bounds[2 * c + 1]!));
      st.header = header;
      crEndsRows = st.crRows;
      width = st.width = cells;
      st.onHeader(header);
      continue;
    }
    if (cells !== width) throw new CsvShapeError(`row ${st.line}: ${cells} cells, the header has ${width}`);
    rowCount++;
  }
  st.rowCount = rowCount;
  return pos;
}

/** The header's column names and then, chunk by chunk, the rows of a CSV file. */
export async function* readCsvRowChunks(
  file: string,
  onHeader: (columns: string[]) => void,
  chunkBytes = 1 << 20,
): AsyncGenerator<CsvRowChunk> {
  const fh = await open(file, "r");
  const st: Reader = {
    bytes: Buffer.allocUnsafe(2 * chunkBytes),
    bounds: new Int32Array(1024),
    rowCount: 0,
    width: 0,
    header: null,
    line: 0,
    crRows: false,
    doubled: [],
    onHeader,
  };
  let held = 0; // st.bytes[0, held): an incomplete row carried over, then the next read
  let atFileStart = true;
  const out: CsvRowChunk = { bytes: st.bytes, bounds: st.bounds, rowCount: 0, width: 0, ascii: true };
  try {
    for (;;) {
      if (st.bytes.length - held < chunkBytes) {
        // A row longer than a chunk: room for it and a whole read.
        const grown = Buffer.allocUnsafe(held + chunkBytes);
        st.bytes.copy(grown, 0, 0, held);
        st.bytes = grown;
      }
      const bytes = st.bytes;
      const { bytesRead } = await fh.read(bytes, held, chunkBytes, null);
      const end = held + bytesRead;
      const final = bytesRead === 0;
      let from = 0;
      if (atFileStart && end >= 3) {
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) from = 3; // the UTF-8 BOM
        atFileStart = false;
      } else if (atFileStart && final) atFileStart = false;
      if (atFileStart) {
        held = end; // fewer than 3 bytes so far: the BOM is not decided yet
        continue;
      }
      const used = parseRows(st, from, end, final);
      if (st.rowCount > 0) {
        out.bytes = bytes;
        out.bounds = st.bounds;
        out.rowCount = st.rowCount;
        out.width = st.width;
        out.ascii = isAscii(bytes.subarray(from, end));
        yield out;
      }
      if (final) break;
      bytes.copy(bytes, 0, used, end);
      held = end - used;
    }
  } finally {
    await fh.close();
  }
  if (st.header === null) onHeader([]);
}
