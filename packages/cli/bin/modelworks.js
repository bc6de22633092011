#!/usr/bin/env node
// Runs the CLI from its prebuilt bundle (./bundle.js, decision 0058), or from the TypeScript
// sources through tsx (decision 0001): for `modelworks worker` (the server is not bundled),
// with MODELWORKS_CLI_BUNDLE=0, or when the bundle cannot be built.
import { setFlagsFromString } from "node:v8";

const args = process.argv.slice(2);
const trace =
  process.env.MODELWORKS_CLI_TRACE === "1" ? (m) => process.stderr.write(`modelworks: ${m}\n`) : () => {};

// A CLI process is short: V8's default tiering compiles HiGHS's hot WebAssembly functions again
// with its optimizing compiler early, and that costs a single solve more CPU than it saves (a
// 12-deal Deal Picker: 2.9 → 1.5 s of CPU in all). A 100× budget keeps short solves in the
// baseline compiler and still optimizes what stays hot (decision 0058). The worker is a server.
const budget = process.env.MODELWORKS_WASM_TIERING_BUDGET ?? "180000000";
if (args[0] !== "worker" && /^[1-9]\d*$/.test(budget)) setFlagsFromString(`--wasm-tiering-budget=${budget}`);

async function fromBundle() {
  if (args[0] === "worker" || process.env.MODELWORKS_CLI_BUNDLE === "0") return null;
  const { bundledMain } = await import("./bundle.js");
  const dir = process.env.MODELWORKS_CLI_CACHE_DIR || undefined;
  return bundledMain({ dir, trace }).catch((err) => {
    trace(`bundle: unavailable (${err.message}); loading the sources through tsx`);
    return null;
  });
}

async function fromSources() {
  const { register } = await import("tsx/esm/api");
  register();
  trace("sources: through tsx");
  return (await import("../src/main.ts")).main;
}

const main = (await fromBundle()) ?? (await fromSources());
process.exitCode = await main(args);
