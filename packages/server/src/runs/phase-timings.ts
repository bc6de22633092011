import type { PhaseTimingDto } from "@modelworks/contracts/runs";

/**
 * A run's phase timings (issue 17): engines are pure and keep no clock, so the platform notes when
 * each distinct progress message is reported — in the engine thread, as the model reports it,
 * since downstream the host coalesces progress to one message per 50 ms (a fast phase would
 * vanish, and the rest arrive late) and the result may overtake the last messages — and the
 * runner stores them with the run.
 */

/** When a distinct progress message was first seen (ms since the epoch). */
export type PhaseMark = { message: string; at: number };

/** Distinct messages timed per run: phases, not a log (an engine may report per row). */
export const MAX_PHASE_MARKS = 50;

/** A message's phase: its text up to the first ":" ("cross-validation: 3 of 10 folds" → "cross-validation"). */
const phaseOf = (message: string) => {
  const colon = message.indexOf(":");
  return colon < 0 ? message : message.slice(0, colon);
};

/**
 * Appends a mark when the message starts a new phase (its text before the first ":" differs from
 * the last mark's) and the cap is not reached. A count after the colon is progress within the
 * phase: marked per message, a 100-lambda path filled the cap and every later phase went unmarked.
 */
export function notePhase(marks: PhaseMark[], message: string | undefined, at: number): void {
  const last = marks.at(-1)?.message;
  if (message && (last === undefined || phaseOf(message) !== phaseOf(last)) && marks.length < MAX_PHASE_MARKS)
    marks.push({ message: message.slice(0, 200), at });
}

/** Each mark's phase runs until the next mark, the last one until the engine returned (`endMs`). */
export function phaseTimings(marks: readonly PhaseMark[], endMs: number): PhaseTimingDto[] {
  return marks.map((m, i) => {
    const end = Math.max(m.at, marks[i + 1]?.at ?? endMs);
    return {
      message: m.message,
      startedAt: new Date(m.at).toISOString(),
      endedAt: new Date(end).toISOString(),
      durationMs: end - m.at,
    };
  });
}
