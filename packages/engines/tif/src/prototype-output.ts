import type { TifOutput } from "./schema.ts";
import { SERIES } from "./schema.ts";

/**
 * tif output → the prototype's result format: `outputs` (keys as calculate_deal's result and the
 * golden fixture name them: `sources_uses` and `phase_ends` are nested objects, while keys such as
 * `metrics.yield_on_cost` are flat names that contain a dot),
 * `periods` (one array per series) and `unit_allocation` — so a user can put old and new numbers
 * side by side. The golden test reads every value through this mapping, so it is verified.
 */
export const PROTOTYPE_OUTPUTS: Record<string, (o: TifOutput) => number | string | null> = {
  gpr_market_monthly: (o) => o.units.gprMarketMonthlyUsd,
  gpr_affordable_monthly: (o) => o.units.gprAffordableMonthlyUsd,
  gpr_total_annual: (o) => o.units.gprTotalAnnualUsd,
  total_units: (o) => o.units.totalUnits,
  affordable_units: (o) => o.units.affordableUnits,
  "sources_uses.land": (o) => o.sourcesUses.landUsd,
  "sources_uses.hard_costs_incl_contingency": (o) => o.sourcesUses.hardCostsInclContingencyUsd,
  "sources_uses.soft_costs_incl_reserves_predev_devfee": (o) =>
    o.sourcesUses.softCostsInclReservesPredevDevFeeUsd,
  "sources_uses.soft_cost_pct_effective": (o) => o.sourcesUses.softCostShareEffective,
  "sources_uses.reserves": (o) => o.sourcesUses.reservesUsd,
  "sources_uses.idc": (o) => o.sourcesUses.idcUsd,
  "sources_uses.tdc": (o) => o.sourcesUses.tdcUsd,
  "sources_uses.construction_loan": (o) => o.sourcesUses.constructionLoanUsd,
  "sources_uses.equity": (o) => o.sourcesUses.equityUsd,
  "sources_uses.hard_cost_contingency(display)": (o) => o.sourcesUses.hardCostContingencyUsd,
  "sources_uses.soft_cost_contingency(display)": (o) => o.sourcesUses.softCostContingencyUsd,
  "sources_uses.predevelopment_costs(display)": (o) => o.sourcesUses.predevelopmentCostsUsd,
  "sources_uses.developer_fee(display)": (o) => o.sourcesUses.developerFeeUsd,
  perm_loan_amount_funded: (o) => o.permanentLoan.fundedUsd,
  perm_loan_sizing_trace_value: (o) => o.permanentLoan.sizingMaxUsd,
  perm_loan_binding_constraint: (o) => `Binding constraint: ${o.permanentLoan.bindingConstraint}`,
  perm_monthly_payment: (o) => o.permanentLoan.monthlyPaymentUsd,
  construction_loan_payoff_at_conversion: (o) => o.permanentLoan.constructionPayoffAtConversionUsd,
  stabilized_noi_for_sizing: (o) => o.permanentLoan.stabilizedNoiForSizingUsd,
  stabilized_value_for_ltv: (o) => o.permanentLoan.stabilizedValueForLtvUsd,
  levered_irr: (o) => o.returns.leveredIrr,
  unlevered_irr: (o) => o.returns.unleveredIrr,
  levered_irr_recomputed_from_adjusted_array: (o) => o.returns.leveredIrr,
  unlevered_irr_recomputed_from_adjusted_array: (o) => o.returns.unleveredIrr,
  tif_lump_sum_applied: (o) => o.returns.tifLumpSumAppliedUsd,
  "metrics.noi_annual(first_ops_month_x12)": (o) => o.metrics.noiAnnualUsd,
  "metrics.yield_on_cost": (o) => o.metrics.yieldOnCost,
  "metrics.equity_multiple": (o) => o.returns.equityMultiple,
  "metrics.equity_required(=sources_uses.equity)": (o) => o.metrics.equityRequiredUsd,
  "metrics.debt_amount(=construction_loan)": (o) => o.metrics.debtAmountUsd,
  total_equity_invested: (o) => o.totals.totalEquityInvestedUsd,
  total_noi: (o) => o.totals.totalNoiUsd,
  total_debt_service: (o) => o.totals.totalDebtServiceUsd,
  reversion_value_net: (o) => o.totals.reversionValueNetUsd,
  npv_levered_at_15pct_sidebar_method: (o) => o.returns.npvLeveredUsd,
  "phase_ends.predevelopment_end": (o) => o.phaseEnds.predevelopmentEnd,
  "phase_ends.construction_end": (o) => o.phaseEnds.constructionEnd,
  "phase_ends.leaseup_end": (o) => o.phaseEnds.leaseupEnd,
  "phase_ends.operations_end": (o) => o.phaseEnds.operationsEnd,
  "phase_ends.total_periods": (o) => o.phaseEnds.totalPeriods,
};

const NESTED = new Set(["sources_uses", "phase_ends"]);

export function toPrototypeResult(o: TifOutput) {
  const outputs: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(PROTOTYPE_OUTPUTS)) {
    const [group, field] = key.split(/\.(.*)/s);
    if (field !== undefined && NESTED.has(group!)) {
      outputs[group!] ??= {};
      (outputs[group!] as Record<string, unknown>)[field] = read(o);
    } else outputs[key] = read(o);
  }
  const periods = Object.fromEntries(
    Object.entries(SERIES).map(([snake, camel]) => [snake, o.periods.map((p) => p[camel])]),
  );
  const unit_allocation = o.units.allocation.map((a) => ({
    unit_type: a.unitType,
    gsf: a.grossSqft,
    nsf: a.netSqft,
    total_units: a.totalUnits,
    market_units: a.marketUnits,
    affordable_units: a.affordableUnits,
    market_rent_monthly: a.marketRentMonthlyUsd,
    affordable_rent_monthly: a.affordableRentMonthlyUsd,
    ami_tier: a.amiTier,
  }));
  return { outputs, periods, unit_allocation };
}
