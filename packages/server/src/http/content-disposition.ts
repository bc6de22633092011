import { stripBidi } from "../files/names.ts";

/**
 * The one `Content-Disposition: attachment` builder (RFC 6266): an ASCII `filename` that no
 * client can misread — bidi controls dropped (see stripBidi), accents folded, anything else
 * outside `[A-Za-z0-9._-]` a dash, no leading dots or dashes — and, with `exactName`, the name as
 * given in RFC 8187 form (`filename*=UTF-8''…`), which current browsers prefer.
 */
export function contentDisposition(
  stem: string,
  opts: {
    /** Appended after the stem (`.scenario.json`), kept out of the cleaning and the length cap. */
    extension?: string;
    /** The stem when nothing of it is left. */
    fallback?: string;
    maxLength?: number;
    exactName?: boolean;
  } = {},
): string {
  const { extension = "", fallback = "export", maxLength = 150, exactName = false } = opts;
  const name = stripBidi(stem);
  const ascii =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[.-]+|-+$/g, "")
      .slice(0, maxLength) || fallback;
  const header = `attachment; filename="${ascii}${extension}"`;
  if (!exactName) return header;
  const exact = encodeURIComponent(`${name}${extension}`).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${header}; filename*=UTF-8''${exact}`;
}
