import type { ModelSpec } from "./model.ts";
import { getHighs, toModelData } from "./run.ts";

/**
 * The model as a standard MPS or LP file, written by HiGHS from the same arrays it solves (columns
 * `c0…`, rows `r0…`: no user string enters the file), so the exact model can be solved by another
 * solver — native HiGHS, CBC, Gurobi — and the answers compared. MPS carries the objective sense
 * as an OBJSENSE section that not every reader honours (CBC 2.10 needs `maximize` on its command
 * line); the sense is `spec.sense`.
 */
export async function modelFile(spec: ModelSpec, format: "mps"): Promise<Uint8Array>;
export async function modelFile(spec: ModelSpec, format: "lp"): Promise<string>;
export async function modelFile(spec: ModelSpec, format: "mps" | "lp"): Promise<Uint8Array | string> {
  const highs = await getHighs();
  const model = highs.createModel(toModelData(highs, spec, true));
  try {
    return format === "mps" ? model.exportModel("mps") : model.exportModel("lp");
  } finally {
    model.dispose();
  }
}
