import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import type { Attribution } from "./actor.ts";
import { recordAuditAs } from "./audit.ts";

type OrgTable = PgTable & { orgId: PgColumn; id: PgColumn };

/**
 * Deletes one row of an org-scoped table in `orgId` (not_found when it is not there, or another
 * organization's) and records `<action>` in the same transaction. Returns the deleted row, for
 * cleanup after the commit (a file's blobs). The delete handlers share it.
 */
export async function deleteInOrgAndAudit<T extends OrgTable>(
  tx: Db,
  who: Attribution,
  table: T,
  target: { orgId: string; id: string },
  what: {
    /** How a missing row is named: `Project` → "Project not found." */
    label: string;
    action: string;
    targetType: string;
    metadata: (row: T["$inferSelect"]) => Record<string, unknown>;
  },
): Promise<T["$inferSelect"]> {
  const rows = (await tx
    .delete(table)
    .where(inOrg(table, target.orgId, target.id))
    .returning()) as T["$inferSelect"][];
  const gone = firstOr404(rows, what.label);
  await recordAuditAs(tx, who, {
    action: what.action,
    orgId: target.orgId,
    targetType: what.targetType,
    targetId: (gone as { id: string }).id,
    metadata: what.metadata(gone),
  });
  return gone;
}
