import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/engines/*/test/**/*.test.ts"],
    // PGlite boots a WebAssembly Postgres per test file; give slow machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One migrated PGlite per run, loaded by every embedded test app instead of migrating anew.
    globalSetup: ["packages/server/test/pglite-template.ts"],
    // Vitest's default is cores − 1: one worker on the 2-core CI machine, which left a core idle for
    // the whole run (load average ~1). Test files are independent (each app gets its own database,
    // Redis keys are prefixed), so a second worker uses the idle core.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
