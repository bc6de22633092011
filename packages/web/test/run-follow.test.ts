import { describe, expect, it } from "vitest";
import { RUN_POLL_MS, RUN_POLL_STREAMING_MS, runRefetchMs } from "../src/lib/run-follow.ts";

describe("the run page's re-reads of an unfinished run", () => {
  it("polls every 3 s without the event stream, every 30 s beside it, and not at all once finished", () => {
    expect(RUN_POLL_MS).toBe(3_000);
    expect(RUN_POLL_STREAMING_MS).toBe(30_000);
    expect(runRefetchMs("running", false)).toBe(3_000);
    expect(runRefetchMs("queued", false)).toBe(3_000);
    expect(runRefetchMs("running", true)).toBe(30_000);
    for (const status of ["succeeded", "failed", "canceled"] as const) {
      expect(runRefetchMs(status, false)).toBe(false);
      expect(runRefetchMs(status, true)).toBe(false);
    }
    expect(runRefetchMs(undefined, false)).toBe(false);
  });
});
