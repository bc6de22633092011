import { describe, expect, it } from "vitest";
import { MAX_PHASE_MARKS, notePhase, type PhaseMark } from "../src/runs/phase-timings.ts";

describe("notePhase", () => {
  it("marks a phase once, however many counts it reports after its colon", () => {
    const marks: PhaseMark[] = [];
    notePhase(marks, "checking the data", 1);
    for (let l = 0; l < 100; l++) notePhase(marks, `lambda path: ${l + 1} fitted`, 10 + l);
    for (let k = 0; k < 10; k++) notePhase(marks, `cross-validation: ${k + 1} of 10 folds`, 200 + k);
    notePhase(marks, "evaluating", 300);
    notePhase(marks, "forward selection: 1 of 15 fields", 400);
    expect(marks).toEqual([
      { message: "checking the data", at: 1 },
      { message: "lambda path: 1 fitted", at: 10 },
      { message: "cross-validation: 1 of 10 folds", at: 200 },
      { message: "evaluating", at: 300 },
      { message: "forward selection: 1 of 15 fields", at: 400 },
    ]);
  });

  it("marks a phase again when it comes back after another, and stops at the cap", () => {
    const marks: PhaseMark[] = [];
    notePhase(marks, "Phase 1 of 5: Planning", 1);
    notePhase(marks, "Phase 2 of 5: Retrieval", 2);
    notePhase(marks, "Phase 1 of 5: Planning", 3);
    notePhase(marks, undefined, 4);
    notePhase(marks, "", 5);
    expect(marks.map((m) => m.message)).toEqual([
      "Phase 1 of 5: Planning",
      "Phase 2 of 5: Retrieval",
      "Phase 1 of 5: Planning",
    ]);
    for (let i = 0; i < 2 * MAX_PHASE_MARKS; i++) notePhase(marks, `step ${i}`, 10 + i);
    expect(marks).toHaveLength(MAX_PHASE_MARKS);
  });
});
