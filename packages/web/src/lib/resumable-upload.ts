import type { UploadDto } from "@modelworks/contracts/uploads";
import type { z } from "zod";
import { ApiError, hasCode } from "../api.ts";
import type { UploadedFile } from "./files.ts";

/**
 * A file sent as a resumable upload (server: POST /uploads, PATCH chunks at an offset, POST
 * /uploads/:id/complete; decision 0013): a dropped connection costs one chunk, not the file. After
 * a failed chunk the client asks the server how many bytes it kept and goes on from there, with
 * a growing pause, up to `maxRetries` failures in a row. Refusals (422, 413, 403…) are final.
 */

export type UploadSession = z.output<typeof UploadDto>;
export type UploadPhase = UploadSession["phase"];

export interface UploadProgress {
  /** Bytes the server has, plus those of the chunk on its way. */
  sentBytes: number;
  totalBytes: number;
  /** receiving while bytes go out; then the server's checking → parsing → profiling. */
  phase: UploadPhase;
  /** Failed chunks so far (each resumed from the server's offset). */
  retries: number;
}

/** The four calls of the protocol, and a clock: lib/upload-transport.ts in the app, a fake in tests. */
export interface UploadTransport {
  create(body: {
    name: string;
    sizeBytes: number;
    contentType?: string;
    sheet?: string;
  }): Promise<UploadSession>;
  /** Sends bytes at `offset`; resolves with the server's new offset. */
  sendChunk(id: string, offset: number, chunk: Blob, onSent: (bytes: number) => void): Promise<number>;
  status(id: string): Promise<UploadSession>;
  complete(id: string): Promise<UploadedFile>;
  sleep(ms: number): Promise<void>;
}

export interface UploadOptions {
  sheet?: string | undefined;
  onProgress?: (p: UploadProgress) => void;
  maxRetries?: number;
  /** Pause before the n-th retry in a row: base · 2^(n−1), at most 8 s. */
  retryBaseMs?: number;
  /** How often the phase is read while the server processes the file. */
  phasePollMs?: number;
}

/** The pause before the n-th retry in a row (n ≥ 1): base · 2^(n−1), at most 8 s. */
const backoff = (baseMs: number) => (n: number) => Math.min(8_000, baseMs * 2 ** (n - 1));

/** Worth another try: the network, a timeout, a busy or failing server, an offset out of step. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return hasCode(
    err,
    "network_error",
    "request_timeout",
    "rate_limited",
    "internal",
    "unavailable",
    "upload_offset_mismatch",
    "upload_closed",
    "upload_incomplete",
  );
}

export async function uploadResumable(
  file: Blob & { name: string },
  opts: UploadOptions = {},
  transport: UploadTransport,
): Promise<UploadedFile> {
  const maxRetries = opts.maxRetries ?? 5;
  const pause = backoff(opts.retryBaseMs ?? 500);
  const total = file.size;
  let retries = 0;
  const report = (sentBytes: number, phase: UploadPhase) =>
    opts.onProgress?.({ sentBytes: Math.min(total, sentBytes), totalBytes: total, phase, retries });

  const session = await transport.create({
    name: file.name,
    sizeBytes: total,
    ...(file.type ? { contentType: file.type } : {}),
    ...(opts.sheet ? { sheet: opts.sheet } : {}),
  });
  const chunkBytes = Math.max(1, session.chunkSizeBytes);
  let offset = session.offsetBytes;
  let failuresInRow = 0;
  report(offset, "receiving");
  while (offset < total) {
    const at = offset;
    try {
      offset = await transport.sendChunk(session.id, at, file.slice(at, at + chunkBytes), (b) =>
        report(at + b, "receiving"),
      );
      failuresInRow = 0;
    } catch (err) {
      if (!isRetryable(err) || failuresInRow >= maxRetries) throw err;
      failuresInRow++;
      retries++;
      await transport.sleep(pause(failuresInRow));
      // What the server kept of the failed chunk (tus: bytes persisted, not bytes in flight).
      offset = await resync(transport, session.id).catch(() => at);
    }
    report(offset, "receiving");
  }
  return completeWithPhases(transport, session.id, total, report, {
    pollMs: opts.phasePollMs ?? 1_000,
    maxRetries,
    pause,
  });
}

async function resync(transport: UploadTransport, id: string): Promise<number> {
  const s = await transport.status(id);
  if (s.phase !== "receiving")
    throw new ApiError(409, { title: "Conflict", detail: `The upload is ${s.phase}.` });
  return s.offsetBytes;
}

/**
 * POST complete, reading the phase meanwhile so the person sees parsing → profiling. A dropped
 * answer (a proxy timing out on a large file, say) is asked again: the server answers a repeat with
 * the stored file, and 409 while it is still processing, so the client waits and asks again.
 */
async function completeWithPhases(
  transport: UploadTransport,
  id: string,
  total: number,
  report: (sent: number, phase: UploadPhase) => void,
  o: { pollMs: number; maxRetries: number; pause: (n: number) => number },
): Promise<UploadedFile> {
  report(total, "checking");
  let done = false;
  void (async () => {
    while (!done) {
      await transport.sleep(o.pollMs);
      if (done) break;
      const s = await transport.status(id).catch(() => null);
      if (!done && s && s.phase !== "stored" && s.phase !== "failed") report(total, s.phase);
    }
  })();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await transport.complete(id);
      } catch (err) {
        if (!isRetryable(err) || attempt >= o.maxRetries) throw err;
        await transport.sleep(o.pause(attempt + 1));
      }
    }
  } finally {
    done = true;
  }
}
