/* test_matrix_buf.c: hh_matrix_buf_row, the row callback that copies a
 * matrix into the caller's arrays (the Python package's numpy buffers),
 * checked against the plain per-pair search (hh_query_run +
 * hh_query_time_to) on random points, and for transit against the rows
 * hh_transit_matrix_run delivers; a bad origin index stops the run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "testnet.h"

/* points in a 4 x 4 km box of central Porto Alegre (some off the streets) */
static void random_points(const hh_net *net, uint64_t *seed, size_t n, double *lon, double *lat)
{
    (void)net;
    for (size_t i = 0; i < n; i++) {
        lon[i] = hh_test_uniform(seed, -51.23, -51.19);
        lat[i] = hh_test_uniform(seed, -30.05, -30.01);
    }
}

HH_TEST(matrix_buf_street_equals_plain_search)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    enum { NO = 9, ND = 23 };
    double olon[NO], olat[NO], dlon[ND], dlat[ND];
    uint64_t seed = 20250301;
    random_points(net, &seed, NO, olon, olat);
    random_points(net, &seed, ND, dlon, dlat);
    hh_points o = {NO, NULL, olon, olat}, d = {ND, NULL, dlon, dlat};
    double *t = malloc(NO * ND * sizeof *t), *dist = malloc(NO * ND * sizeof *dist);
    for (size_t k = 0; k < NO * ND; k++)
        t[k] = dist[k] = -1;
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    for (int m = 0; m < HH_N_MODES; m++) {
        hh_matrix_buf b = {t, dist, NO, ND, 1, 0};
        hh_matrix_opts mo = {(hh_mode)m, 1800, 500, 2, NULL, NULL, 0, NULL, NULL};
        unsigned char oko[NO], okd[ND];
        HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, hh_matrix_buf_row, &b, oko, okd), 0);
        HH_ASSERT_EQ(b.rows, NO);
        size_t reached = 0;
        for (size_t i = 0; i < NO; i++) {
            hh_snap so;
            int os = hh_snap_point(net, (hh_mode)m, olon[i], olat[i], 500, &so);
            HH_ASSERT_EQ(os == 0, oko[i]);
            if (!os)
                HH_ASSERT_EQ(hh_query_run(q, (hh_mode)m, &so, 1800), 0);
            for (size_t j = 0; j < ND; j++) {
                hh_snap sd;
                double want = NAN, want_d = NAN, tt, dd;
                if (!os && hh_snap_point(net, (hh_mode)m, dlon[j], dlat[j], 500, &sd) == 0 &&
                    hh_query_time_to(q, &sd, &tt, &dd) == 0 && tt <= 1800)
                    want = tt, want_d = dd;
                double got = t[i * ND + j], got_d = dist[i * ND + j];
                if (isnan(want)) {
                    HH_ASSERT(isnan(got) && isnan(got_d));
                } else {
                    HH_ASSERT_NEAR(got, want, 0.05 + 1e-9 * want);
                    HH_ASSERT_NEAR(got_d, want_d, 0.5 + 1e-6 * want_d);
                    reached++;
                }
            }
        }
        HH_ASSERT(reached > NO * ND / 10);
    }
    /* an origin past n_orig stops the run with an error */
    hh_matrix_buf small = {t, NULL, NO - 1, ND, 1, 0};
    hh_matrix_opts mo = {HH_MODE_WALK, 600, 500, 1, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT(hh_matrix_run(net, &mo, &o, &d, hh_matrix_buf_row, &small, NULL, NULL) != 0);
    HH_ASSERT_EQ(small.rows, NO - 1);
    HH_ASSERT(hh_matrix_buf_row(0, t, NULL, NULL) != 0);
    hh_query_free(q);
    free(t), free(dist);
    hh_net_close(net);
}

typedef struct trows {
    size_t n_dest, n_pct;
    double *t;
} trows;

static int keep_transit(size_t i, const double *pct_s, void *ud)
{
    trows *r = ud;
    memcpy(r->t + i * r->n_dest * r->n_pct, pct_s, r->n_dest * r->n_pct * sizeof *pct_s);
    return 0;
}

HH_TEST(matrix_buf_transit_keeps_percentile_layout)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    enum { NO = 5, ND = 17, NP = 3 };
    double olon[NO], olat[NO], dlon[ND], dlat[ND];
    uint64_t seed = 20250302;
    random_points(net, &seed, NO, olon, olat);
    random_points(net, &seed, ND, dlon, dlat);
    hh_points o = {NO, NULL, olon, olat}, d = {ND, NULL, dlon, dlat};
    hh_transit_opts to = {20190513, 12 * 3600, 20, 900, 4, 1, 5400, 0};
    hh_transit *tp;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &tp, NULL, 0), 0);
    double pct[NP] = {5, 50, 95};
    double *a = malloc(NO * ND * NP * sizeof *a), *b = malloc(NO * ND * NP * sizeof *b);
    double *dist = malloc(NO * ND * sizeof *dist);
    for (size_t k = 0; k < NO * ND; k++)
        dist[k] = 0;
    hh_matrix_buf mb = {a, dist, NO, ND, NP, 0};
    hh_matrix_opts mo = {HH_MODE_WALK, INFINITY, 500, 2, tp, pct, NP, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, hh_matrix_buf_row, &mb, NULL, NULL), 0);
    trows tr = {ND, NP, b};
    HH_ASSERT_EQ(hh_transit_matrix_run(tp, &o, &d, 500, pct, NP, 1, keep_transit, &tr, NULL, NULL), 0);
    size_t finite = 0;
    for (size_t k = 0; k < NO * ND * NP; k++) {
        HH_ASSERT(isnan(a[k]) == isnan(b[k]));
        if (!isnan(a[k])) {
            HH_ASSERT_EQ(a[k], b[k]);
            finite++;
        }
    }
    HH_ASSERT(finite > 0);
    for (size_t k = 0; k < NO * ND; k++)
        HH_ASSERT(isnan(dist[k])); /* transit has no distances */
    free(a), free(b), free(dist);
    hh_transit_free(tp);
    hh_net_close(net);
}
