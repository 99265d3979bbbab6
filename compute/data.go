package compute

import (
	"fmt"

	"potok/compute/dataset"
)

// Builtin returns a built-in data set by name: friedman1 (20000 × 20, noise 1,
// seed 0), sparse (4459 × 2000, 97 % zeros) or diabetes (442 × 10), and a label.
func Builtin(name string) (*dataset.Frame, string, error) {
	switch name {
	case "friedman1":
		return dataset.Friedman1(20000, 20, 1.0, 0), "Friedman #1 (20000 × 20, noise 1)", nil
	case "sparse":
		return dataset.WideSparse(4459, 2000, 0.97, 0), "wide sparse (4459 × 2000, 97 % zeros)", nil
	case "diabetes":
		return dataset.Diabetes(), "diabetes (Efron et al. 2004, as scikit-learn ships it)", nil
	}
	return nil, "", fmt.Errorf("unknown data set %q: choose friedman1, sparse or diabetes, or a CSV file", name)
}

// Split is scikit-learn's train_test_split(test_size=0.33, random_state=42).
func Split(f *dataset.Frame) (train, test *dataset.Frame) {
	tr, te := dataset.TrainTestSplit(f.Rows(), 0.33, 42)
	return f.Subset(tr), f.Subset(te)
}
