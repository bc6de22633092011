import type { ContentSourceDto } from "@modelworks/contracts/content";
import type { z } from "zod";

/**
 * Pure helpers of the content pages (issue 17 item 6): a source's health in words, a draft cut
 * into plain and flagged spans, the engagement rate a feedback form will record. The web app
 * cannot import the engine, so the few output fields the pages read are typed here, loosely:
 * the run's output is whatever the model declared, read defensively.
 */

export type Source = z.output<typeof ContentSourceDto>;

const MINUTE_MS = 60_000;

/** "3 min ago", "in 2 h", "5 d ago": how far `iso` is from `nowMs`, for health columns. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (!iso) return "never";
  const diffMs = Date.parse(iso) - nowMs;
  const minutes = Math.round(Math.abs(diffMs) / MINUTE_MS);
  const span =
    minutes < 1
      ? "now"
      : minutes < 60
        ? `${minutes} min`
        : minutes < 48 * 60
          ? `${Math.round(minutes / 60)} h`
          : `${Math.round(minutes / (24 * 60))} d`;
  if (span === "now") return diffMs > 0 ? "in a moment" : "just now";
  return diffMs > 0 ? `in ${span}` : `${span} ago`;
}

export interface HealthSummary {
  label: "new" | "ok" | "failing" | "paused";
  /** Light badges of these shades pass 4.5:1 (axe found yellow's at 4.12:1). */
  color: "blue" | "gray" | "green" | "red";
  /** One line a person reads: the last error of a failing source, when the next try is. */
  detail: string;
}

/** A source's health as the list shows it; a disabled source is "paused" whatever it last did. */
export function healthSummary(s: Source, nowMs: number): HealthSummary {
  const h = s.health;
  // A next attempt in the past is overdue (the next tick takes it), not "ago".
  const next = `next attempt ${Date.parse(h.nextAttemptAt) - nowMs < MINUTE_MS ? "due now" : relativeTime(h.nextAttemptAt, nowMs)}`;
  if (!s.enabled) return { label: "paused", color: "gray", detail: "not fetched while paused" };
  if (h.status === "failing") {
    const tries = h.consecutiveFailures === 1 ? "1 failure" : `${h.consecutiveFailures} failures in a row`;
    return {
      label: "failing",
      color: "red",
      detail: `${h.lastError ?? "failed"} (${tries}; ${next})`,
    };
  }
  if (h.status === "new") return { label: "new", color: "blue", detail: `not fetched yet; ${next}` };
  return {
    label: "ok",
    color: "green",
    detail: `last fetched ${relativeTime(h.lastSuccessAt, nowMs)}; ${next}`,
  };
}

/** "every 6 h", "every 45 min", "every 2 d". */
export function intervalLabel(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `every ${minutes / (24 * 60)} d`;
  if (minutes % 60 === 0) return `every ${minutes / 60} h`;
  return `every ${minutes} min`;
}

/** Domains as typed in a text box ("tech, Finance ,") → ["tech", "finance"], each once. */
export function parseDomains(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export interface Span {
  text: string;
  /** Where the span starts in the draft (a stable key). */
  start: number;
  /** The flag's message when this span was flagged (an unsupported number, a banned word…). */
  flag: string | null;
}

/**
 * A draft cut into plain and flagged spans, so an unsupported claim is marked where it stands.
 * Flags without a position, or overlapping an earlier one, are left to the flag list.
 */
export function flaggedSpans(
  text: string,
  flags: readonly { start?: number; end?: number; message: string }[],
): Span[] {
  const placed = flags
    .filter(
      (f): f is { start: number; end: number; message: string } =>
        typeof f.start === "number" && typeof f.end === "number" && f.start < f.end && f.end <= text.length,
    )
    .sort((a, b) => a.start - b.start);
  const spans: Span[] = [];
  let at = 0;
  for (const f of placed) {
    if (f.start < at) continue;
    if (f.start > at) spans.push({ text: text.slice(at, f.start), start: at, flag: null });
    spans.push({ text: text.slice(f.start, f.end), start: f.start, flag: f.message });
    at = f.end;
  }
  if (at < text.length) spans.push({ text: text.slice(at), start: at, flag: null });
  return spans;
}

/** (reactions + comments + reposts) / impressions, as the server records it; null until valid. */
export function engagementRate(f: {
  impressions: number;
  reactions: number;
  comments: number;
  reposts: number;
}): number | null {
  if (!(f.impressions >= 1)) return null;
  const parts = [f.reactions, f.comments, f.reposts];
  if (parts.some((n) => !Number.isFinite(n) || n < 0)) return null;
  return (f.reactions + f.comments + f.reposts) / f.impressions;
}

/**
 * A 422 field error of the YAML import in the file's own terms: `body.yaml.premium_sources.1.credibility`
 * → "premium_sources, entry 2, credibility: must be 0 to 1" (the keys as written in the file,
 * entries counted from 1).
 */
export function yamlErrorText(e: { path: string; message: string }): string {
  const parts = e.path
    .split(".")
    .filter((p) => p && p !== "body" && p !== "yaml")
    .map((p) => (/^\d+$/.test(p) ? `entry ${Number(p) + 1}` : p));
  return parts.length ? `${parts.join(", ")}: ${e.message}` : e.message;
}

/** What an import did, in one sentence. */
export function importSummary(r: { created: unknown[]; existing: unknown[]; skipped: unknown[] }): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  return `Imported ${n(r.created.length, "source")}; ${n(r.existing.length, "was", "were")} already followed; ${n(r.skipped.length, "entry", "entries")} skipped (not fetchable over HTTP).`;
}

// ── The content-intel run's output, as the run page reads it ──

export interface Citation {
  itemId: string;
  title: string;
  url: string;
  sourceName: string;
}
export interface Flag {
  variant: string;
  kind: string;
  message: string;
  start?: number;
  end?: number;
}
export interface Variant {
  kind: string;
  text: string;
  chars: number;
  hashtags: string[];
  citations: Citation[];
  clean: boolean;
  prediction: { base: number; boost: number; enhanced: number };
}
export interface ContentOutput {
  variants: Variant[];
  recommendedVariant: string;
  flags: Flag[];
  evidence: { itemId: string; title: string; url: string; sourceName: string; rank: number }[];
  analysis?: { domains?: string[] };
}

/** A variant's kind as a person reads it: `data_driven` → "data-driven". */
export const variantLabel = (kind: string) => kind.replace(/_/g, "-");

/** The output when it has the content-intel shape (four variants with text), else null. */
export function contentOutput(output: unknown): ContentOutput | null {
  if (!output || typeof output !== "object") return null;
  const o = output as Partial<ContentOutput>;
  if (!Array.isArray(o.variants) || !o.variants.every((v) => typeof v?.text === "string")) return null;
  return {
    variants: o.variants,
    recommendedVariant: String(o.recommendedVariant ?? ""),
    flags: Array.isArray(o.flags) ? o.flags : [],
    evidence: Array.isArray(o.evidence) ? o.evidence : [],
    analysis: o.analysis,
  };
}

/** The variants, the recommended one first, then by enhanced prediction (highest first). */
export function orderedVariants(o: ContentOutput): Variant[] {
  return [...o.variants].sort(
    (a, b) =>
      Number(b.kind === o.recommendedVariant) - Number(a.kind === o.recommendedVariant) ||
      b.prediction.enhanced - a.prediction.enhanced,
  );
}
