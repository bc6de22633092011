/**
 * The compiled scorer, a batch of rows at a time and column by column: a reader puts each cell
 * the model uses into typed arrays — from a CSV chunk's bytes (`setBytes`: no string for a known
 * level nor for a plain decimal) or from a column of values such as DuckDB hands over (`setValue`)
 * — and `score` runs each term down the batch with the one `addTerm` / `pointsOf` that the record
 * scorer uses, in the same term order per row: the same numbers, to the bit
 * (test/column-scorer.test.ts). No object per row and no closure per cell: this is what scores a
 * million rows in about a second.
 */
import {
  addTerm,
  CATEGORY,
  compilePointTables,
  compileTermTables,
  MISSING_ID,
  memoParser,
  NUMERIC,
  type PointTable,
  pointsOf,
  type TermTable,
  UNKNOWN_ID,
} from "./compiled-scorer.ts";
import type { ScoringModel } from "./fit/scoring-model.ts";
import { parseNumericBytes } from "./prepare/numeric-text.ts";
import { type Scorecard, scoreRecord } from "./scorecard/scorecard.ts";

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** A cell's text (UTF-8; invalid bytes become U+FFFD as a stream decoder makes them). */
export function cellTextOf(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * Known strings found by their UTF-8 bytes without decoding (open addressing on an FNV-1a hash,
 * one-byte keys by their byte): `id` gives the string's index, −1 when unknown.
 */
export class ByteInterner {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly keys: Uint8Array[] = [];
  private readonly ids: number[] = [];
  private readonly single = new Int32Array(256).fill(-1);

  constructor(strings: readonly string[]) {
    let size = 8;
    while (size < strings.length * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    strings.forEach((s, id) => {
      const key = encoder.encode(s);
      if (cellTextOf(key, 0, key.length) !== s) return; // not valid text: no file's bytes decode to it
      let slot = hash(key, 0, key.length) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys.push(key);
      this.ids.push(id);
      this.slots[slot] = this.keys.length; // entry + 1: 0 is an empty slot
      if (key.length === 1) this.single[key[0]!] = id;
    });
  }

  /** The index of the string whose bytes are `start…end`, or −1. */
  id(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 1) return this.single[bytes[start]!]!;
    let slot = hash(bytes, start, end) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const key = this.keys[entry - 1]!;
      if (key.length === length) {
        let k = 0;
        while (k < length && key[k] === bytes[start + k]) k++;
        if (k === length) return this.ids[entry - 1]!;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** What a batch's rows scored to (reused from batch to batch). */
export interface ScoredColumns {
  probability: Float64Array;
  points: Float64Array;
  /** 1…10. */
  decile: Uint8Array;
  /** Index into the artifact's tiers; `tiers.length` is "Not mailed". */
  tier: Uint8Array;
}

/**
 * Scores batches of up to `capacity` rows of a file whose columns are `columns`. Fill each slot
 * (`slotColumn[s]` is the file column it reads; a field the file lacks has no slot and is missing
 * in every row) for rows 0…n−1, then `score(n)`.
 */
export class ColumnScorer {
  /** Per slot, the file column it reads. */
  readonly slotColumn: Int32Array;
  readonly capacity: number;
  readonly out: ScoredColumns;
  private readonly intercept: number;
  private readonly terms: TermTable[];
  private readonly termSlot: Int32Array;
  /** Per term (text fields): slot text id → the term's own id. */
  private readonly termRemap: Int32Array[];
  private readonly points: { base: number; fields: PointTable[] } | null;
  private readonly pointSlot: Int32Array;
  private readonly pointRemap: Int32Array[];
  private readonly needText: Uint8Array;
  private readonly needNumber: Uint8Array;
  private readonly known: string[][];
  private readonly knownIds: Map<string, number>[];
  private readonly interners: ByteInterner[];
  private readonly parsers: ((text: string) => number | undefined)[];
  /** Per slot and row (slot · capacity + row): text id, number id (0 = a number), the number. */
  private readonly tid: Int32Array;
  private readonly nid: Int32Array;
  private readonly num: Float64Array;
  private readonly z: Float64Array;

  constructor(
    model: ScoringModel,
    private readonly card: Scorecard,
    private readonly cutoffs: readonly number[],
    private readonly tiers: readonly { minProbability: number }[],
    readonly columns: readonly string[],
    capacity: number,
  ) {
    this.capacity = capacity;
    this.intercept = model.intercept;
    const indexOf = new Map<string, number>();
    columns.forEach((name, k) => {
      if (!indexOf.has(name)) indexOf.set(name, k);
    });
    const slotOf = new Map<number, number>();
    const slotColumn: number[] = [];
    const needText: number[] = [];
    const needNumber: number[] = [];
    const known: string[][] = [];
    const slot = (field: string, numeric: boolean, texts: readonly string[]) => {
      const column = indexOf.get(field);
      if (column === undefined) return -1;
      let s = slotOf.get(column);
      if (s === undefined) {
        s = slotColumn.length;
        slotOf.set(column, s);
        slotColumn.push(column);
        needText.push(0);
        needNumber.push(0);
        known.push([]);
      }
      if (numeric) needNumber[s] = 1;
      else {
        needText[s] = 1;
        const seen = new Set(known[s]);
        for (const t of texts) if (!seen.has(t)) known[s]!.push(t);
      }
      return s;
    };
    this.terms = compileTermTables(model);
    this.termSlot = Int32Array.from(this.terms, (t) => slot(t.field, t.kind === NUMERIC, t.known));
    this.points = compilePointTables(card);
    const pointFields = this.points?.fields ?? [];
    this.pointSlot = Int32Array.from(pointFields, (p) => slot(p.field, p.kind !== CATEGORY, p.known));
    this.slotColumn = Int32Array.from(slotColumn);
    this.needText = Uint8Array.from(needText);
    this.needNumber = Uint8Array.from(needNumber);
    this.known = known;
    this.knownIds = known.map((k) => new Map(k.map((s, i) => [s, i])));
    const remap = (s: number, ids: Map<string, number>) =>
      s < 0 ? new Int32Array(0) : Int32Array.from(known[s]!, (text) => ids.get(text) ?? UNKNOWN_ID);
    this.termRemap = this.terms.map((t, k) => remap(this.termSlot[k]!, t.ids));
    this.pointRemap = pointFields.map((p, k) => remap(this.pointSlot[k]!, p.ids));
    this.interners = known.map((k) => new ByteInterner(k));
    this.parsers = known.map(() => memoParser());
    const cells = slotColumn.length * capacity;
    this.tid = new Int32Array(cells);
    this.nid = new Int32Array(cells);
    this.num = new Float64Array(cells);
    this.z = new Float64Array(capacity);
    this.out = {
      probability: new Float64Array(capacity),
      points: new Float64Array(capacity),
      decile: new Uint8Array(capacity),
      tier: new Uint8Array(capacity),
    };
  }

  /** Slot s, row r: the cell bytes[start…end) (empty = missing). */
  setBytes(s: number, r: number, bytes: Uint8Array, start: number, end: number): void {
    const i = s * this.capacity + r;
    if (start === end) {
      this.tid[i] = this.nid[i] = MISSING_ID;
      return;
    }
    let text: string | undefined;
    if (this.needText[s] === 1) {
      let id = this.interners[s]!.id(bytes, start, end);
      if (id < 0 && !ascii(bytes, start, end)) {
        // Not UTF-8 a known text encodes to, yet it may decode to one (invalid bytes → U+FFFD).
        text = cellTextOf(bytes, start, end);
        id = this.knownIds[s]!.get(text) ?? UNKNOWN_ID;
      }
      this.tid[i] = id;
    }
    if (this.needNumber[s] === 1) {
      const x =
        parseNumericBytes(bytes, start, end) ?? this.parsers[s]!(text ?? cellTextOf(bytes, start, end));
      if (x === undefined) this.nid[i] = UNKNOWN_ID;
      else {
        this.nid[i] = 0;
        this.num[i] = x;
      }
    }
  }

  /**
   * Slot s, row r: a value as a record holds it (text, number, boolean; null or "" = missing).
   * A finite number is taken as is: its text, String(x), parses back to x exactly.
   */
  setValue(s: number, r: number, v: unknown): void {
    const i = s * this.capacity + r;
    if (v === null || v === undefined || v === "") {
      this.tid[i] = this.nid[i] = MISSING_ID;
      return;
    }
    const isNumber = typeof v === "number" && Number.isFinite(v);
    const text = typeof v === "string" ? v : this.needText[s] === 1 || !isNumber ? String(v) : "";
    if (this.needText[s] === 1) this.tid[i] = this.knownIds[s]!.get(text) ?? UNKNOWN_ID;
    if (this.needNumber[s] === 1) {
      // −0 reads as 0, as its text "0" does.
      const x = isNumber ? (v as number) + 0 : this.parsers[s]!(text);
      if (x === undefined) this.nid[i] = UNKNOWN_ID;
      else {
        this.nid[i] = 0;
        this.num[i] = x;
      }
    }
  }

  /**
   * Scores rows 0…n−1 into `out`. A card the compiler cannot take (rules of fields interleaved)
   * is scored by `scoreRecord` on `rowText(r)`, the row's cells as text.
   */
  score(n: number, rowText?: (r: number) => Record<string, string | null>): ScoredColumns {
    const { z, tid, nid, num, capacity, out } = this;
    z.fill(this.intercept, 0, n);
    for (let t = 0; t < this.terms.length; t++) {
      const term = this.terms[t]!;
      const s = this.termSlot[t]!;
      const at = s * capacity;
      if (s < 0) for (let r = 0; r < n; r++) z[r] = addTerm(term, MISSING_ID, 0, z[r]!);
      else if (term.kind === NUMERIC)
        for (let r = 0; r < n; r++) z[r] = addTerm(term, nid[at + r]!, num[at + r]!, z[r]!);
      else {
        const remap = this.termRemap[t]!;
        for (let r = 0; r < n; r++) {
          const g = tid[at + r]!;
          z[r] = addTerm(term, g < 0 ? g : remap[g]!, 0, z[r]!);
        }
      }
    }
    const { probability, points, decile, tier } = out;
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-z[r]!));
      probability[r] = p;
      decile[r] = decileOf(this.cutoffs, p);
      tier[r] = tierIndexOf(this.tiers, p);
    }
    if (!this.points) {
      if (!rowText) throw new Error("this scorecard needs each row's text");
      for (let r = 0; r < n; r++) points[r] = scoreRecord(this.card, rowText(r));
      return out;
    }
    points.fill(this.points.base, 0, n);
    this.points.fields.forEach((field, f) => {
      const s = this.pointSlot[f]!;
      const at = s * capacity;
      if (s < 0) for (let r = 0; r < n; r++) points[r] = points[r]! + pointsOf(field, MISSING_ID, 0);
      else if (field.kind !== CATEGORY)
        for (let r = 0; r < n; r++) points[r] = points[r]! + pointsOf(field, nid[at + r]!, num[at + r]!);
      else {
        const remap = this.pointRemap[f]!;
        for (let r = 0; r < n; r++) {
          const g = tid[at + r]!;
          points[r] = points[r]! + pointsOf(field, g < 0 ? g : remap[g]!, 0);
        }
      }
    });
    return out;
  }

  /** Whether the card's points need `rowText` (see `score`). */
  get needsRowText(): boolean {
    return this.points === null;
  }
}

function ascii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** The decile a probability falls in by the cut-offs (lowest score of deciles 1…10). */
export function decileOf(cutoffs: readonly number[], p: number): number {
  let d = 1;
  for (let k = cutoffs.length - 1; k >= 1; k--)
    if (p >= (cutoffs[k] as number)) {
      d = k + 1;
      break;
    }
  return d;
}

/** The index of the first tier whose minimum `p` reaches; `tiers.length` is "Not mailed". */
export function tierIndexOf(tiers: readonly { minProbability: number }[], p: number): number {
  for (let k = 0; k < tiers.length; k++) if (p >= tiers[k]!.minProbability) return k;
  return tiers.length;
}
