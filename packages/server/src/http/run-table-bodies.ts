import type { MultipartFile } from "@fastify/multipart";
import type { AnyModel } from "@modelworks/model-kit";
import { parse } from "csv-parse/sync";
import type { FastifyRequest } from "fastify";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { type InputTable, inputTables, type TargetColumn } from "../files/targets.ts";

/**
 * A run's input tables sent as CSV or NDJSON (issue 20, goal 5): `POST /models/{id}/runs` as
 * multipart/form-data with a field `run` (the JSON body one would otherwise send) and one file
 * per table, named by the table's field (`deals`, `building.leases`). Each file becomes that
 * field of `run.input`, and the request goes on exactly as a JSON one: the same validation (its
 * errors name `body.input.deals.12.price`, index 12 being the file's 13th row), the same run.
 *
 *   curl -F 'run={"input":{"budget":5e7}};type=application/json' -F 'deals=@deals.csv' …/models/deal-picker/runs
 *
 * CSV: a header row of column names; cells are typed by the table's row schema (numbers,
 * integers, booleans; an empty cell is left out, so the column's default applies). NDJSON: one
 * JSON object per line, taken as is. Kind by the part's content type or file name.
 */

const MAX_ISSUES = 50;

export interface TableBodyLimits {
  /** Largest table file, bytes (RUN_INPUT_LIMIT_BYTES). */
  fileBytes: number;
}

/** Reads the parts of a multipart run request into the JSON body it stands for. */
export async function runBodyFromParts(
  req: FastifyRequest,
  modelFor: (run: Record<string, unknown>) => AnyModel,
  limits: TableBodyLimits,
): Promise<Record<string, unknown>> {
  let run: Record<string, unknown> | null = null;
  const files: { field: string; kind: "csv" | "ndjson"; text: string }[] = [];
  try {
    for await (const part of req.parts({ limits: { fileSize: limits.fileBytes, fields: 1, files: 8 } })) {
      if (part.type === "field") {
        if (part.fieldname !== "run")
          throw unprocessable([
            { path: `body.${part.fieldname}`, message: "the only field is `run` (the JSON body)" },
          ]);
        run = parseRunField(part.value);
      } else {
        files.push({
          field: part.fieldname,
          kind: kindOf(part),
          text: await readText(part, limits.fileBytes),
        });
      }
    }
  } catch (err) {
    throw partsProblem(err, limits.fileBytes);
  }
  if (!run) throw unprocessable([{ path: "body.run", message: "add the field `run`: the run's JSON body" }]);
  if (files.length === 0)
    throw unprocessable([
      { path: "body", message: "attach at least one table file (or send application/json)" },
    ]);
  if (run.scenarioId !== undefined)
    throw unprocessable([
      { path: "body.run.scenarioId", message: "tables fill an inline input, not a scenario" },
    ]);
  const input = run.input ?? {};
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw unprocessable([
      { path: "body.run.input", message: "must be an object (the tables are added to it)" },
    ]);
  const model = modelFor(run);
  const tables = inputTables(model);
  for (const f of files) {
    const table = tables.find((t) => t.field === f.field);
    if (!table) {
      const names = tables.map((t) => `\`${t.field}\``).join(", ") || "none";
      throw unprocessable([
        {
          path: `body.${f.field}`,
          message: `${model.id} has no table \`${f.field}\` (its tables: ${names})`,
        },
      ]);
    }
    const rows = f.kind === "csv" ? csvRows(table, f.text) : ndjsonRows(table, f.text);
    setPath(input as Record<string, unknown>, table.field.split("."), rows);
  }
  return { ...run, input };
}

/** The `run` field: JSON text, or already parsed when the part said `content-type: application/json`. */
function parseRunField(raw: unknown): Record<string, unknown> {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw unprocessable([{ path: "body.run", message: `is not JSON: ${(err as Error).message}` }]);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw unprocessable([
      { path: "body.run", message: "must be a JSON object, as the application/json body" },
    ]);
  return value as Record<string, unknown>;
}

function kindOf(part: MultipartFile): "csv" | "ndjson" {
  const type = part.mimetype.split(";")[0]!.trim().toLowerCase();
  const name = part.filename.toLowerCase();
  if (type === "text/csv" || (type !== "application/x-ndjson" && name.endsWith(".csv"))) return "csv";
  if (
    type === "application/x-ndjson" ||
    type === "application/jsonl" ||
    name.endsWith(".ndjson") ||
    name.endsWith(".jsonl")
  )
    return "ndjson";
  part.file.resume();
  throw unprocessable([
    {
      path: `body.${part.fieldname}`,
      message: "send the table as text/csv or application/x-ndjson (or name the file .csv / .ndjson)",
    },
  ]);
}

async function readText(part: MultipartFile, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) chunks.push(chunk as Buffer);
  if (part.file.truncated) throw tooLarge(part.fieldname, maxBytes);
  const bytes = Buffer.concat(chunks);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unprocessable([{ path: `body.${part.fieldname}`, message: "is not UTF-8 text" }]);
  }
}

function csvRows(table: InputTable, text: string): Record<string, unknown>[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw unprocessable([
      { path: `body.${table.field}`, message: `is not valid CSV: ${(err as Error).message}` },
    ]);
  }
  const [header, ...data] = records;
  if (!header)
    throw unprocessable([{ path: `body.${table.field}`, message: "is empty: a header row is needed" }]);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const known = table.columns.map((c) => c.name).join(", ");
    throw unprocessable(
      unknown.map((n) => ({
        path: `body.${table.field}.header.${n}`,
        message: `is not a column (columns: ${known})`,
      })),
    );
  }
  const issues: { path: string; message: string }[] = [];
  const rows = data.map((cells, i) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, j) => {
      const cell = cells[j] ?? "";
      if (cell.trim() === "") return;
      const typed = typedCell(byName.get(name)!, cell);
      if (typed.ok) row[name] = typed.value;
      else if (issues.length < MAX_ISSUES)
        issues.push({
          path: `body.${table.field}.${i}.${name}`,
          message: `${typed.message} (row ${i + 2} of the file)`,
        });
    });
    return row;
  });
  if (issues.length > 0) throw unprocessable(issues);
  return rows;
}

function typedCell(
  column: TargetColumn,
  cell: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const s = cell.trim();
  switch (column.type) {
    case "number":
    case "integer": {
      const n = Number(s);
      if (!Number.isFinite(n)) return { ok: false, message: `"${s.slice(0, 40)}" is not a number` };
      if (column.type === "integer" && !Number.isInteger(n))
        return { ok: false, message: `"${s}" is not a whole number` };
      return { ok: true, value: n };
    }
    case "boolean": {
      const b = BOOLEANS[s.toLowerCase()];
      return b === undefined
        ? { ok: false, message: `"${s.slice(0, 40)}" is not true or false` }
        : { ok: true, value: b };
    }
    case "other":
      // A nested value (a list, an object) is written as JSON in its cell.
      try {
        return { ok: true, value: JSON.parse(s) };
      } catch {
        return { ok: true, value: cell };
      }
    default:
      return { ok: true, value: cell };
  }
}

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  "1": true,
  "0": false,
  yes: true,
  no: false,
};

function ndjsonRows(table: InputTable, text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const issues: { path: string; message: string }[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line);
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error("not an object");
      rows.push(value as Record<string, unknown>);
    } catch (err) {
      if (issues.length < MAX_ISSUES)
        issues.push({
          path: `body.${table.field}.line.${i + 1}`,
          message: `is not a JSON object: ${(err as Error).message}`,
        });
    }
  }
  if (issues.length > 0) throw unprocessable(issues);
  return rows;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function tooLarge(field: string, maxBytes: number) {
  const message = `is larger than the ${maxBytes.toLocaleString("en")}-byte limit (RUN_INPUT_LIMIT_BYTES)`;
  return new DomainError("body_too_large", `The table ${field} ${message}.`, [
    { path: `body.${field}`, message },
  ]);
}

function partsProblem(err: unknown, maxBytes: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === "FST_REQ_FILE_TOO_LARGE") return tooLarge("file", maxBytes);
  if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT")
    return unprocessable([{ path: "body", message: "send one field `run` and at most 8 table files" }]);
  return err;
}
