import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeals } from "../../engines/optimizers/src/deal-picker/generate.ts";

/**
 * The bin runs the CLI from a bundle it builds from the sources and keeps while they are
 * unchanged (bin/bundle.js, decision 0058). Each test reads the bin's trace (stderr) to know
 * which way it went, in a cache directory of its own.
 */
const BIN = path.resolve(import.meta.dirname, "../bin/modelworks.js");
let dir: string;
let cache: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mw-cli-bundle-"));
  cache = path.join(dir, "cache");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
    env: { ...process.env, MODELWORKS_CLI_TRACE: "1", MODELWORKS_CLI_CACHE_DIR: cache, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout, way: stderr.match(/^modelworks: (bundle: \w+|sources: [^\n]+)/m)?.[1] };
}

const withoutTimes = (json: string) => JSON.stringify(JSON.parse(json), (k, v) => (/Ms$/.test(k) ? 0 : v));

describe("the CLI bundle", { timeout: 180_000 }, () => {
  it("is built on first use, then reused, and answers as the sources do", async () => {
    const inFile = path.join(dir, "deals.json");
    await writeFile(inFile, JSON.stringify(generateDeals(12, 7)));
    const args = ["run", "deal-picker", "--in", inFile, "--quiet"];

    const first = await cli(args);
    expect(first.way).toBe("bundle: built");
    const second = await cli(args);
    expect(second.way).toBe("bundle: fresh");
    const sources = await cli(args, { MODELWORKS_CLI_BUNDLE: "0", MODELWORKS_WASM_TIERING_BUDGET: "0" });
    expect(sources.way).toBe("sources: through tsx");

    const plan = JSON.parse(second.stdout) as { status: string; kpis: unknown };
    expect(plan.status).toBe("optimal");
    expect(withoutTimes(first.stdout)).toBe(withoutTimes(sources.stdout));
    expect(withoutTimes(second.stdout)).toBe(withoutTimes(sources.stdout));
  });

  it("is rebuilt when a source it was built from changed or went away", async () => {
    await cli(["models"]);
    const manifestFile = path.join(cache, "manifest.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as {
      inputs: Record<string, { mtimeMs: number; size: number }>;
    };
    const sources = Object.keys(manifest.inputs);
    // Every workspace package the CLI reaches is in it; no third-party package is.
    expect(sources.some((f) => f.endsWith(path.join("cli", "src", "main.ts")))).toBe(true);
    expect(sources.some((f) => f.includes(path.join("engines", "optimizers", "src")))).toBe(true);
    expect(sources.some((f) => f.includes("node_modules"))).toBe(false);
    expect((await cli(["models"])).way).toBe("bundle: fresh");

    // As if the file had been edited since (its recorded time no longer matches).
    const edited = sources.find((f) => f.endsWith(path.join("cli", "src", "main.ts")))!;
    manifest.inputs[edited]!.mtimeMs -= 1000;
    await writeFile(manifestFile, JSON.stringify(manifest));
    expect((await cli(["models"])).way).toBe("bundle: built");
    expect((await cli(["models"])).way).toBe("bundle: fresh");

    // A source it read that no longer exists (a file renamed away).
    const rebuilt = JSON.parse(await readFile(manifestFile, "utf8")) as typeof manifest;
    rebuilt.inputs[path.join(dir, "gone.ts")] = { mtimeMs: 1, size: 1 };
    await writeFile(manifestFile, JSON.stringify(rebuilt));
    const after = await cli(["models"]);
    expect(after.way).toBe("bundle: built");
    expect(after.stdout).toMatch(/^deal-picker\s/m);
  });

  it("leaves `modelworks worker` to the sources (the server is not bundled)", async () => {
    const failed = await promisify(execFile)(process.execPath, [BIN, "worker"], {
      env: {
        ...process.env,
        MODELWORKS_CLI_TRACE: "1",
        MODELWORKS_CLI_CACHE_DIR: cache,
        DATABASE_URL: "",
        REDIS_URL: "",
      },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed.stderr).toMatch(/^modelworks: sources: through tsx$/m);
    expect(failed.stderr).toMatch(/set DATABASE_URL/);
  });
});
