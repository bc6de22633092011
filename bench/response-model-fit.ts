/**
 * Response-model fitting benchmark (issue 15, "Benchmarks"): a seeded synthetic design of
 * 200,000 rows × 100 columns (numeric and 0/1 columns, 20 true effects), lasso path + 10-fold
 * cross-validation, and one fit at a fixed lambda — against R's cv.glmnet and glmnet on the same
 * matrix and the same folds, in the same run. R's time excludes loading the matrix.
 *
 *   npm run bench:response-model                  # BENCH_ROWS / BENCH_COLS to change the size
 *
 * Reports wall and CPU time (on a shared machine CPU time is the measure of the work), the ratio
 * ours / R (< 1 = faster than glmnet), whether lambda.min agrees, and the max probability
 * difference to R at lambda.min. Then scikit-learn (bench/response-model-sklearn.py, Debian's
 * python3-sklearn) on the same standardized design at C = 1/(n·lambda) and LogisticRegressionCV
 * on the same folds (BENCH_SKLEARN=0 to skip, BENCH_SKLEARN_CS lambdas of our path, default 12).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  crossValidate,
  fitLognet,
  predictProbability,
  seededRandom,
} from "../packages/engines/response-model/src/fit/index.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const COLS = Number(process.env.BENCH_COLS ?? 100);
const RSCRIPT = process.env.RSCRIPT_PATH ?? "/usr/bin/Rscript";
// scikit-learn from Debian (python3-sklearn); BENCH_SKLEARN=0 leaves it out.
const PYTHON = process.env.PYTHON_PATH ?? "/usr/bin/python3";
const SKLEARN = process.env.BENCH_SKLEARN !== "0";
const SKLEARN_CS = Number(process.env.BENCH_SKLEARN_CS ?? 12);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
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
const fixedFit = fitLognet(design, y, { lambda: [lambdaFixed] });
ours.fixedWall = performance.now() - wall;
ours.fixedCpu = cpuMs() - cpu;
console.log(
  `ours: path (${cv.lambda.length} lambdas) + 10-fold CV ${(ours.cvWall / 1000).toFixed(2)} s wall, ${(ours.cvCpu / 1000).toFixed(2)} s CPU; fixed lambda ${(ours.fixedWall / 1000).toFixed(2)} s wall, ${(ours.fixedCpu / 1000).toFixed(2)} s CPU`,
);

const dir = mkdtempSync(join(tmpdir(), "rm-bench-"));
try {
  writeFileSync(join(dir, "x.bin"), design.x);
  writeFileSync(join(dir, "y.bin"), y);
  writeFileSync(join(dir, "lambdas.bin"), Float64Array.from(cv.lambda));
  const oursProb = predictProbability(fixedFit, 0, design);
  writeFileSync(join(dir, "ours.bin"), oursProb);
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
t2 <- system.time(g <- glmnet(x, y, family = "binomial", lambda = ${lambdaFixed}))
writeBin(as.vector(predict(g, x, type = "response")), file.path(d, "r-prob.bin"))
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
  const rProb = new Float64Array(readFileSync(join(dir, "r-prob.bin")).buffer.slice(0));
  console.log(
    `max |p_ours − p_R| at lambda.min (both at the default thresh 1e-7): ${maxAbsDiff(oursProb, rProb).toExponential(2)}`,
  );
  if (SKLEARN) {
    const py = spawnSync(
      PYTHON,
      [
        new URL("./response-model-sklearn.py", import.meta.url).pathname,
        dir,
        String(ROWS),
        String(COLS),
        String(lambdaFixed),
        String(SKLEARN_CS),
      ],
      // One thread for numpy's BLAS too: R and ours run on one core.
      { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" } },
    );
    if (py.status !== 0)
      throw new Error(`scikit-learn failed (apt-get install python3-sklearn): ${py.stderr}`);
    const sk = JSON.parse(py.stdout.trim().split("\n").pop()!);
    for (const name of ["saga", "liblinear"]) {
      const f = sk[name];
      console.log(
        `scikit-learn LogisticRegression(l1, ${name}, C = 1/(n·lambda.min)): ${f.wall.toFixed(2)} s wall, ${f.cpu.toFixed(2)} s CPU, ${f.iter} iterations; max |p − p_ours| ${f.maxdiff.toExponential(2)}; ours / sklearn (CPU) ${(ours.fixedCpu / 1000 / f.cpu).toFixed(2)}`,
      );
    }
    const c = sk.cv_liblinear;
    console.log(
      `scikit-learn LogisticRegressionCV(l1, liblinear, same 10 folds, ${c.cs} of our ${cv.lambda.length} lambdas): ${c.wall.toFixed(2)} s wall, ${c.cpu.toFixed(2)} s CPU; best lambda ${c.lambda_best.toPrecision(8)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
