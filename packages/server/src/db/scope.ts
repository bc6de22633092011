import { and, eq, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { notFound } from "../errors/domain-error.ts";

/**
 * Row-level tenancy for every org-owned table: the condition that pins a lookup to the
 * request's organization. A row of another organization is indistinguishable from a missing one.
 */
export function inOrg(table: { orgId: PgColumn; id: PgColumn }, orgId: string, id: string): SQL {
  return and(eq(table.orgId, orgId), eq(table.id, id))!;
}

export function firstOr404<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (!row) throw notFound(what);
  return row;
}
