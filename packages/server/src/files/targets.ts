import type { AnyModel } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * The tables a model takes as input: every array-of-objects field of its input JSON Schema
 * (deal-picker's `deals`, debt-stack's `tranches`, …), with the row schema (zod, for validation)
 * and the columns (from the JSON Schema, for suggestions and templates). One schema, many uses.
 */
export interface TargetColumn {
  name: string;
  type: "number" | "integer" | "string" | "boolean" | "other";
  required: boolean;
  enum: string[] | null;
  description: string | null;
  minimum: number | null;
  maximum: number | null;
}

export interface InputTable {
  /** Dotted path of the array in the input, e.g. `deals` or `building.leases`. */
  field: string;
  columns: TargetColumn[];
  row: z.ZodType;
  array: z.ZodType;
}

type Json = Record<string, unknown>;

export function inputTables(model: AnyModel): InputTable[] {
  const schema = z.toJSONSchema(model.input, { io: "input", unrepresentable: "any" }) as Json;
  const out: InputTable[] = [];
  const walk = (node: Json, zod: z.ZodType, prefix: string[], depth: number) => {
    const props = (node.properties ?? {}) as Record<string, Json>;
    const shape = objectShape(zod);
    if (!shape) return;
    for (const [key, prop] of Object.entries(props)) {
      const zField = shape[key];
      if (!zField) continue;
      const path = [...prefix, key];
      const items = prop.items as Json | undefined;
      const zArray = unwrap(zField);
      if (
        prop.type === "array" &&
        items?.type === "object" &&
        items.properties &&
        zArray instanceof z.ZodArray
      ) {
        out.push({
          field: path.join("."),
          columns: columnsOf(items),
          row: zArray.element as z.ZodType,
          array: zField,
        });
      } else if (prop.type === "object" && depth < 2) walk(prop, zField, path, depth + 1);
    }
  };
  walk(schema, model.input, [], 0);
  return out;
}

/** A table from a zod row schema of its own (the named standard schemas). */
export function tableOf(field: string, row: z.ZodType, array: z.ZodType): InputTable {
  const items = z.toJSONSchema(row, { io: "input", unrepresentable: "any" }) as Json;
  return { field, columns: columnsOf(items), row, array };
}

export function inputTable(model: AnyModel, field: string): InputTable | undefined {
  return inputTables(model).find((t) => t.field === field);
}

function columnsOf(items: Json): TargetColumn[] {
  const required = new Set((items.required as string[] | undefined) ?? []);
  return Object.entries(items.properties as Record<string, Json>).map(([name, p]) => {
    const types = [p.type, ...((p.anyOf as Json[] | undefined) ?? []).map((a) => a.type)]
      .flat()
      .filter((t): t is string => typeof t === "string" && t !== "null");
    const t = types[0];
    return {
      name,
      type: t === "number" || t === "integer" || t === "string" || t === "boolean" ? t : "other",
      required: required.has(name),
      enum: Array.isArray(p.enum) ? (p.enum as unknown[]).map(String) : null,
      description: typeof p.description === "string" ? p.description : null,
      minimum: typeof p.minimum === "number" ? p.minimum : null,
      maximum: typeof p.maximum === "number" ? p.maximum : null,
    };
  });
}

/** Strips optional/default/nullable/pipe wrappers to reach the schema that holds the shape. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s as z.ZodType & { _zod: { def: Record<string, unknown> } };
  for (let i = 0; i < 10; i++) {
    const def = cur._zod.def;
    const next = (def.innerType ?? (def.type === "pipe" ? def.in : undefined)) as typeof cur | undefined;
    if (!next) break;
    cur = next;
  }
  return cur;
}

function objectShape(s: z.ZodType): Record<string, z.ZodType> | null {
  const inner = unwrap(s);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : null;
}
