/* test_select.c: the k-th smallest by selection (src/util/select.c) against
 * a sort, on fixed-seed random arrays heavy with ties (samples that never
 * arrive are all UINT32_MAX), and the transit percentiles built on it
 * against a sort of the same samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "testnet.h"
#include "transit/raptor.h"
#include "util/select.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

HH_TEST(select_matches_sort_on_random_arrays)
{
    static uint32_t a[600], sorted[600], work[600];
    uint64_t rng = 31337;
    for (int trial = 0; trial < 400; trial++) {
        size_t n = 1 + (size_t)(hh_test_uniform(&rng, 0, 1) * 599);
        int kind = trial % 4;
        for (size_t i = 0; i < n; i++) {
            double u = hh_test_uniform(&rng, 0, 1);
            /* 0: distinct-ish, 1: few values, 2: mostly unreached, 3: sorted runs */
            a[i] = kind == 0   ? (uint32_t)(u * 4e9)
                   : kind == 1 ? (uint32_t)(u * 4)
                   : kind == 2 ? (u < 0.7 ? UINT32_MAX : (uint32_t)(u * 3600))
                               : (uint32_t)(i / 7);
        }
        memcpy(sorted, a, n * sizeof *a);
        qsort(sorted, n, sizeof *sorted, cmp_u32);
        for (int r = 0; r < 6; r++) {
            size_t k = r == 0 ? 0 : r == 1 ? n - 1 : (size_t)(hh_test_uniform(&rng, 0, 1) * (double)n) % n;
            memcpy(work, a, n * sizeof *a);
            HH_ASSERT_EQ(hh__nth_u32(work, n, k), sorted[k]);
            for (size_t i = 0; i < n; i++)
                HH_ASSERT(i < k ? work[i] <= work[k] : i > k ? work[i] >= work[k] : 1);
            /* a permutation: the same multiset */
            qsort(work, n, sizeof *work, cmp_u32);
            HH_ASSERT(memcmp(work, sorted, n * sizeof *work) == 0);
        }
    }
}

HH_TEST(transit_percentiles_match_a_sort)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_transit_opts to = {20190513, 12 * 3600, 60, 15 * 60, 8, 1, 60 * 60, 0};
    hh_transit *t;
    hh_transit_query *q;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &t, NULL, 0), 0);
    HH_ASSERT_EQ(hh_transit_query_init(t, &q), 0);
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -51.2288, -30.0276, 500, &s), 0);
    HH_ASSERT_EQ(hh_transit_query_run(q, &s, NULL, 0), 0);
    uint32_t S = hh_transit_samples(t);
    uint32_t *v = malloc(S * sizeof *v);
    /* in any order, repeated, at the ends */
    const double pct[] = {95, 5, 50, 50, 100, 1e-9, 25, 75, 99.9, 33.3};
    const size_t np = sizeof pct / sizeof *pct;
    double got[sizeof pct / sizeof *pct];
    size_t n = hh_net_n_vertices(net), checked = 0, mixed = 0;
    for (size_t x = 0; x < n; x += 7) {
        HH_ASSERT_EQ(hh_transit_percentiles(q, x, pct, np, got), 0);
        HH_ASSERT(hh__transit_query_samples(q, x) == NULL); /* a surface: no rows */
        HH_ASSERT_EQ(hh__transit_query_copy_samples(q, x, v), 0);
        qsort(v, S, sizeof *v, cmp_u32);
        for (size_t i = 0; i < np; i++) {
            size_t rank = (size_t)ceil(pct[i] / 100.0 * S);
            uint32_t w = v[(rank < 1 ? 1 : rank) - 1];
            if (w == UINT32_MAX)
                HH_ASSERT(isnan(got[i]));
            else
                HH_ASSERT_EQ(got[i], (double)w);
            HH_ASSERT(hh_transit_percentile(q, x, pct[i]) == got[i] || (isnan(got[i]) && isnan(hh_transit_percentile(q, x, pct[i]))));
        }
        checked++;
        mixed += v[0] != UINT32_MAX && v[S - 1] == UINT32_MAX;
    }
    fprintf(stderr, "  %zu vertices, %zu reached at some departures only\n", checked, mixed);
    HH_ASSERT(mixed > 10);
    free(v);
    hh_transit_query_free(q);
    hh_transit_free(t);
    hh_net_close(net);
}
