# ranger (R, Debian's r-cran-ranger) beside `potok regress`, as a second
# forest peer: the same CSV and scikit-learn's split, read from a file of
# test-row indices that Python wrote (0-based, one a line), so no RNG is
# reimplemented here. 100 trees, all features tried at each split (mtry =
# number of features, as scikit-learn's and Potok's forests), fully grown
# (min.node.size 1), bootstrap samples.
# usage: Rscript ranger_regress.R FILE.csv TEST_INDICES [num.threads ...]
# Prints tool, model, threads, R² and fit+predict seconds, one line each.
suppressPackageStartupMessages(library(ranger))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1])
test <- scan(args[2], what = integer(), quiet = TRUE) + 1
feats <- setdiff(names(df), c("ID", "target"))
tr <- df[-test, ]
te <- df[test, ]
threads <- if (length(args) > 2) as.integer(args[-(1:2)]) else 1L
for (k in threads) {
  t0 <- proc.time()[["elapsed"]]
  fit <- ranger(x = tr[, feats], y = tr$target, num.trees = 100, mtry = length(feats),
                min.node.size = 1, num.threads = k, seed = 0, verbose = FALSE)
  pred <- predict(fit, te[, feats], num.threads = k, verbose = FALSE)$predictions
  secs <- proc.time()[["elapsed"]] - t0
  r2 <- 1 - sum((te$target - pred)^2) / sum((te$target - mean(te$target))^2)
  cat(sprintf("ranger %s,random forest,%d,%.4f,%.3f\n", packageVersion("ranger"), k, r2, secs))
}
