package tree

// R2 is the coefficient of determination, 1 - SSres/SStot. As scikit-learn,
// a constant yTrue gives 1 for a perfect prediction and 0 otherwise.
func R2(yTrue, yPred []float64) float64 {
	n := len(yTrue)
	if n == 0 {
		return 0
	}
	mean := 0.0
	for _, v := range yTrue {
		mean += v
	}
	mean /= float64(n)
	var res, tot float64
	for i, v := range yTrue {
		e := v - yPred[i]
		res += e * e
		t := v - mean
		tot += t * t
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}
