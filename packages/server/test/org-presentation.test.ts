import { catalog } from "@modelworks/catalog";
import { RUN_ERROR_CODES } from "@modelworks/contracts/run-status";
import { eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { displayValue } from "../src/exports/cells.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Issue 18 items 8, 14 and 15 on the server: an org's number style and locale (stored, applied
 * to exports: paper, dates, negatives in PDF text and XLSX number formats), the deal's name on the
 * export's cover, and each run's key result stored when it finishes.
 */

let t: TestApp;
let us: Awaited<ReturnType<typeof createOwner>>;
let them: Awaited<ReturnType<typeof createOwner>>;
const tif = catalog.find("tif")!;
// biome-ignore lint/suspicious/noExplicitAny: outputs are read by path in assertions
type Json = any;
let scenarioRun: Json;

const pdfText = async (buf: Buffer) =>
  (await extractText(new Uint8Array(buf), { mergePages: true })).text.replace(/\s+/g, " ");

/** Width and height of the first page, in points (Letter 612 × 792, A4 595.28 × 841.89). */
async function pageSize(buf: Buffer): Promise<[number, number]> {
  const pdf = await getDocumentProxy(new Uint8Array(buf));
  const [x0, y0, x1, y1] = (await pdf.getPage(1)).view as number[];
  return [Math.round(x1! - x0!), Math.round(y1! - y0!)];
}

async function runScenario(actor: typeof us, name: string) {
  const project = await request(t.app, actor, {
    method: "POST",
    url: "/api/v1/projects",
    payload: { name: "Austin pipeline" },
  });
  expect(project.statusCode, project.body).toBe(201);
  const scenario = await request(t.app, actor, {
    method: "POST",
    url: `/api/v1/projects/${project.json().id}/scenarios`,
    payload: { name, modelId: "tif", input: tif.examples[0]!.input },
  });
  expect(scenario.statusCode, scenario.body).toBe(201);
  const run = await request(t.app, actor, {
    method: "POST",
    url: "/api/v1/models/tif/runs?wait=60",
    payload: { scenarioId: scenario.json().id },
  });
  expect(run.statusCode, run.body).toBe(200);
  expect(run.json().status).toBe("succeeded");
  return run.json();
}

const usDate = (iso: string) =>
  new Date(iso)
    .toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })
    .replace(/[\u00a0\u202f]/g, " ");

const patchOrg = (actor: typeof us, payload: unknown) =>
  request(t.app, actor, { method: "PATCH", url: "/api/v1/org", payload });

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200" }, { worker: true });
  us = await createOwner(t.app, "Lone Star Capital");
  them = await createOwner(t.app, "Rhein Immobilien");
  scenarioRun = await runScenario(us, "Riverside Lofts");
}, 120_000);
afterAll(async () => t?.close());

describe("org number style and locale", () => {
  it("defaults to minus signs and no locale, stores what an admin sets, and refuses bad values", async () => {
    const before = (await request(t.app, us, { method: "GET", url: "/api/v1/org" })).json();
    expect(before).toMatchObject({ locale: null, negativeNumbers: "minus", negativesRed: false });

    const bad = await patchOrg(us, { locale: "english", negativeNumbers: "parens" });
    expect(bad.statusCode).toBe(422);
    const fields = bad.json().errors.map((e: { path: string }) => e.path);
    expect(fields).toEqual(expect.arrayContaining(["body.locale", "body.negativeNumbers"]));
    const unchanged = (await request(t.app, us, { method: "GET", url: "/api/v1/org" })).json();
    expect(unchanged).toMatchObject({ locale: null, negativeNumbers: "minus", negativesRed: false });

    const ok = await patchOrg(us, { locale: "en-US", negativeNumbers: "brackets", negativesRed: true });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ locale: "en-US", negativeNumbers: "brackets", negativesRed: true });
    const after = (await request(t.app, us, { method: "GET", url: "/api/v1/org" })).json();
    expect(after).toMatchObject({ locale: "en-US", negativeNumbers: "brackets", negativesRed: true });
    // Another organization keeps its own.
    const theirs = (await request(t.app, them, { method: "GET", url: "/api/v1/org" })).json();
    expect(theirs).toMatchObject({ locale: null, negativeNumbers: "minus", negativesRed: false });
  });

  it("only an admin changes it", async () => {
    const analyst = await addMember(t.app, us, "analyst");
    const res = await patchOrg(analyst, { negativeNumbers: "minus" });
    expect(res.statusCode).toBe(403);
  });
});

describe("exports of a run carry the deal's name and the org's locale and number style", () => {
  it("prints a US org's report on Letter, with the scenario's name on the cover and US dates", async () => {
    await patchOrg(us, { locale: "en-US", negativeNumbers: "brackets", negativesRed: true });
    const res = await request(t.app, us, {
      method: "GET",
      url: `/api/v1/runs/${scenarioRun.id}/export?format=pdf`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await pageSize(res.rawPayload)).toEqual([612, 792]);
    const text = await pdfText(res.rawPayload);
    expect(text.startsWith("Riverside Lofts")).toBe(true);
    expect(text).toMatch(/Generated [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M UTC by Modelworks/);
    // en-US dates: "Dec 6, 2026, 9:05 AM UTC", not an ISO stamp.
    expect(text).toContain(`Created ${usDate(scenarioRun.createdAt)} UTC`);
    expect(usDate(scenarioRun.createdAt)).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    // Negatives in brackets (a month's equity draw short enough not to be cut in its column).
    const first = scenarioRun.output.periods.find((p: Json) => p.leveredCf < -1 && p.leveredCf > -1e6);
    const written = displayValue(first.leveredCf, {
      format: "currency",
      unit: "USD",
      decimals: 2,
      style: { negatives: "brackets", red: true },
    });
    expect(written).toMatch(/^\(\$[\d,]+\.\d{2}\)$/);
    expect(text).toContain(written);
    expect(text).not.toContain(`−${written.slice(1, -1)}`);
  });

  it("writes the org's negatives into XLSX number formats", async () => {
    const res = await request(t.app, us, {
      method: "GET",
      url: `/api/v1/runs/${scenarioRun.id}/export?format=xlsx`,
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as never);
    const cf = wb.getWorksheet("Monthly cash flow")!;
    const columns = tif.tables![0]!.columns.map((c) => c.key);
    const cell = cf.getRow(10).getCell(columns.indexOf("leveredCf") + 1);
    expect(cell.numFmt).toBe('"$"#,##0.00;[Red]("$"#,##0.00)');
    expect(cf.getRow(10).getCell(columns.indexOf("occupancy") + 1).numFmt).toBe("0.0000%;[Red](0.0000%)");
    let title: unknown;
    wb.getWorksheet("Summary")!.eachRow((row) => {
      if (row.getCell(1).value === "Levered NPV") title = row.getCell(2).numFmt;
    });
    expect(title).toBe('"$"#,##0;[Red]("$"#,##0)');
  });

  it("hands a share link's recipient the sharing org's negatives (no session there to read them from)", async () => {
    const link = await request(t.app, us, {
      method: "POST",
      url: `/api/v1/runs/${scenarioRun.id}/share-links`,
      payload: {},
    });
    expect(link.statusCode, link.body).toBe(201);
    const shared = await t.app.inject({ method: "GET", url: `/api/v1/shared/${link.json().token}` });
    expect(shared.statusCode, shared.body).toBe(200);
    expect(shared.json().numberStyle).toEqual({ negatives: "brackets", red: true });
  });

  it("prints on A4 with day-first dates for a German org, and minus signs when it says so", async () => {
    await patchOrg(them, { locale: "de-DE", negativeNumbers: "minus", negativesRed: false });
    const run = await runScenario(them, "Rheinufer Süd");
    const res = await request(t.app, them, {
      method: "GET",
      url: `/api/v1/runs/${run.id}/export?format=pdf`,
    });
    expect(res.statusCode).toBe(200);
    expect(await pageSize(res.rawPayload)).toEqual([595, 842]);
    const text = await pdfText(res.rawPayload);
    expect(text.startsWith("Rheinufer Süd")).toBe(true);
    expect(text).toMatch(/Created \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC/);
    expect(text).toMatch(/Generated \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC by Modelworks/);
    const first = run.output.periods.find((p: Json) => p.leveredCf < -1 && p.leveredCf > -1e6);
    expect(text).toContain(displayValue(first.leveredCf, { format: "currency", unit: "USD", decimals: 2 }));
    expect(displayValue(first.leveredCf, { format: "currency", unit: "USD", decimals: 2 })).toMatch(/^−\$/);
    const xlsx = await request(t.app, them, {
      method: "GET",
      url: `/api/v1/runs/${run.id}/export?format=xlsx`,
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as never);
    const columns = tif.tables![0]!.columns.map((c) => c.key);
    expect(
      wb
        .getWorksheet("Monthly cash flow")!
        .getRow(10)
        .getCell(columns.indexOf("occupancy") + 1).numFmt,
    ).toBe("0.0000%");
  });

  it("another organization gets 404 for the run's export", async () => {
    const res = await request(t.app, them, {
      method: "GET",
      url: `/api/v1/runs/${scenarioRun.id}/export?format=pdf`,
    });
    expect(res.statusCode).toBe(404);
  });
});

describe("a run's key result", () => {
  it("is the model's key output, stored with the run when it succeeds and listed without the output", async () => {
    const irr = scenarioRun.output.returns.leveredIrr;
    expect(typeof irr).toBe("number");
    const expected = {
      label: "Levered IRR",
      value: irr,
      unit: "fraction/yr",
      format: "percent",
      decimals: 2,
    };
    expect(scenarioRun.keyResult).toEqual(expected);
    const [row] = await t.database.db
      .select({ keyResult: runs.keyResult })
      .from(runs)
      .where(eq(runs.id, scenarioRun.id));
    expect(row!.keyResult).toEqual(expected);
    const list = (await request(t.app, us, { method: "GET", url: "/api/v1/runs?limit=50" })).json();
    expect(list.items.find((r: { id: string }) => r.id === scenarioRun.id).keyResult).toEqual(expected);
  });

  it("is copied onto a cache hit", async () => {
    const again = await request(t.app, us, {
      method: "POST",
      url: "/api/v1/models/tif/runs?wait=60",
      payload: { input: scenarioRun.input },
    });
    expect(again.json().cacheHit).toBe(true);
    expect(again.json().keyResult).toEqual(scenarioRun.keyResult);
  });
});

describe("a sweep's default outputs (issue 18 item 6)", () => {
  it("are the model's key results, IRR included, and they move with the input", async () => {
    const start = await request(t.app, us, {
      method: "POST",
      url: "/api/v1/models/tif/sweeps",
      payload: {
        input: tif.examples[0]!.input,
        parameters: [{ path: "landCostUsd", values: [2_000_000, 4_000_000] }],
      },
    });
    expect(start.statusCode, start.body).toBe(202);
    const kpiPaths = tif.kpis!.map((k) => k.path);
    expect(start.json().outputs).toEqual(kpiPaths);
    let sweep: Json;
    for (let i = 0; i < 120; i++) {
      sweep = (await request(t.app, us, { method: "GET", url: `/api/v1/sweeps/${start.json().id}` })).json();
      if (sweep.status !== "running") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(sweep.status).toBe("succeeded");
    const irr = sweep.table.rows.map((r: Json) => r.cells[kpiPaths.indexOf("returns.leveredIrr")]);
    expect(irr.every((v: unknown) => typeof v === "number")).toBe(true);
    // Cheaper land, better levered IRR.
    expect(irr[0]).toBeGreaterThan(irr[1]);
  }, 60_000);
});

describe("the OpenAPI document", () => {
  it("publishes a run's error code as the runner's enum, and the key result and org settings", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const text = JSON.stringify(doc);
    // However the document nests it, RunError.code lists exactly the runner's codes.
    const enums = [...text.matchAll(/"code":\{"type":"string","enum":(\[[^\]]*\])/g)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(enums).toContainEqual([...RUN_ERROR_CODES]);
    expect(doc.components.schemas.RunSummary.properties.keyResult).toBeDefined();
    expect(doc.components.schemas.Organization.properties.negativeNumbers.enum).toEqual([
      "minus",
      "brackets",
    ]);
  });
});
