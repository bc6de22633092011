// The CLI as one prebuilt module (docs/decisions/0058). Loading the sources through tsx costs a
// process 1.5–3 s of CPU before its first solve: hundreds of modules each pass through tsx's
// loader hooks. Bundled once with esbuild, the same code loads as a single module. The bundle
// is a cache: it is rebuilt when any source it was built from changed, so what runs is always
// the working tree's code. Plain JavaScript, because it runs before anything can load TypeScript.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const CLI_ROOT = fileURLToPath(new URL("..", import.meta.url));
const ENTRY = path.join(CLI_ROOT, "src/main.ts");
// Under the package's own node_modules, so the bundle resolves third-party imports from there
// upwards, exactly as the sources do.
const DEFAULT_DIR = path.join(CLI_ROOT, "node_modules/.cache/modelworks-cli");
const BUNDLE = "cli.mjs";
const MANIFEST = "manifest.json";

/**
 * `main` from the bundle, building or rebuilding it first when it is missing or stale. Throws
 * when it cannot be built (the caller then loads the sources through tsx).
 */
export async function bundledMain({ dir = DEFAULT_DIR, trace = () => {} } = {}) {
  const bundle = path.join(dir, BUNDLE);
  if (isFresh(dir)) trace("bundle: fresh");
  else {
    const ms = await rebuild(dir);
    trace(`bundle: built in ${ms.toFixed(0)} ms`);
  }
  const { main } = await import(pathToFileURL(bundle).href);
  return main;
}

/** The sources the bundle was built from, with their size and modification time. */
function isFresh(dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), "utf8"));
  } catch {
    return false;
  }
  if (manifest.node !== process.version) return false;
  for (const [file, seen] of Object.entries(manifest.inputs)) {
    const now = statSync(file, { throwIfNoEntry: false });
    if (!now || now.mtimeMs !== seen.mtimeMs || now.size !== seen.size) return false;
  }
  return true;
}

async function rebuild(dir) {
  const started = performance.now();
  const { build } = await import("esbuild");
  mkdirSync(dir, { recursive: true });
  // Concurrent processes each build under their own name; the last rename wins, and every
  // bundle renamed into place is whole.
  const tmp = `${process.pid}-${Date.now().toString(36)}`;
  const result = await build({
    entryPoints: [ENTRY],
    outfile: path.join(dir, `${tmp}.mjs`),
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node.split(".")[0]}`,
    metafile: true,
    logLevel: "silent",
    plugins: [workspaceOnly],
  });
  const inputs = {};
  for (const rel of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(rel);
    const { mtimeMs, size } = statSync(file);
    inputs[file] = { mtimeMs, size };
  }
  renameSync(path.join(dir, `${tmp}.mjs`), path.join(dir, BUNDLE));
  writeFileSync(path.join(dir, `${tmp}.json`), JSON.stringify({ node: process.version, inputs }));
  renameSync(path.join(dir, `${tmp}.json`), path.join(dir, MANIFEST));
  return performance.now() - started;
}

/**
 * Bundles the workspace's own packages (TypeScript) and leaves every third-party package to
 * Node: they are JavaScript already, and some find files beside themselves (HiGHS's .wasm).
 * `@modelworks/server` stays out too: only `modelworks worker` reaches it, through tsx.
 */
const workspaceOnly = {
  name: "workspace-only",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@modelworks/") && !args.path.startsWith("@modelworks/server"))
        return undefined;
      return { path: args.path, external: true };
    });
  },
};
