import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  checkDebtStackPlan,
  DEBT_STACK_EXAMPLES,
  type DebtStackInputRaw,
  debtStackV3,
  evaluateDebtStackPlan,
  optimizeDebtStack,
  pmt,
  simulateLoan,
  unitSchedule,
} from "../../src/index.ts";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const run = (raw: DebtStackInputRaw) => executeModel(debtStackV3, raw, createContext());
const planOf = (out: Awaited<ReturnType<typeof run>>) => ({
  amounts: Object.fromEntries(out.tranches.map((t) => [t.trancheId, t.amount])),
  equity: out.kpis!.equity,
  notionals: Object.fromEntries(out.hedges.map((h) => [h.hedgeId, h.notional])),
});

/** One fixed tranche, costly equity (so debt is maximised up to the tightest covenant). */
function oneTranche(
  over: Partial<DebtStackInputRaw> & { tranche?: Record<string, unknown> } = {},
): DebtStackInputRaw {
  const { tranche, ...rest } = over;
  return {
    purchasePrice: 10_000_000,
    equityAvailable: 10_000_000,
    equityCostRate: 0.12,
    noi: [2_000_000, 2_000_000, 2_000_000, 2_000_000, 2_000_000],
    targets: { maxLtv: 0.6, minDscr: 1.25 },
    tranches: [
      {
        id: "senior",
        rateType: "fixed",
        fixedRate: 0.05,
        maxShare: 1,
        termMonths: 60,
        ...tranche,
      } as DebtStackInputRaw["tranches"][number],
    ],
    ...rest,
  };
}

describe("mortgage constant and amortization schedule vs the closed form", () => {
  const r = 0.06;
  const i = r / 12;
  const n = 300;
  const tranche = parseInput(
    debtStackV3,
    oneTranche({ tranche: { ioMonths: 12, amortizationMonths: n, termMonths: 120 } }),
  ).tranches[0]!;
  const base = parseInput(debtStackV3, oneTranche()).rateScenarios[0]!;
  const sched = unitSchedule({ ...tranche, fixedRate: r }, base, 10);

  it("PMT: i / (1 − (1 + i)^−n)", () => {
    expect(pmt(i, n, 1)).toBeCloseTo(0.006443014, 9); // 6%, 25 years: 6.443014 per 1,000 (published tables)
    expect(pmt(0, 10, 1)).toBe(0.1);
  });
  it("interest-only year 1, then 12 level payments a year; balances match B_k = (1+i)^k − PMT·((1+i)^k − 1)/i", () => {
    expect(sched[0]!.payment).toBeCloseTo(r, 12);
    expect(sched[0]!.principal).toBe(0);
    const P = pmt(i, n, 1);
    for (let y = 2; y <= 10; y++) {
      expect(sched[y - 1]!.payment).toBeCloseTo(12 * P, 12); // the year's mortgage constant
      const k = 12 * (y - 1);
      const closed = (1 + i) ** k - (P * ((1 + i) ** k - 1)) / i;
      expect(sched[y - 1]!.closingBalance).toBeCloseTo(closed, 12);
    }
  });
  it("the checker's month-by-month loan on the actual amount equals amount × per-unit schedule", () => {
    const loan = simulateLoan(7_000_000, 10, 12, n, () => r);
    loan.forEach((row, y) => {
      expect(rel(row.payment, 7_000_000 * sched[y]!.payment)).toBeLessThan(1e-10);
      expect(rel(row.closingBalance, 7_000_000 * sched[y]!.closingBalance)).toBeLessThan(1e-9);
    });
  });
  it("a fully amortizing loan reaches zero exactly at the end of its amortization", () => {
    const loan = simulateLoan(1_000_000, 3, 0, 24, () => 0.08);
    expect(loan[1]!.closingBalance).toBeCloseTo(0, 6);
    expect(loan[2]!.payment).toBeCloseTo(0, 6);
    expect(loan[0]!.payment + loan[1]!.payment).toBeCloseTo(24 * pmt(0.08 / 12, 24, 1_000_000), 4);
  });
});

describe("hand-checked small cases", () => {
  it("bound by LTV: debt = 0.6 × 10M = 6M, equity 4M, cost 0.05·6M + 0.12·4M = 780,000/yr", async () => {
    const out = await run(oneTranche());
    expect(out.status).toBe("optimal");
    expect(out.tranches[0]!.amount).toBeCloseTo(6_000_000, 4);
    expect(out.kpis!.equity).toBeCloseTo(4_000_000, 4);
    expect(out.kpis!.objective).toBeCloseTo(780_000, 4);
    expect(out.binding).toContain("Max LTV");
    // Each AED of LTV limit replaces 12% equity with 5% debt: −0.07 AED/yr.
    const ltv = out.shadowPrices!.rows.find((r) => r.constraint === "Max LTV")!;
    expect(ltv.pricePerUnit).toBeCloseTo(-0.07, 9);
    expect(out.verification).toEqual({ feasible: true, violations: [] });
  });

  it("bound by DSCR with amortization: d = NOI / (DSCR × 12·PMT(6%/12, 300))", async () => {
    const input = oneTranche({
      noi: [600_000, 600_000, 600_000, 600_000, 600_000],
      targets: { maxLtv: 0.8, minDscr: 1.25 },
      tranche: { fixedRate: 0.06, amortizationMonths: 300 },
    });
    const kappa = 12 * (0.06 / 12 / (1 - (1 + 0.06 / 12) ** -300)); // 0.07731617
    const expected = 600_000 / (1.25 * kappa); // 6,208,274.56
    expect(expected).toBeCloseTo(6_208_274.56, 1);
    const out = await run(input);
    expect(rel(out.tranches[0]!.amount, expected)).toBeLessThan(1e-7);
    expect(out.binding.some((b) => b.startsWith("Min DSCR year"))).toBe(true);
    for (const r of out.byYearScenario) expect(r.dscr!).toBeCloseTo(1.25, 6);
    expect(out.verification!.feasible).toBe(true);
  });

  it("interest-only months are cheaper on DSCR: year 1 IO at 6% lets year 1 carry more, years 2+ bind", async () => {
    const out = await run(
      oneTranche({
        noi: [600_000, 600_000],
        targets: { maxLtv: 0.9, minDscr: 1.25 },
        tranche: { fixedRate: 0.06, ioMonths: 12, amortizationMonths: 300, termMonths: 24 },
      }),
    );
    const kappa = 12 * pmt(0.005, 300, 1);
    expect(rel(out.tranches[0]!.amount, 600_000 / (1.25 * kappa))).toBeLessThan(1e-7);
    expect(out.byYearScenario[0]!.dscr!).toBeCloseTo(600_000 / (out.tranches[0]!.amount * 0.06), 9);
    expect(out.byYearScenario[0]!.dscr!).toBeGreaterThan(1.25);
  });

  it("free equity is used first; sources = uses with fees out of the proceeds", async () => {
    const out = await run({
      ...oneTranche({ equityCostRate: 0, equityAvailable: 3_000_000, closingCosts: 200_000 }),
      targets: { maxLtv: 0.75 },
      tranches: [
        { id: "senior", rateType: "fixed", fixedRate: 0.05, maxShare: 1, termMonths: 60, upfrontFee: 0.01 },
      ],
    });
    // 10.2M uses − 3M equity = 7.2M net proceeds = 0.99 × d.
    expect(out.tranches[0]!.amount).toBeCloseTo(7_200_000 / 0.99, 4);
    expect(out.kpis!.equity).toBeCloseTo(3_000_000, 4);
    // Gross sources and uses: the 1% fee (72,727.27) is a use, so both sides add up to 10,272,727.27.
    const fee = (7_200_000 / 0.99) * 0.01;
    expect(out.kpis!.financingFees).toBeCloseTo(fee, 4);
    expect(out.termSheet!.sources.reduce((a, s) => a + s.amount, 0)).toBeCloseTo(10_200_000 + fee, 4);
    expect(out.termSheet!.uses.reduce((a, s) => a + s.amount, 0)).toBeCloseTo(10_200_000 + fee, 4);
    expect(out.termSheet!.uses.map((u) => u.item)).toEqual([
      "Purchase price",
      "Closing costs",
      "Origination fees",
    ]);
  });
});

describe("independent re-check, strong duality, prices by re-solving", () => {
  const inputs: [string, DebtStackInputRaw][] = DEBT_STACK_EXAMPLES.map((e) => [e.name, e.input]);
  it.each(inputs)("%s: plan and every what-if re-checked from the recomputed schedule", async (_, raw) => {
    const out = await run(raw);
    const input = parseInput(debtStackV3, raw);
    expect(out.status).toBe("optimal");
    expect(checkDebtStackPlan(input, planOf(out))).toEqual([]);
    // DSCR recomputed per year and scenario from the amortization table.
    for (const row of out.byYearScenario) {
      const ds =
        out.amortization
          .filter((a) => a.year === row.year && a.scenario === row.scenario)
          .reduce((s, a) => s + a.payment, 0) + row.hedgeCost;
      expect(rel(ds, row.debtService)).toBeLessThan(1e-9);
      expect(row.noi / ds).toBeGreaterThanOrEqual(input.targets.minDscr! - 1e-7);
    }
    // The LP objective equals the independently evaluated annual cost.
    const e = evaluateDebtStackPlan(input, planOf(out));
    const indep = input.objective === "worst-case" ? e.worstCaseAnnualCost : e.expectedAnnualCost;
    expect(rel(out.kpis!.objective, indep)).toBeLessThan(1e-7);
    for (const w of out.whatIf) {
      if (w.status !== "optimal") continue;
      expect(w.totalDebt).toBeGreaterThan(0);
    }
  });

  it.each(inputs)(
    "%s: strong duality — objective = Σ price × limit (+ the fixed fees of the tranches used, with on/off tranches fixed)",
    async (_, raw) => {
      const out = await run(raw);
      const input = parseInput(debtStackV3, raw);
      const dual = out.shadowPrices!.rows.reduce((s, r) => s + r.pricePerUnit * r.limitValue, 0);
      // The fixed choices' own cost: fixed fees spread over the horizon (expected objective; in
      // the worst case they sit in the epigraph rows' limits instead).
      const fixedPart =
        input.objective === "expected"
          ? out.tranches.reduce((s, t) => s + (t.used ? t.fixedFee / input.noi.length : 0), 0)
          : 0;
      expect(out.shadowPrices!.basis).toBe(out.mip ? "mip-integers-fixed" : "lp");
      expect(rel(dual + fixedPart, out.kpis!.objective)).toBeLessThan(1e-7);
    },
  );

  it("the equity price predicts a re-solve inside its range (the LP: example 1 without minimums and fixed fees)", async () => {
    const ex = DEBT_STACK_EXAMPLES[0]!.input;
    const raw = { ...ex, tranches: ex.tranches.map((t) => ({ ...t, minAmount: 0, fixedFee: 0 })) };
    const out = await run(raw);
    const p = out.shadowPrices!.rows.find((r) => r.constraint === "Equity available")!;
    expect(p.validTo!).toBeGreaterThan(raw.equityAvailable + 100_000);
    const moved = await run({
      ...raw,
      equityAvailable: raw.equityAvailable + 100_000,
      whatIf: { enabled: false },
    });
    expect(out.shadowPrices!.basis).toBe("lp");
    expect(p.pricePerUnit).toBeLessThan(0);
    expect(moved.kpis!.objective - out.kpis!.objective).toBeCloseTo(p.pricePerUnit * 100_000, 4);
  });

  it("what-ifs are re-solves: LTV ± 5 points, DSCR ± 0.05, equity ± 10%, on/off tranches switched", async () => {
    const out = await run(DEBT_STACK_EXAMPLES[0]!.input);
    expect(out.whatIf.map((w) => w.name)).toEqual([
      "ltv-up",
      "ltv-down",
      "dscr-up",
      "dscr-down",
      "equity-up",
      "equity-down",
      // Both tranches are on/off (fixed fees, the mezzanine's minimum) and used: each switched off.
      "without-senior",
      "without-mezz",
    ]);
    const eqUp = out.whatIf.find((w) => w.name === "equity-up")!;
    const direct = await run({
      ...DEBT_STACK_EXAMPLES[0]!.input,
      equityAvailable: 8_800_000,
      whatIf: { enabled: false },
    });
    expect(eqUp.objective!).toBeCloseTo(direct.kpis!.objective, 6);
  });
});

describe("worst case (min-max epigraph) vs expected", () => {
  it("each plan is best on its own criterion, and the LP objective is the criterion", async () => {
    const raw = DEBT_STACK_EXAMPLES[1]!.input;
    const worst = await run({ ...raw, objective: "worst-case", whatIf: { enabled: false } });
    const exp = await run({ ...raw, objective: "expected", whatIf: { enabled: false } });
    expect(worst.kpis!.objective).toBeCloseTo(worst.kpis!.worstCaseAnnualCost, 4);
    expect(exp.kpis!.objective).toBeCloseTo(exp.kpis!.expectedAnnualCost, 4);
    expect(worst.kpis!.worstCaseAnnualCost).toBeLessThanOrEqual(exp.kpis!.worstCaseAnnualCost + 1e-6);
    expect(exp.kpis!.expectedAnnualCost).toBeLessThanOrEqual(worst.kpis!.expectedAnnualCost + 1e-6);
  });

  it("a cheap-on-average floating tranche wins on expectation, the fixed one on the worst case", async () => {
    const raw: DebtStackInputRaw = {
      purchasePrice: 10_000_000,
      equityAvailable: 4_000_000,
      noi: [900_000, 900_000, 900_000],
      targets: { maxLtv: 0.6 },
      tranches: [
        { id: "fixed", rateType: "fixed", fixedRate: 0.06, maxShare: 0.6, termMonths: 36 },
        { id: "float", rateType: "floating", spread: 0.02, maxShare: 0.6, termMonths: 36 },
      ],
      rateScenarios: [
        { id: "low", weight: 0.8, indexRate: 0.03 },
        { id: "high", weight: 0.2, indexRate: 0.08 },
      ],
      whatIf: { enabled: false },
    };
    // Worst case: fixed 6% vs floating up to 8% + 2% = 10% → all fixed, 0.06 × 6M = 360,000/yr.
    const worst = await run({ ...raw, objective: "worst-case" });
    expect(worst.tranches.find((t) => t.trancheId === "fixed")!.amount).toBeCloseTo(6_000_000, 4);
    expect(worst.kpis!.objective).toBeCloseTo(360_000, 4);
    // Expected with weights 0.9/0.1: floating 0.9·5% + 0.1·10% = 5.5% < 6% → all floating.
    const exp2 = await run({
      ...raw,
      rateScenarios: [
        { id: "low", weight: 0.9, indexRate: 0.03 },
        { id: "high", weight: 0.1, indexRate: 0.08 },
      ],
    });
    expect(exp2.tranches.find((t) => t.trancheId === "float")!.amount).toBeCloseTo(6_000_000, 4);
    expect(exp2.kpis!.objective).toBeCloseTo(6_000_000 * (0.9 * 0.05 + 0.1 * 0.1), 4);
  });
});

describe("infeasibility: IIS and minimal relaxation", () => {
  it("too little equity for the LTV: the IIS names funding, equity and LTV; the relaxation asks for more equity or LTV", async () => {
    const out = await run(oneTranche({ equityAvailable: 2_000_000 }));
    expect(out.status).toBe("infeasible");
    expect(out.infeasibility!.iis!.constraints.map((c) => c.constraint).sort()).toEqual(
      ["Equity available", "Max LTV", "Sources = uses"].sort(),
    );
    const changes = out.infeasibility!.relaxation!;
    expect(changes.length).toBeGreaterThan(0);
    // 10M − 2M equity needs 8M debt vs a 6M LTV limit: the relaxation closes a 2M gap.
    expect(changes.reduce((s, c) => s + Math.abs(c.change), 0)).toBeCloseTo(2_000_000, 2);
    expect(out.infeasibility!.summary.join(" ")).toMatch(/Max LTV/);
  });
});

describe("bad input: field-level errors before solving", () => {
  const issues = (raw: unknown) => {
    try {
      parseInput(debtStackV3, raw);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelInputError);
      return (e as ModelInputError).issues.map((i) => i.path);
    }
    return [];
  };
  it("negative price, shares outside [0,1], duplicate ids, IO months > term", () => {
    expect(issues({ ...oneTranche(), purchasePrice: -1 })).toContain("purchasePrice");
    const bad = oneTranche();
    bad.tranches = [
      { id: "a", rateType: "fixed", fixedRate: 0.05, maxShare: 1.2, termMonths: 60 },
      { id: "a", rateType: "floating", spread: 0.02, maxShare: -0.1, termMonths: 60, ioMonths: 72 },
    ];
    bad.targets = { maxLtv: 1.5, minFixedShare: 2 };
    const paths = issues(bad);
    expect(paths).toEqual(
      expect.arrayContaining([
        "tranches.0.maxShare",
        "tranches.1.maxShare",
        "tranches.1.id",
        "tranches.1.ioMonths",
        "targets.maxLtv",
        "targets.minFixedShare",
      ]),
    );
  });
  it("a fixed tranche without a rate, a term shorter than the NOI horizon, index paths of the wrong length", () => {
    const bad = oneTranche();
    bad.tranches = [{ id: "a", rateType: "fixed", maxShare: 1, termMonths: 24 }];
    bad.rateScenarios = [{ id: "s", weight: 1, indexRate: [0.01, 0.02] }];
    expect(issues(bad)).toEqual(
      expect.arrayContaining(["tranches.0.fixedRate", "tranches.0.termMonths", "rateScenarios.0.indexRate"]),
    );
  });
  it("optimizeDebtStack is never reached with bad input (executeModel rejects first)", async () => {
    await expect(run({ ...oneTranche(), noi: [] })).rejects.toBeInstanceOf(ModelInputError);
    expect(typeof optimizeDebtStack).toBe("function");
  });
});
