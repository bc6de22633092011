import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The server's layering, checked on the sources (docs: packages/server/README.md): domain code
 * knows nothing of HTTP, and route files are leaves that share through their own modules.
 */
const SRC = path.resolve(import.meta.dirname, "../src");

/** Directories of domain code: called with an Actor and plain values, throwing DomainError. */
const DOMAIN_DIRS = [
  "domain",
  "errors",
  "runs",
  "files",
  "exports",
  "retention",
  "mail",
  "reference-data",
  "scenarios",
  "models",
  "dto",
  "llm",
  "sources",
  "content",
  "model-artifacts",
  "conversations",
];

interface Source {
  file: string;
  imports: string[];
  text: string;
}

let sources: Source[];
beforeAll(async () => {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  sources = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map(async (e) => {
        const abs = path.join(e.parentPath, e.name);
        const text = await readFile(abs, "utf8");
        const imports = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) =>
          m[1]!.startsWith(".") ? path.relative(SRC, path.resolve(path.dirname(abs), m[1]!)) : m[1]!,
        );
        return { file: path.relative(SRC, abs), imports, text };
      }),
  );
});

const under = (dir: string) => sources.filter((s) => s.file.startsWith(`${dir}${path.sep}`));

describe("domain code", () => {
  it("is found (the scan is not vacuous)", () => {
    expect(under("runs").length).toBeGreaterThan(5);
    expect(under("runs").flatMap((s) => s.imports)).toContain("domain/actor.ts");
  });

  it("imports neither fastify nor the HTTP layer", () => {
    const offenders = DOMAIN_DIRS.flatMap(under).flatMap((s) =>
      s.imports
        .filter(
          (i) => /^fastify|^@fastify\//.test(i) || i.startsWith(`http${path.sep}`) || i.startsWith("routes"),
        )
        .map((i) => `${s.file} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});

describe("route files", () => {
  it("are found (the scan is not vacuous)", () => {
    expect(under("routes").length).toBeGreaterThan(15);
    expect(under("routes").flatMap((s) => s.imports)).toContain("http/access.ts");
  });

  it("import no other route file: shared pieces live in their own modules", () => {
    const offenders = under("routes").flatMap((s) =>
      s.imports.filter((i) => i.startsWith(`routes${path.sep}`)).map((i) => `${s.file} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
