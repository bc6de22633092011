import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/engines/*/test/**/*.test.ts"],
    // PGlite boots a WebAssembly Postgres per test file; give slow machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
