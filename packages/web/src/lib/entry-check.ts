import { classify, type JsonSchema } from "./schema.ts";

export interface EntryProblem {
  /** Dotted form path, e.g. `unitMix.1.grossSqft`. */
  path: string;
  message: string;
}

export const REQUIRED_MESSAGE = "Enter a value (an empty field is not replaced by the model's default)";
export const NOT_A_NUMBER_MESSAGE = "Enter a number";

/**
 * What the model's own schema cannot catch (issue 18 item 2): its defaults make an emptied field
 * valid — the server would quietly store the default — so a number field emptied since the saved
 * revision (`saved`), and one holding text, is a problem here. Nullable fields may be left empty.
 */
export function entryProblems(
  schema: JsonSchema,
  values: unknown,
  saved: unknown,
  prefix = "",
  depth = 0,
): EntryProblem[] {
  if (depth > 6 || !values || typeof values !== "object") return [];
  const obj = values as Record<string, unknown>;
  const before = saved && typeof saved === "object" ? (saved as Record<string, unknown>) : {};
  const out: EntryProblem[] = [];
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const field = classify(s);
    const path = `${prefix}${key}`;
    const v = obj[key];
    if (field.kind === "number") {
      if (typeof v === "string") out.push({ path, message: NOT_A_NUMBER_MESSAGE });
      // Emptied: the saved revision had a number here. A field the input never set keeps the
      // model's default on purpose (the placeholder says which).
      else if (v === undefined && !field.nullable && typeof before[key] === "number")
        out.push({ path, message: REQUIRED_MESSAGE });
    } else if (field.kind === "object") {
      out.push(...entryProblems(field.schema, v, before[key], `${path}.`, depth + 1));
    } else if (field.kind === "table" && Array.isArray(v) && field.schema.items) {
      const item = classify(field.schema.items).schema;
      v.forEach((row, i) => {
        if (!row || typeof row !== "object") return;
        const r = row as Record<string, unknown>;
        for (const [ck, cs] of Object.entries(item.properties ?? {})) {
          const cf = classify(cs);
          if (cf.kind !== "number") continue;
          // A cell someone emptied holds `undefined`; a key never given keeps the schema's rule.
          if (typeof r[ck] === "string")
            out.push({ path: `${path}.${i}.${ck}`, message: NOT_A_NUMBER_MESSAGE });
          else if (ck in r && r[ck] === undefined && !cf.nullable)
            out.push({ path: `${path}.${i}.${ck}`, message: REQUIRED_MESSAGE });
        }
      });
    }
  }
  return out;
}
