/**
 * The one tokenizer every phase shares (query analysis, BM25, insights, learning), so a term means
 * the same thing everywhere: NFKC, lower case, split on anything that is not a letter or digit,
 * English stopwords dropped, then a light suffix stemmer.
 *
 * The stemmer is deliberately small (an "S-stemmer" plus -ing/-ed/-ly): it folds the plural and
 * verb forms that matter for matching a topic against articles ("payments" → "payment",
 * "regulations" → "regulation", "scaling" → "scal", "policies" → "policy") without Porter's
 * aggressive conflations ("university" / "universe"). Query and documents go through the same
 * function, so a stem only has to be consistent, not a dictionary word. It never changes a
 * word's first two characters, which lets BM25 skip stemming words no query term starts like.
 */
const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below " +
    "between both but by can could did do does doing down during each few for from further had has have " +
    "having he her here hers herself him himself his how i if in into is it its itself just me more most " +
    "my myself no nor not now of off on once only or other our ours ourselves out over own same she should " +
    "so some such than that the their theirs them themselves then there these they this those through to " +
    "too under until up very was we were what when where which while who whom why will with would you " +
    "your yours yourself yourselves also may might must shall us via vs per its it's than"
  ).split(/\s+/),
);

/** Whether a lower-cased word is a stopword. */
export const isStopword = (word: string) => STOPWORDS.has(word);

/** Words as they appear (lower case, NFKC), stopwords kept: the raw material of tokens and shingles. */
export function words(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The light stemmer described above. */
export function stem(word: string): string {
  if (word.length <= 3 || /^\d/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("s") && !/(ss|us|is)$/.test(word)) word = word.slice(0, -1);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  if (word.endsWith("ly") && word.length > 4) return word.slice(0, -2);
  return word;
}

/** Index terms of a text: words minus stopwords, stemmed. Order and repeats are kept (BM25 counts them). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOPWORDS.has(w)) out.push(stem(w));
  return out;
}

/** Sentences of a text (split after . ! ? followed by a space and a capital, digit or quote). */
export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+(?=["“'‘(\p{Lu}\p{N}])/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Cuts a text to at most `maxChars` at a word boundary, marking the cut with "…". */
export function truncateWords(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, Math.max(0, maxChars - 1));
  const at = cut.lastIndexOf(" ");
  return `${(at > maxChars / 2 ? cut.slice(0, at) : cut).replace(/[\s,;:.-]+$/, "")}…`;
}
