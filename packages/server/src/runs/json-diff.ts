/**
 * A structural diff of two JSON values: what changed, where, from what to what. Used to compare
 * scenario revisions (and meant for comparing run inputs and outputs too).
 *
 * Written here rather than taken from a library: the rules are few and specific to how the API
 * names fields — dotted paths with array indices (`terms.0.sd`), exactly the paths validation
 * errors use — and the candidates either have their own path and change formats (microdiff,
 * deep-diff) or produce patches meant for machines (jsondiffpatch, RFC 6902 libraries).
 *
 * Rules:
 * - Objects are compared key by key (keys in code-point order, so the result does not depend on
 *   key order, which PostgreSQL's jsonb does not keep): a key only in `b` is `added`, only in
 *   `a` is `removed`, in both is compared recursively.
 * - Arrays are compared position by position, as a model reads them (`terms.0` is the first
 *   term): common positions are compared recursively, extra positions at the end of `b` are
 *   `added`, of `a` are `removed`. No move detection: inserting at the front shows as every
 *   position changing plus one added at the end, which is what the model will see.
 * - Anything else — primitives, or values of different types (object vs array, null vs object,
 *   number vs string) — is `changed` when not equal, reported at that path with both whole values.
 * - A key whose value is `undefined` counts as missing (as in JSON); `null` is a value, so
 *   `{a: null}` vs `{}` is a removal of `a` whose value was null.
 * - Paths join keys and indices with dots, without escaping: a key that itself contains a dot
 *   makes an ambiguous path (model inputs do not use such keys). A change of the whole value is
 *   at path "".
 */
export type ChangeKind = "changed" | "added" | "removed";

export interface Change {
  /** Dotted path with array indices, e.g. `terms.0.sd`; "" for the value itself. */
  path: string;
  kind: ChangeKind;
  /** The old value; absent when `kind` is `added`. */
  before?: unknown;
  /** The new value; absent when `kind` is `removed`. */
  after?: unknown;
}

export function diffJson(a: unknown, b: unknown): Change[] {
  const changes: Change[] = [];
  walk(a, b, [], changes);
  return changes;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const join = (path: readonly (string | number)[]) => path.join(".");

function walk(a: unknown, b: unknown, path: (string | number)[], out: Change[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) walk(a[i], b[i], [...path, i], out);
    for (let i = common; i < b.length; i++)
      out.push({ path: join([...path, i]), kind: "added", after: b[i] });
    for (let i = common; i < a.length; i++)
      out.push({ path: join([...path, i]), kind: "removed", before: a[i] });
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...definedKeys(a), ...definedKeys(b)])].sort(byCodePoint);
    for (const key of keys) {
      const inA = a[key] !== undefined;
      const inB = b[key] !== undefined;
      if (inA && inB) walk(a[key], b[key], [...path, key], out);
      else if (inB) out.push({ path: join([...path, key]), kind: "added", after: b[key] });
      else out.push({ path: join([...path, key]), kind: "removed", before: a[key] });
    }
    return;
  }
  // Here at least one side is a primitive, or the two differ in type: equal only if identical.
  if (a !== b) out.push({ path: join(path), kind: "changed", before: a, after: b });
}

const definedKeys = (o: Json) => Object.keys(o).filter((k) => o[k] !== undefined);
const byCodePoint = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
