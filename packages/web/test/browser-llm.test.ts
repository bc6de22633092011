import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlmServer, startFakeLlmServer } from "../../server/test/llm-fake-server.ts";
import {
  apiGet,
  createOrg,
  createProject,
  createScenario,
  eventually,
  newPage,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * Issue 14 as an admin walks it, in Chromium against the real server and a local fake provider
 * (OpenAI wire protocol): a rejected key is shown on the key field; a good one is added and
 * tested; drafts are sent to another model than the default; a run uses both (the draft shown
 * on the run page while it streams); the usage page
 * shows its calls, by feature and by model.
 */
setupBrowserApp({ internalModels: true });

const GOOD = "sk-browser-good-0123456789-GOOD";
const BAD = "sk-browser-bad-0123456789-BAAD";
const DRAFT = "A brief on tax increment financing, drafted by the strong model.";
let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeLlmServer();
  fake.validKeys.add(GOOD);
  fake.fallback = (r) =>
    // The draft streams a word every 600 ms, so the run page can be seen writing it.
    r.body.stream
      ? { answer: DRAFT, chunkDelayMs: 600 }
      : { answer: { label: "relevant", confidence: 0.75 } };
});
afterAll(async () => {
  await fake?.close();
});

describe("AI providers and usage (issue 14)", () => {
  it("adds a provider (bad key refused on its field), tests it, routes drafts, runs, and sees the usage", async () => {
    const page = await newPage();
    await signUp(page, `llm-admin-${Date.now()}@example.com`, "Lena Admin");
    await createOrg(page, "AI Org");

    await page.getByRole("link", { name: "AI providers" }).click();
    await text(page.getByTestId("llm-status")).toMatch(/No AI provider is set up/);

    const form = page.getByRole("form", { name: "Add a provider" });
    await form.getByLabel("Base URL").fill(fake.url);
    await form.getByLabel("API key").fill(BAD);
    await form.getByLabel("Model").fill("cheap-model");
    await form.getByRole("button", { name: "Test and add provider" }).click();
    // The 422 names body.apiKey: the message sits on the key field (aria-describedby), not in a banner.
    const describedBy = async () => {
      const ids = ((await form.getByLabel("API key").getAttribute("aria-describedby")) ?? "").split(" ");
      const texts = await Promise.all(
        ids.filter(Boolean).map((id) => page.locator(`[id="${id}"]`).textContent()),
      );
      return texts.join(" ");
    };
    await eventually(describedBy).toMatch(/rejected the API key \(HTTP 401\)/);
    expect(await page.getByTestId("llm-providers").count()).toBe(0);
    await shot(page, "llm-bad-key");

    await form.getByLabel("Name (optional)").fill("Fake OpenAI");
    await form.getByLabel("API key").fill(GOOD);
    await form.getByRole("button", { name: "Test and add provider" }).click();
    const providers = page.getByTestId("llm-providers");
    await text(providers).toContain("Fake OpenAI");
    await text(providers).toContain("…GOOD");
    expect(await providers.textContent()).not.toContain(GOOD);
    await providers.getByRole("button", { name: "Test" }).click();
    await text(providers).toMatch(/Works \(answered in \d+ ms\)/);

    // Drafts on another model of the same provider; the rest stays on the default.
    await page.getByRole("textbox", { name: "Provider for Drafting text" }).click();
    await page.getByRole("option", { name: "Fake OpenAI (OpenAI)" }).click();
    await page.getByRole("textbox", { name: "Model for Drafting text" }).fill("strong-model");
    // A price for the strong model (USD per million tokens) and a budget.
    await page.getByRole("button", { name: "Add a price" }).click();
    await page.getByRole("textbox", { name: "Model of price 1" }).fill("strong-model");
    await page.getByRole("textbox", { name: "Input price of 1" }).fill("5000");
    await page.getByRole("textbox", { name: "Output price of 1" }).fill("10000");
    await page.getByLabel("Monthly budget (USD)").fill("1");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Saved.").waitFor();
    await text(page.getByTestId("llm-status")).toMatch(
      /Drafting textFake OpenAI · OpenAIchosen for this taskstrong-model/,
    );
    await shot(page, "llm-providers");

    await createProject(page, "AI project");
    await createScenario(page, "Test: language-model brief", /A note on TIF/, "Brief");
    await page.getByRole("button", { name: /^(Save and run|Run)$/ }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    // The draft appears on the run page while the model writes it (run events, `event: text`).
    await text(page.getByTestId("run-stream")).toMatch(/^A brief on tax increment/);
    await page.getByRole("tab", { name: "Results" }).waitFor({ timeout: 60_000 });
    // The results say which models wrote the text (issue 14 item 3).
    const provenance = page.getByTestId("provenance");
    await text(provenance).toMatch(
      /^Written by a language model \(openai · (cheap|strong)-model, openai · (cheap|strong)-model\)\./,
    );
    await text(provenance).toContain("cheap-model");
    await text(provenance).toContain("strong-model");
    const runId = page.url().split("/").pop()!;
    const run = await apiGet<{ status: string; output: Record<string, unknown> }>(page, `/runs/${runId}`);
    expect(run.status).toBe("succeeded");
    expect(run.output).toMatchObject({
      relevanceGeneratedBy: { provider: "openai", model: "cheap-model" },
      draft: DRAFT,
      draftGeneratedBy: { provider: "openai", model: "strong-model" },
    });

    await page.getByRole("link", { name: "AI usage" }).click();
    const totals = page.getByTestId("llm-usage-totals");
    // The refused key, three one-token checks (add, test, the draft route) and the run's two calls;
    // the fake answers 12 tokens in and 7 out per call (none for the refused key).
    await text(totals).toMatch(/Calls6Tokens in60Tokens out35Answered from cache0Failed calls1/);
    const feature = page.getByRole("row", { name: /Test: language-model brief/ });
    await text(feature).toMatch(/^Test: language-model brief2/);
    await text(page.getByRole("row", { name: /^strong-model/ })).toMatch(/^strong-model2/);
    // Only the draft is priced (the route's check ran before the price was saved): 12 × 5000 + 7 × 10000 per million.
    await text(totals).toContain("Estimated cost: $0.13 of $1.00 budget");
    const settings = await apiGet<{ prices: object; monthlyBudgetUsd: number }>(page, "/org/llm/settings");
    expect(settings).toMatchObject({
      monthlyBudgetUsd: 1,
      prices: { "strong-model": { inputPerMTokUsd: 5000, outputPerMTokUsd: 10000 } },
    });
    await shot(page, "llm-usage");
  }, 90_000);
});
