import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { queryRows } from "../db/raw.ts";

/**
 * Group commit for one single-row insert statement (issue 20, docs/decisions/0056): the rows
 * callers hand in during one turn of the event loop go into the database as one multi-row insert
 * — one statement, one commit — instead of a statement each. Each caller's promise settles only
 * once the statement holding its row has committed, so a row acknowledged is a row stored, as
 * with a statement of its own.
 *
 * Made for embedded PGlite: its one connection runs every statement on the server's own thread,
 * and a statement's fixed cost (the protocol round trips, planning, the commit's WAL write)
 * was half of a fast tif run's insert there. Concurrent fast runs finish together (their results
 * come back from the engine host in one read), so batches form by themselves under load and a
 * lone run waits no longer than the rest of its event-loop turn.
 */
export interface BatchedInsert {
  /** Inserts one row (the statement's $1…$n, in order); resolves once it has committed. */
  insert(values: unknown[]): Promise<void>;
}

export interface BatchedInsertOptions {
  /** Most rows in one statement. */
  maxRows?: number;
  /** Rows stop joining a statement once its text values reach this many characters (one row always goes). */
  maxChars?: number;
}

interface Pending {
  values: unknown[];
  chars: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** A statement whose placeholders are $1, $2, … in order, as a drizzle query with those values. */
export function withParams(text: string, values: unknown[]) {
  const parts = text.split(/\$\d+/);
  if (parts.length !== values.length + 1)
    throw new Error(`${parts.length - 1} placeholders for ${values.length} values`);
  const query = sql.raw(parts[0]!);
  for (let i = 0; i < values.length; i++) query.append(sql`${values[i]}`).append(sql.raw(parts[i + 1]!));
  return query;
}

/**
 * `statement` is `insert into t (…) values ($1, …, $n)` with its placeholders in order and
 * nothing after the values (no `returning`: a batch reads nothing back).
 */
export function batchedInsert(db: Db, statement: string, opts: BatchedInsertOptions = {}): BatchedInsert {
  const maxRows = opts.maxRows ?? 32;
  const maxChars = opts.maxChars ?? 4 * 1024 * 1024;
  const m = /^([\s\S]*\bvalues\s*)(\([\s\S]*\))\s*$/i.exec(statement);
  if (!m) throw new Error("batchedInsert needs `insert into … values (…)` with nothing after the values");
  const head = m[1]!;
  const tuple = m[2]!;
  const width = tuple.match(/\$\d+/g)?.length ?? 0;
  /** The values tuple of the k-th row in a statement: its placeholders shifted by k rows. */
  const tupleAt = (k: number) => tuple.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + k * width}`);
  const texts = new Map<number, string>();
  const textFor = (rows: number) => {
    let text = texts.get(rows);
    if (!text) {
      text = head + Array.from({ length: rows }, (_, k) => tupleAt(k)).join(", ");
      texts.set(rows, text);
    }
    return text;
  };

  let pending: Pending[] = [];
  let scheduled = false;

  const take = (): Pending[] => {
    let chars = 0;
    let n = 0;
    while (n < pending.length && n < maxRows && (n === 0 || chars + pending[n]!.chars <= maxChars))
      chars += pending[n++]!.chars;
    const batch = pending.slice(0, n);
    pending = pending.slice(n);
    return batch;
  };

  const one = async (p: Pending) => {
    try {
      await queryRows(db, withParams(statement, p.values));
      p.resolve();
    } catch (err) {
      p.reject(err);
    }
  };

  const write = async (batch: Pending[]) => {
    if (batch.length === 1) return one(batch[0]!);
    try {
      await queryRows(
        db,
        withParams(
          textFor(batch.length),
          batch.flatMap((p) => p.values),
        ),
      );
    } catch {
      // One statement is one transaction: nothing of the batch was stored. Each row goes again
      // alone, so a row the database refuses fails its own caller only, with its own error.
      for (const p of batch) await one(p);
      return;
    }
    for (const p of batch) p.resolve();
  };

  const flush = async () => {
    while (pending.length > 0) await write(take());
    scheduled = false;
  };

  return {
    insert(values) {
      if (values.length !== width) throw new Error(`${values.length} values for ${width} placeholders`);
      const chars = values.reduce<number>((s, v) => s + (typeof v === "string" ? v.length : 8), 0);
      return new Promise<void>((resolve, reject) => {
        pending.push({ values, chars, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        // After this turn's other callbacks: the rows they hand in join this statement.
        setImmediate(() => void flush());
      });
    },
  };
}
