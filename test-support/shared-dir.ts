/**
 * Where the prototypes' fixtures and the published references live, for the tests that read them:
 * `../shared` beside the repository (as on the CI machine), or `MODELWORKS_SHARED_DIR` — so a clone
 * anywhere (a temporary directory, a worktree) can run them against one copy.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = process.env.MODELWORKS_SHARED_DIR
  ? resolve(process.env.MODELWORKS_SHARED_DIR)
  : fileURLToPath(new URL("../../shared/", import.meta.url));

/** A path under the shared directory, e.g. `sharedPath("fixtures", "dashboard")`. */
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);
