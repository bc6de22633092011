import type {
  CapexPhasingInputParsed,
  DebtStackInputParsed,
  LeasingMixInputParsed,
} from "@modelworks/engine-optimizers";
import ExcelJS from "exceljs";
import { capexPhasing } from "./optimizer-workbooks/capex-phasing.ts";
import { dealPicker } from "./optimizer-workbooks/deal-picker.ts";
import { debtStack } from "./optimizer-workbooks/debt-stack.ts";
import { leasingMix } from "./optimizer-workbooks/leasing-mix.ts";
import { InputsSheet } from "./plan-workbook.ts";

/**
 * The four optimizers' plans as formula workbooks (./plan-workbook.ts lays them out): per engine,
 * its inputs with labels and units, the formulation rebuilt from the run's input by the engine's
 * own builder (the same rows the solver saw), the plan's decision values read from the output,
 * and formulas saying how each coefficient and limit comes from the inputs.
 */

// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

/** Whether this run's output has a plan to write (an infeasible run has none). */
export function hasPlan(output: Json): boolean {
  return output?.status === "optimal" || output?.status === "time_limit";
}

export async function renderOptimizerWorkbook(
  modelId: string,
  input: unknown,
  output: unknown,
  meta: { title: string },
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Modelworks";
  wb.title = meta.title;
  wb.calcProperties = { fullCalcOnLoad: true };
  const inputs = new InputsSheet(wb);
  const out = output as Json;
  switch (modelId) {
    case "leasing-mix":
      leasingMix(wb, inputs, input as LeasingMixInputParsed, out, meta.title);
      break;
    case "deal-picker":
      dealPicker(wb, inputs, input, out, meta.title);
      break;
    case "capex-phasing":
      capexPhasing(wb, inputs, input as CapexPhasingInputParsed, out, meta.title);
      break;
    case "debt-stack":
      debtStack(wb, inputs, input as DebtStackInputParsed, out, meta.title);
      break;
    default:
      throw new Error(`no formula workbook for ${modelId}`);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
