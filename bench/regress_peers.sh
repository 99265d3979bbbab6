#!/usr/bin/env bash
# regress_peers.sh POTOK_BIN: potok regress beside scikit-learn (Debian's
# python3-sklearn) on the same CSV: Friedman #1, 20000 x 20, noise 1, made by
# sklearn's make_friedman1(random_state=0). Same split (test_size 0.33,
# random_state 42) on both sides.
set -euo pipefail
potok=$(readlink -f "${1:?usage: regress_peers.sh path/to/potok}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/friedman.csv" <<'PY'
import sys, pandas as pd
from sklearn.datasets import make_friedman1
X, y = make_friedman1(n_samples=20000, n_features=20, noise=1.0, random_state=0)
df = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
df.insert(0, "ID", range(len(df)))
df["target"] = y
df.to_csv(sys.argv[1], index=False)
PY
echo "tool,model,workers,r2,fit+predict seconds"
/usr/bin/python3 "$here/sklearn_regress.py" "$work/friedman.csv" 1 2
"$potok" regress -data "$work/friedman.csv" -workers 1,2 -json | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["rows"]:
    print("potok,{model},{workers},{r2:.4f},{t:.3f}".format(t=r["fit_seconds"] + r["predict_seconds"], **r))'
