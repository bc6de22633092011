import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { llmCalls } from "../db/schema.ts";

/** Usage of one calendar month (UTC) for one organization: totals, and by user, engine and model. */
export async function monthlyUsage(db: Db, orgId: string, month: string) {
  const from = new Date(`${month}-01T00:00:00Z`);
  const to = new Date(from);
  to.setUTCMonth(to.getUTCMonth() + 1);
  const where = and(eq(llmCalls.orgId, orgId), gte(llmCalls.createdAt, from), lt(llmCalls.createdAt, to));
  const agg = {
    calls: sql<number>`count(*)::int`,
    inputTokens: sql<number>`coalesce(sum(${llmCalls.inputTokens}), 0)::int`,
    outputTokens: sql<number>`coalesce(sum(${llmCalls.outputTokens}), 0)::int`,
    costUsd: sql<number>`coalesce(sum(${llmCalls.costUsd}), 0)::float8`,
  };
  const by = (col: typeof llmCalls.userId | typeof llmCalls.engineId | typeof llmCalls.model) =>
    db
      .select({ key: sql<string | null>`${col}::text`, ...agg })
      .from(llmCalls)
      .where(where)
      .groupBy(col)
      .orderBy(sql`sum(${llmCalls.costUsd}) desc`, sql`count(*) desc`);
  const [[total], [extra], byUser, byEngine, byModel] = await Promise.all([
    db
      .select({ key: sql<null>`null`, ...agg })
      .from(llmCalls)
      .where(where),
    db
      .select({
        cacheHits: sql<number>`count(*) filter (where ${llmCalls.cacheHit})::int`,
        errors: sql<number>`count(*) filter (where ${llmCalls.status} <> 'ok')::int`,
      })
      .from(llmCalls)
      .where(where),
    by(llmCalls.userId),
    by(llmCalls.engineId),
    by(llmCalls.model),
  ]);
  const num = <T extends { calls: number; inputTokens: number; outputTokens: number; costUsd: number }>(
    r: T,
  ) => ({
    ...r,
    calls: Number(r.calls),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsd: Number(r.costUsd),
  });
  return {
    month,
    total: num(total!),
    cacheHits: Number(extra?.cacheHits ?? 0),
    errors: Number(extra?.errors ?? 0),
    byUser: byUser.map(num),
    byEngine: byEngine.map(num),
    byModel: byModel.map(num),
  };
}

export const currentMonth = () => new Date().toISOString().slice(0, 7);
