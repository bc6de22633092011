import type { AnyModel } from "@modelworks/model-kit";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { fileRecords, loadFileSource, MappingProblems } from "../files/records.ts";
import type { FileStore } from "../files/store.ts";

/**
 * A run input whose table (response-model's `records`) comes from an organization's stored file
 * through a saved field mapping, rather than inline (issue 15 item 1). The file is streamed from
 * its Parquet copy chunk by chunk and mapped row by row — never parsed as one JSON document —
 * and refused before reading when it has more rows than the model takes in one input. The rows
 * become part of the run's input: the run records exactly what it fitted, and its cache key
 * (the input hash) follows the data, not the file id.
 */
export async function inputWithFileTable(
  deps: AppDeps,
  orgId: string,
  store: FileStore,
  model: AnyModel,
  input: unknown,
  data: { fileId: string; mappingId?: string | undefined; field: string },
): Promise<Record<string, unknown>> {
  const path = "body.data";
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw unprocessable([
      { path: "body.input", message: "must be an object when data fills one of its tables" },
    ]);
  const rest = input as Record<string, unknown>;
  if (rest[data.field] !== undefined)
    throw unprocessable([
      { path: `body.input.${data.field}`, message: "give the rows inline or from a file (data), not both" },
    ]);
  const maxRows = tableMaxRows(model, data.field);
  if (maxRows === null)
    throw unprocessable([
      { path: `${path}.field`, message: `${model.id} has no table of records named "${data.field}"` },
    ]);
  const source = await loadFileSource(deps.database.db, orgId, data, path);
  if (source.file.rowCount > maxRows)
    throw unprocessable(
      [
        {
          path: `${path}.fileId`,
          message: `the file has ${source.file.rowCount.toLocaleString("en-US")} rows; ${model.id} takes at most ${maxRows.toLocaleString("en-US")} in one input`,
        },
      ],
      "The file is too large for one input.",
    );
  const problems = new MappingProblems();
  const rows: Record<string, unknown>[] = [];
  for await (const chunk of fileRecords(store, source, problems, path)) for (const r of chunk) rows.push(r);
  if (problems.count > 0)
    throw new DomainError(
      "input_invalid",
      `${problems.count} cell${problems.count === 1 ? "" : "s"} of the file could not be mapped${problems.count > problems.items.length ? ` (the first ${problems.items.length} are listed)` : ""}.`,
      problems.items,
    );
  return { ...rest, [data.field]: rows };
}

/**
 * The most rows a model takes in the top-level array `field` whose items are objects (records
 * or rows with a fixed shape), from its input's JSON Schema; null when there is no such table.
 */
export function tableMaxRows(model: AnyModel, field: string): number | null {
  const schema = z.toJSONSchema(model.input, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string; maxItems?: number; items?: { type?: string } }>;
  };
  const prop = schema.properties?.[field];
  if (prop?.type !== "array" || prop.items?.type !== "object") return null;
  return prop.maxItems ?? Number.MAX_SAFE_INTEGER;
}
