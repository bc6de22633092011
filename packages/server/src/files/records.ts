import type { Db } from "../db/client.ts";
import { fieldMappings, files } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { unprocessable } from "../errors/domain-error.ts";
import { streamColumns, streamRows } from "./duck.ts";
import type { FileRow } from "./ingest.ts";
import { type ColumnMapping, transform } from "./mapping.ts";
import type { FileStore } from "./store.ts";

/**
 * A stored file read as an engine's records (fit from a file, score a file): streamed from its
 * Parquet copy a chunk at a time, with a saved field mapping applied — the mapped columns are
 * filled from their sources through the mapping's transforms, every other column passes through
 * under its own name (a customer file's 20–200 appended fields need no mapping each), and a
 * column used as a source is not passed through again.
 */
export interface FileSource {
  file: FileRow;
  mapping: ColumnMapping[] | null;
}

/** The file and (optionally) the saved mapping, both in the organization, or 404. */
export async function loadFileSource(
  db: Db,
  orgId: string,
  ref: { fileId: string; mappingId?: string | undefined },
  path: string,
): Promise<FileSource> {
  const file = firstOr404(
    await db
      .select()
      .from(files)
      .where(inOrg(files, orgId, ref.fileId)),
    "File",
  );
  let mapping: ColumnMapping[] | null = null;
  if (ref.mappingId) {
    const saved = firstOr404(
      await db
        .select()
        .from(fieldMappings)
        .where(inOrg(fieldMappings, orgId, ref.mappingId)),
      "Field mapping",
    );
    mapping = saved.columns as ColumnMapping[];
    const names = new Set((file.profile as { name: string }[]).map((c) => c.name));
    const missing = mapping.filter((m) => m.source !== null && !names.has(m.source));
    if (missing.length)
      throw unprocessable(
        missing.map((m) => ({
          path: `${path}.mappingId`,
          message: `maps "${m.target}" from the column "${m.source}", which the file does not have`,
        })),
        "The saved mapping does not fit this file.",
      );
  }
  return { file, mapping };
}

/** Problems found while mapping, at most `MAX_PROBLEMS` kept (the count goes on). */
const MAX_PROBLEMS = 20;
export class MappingProblems {
  readonly items: { path: string; message: string }[] = [];
  count = 0;
  add(path: string, message: string) {
    this.count++;
    if (this.items.length < MAX_PROBLEMS) this.items.push({ path, message });
  }
}

/** One source row through the mapping (see above); cells left empty become null (missing). */
export function mapRecord(
  src: Record<string, unknown>,
  mapping: ColumnMapping[] | null,
  consumed: ReadonlySet<string>,
  onError: (column: string, message: string) => void,
): Record<string, unknown> {
  if (!mapping) return src;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (!consumed.has(k)) out[k] = v;
  for (const m of mapping) {
    const v = transform(m.source === null ? m.constant : src[m.source], m);
    if (v.error) onError(m.target, v.error);
    out[m.target] = v.value ?? null;
  }
  return out;
}

/**
 * Streams the file's records in chunks, mapped. Cell problems are counted in `problems` (row
 * numbers 1-based, the header not counted) and the row is still yielded: the caller decides.
 */
export async function* fileRecords(
  store: FileStore,
  source: FileSource,
  problems: MappingProblems,
  path: string,
): AsyncGenerator<Record<string, unknown>[]> {
  const { mapping } = source;
  const consumed = new Set((mapping ?? []).flatMap((m) => (m.source === null ? [] : [m.source])));
  let row = 0;
  for await (const chunk of streamRows(await store.localPath(source.file.dataKey))) {
    yield chunk.map((src) => {
      row++;
      return mapRecord(src, mapping, consumed, (column, message) =>
        problems.add(`${path}.rows.${row}.${column}`, message),
      );
    });
  }
}

/** Distinct raw values whose mapped result is remembered, per mapping entry: levels and codes repeat. */
const TRANSFORM_MEMO = 4096;

/**
 * The file's values of the columns `wanted`, mapped as `fileRecords` maps them, streamed a DuckDB
 * chunk at a time and column-wise (`columns[k]` holds `wanted[k]`'s values; a column neither
 * mapped nor in the file is null throughout): no object per row, and only the columns needed are
 * read. Every mapping entry is still applied, so its cell problems are counted as `fileRecords`
 * counts them (`path.rows.N.target`).
 */
export async function* fileColumns(
  store: FileStore,
  source: FileSource,
  wanted: readonly string[],
  problems: MappingProblems,
  path: string,
): AsyncGenerator<{ rowCount: number; columns: unknown[][] }> {
  const mapping = source.mapping ?? [];
  const fileColumnNames = new Set((source.file.profile as { name: string }[]).map((c) => c.name));
  const consumed = new Set(mapping.flatMap((m) => (m.source === null ? [] : [m.source])));
  // Each wanted column: the last mapping entry that fills it, else the file's own column.
  const lastEntry = new Map<string, number>();
  mapping.forEach((m, k) => {
    lastEntry.set(m.target, k);
  });
  const read: string[] = [];
  const readIndex = (name: string) => {
    let k = read.indexOf(name);
    if (k < 0) k = read.push(name) - 1;
    return k;
  };
  const entrySource = mapping.map((m) => (m.source === null ? -1 : readIndex(m.source)));
  const passThrough = wanted.map((name) =>
    !lastEntry.has(name) && fileColumnNames.has(name) && !consumed.has(name) ? readIndex(name) : -1,
  );
  const memos = mapping.map(() => new Map<unknown, { value?: unknown; error?: string }>());
  let row = 0;
  for await (const chunk of streamColumns(await store.localPath(source.file.dataKey), read)) {
    const n = chunk.rowCount;
    // A chunk's problems, added in row order then mapping order as `fileRecords` adds them (the
    // first ones are kept as examples); once the examples are full, only counted.
    const found: { i: number; k: number; message: string }[] = [];
    const keep = problems.items.length < MAX_PROBLEMS;
    const mapped = mapping.map((m, k) => {
      const src = entrySource[k]! >= 0 ? chunk.columns[entrySource[k]!]! : null;
      const memo = memos[k]!;
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const raw = src ? src[i] : m.constant;
        let v = memo.get(raw);
        if (v === undefined) {
          v = transform(raw, m);
          if (memo.size < TRANSFORM_MEMO) memo.set(raw, v);
        }
        if (v.error) {
          if (keep) found.push({ i, k, message: v.error });
          else problems.count++;
        }
        values[i] = v.value ?? null;
      }
      return values;
    });
    found.sort((a, b) => a.i - b.i || a.k - b.k);
    for (const p of found) problems.add(`${path}.rows.${row + p.i + 1}.${mapping[p.k]!.target}`, p.message);
    row += n;
    yield {
      rowCount: n,
      columns: wanted.map((name, k) => {
        const entry = lastEntry.get(name);
        if (entry !== undefined) return mapped[entry]!;
        const p = passThrough[k]!;
        return p >= 0 ? chunk.columns[p]! : new Array<unknown>(n).fill(null);
      }),
    };
  }
}
