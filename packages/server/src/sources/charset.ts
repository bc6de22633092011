/**
 * Bytes → text for fetched feeds and pages, in the order browsers use (WHATWG encoding sniffing):
 * a byte-order mark, then the Content-Type charset, then the document's own declaration
 * (`<?xml encoding=…?>` or `<meta charset>` in the first 1024 bytes), then UTF-8 if the bytes are
 * valid UTF-8, else Windows-1252. Labels go through TextDecoder, which maps ISO-8859-1 and
 * "latin1" to Windows-1252 as browsers do (so 0x93 is “ and not a control character).
 */
export interface Decoded {
  text: string;
  /** The WHATWG encoding name used ("utf-8", "windows-1252", …). */
  encoding: string;
  /** Where the encoding came from. */
  from: "bom" | "header" | "document" | "utf-8-valid" | "fallback";
}

const BOMS: [number[], string][] = [
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

/**
 * Windows-1252's 0x80–0x9F (curly quotes, dashes, €). Node 20's TextDecoder("windows-1252")
 * decodes those bytes as ISO-8859-1 C1 controls (U+0080–U+009F), so the table is applied here.
 */
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

function decodeWindows1252(body: Uint8Array): string {
  let out = "";
  for (let i = 0; i < body.length; i += 8192) {
    const chunk = body.subarray(i, i + 8192);
    out += String.fromCharCode(
      ...Array.from(chunk, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b)),
    );
  }
  return out;
}

interface Decoder {
  encoding: string;
  decode(body: Uint8Array): string;
}

function decoderFor(label: string | undefined): Decoder | null {
  if (!label) return null;
  let d: Decoder;
  try {
    d = new TextDecoder(label.trim().replace(/^["']|["']$/g, ""));
  } catch {
    return null; // an unknown label is ignored, as browsers do
  }
  return d.encoding === "windows-1252" ? { encoding: d.encoding, decode: decodeWindows1252 } : d;
}

export function charsetOfContentType(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? "")?.[2];
}

/** The encoding the document declares about itself, read from its ASCII-compatible head. */
export function declaredCharset(head: string): string | undefined {
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml) return xml[1];
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta?.[1];
}

export function decodeBody(body: Uint8Array, contentType?: string): Decoded {
  for (const [bom, encoding] of BOMS) {
    if (bom.every((b, i) => body[i] === b))
      return { text: new TextDecoder(encoding).decode(body.subarray(bom.length)), encoding, from: "bom" };
  }
  const header = decoderFor(charsetOfContentType(contentType));
  if (header) return { text: header.decode(body), encoding: header.encoding, from: "header" };
  const head = decodeWindows1252(body.subarray(0, 1024));
  const declared = decoderFor(declaredCharset(head));
  // A page that declares UTF-16 in ASCII bytes is not UTF-16 (browsers read it as UTF-8).
  if (declared && !declared.encoding.startsWith("utf-16"))
    return { text: declared.decode(body), encoding: declared.encoding, from: "document" };
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true }).decode(body),
      encoding: "utf-8",
      from: "utf-8-valid",
    };
  } catch {
    return { text: decodeWindows1252(body), encoding: "windows-1252", from: "fallback" };
  }
}
