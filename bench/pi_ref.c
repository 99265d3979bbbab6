/* pi_ref.c: the reference for Potok's π throughput. The same arithmetic as
 * compute/pi.go's circleTrapezoid (points a + dx*i, each sqrt once, terms
 * (fl + fr) * 0.5 * (right - left) added left to right), single-threaded.
 * Build and run: gcc -O2 -o pi_ref pi_ref.c -lm && ./pi_ref N
 * Prints the value and nanoseconds per point (best of 5 runs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double trapezoid(double a, double b, long n) {
	double dx = (b - a) / (double)(n - 1);
	double left = a, fl = sqrt(1 - a * a), value = 0;
	for (long i = 1; i < n; i++) {
		double right = (i == n - 1) ? b : a + dx * (double)i;
		double fr = sqrt(1 - right * right);
		value += (fl + fr) * 0.5 * (right - left);
		left = right;
		fl = fr;
	}
	return value;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	double best = 1e300, v = 0;
	for (int r = 0; r < 5; r++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		v = trapezoid(-1, 1, n) * 2;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (s < best) best = s;
	}
	printf("c %.17g %.3f ns/point\n", v, best / (double)n * 1e9);
	return 0;
}
