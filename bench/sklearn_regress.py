"""The peer for `potok regress`: scikit-learn's defaults on the same CSV.
usage: python3 sklearn_regress.py FILE.csv [n_jobs ...]
Prints model, n_jobs, R² and fit+predict seconds, with sklearn's split."""
import sys, time
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

df = pd.read_csv(sys.argv[1])
X = df.drop(columns=[c for c in ("ID", "target") if c in df.columns]).values
y = df["target"].values
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.33, random_state=42)
for jobs in [int(j) for j in sys.argv[2:]] or [1]:
    for name, model in (("random forest", RandomForestRegressor(random_state=0, n_jobs=jobs)),
                        ("gradient boosting", GradientBoostingRegressor(random_state=0))):
        if name == "gradient boosting" and jobs != 1:
            continue  # single-threaded by design
        t0 = time.perf_counter()
        model.fit(Xtr, ytr)
        r2 = r2_score(yte, model.predict(Xte))
        print(f"sklearn,{name},{jobs},{r2:.4f},{time.perf_counter() - t0:.3f}", flush=True)
