/**
 * content-intel benchmark (issue 17, "Benchmarks": "the full pipeline on the built-in path < 1 s";
 * "retrieval over 100k stored items < 200 ms" is the server's tsvector query — here the engine's
 * own BM25 ranking over items handed to it, which is the other half of that path).
 *
 *   npm run bench:content-intel          # BENCH_REPS=7 to change the repetitions
 *
 * Measures, in this thread, median wall and CPU time of:
 * - baseline: tokenizing the 20 example items (the unit every figure is also given as a ratio of);
 * - the whole pipeline (analysis → ranking → insights → four drafts, checked and predicted →
 *   learning) on the 20 example items, without and with a 12-post history;
 * - the whole pipeline over 5,000 and 20,000 (the input's maximum) synthetic items;
 * - rankEvidence alone (BM25 index + scores + freshness × credibility + de-duplication) over
 *   100,000 synthetic items.
 * Synthetic items recombine the example items' sentences with seeded sources, dates and ids.
 */
import { loadavg } from "node:os";
import {
  ContentIntelInput,
  type ContentItemInput,
  EXAMPLE_AS_OF,
  EXAMPLE_ITEMS,
  EXAMPLE_TOPICS,
  rankEvidence,
  runContentIntel,
  tokenize,
} from "@modelworks/engine-content-intel";
import { exampleHistory } from "../packages/engines/content-intel/src/examples/history.ts";
import { ContentItem } from "../packages/engines/content-intel/src/item.ts";

const REPS = Number(process.env.BENCH_REPS ?? 7);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticItems(n: number, seed = 1): ContentItemInput[] {
  const rnd = mulberry32(seed);
  const sentences = EXAMPLE_ITEMS.flatMap((i) => i.text.split(/(?<=\.)\s+/));
  const titles = EXAMPLE_ITEMS.map((i) => i.title);
  const asOf = Date.parse(EXAMPLE_AS_OF);
  return Array.from({ length: n }, (_, k) => {
    const base = EXAMPLE_ITEMS[Math.floor(rnd() * EXAMPLE_ITEMS.length)]!;
    const text = Array.from(
      { length: 3 + Math.floor(rnd() * 4) },
      () => sentences[Math.floor(rnd() * sentences.length)]!,
    ).join(" ");
    return {
      ...base,
      id: `syn-${k}`,
      title: `${titles[Math.floor(rnd() * titles.length)]} (${k})`,
      url: `https://example-${k % 500}.com/post/${k}`,
      canonicalUrl: undefined,
      sourceId: `source-${k % 500}`,
      publishedAt: new Date(asOf - Math.floor(rnd() * 60 * 86_400_000)).toISOString(),
      text: `${text} Item ${k}.`,
    };
  });
}

async function time(label: string, fn: () => unknown | Promise<unknown>, reps = REPS) {
  await fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c = cpuMs();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  return { label, wallMs: median(wall), cpuMs: median(cpu) };
}

const input = (items: ContentItemInput[], extra: Record<string, unknown> = {}) =>
  ContentIntelInput.parse({ topic: EXAMPLE_TOPICS[0], asOf: EXAMPLE_AS_OF, items, ...extra });

console.log(
  `content-intel bench, ${REPS} reps, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")}`,
);
const base = await time(
  "baseline: tokenize the 20 example items",
  () => {
    for (const i of EXAMPLE_ITEMS) tokenize(`${i.title} ${i.text}`);
  },
  50,
);
const small = input(EXAMPLE_ITEMS);
const withHistory = input(EXAMPLE_ITEMS, { history: exampleHistory(), plannedHourLocal: 8 });
const items5k = input(syntheticItems(5_000));
const items20k = input(syntheticItems(20_000, 2));
const items100k = syntheticItems(100_000, 3).map((i) => ContentItem.parse(i));
const terms = tokenize(EXAMPLE_TOPICS[0]);

const rows = [
  base,
  await time("pipeline, 20 items, no history", () => runContentIntel(small)),
  await time("pipeline, 20 items, 12-post history", () => runContentIntel(withHistory)),
  await time("pipeline, 5,000 items", () => runContentIntel(items5k), 5),
  await time("pipeline, 20,000 items", () => runContentIntel(items20k), 3),
  await time("rankEvidence, 100,000 items", () => rankEvidence(terms, items100k, { asOf: EXAMPLE_AS_OF }), 3),
];
console.log("| measure | wall (median) | CPU (median) | × baseline (wall) |");
console.log("|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.label} | ${r.wallMs.toFixed(2)} ms | ${r.cpuMs.toFixed(2)} ms | ${(r.wallMs / base.wallMs).toFixed(1)} |`,
  );
