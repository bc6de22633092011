/**
 * Response-model fitting benchmark (issue 15, "Benchmarks"): a seeded synthetic design of
 * 200,000 rows × 100 columns (numeric and 0/1 columns, 20 true effects), lasso path + 10-fold
 * cross-validation, and one fit at a fixed lambda — against R's cv.glmnet and glmnet on the same
 * matrix and the same folds, in the same run. R's time excludes loading the matrix.
 *
 *   npm run bench:response-model                  # BENCH_ROWS / BENCH_COLS to change the size
 *
 * Reports wall and CPU time (on a shared machine CPU time is the measure of the work), the ratio
 * ours / R (< 1 = faster than glmnet), and whether lambda.min agrees.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { crossValidate, fitLognet, seededRandom } from "../packages/engines/response-model/src/fit/index.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const COLS = Number(process.env.BENCH_COLS ?? 100);
const RSCRIPT = process.env.RSCRIPT_PATH ?? "/usr/bin/Rscript";
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function synthetic(rows: number, cols: number) {
  const random = seededRandom(2026);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const x = new Float64Array(rows * cols);
  const beta = new Float64Array(cols);
  for (let j = 0; j < 20 && j < cols; j++) beta[j] = (j % 2 ? -1 : 1) * (0.1 + 0.05 * j);
  const eta = new Float64Array(rows).fill(-1.5);
  for (let j = 0; j < cols; j++) {
    const dummy = j % 3 === 2; // a third of the columns are 0/1, as one-hot levels are
    const p = 0.05 + 0.4 * random();
    for (let i = 0; i < rows; i++) {
      const v = dummy ? (random() < p ? 1 : 0) : normal();
      x[j * rows + i] = v;
      eta[i]! += beta[j]! * v;
    }
  }
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) y[i] = random() < 1 / (1 + Math.exp(-eta[i]!)) ? 1 : 0;
  return { design: { x, rowCount: rows, columnCount: cols }, y };
}

const { design, y } = synthetic(ROWS, COLS);
console.log(
  `response-model fit: ${ROWS} rows × ${COLS} columns; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")}`,
);

let wall = performance.now();
let cpu = cpuMs();
const cv = crossValidate(design, y, { folds: 10, seed: 1 });
const ours = { cvWall: performance.now() - wall, cvCpu: cpuMs() - cpu, fixedWall: 0, fixedCpu: 0 };
const lambdaFixed = cv.lambdaMin;
wall = performance.now();
cpu = cpuMs();
fitLognet(design, y, { lambda: [lambdaFixed] });
ours.fixedWall = performance.now() - wall;
ours.fixedCpu = cpuMs() - cpu;
console.log(
  `ours: path (${cv.lambda.length} lambdas) + 10-fold CV ${(ours.cvWall / 1000).toFixed(2)} s wall, ${(ours.cvCpu / 1000).toFixed(2)} s CPU; fixed lambda ${(ours.fixedWall / 1000).toFixed(2)} s wall, ${(ours.fixedCpu / 1000).toFixed(2)} s CPU`,
);

const dir = mkdtempSync(join(tmpdir(), "rm-bench-"));
try {
  writeFileSync(join(dir, "x.bin"), design.x);
  writeFileSync(join(dir, "y.bin"), y);
  writeFileSync(
    join(dir, "foldid.bin"),
    Float64Array.from(cv.foldId, (f) => f + 1),
  );
  writeFileSync(
    join(dir, "run.R"),
    `suppressMessages(library(glmnet))
d <- commandArgs(TRUE)[1]; n <- ${ROWS}; p <- ${COLS}
x <- matrix(readBin(file.path(d, "x.bin"), "double", n * p), n, p)
y <- readBin(file.path(d, "y.bin"), "double", n)
foldid <- readBin(file.path(d, "foldid.bin"), "double", n)
t1 <- system.time(cv <- cv.glmnet(x, y, family = "binomial", foldid = foldid))
t2 <- system.time(glmnet(x, y, family = "binomial", lambda = ${lambdaFixed}))
cat(sprintf("%.6f %.6f %.6f %.6f %.17g %d\\n", t1[["elapsed"]], t1[["user.self"]] + t1[["sys.self"]], t2[["elapsed"]], t2[["user.self"]] + t2[["sys.self"]], cv$lambda.min, length(cv$lambda)))
`,
  );
  const r = spawnSync(RSCRIPT, [join(dir, "run.R"), dir], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`Rscript failed (apt-get install r-base-core r-cran-glmnet): ${r.stderr}`);
  const [cvWall, cvCpu, fixedWall, fixedCpu, lambdaMin, nLambda] = r.stdout
    .trim()
    .split(" ")
    .map(Number) as number[];
  console.log(
    `R glmnet: cv.glmnet (${nLambda} lambdas) ${cvWall!.toFixed(2)} s wall, ${cvCpu!.toFixed(2)} s CPU; fixed lambda ${fixedWall!.toFixed(2)} s wall, ${fixedCpu!.toFixed(2)} s CPU`,
  );
  console.log(
    `ratio ours / R (CPU): path + CV ${(ours.cvCpu / 1000 / cvCpu!).toFixed(2)}, fixed lambda ${(ours.fixedCpu / 1000 / Math.max(fixedCpu!, 1e-3)).toFixed(2)}`,
  );
  console.log(`lambda.min ours ${cv.lambdaMin.toPrecision(8)} vs R ${lambdaMin!.toPrecision(8)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
