/* Times OpenBLAS cblas_sgemm (row-major, no transposes, alpha 1, beta 0) on the shapes
 * of internal/kernel's BenchmarkGemm, as M x K x N like the Go benchmark names them.
 *
 *   cc -O2 -o /tmp/openblas_gemm bench/openblas_gemm.c -lopenblas
 *   /tmp/openblas_gemm THREADS [M K N]...
 *
 * For each shape: calls repeated for about 0.3 s, 5 rounds; prints the best round's
 * wall time and process CPU time per call (CPU time sums the threads). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);
extern char *openblas_get_config(void);

static double now(clockid_t c) {
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
	int threads = argc > 1 ? atoi(argv[1]) : 1;
	static const int def[][3] = {{16, 16, 16}, {64, 64, 64}, {256, 256, 256}, {1000, 320, 64}, {132, 128, 256}};
	int ns = argc > 2 ? (argc - 2) / 3 : 5;
	openblas_set_num_threads(threads);
	printf("# %s, %d thread(s)\n", openblas_get_config(), threads);
	for (int s = 0; s < ns; s++) {
		int m = argc > 2 ? atoi(argv[2 + 3 * s]) : def[s][0];
		int k = argc > 2 ? atoi(argv[3 + 3 * s]) : def[s][1];
		int n = argc > 2 ? atoi(argv[4 + 3 * s]) : def[s][2];
		float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
		srand(1);
		for (int i = 0; i < m * k; i++) a[i] = rand() / (float)RAND_MAX - 0.5f;
		for (int i = 0; i < k * n; i++) b[i] = rand() / (float)RAND_MAX - 0.5f;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
		/* calls per round: about 0.3 s at 50 GFLOP/s */
		long reps = (long)(0.3 * 50e9 / (2.0 * m * n * k)) + 1;
		double bestW = 1e30, bestC = 1e30;
		for (int r = 0; r < 5; r++) {
			double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
			for (long i = 0; i < reps; i++)
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
			double w = (now(CLOCK_MONOTONIC) - w0) / reps, cp = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / reps;
			if (w < bestW) bestW = w;
			if (cp < bestC) bestC = cp;
		}
		printf("RESULT openblas %dx%dx%d threads=%d wall_ns=%.0f cpu_ns=%.0f gflops_wall=%.2f\n", m, k, n, threads,
		       1e9 * bestW, 1e9 * bestC, 2.0 * m * n * k / bestW / 1e9);
		free(a);
		free(b);
		free(c);
	}
	return 0;
}
