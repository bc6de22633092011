/** What the user's stated goal asks for, read by keywords: no language model, so it is predictable. */
export interface GoalIntent {
  /** Column names the goal mentions, in the order it mentions them. */
  mentioned: string[];
  /** The column after "by" / "per" / "across" ("violent crime by state"). */
  by: string | null;
  trend: boolean;
  compare: boolean;
  map: boolean;
  distribution: boolean;
  correlation: boolean;
  /** "top 5" / "top five". */
  topN: number | null;
}

const NUMBER_WORDS: Record<string, number> = { three: 3, five: 5, ten: 10, twenty: 20 };
const spaced = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

export function readGoal(goal: string | undefined, columns: readonly string[]): GoalIntent {
  const text = ` ${spaced(goal ?? "")} `;
  const found = columns
    .map((c) => ({ c, at: text.indexOf(` ${spaced(c)} `) }))
    .filter((m) => spaced(m.c) !== "" && m.at >= 0)
    .sort((a, b) => a.at - b.at || b.c.length - a.c.length);
  const byMatch = / (?:by|per|across|for each) ([a-z0-9 ]+)/.exec(text);
  const by = byMatch
    ? (columns
        .filter((c) => byMatch[1]!.startsWith(`${spaced(c)} `) || byMatch[1] === spaced(c))
        .sort((a, b) => b.length - a.length)[0] ?? null)
    : null;
  const top = / top (\d{1,3}|three|five|ten|twenty) /.exec(text);
  const has = (re: RegExp) => re.test(text);
  return {
    mentioned: found.map((m) => m.c),
    by,
    trend: has(/ (trends?|over time|growth|evolution|history|change|changes|monthly|yearly|annual) /),
    compare: has(/ (compare|comparing|comparison|vs|versus|against|difference) /),
    map: has(/ (map|maps|where|geograph\w*|regional) /),
    distribution: has(/ (distribution|spread|histogram|range of) /),
    correlation: has(/ (correlat\w*|relationship|related|scatter) /),
    topN: top ? (NUMBER_WORDS[top[1]!] ?? Number(top[1])) : null,
  };
}
