"""XGBoost (Debian's python3-xgboost) beside `potok regress`, as the
boosting peer: the same CSV and scikit-learn's split, 100 rounds of depth 3,
eta 0.1, lambda 0 (no L2 penalty on the leaves, as scikit-learn's
GradientBoostingRegressor has none), started from the mean of the training
targets as scikit-learn is, with the exact and the histogram tree methods.
usage: python3 xgboost_regress.py FILE.csv [nthread ...]
Prints tool, model, nthread, R² and fit+predict seconds, one line each."""
import sys, time
import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

df = pd.read_csv(sys.argv[1])
X = df.drop(columns=[c for c in ("ID", "target") if c in df.columns]).values
y = df["target"].values
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.33, random_state=42)
for method in ("exact", "hist"):
    for threads in [int(t) for t in sys.argv[2:]] or [1]:
        t0 = time.perf_counter()
        model = xgb.XGBRegressor(n_estimators=100, max_depth=3, learning_rate=0.1, reg_lambda=0,
                                 tree_method=method, n_jobs=threads, base_score=float(np.mean(ytr)))
        model.fit(Xtr, ytr)
        r2 = r2_score(yte, model.predict(Xte))
        secs = time.perf_counter() - t0
        print(f"xgboost {xgb.__version__} {method},gradient boosting,{threads},{r2:.4f},{secs:.3f}", flush=True)
