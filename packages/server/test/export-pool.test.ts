import { catalog } from "@modelworks/catalog";
import { createContext, executeModel } from "@modelworks/model-kit";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/errors/domain-error.ts";
import { createExportPool } from "../src/exports/pool.ts";
import type { ExportableRun } from "../src/exports/report.ts";

/** Export threads: problems cross the thread boundary as problems; a render past its time is stopped. */

const tif = catalog.find("tif")!;
const now = new Date();
const run: ExportableRun = {
  id: "22222222-0000-4000-8000-000000000000",
  modelId: tif.id,
  modelVersion: tif.version,
  status: "succeeded",
  input: tif.input.parse(tif.examples[0]!.input),
  output: await executeModel(tif, tif.examples[0]!.input, createContext()),
  createdAt: now,
  startedAt: now,
  finishedAt: now,
  scenarioRevision: null,
};

const pools: ReturnType<typeof createExportPool>[] = [];
afterAll(async () => Promise.all(pools.map((p) => p.close())));

describe("export threads", () => {
  it("render in a thread and hand back the file", async () => {
    const pool = createExportPool(1);
    pools.push(pool);
    const file = await pool.render({ run, format: "pdf", document: "report" });
    expect(file.body.subarray(0, 5).toString()).toBe("%PDF-");
    expect(file.fileName).toBe("tif-run-22222222.pdf");
    // A problem raised in the thread arrives as the same problem.
    const bad = await pool.render({ run, format: "pdf", document: "term-sheet" }).catch((e) => e);
    expect(bad).toBeInstanceOf(DomainError);
    expect(bad).toMatchObject({
      status: 422,
      errors: [{ path: "query.document", message: "tif@2.2.0 offers: report, formula-workbook" }],
    });
  }, 60_000);

  it("stop a render that takes longer than allowed (503)", async () => {
    const pool = createExportPool(1, 5);
    pools.push(pool);
    const err = await pool.render({ run, format: "pdf", document: "report" }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      status: 503,
      detail: "The export took too long to prepare and was stopped.",
    });
  }, 60_000);
});
