"""scikit-learn on the response-model bench design (issue 15), called by bench/response-model-fit.ts.

Reads x.bin (column-major doubles), y.bin, foldid.bin (1-based), lambdas.bin (our path) and
ours.bin (our fitted probabilities at lambda_fixed) from the directory given; standardizes the
columns as glmnet does (population sd) and maps glmnet's lambda to scikit-learn's C = 1/(n·lambda)
(glmnet minimises mean loss + lambda·penalty, scikit-learn C·sum loss + penalty). Prints one JSON
line: times (wall and CPU of this process), iterations, and the max |p − p_ours| at lambda_fixed.
Needs Debian's python3-sklearn (/usr/bin/python3).
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import PredefinedSplit

warnings.filterwarnings("ignore", category=ConvergenceWarning)
d, n, p, lam_fixed, n_cs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(f"{d}/x.bin", dtype=np.float64).reshape(p, n).T
y = np.fromfile(f"{d}/y.bin", dtype=np.float64)
foldid = np.fromfile(f"{d}/foldid.bin", dtype=np.float64).astype(int)
lambdas = np.fromfile(f"{d}/lambdas.bin", dtype=np.float64)
ours = np.fromfile(f"{d}/ours.bin", dtype=np.float64)
sd = x.std(axis=0)  # population sd, as glmnet
keep = sd > 0
xs = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
out = {}


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    r = fn()
    return r, time.perf_counter() - w, time.process_time() - c


C = 1 / (n * lam_fixed)
for name, model in [
    ("saga", LogisticRegression(penalty="l1", solver="saga", C=C, tol=1e-6, max_iter=1000)),
    # liblinear penalizes the intercept; a large intercept_scaling makes that penalty negligible.
    ("liblinear", LogisticRegression(penalty="l1", solver="liblinear", C=C, tol=1e-6, intercept_scaling=100, max_iter=1000)),
]:
    m, wall, cpu = timed(lambda: model.fit(xs, y))
    prob = m.predict_proba(xs)[:, 1]
    out[name] = {"wall": wall, "cpu": cpu, "iter": int(np.max(m.n_iter_)), "maxdiff": float(np.max(np.abs(prob - ours)))}

# LogisticRegressionCV on the same folds over n_cs of our path's lambdas (every k-th, from the top);
# the whole 66-lambda path x 10 folds with saga takes far longer than glmnet on this machine.
idx = np.unique(np.linspace(0, len(lambdas) - 1, n_cs).round().astype(int))
Cs = 1 / (n * lambdas[idx])
cvm = LogisticRegressionCV(
    Cs=Cs, cv=PredefinedSplit(foldid - 1), penalty="l1", solver="liblinear", scoring="neg_log_loss",
    tol=1e-6, intercept_scaling=100, max_iter=1000, refit=True,
)
m, wall, cpu = timed(lambda: cvm.fit(xs, y))
out["cv_liblinear"] = {"wall": wall, "cpu": cpu, "cs": len(Cs), "lambda_best": float(1 / (n * m.C_[0]))}
print(json.dumps(out))
