import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { toLittleText } from "../../server/src/linkedin/client.ts";
import { type FakeLinkedIn, startFakeLinkedIn } from "../../server/test/linkedin-fake-server.ts";
import type { SiteServer } from "../../server/test/sources-server.ts";
import { seriousViolations } from "./axe.ts";
import { apiPost, ask, followAndIngest, startLendingSite } from "./browser-content-seed.ts";
import {
  apiGet,
  base,
  createOrg,
  eventually,
  newPage,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * Issue 17 item 5 in Chromium against the real server and a local fake of LinkedIn's documented
 * endpoints: "Connect LinkedIn" goes through the fake's consent page and back through the
 * server's callback; on a run, the analytical draft is edited — an invented figure is flagged at
 * its span and Publish held back — then fixed and published, and the URN shown is the one the
 * fake made with the edited text; another draft is scheduled; a third, edited with a figure no
 * source holds, is recorded as posted by hand only once its flag is accepted, and keeps it; the
 * History page lists the publications with the check each went out under, a page at a time.
 */
const fake: FakeLinkedIn = await startFakeLinkedIn();
afterAll(() => fake.close());
setupBrowserApp({
  env: (server) => {
    // LinkedIn sends the browser back to the server's own callback.
    fake.redirectUrl = `${server}/api/v1/content/linkedin/callback`;
    return {
      LINKEDIN_CLIENT_ID: fake.clientId,
      LINKEDIN_CLIENT_SECRET: fake.clientSecret,
      LINKEDIN_REDIRECT_URL: fake.redirectUrl,
      LINKEDIN_AUTH_BASE: fake.url,
      LINKEDIN_API_BASE: fake.url,
      // The scheduled post stays scheduled: no publisher ticks during the test.
      LINKEDIN_PUBLISH_SECONDS: "0",
      LLM_MASTER_KEY: randomBytes(32).toString("base64"),
    };
  },
});

let site: SiteServer;
beforeAll(async () => {
  site = await startLendingSite();
});
afterAll(() => site?.close());

it("connects LinkedIn through its consent page, publishes an edited draft and schedules another", async () => {
  const page = await newPage();
  await signUp(page, "poster@example.com", "Poster");
  await createOrg(page, "Poster Co");
  await followAndIngest(page, site);

  // Connect: the fake's consent page answers at once and redirects to the server's callback,
  // which stores the tokens and sends the browser back to the Ask page.
  await page.goto(`${base}/content/ask`);
  await page.getByRole("button", { name: "Connect LinkedIn" }).click();
  await page.waitForURL(/\/content\/ask\?linkedin=connected$/);
  await text(page.getByLabel("LinkedIn", { exact: true })).toContain("LinkedIn: connected as Ada Writer");
  const authorize = fake.calls.find((c) => c.path === "/oauth/v2/authorization")!;
  expect(authorize.query.scope).toBe("openid profile w_member_social");
  expect(fake.calls.filter((c) => c.path === "/oauth/v2/accessToken")).toHaveLength(1);

  await ask(page);
  const card = page.getByTestId("variant-analytical");
  await card.waitFor({ timeout: 60_000 });
  await text(card).toContain("checked");

  // Edit: an invented figure in front. The server's check marks "73%" in the edit, Publish waits.
  await card.getByRole("button", { name: "Edit draft" }).click();
  const box = card.getByLabel("Edit the analytical draft");
  const original = await box.inputValue();
  await box.fill(`Adoption is up 73% this year.\n\n${original}`);
  await text(card.getByTestId("edit-check")).toContain("1 flag in your edit");
  await text(card.getByTestId("edit-check")).toContain('percent "73%" appears in none of the cited items');
  expect(await card.getByTestId("edit-marked").locator("mark").allTextContents()).toEqual(["73%"]);
  const publish = card.getByRole("button", { name: "Publish to LinkedIn" });
  expect(await publish.isDisabled()).toBe(true);
  await text(card.getByTestId("edit-count")).toMatch(/^[\d,]+ \/ 3,000 characters · \d+ of 3 hashtags$/);
  await shot(page, "content-linkedin-flagged-edit");
  expect((await seriousViolations(page)).join("\n"), "run page, flagged edit").toBe("");

  // A clean edit: the check clears, and Publish sends this text.
  const edited = `My take after a week of reading:\n\n${original}`;
  await box.fill(edited);
  await text(card.getByTestId("edit-check")).toContain("edit checked");
  await publish.click();
  await text(card.getByRole("status")).toMatch(/^Published to LinkedIn \(urn:li:share:\d+\)\.$/);
  const urn = /\((urn:li:share:\d+)\)/.exec((await card.getByRole("status").textContent())!)![1]!;
  expect(fake.posts.get(urn)).toEqual({
    author: "urn:li:person:aBc123XyZ",
    commentary: toLittleText(edited),
  });
  await shot(page, "content-linkedin-published");

  // Schedule the engaging draft, unedited, for tomorrow 09:30 local time.
  const engaging = page.getByTestId("variant-engaging");
  const at = new Date(Date.now() + 24 * 3_600_000);
  const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}T09:30`;
  await engaging.getByLabel("Schedule for").fill(local);
  await engaging.getByRole("button", { name: "Schedule" }).click();
  await text(engaging.getByRole("status")).toMatch(/^Scheduled for .+\.$/);

  const { items } = await apiGet<{
    items: {
      status: string;
      variantKind: string;
      text: string;
      urn: string | null;
      scheduledAt: string | null;
    }[];
  }>(page, "/content/linkedin/publications");
  expect(items.map((p) => [p.variantKind, p.status])).toEqual([
    ["engaging", "scheduled"],
    ["analytical", "published"],
  ]);
  expect(items[1]).toMatchObject({ urn, text: edited });
  expect(new Date(items[0]!.scheduledAt!).getHours()).toBe(9);
  expect(new Date(items[0]!.scheduledAt!).getMinutes()).toBe(30);
  // The published post is recorded for feedback under its URN, with the text as published.
  const posts = await apiGet<{ items: { text: string; externalId: string }[] }>(page, "/content/posts");
  expect(posts.items).toEqual([
    expect.objectContaining({ text: edited, externalId: urn.toLowerCase(), flags: [] }),
  ]);

  // Record as published (posted by hand): the contrarian draft as edited, not the run's text. The
  // edit's invented figure holds Save back until the writer accepts the flags.
  const contrarian = page.getByTestId("variant-contrarian");
  await contrarian.getByRole("button", { name: "Edit draft" }).click();
  const cbox = contrarian.getByLabel("Edit the contrarian draft");
  const handPosted = `Adoption is up 73% this year.\n\n${await cbox.inputValue()}`;
  await cbox.fill(handPosted);
  await text(contrarian.getByTestId("edit-check")).toContain(
    'percent "73%" appears in none of the cited items',
  );
  await contrarian.getByRole("button", { name: "Record as published" }).click();
  const form = contrarian.getByRole("form", { name: "Record as published" });
  await text(form).toContain("Records the text as you edited it");
  const save = form.getByRole("button", { name: "Save as published" });
  expect(await save.isDisabled()).toBe(true);
  await form.getByLabel("LinkedIn post URL or URN (optional)").fill("urn:li:activity:7200000000000000001");
  await contrarian.getByLabel(/^Use it anyway/).check();
  await eventually(() => save.isEnabled()).toBe(true);
  await save.click();
  await text(contrarian.getByRole("status")).toMatch(/^Recorded as published with \d+ flags? kept\.$/);
  const recorded = page.getByTestId("content-post").filter({ hasText: "contrarian" });
  await text(recorded).toMatch(/\d+ flags? accepted/);
  await text(recorded.getByRole("list", { name: "Flags kept with the post" })).toContain(
    'percent "73%" appears in none of the cited items',
  );
  const all = await apiGet<{
    items: { text: string; externalId: string | null; flags: { text?: string }[] | null }[];
  }>(page, "/content/posts");
  const hand = all.items.find((p) => p.externalId === "urn:li:activity:7200000000000000001")!;
  expect(hand.text).toBe(handPosted);
  expect(hand.flags!.map((f) => f.text)).toContain("73%");
  await shot(page, "content-linkedin-recorded");

  // History lists the publications: status, when, URN and the check (a text with no run: not checked).
  await apiPost(page, "/content/linkedin/publications", {
    variantKind: "analytical",
    text: "Written elsewhere, no run behind it.",
    scheduledAt: new Date(Date.now() + 48 * 3_600_000).toISOString(),
  });
  await page.goto(`${base}/content/history`);
  const rows = page.getByRole("table", { name: "LinkedIn publications" }).getByTestId("publication");
  await eventually(() => rows.count()).toBe(3);
  const cells = async (i: number) =>
    (await rows.nth(i).locator("td").allTextContents()).map((c) => c.replace(/\s+/g, " ").trim());
  const [noRun, scheduled, published] = [await cells(0), await cells(1), await cells(2)];
  expect(noRun).toEqual(["scheduled", expect.stringMatching(/^for /), "analytical", "—", "not checked"]);
  expect(scheduled).toEqual(["scheduled", expect.stringMatching(/^for /), "engaging", "—", "checked"]);
  expect(published.slice(0, 5)).toEqual(["published", expect.any(String), "analytical", urn, "checked"]);
  await shot(page, "content-history-publications");
  expect((await seriousViolations(page)).join("\n"), "history page with publications").toBe("");

  // A page at a time: with 23 publications the list shows 20 and "Show more" the last 3, oldest last.
  for (let k = 0; k < 20; k++)
    await apiPost(page, "/content/linkedin/publications", {
      variantKind: "engaging",
      text: `Queued post ${k}.`,
      scheduledAt: new Date(Date.now() + (72 + k) * 3_600_000).toISOString(),
    });
  await page.reload();
  await eventually(() => rows.count()).toBe(20);
  const more = page.getByRole("button", { name: "Show more publications" });
  await more.click();
  await eventually(() => rows.count()).toBe(23);
  expect((await cells(22))[0]).toBe("published");
  await eventually(() => more.count()).toBe(0);
}, 180_000);
