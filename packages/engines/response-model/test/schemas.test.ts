import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  checkData,
  type DataReport,
  DataReportOutput,
  normalizeTable,
  readDirectionMeta,
} from "../src/data/index.ts";
import {
  type Evaluation,
  EvaluationOutput,
  evaluateScores,
  ForwardSelectionOutput,
  type ForwardSelectionResult,
  forwardSelection,
  gainsFromDeciles,
  type MailingPlan,
  MailingPlanOutput,
  mailingPlan,
} from "../src/evaluate/index.ts";
import { readFixtureTable } from "./support/fixtures.ts";
import { scoredSample } from "./support/random.ts";

// Compile-time: each schema's type and the interface are assignable both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameEvaluation: Same<z.infer<typeof EvaluationOutput>, Evaluation> = true;
const samePlan: Same<z.infer<typeof MailingPlanOutput>, MailingPlan> = true;
const sameSelection: Same<z.infer<typeof ForwardSelectionOutput>, ForwardSelectionResult> = true;
const sameReport: Same<z.infer<typeof DataReportOutput>, DataReport> = true;

describe("output schemas", () => {
  it("match the interfaces and accept real outputs (no NaN/Infinity, which zod rejects)", async () => {
    expect([sameEvaluation, samePlan, sameSelection, sameReport]).toEqual([true, true, true, true]);
    const { y, p } = scoredSample(2000, 51, 0.15, 0.01);
    const evaluation = evaluateScores(y, p);
    expect(EvaluationOutput.parse(evaluation)).toEqual(evaluation);
    const plan = mailingPlan({
      fileSize: 50_000,
      costPerPieceUsd: 0.55,
      valuePerResponseUsd: 30,
      budgetUsd: 10_000,
      baseRate: 0.02,
      gains: gainsFromDeciles(evaluation.deciles),
    });
    expect(MailingPlanOutput.parse(plan)).toEqual(plan);
    const selection = await forwardSelection(
      [
        { name: "a", baseField: "a", costPerField: 2 },
        { name: "b", baseField: "b" },
      ],
      (names) => 0.5 + 0.1 * names.length,
    );
    expect(ForwardSelectionOutput.parse(selection)).toEqual(selection);
    const { table, mapping } = normalizeTable(readFixtureTable("sample_data.csv"));
    const report = checkData({
      table,
      target: "target",
      directions: readDirectionMeta(readFixtureTable("sample_data_meta.csv")).hints,
      originalOf: mapping.originalOf,
    });
    expect(DataReportOutput.parse(report)).toEqual(report);
    expect(() => EvaluationOutput.parse({ ...evaluation, gini: Number.NaN })).toThrow();
  });
});
