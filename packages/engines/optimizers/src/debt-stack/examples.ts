import type { ModelExample } from "@modelworks/model-kit";
import type { DebtStackInputRaw } from "./schema.ts";

/**
 * Realistic inputs (the prototype's frontend deal, with decimal rates, real terms and stress). The
 * first has lender minimums and fixed fees (on/off tranches: a MILP); the second hedges an
 * amortizing tranche with a swap whose notional follows its balance.
 */
export const DEBT_STACK_EXAMPLES: ModelExample<DebtStackInputRaw>[] = [
  {
    name: "marina-tower-expected",
    title:
      "AED 25M residential tower: senior + mezzanine with a AED 2M minimum ticket and fixed fees, base/stress SOFR, minimum expected cost",
    input: {
      currency: "AED",
      purchasePrice: 25_000_000,
      closingCosts: 500_000,
      equityAvailable: 8_000_000,
      noi: [1_800_000, 1_850_000, 1_900_000, 1_960_000, 2_020_000],
      targets: { maxLtv: 0.75, maxLtc: 0.75, minDscr: 1.25, minDebtYield: 0.08, minFixedShare: 0.5 },
      tranches: [
        {
          id: "senior",
          name: "Senior Bank",
          rateType: "fixed",
          fixedRate: 0.055,
          maxShare: 0.65,
          termMonths: 60,
          ioMonths: 12,
          amortizationMonths: 300,
          upfrontFee: 0.01,
          fixedFee: 120_000,
        },
        {
          id: "mezz",
          name: "Mezzanine",
          rateType: "floating",
          index: "SOFR",
          spread: 0.03,
          maxShare: 0.2,
          termMonths: 60,
          ioMonths: 60,
          upfrontFee: 0.015,
          fixedFee: 60_000,
          minAmount: 2_000_000,
        },
      ],
      rateScenarios: [
        { id: "base", name: "SOFR 5%", weight: 0.6, indexRate: 0.05 },
        { id: "stress", name: "SOFR up to 7%", weight: 0.4, indexRate: [0.06, 0.07, 0.07, 0.07, 0.07] },
      ],
    },
  },
  {
    name: "logistics-worst-case-hedged",
    title:
      "AED 60M logistics park: three tranches, a cap, a swap and an amortizing swap that follows the floating senior loan, minimum worst-case cost",
    input: {
      currency: "AED",
      purchasePrice: 60_000_000,
      closingCosts: 1_200_000,
      equityAvailable: 20_000_000,
      equityCostRate: 0.12,
      noi: [4_500_000, 4_650_000, 4_800_000, 4_950_000, 5_100_000, 5_250_000, 5_400_000],
      targets: { maxLtv: 0.7, minDscr: 1.3, minDebtYield: 0.085, minFixedShare: 0.6 },
      tranches: [
        {
          id: "senior-fixed",
          rateType: "fixed",
          fixedRate: 0.058,
          maxShare: 0.45,
          termMonths: 84,
          ioMonths: 24,
          amortizationMonths: 300,
          upfrontFee: 0.0075,
        },
        {
          id: "senior-floating",
          rateType: "floating",
          spread: 0.022,
          maxShare: 0.35,
          termMonths: 84,
          ioMonths: 12,
          amortizationMonths: 360,
          upfrontFee: 0.0075,
        },
        {
          id: "mezz",
          rateType: "floating",
          spread: 0.065,
          maxShare: 0.15,
          termMonths: 84,
          ioMonths: 84,
          upfrontFee: 0.02,
        },
      ],
      rateScenarios: [
        { id: "base", weight: 0.5, indexRate: 0.045 },
        { id: "down", weight: 0.25, indexRate: [0.04, 0.035, 0.03, 0.03, 0.03, 0.03, 0.03] },
        { id: "stress", weight: 0.25, indexRate: [0.055, 0.065, 0.07, 0.07, 0.065, 0.06, 0.06] },
      ],
      hedges: [
        { id: "cap-5", type: "cap", strike: 0.05, premiumRate: 0.004, tenorYears: 5 },
        { id: "swap-7y", type: "swap", fixedRate: 0.046, tenorYears: 7 },
        {
          id: "swap-amortizing",
          type: "swap",
          fixedRate: 0.0465,
          tenorYears: 7,
          trancheId: "senior-floating",
        },
      ],
      objective: "worst-case",
    },
  },
  {
    name: "office-refinance-lender-minimums",
    title:
      "AED 40M office: a bank club and an insurer with minimum tickets and fixed fees against a flexible debt fund, minimum expected cost",
    input: {
      currency: "AED",
      purchasePrice: 40_000_000,
      closingCosts: 800_000,
      equityAvailable: 16_000_000,
      equityCostRate: 0.1,
      noi: [2_900_000, 2_980_000, 3_060_000, 3_150_000, 3_240_000],
      targets: { maxLtv: 0.65, minDscr: 1.3, minDebtYield: 0.09, minFixedShare: 0.6 },
      tranches: [
        {
          id: "bank-club",
          name: "Bank club",
          rateType: "fixed",
          fixedRate: 0.052,
          maxShare: 0.55,
          termMonths: 60,
          ioMonths: 24,
          amortizationMonths: 300,
          upfrontFee: 0.01,
          fixedFee: 250_000,
          minAmount: 15_000_000,
        },
        {
          id: "insurer",
          name: "Insurance lender",
          rateType: "fixed",
          fixedRate: 0.056,
          maxShare: 0.6,
          termMonths: 60,
          ioMonths: 60,
          upfrontFee: 0.005,
          fixedFee: 150_000,
          minAmount: 20_000_000,
        },
        {
          id: "debt-fund",
          name: "Debt fund",
          rateType: "floating",
          index: "EIBOR",
          spread: 0.035,
          maxShare: 0.65,
          termMonths: 60,
          ioMonths: 60,
          upfrontFee: 0.015,
        },
      ],
      rateScenarios: [
        { id: "base", weight: 0.6, indexRate: 0.045 },
        { id: "high", weight: 0.4, indexRate: [0.055, 0.06, 0.06, 0.055, 0.05] },
      ],
      hedges: [
        {
          id: "cap-5.5",
          type: "cap",
          strike: 0.055,
          premiumRate: 0.0035,
          tenorYears: 5,
          trancheId: "debt-fund",
        },
      ],
    },
  },
];
