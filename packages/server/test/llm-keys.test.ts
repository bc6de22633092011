import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedinConnections, llmProviders, powerBiConnections } from "../src/db/schema.ts";
import { linkedinTokenContext } from "../src/linkedin/service.ts";
import { createKeyring, decryptSecret, encryptSecret, rewrap } from "../src/llm/crypto.ts";
import { configOf, rotateLlmKeys } from "../src/llm/store.ts";
import { credentialsOf, putConnection } from "../src/powerbi/store.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { type FakeLlmServer, startFakeLlmServer } from "./llm-fake-server.ts";

const b64 = () => randomBytes(32).toString("base64");

describe("envelope encryption", () => {
  it("round-trips a secret; a copy under another organization or a wrong master key does not open", () => {
    const ring = createKeyring(b64());
    const sealed = encryptSecret(ring, "sk-live-abcdef123456", "org-a");
    expect(sealed.keyCiphertext).not.toContain("abcdef");
    expect(decryptSecret(ring, sealed, "org-a")).toBe("sk-live-abcdef123456");
    expect(() => decryptSecret(ring, sealed, "org-b")).toThrow();
    // Same id, different bytes: the GCM tag refuses it.
    const other = createKeyring(b64());
    expect(() => decryptSecret(other, sealed, "org-a")).toThrow(/not configured/);
    // Two seals of one secret differ (fresh data key and IVs).
    expect(encryptSecret(ring, "s", "o").keyCiphertext).not.toBe(encryptSecret(ring, "s", "o").keyCiphertext);
  });

  it("rotates: the old master key still unwraps until rewrap moves the data key to the new one", () => {
    const oldKey = b64();
    const newKey = b64();
    const before = createKeyring(oldKey);
    const sealed = encryptSecret(before, "sk-rotate-me-9876", "org");
    const during = createKeyring(newKey, [oldKey]);
    expect(decryptSecret(during, sealed, "org")).toBe("sk-rotate-me-9876");
    const moved = rewrap(during, sealed, "org")!;
    expect(moved.masterKeyId).toBe(during.current.id);
    expect(moved.keyCiphertext).toBe(sealed.keyCiphertext);
    expect(rewrap(during, moved, "org")).toBeNull();
    const after = createKeyring(newKey);
    expect(decryptSecret(after, moved, "org")).toBe("sk-rotate-me-9876");
    expect(() => decryptSecret(after, sealed, "org")).toThrow(/LLM_MASTER_KEYS/);
  });

  it("refuses a master key that is not 32 bytes", () => {
    expect(() => createKeyring(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});

describe("provider keys per organization", () => {
  let fake: FakeLlmServer;
  let t: TestApp;
  const lines: string[] = [];
  const masterKey = b64();
  const GOOD = "sk-good-key-0123456789-WXYZ";
  const BAD = "sk-bad-key-0123456789-QQQQ";

  beforeAll(async () => {
    fake = await startFakeLlmServer();
    fake.validKeys.add(GOOD);
    const capture = { write: (l: string) => void lines.push(l) };
    t = await createTestApp(
      { LOG_LEVEL: "debug", LLM_MASTER_KEY: masterKey, LLM_RETRY_BASE_MS: "5" },
      { log: pino({ level: "debug" }, capture), logStream: capture },
    );
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const add = (as: Parameters<typeof request>[1], orgId: string, apiKey: string, extra: object = {}) =>
    request(t.app, as, {
      method: "POST",
      url: "/api/v1/org/llm/providers",
      headers: { "x-organization-id": orgId },
      payload: {
        provider: "openai",
        baseUrl: fake.url,
        models: { default: "gpt-4o-mini" },
        apiKey,
        ...extra,
      },
    });

  it("tests a key at save time: a rejected key is 422 naming body.apiKey, and nothing is saved", async () => {
    const owner = await createOwner(t.app);
    const res = await add(owner, owner.orgId, BAD);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: "llm_key_invalid",
      type: "/api/v1/problems/llm_key_invalid",
      errors: [{ path: "body.apiKey" }],
    });
    const list = await request(t.app, owner, { method: "GET", url: "/api/v1/org/llm/providers" });
    expect(list.json().items).toEqual([]);
  });

  it("names an unknown model (the provider's 404) as body.models.default", async () => {
    const owner = await createOwner(t.app);
    fake.knownModels.add("gpt-4o-mini");
    try {
      const res = await add(owner, owner.orgId, GOOD, { models: { default: "gpt-9-imaginary" } });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: "llm_provider_unknown",
        errors: [{ path: "body.models.default" }],
      });
    } finally {
      fake.knownModels.clear();
    }
  });

  it("answers 429 llm_budget_exhausted when the month's budget is spent, even for a key test", async () => {
    const owner = await createOwner(t.app);
    const put = await request(t.app, owner, {
      method: "PUT",
      url: "/api/v1/org/llm/settings",
      payload: {
        monthlyBudgetUsd: 0,
        storeBodies: false,
        prices: { "gpt-4o-mini": { inputPerMTokUsd: 1, outputPerMTokUsd: 2 } },
      },
    });
    expect(put.json()).toMatchObject({
      monthlyBudgetUsd: 0,
      prices: { "gpt-4o-mini": { inputPerMTokUsd: 1 } },
    });
    const n = fake.requests.length;
    const res = await add(owner, owner.orgId, GOOD);
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({
      code: "llm_budget_exhausted",
      type: "/api/v1/problems/llm_budget_exhausted",
    });
    expect(fake.requests.length).toBe(n);
  });

  it("names an unknown provider and a missing base URL as fields (422)", async () => {
    const owner = await createOwner(t.app);
    const bad = await add(owner, owner.orgId, GOOD, { provider: "acme-ai" });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json().errors)).toContain("body.provider");
    const noUrl = await add(owner, owner.orgId, GOOD, { provider: "openai-compatible", baseUrl: null });
    expect(noUrl.statusCode).toBe(422);
    expect(noUrl.json().errors).toEqual([{ path: "body.baseUrl", message: expect.any(String) }]);
    const badTask = await add(owner, owner.orgId, GOOD, { models: { default: "m", summarize: "x" } });
    expect(badTask.statusCode).toBe(422);
  });

  it("saves a good key encrypted, lists it by hint only, tests and revokes it; logs never hold the key", async () => {
    const owner = await createOwner(t.app);
    const res = await add(owner, owner.orgId, GOOD, { models: { default: "gpt-4o-mini", draft: "gpt-4o" } });
    expect(res.statusCode).toBe(201);
    const dto = res.json();
    expect(dto).toMatchObject({ provider: "openai", keyHint: "…WXYZ", hasKey: true, revokedAt: null });
    expect(JSON.stringify(dto)).not.toContain(GOOD);

    const [row] = await t.database.db.select().from(llmProviders).where(eq(llmProviders.id, dto.id));
    expect(row!.keyCiphertext).not.toContain("good-key");
    expect(configOf(t.runtime.llm.keyring!, row!).apiKey).toBe(GOOD);

    const status = await request(t.app, owner, { method: "GET", url: "/api/v1/org/llm/status" });
    expect(status.json()).toMatchObject({ available: true, source: "organization", provider: "openai" });

    const tested = await request(t.app, owner, {
      method: "POST",
      url: `/api/v1/org/llm/providers/${dto.id}/test`,
    });
    expect(tested.statusCode).toBe(200);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${GOOD}`);

    const list = await request(t.app, owner, { method: "GET", url: "/api/v1/org/llm/providers" });
    expect(JSON.stringify(list.json())).not.toContain(GOOD);
    expect(list.json().items).toHaveLength(1);

    const del = await request(t.app, owner, { method: "DELETE", url: `/api/v1/org/llm/providers/${dto.id}` });
    expect(del.statusCode).toBe(204);
    const again = await request(t.app, owner, {
      method: "DELETE",
      url: `/api/v1/org/llm/providers/${dto.id}`,
    });
    expect(again.statusCode).toBe(409);
    const [revoked] = await t.database.db.select().from(llmProviders).where(eq(llmProviders.id, dto.id));
    expect(revoked!.keyCiphertext).toBeNull();
    const after = await request(t.app, owner, { method: "GET", url: "/api/v1/org/llm/status" });
    expect(after.json()).toMatchObject({ available: false, source: "built-in" });

    const log = lines.join("\n");
    expect(log).toContain("llm call");
    expect(log).not.toContain(GOOD);
    expect(log).not.toContain(BAD);
    expect(log).not.toContain("good-key-0123456789");
  });

  it("keeps organizations apart: another org's provider is 404 and does not serve it", async () => {
    const a = await createOwner(t.app, "A");
    const b = await createOwner(t.app, "B");
    const saved = (await add(a, a.orgId, GOOD)).json();
    for (const [method, url] of [
      ["POST", `/api/v1/org/llm/providers/${saved.id}/test`],
      ["DELETE", `/api/v1/org/llm/providers/${saved.id}`],
    ] as const) {
      expect((await request(t.app, b, { method, url })).statusCode).toBe(404);
    }
    const list = await request(t.app, b, { method: "GET", url: "/api/v1/org/llm/providers" });
    expect(list.json().items).toEqual([]);
    const status = await request(t.app, b, { method: "GET", url: "/api/v1/org/llm/status" });
    expect(status.json().available).toBe(false);
    // A ciphertext copied into B's row does not open there (the org id is authenticated data).
    const [rowA] = await t.database.db.select().from(llmProviders).where(eq(llmProviders.id, saved.id));
    expect(() => configOf(t.runtime.llm.keyring!, { ...rowA!, orgId: b.orgId })).toThrow();
  });

  it("analysts cannot manage providers; members see the status", async () => {
    const owner = await createOwner(t.app);
    const analyst = await addMember(t.app, owner, "analyst");
    expect((await add(analyst, owner.orgId, GOOD)).statusCode).toBe(403);
    const status = await request(t.app, analyst, { method: "GET", url: "/api/v1/org/llm/status" });
    expect(status.statusCode).toBe(200);
  });

  it("rotates stored keys to a new master key", async () => {
    const owner = await createOwner(t.app);
    const saved = (await add(owner, owner.orgId, GOOD)).json();
    const next = createKeyring(b64(), [masterKey]);
    const { rewrapped } = await rotateLlmKeys(t.database.db, next);
    expect(rewrapped).toBeGreaterThanOrEqual(1);
    const [row] = await t.database.db.select().from(llmProviders).where(eq(llmProviders.id, saved.id));
    expect(row!.masterKeyId).toBe(next.current.id);
    expect(configOf(createKeyring(Buffer.from(next.current.key).toString("base64")), row!).apiKey).toBe(GOOD);
    expect((await rotateLlmKeys(t.database.db, next)).rewrapped).toBe(0);
  });

  it("rotates the other sealed secrets too: Power BI client secrets and LinkedIn tokens", async () => {
    const owner = await createOwner(t.app);
    const ring = t.runtime.llm.keyring!;
    const db = t.database.db;
    await putConnection(db, ring, {
      orgId: owner.orgId,
      userId: owner.userId,
      tenantId: "tenant",
      clientId: "client",
      groupId: "group",
      clientSecret: "pbi-secret-0123456789",
    });
    const ctx = linkedinTokenContext(owner.orgId, owner.userId);
    const [li] = await db
      .insert(linkedinConnections)
      .values({
        orgId: owner.orgId,
        userId: owner.userId,
        memberUrn: "urn:li:person:abc",
        scope: "openid profile w_member_social",
        accessToken: encryptSecret(ring, "access-token-1", ctx),
        accessExpiresAt: new Date(Date.now() + 3600_000),
        refreshToken: encryptSecret(ring, "refresh-token-1", ctx),
      })
      .returning();

    const next = createKeyring(b64(), [masterKey]);
    const { unreadable } = await rotateLlmKeys(db, next);
    // (Providers an earlier test moved to its own new key are unreadable to this ring; ours are not.)
    expect(unreadable.filter((u) => u.orgId === owner.orgId)).toEqual([]);
    // Only the new key from here on: the old one has left LLM_MASTER_KEYS (rotation step 3).
    const onlyNew = createKeyring(Buffer.from(next.current.key).toString("base64"));
    const [pbi] = await db.select().from(powerBiConnections).where(eq(powerBiConnections.orgId, owner.orgId));
    expect(pbi!.masterKeyId).toBe(next.current.id);
    expect(credentialsOf(pbi!, onlyNew).clientSecret).toBe("pbi-secret-0123456789");
    const [moved] = await db.select().from(linkedinConnections).where(eq(linkedinConnections.id, li!.id));
    expect(decryptSecret(onlyNew, moved!.accessToken, ctx)).toBe("access-token-1");
    expect(decryptSecret(onlyNew, moved!.refreshToken!, ctx)).toBe("refresh-token-1");
  });
});
