import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { and, eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, uploadSessions } from "../src/db/schema.ts";
import { createFileStore } from "../src/files/store.ts";
import { sweepExpiredUploads } from "../src/files/upload-sweep.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Resumable uploads end to end: a session, chunks at offsets (tus-style PATCH), completion
 * through the same pipeline as POST /files. A 1 MiB limit keeps the size cases small.
 */
const MAX_BYTES = 1024 * 1024;
const t = await createTestApp({ FILES_MAX_BYTES: String(MAX_BYTES) });
afterAll(async () => t.close());
type Owner = Actor & { orgId: string };
let owner: Owner;
let other: Owner;
beforeAll(async () => {
  owner = await createOwner(t.app, "Uploads Org");
  other = await createOwner(t.app, "Other Org");
});

const filesDir = path.join(t.runtime.config.DATA_DIR, "files");
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A CSV of `rows` rows with a few column types, different per seed. */
function csv(rows: number, seed = 0): Buffer {
  const lines = ["deal_id,price_usd,rate_annual,city,closed"];
  const cities = ["Dubai", "Austin", "Zürich", "Lagos"];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `D${seed}-${i},${(1000 + ((i * 37 + seed) % 9000)) * 1.5},${((i % 17) / 100).toFixed(2)},${cities[i % 4]},${i % 3 === 0}`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

function walk(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  } catch {
    return [];
  }
}
/** Chunk objects in the store and scratch files: what an upload in progress leaves on disk. */
const partialData = () =>
  walk(filesDir).filter((f) => f.includes(`${path.sep}uploads${path.sep}`) || /\.(chunk|upload)$/.test(f));

const as = (who: Owner) => ({
  create: (body: Record<string, unknown>) =>
    request(t.app, who, { method: "POST", url: "/api/v1/uploads", payload: body }),
  get: (id: string) => request(t.app, who, { method: "GET", url: `/api/v1/uploads/${id}` }),
  head: (id: string) =>
    t.app.inject({ method: "HEAD", url: `/api/v1/uploads/${id}`, headers: { cookie: who.cookie } }),
  patch: (id: string, offset: number | null, body: Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: "PATCH",
      url: `/api/v1/uploads/${id}`,
      payload: body,
      headers: {
        cookie: who.cookie,
        "x-csrf-token": who.csrf,
        "content-type": "application/offset+octet-stream",
        ...(offset === null ? {} : { "upload-offset": String(offset) }),
        ...headers,
      },
    }),
  complete: (id: string) => request(t.app, who, { method: "POST", url: `/api/v1/uploads/${id}/complete` }),
  delete: (id: string) => request(t.app, who, { method: "DELETE", url: `/api/v1/uploads/${id}` }),
});
const A = () => as(owner);

async function start(name: string, sizeBytes: number, extra: Record<string, unknown> = {}) {
  const res = await A().create({ name, sizeBytes, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; offsetBytes: number; chunkSizeBytes: number; expiresAt: string };
}

describe("a resumable upload", () => {
  it("in three chunks ends byte-identical and profiled the same as via POST /files", async () => {
    const body = csv(3000, 1);
    const s = await start("deals.csv", body.length);
    expect(s).toMatchObject({ offsetBytes: 0, chunkSizeBytes: body.length });
    expect(new Date(s.expiresAt).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);

    let offset = 0;
    const third = Math.ceil(body.length / 3);
    for (let i = 0; i < 3; i++) {
      const res = await A().patch(s.id, offset, body.subarray(offset, offset + third));
      expect(res.statusCode, res.body).toBe(204);
      expect(res.headers["tus-resumable"]).toBe("1.0.0");
      offset = Math.min(body.length, offset + third);
      expect(Number(res.headers["upload-offset"])).toBe(offset);
      expect((await A().get(s.id)).json()).toMatchObject({ offsetBytes: offset, phase: "receiving" });
    }
    const done = await A().complete(s.id);
    expect(done.statusCode, done.body).toBe(201);
    const file = done.json();
    expect(file).toMatchObject({ name: "deals.csv", kind: "csv", sizeBytes: body.length, rowCount: 3000 });
    expect(file.sha256).toBe(sha256(body));
    // The stored original is the very bytes sent.
    const original = path.join(filesDir, "objects", owner.orgId, `${file.sha256}.csv`);
    expect(sha256(readFileSync(original))).toBe(sha256(body));

    // The same bytes through POST /files (in another organization, so not deduplicated).
    const mp = multipart("deals.csv", body);
    const direct = await t.app.inject({
      method: "POST",
      url: "/api/v1/files",
      payload: mp.payload,
      headers: { ...mp.headers, cookie: other.cookie, "x-csrf-token": other.csrf },
    });
    expect(direct.statusCode, direct.body).toBe(201);
    expect(direct.json()).toMatchObject({
      sha256: file.sha256,
      rowCount: file.rowCount,
      columnCount: 5,
      layout: file.layout,
    });
    const profile = (who: Owner, id: string) =>
      request(t.app, who, { method: "GET", url: `/api/v1/files/${id}/profile` }).then(
        (r) => r.json().columns,
      );
    const viaSession = await profile(owner, file.id);
    expect(viaSession).toEqual(await profile(other, direct.json().id));
    expect(viaSession.map((c: { type: string }) => c.type)).toEqual([
      "string",
      "number",
      "number",
      "string",
      "boolean",
    ]);

    const after = (await A().get(s.id)).json();
    expect(after).toMatchObject({ phase: "stored", fileId: file.id, offsetBytes: body.length, error: null });
    expect(partialData()).toEqual([]);
    // Audited as an upload, naming the session it came through.
    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "file.uploaded"), eq(auditEvents.targetId, file.id)));
    expect(event?.metadata).toMatchObject({ uploadId: s.id, sha256: file.sha256, rowCount: 3000 });

    // Completing again (a client whose answer was lost) gives the same file.
    const again = await A().complete(s.id);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(file.id);
  });

  it("resumes after the connection drops mid-chunk, from the offset HEAD reports", async () => {
    const body = csv(6000, 2);
    const s = await start("dropped.csv", body.length);
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as { port: number };
    const half = Math.floor(body.length / 2);

    // One PATCH for the whole file; half of it is sent, then the socket is destroyed.
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "PATCH",
      path: `/api/v1/uploads/${s.id}`,
      headers: {
        cookie: owner.cookie,
        "x-csrf-token": owner.csrf,
        "content-type": "application/offset+octet-stream",
        "content-length": String(body.length),
        "upload-offset": "0",
        "tus-resumable": "1.0.0",
      },
    });
    req.on("error", () => {}); // the socket we destroy
    req.write(body.subarray(0, half));
    // Wait until the server has the half on its scratch disk, so the cut comes mid-chunk.
    await until(() => walk(filesDir).some((f) => f.endsWith(".chunk") && statSync(f).size >= half));
    req.destroy();

    await until(async () => Number((await A().head(s.id)).headers["upload-offset"]) > 0);
    const head = await A().head(s.id);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["upload-length"]).toBe(String(body.length));
    const kept = Number(head.headers["upload-offset"]);
    expect(kept).toBe(half);

    // The client that did not notice: its old offset is refused with the current one.
    const stale = await A().patch(s.id, 0, body);
    expect(stale.statusCode).toBe(409);
    expect(stale.headers["upload-offset"]).toBe(String(half));
    expect(stale.json().errors).toEqual([{ path: "headers.upload-offset", message: `must be ${half}` }]);

    const rest = await A().patch(s.id, kept, body.subarray(kept));
    expect(rest.statusCode, rest.body).toBe(204);
    expect(rest.headers["upload-offset"]).toBe(String(body.length));
    const done = await A().complete(s.id);
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ sha256: sha256(body), rowCount: 6000 });
    expect(partialData()).toEqual([]);
  });

  it("refuses a chunk at the wrong offset with 409 and the current offset", async () => {
    const body = csv(100, 3);
    const s = await start("offsets.csv", body.length);
    const ahead = await A().patch(s.id, 10, body.subarray(10));
    expect(ahead.statusCode).toBe(409);
    expect(ahead.json().code).toBe("upload_offset_mismatch");
    expect(ahead.headers["upload-offset"]).toBe("0");
    expect(ahead.headers["content-type"]).toMatch(/problem\+json/);
    expect((await A().get(s.id)).json().offsetBytes).toBe(0);
    expect(partialData()).toEqual([]);
  });

  it("reads the sheet it was asked for from an XLSX sent in two chunks", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Notes").addRow(["ignore me"]);
    const deals = wb.addWorksheet("Deals");
    deals.addRow(["deal_id", "price_usd"]);
    for (let i = 1; i <= 50; i++) deals.addRow([`X${i}`, i * 1000]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const s = await start("book.xlsx", xlsx.length, { sheet: "Deals" });
    expect((await A().get(s.id)).json()).toMatchObject({ kind: "xlsx", sheet: "Deals", delimiter: null });
    const cut = Math.floor(xlsx.length / 2);
    expect((await A().patch(s.id, 0, xlsx.subarray(0, cut))).statusCode).toBe(204);
    expect((await A().patch(s.id, cut, xlsx.subarray(cut))).statusCode).toBe(204);
    const done = await A().complete(s.id);
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ kind: "xlsx", rowCount: 50, sha256: sha256(xlsx) });
    expect(done.json().layout).toMatchObject({ sheet: "Deals", sheets: ["Notes", "Deals"] });
  });

  it("lets one of two racing chunks at the same offset in, and answers the other 409", async () => {
    const body = csv(400, 10);
    const s = await start("race.csv", body.length);
    const half = body.subarray(0, Math.floor(body.length / 2));
    const results = await Promise.all([A().patch(s.id, 0, half), A().patch(s.id, 0, half)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([204, 409]);
    expect((await A().get(s.id)).json().offsetBytes).toBe(half.length);
    expect(partialData()).toHaveLength(1);
    expect((await A().delete(s.id)).statusCode).toBe(204);
  });

  it("refuses a chunk past the declared size (413) and a declared size over the limit", async () => {
    const body = csv(100, 4);
    const s = await start("sized.csv", body.length);
    const first = await A().patch(s.id, 0, body.subarray(0, 100));
    expect(first.statusCode).toBe(204);
    const over = await A().patch(s.id, 100, Buffer.concat([body.subarray(100), Buffer.from("x\n")]));
    expect(over.statusCode).toBe(413);
    expect(over.json().errors[0].path).toBe("headers.content-length");
    expect((await A().get(s.id)).json().offsetBytes).toBe(100);

    const big = await A().create({ name: "big.csv", sizeBytes: MAX_BYTES + 1 });
    expect(big.statusCode).toBe(413);
    expect(big.json().errors[0].path).toBe("body.sizeBytes");
    await A().delete(s.id);
  });

  it("rejects bad input field by field, and creates nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "deck.pdf", sizeBytes: 10 }, "body.name"],
      [{ name: "a.csv", sizeBytes: 0 }, "body.sizeBytes"],
      [{ name: "a.csv", sizeBytes: 10, sheet: "Deals" }, "body.sheet"],
      [{ name: "a.xlsx", sizeBytes: 10, delimiter: ";" }, "body.delimiter"],
      [{ name: "a.csv", sizeBytes: 10, contentType: "not a type" }, "body.contentType"],
      [{ name: "a.csv", sizeBytes: 10, extra: 1 }, "body"],
    ];
    const before = await sessionCount(owner.orgId);
    for (const [body, field] of cases) {
      const res = await A().create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect(await sessionCount(owner.orgId)).toBe(before);

    const s = await start("headers.csv", 10);
    const noOffset = await A().patch(s.id, null, Buffer.from("a,b\n1,2\n"));
    expect(noOffset.statusCode).toBe(422);
    expect(noOffset.json().errors[0].path).toBe("headers.upload-offset");
    const wrongType = await A().patch(s.id, 0, Buffer.from("a,b\n"), { "content-type": "text/csv" });
    expect(wrongType.statusCode).toBe(415);
    const oldTus = await A().patch(s.id, 0, Buffer.from("a,b\n"), { "tus-resumable": "0.2.2" });
    expect(oldTus.statusCode).toBe(412);
    expect(oldTus.headers["tus-version"]).toBe("1.0.0");
    expect((await A().get(s.id)).json().offsetBytes).toBe(0);
  });

  it("will not complete before every byte is in", async () => {
    const body = csv(50, 5);
    const s = await start("early.csv", body.length);
    await A().patch(s.id, 0, body.subarray(0, 40));
    const res = await A().complete(s.id);
    expect(res.statusCode).toBe(409);
    expect(res.headers["upload-offset"]).toBe("40");
    expect((await A().get(s.id)).json().phase).toBe("receiving");
    expect((await A().delete(s.id)).statusCode).toBe(204);
  });

  it("refuses a binary named .csv at completion, leaving nothing behind", async () => {
    // A PNG whose first chunk is too short to be recognized at once: completion's check catches it.
    const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), randomBytes(20_000)]);
    const files = await fileCount();
    const s = await start("photo.csv", png.length);
    expect((await A().patch(s.id, 0, png.subarray(0, 64))).statusCode).toBe(204);
    expect((await A().patch(s.id, 64, png.subarray(64))).statusCode).toBe(204);
    expect(partialData()).toHaveLength(2);
    const res = await A().complete(s.id);
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/named as text \(CSV\) but (its content is PNG|contains binary data)/);
    expect(partialData()).toEqual([]);
    expect(await fileCount()).toBe(files);
    expect((await A().get(s.id)).json()).toMatchObject({
      phase: "failed",
      error: res.json().detail,
      fileId: null,
    });
    // Asking again gives the same refusal; sending more is refused.
    expect((await A().complete(s.id)).statusCode).toBe(422);
    expect((await A().patch(s.id, png.length, Buffer.from("x"))).statusCode).toBe(409);
  });

  it("refuses a binary named .csv on its first chunk when that chunk shows it", async () => {
    const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), randomBytes(9000)]);
    const s = await start("early-photo.csv", png.length * 2);
    const res = await A().patch(s.id, 0, png);
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/named as text \(CSV\) but (its content is PNG|contains binary data)/);
    expect((await A().get(s.id)).json()).toMatchObject({ phase: "failed", offsetBytes: 0 });
    expect(partialData()).toEqual([]);
  });

  it("is removed with its partial data by DELETE", async () => {
    const body = csv(200, 6);
    const s = await start("aborted.csv", body.length);
    await A().patch(s.id, 0, body.subarray(0, 500));
    expect(partialData().length).toBe(1);
    const del = await A().delete(s.id);
    expect(del.statusCode).toBe(204);
    expect(partialData()).toEqual([]);
    expect((await A().get(s.id)).statusCode).toBe(404);
    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "upload.deleted"), eq(auditEvents.targetId, s.id)));
    expect(event?.metadata).toMatchObject({ offsetBytes: 500, phase: "receiving" });
  });

  it("is another organization's 404 for every operation", async () => {
    const body = csv(20, 7);
    const s = await start("private.csv", body.length);
    await A().patch(s.id, 0, body.subarray(0, 30));
    const B = as(other);
    expect((await B.get(s.id)).statusCode).toBe(404);
    expect((await B.head(s.id)).statusCode).toBe(404);
    expect((await B.patch(s.id, 30, body.subarray(30))).statusCode).toBe(404);
    expect((await B.complete(s.id)).statusCode).toBe(404);
    expect((await B.delete(s.id)).statusCode).toBe(404);
    // By header, too: the other owner naming this organization is not a member of it.
    const byHeader = await request(t.app, other, {
      method: "GET",
      url: `/api/v1/uploads/${s.id}`,
      headers: { "x-organization-id": owner.orgId },
    });
    expect(byHeader.statusCode).toBe(404);
    // Listed for its own organization only.
    const mine = await request(t.app, owner, { method: "GET", url: "/api/v1/uploads?phase=receiving" });
    expect(mine.json().items.map((u: { id: string }) => u.id)).toContain(s.id);
    const theirs = await request(t.app, other, { method: "GET", url: "/api/v1/uploads?limit=100" });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain(s.id);
    // Untouched.
    expect((await A().get(s.id)).json()).toMatchObject({ offsetBytes: 30, phase: "receiving" });
    await A().delete(s.id);
  });

  it("expires: the session is gone at once and the sweep removes its row and chunks", async () => {
    const body = csv(100, 8);
    const s = await start("expiring.csv", body.length);
    await A().patch(s.id, 0, body.subarray(0, 1000));
    const keep = await start("fresh.csv", body.length);
    await A().patch(keep.id, 0, body.subarray(0, 10));
    expect(partialData().length).toBe(2);
    await t.database.db
      .update(uploadSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(uploadSessions.id, s.id));
    expect((await A().get(s.id)).statusCode).toBe(404);
    expect((await A().patch(s.id, 1000, body.subarray(1000))).statusCode).toBe(404);

    const store = createFileStore(t.runtime.config);
    const swept = await sweepExpiredUploads(t.database.db, store);
    expect(swept).toEqual({ sessions: 1, chunks: 1 });
    expect(partialData().length).toBe(1);
    const rows = await t.database.db.select().from(uploadSessions).where(eq(uploadSessions.id, s.id));
    expect(rows).toEqual([]);
    expect((await A().get(keep.id)).json().offsetBytes).toBe(10);
    await A().delete(keep.id);
  });
});

async function sessionCount(orgId: string) {
  const [row] = await t.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(uploadSessions)
    .where(eq(uploadSessions.orgId, orgId));
  return row!.n;
}
const fileCount = async () =>
  (await request(t.app, owner, { method: "GET", url: "/api/v1/files?limit=1" })).json().total as number;

/** Polls until `check` holds; bounded, so a broken server fails the test instead of hanging it. */
async function until(check: () => boolean | Promise<boolean>, tries = 200) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition not reached");
}

describe("a resumable upload on S3-compatible storage", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mw-s3rver-uploads-"));
  const BUCKET = "modelworks-uploads-test";
  let s3rver: S3rver;
  let client: S3Client;
  let s3: TestApp;
  let s3Owner: Owner;
  beforeAll(async () => {
    s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3 = await createTestApp({
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_PREFIX: "mw",
    });
    s3Owner = await createOwner(s3.app, "S3 Uploads Org");
  });
  afterAll(async () => {
    await s3?.close();
    await s3rver?.close();
    client?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const keys = async () =>
    ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();

  it("keeps chunks as objects, concatenates them at completion and removes them", async () => {
    const body = csv(2000, 9);
    const call = (method: "POST" | "PATCH" | "GET", url: string, payload?: unknown, headers = {}) =>
      s3.app.inject({
        method,
        url,
        headers: { cookie: s3Owner.cookie, "x-csrf-token": s3Owner.csrf, ...headers },
        ...(payload !== undefined ? { payload: payload as Buffer } : {}),
      });
    const s = (await call("POST", "/api/v1/uploads", { name: "s3.csv", sizeBytes: body.length })).json();
    const cut = [0, 5000, 20_000, body.length];
    for (let i = 0; i < 3; i++) {
      const res = await call("PATCH", `/api/v1/uploads/${s.id}`, body.subarray(cut[i], cut[i + 1]), {
        "content-type": "application/offset+octet-stream",
        "upload-offset": String(cut[i]),
      });
      expect(res.statusCode, res.body).toBe(204);
    }
    const chunkKeys = (await keys()).filter((k) => k.includes("/uploads/"));
    expect(chunkKeys).toHaveLength(3);
    expect(chunkKeys.every((k) => k.startsWith(`mw/${s3Owner.orgId}/uploads/${s.id}/`))).toBe(true);

    const done = await call("POST", `/api/v1/uploads/${s.id}/complete`);
    expect(done.statusCode, done.body).toBe(201);
    const f = done.json();
    expect(f).toMatchObject({ sha256: sha256(body), rowCount: 2000, sizeBytes: body.length });
    expect(await keys()).toEqual(
      [`mw/${s3Owner.orgId}/${f.id}.parquet`, `mw/${s3Owner.orgId}/${f.sha256}.csv`].sort(),
    );
    const rows = await call("GET", `/api/v1/files/${f.id}/rows?limit=2`);
    expect(rows.json().rows[0]).toMatchObject({ deal_id: "D9-0", city: "Dubai", closed: true });
  });
});
