// How a model's input JSON Schema becomes form controls: pure, shared by the editor and the sweep panel.

/** A JSON Schema node as the server writes them (z.toJSONSchema, draft 2020-12). */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

export type FieldKind =
  | "object"
  | "table"
  | "numbers"
  | "strings"
  | "number"
  | "enum"
  | "string"
  | "date"
  | "boolean"
  | "json";

export interface Field {
  kind: FieldKind;
  schema: JsonSchema;
  nullable: boolean;
  options?: unknown[];
  integer?: boolean;
}

/** What control a schema node becomes. `anyOf [X, null]` is X that may be left empty. */
export function classify(schema: JsonSchema): Field {
  if (schema.anyOf) {
    const nonNull = schema.anyOf.filter((s) => s.type !== "null");
    const nullable = nonNull.length < schema.anyOf.length;
    if (nonNull.length === 1) {
      const inner = classify({ ...nonNull[0], description: schema.description ?? nonNull[0]!.description });
      return { ...inner, nullable: nullable || inner.nullable };
    }
    if (nonNull.every((s) => s.const !== undefined)) {
      return { kind: "enum", schema, nullable, options: nonNull.map((s) => s.const) };
    }
    return { kind: "json", schema, nullable };
  }
  // `type: ["number", "null"]` (how zod writes a nullable scalar) is that type, nullable.
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== "null");
    if (types.length === 1) {
      const inner = classify({ ...schema, type: types[0] });
      return { ...inner, nullable: inner.nullable || types.length < schema.type.length };
    }
    return { kind: "json", schema, nullable: schema.type.includes("null") };
  }
  if (schema.enum) return { kind: "enum", schema, nullable: false, options: schema.enum };
  switch (schema.type) {
    case "number":
      return { kind: "number", schema, nullable: false };
    case "integer":
      return { kind: "number", schema, nullable: false, integer: true };
    case "boolean":
      return { kind: "boolean", schema, nullable: false };
    case "string":
      return { kind: schema.format === "date" ? "date" : "string", schema, nullable: false };
    case "object":
      return schema.properties
        ? { kind: "object", schema, nullable: false }
        : { kind: "json", schema, nullable: false };
    case "array": {
      const items = schema.items ? classify(schema.items) : null;
      if (items?.kind === "object") return { kind: "table", schema, nullable: false };
      if (items?.kind === "number") return { kind: "numbers", schema, nullable: false };
      if (items?.kind === "string" || items?.kind === "enum")
        return { kind: "strings", schema, nullable: false };
      return { kind: "json", schema, nullable: false };
    }
    default:
      return { kind: "json", schema, nullable: false };
  }
}

/**
 * The unit a field is in. Modelworks names carry units (`landCostUsd`, `constructionMonths`,
 * `vacancyRate`) and descriptions name currencies ("AED/yr"); money without a named currency
 * is in the input's own `currency`.
 */
export function inputUnit(key: string, schema: JsonSchema, currency: string | undefined): string | undefined {
  if (/Usd$/.test(key)) return "USD";
  const desc = schema.description ?? "";
  const named = /\b(AED|USD)(\/yr|\/month)?\b/.exec(desc);
  if (/Months$|^months$|MonthsMin$|Months[A-Z]/.test(key) || /^(termMonths|ioMonths)$/.test(key))
    return "months";
  if (/Years$/.test(key)) return "years";
  if (
    /^(vacancy|occupancy)|Share|share$|Rate$|rate$|Rate[A-Z]|Haircut|Ltv|Ltc|Yield|Cap$|target$|^spread$|^strike$|^upfrontFee$|Growth/.test(
      key,
    )
  )
    return "fraction";
  if (named) return named[0];
  // The declaration says so in words ("fraction of NOI", "maximum share of capital"): typed as %.
  if (/(^|[\s(:,])fraction\b(?!al)|\bshare of\b/i.test(desc)) return "fraction";
  if (
    /(price|Price|cost|Cost|budget|Budget|^noi$|capex|rent|Rent|incentive|Incentive|equity|Equity|amount|Amount|Value$|Penalty)/.test(
      key,
    )
  )
    return currency;
  return undefined;
}

/** The defaults a schema declares, for a new row or a group switched on. */
export function defaultsOf(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    if (s.default !== undefined) out[k] = s.default;
  }
  return out;
}

/** Dotted paths of the numeric fields of a schema, outside arrays (what a sweep can vary or collect). */
export function numericPaths(schema: JsonSchema, prefix = "", depth = 0): string[] {
  if (depth > 3) return [];
  const out: string[] = [];
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    const f = classify(s);
    if (f.kind === "number") out.push(`${prefix}${k}`);
    else if (f.kind === "object") out.push(...numericPaths(f.schema, `${prefix}${k}.`, depth + 1));
  }
  return out;
}

export function fieldSchema(schema: JsonSchema, path: string): JsonSchema | undefined {
  let cur: JsonSchema | undefined = schema;
  for (const k of path.split(".")) {
    const f: JsonSchema | undefined = cur ? classify(cur).schema : undefined;
    cur = f?.properties?.[k];
  }
  return cur;
}
