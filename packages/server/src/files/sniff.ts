import { open } from "node:fs/promises";
import path from "node:path";
import type { ErrorCode } from "@modelworks/contracts/errors";
import { fileTypeFromBuffer } from "file-type";
import { stripBidi } from "./names.ts";

/** What an upload may be. Anything else is refused before it is parsed. */
export const FILE_KINDS = ["csv", "xlsx"] as const;
export type FileKind = (typeof FILE_KINDS)[number];

const EXTENSIONS: Record<string, FileKind> = { ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx" };
export const ACCEPTED_EXTENSIONS = Object.keys(EXTENSIONS);

export class FileRejected extends Error {
  constructor(
    message: string,
    /** The catalogue code it is answered with (./ingest.ts `rejected`). */
    readonly code: Extract<ErrorCode, "file_invalid" | "unsupported_file_type"> = "file_invalid",
  ) {
    super(message);
  }
}

/**
 * The name a person gave the file, reduced to its last path segment with control and reserved
 * characters removed. It is only ever displayed: storage keys are content hashes, so a name
 * like `../../etc/passwd.csv` cannot reach anything.
 */
export function safeFileName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? "";
  const cleaned = stripBidi(last)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "")
    .trim()
    .slice(-200);
  if (!cleaned || /^\.+$/.test(cleaned) || cleaned.startsWith(".")) {
    throw new FileRejected(`"${stripBidi(raw).slice(0, 100)}" is not a usable file name.`);
  }
  return cleaned;
}

export function kindFromName(name: string): FileKind {
  const ext = path.extname(name).toLowerCase();
  const kind = EXTENSIONS[ext];
  if (!kind) {
    throw new FileRejected(
      `Files of type "${ext || "(none)"}" are not accepted; upload ${ACCEPTED_EXTENSIONS.join(", ")}.`,
      "unsupported_file_type",
    );
  }
  return kind;
}

export type TextEncoding = "utf-8" | "utf-16" | "latin-1";

export interface Sniffed {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start (skipped by the parser). */
  bom: number;
}

const HEAD_BYTES = 64 * 1024;

/**
 * Checks that the bytes are what the extension says, by magic bytes rather than by name:
 * an XLSX must be a ZIP holding a workbook (file-type looks inside for `xl/`), and a CSV must be
 * text — no known binary signature and no NUL bytes in its first 64 KiB (UTF-16 aside).
 * For text, also sniffs the encoding: a BOM decides; otherwise valid UTF-8 is UTF-8 and
 * anything else is read as Latin-1 (Windows exports), which never fails to decode.
 */
export async function checkContent(file: string, kind: FileKind, size: number): Promise<Sniffed> {
  if (size === 0) throw new FileRejected("The file is empty.");
  const head = await readHead(file, HEAD_BYTES);
  const detected = await fileTypeFromBuffer(head);
  if (kind === "xlsx") {
    // A ZIP whose first entries do not give away a workbook is "zip" here; the archive check
    // (./xlsx.ts) then decides from its directory whether it is one.
    if (detected?.ext !== "xlsx" && detected?.ext !== "zip") {
      throw new FileRejected(
        `The file is named .xlsx but its content is ${detected ? `${detected.ext.toUpperCase()} data` : "not an Excel workbook"}.`,
      );
    }
    return { encoding: "utf-8", bom: 0 };
  }
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) ? 2 : 0;
  if (utf16) {
    if (head[0] === 0xfe) throw new FileRejected("UTF-16 big-endian text is not supported; save as UTF-8.");
    return { encoding: "utf-16", bom: 2 };
  }
  if (detected && detected.mime !== "text/plain") {
    throw new FileRejected(
      `The file is named as text (CSV) but its content is ${detected.ext.toUpperCase()} data (${detected.mime}).`,
    );
  }
  if (head.includes(0)) throw new FileRejected("The file is named as text (CSV) but contains binary data.");
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  return { encoding: isUtf8Prefix(head, size <= HEAD_BYTES) ? "utf-8" : "latin-1", bom };
}

async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Valid UTF-8, allowing a multi-byte character cut off at the end of a partial read. */
function isUtf8Prefix(buf: Buffer, whole: boolean): boolean {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    decoder.decode(buf, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}
