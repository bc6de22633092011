/** Escapes LIKE wildcards so user text matches literally: a search for `50%` means the text "50%". */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
