import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/**
 * Precompresses the build's text files (`<file>.br` at brotli's best quality, `<file>.gz` at
 * gzip's), so the server sends compressed bytes without compressing per request
 * (packages/server/src/http/web-app.ts negotiates which). Files under 1 KB are left alone: the
 * headers would outweigh the saving.
 */
const TEXT = /\.(html|js|mjs|css|svg|json|map|txt)$/;
const MIN_BYTES = 1024;

export function precompress(dir: string): { files: number; bytes: number; brBytes: number; gzBytes: number } {
  const totals = { files: 0, bytes: 0, brBytes: 0, gzBytes: 0 };
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      if (!TEXT.test(entry)) continue;
      const body = readFileSync(path);
      if (body.length < MIN_BYTES) continue;
      const br = brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
      const gz = gzipSync(body, { level: 9 });
      writeFileSync(`${path}.br`, br);
      writeFileSync(`${path}.gz`, gz);
      totals.files++;
      totals.bytes += body.length;
      totals.brBytes += br.length;
      totals.gzBytes += gz.length;
    }
  };
  walk(dir);
  return totals;
}
