/**
 * The fitter against R itself: a prepared design is written to a temp dir, R's glmnet (thresh
 * 1e-12, standardize = TRUE) and glm fit it, and the fitted probabilities must agree within 1e-6
 * at several lambdas for alpha 1, 0.5 and 0 — on sample_data.csv and on a seeded synthetic file.
 * Needs Rscript with glmnet (apt-get install r-base-core r-cran-glmnet; .ci/run installs them).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crossValidate } from "../src/fit/cv.ts";
import { type DesignMatrix, fitLognet, predictProbability } from "../src/fit/lognet.ts";
import { prepare } from "../src/prepare/prepare.ts";
import { loadSample, syntheticTable } from "./helpers.ts";

const RSCRIPT = process.env.RSCRIPT_PATH ?? "/usr/bin/Rscript";
let dir: string;
beforeAll(() => {
  if (!existsSync(RSCRIPT))
    throw new Error(
      `Rscript not found at ${RSCRIPT}: apt-get install -y r-base-core r-cran-glmnet (see DEVELOPERS.md)`,
    );
  dir = mkdtempSync(join(tmpdir(), "glmnet-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const R_SCRIPT = `
args <- commandArgs(TRUE); dir <- args[1]
suppressMessages(library(glmnet))
x <- as.matrix(read.csv(file.path(dir, "x.csv"), header = FALSE))
y <- scan(file.path(dir, "y.txt"), quiet = TRUE)
jobs <- readLines(file.path(dir, "jobs.txt"))
out <- character(0)
for (job in jobs) {
  f <- strsplit(job, " ")[[1]]
  kind <- f[1]
  if (kind == "glmnet") {
    alpha <- as.numeric(f[2]); lam <- as.numeric(f[-(1:2)])
    fit <- glmnet(x, y, family = "binomial", alpha = alpha, lambda = lam, thresh = 1e-12, standardize = TRUE, maxit = 1e7)
    p <- predict(fit, x, type = "response")
    out <- c(out, paste(sprintf("%.17g", as.vector(p)), collapse = " "))
  } else if (kind == "path") {
    fit <- glmnet(x, y, family = "binomial", alpha = as.numeric(f[2]))
    out <- c(out, paste(sprintf("%.17g", fit$lambda), collapse = " "))
  } else if (kind == "glm") {
    g <- glm(y ~ x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
    out <- c(out, paste(sprintf("%.17g", fitted(g)), collapse = " "))
  } else if (kind == "cv") {
    foldid <- scan(file.path(dir, "foldid.txt"), quiet = TRUE)
    cv <- cv.glmnet(x, y, family = "binomial", alpha = as.numeric(f[2]), foldid = foldid, type.measure = "deviance", thresh = 1e-12, maxit = 1e7)
    out <- c(out, paste(sprintf("%.17g", cv$lambda), collapse = " "), paste(sprintf("%.17g", cv$cvm), collapse = " "),
             paste(sprintf("%.17g", cv$cvsd), collapse = " "), sprintf("%.17g %.17g", cv$lambda.min, cv$lambda.1se))
  }
}
writeLines(out, file.path(dir, "out.txt"))
`;

/** Runs the jobs in R on the design; returns one array of numbers per output line. */
function runR(
  design: DesignMatrix,
  y: ArrayLike<number>,
  jobs: string[],
  foldId?: ArrayLike<number>,
): number[][] {
  const { rowCount: n, columnCount: p, x } = design;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<string>(p);
    for (let j = 0; j < p; j++) row[j] = String(x[j * n + i]);
    lines.push(row.join(","));
  }
  writeFileSync(join(dir, "x.csv"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "y.txt"), Array.from(y).join("\n"));
  writeFileSync(join(dir, "jobs.txt"), `${jobs.join("\n")}\n`);
  if (foldId) writeFileSync(join(dir, "foldid.txt"), Array.from(foldId, (f) => f + 1).join("\n"));
  writeFileSync(join(dir, "run.R"), R_SCRIPT);
  const r = spawnSync(RSCRIPT, [join(dir, "run.R"), dir], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`Rscript failed: ${r.stderr}`);
  return readFileSync(join(dir, "out.txt"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number));
}

const FRACTIONS: Record<string, number[]> = {
  "1": [0.5, 0.1, 0.02, 0.004],
  "0.5": [0.5, 0.1, 0.02, 0.004],
  "0": [1e-2, 1e-3, 1e-4, 1e-5],
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function crossCheck(
  design: DesignMatrix,
  y: Float64Array,
  pathAlphas: number[],
  glmDesign?: DesignMatrix,
  alone = false,
) {
  const withGlm = glmDesign !== undefined;
  const alphas = [1, 0.5, 0];
  const jobs: string[] = [];
  const ours: Float64Array[][] = [];
  // With `alone`, each lambda alone, started from a strided subsample's fit (forced on at this
  // size): the same fixed point as R's, whatever the start. Not on sample_data.csv: every level of
  // each nominal field is kept, so columns are collinear and coordinate descent from another
  // start stops (at thresh 1e-12) up to 1.1e-6 away from R's probabilities (lambda #1, alpha 1).
  const oursAlone: Float64Array[][] = [];
  const lambdaMaxes: number[] = [];
  for (const alpha of alphas) {
    const lambdaMax = fitLognet(design, y, { alpha, lambda: [1] }).lambdaMax;
    lambdaMaxes.push(lambdaMax);
    const lambda = FRACTIONS[String(alpha)]!.map((f) => f * lambdaMax);
    const fit = fitLognet(design, y, { alpha, lambda, thresh: 1e-12, maxPasses: 1e7 });
    ours.push(lambda.map((_, k) => predictProbability(fit, k, design)));
    oursAlone.push(
      (alone ? lambda : []).map((l) => {
        const alone = fitLognet(design, y, {
          alpha,
          lambda: [l],
          thresh: 1e-12,
          maxPasses: 1e7,
          subsampleStartAbove: 100,
        });
        return predictProbability(alone, 0, design);
      }),
    );
    jobs.push(`glmnet ${alpha} ${lambda.map(String).join(" ")}`);
  }
  for (const alpha of pathAlphas) jobs.push(`path ${alpha}`);
  const out = runR(design, y, jobs);
  if (glmDesign) out.push(...runR(glmDesign, y, ["glm"]));
  const n = design.rowCount;
  alphas.forEach((alpha, a) => {
    const theirs = out[a]!;
    ours[a]!.forEach((p, k) => {
      const diff = maxAbsDiff(p, theirs.slice(k * n, (k + 1) * n));
      expect(diff, `alpha ${alpha}, lambda #${k}`).toBeLessThan(1e-6);
      if (!alone) return;
      const diffAlone = maxAbsDiff(oursAlone[a]![k]!, theirs.slice(k * n, (k + 1) * n));
      expect(diffAlone, `alpha ${alpha}, lambda #${k} alone from a subsample start`).toBeLessThan(1e-6);
    });
    if (a >= pathAlphas.length) return;
    // glmnet's first path lambda is lambda.max (its fix.lam extrapolation equals it up to round-off).
    const rPath = out[alphas.length + a]!;
    expect(Math.abs(rPath[0]! - lambdaMaxes[a]!) / lambdaMaxes[a]!).toBeLessThan(1e-10);
    // And our computed path is glmnet's, lambda for lambda, stopping where it stops.
    const path = fitLognet(design, y, { alpha });
    expect(path.lambda.length).toBe(rPath.length);
    expect(
      maxAbsDiff(
        path.lambda.map((l, i) => l / rPath[i]!),
        rPath.map(() => 1),
      ),
    ).toBeLessThan(1e-10);
  });
  if (withGlm) {
    const fit = fitLognet(glmDesign!, y, { lambda: [0], thresh: 1e-14, maxPasses: 1e7 });
    expect(maxAbsDiff(predictProbability(fit, 0, glmDesign!), out[out.length - 1]!)).toBeLessThan(1e-6);
  }
}

describe("glmnet objective, checked against R", () => {
  it("sample_data.csv: fitted probabilities equal glmnet's at 4 lambdas × alpha 1, 0.5, 0", () => {
    const { table, specs, y } = loadSample();
    const { design } = prepare(table, specs);
    expect(design.columnCount).toBeGreaterThan(60);
    crossCheck(design, y, [1]);
  }, 120_000);

  it("synthetic file: glmnet at 4 lambdas × 3 alphas, and lambda = 0 equals glm", () => {
    const { table, specs, y } = syntheticTable(3000, 7);
    const { design } = prepare(table, specs, { missingIndicators: true });
    // glm needs a full-rank design: all levels of a nominal field plus the intercept are collinear
    // (R's glm then diverges rather than dropping one), so its check leaves each field's first level out.
    const keep = design.columns.flatMap((c, j) =>
      c.role === "level" && design.columns.findIndex((d) => d.field === c.field) === j ? [] : [j],
    );
    const n = design.rowCount;
    const x = new Float64Array(n * keep.length);
    keep.forEach((j, k) => {
      x.set(design.x.subarray(j * n, (j + 1) * n), k * n);
    });
    crossCheck(design, y, [1, 0.5, 0], { x, rowCount: n, columnCount: keep.length }, true);
  }, 120_000);

  it("cross-validation with the same folds gives cv.glmnet's cvm, cvsd, lambda.min and lambda.1se", () => {
    const { table, specs, y } = syntheticTable(2000, 11);
    const { design } = prepare(table, specs);
    const cv = crossValidate(design, y, { alpha: 1, folds: 5, seed: 3, thresh: 1e-12, maxPasses: 1e7 });
    const [lambda, cvm, cvsd, opt] = runR(design, y, ["cv 1"], cv.foldId);
    expect(cv.lambda.length).toBe(lambda!.length);
    expect(
      maxAbsDiff(
        cv.lambda.map((l, i) => l / lambda![i]!),
        lambda!.map(() => 1),
      ),
    ).toBeLessThan(1e-10);
    expect(maxAbsDiff(cv.cvm, cvm!)).toBeLessThan(1e-9);
    expect(maxAbsDiff(cv.cvsd, cvsd!)).toBeLessThan(1e-9);
    expect(cv.lambdaMin / opt![0]!).toBeCloseTo(1, 10);
    expect(cv.lambda1se / opt![1]!).toBeCloseTo(1, 10);
  }, 120_000);
});
