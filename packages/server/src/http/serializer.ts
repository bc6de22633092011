import fastJson from "fast-json-stringify";
import type { FastifySerializerCompiler } from "fastify";
import { serializerCompiler as zodSerializerCompiler } from "fastify-type-provider-zod";
import { z } from "zod";

/**
 * Response serialization. By default a response is checked against its zod schema and then
 * `JSON.stringify`d (fastify-type-provider-zod): safe, but on a hot list route the check and the
 * copy it makes cost more than the route's own query (issue 20 goal 2). A schema marked with
 * `compiledResponse()` is instead serialized by Fastify's compiled serializer
 * (fast-json-stringify), built from the JSON Schema of the same zod schema — one schema, many
 * uses: the OpenAPI document, the types and the serializer all come from it. The compiled
 * serializer writes exactly the schema's properties, in its order (as zod's output does), and
 * does not re-check the values: mark only responses whose handler builds every field from typed
 * database columns. Under NODE_ENV=test every compiled answer is also encoded the zod way and
 * compared, so a divergence fails the suite rather than reaching a client.
 */
const compiled = new WeakSet<z.ZodType>();

/** Marks a response schema for the compiled serializer (see above). Returns the schema itself. */
export function compiledResponse<T extends z.ZodType>(schema: T): T {
  compiled.add(schema);
  return schema;
}

export function responseSerializerCompiler(opts: {
  crossCheck: boolean;
}): FastifySerializerCompiler<unknown> {
  const bySchema = new WeakMap<z.ZodType, (data: unknown) => string>();
  return (route) => {
    const schema = route.schema as z.ZodType;
    if (!(schema instanceof z.ZodType) || !compiled.has(schema)) {
      return zodSerializerCompiler(route as Parameters<typeof zodSerializerCompiler>[0]);
    }
    let stringify = bySchema.get(schema);
    if (!stringify) {
      stringify = fastJson(
        plainJsonSchema(z.toJSONSchema(schema, { io: "output", target: "draft-7" }), route.url) as never,
      ) as (data: unknown) => string;
      bySchema.set(schema, stringify);
    }
    if (!opts.crossCheck) return stringify;
    const viaZod = zodSerializerCompiler(route as Parameters<typeof zodSerializerCompiler>[0]) as (
      data: unknown,
    ) => string;
    const fast = stringify;
    return (data: unknown) => {
      const out = fast(data);
      const expected = viaZod(data);
      if (out !== expected) {
        throw new Error(
          `compiled serializer of ${route.method} ${route.url} differs from zod's:\n${out}\n${expected}`,
        );
      }
      return out;
    };
  };
}

/** Keywords that only validate: the compiled serializer does not check values, so they go. */
const VALIDATION_ONLY = new Set([
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "description",
  "$schema",
]);
/** Keywords fast-json-stringify resolves by validating at run time (slow): refused. */
const BRANCHING = ["anyOf", "oneOf", "allOf", "not", "if"];

/**
 * The JSON Schema as fast-json-stringify serializes it fastest: validation-only keywords dropped
 * and `anyOf: [X, {type: null}]` (zod's `.nullable()`) folded into `type: [X's type, "null"]`.
 * Any other branching is refused at start-up: such a response keeps the zod serializer.
 */
export function plainJsonSchema(node: unknown, where: string): unknown {
  if (Array.isArray(node)) return node.map((n) => plainJsonSchema(n, where));
  if (node === null || typeof node !== "object") return node;
  let n = node as Record<string, unknown>;
  const anyOf = n.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf?.length === 2) {
    const isNull = (s: Record<string, unknown>) => s.type === "null" && Object.keys(s).length === 1;
    const other = anyOf.find((s) => !isNull(s));
    if (other && anyOf.some(isNull) && typeof other.type === "string" && other.type !== "object") {
      const { anyOf: _, ...rest } = n;
      n = { ...rest, ...other, type: [other.type, "null"] };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (VALIDATION_ONLY.has(k)) continue;
    if (BRANCHING.includes(k)) {
      throw new Error(`compiledResponse(${where}): "${k}" in the response schema; use the zod serializer`);
    }
    // `properties` and `definitions` are maps of names to schemas, not schemas themselves.
    out[k] =
      k === "properties" || k === "definitions"
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, plainJsonSchema(s, where)]))
        : plainJsonSchema(v, where);
  }
  return out;
}
