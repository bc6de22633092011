import type { ReferenceDataset } from "@modelworks/model-kit";
import type { CachedEdition } from "./cache.ts";

/** Larger than any plausible rate table: a bigger answer is not the table we asked for. */
const MAX_PAYLOAD_CHARS = 1_000_000;

/**
 * Fetches one dataset's current edition from its HTTP source and validates it with the dataset's
 * own schema. Never throws: a failure comes back with a reason fit to show any user — status,
 * timeout, error code or field paths, but never the URL (it may carry a token).
 */
export async function fetchEdition(
  ds: ReferenceDataset,
  url: string,
  opts: { timeoutMs: number; fetch?: typeof fetch; now?: () => number },
): Promise<CachedEdition> {
  const now = opts.now ?? Date.now;
  const fail = (reason: string): CachedEdition => ({
    ok: false,
    reason,
    failedAt: new Date(now()).toISOString(),
  });
  let text: string;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return fail(`the upstream source answered HTTP ${res.status}`);
    }
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError")
      return fail(`the upstream source did not answer within ${opts.timeoutMs} ms`);
    return fail(`the upstream source is unreachable (${e.cause?.code ?? e.message})`);
  }
  if (text.length > MAX_PAYLOAD_CHARS) return fail("the upstream payload is larger than 1 MB");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail("the upstream payload is not JSON");
  }
  const r = ds.schema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return fail(`the upstream payload is not a valid ${ds.dataset} table (${issues})`);
  }
  return { ok: true, table: r.data, fetchedAt: new Date(now()).toISOString() };
}
