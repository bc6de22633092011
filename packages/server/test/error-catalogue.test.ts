import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ERROR_CODE_NAMES, ERROR_CODES, problemType } from "@modelworks/contracts/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderErrorsDoc } from "../src/errors/docs.ts";
import { createTestApp, type TestApp } from "./harness.ts";

/**
 * Keeps the error catalogue honest, as Fastify's test/internals/errors.test.js does for its
 * codes: every code the server throws is catalogued, every catalogued code is documented, and
 * no entry lingers unused.
 */
const SRC = path.resolve(import.meta.dirname, "../src");
const DOC = path.resolve(import.meta.dirname, "../../../docs/errors.md");

/** Entries no server code names today, kept on purpose. */
const EXEMPT = new Map<string, string>([]);

/** The generic helpers of src/errors/domain-error.ts and the code each throws. */
const HELPERS: Record<string, string> = {
  badRequest: "bad_request",
  unauthorized: "unauthenticated",
  forbidden: "forbidden",
  notFound: "not_found",
  conflict: "conflict",
  unprocessable: "validation_failed",
};

async function sources(dir: string): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map(async (e) => {
        const file = path.join(e.parentPath, e.name);
        return { file: path.relative(SRC, file), text: await readFile(file, "utf8") };
      }),
  );
}

let files: { file: string; text: string }[];
beforeAll(async () => {
  // model-kit's SDK calls name the provider failures (a rejected key…) the server reports.
  const sdk = path.resolve(SRC, "../../model-kit/src/llm-sdk.ts");
  files = [...(await sources(SRC)), { file: path.relative(SRC, sdk), text: await readFile(sdk, "utf8") }];
});

/**
 * Codes passed to `new DomainError("…")`, `problemOf("…")` or `new LlmError("…")` (language-model
 * failures keep their code from the call to the problem or the failed run), with where.
 */
function thrownCodes(): { code: string; file: string }[] {
  return files.flatMap(({ file, text }) =>
    [...text.matchAll(/\b(?:DomainError|problemOf|LlmError)\(\s*"([a-z_]+)"/g)].map((m) => ({
      code: m[1]!,
      file,
    })),
  );
}

/** Codes a file names: thrown ones, helpers, and quoted codes in files that deal in codes. */
function usedCodes(): Set<string> {
  const used = new Set(thrownCodes().map((c) => c.code));
  for (const { file, text } of files) {
    if (file === path.join("errors", "domain-error.ts")) continue;
    for (const [helper, code] of Object.entries(HELPERS)) {
      if (new RegExp(`\\b${helper}\\(`).test(text)) used.add(code);
    }
    if (!/contracts\/errors|errors\/domain-error/.test(text)) continue;
    for (const code of ERROR_CODE_NAMES) if (text.includes(`"${code}"`)) used.add(code);
  }
  return used;
}

describe("the error catalogue", () => {
  it("the scan finds the codes it should (it is not vacuous)", () => {
    const thrown = thrownCodes().map((c) => c.code);
    expect(thrown).toEqual(expect.arrayContaining(["revision_conflict", "run_not_finished", "internal"]));
    expect(thrown.length).toBeGreaterThan(40);
  });

  it("holds every code the server throws", () => {
    const unknown = thrownCodes().filter((c) => !(c.code in ERROR_CODES));
    expect(unknown).toEqual([]);
  });

  it("has no entry the server never uses (unless exempt, with a reason)", () => {
    const used = usedCodes();
    const unused = ERROR_CODE_NAMES.filter((c) => !used.has(c) && !EXEMPT.has(c));
    expect(unused).toEqual([]);
    // An exemption for a code that is used after all is stale.
    expect([...EXEMPT.keys()].filter((c) => used.has(c))).toEqual([]);
  });

  it("gives each code a status a problem can have, a title and a description", () => {
    for (const code of ERROR_CODE_NAMES) {
      const { status, title, description } = ERROR_CODES[code];
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.length, code).toBeGreaterThan(0);
      expect(description.length, code).toBeGreaterThan(20);
    }
  });

  it("is documented in docs/errors.md, code by code", async () => {
    if (process.env.UPDATE_ERROR_DOCS) await writeFile(DOC, renderErrorsDoc());
    const doc = await readFile(DOC, "utf8").catch(() => "");
    const undocumented = ERROR_CODE_NAMES.filter(
      (c) => !doc.includes(`| \`${c}\` | ${ERROR_CODES[c].status} `),
    );
    expect(undocumented).toEqual([]);
    expect(
      doc,
      "regenerate: UPDATE_ERROR_DOCS=1 npx vitest run packages/server/test/error-catalogue.test.ts",
    ).toBe(renderErrorsDoc());
  });
});

describe("the catalogue over HTTP", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it("lists every code at /api/v1/problems, without signing in", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/problems" });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { code: string; type: string; status: number }[];
    expect(items.map((i) => i.code)).toEqual(ERROR_CODE_NAMES);
    expect(items.find((i) => i.code === "revision_conflict")).toMatchObject({
      type: "/api/v1/problems/revision_conflict",
      status: 409,
    });
  });

  it("resolves a problem's type URI to its entry", async () => {
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/runs/not-a-run" });
    const problem = missing.json();
    expect(problem.code).toBeDefined();
    expect(problem.type).toBe(problemType(problem.code));
    const entry = await t.app.inject({ method: "GET", url: problem.type });
    expect(entry.statusCode).toBe(200);
    expect(entry.json()).toEqual({
      code: problem.code,
      type: problem.type,
      ...ERROR_CODES[problem.code as "not_found"],
    });
  });

  it("answers an unknown code with a not_found problem", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/problems/no_such_code" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: "not_found",
      type: "/api/v1/problems/not_found",
      detail: "Error code no_such_code not found.",
    });
  });

  it("names the codes in the OpenAPI document's description", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    for (const code of ERROR_CODE_NAMES) expect(doc.info.description).toContain(`\`${code}\``);
  });
});
