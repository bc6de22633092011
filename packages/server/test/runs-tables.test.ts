import { catalog } from "@modelworks/catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Large run inputs (issue 20, goal 5): bodies up to RUN_INPUT_LIMIT_BYTES on the run and scenario
 * routes (other routes keep BODY_LIMIT_BYTES), and input tables sent as CSV or NDJSON files in a
 * multipart run request, which must run exactly as the same input sent as JSON.
 */

const LIMIT = 3_000_000;
const example = catalog.find("deal-picker")!.examples[0]!.input as {
  deals: Record<string, unknown>[];
  [k: string]: unknown;
};
const { deals, ...scalars } = example;
const COLUMNS = [...new Set(deals.flatMap((d) => Object.keys(d)))];

let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", RUN_INPUT_LIMIT_BYTES: String(LIMIT) }, { worker: true });
  owner = await createOwner(t.app, "Tables");
});
afterAll(async () => t?.close());

const csvCell = (v: unknown) => {
  const s = String(v ?? "");
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const dealsCsv = (rows: Record<string, unknown>[]) =>
  [COLUMNS.join(","), ...rows.map((d) => COLUMNS.map((c) => csvCell(d[c])).join(","))].join("\r\n");

/**
 * A multipart body: the `run` field and files `{field, name, type, text}`. `runType`: the run
 * field's own content type, as `curl -F 'run=…;type=application/json'` sends it.
 */
function multipart(
  run: unknown,
  files: { field: string; name: string; type: string; text: string }[],
  runType?: string,
) {
  const boundary = "----mwtest7d1f";
  const runHeaders = `content-disposition: form-data; name="run"${runType ? `\r\ncontent-type: ${runType}` : ""}`;
  const parts = [
    `--${boundary}\r\n${runHeaders}\r\n\r\n${JSON.stringify(run)}\r\n`,
    ...files.map(
      (f) =>
        `--${boundary}\r\ncontent-disposition: form-data; name="${f.field}"; filename="${f.name}"\r\n` +
        `content-type: ${f.type}\r\n\r\n${f.text}\r\n`,
    ),
  ];
  return {
    payload: Buffer.from(`${parts.join("")}--${boundary}--\r\n`),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

const postRun = (body: { payload: Buffer; headers: Record<string, string> } | object) =>
  "payload" in body && Buffer.isBuffer(body.payload)
    ? t.app.inject({
        method: "POST",
        url: "/api/v1/models/deal-picker/runs?wait=30&cache=false",
        headers: {
          ...(body.headers as Record<string, string>),
          cookie: owner.cookie,
          "x-csrf-token": owner.csrf,
        },
        payload: body.payload,
      })
    : request(t.app, owner, {
        method: "POST",
        url: "/api/v1/models/deal-picker/runs?wait=30&cache=false",
        payload: body,
      });

/** The output without wall-clock fields (`solveMs`), which differ between any two runs. */
const withoutTimings = (o: unknown): unknown =>
  JSON.parse(JSON.stringify(o, (k, v) => (k.endsWith("Ms") && typeof v === "number" ? undefined : v)));

const runCount = async () =>
  (await request(t.app, owner, { method: "GET", url: "/api/v1/runs?limit=1" })).json().total as number;

describe("input tables as CSV or NDJSON", () => {
  it("runs a deals CSV exactly as the same deals sent as JSON", async () => {
    const json = await postRun({ input: example });
    expect(json.statusCode).toBe(200);
    const csv = await postRun(
      multipart({ input: scalars }, [
        { field: "deals", name: "deals.csv", type: "text/csv", text: dealsCsv(deals) },
      ]),
    );
    expect(csv.statusCode, csv.body).toBe(200);
    const a = json.json();
    const b = csv.json();
    expect(b.status).toBe("succeeded");
    expect(b.input).toEqual(a.input);
    expect(withoutTimings(b.output)).toEqual(withoutTimings(a.output));
    expect(b.input.deals).toHaveLength(deals.length);
    expect(b.input.deals[0].askPrice).toBe(deals[0]!.askPrice); // typed as a number, not "42000000"
  });

  it("takes the run field typed application/json, as curl -F 'run=…;type=application/json' sends it", async () => {
    const res = await postRun(
      multipart(
        { input: scalars },
        [{ field: "deals", name: "deals.csv", type: "text/csv", text: dealsCsv(deals) }],
        "application/json",
      ),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().input.deals).toHaveLength(deals.length);
  });

  it("takes NDJSON rows as they are", async () => {
    const text = `${deals.map((d) => JSON.stringify(d)).join("\n")}\n\n`;
    const res = await postRun(
      multipart({ input: scalars }, [
        { field: "deals", name: "deals.ndjson", type: "application/x-ndjson", text },
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().input.deals).toEqual((await postRun({ input: example })).json().input.deals);
  });

  it("names the bad cell, with its row in the file, and stores no run", async () => {
    const before = await runCount();
    const rows = deals.map((d, i) => (i === 3 ? { ...d, noi: "about 3m" } : d));
    const res = await postRun(
      multipart({ input: scalars }, [
        { field: "deals", name: "deals.csv", type: "text/csv", text: dealsCsv(rows) },
      ]),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.deals.3.noi", message: '"about 3m" is not a number (row 5 of the file)' },
    ]);
    expect(await runCount()).toBe(before);
  });

  it("refuses a table the model does not have, an unknown column and a missing run field", async () => {
    const csv = dealsCsv(deals);
    const noTable = await postRun(
      multipart({ input: scalars }, [{ field: "leases", name: "l.csv", type: "text/csv", text: csv }]),
    );
    expect(noTable.statusCode).toBe(422);
    expect(noTable.json().errors[0]).toMatchObject({
      path: "body.leases",
      message: expect.stringContaining("`deals`"),
    });

    const badColumn = await postRun(
      multipart({ input: scalars }, [
        { field: "deals", name: "d.csv", type: "text/csv", text: csv.replace("askPrice", "price") },
      ]),
    );
    expect(badColumn.statusCode).toBe(422);
    expect(badColumn.json().errors[0].path).toBe("body.deals.header.price");

    const { payload, headers } = multipart({ input: scalars }, [
      { field: "deals", name: "d.csv", type: "text/csv", text: csv },
    ]);
    const withoutRun = Buffer.from(
      payload
        .toString()
        .replace(/^[\s\S]*?(--[^\r\n]+\r\ncontent-disposition: form-data; name="deals")/, "$1"),
    );
    const noRun = await postRun({ payload: withoutRun, headers });
    expect(noRun.statusCode).toBe(422);
    expect(noRun.json().errors[0].path).toBe("body.run");
  });

  it("model validation still runs on the filled table (a negative price)", async () => {
    const rows = deals.map((d, i) => (i === 0 ? { ...d, askPrice: -5 } : d));
    const res = await postRun(
      multipart({ input: scalars }, [
        { field: "deals", name: "deals.csv", type: "text/csv", text: dealsCsv(rows) },
      ]),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain("body.input.deals.0.askPrice");
  });
});

describe("body limits", () => {
  // Deals with a long note: about 2 MB of JSON, over BODY_LIMIT_BYTES (1 MiB), under the run limit.
  const bigDeals = Array.from({ length: 2_000 }, (_, i) => ({
    ...deals[i % deals.length]!,
    id: `D${i}`,
    name: "x".repeat(900),
  }));

  it("accepts a run input over BODY_LIMIT_BYTES and under RUN_INPUT_LIMIT_BYTES", async () => {
    const body = { input: { ...example, deals: bigDeals }, version: "0.0.0-none" };
    expect(JSON.stringify(body).length).toBeGreaterThan(1024 * 1024 * 1.5);
    const res = await postRun(body);
    // Parsed and judged on its content (an unknown version), not refused for its size.
    expect(res.statusCode).toBe(404);
  });

  it("refuses a run input over RUN_INPUT_LIMIT_BYTES with 413, and other routes keep the 1 MiB limit", async () => {
    const huge = { input: { ...example, deals: [...bigDeals, ...bigDeals] } };
    expect(JSON.stringify(huge).length).toBeGreaterThan(LIMIT);
    const res = await postRun(huge);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe("body_too_large");

    const project = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: "P", description: "d".repeat(1_100_000) },
    });
    expect(project.statusCode).toBe(413);
  });

  it("a table file over the limit is refused with 413 at its field", async () => {
    const text = dealsCsv([...bigDeals, ...bigDeals, ...bigDeals]);
    expect(text.length).toBeGreaterThan(LIMIT);
    const res = await postRun(
      multipart({ input: scalars }, [{ field: "deals", name: "d.csv", type: "text/csv", text }]),
    );
    expect(res.statusCode).toBe(413);
  });
});
