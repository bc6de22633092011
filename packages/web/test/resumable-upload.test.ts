import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api.ts";
import type { UploadedFile } from "../src/lib/files.ts";
import {
  isRetryable,
  type UploadProgress,
  type UploadSession,
  type UploadTransport,
  uploadResumable,
} from "../src/lib/resumable-upload.ts";

/**
 * The browser's resumable-upload loop against an in-memory server that keeps what arrived of a
 * dropped chunk, as the real one does (PATCH /uploads/:id persists the bytes received).
 */
type Step = { drop: number } | { refuse: number } | "ok";

function fakeServer(chunkSizeBytes: number, steps: Step[] = [], completeFailures: number[] = []) {
  let bytes = new Uint8Array(0);
  let phase: UploadSession["phase"] = "receiving";
  const sends: number[] = [];
  const sleeps: number[] = [];
  let size = 0;
  const session = (): UploadSession =>
    ({ id: "u1", offsetBytes: bytes.length, chunkSizeBytes, phase, sizeBytes: size }) as UploadSession;
  const transport: UploadTransport = {
    create: async (body) => {
      size = body.sizeBytes;
      return session();
    },
    status: async () => session(),
    sendChunk: async (_id, offset, chunk, onSent) => {
      sends.push(offset);
      if (offset !== bytes.length)
        throw new ApiError(409, { title: "Conflict", code: "upload_offset_mismatch" });
      const data = new Uint8Array(await chunk.arrayBuffer());
      const step = steps.shift() ?? "ok";
      if (step !== "ok" && "refuse" in step) throw new ApiError(step.refuse, { title: "Refused" });
      const kept = step === "ok" ? data.length : step.drop;
      const next = new Uint8Array(bytes.length + kept);
      next.set(bytes);
      next.set(data.subarray(0, kept), bytes.length);
      bytes = next;
      onSent(kept);
      if (step !== "ok") throw new ApiError(0, { title: "Network error" });
      return bytes.length;
    },
    complete: async () => {
      const failure = completeFailures.shift();
      // The server's 409 here: the upload is still being processed.
      if (failure !== undefined)
        throw new ApiError(failure, {
          title: "Not yet",
          ...(failure === 409 ? { code: "upload_closed" } : {}),
        });
      phase = "stored";
      return { id: "f1", name: "deals.csv", sizeBytes: bytes.length } as unknown as UploadedFile;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { transport, sends, sleeps, received: () => bytes };
}

const file = (n: number) => {
  const data = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 251);
  return Object.assign(new Blob([data]), { name: "deals.csv" });
};

describe("uploadResumable", () => {
  it("sends the file in the server's chunk size and reports progress up to the total, then the phases", async () => {
    const f = file(25);
    const s = fakeServer(10);
    const seen: UploadProgress[] = [];
    const out = await uploadResumable(f, { onProgress: (p) => seen.push(p), phasePollMs: 0 }, s.transport);
    expect(out.id).toBe("f1");
    expect(s.sends).toEqual([0, 10, 20]);
    expect(s.received()).toEqual(new Uint8Array(await f.arrayBuffer()));
    const sent = seen.filter((p) => p.phase === "receiving").map((p) => p.sentBytes);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent.at(-1)).toBe(25);
    expect(seen.at(-1)?.phase).toBe("checking");
    expect(seen.every((p) => p.totalBytes === 25 && p.retries === 0)).toBe(true);
  });

  it("a connection dropped mid-chunk resumes from the bytes the server kept, not from the chunk's start", async () => {
    const f = file(30);
    // The second chunk (offset 10) drops after 4 bytes: the next one starts at 14.
    const s = fakeServer(10, ["ok", { drop: 4 }]);
    const seen: UploadProgress[] = [];
    await uploadResumable(f, { onProgress: (p) => seen.push(p), phasePollMs: 0 }, s.transport);
    expect(s.sends).toEqual([0, 10, 14, 24]);
    expect(s.received()).toEqual(new Uint8Array(await f.arrayBuffer()));
    expect(s.sleeps[0]).toBe(500);
    expect(seen.at(-1)?.retries).toBe(1);
  });

  it("asks for the completion again when its answer is lost or the server is still processing", async () => {
    const f = file(12);
    // The connection drops (0), then the server is still parsing (409), then the file is stored.
    const s = fakeServer(10, [], [0, 409]);
    const out = await uploadResumable(f, { phasePollMs: 1_000_000 }, s.transport);
    expect(out.id).toBe("f1");
    expect(s.sleeps.filter((ms) => ms !== 1_000_000)).toEqual([500, 1000]);
    const refused = fakeServer(10, [], [422]);
    await expect(uploadResumable(f, { phasePollMs: 1_000_000 }, refused.transport)).rejects.toMatchObject({
      status: 422,
    });
  });

  it("gives up after maxRetries failures in a row, pausing 0.5, 1, 2, 4 s in between", async () => {
    const s = fakeServer(
      10,
      Array.from({ length: 10 }, () => ({ drop: 0 })),
    );
    await expect(
      uploadResumable(file(30), { maxRetries: 4, phasePollMs: 0 }, s.transport),
    ).rejects.toMatchObject({
      status: 0,
    });
    expect(s.sends).toHaveLength(5);
    expect(s.sleeps).toEqual([500, 1000, 2000, 4000]);
  });

  it("a refusal (422: not a CSV) is final: no retry", async () => {
    const s = fakeServer(10, [{ refuse: 422 }]);
    await expect(uploadResumable(file(30), { phasePollMs: 0 }, s.transport)).rejects.toMatchObject({
      status: 422,
    });
    expect(s.sends).toEqual([0]);
    expect(s.sleeps).toEqual([]);
  });

  it("retries the network, timeouts, a busy or failing server and an offset out of step; not refusals", () => {
    // By code: a problem without one (an older server, a proxy) is read by its status's generic code.
    for (const status of [0, 408, 429, 500, 502, 503])
      expect(isRetryable(new ApiError(status, {}))).toBe(true);
    for (const code of ["upload_offset_mismatch", "upload_closed", "upload_incomplete"] as const)
      expect(isRetryable(new ApiError(409, { code }))).toBe(true);
    for (const status of [400, 401, 403, 404, 413, 422])
      expect(isRetryable(new ApiError(status, {}))).toBe(false);
    // A conflict that is not the upload's own (a revision conflict, say) comes back the same.
    expect(isRetryable(new ApiError(409, { code: "revision_conflict" }))).toBe(false);
    expect(isRetryable(new ApiError(409, {}))).toBe(false);
    expect(isRetryable(new TypeError("fetch failed"))).toBe(true);
  });
});
