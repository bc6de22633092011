import { LlmError } from "@modelworks/model-kit";
import { sdkGenerateObject, sdkGenerateText } from "@modelworks/model-kit/llm-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { languageModel, type ProviderConfig } from "../src/llm/providers.ts";
import { type FakeLlmServer, startFakeLlmServer } from "./llm-fake-server.ts";

/** The real provider clients against the local fake provider (wire protocols, not mocks). */
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(() => fake.close());

const Plan = z.object({ title: z.string(), pages: z.number().int().min(1) });
const cfg = (provider: ProviderConfig["provider"]): ProviderConfig => ({
  provider,
  baseUrl: fake.url,
  apiKey: "sk-test-1234",
  models: { default: provider === "anthropic" ? "claude-3-haiku-20240307" : "gpt-4o-mini" },
});
const prompt = { system: "Plan a dashboard.", prompt: "Sales by region" };

describe.each(["openai", "anthropic", "google", "openai-compatible"] as const)(
  "%s through its real client",
  (provider) => {
    it("returns a typed object (JSON mode or a tool call) with usage", async () => {
      fake.script({ answer: { title: "Sales", pages: 3 }, usage: { input: 40, output: 9 } });
      const n = fake.requests.length;
      const r = await sdkGenerateObject(languageModel(cfg(provider), cfg(provider).models.default), {
        ...prompt,
        schema: Plan,
        schemaName: "plan",
      });
      expect(r.value).toEqual({ title: "Sales", pages: 3 });
      expect(r.usage).toEqual({ inputTokens: 40, outputTokens: 9 });
      const sent = fake.requests[n]!;
      expect(sent.protocol).toBe(provider === "anthropic" || provider === "google" ? provider : "openai");
      expect(JSON.stringify(sent.body)).toContain("Sales by region");
      // The key travels in the provider's own header.
      if (provider === "anthropic") expect(sent.headers["x-api-key"]).toBe("sk-test-1234");
      else if (provider === "google") expect(sent.headers["x-goog-api-key"]).toBe("sk-test-1234");
      else expect(sent.headers.authorization).toBe("Bearer sk-test-1234");
    });

    it("streams text chunk by chunk", async () => {
      fake.script({ answer: "Revenue grew in every region." });
      const chunks: string[] = [];
      const r = await sdkGenerateText(languageModel(cfg(provider), "m"), {
        ...prompt,
        onText: (d) => chunks.push(d),
      });
      expect(r.value).toBe("Revenue grew in every region.");
      expect(chunks.length).toBe(5);
      expect(r.usage).toEqual({ inputTokens: 12, outputTokens: 7 });
      const last = fake.requests.at(-1)!;
      if (provider === "google") expect(last.path).toContain(":streamGenerateContent");
      else expect(last.body.stream).toBe(true);
    });
  },
);

describe("failures", () => {
  const model = () => languageModel(cfg("openai"), "gpt-4o-mini");

  it("waits out a 429's Retry-After, then succeeds", async () => {
    fake.script({ status: 429, headers: { "retry-after": "1" } }, { answer: { title: "T", pages: 1 } });
    const n = fake.requests.length;
    const r = await sdkGenerateObject(model(), { ...prompt, schema: Plan }, { retryBaseMs: 10 });
    expect(r.value.pages).toBe(1);
    const gapMs = fake.requests[n + 1]!.at - fake.requests[n]!.at;
    expect(gapMs).toBeGreaterThanOrEqual(950);
    expect(gapMs).toBeLessThan(3000);
  });

  it("retries a 500 with backoff and gives up after maxAttempts with llm_provider_error", async () => {
    fake.script({ status: 500 }, { answer: { title: "T", pages: 2 } });
    const r = await sdkGenerateObject(model(), { ...prompt, schema: Plan }, { retryBaseMs: 20 });
    expect(r.value.pages).toBe(2);
    fake.script({ status: 503 }, { status: 502 }, { status: 500 });
    const n = fake.requests.length;
    const err = await sdkGenerateObject(
      model(),
      { ...prompt, schema: Plan },
      { retryBaseMs: 5, maxAttempts: 3 },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.code).toBe("llm_provider_error");
    expect(fake.requests.length - n).toBe(3);
  });

  it("names an invalid key (401) as llm_key_invalid without retrying", async () => {
    fake.validKeys.add("the-right-key");
    try {
      const n = fake.requests.length;
      const err = await sdkGenerateObject(model(), { ...prompt, schema: Plan }).catch((e) => e);
      expect(err.code).toBe("llm_key_invalid");
      expect(fake.requests.length - n).toBe(1);
    } finally {
      fake.validKeys.clear();
    }
  });

  it("asks again after malformed JSON, and fails with llm_output_invalid when it stays malformed", async () => {
    fake.script({ raw: '{"title": "Sal' }, { answer: { title: "Sales", pages: 2 } });
    const ok = await sdkGenerateObject(model(), { ...prompt, schema: Plan });
    expect(ok.value).toEqual({ title: "Sales", pages: 2 });
    fake.script({ raw: "not json" }, { answer: { title: "Sales", pages: 0 } });
    const err = await sdkGenerateObject(model(), { ...prompt, schema: Plan }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.code).toBe("llm_output_invalid");
  });

  it.each(["openai", "anthropic"] as const)(
    "a slow %s stream is cut by cancel within 1.5 s",
    async (provider) => {
      fake.script({ slow: { chunks: 200, chunkDelayMs: 50, text: "more " } });
      const abort = new AbortController();
      const chunks: string[] = [];
      const before = fake.abortedStreams;
      const started = Date.now();
      const p = sdkGenerateText(
        languageModel(cfg(provider), "m"),
        {
          ...prompt,
          onText: (d) => {
            chunks.push(d);
            if (chunks.length === 3) abort.abort(new Error("run canceled"));
          },
        },
        { signal: abort.signal },
      );
      await expect(p).rejects.toThrow("run canceled");
      expect(Date.now() - started).toBeLessThan(1500);
      expect(chunks.length).toBeLessThan(10);
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.abortedStreams).toBe(before + 1);
    },
  );

  it("times out a provider that does not answer", async () => {
    fake.script({ slow: { chunks: 100, chunkDelayMs: 100 } });
    const err = await sdkGenerateText(languageModel(cfg("openai"), "m"), prompt, {
      timeoutMs: 300,
      maxAttempts: 1,
    }).catch((e) => e);
    expect(err.code).toBe("llm_provider_error");
  });
});
