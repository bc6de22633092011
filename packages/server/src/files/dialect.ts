/**
 * CSV dialect sniffing on the first lines of a file: which delimiter, and the header's cells.
 * DuckDB's own sniffer picks a one-column reading of a `;` file when a few rows are ragged, and
 * then reports nothing wrong; deciding the delimiter here (from how consistently each candidate
 * splits the lines) lets DuckDB parse strictly and name every ragged row instead.
 */

const PREFERRED = [",", ";", "\t", "|"];

/** Splits one line on `delim`, honouring double quotes (`""` inside quotes is a quote). */
export function splitLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (line.startsWith(delim, i)) {
      out.push(cell);
      cell = "";
      i += delim.length - 1;
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** Lines of a text sample, dropping a last line cut off by the sample's end. */
export function sampleLines(text: string, complete: boolean): string[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  if (!complete) lines.pop();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(0, 500);
}

export function sniffDelimiter(lines: string[]): string {
  if (lines.length === 0) return ",";
  const header = lines[0]!;
  // Any printable character that is not a letter, digit, quote or space may be a delimiter.
  const candidates = [...new Set([...PREFERRED, ...header.replace(/[\p{L}\p{N}"' _.-]/gu, "")])].filter((c) =>
    header.includes(c),
  );
  let best = { delim: ",", score: -1, fields: 1 };
  for (const delim of candidates) {
    const counts = lines.map((l) => splitLine(l, delim).length);
    const fields = counts[0]!;
    if (fields < 2) continue;
    const agree = counts.filter((c) => c === fields).length / counts.length;
    // Agreement first; then the more conventional delimiter; then more fields.
    const conventional = PREFERRED.includes(delim) ? 10 - PREFERRED.indexOf(delim) : 0;
    const score = agree * 1000 + conventional + fields / 1000;
    if (score > best.score) best = { delim, score, fields };
  }
  return best.delim;
}

export interface HeaderNames {
  names: string[];
  /** Headers that were blank or repeated, and the names they were given. */
  renamed: { column: number; from: string; to: string }[];
}

/**
 * Duplicate and blank headers are renamed, not rejected: `amount, amount` becomes `amount,
 * amount_2` and the file's record lists every rename, so a person sees it in the profile and
 * the mapping step can still address each column.
 */
export function uniqueHeaders(raw: string[]): HeaderNames {
  const seen = new Set<string>();
  const renamed: HeaderNames["renamed"] = [];
  const names = raw.map((h, i) => {
    const base = h.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    seen.add(name.toLowerCase());
    if (name !== h.trim()) renamed.push({ column: i + 1, from: h, to: name });
    return name;
  });
  return { names, renamed };
}

const DECIMAL_COMMA = /^\s*[-+]?\d+,\d+\s*$/;
const DECIMAL_POINT = /^\s*[-+]?\d*\.\d+\s*$/;

/**
 * The decimal separator of a delimited file: "," when the delimiter is not a comma and numbers in
 * the sample are written `72,0` but never `72.0` (European exports: `;`-separated, Latin-1);
 * otherwise ".". A file mixing both is read with "." so nothing is silently re-scaled: its
 * comma-decimal cells stay text, as they would in any other tool.
 */
export function sniffDecimal(lines: string[], delim: string): "." | "," {
  if (delim === ",") return ".";
  let comma = 0;
  let point = 0;
  for (const line of lines.slice(1)) {
    for (const cell of splitLine(line, delim)) {
      if (DECIMAL_COMMA.test(cell)) comma++;
      else if (DECIMAL_POINT.test(cell)) point++;
    }
  }
  return comma > 0 && point === 0 ? "," : ".";
}
