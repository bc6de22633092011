import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmProviders } from "../src/db/schema.ts";
import { createKeyring, encryptSecret } from "../src/llm/crypto.ts";
import { rotateLlmKeys } from "../src/llm/store.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { type FakeLlmServer, type FakeRequest, startFakeLlmServer } from "./llm-fake-server.ts";

/**
 * Per-task providers (issue 14): a task can go to another provider config and model than the
 * organization's default, and a stored key whose master key is gone is a named problem
 * (llm_key_unreadable) for the status, the key test and runs — never a 500, never a silent
 * built-in answer. Real runs, real OpenAI client, two local fake providers.
 */
const MODEL = "test-llm-brief";
const DRAFT = "A short brief drafted by provider B.";
const input = {
  topic: "tax increment financing",
  document: "Austin's tax increment financing district funds affordable housing.",
};
const KEY_A = "sk-provider-a-0123456789-AAAA";
const KEY_B = "sk-provider-b-0123456789-BBBB";

let a: FakeLlmServer;
let b: FakeLlmServer;
let t: TestApp;

const answerFor = (r: FakeRequest) =>
  r.body.stream ? { answer: DRAFT, chunkDelayMs: 1 } : { answer: { label: "relevant", confidence: 0.8 } };

beforeAll(async () => {
  a = await startFakeLlmServer();
  b = await startFakeLlmServer();
  for (const f of [a, b]) f.fallback = answerFor;
  a.validKeys.add(KEY_A);
  b.validKeys.add(KEY_B);
  t = await createTestApp(
    {
      INTERNAL_MODELS: "true",
      RUN_HEARTBEAT_MS: "100",
      RUN_POLL_MS: "200",
      LLM_MASTER_KEY: randomBytes(32).toString("base64"),
      LLM_RETRY_BASE_MS: "5",
    },
    { worker: true },
  );
});
afterAll(async () => {
  await t?.close();
  await a?.close();
  await b?.close();
});

type Org = Actor & { orgId: string };

const addProvider = (org: Org, fake: FakeLlmServer, apiKey: string, label: string, model: string) =>
  request(t.app, org, {
    method: "POST",
    url: "/api/v1/org/llm/providers",
    payload: { provider: "openai", label, baseUrl: fake.url, models: { default: model }, apiKey },
  });

const putSettings = (org: Org, taskRoutes: object) =>
  request(t.app, org, {
    method: "PUT",
    url: "/api/v1/org/llm/settings",
    payload: { monthlyBudgetUsd: null, storeBodies: false, prices: {}, taskRoutes },
  });

const run = async (org: Org, topic: string) =>
  (
    await request(t.app, org, {
      method: "POST",
      url: `/api/v1/models/${MODEL}/runs?cache=false&wait=20`,
      payload: { input: { ...input, topic } },
    })
  ).json();

describe("a provider and model per task", () => {
  let org: Org;
  let provA: string;
  let provB: string;

  beforeAll(async () => {
    org = await createOwner(t.app, "Routing Org");
    const resB = await addProvider(org, b, KEY_B, "B – strong", "strong-b");
    expect(resB.statusCode).toBe(201);
    provB = resB.json().id;
    // A is added last, so it is the default provider.
    const resA = await addProvider(org, a, KEY_A, "A – default", "default-a");
    expect(resA.statusCode).toBe(201);
    provA = resA.json().id;
    expect(resA.json()).toMatchObject({ label: "A – default", keyReadable: true });
  });

  it("sends classification to A's cheap model and drafts to B's strong one", async () => {
    const saved = await putSettings(org, {
      classify: { providerId: provA, model: "cheap-a" },
      draft: { providerId: provB, model: "strong-b-large" },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().taskRoutes.draft).toEqual({ providerId: provB, model: "strong-b-large" });

    const fromA = a.requests.length;
    const fromB = b.requests.length;
    const r = await run(org, "routing one");
    expect(r.status).toBe("succeeded");
    expect(r.output).toMatchObject({
      relevanceGeneratedBy: { provider: "openai", model: "cheap-a" },
      draft: DRAFT,
      draftGeneratedBy: { provider: "openai", model: "strong-b-large" },
    });
    const toA = a.requests.slice(fromA);
    const toB = b.requests.slice(fromB);
    expect(toA.map((q) => q.body.model)).toEqual(["cheap-a"]);
    expect(toA[0]!.headers.authorization).toBe(`Bearer ${KEY_A}`);
    expect(toB.map((q) => q.body.model)).toEqual(["strong-b-large"]);
    expect(toB[0]!.headers.authorization).toBe(`Bearer ${KEY_B}`);

    const status = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/status" })).json();
    expect(status.tasks.classify).toMatchObject({ providerId: provA, model: "cheap-a", routed: true });
    expect(status.tasks.draft).toMatchObject({ providerId: provB, model: "strong-b-large", routed: true });
    // Tasks without a route use the default provider (A, the newest) and its default model.
    expect(status.tasks.report).toMatchObject({ providerId: provA, model: "default-a", routed: false });
    const usage = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/usage" })).json();
    expect(usage.byModel.map((m: { key: string }) => m.key).sort()).toEqual(
      expect.arrayContaining(["cheap-a", "strong-b-large"]),
    );
  });

  it("refuses an unknown, foreign or revoked provider and an unknown model (422 naming the field); nothing saved", async () => {
    const before = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/settings" })).json();
    const other = await createOwner(t.app, "Other Routing Org");
    const foreign = (await addProvider(other, a, KEY_A, "theirs", "default-a")).json().id;

    const unknown = await putSettings(org, { draft: { providerId: randomUUID(), model: "x" } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      { path: "body.taskRoutes.draft.providerId", message: "is not a provider of this organization" },
    ]);
    const theirs = await putSettings(org, { classify: { providerId: foreign, model: "default-a" } });
    expect(theirs.statusCode).toBe(422);
    expect(theirs.json().errors[0].path).toBe("body.taskRoutes.classify.providerId");

    const c = (await addProvider(org, b, KEY_B, "C – to revoke", "strong-b")).json().id;
    expect(
      (await request(t.app, org, { method: "DELETE", url: `/api/v1/org/llm/providers/${c}` })).statusCode,
    ).toBe(204);
    const revoked = await putSettings(org, { plan: { providerId: c, model: "strong-b" } });
    expect(revoked.statusCode).toBe(422);
    expect(revoked.json().errors).toEqual([
      { path: "body.taskRoutes.plan.providerId", message: "is a revoked provider" },
    ]);

    b.knownModels.add("strong-b");
    b.knownModels.add("strong-b-large");
    try {
      const badModel = await putSettings(org, { draft: { providerId: provB, model: "no-such-model" } });
      expect(badModel.statusCode).toBe(422);
      expect(badModel.json()).toMatchObject({ code: "llm_provider_unknown" });
      expect(badModel.json().errors[0].path).toBe("body.taskRoutes.draft.model");
    } finally {
      b.knownModels.clear();
    }
    const after = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/settings" })).json();
    expect(after).toEqual(before);
  });

  it("revoking a routed provider drops its routes: the task goes back to the default provider", async () => {
    expect(
      (await request(t.app, org, { method: "DELETE", url: `/api/v1/org/llm/providers/${provB}` })).statusCode,
    ).toBe(204);
    const settings = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/settings" })).json();
    expect(settings.taskRoutes).toEqual({ classify: { providerId: provA, model: "cheap-a" } });
    const fromB = b.requests.length;
    const r = await run(org, "routing two");
    expect(r.status).toBe("succeeded");
    expect(r.output.draftGeneratedBy).toEqual({ provider: "openai", model: "default-a" });
    expect(b.requests.length).toBe(fromB);
  });
});

describe("a stored key whose master key is gone", () => {
  let org: Org;
  let id: string;

  beforeAll(async () => {
    org = await createOwner(t.app, "Lost Master Key Org");
    id = (await addProvider(org, a, KEY_A, "A", "default-a")).json().id;
    // The key as a server with another master key sealed it (e.g. LLM_MASTER_KEY changed, no rewrap).
    const lost = createKeyring(randomBytes(32).toString("base64"));
    const sealed = encryptSecret(lost, KEY_A, org.orgId);
    await t.database.db.update(llmProviders).set(sealed).where(eq(llmProviders.id, id));
  });

  it("the status names the problem and how to fix it; the list marks the key unreadable", async () => {
    const res = await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/status" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      available: true,
      source: "organization",
      provider: "openai",
      problem: { code: "llm_key_unreadable" },
    });
    expect(res.json().problem.message).toMatch(/restore that key .*LLM_MASTER_KEYS.*add the provider again/);
    expect(res.json().tasks.draft.problem.code).toBe("llm_key_unreadable");
    const list = (await request(t.app, org, { method: "GET", url: "/api/v1/org/llm/providers" })).json();
    expect(list.items[0]).toMatchObject({ id, hasKey: true, keyReadable: false });
  });

  it("the key test answers 503 llm_key_unreadable and sends nothing to the provider", async () => {
    const before = a.requests.length;
    const res = await request(t.app, org, { method: "POST", url: `/api/v1/org/llm/providers/${id}/test` });
    expect(res.statusCode).toBe(503);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: "llm_key_unreadable", status: 503 });
    expect(a.requests.length).toBe(before);
  });

  it("a run that needs the model fails with llm_key_unreadable, not on the built-in path", async () => {
    const before = a.requests.length;
    const r = await run(org, "lost key");
    expect(r.status).toBe("failed");
    expect(r.error.code).toBe("llm_key_unreadable");
    expect(r.error.message).toMatch(/master key [0-9a-f]{8}, which this server no longer has/);
    expect(r.output).toBeNull();
    expect(a.requests.length).toBe(before);
  });

  it("master-key rotation reports the unreadable key and still moves the others", async () => {
    const other = await createOwner(t.app, "Readable Org");
    const readable = (await addProvider(other, a, KEY_A, "ok", "default-a")).json().id;
    const next = createKeyring(randomBytes(32).toString("base64"), [
      Buffer.from(t.runtime.llm.keyring!.current.key).toString("base64"),
    ]);
    const { rewrapped, unreadable } = await rotateLlmKeys(t.database.db, next);
    expect(unreadable).toContainEqual(expect.objectContaining({ id, orgId: org.orgId }));
    expect(unreadable.map((u) => u.id)).not.toContain(readable);
    expect(rewrapped).toBeGreaterThanOrEqual(1);
    const [row] = await t.database.db.select().from(llmProviders).where(eq(llmProviders.id, readable));
    expect(row!.masterKeyId).toBe(next.current.id);
  });

  it("adding the provider again with its key mends it", async () => {
    expect(
      (await request(t.app, org, { method: "DELETE", url: `/api/v1/org/llm/providers/${id}` })).statusCode,
    ).toBe(204);
    expect((await addProvider(org, a, KEY_A, "A again", "default-a")).statusCode).toBe(201);
    const r = await run(org, "mended");
    expect(r.status).toBe("succeeded");
    expect(r.output.relevanceGeneratedBy).toEqual({ provider: "openai", model: "default-a" });
  });
});
