#!/usr/bin/env bash
# regress_peers.sh POTOK_BIN: potok regress beside scikit-learn (Debian's
# python3-sklearn), XGBoost exact and hist (python3-xgboost) and ranger
# (r-cran-ranger) on the same CSV: Friedman #1, 20000 x 20, noise 1, made by
# sklearn's make_friedman1(random_state=0). Same split everywhere (sklearn's
# train_test_split(test_size=0.33, random_state=42)); ranger reads its test
# rows from a file Python writes. Each tool at 1 and 2 threads, one run each.
set -euo pipefail
potok=$(readlink -f "${1:?usage: regress_peers.sh path/to/potok}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/friedman.csv" "$work/test_rows.txt" <<'PY'
import sys, numpy as np, pandas as pd
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
X, y = make_friedman1(n_samples=20000, n_features=20, noise=1.0, random_state=0)
df = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
df.insert(0, "ID", range(len(df)))
df["target"] = y
df.to_csv(sys.argv[1], index=False)
_, test = train_test_split(np.arange(len(df)), test_size=0.33, random_state=42)
np.savetxt(sys.argv[2], test, fmt="%d")
PY
echo "# $(uptime)"
echo "tool,model,workers,r2,fit+predict seconds"
/usr/bin/python3 "$here/sklearn_regress.py" "$work/friedman.csv" 1 2
/usr/bin/python3 "$here/xgboost_regress.py" "$work/friedman.csv" 1 2
Rscript "$here/ranger_regress.R" "$work/friedman.csv" "$work/test_rows.txt" 1 2
"$potok" regress -data "$work/friedman.csv" -workers 1,2 -json | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    print("potok,{model},{workers},{r2:.4f},{t:.3f}".format(t=r["fit_seconds"] + r["predict_seconds"], **r))'
echo "# $(uptime)"
