import { catalog } from "@modelworks/catalog";
import { extractText } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/** debt-stack@3 through the API: on/off tranche inputs are checked field by field before solving. */
let t: TestApp;
let owner: Actor & { orgId: string };
type Json = Record<string, unknown>;
const example = catalog.find("debt-stack")!.examples[0]!.input as Json & { tranches: Json[] };

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200" }, { worker: true });
  owner = await createOwner(t.app, "Debt Org");
});
afterAll(async () => t?.close());

const start = (input: unknown, query = "") =>
  request(t.app, owner, {
    method: "POST",
    url: `/api/v1/models/debt-stack/runs${query}`,
    payload: { input },
  });

describe("debt-stack@3 input over HTTP", () => {
  it("a minimum above max share × price, a negative fixed fee and a hedge on an unknown tranche: 422 per field, nothing recorded", async () => {
    const before = await t.database.db.select().from(runs);
    const tranches = example.tranches.map((tr, i) =>
      i === 1 ? { ...tr, minAmount: 9_000_000 } : { ...tr, fixedFee: -1 },
    );
    const res = await start({
      ...example,
      tranches,
      hedges: [{ id: "swap", type: "swap", fixedRate: 0.045, tenorYears: 5, trancheId: "nope" }],
    });
    expect(res.statusCode).toBe(422);
    const errors = res.json().errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path)).toEqual([
      "body.input.tranches.0.fixedFee",
      "body.input.tranches.1.minAmount",
      "body.input.hedges.0.trancheId",
    ]);
    expect(errors[1]!.message).toMatch(
      /exceeds the tranche's largest amount, max share 0.2 × price 25000000/,
    );
    expect(await t.database.db.select().from(runs)).toHaveLength(before.length);
  });

  it("the catalog example (a mezzanine minimum and fixed fees) runs as a MILP with labelled fixed-choice prices", async () => {
    const res = await start(example, "?wait=60&cache=false");
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run.status).toBe("succeeded");
    expect(run.modelVersion).toBe("3.0.0");
    expect(run.output.shadowPrices.basis).toBe("mip-integers-fixed");
    expect(run.output.verification).toEqual({ feasible: true, violations: [] });
    expect(run.output.termSheet.fees.fixed).toBeGreaterThan(0);
    // The engine's term-sheet document renders with the fees and the minimum.
    const pdf = await request(t.app, owner, {
      method: "GET",
      url: `/api/v1/runs/${run.id}/export?format=pdf&document=term-sheet`,
    });
    expect(pdf.statusCode, pdf.body).toBe(200);
    const text = (await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true })).text.replace(
      /\s+/g,
      " ",
    );
    for (const label of ["Fees", "Origination fee", "Fixed fee", "Total financing fees", "Minimum amount"])
      expect(text).toContain(label);
  });
});
