import { keyRole } from "@modelworks/contracts";
import type { ApiKey } from "../types.ts";

/**
 * What the API keys page says about a key's creator, and so about the key: a key acts at most at
 * its creator's current role and stops working once they leave the organization or delete their
 * account (the server decides; this only words it).
 */
export interface KeyCreatorNote {
  who: string;
  email: string | null;
  /** Why the key is weaker than its scope or dead; null when it acts at its scope. */
  note: string | null;
  tone: "ok" | "capped" | "dead";
}

export function keyCreatorNote(k: Pick<ApiKey, "createdBy" | "scope">): KeyCreatorNote {
  const c = k.createdBy;
  if (!c) return { who: "deleted user", email: null, note: "key no longer works", tone: "dead" };
  if (!c.role) {
    return { who: c.name, email: c.email, note: "left the organization: key no longer works", tone: "dead" };
  }
  const actsAs = keyRole(k.scope, c.role);
  if (actsAs !== keyRole(k.scope, "owner")) {
    return { who: c.name, email: c.email, note: `acts as ${actsAs}, its creator's role now`, tone: "capped" };
  }
  return { who: c.name, email: c.email, note: null, tone: "ok" };
}
