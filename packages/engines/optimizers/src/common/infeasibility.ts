import type { InfeasibilityReport, RelaxationChange } from "@modelworks/solver";

/**
 * The infeasibility explanation every optimizer returns: the solver's conflicting set (IIS) and
 * smallest relaxation, with each change worded by the engine (`relaxationText`) and a summary a
 * person can act on. Only the nouns differ between engines ("rules" / "constraints", "schedule" /
 * "plan" / "stack").
 */
export function explainInfeasibility(
  inf: InfeasibilityReport,
  about: Readonly<Record<string, { what: string } | undefined>>,
  relaxationText: (c: RelaxationChange) => string,
  words: { rules: string; plan: string },
) {
  const relaxation =
    inf.relaxation?.changes.map((c) => ({
      constraint: c.name,
      kind: c.kind,
      unit: c.unit,
      limit: c.limit,
      current: c.current,
      required: c.required,
      change: c.change,
      explanation: relaxationText(c),
    })) ?? null;
  const summary: string[] = [];
  if (inf.iis)
    summary.push(
      `These ${words.rules} cannot hold together${inf.iis.irreducible ? "" : " (a conflicting set, possibly not minimal)"}: ` +
        [
          ...inf.iis.constraints.map((c) => `${c.constraint} (${about[c.constraint]?.what ?? c.limit})`),
          ...inf.iis.bounds.map((b) => `bound of ${b.variable}`),
        ].join("; ") +
        ".",
    );
  if (relaxation?.length)
    summary.push(
      `Smallest change that makes a ${words.plan} possible: ${relaxation.map((r) => r.explanation).join(" ")}`,
    );
  return {
    iis: inf.iis
      ? {
          irreducible: inf.iis.irreducible,
          constraints: inf.iis.constraints.map((c) => ({
            constraint: c.constraint,
            unit: c.unit,
            limit: c.limit,
          })),
          bounds: inf.iis.bounds.map((b) => ({ variable: b.variable, unit: b.unit, bound: b.bound })),
        }
      : null,
    iisNote: inf.iisNote ?? null,
    relaxation,
    relaxationNote: inf.relaxationNote ?? null,
    summary,
  };
}
