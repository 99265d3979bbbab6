// Package compute holds Potok's CPU-bound work, the counterpart of the
// downloads: the lecture notebooks' π integration (and, later, the regressor
// comparison), with worker sweeps that show how CPU-bound work scales with
// cores. No Fyne import: the window and the terminal both call it.
package compute
