// Package compute holds Potok's CPU-bound work, the counterpart of the
// downloads: the lecture notebooks' π integration (pi.go) and their
// regressor comparison, a random forest against gradient boosting
// (regress.go, on the data sets of data.go), with worker sweeps and an
// Amdahl fit (sweep.go) that show how CPU-bound work scales with cores. No
// Fyne import: the window and the terminal both call it.
package compute
