import type { z } from "zod";

/**
 * A quick "zod would return this value unchanged" test for plain-data schemas, used before zod's
 * own parse of a model's output (issue 20). Zod copies every object and array it parses and calls
 * a function per field: for tif's 51 KB output that is ~1.2 ms of a run's ~2 ms in its engine
 * thread, against ~0.1 ms for this check.
 *
 * The test only ever says "yes" when zod's parse would succeed and return a value deep-equal to
 * the input (key order aside); anything it is unsure of says "no", and the caller then asks zod,
 * whose verdict and issues stand. So it supports only schema kinds with no transformation:
 * objects (every key of the value known to the shape, plain prototype), arrays without length
 * checks, numbers (finite; `int` and bounds), strings and booleans without checks, enums,
 * literals, nullable and optional, and unions of a number, a string, a boolean and an array (at
 * most one of each). A schema with anything else anywhere (defaults, transforms, refinements,
 * other unions, records, lazy or recursive shapes, coercion) gets no check at all.
 */
export type PlainCheck = (value: unknown) => boolean;

const compiled = new WeakMap<object, PlainCheck | null>();

/** The check for `schema`, or null when it has parts the check does not cover (then use zod). */
export function plainCheckOf(schema: z.ZodType): PlainCheck | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema, new Set());
    compiled.set(schema, check);
  }
  return check;
}

// Zod's internal definition, as far as this module reads it (zod 4).
interface Def {
  type: string;
  coerce?: boolean;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
}
interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
}
type Schema = { _zod: { def: Def; values?: ReadonlySet<unknown> } };

function compile(schema: z.ZodType, visiting: Set<object>): PlainCheck | null {
  const s = schema as unknown as Schema;
  const def = s._zod?.def;
  if (!def || def.coerce) return null;
  // Checks (refinements, lengths, formats) are zod code: only a number's usual ones are covered.
  if (def.checks?.length && def.type !== "number") return null;
  // A schema met again inside itself is recursive: not covered.
  if (visiting.has(s)) return null;
  visiting.add(s);
  try {
    switch (def.type) {
      case "number":
        return numberCheck(def);
      case "string":
        return (v) => typeof v === "string";
      case "boolean":
        return (v) => typeof v === "boolean";
      case "enum":
      case "literal": {
        const values = s._zod.values;
        return values ? (v) => values.has(v) : null;
      }
      case "nullable": {
        const inner = def.innerType && compile(def.innerType as unknown as z.ZodType, visiting);
        return inner ? (v) => v === null || inner(v) : null;
      }
      case "optional": {
        const inner = def.innerType && compile(def.innerType as unknown as z.ZodType, visiting);
        return inner ? (v) => v === undefined || inner(v) : null;
      }
      case "array": {
        if (!def.element) return null;
        const element = compile(def.element as unknown as z.ZodType, visiting);
        if (!element) return null;
        return (v) => {
          if (!Array.isArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
          return true;
        };
      }
      case "object":
        return objectCheck(def, visiting);
      case "union":
        return unionCheck(def, visiting);
      default:
        return null;
    }
  } finally {
    visiting.delete(s);
  }
}

function numberCheck(def: Def): PlainCheck | null {
  const tests: ((v: number) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === "number_format" && d.format === "safeint") tests.push(Number.isSafeInteger);
    else if ((d.check === "greater_than" || d.check === "less_than") && typeof d.value === "number") {
      const bound = d.value;
      tests.push(
        d.check === "greater_than"
          ? d.inclusive
            ? (v) => v >= bound
            : (v) => v > bound
          : d.inclusive
            ? (v) => v <= bound
            : (v) => v < bound,
      );
    } else return null;
  }
  // Zod 4's number accepts finite numbers only.
  if (tests.length === 0) return (v) => typeof v === "number" && Number.isFinite(v);
  return (v) => typeof v === "number" && Number.isFinite(v) && tests.every((t) => t(v));
}

function objectCheck(def: Def, visiting: Set<object>): PlainCheck | null {
  if (!def.shape) return null;
  const keys = Object.keys(def.shape);
  const known = new Set(keys);
  const fields: PlainCheck[] = [];
  for (const k of keys) {
    const f = compile(def.shape[k] as unknown as z.ZodType, visiting);
    if (!f) return null;
    fields.push(f);
  }
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    // Zod reads fields through the prototype chain and builds a plain object: only plain
    // objects read the same either way.
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    const o = v as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) if (!fields[i]!(o[keys[i]!])) return false;
    // A key the shape does not know is stripped (or refused) by zod: not the same value.
    for (const k in o) if (!known.has(k)) return false;
    return true;
  };
}

/** The kinds a union may mix: no value is of two of them, so zod accepts it by one option only. */
const DISJOINT_KINDS = new Set(["number", "string", "boolean", "array"]);

/**
 * A union whose options are of different kinds among number, string, boolean and array: a value
 * one option's check accepts is refused by every other option in zod, so zod's parse returns that
 * option's result (first match or exclusive union alike), the value unchanged.
 */
function unionCheck(def: Def, visiting: Set<object>): PlainCheck | null {
  const options = def.options;
  if (!options || options.length === 0) return null;
  const kinds = new Set<string>();
  const checks: PlainCheck[] = [];
  for (const o of options) {
    const kind = o._zod?.def?.type;
    if (kind === undefined || !DISJOINT_KINDS.has(kind) || kinds.has(kind)) return null;
    kinds.add(kind);
    const c = compile(o as unknown as z.ZodType, visiting);
    if (!c) return null;
    checks.push(c);
  }
  return (v) => {
    for (let i = 0; i < checks.length; i++) if (checks[i]!(v)) return true;
    return false;
  };
}
