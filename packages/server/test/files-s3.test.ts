import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * The S3 path against a real S3-compatible server on loopback (s3rver, started here): the same
 * uploads, rows and deletes as on local disk, with the objects checked in the bucket itself.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), "mw-s3rver-"));
const s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
const { port } = await s3rver.run();
const endpoint = `http://127.0.0.1:${port}`;
const BUCKET = "modelworks-test";
const client = new S3Client({
  region: "us-east-1",
  endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
});
await client.send(new CreateBucketCommand({ Bucket: BUCKET }));

let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp({
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_PREFIX: "uploads",
  });
  owner = await createOwner(t.app, "S3 Org");
});
afterAll(async () => {
  await t?.close();
  await s3rver.close();
  client.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const keys = async () =>
  ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
    .map((o) => o.Key!)
    .sort();
const upload = (name: string, content: string) => {
  const body = multipart(name, content);
  return t.app.inject({
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, cookie: owner.cookie, "x-csrf-token": owner.csrf },
  });
};

describe("files on S3-compatible storage", () => {
  it("stores the original and the parsed table as objects, reads rows back, deletes both", async () => {
    const res = await upload("units.csv", "unit,rent\n101,5000\n102,5200\n");
    expect(res.statusCode, res.body).toBe(201);
    const f = res.json();
    expect(await keys()).toEqual(
      [`uploads/${owner.orgId}/${f.id}.parquet`, `uploads/${owner.orgId}/${f.sha256}.csv`].sort(),
    );
    const rows = await request(t.app, owner, { method: "GET", url: `/api/v1/files/${f.id}/rows` });
    expect(rows.json().rows).toEqual([
      { unit: 101, rent: 5000 },
      { unit: 102, rent: 5200 },
    ]);
    const del = await request(t.app, owner, { method: "DELETE", url: `/api/v1/files/${f.id}` });
    expect(del.statusCode).toBe(204);
    expect(await keys()).toEqual([]);
  });

  it("leaves no object behind when an upload is refused", async () => {
    const res = await upload("ragged.csv", `a,b\n${"1,2\n".repeat(10)}3\n`);
    expect(res.statusCode).toBe(422);
    expect(await keys()).toEqual([]);
  });
});
