/**
 * Content negotiation for the web app's precompressed files (packages/web/scripts/compress.ts
 * writes `<file>.br` and `<file>.gz` beside each text asset at build time, so no request pays
 * for compression). RFC 9110 §12.5.3: codings with q=0 are refused, `*` stands for any coding
 * not named, and among acceptable codings brotli (smaller) wins over gzip at equal weight.
 */
export type PrecompressedEncoding = "br" | "gzip";

/** Extensions of the precompressed siblings, by coding. */
export const ENCODING_EXTENSION: Record<PrecompressedEncoding, string> = { br: ".br", gzip: ".gz" };

const PREFERENCE: PrecompressedEncoding[] = ["br", "gzip"];

/** The codings the client accepts, best first (weight, then brotli before gzip). */
export function acceptedEncodings(header: string | undefined): PrecompressedEncoding[] {
  if (!header) return [];
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q ? Number(q.slice(2)) : 1;
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const star = weights.get("*");
  const weightOf = (e: PrecompressedEncoding) =>
    weights.get(e) ?? (e === "gzip" ? weights.get("x-gzip") : undefined) ?? star ?? 0;
  return PREFERENCE.filter((e) => weightOf(e) > 0).sort((a, b) => weightOf(b) - weightOf(a));
}
