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
 * literals, null, nullable and optional, records with plain string keys, and unions of such
 * primitives and arrays of them (a primitive passes zod's option exactly when it passes ours, and comes back
 * unchanged, so which option zod tries first does not matter — unions of objects it does not
 * cover: zod would keep the first option that strips a key). A schema with anything else
 * anywhere (defaults, transforms, refinements, other unions and records, lazy or recursive
 * shapes, coercion) gets no check at all.
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
  keyType?: Schema;
  valueType?: Schema;
  options?: Schema[];
  mode?: string;
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
      case "null":
        return (v) => v === null;
      case "object":
        return objectCheck(def, visiting);
      case "record":
        return recordCheck(def, visiting);
      case "union":
        return primitiveUnionCheck(def, visiting);
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

const PRIMITIVE = new Set(["number", "string", "boolean", "enum", "literal", "null"]);
/** Primitives and arrays of them: zod accepts exactly what the check accepts, and strips nothing. */
const exact = (o: Schema): boolean =>
  PRIMITIVE.has(o._zod.def.type) ||
  (o._zod.def.type === "array" && !!o._zod.def.element && exact(o._zod.def.element));

function primitiveUnionCheck(def: Def, visiting: Set<object>): PlainCheck | null {
  const options = def.options ?? [];
  if (options.length === 0 || !options.every(exact)) return null;
  const checks: PlainCheck[] = [];
  for (const o of options) {
    const c = compile(o as unknown as z.ZodType, visiting);
    if (!c) return null;
    checks.push(c);
  }
  return (v) => checks.some((c) => c(v));
}

/**
 * z.record(z.string(), value): zod copies every own enumerable key (symbols too, `__proto__`
 * skipped) through the key and value schemas. Only plain string keys, a key schema without checks
 * (no enum of keys, no pattern) and a plain value schema are covered.
 */
function recordCheck(def: Def, visiting: Set<object>): PlainCheck | null {
  const key = def.keyType?._zod;
  if (key?.def.type !== "string" || key.def.checks?.length || key.def.coerce || key.values) return null;
  if (def.mode === "loose" || !def.valueType) return null;
  const value = compile(def.valueType as unknown as z.ZodType, visiting);
  if (!value) return null;
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    const names = Object.getOwnPropertyNames(v);
    // Symbol keys, non-enumerable keys and an own `__proto__` are treated differently by zod.
    if (Object.getOwnPropertySymbols(v).length > 0) return false;
    const o = v as Record<string, unknown>;
    let enumerable = 0;
    for (const k in o) {
      if (!Object.hasOwn(o, k) || k === "__proto__" || !value(o[k])) return false;
      enumerable++;
    }
    return enumerable === names.length;
  };
}
