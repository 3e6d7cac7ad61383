/* test_access.c: access runs against the matrix they are built on.  On
 * Porto Alegre, for random origins and the hexagon grid's layers, every
 * access figure (cumulative, gravity, n-th nearest; every street mode and
 * transit at three percentiles, both percentile rules) equals what
 * hh_matrix_run / hh_transit_matrix_run / per-departure samples give for
 * the same points; results do not depend on the thread count; the grid
 * covers the network. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "testnet.h"
#include "transit/raptor.h"

typedef struct mrows {
    size_t n_dest, n_val;
    double *t; /* origins x dest x val */
} mrows;

static int keep_row(size_t o, const double *t, const double *d, void *ud)
{
    (void)d;
    mrows *m = ud;
    memcpy(m->t + o * m->n_dest * m->n_val, t, m->n_dest * m->n_val * sizeof *t);
    return 0;
}

static int keep_trow(size_t o, const double *t, void *ud) { return keep_row(o, t, NULL, ud); }

static int read_hex(hh_layers *ls)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/poa/poa_hexgrid.csv", hh_test_data_dir());
    return hh_layers_read(p, NULL, ls, NULL, 0);
}

static void random_origins(const hh_net *net, uint64_t *seed, size_t n, hh_points *o)
{
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    o->n = n, o->id = NULL;
    o->lon = malloc(n * sizeof *o->lon), o->lat = malloc(n * sizeof *o->lat);
    for (size_t i = 0; i < n; i++) {
        o->lon[i] = hh_test_uniform(seed, x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0));
        o->lat[i] = hh_test_uniform(seed, y0 + 0.2 * (y1 - y0), y1 - 0.2 * (y1 - y0));
    }
}

/* n-th nearest by brute force: sort the reached (t, v), first t where the
 * values reach n */
static double nth_nearest(const double *t, const double *v, size_t stride, size_t n_dest, size_t step, double n)
{
    double best = NAN;
    /* smallest T with sum over t <= T of v >= n: try every T */
    for (size_t j = 0; j < n_dest; j++) {
        double T = t[j * step];
        if (isnan(T) || !(v[j * stride] > 0))
            continue;
        double sum = 0;
        for (size_t k = 0; k < n_dest; k++)
            if (!isnan(t[k * step]) && t[k * step] <= T)
                sum += v[k * stride];
        if (sum >= n - 1e-9 && (isnan(best) || T < best))
            best = T;
    }
    return best / 60.0;
}

static void street_case(hh_mode mode, hh_decay decay, double dv)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_layers ls;
    HH_ASSERT_EQ(read_hex(&ls), 0);
    uint64_t seed = 42 + (uint64_t)mode * 7 + (uint64_t)decay;
    hh_points o;
    random_origins(net, &seed, 24 * (size_t)hh_test_soak, &o); /* --soak: more origins */
    size_t sel[2] = {(size_t)hh_layers_find(&ls, "jobs"), (size_t)hh_layers_find(&ls, "healthcare")};
    HH_ASSERT(sel[0] < ls.n_layers && sel[1] < ls.n_layers);
    double minutes[3] = {5, 10, 20};
    unsigned nearest[2] = {1, 50};
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.mode = mode, ao.minutes = minutes, ao.n_minutes = 3, ao.decay = decay, ao.decay_value = dv;
    ao.layers = sel, ao.n_layers = 2, ao.nearest = nearest, ao.n_nearest = 2, ao.sfca_supply = -1,
    ao.sfca_demand = -1, ao.max_s = 3600, ao.snap_max_m = 500, ao.threads = 2;
    hh_table t, t1;
    hh_access_stats st;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &t, &st, NULL, 0), 0);
    ao.threads = 1;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &t1, NULL, NULL, 0), 0);
    HH_ASSERT_EQ(t.n_cols, 2 * (3 + 2));
    /* any thread count, the same bits (NAN included) */
    HH_ASSERT(memcmp(t.v, t1.v, t.n_rows * t.n_cols * sizeof *t.v) == 0);
    /* the matrix to every hexagon */
    hh_points d = {ls.n, NULL, ls.lon, ls.lat};
    mrows m = {ls.n, 1, malloc(o.n * ls.n * sizeof(double))};
    hh_matrix_opts mo = {mode, 3600, 500, 2, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep_row, &m, NULL, NULL), 0);
    size_t checked = 0;
    for (size_t i = 0; i < o.n; i++) {
        const double *row = m.t + i * ls.n;
        int any = 0;
        for (size_t j = 0; j < ls.n; j++)
            any |= !isnan(row[j]);
        if (!any) { /* an origin that did not snap */
            HH_ASSERT(isnan(t.v[i * t.n_cols]));
            continue;
        }
        for (size_t l = 0; l < 2; l++) {
            for (size_t c = 0; c < 3; c++) {
                double want = 0;
                for (size_t j = 0; j < ls.n; j++)
                    if (!isnan(row[j]))
                        want += ls.value[j * ls.n_layers + sel[l]] *
                                hh_decay_weight(decay, dv, minutes[c] * 60, row[j]);
                double got = t.v[i * t.n_cols + l * 3 + c];
                HH_ASSERT_NEAR(got, want, 1e-9 * (1 + want));
                checked++;
            }
            for (size_t n = 0; n < 2; n++) {
                double want = nth_nearest(row, ls.value + sel[l], ls.n_layers, ls.n, 1, nearest[n]);
                double got = t.v[i * t.n_cols + 2 * 3 + l * 2 + n];
                if (isnan(want))
                    HH_ASSERT(isnan(got));
                else
                    HH_ASSERT_NEAR(got, want, 1e-6);
            }
        }
    }
    HH_ASSERT(checked > 50);
    HH_ASSERT_EQ(st.origins, o.n);
    free(m.t), free(o.lon), free(o.lat);
    hh_table_free(&t), hh_table_free(&t1);
    hh_layers_free(&ls);
    hh_net_close(net);
}

HH_TEST(access_matches_matrix_poa_walk) { street_case(HH_MODE_WALK, HH_DECAY_STEP, 0); }
HH_TEST(access_matches_matrix_poa_bike) { street_case(HH_MODE_BIKE, HH_DECAY_LOGISTIC, 5); }
HH_TEST(access_matches_matrix_poa_car) { street_case(HH_MODE_CAR, HH_DECAY_EXPONENTIAL, 0); }
HH_TEST(access_matches_matrix_poa_car_linear) { street_case(HH_MODE_CAR, HH_DECAY_LINEAR, 6); }
HH_TEST(access_matches_matrix_poa_walk_fixed_exp) { street_case(HH_MODE_WALK, HH_DECAY_FIXED_EXPONENTIAL, 0.002); }

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

HH_TEST(access_matches_matrix_poa_transit)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_layers ls;
    HH_ASSERT_EQ(read_hex(&ls), 0);
    uint64_t seed = 99;
    hh_points o;
    random_origins(net, &seed, 10, &o);
    size_t sel[1] = {(size_t)hh_layers_find(&ls, "jobs")};
    double minutes[2] = {20, 40}, pct[3] = {25, 50, 75};
    hh_transit_opts to = {20190513, 12 * 3600, 20, 15 * 60, 8, 3, 40 * 60, 0};
    hh_transit *tp;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &tp, NULL, 0), 0);
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.transit = tp, ao.pct = pct, ao.n_pct = 3, ao.minutes = minutes, ao.n_minutes = 2;
    ao.layers = sel, ao.n_layers = 1, ao.sfca_supply = -1, ao.sfca_demand = -1, ao.snap_max_m = 500;
    ao.threads = 2;
    hh_table t, ta;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &t, NULL, NULL, 0), 0);
    HH_ASSERT_EQ(t.n_cols, 6);
    {
        hh_table t1;
        ao.threads = 1;
        HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &t1, NULL, NULL, 0), 0);
        HH_ASSERT(memcmp(t.v, t1.v, t.n_rows * t.n_cols * sizeof *t.v) == 0);
        hh_table_free(&t1);
        ao.threads = 2;
    }
    HH_ASSERT_STR(t.col[0], "jobs_20_p25");
    HH_ASSERT_STR(t.col[5], "jobs_40_p75");
    /* R5's rule: access from the percentile times of the matrix */
    hh_points d = {ls.n, NULL, ls.lon, ls.lat};
    mrows m = {ls.n, 3, malloc(o.n * ls.n * 3 * sizeof(double))};
    HH_ASSERT_EQ(hh_transit_matrix_run(tp, &o, &d, 500, pct, 3, 2, keep_trow, &m, NULL, NULL), 0);
    /* the one-request form gives the same rows, on one thread too */
    mrows m1 = {ls.n, 3, malloc(o.n * ls.n * 3 * sizeof(double))};
    hh_matrix_opts mo = {HH_MODE_CAR /* ignored */, 0, 500, 1, tp, pct, 3, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep_row, &m1, NULL, NULL), 0);
    HH_ASSERT(memcmp(m.t, m1.t, o.n * ls.n * 3 * sizeof(double)) == 0);
    free(m1.t);
    for (size_t i = 0; i < o.n; i++)
        for (size_t c = 0; c < 2; c++)
            for (size_t p = 0; p < 3; p++) {
                double want = 0;
                for (size_t j = 0; j < ls.n; j++) {
                    double tt = m.t[(i * ls.n + j) * 3 + p];
                    if (!isnan(tt) && tt < minutes[c] * 60)
                        want += ls.value[j * ls.n_layers + sel[0]];
                }
                double got = t.v[i * 6 + c * 3 + p];
                if (isnan(got))
                    continue; /* origin did not snap */
                HH_ASSERT_NEAR(got, want, 1e-9 * (1 + want));
            }
    /* the other rule: the percentile over departures of each departure's access */
    ao.pct_of = HH_PCT_OF_ACCESS;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &ta, NULL, NULL, 0), 0);
    hh_transit_query *q;
    HH_ASSERT_EQ(hh_transit_query_init(tp, &q), 0);
    uint32_t S = hh_transit_samples(tp);
    hh_snap *ts = malloc(ls.n * sizeof *ts);
    size_t *tix = malloc(ls.n * sizeof *tix), nt = 0;
    for (size_t j = 0; j < ls.n; j++)
        if (ls.value[j * ls.n_layers + sel[0]] > 0 &&
            hh_snap_point(net, HH_MODE_WALK, ls.lon[j], ls.lat[j], 500, &ts[nt]) == 0)
            tix[nt++] = j;
    double *acc = malloc(S * sizeof *acc);
    size_t compared = 0;
    for (size_t i = 0; i < o.n; i++) {
        hh_snap so;
        if (hh_snap_point(net, HH_MODE_WALK, o.lon[i], o.lat[i], 500, &so))
            continue;
        HH_ASSERT_EQ(hh_transit_query_run(q, &so, ts, nt), 0);
        for (size_t c = 0; c < 2; c++) {
            for (uint32_t s = 0; s < S; s++) {
                acc[s] = 0;
                for (size_t k = 0; k < nt; k++) {
                    uint32_t v = hh__transit_query_samples(q, k)[s];
                    if (v != UINT32_MAX && v < minutes[c] * 60)
                        acc[s] += ls.value[tix[k] * ls.n_layers + sel[0]];
                }
            }
            qsort(acc, S, sizeof *acc, cmp_d);
            for (size_t p = 0; p < 3; p++) {
                size_t rank = (size_t)ceil(pct[p] / 100.0 * S);
                HH_ASSERT_NEAR(ta.v[i * 6 + c * 3 + p], acc[rank - 1], 1e-9 * (1 + acc[rank - 1]));
                compared++;
            }
            /* and the two rules agree at the median only loosely: no check */
        }
    }
    HH_ASSERT(compared >= 12);
    free(acc), free(ts), free(tix), free(m.t), free(o.lon), free(o.lat);
    hh_transit_query_free(q);
    hh_table_free(&t), hh_table_free(&ta);
    hh_transit_free(tp);
    hh_layers_free(&ls);
    hh_net_close(net);
}

HH_TEST(access_grid_covers_network_poa)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_grid g;
    HH_ASSERT_EQ(hh_grid_make(net, 250, &g, NULL, 0), 0);
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    /* 13 x 14 km: about 52 x 55 cells */
    HH_ASSERT(g.nx >= 50 && g.nx <= 60 && g.ny >= 50 && g.ny <= 62);
    HH_ASSERT_EQ(g.n, (size_t)g.nx * g.ny);
    size_t c;
    HH_ASSERT_EQ(hh_grid_cell_of(&g, g.lon[17], g.lat[17], &c), 0);
    HH_ASSERT_EQ(c, 17);
    HH_ASSERT_EQ(hh_grid_cell_of(&g, x0 - 1, y0, &c), HH_ERANGE);
    /* the corners of the bbox fall in the grid */
    HH_ASSERT_EQ(hh_grid_cell_of(&g, x0, y0, &c), 0);
    HH_ASSERT_EQ(hh_grid_cell_of(&g, x1, y1, &c), 0);
    hh_grid_free(&g);
    hh_net_close(net);
}

/* 2SFCA on the hexagons: healthcare per resident, walking 15 minutes; the
 * two steps recomputed from the hexagon-to-hexagon matrix. */
HH_TEST(access_2sfca_matches_matrix_poa)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_layers ls;
    HH_ASSERT_EQ(read_hex(&ls), 0);
    int sup = hh_layers_find(&ls, "healthcare"), dem = hh_layers_find(&ls, "population");
    HH_ASSERT(sup >= 0 && dem >= 0);
    uint64_t seed = 5;
    hh_points o;
    random_origins(net, &seed, 16, &o);
    double minutes[1] = {15};
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.mode = HH_MODE_WALK, ao.minutes = minutes, ao.n_minutes = 1, ao.sfca_supply = sup, ao.sfca_demand = dem;
    ao.snap_max_m = 500, ao.threads = 2;
    hh_table t;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &ls, &o, &t, NULL, NULL, 0), 0);
    HH_ASSERT_EQ(t.n_cols, 1);
    HH_ASSERT_STR(t.col[0], "healthcare_2sfca_15");
    hh_points d = {ls.n, NULL, ls.lon, ls.lat};
    mrows hh = {ls.n, 1, malloc(ls.n * ls.n * sizeof(double))};
    hh_matrix_opts mo = {HH_MODE_WALK, 900, 500, 2, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &d, &d, keep_row, &hh, NULL, NULL), 0);
    double *ratio = calloc(ls.n, sizeof *ratio);
    for (size_t j = 0; j < ls.n; j++) {
        double s = ls.value[j * ls.n_layers + (size_t)sup], dsum = 0;
        if (!(s > 0))
            continue;
        for (size_t k = 0; k < ls.n; k++) {
            double tt = hh.t[k * ls.n + j];
            if (!isnan(tt) && tt < 900)
                dsum += ls.value[k * ls.n_layers + (size_t)dem];
        }
        ratio[j] = dsum > 0 ? s / dsum : 0;
    }
    mrows m = {ls.n, 1, malloc(o.n * ls.n * sizeof(double))};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep_row, &m, NULL, NULL), 0);
    size_t nonzero = 0;
    for (size_t i = 0; i < o.n; i++) {
        if (isnan(t.v[i]))
            continue;
        double want = 0;
        for (size_t j = 0; j < ls.n; j++) {
            double tt = m.t[i * ls.n + j];
            if (!isnan(tt) && tt < 900)
                want += ratio[j];
        }
        HH_ASSERT_NEAR(t.v[i], want, 1e-9 * (1 + want));
        nonzero += want > 0;
    }
    HH_ASSERT(nonzero >= 3);
    free(ratio), free(hh.t), free(m.t), free(o.lon), free(o.lat);
    hh_table_free(&t);
    hh_layers_free(&ls);
    hh_net_close(net);
}
