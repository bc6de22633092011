/**
 * In-process soak of the fuzz substitutions the schemas accept (issue 19): for every hosted model
 * and example, each numeric field set to 0, -0, -1, 1e-308, 1e308, ±1e15, "NaN", "Infinity" and
 * Infinity; the inputs that validate are run with `executeModel`, and any error other than a
 * ModelInputError (an invalid result, a solver refusing NaN coefficients, a throw) is printed as
 * a DEFECT. Complements the API fuzz suite, which samples: this runs every valid case (~2,300,
 * ~30 min on one core, most of it Monte Carlo and the optimizers).
 *
 *   npx tsx packages/catalog/scripts/soak-valid-inputs.ts [model-id prefix]
 */
import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { MODELS } from "../src/index.ts";

const VALUES: unknown[] = [
  0,
  -0,
  -1,
  1e-308,
  1e308,
  1e15,
  -1e15,
  "NaN",
  "Infinity",
  Number.POSITIVE_INFINITY,
];
type Path = (string | number)[];

function numericPaths(v: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof v === "number") out.push(path);
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) numericPaths(x, [...path, i], out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) numericPaths(x, [...path, k], out);
  return out;
}

function withValue(input: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(input) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

const only = process.argv[2];
let defects = 0;
for (const model of MODELS) {
  if (only && !model.id.startsWith(only)) continue;
  let runs = 0;
  const started = Date.now();
  for (const ex of model.examples)
    for (const path of numericPaths(ex.input))
      for (const value of VALUES) {
        const input = withValue(ex.input, path, value);
        if (!model.input.safeParse(input).success) continue;
        runs++;
        try {
          await executeModel(model, input, createContext());
        } catch (err) {
          if (err instanceof ModelInputError) continue;
          defects++;
          console.log(
            `DEFECT ${model.id}@${model.version} ${ex.name} ${path.join(".")} = ${String(value)}: ${(err as Error).message.slice(0, 300)}`,
          );
        }
      }
  console.log(
    `${model.id}@${model.version}: ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
console.log(`${defects} defects`);
process.exitCode = defects ? 1 : 0;
