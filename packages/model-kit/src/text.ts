import type { InputIssue } from "./errors.ts";

/**
 * The one rule for text the platform accepts: no NUL (U+0000). PostgreSQL (and PGlite) cannot
 * store it in `text` or `jsonb`, so a NUL that got past validation used to surface as a 500 from
 * the database. Model inputs are checked here (parseInput); the server applies the same function
 * to every request's body, query, path parameters and headers before its schemas run.
 */
export const NUL_MESSAGE = "must not contain the NUL character (U+0000)";
export const NUL_KEY_MESSAGE = "is a name containing the NUL character (U+0000), which is not allowed";

/** Enough to point at the problem; a body full of NULs need not list every one. */
const MAX_ISSUES = 20;

/**
 * Every string and object key holding a NUL in `value`, as dotted paths under `prefix`
 * (`deals.0.name`; the root is `prefix`, or `(root)` without one). Walks with an explicit stack,
 * so a deeply nested document cannot overflow the call stack; a key's NUL shows as `\0` in its path.
 */
export function nulIssues(value: unknown, prefix = ""): InputIssue[] {
  const issues: InputIssue[] = [];
  // A frame's path is built only when an issue names it: a 50k-record input has millions of
  // cells, and joining every one's path cost more than the walk itself.
  const stack: Frame[] = [{ v: value, parent: null, key: "" }];
  while (stack.length && issues.length < MAX_ISSUES) {
    const frame = stack.pop()!;
    const v = frame.v;
    if (typeof v === "string") {
      if (v.includes("\0")) issues.push({ path: pathOf(frame, prefix) || "(root)", message: NUL_MESSAGE });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const item: unknown = v[i];
        // Numbers, booleans and null hold no text: not worth a frame.
        if (typeof item === "string" || (item !== null && typeof item === "object"))
          stack.push({ v: item, parent: frame, key: String(i) });
      }
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (key.includes("\0")) {
          const at = join(pathOf(frame, prefix), key.replaceAll("\0", "\\0"));
          issues.push({ path: at, message: NUL_KEY_MESSAGE });
          continue;
        }
        const item: unknown = (v as Record<string, unknown>)[key];
        if (typeof item === "string" || (item !== null && typeof item === "object"))
          stack.push({ v: item, parent: frame, key });
      }
    }
  }
  return issues.slice(0, MAX_ISSUES);
}

type Frame = { v: unknown; parent: Frame | null; key: string };

/** The dotted path of a frame under `prefix` (the root's path is `prefix`). */
function pathOf(frame: Frame, prefix: string): string {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
  let path = prefix;
  for (let i = keys.length - 1; i >= 0; i--) path = join(path, keys[i]!);
  return path;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
