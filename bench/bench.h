/* bench.h: timing and percentile helpers shared by the bench programs. */
#ifndef HH_BENCH_H
#define HH_BENCH_H

#include <math.h>
#include <stdlib.h>
#include <time.h>

static inline double clock_ms(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static inline double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p in [0,1] of v[0..n-1] (sorted in place), interpolated between ranks
 * (SQL's percentile_cont), the same for every bench program. */
static inline double percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double pos = p * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

#endif
