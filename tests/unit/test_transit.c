/* test_transit.c: walk + transit queries on Porto Alegre with both feeds:
 * never slower than walking alone, percentiles ordered, thread-independent,
 * dates outside the feeds refused with their ranges named. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "net/transit.h"
#include "testnet.h"

static hh_net *open_poa(void)
{
    const char *path = hh_test_net_path("poa-transit");
    hh_net *net = NULL;
    if (path && hh_net_open(path, &net, NULL, 0))
        return NULL;
    return net;
}

static hh_transit_opts noon(void)
{
    hh_transit_opts o = {20190513, 12 * 3600, 30, 15 * 60, 8, 3, 90 * 60, 0};
    return o;
}

HH_TEST(transit_network_round_trip)
{
    hh_net *net = open_poa();
    if (!net)
        return;
    HH_ASSERT(net->transit != NULL);
    HH_ASSERT_EQ(hh_net_n_feeds(net), 2);
    hh_feed_info fi;
    HH_ASSERT_EQ(hh_net_feed_info(net, 0, &fi), 0);
    HH_ASSERT_STR(fi.name, "poa_eptc.zip");
    HH_ASSERT(strstr(fi.agencies, "Empresa Publica de Transportes") != NULL);
    HH_ASSERT_STR(fi.timezone, "America/Sao_Paulo");
    HH_ASSERT_EQ(fi.stops, 3986);
    HH_ASSERT_EQ(fi.trips, 2374);
    HH_ASSERT_EQ(fi.first_date, 20190415);
    HH_ASSERT_EQ(fi.last_date, 20190715);
    HH_ASSERT(fi.stops_linked > 2000);
    HH_ASSERT_EQ(hh_net_feed_info(net, 1, &fi), 0);
    HH_ASSERT_STR(fi.name, "poa_trensurb.zip");
    HH_ASSERT_EQ(hh_net_feed_info(net, 2, &fi), HH_ERANGE);
    /* footpaths are symmetric enough: every one is at least the straight line at walking speed */
    const hh__transit *t = net->transit;
    for (uint32_t s = 0; s < t->tt.n_stops; s++)
        for (uint32_t i = t->foot_first[s]; i < t->foot_first[s + 1]; i++) {
            uint32_t to = t->foot[i].to;
            double d = hh__haversine_m(t->tt.stop_lon[s], t->tt.stop_lat[s], t->tt.stop_lon[to], t->tt.stop_lat[to]);
            HH_ASSERT(t->foot[i].walk_s + 1 >= d / 1.3 * 0.99);
        }
    hh_net_close(net);
}

HH_TEST(transit_date_outside_feeds_is_refused)
{
    hh_net *net = open_poa();
    if (!net)
        return;
    hh_transit_opts o = noon();
    o.date = 20200106;
    hh_transit *t = NULL;
    char err[512] = "";
    HH_ASSERT_EQ(hh_transit_prepare(net, &o, &t, err, sizeof err), HH_ERANGE);
    HH_ASSERT(strstr(err, "poa_eptc.zip 2019-04-15..2019-07-15") != NULL);
    HH_ASSERT(strstr(err, "poa_trensurb.zip") != NULL);
    o = noon();
    o.max_walk_s = 3 * 3600; /* beyond the walking tables */
    HH_ASSERT_EQ(hh_transit_prepare(net, &o, &t, err, sizeof err), HH_EINVAL);
    hh_net_close(net);
}

typedef struct rows {
    size_t nd, np;
    double *v;
} rows;

static int keep_t(size_t i, const double *p, void *ud)
{
    rows *r = ud;
    memcpy(r->v + i * r->nd * r->np, p, r->nd * r->np * sizeof *p);
    return 0;
}

static int keep_w(size_t i, const double *t, const double *d, void *ud)
{
    (void)d;
    rows *r = ud;
    memcpy(r->v + i * r->nd, t, r->nd * sizeof *t);
    return 0;
}

HH_TEST(transit_never_slower_than_walking)
{
    hh_net *net = open_poa();
    if (!net)
        return;
    enum { NO = 12, ND = 150 };
    hh_points o = {NO, calloc(NO, sizeof(char *)), calloc(NO, sizeof(double)), calloc(NO, sizeof(double))};
    hh_points d = {ND, calloc(ND, sizeof(char *)), calloc(ND, sizeof(double)), calloc(ND, sizeof(double))};
    uint64_t rng = 77;
    for (int i = 0; i < NO; i++)
        o.lon[i] = hh_test_uniform(&rng, -51.23, -51.17), o.lat[i] = hh_test_uniform(&rng, -30.07, -30.0);
    for (int i = 0; i < ND; i++)
        d.lon[i] = hh_test_uniform(&rng, -51.24, -51.15), d.lat[i] = hh_test_uniform(&rng, -30.10, -29.99);
    hh_transit_opts to = noon();
    hh_transit *t;
    char err[256];
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &t, err, sizeof err), 0);
    double pct[] = {5, 50, 95};
    rows r1 = {ND, 3, malloc(NO * ND * 3 * sizeof(double))}, r2 = {ND, 3, malloc(NO * ND * 3 * sizeof(double))};
    rows w = {ND, 1, malloc(NO * ND * sizeof(double))};
    HH_ASSERT_EQ(hh_transit_matrix_run(t, &o, &d, 500, pct, 3, 1, keep_t, &r1, NULL, NULL), 0);
    HH_ASSERT_EQ(hh_transit_matrix_run(t, &o, &d, 500, pct, 3, 2, keep_t, &r2, NULL, NULL), 0);
    hh_matrix_opts wo = {HH_MODE_WALK, to.max_s, 500, 1, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &wo, &o, &d, keep_w, &w, NULL, NULL), 0);
    int faster = 0, walkable = 0, reached = 0;
    for (int i = 0; i < NO * ND; i++) {
        double *p = r1.v + i * 3, *q = r2.v + i * 3;
        for (int k = 0; k < 3; k++)
            HH_ASSERT((isnan(p[k]) && isnan(q[k])) || p[k] == q[k]);
        /* percentiles are ordered (NAN = unreached = slowest) */
        HH_ASSERT(isnan(p[1]) || p[0] <= p[1]);
        HH_ASSERT(isnan(p[2]) || p[1] <= p[2]);
        HH_ASSERT(!isnan(p[1]) || isnan(p[2]));
        reached += !isnan(p[1]);
        if (isnan(w.v[i]))
            continue;
        walkable++;
        /* walking alone is one of transit's options at every departure */
        for (int k = 0; k < 3; k++) {
            HH_ASSERT(!isnan(p[k]));
            HH_ASSERT(p[k] <= w.v[i] + 0.5);
        }
        faster += p[1] + 60 < w.v[i];
    }
    fprintf(stderr, "  %d pairs: %d reached by transit (p50), %d walkable, %d of those >1 min faster by transit\n",
            NO * ND, reached, walkable, faster);
    HH_ASSERT(faster > walkable / 10);
    HH_ASSERT(reached > walkable);
    hh_transit_free(t);
    free(r1.v), free(r2.v), free(w.v);
    free(o.id), free(o.lon), free(o.lat), free(d.id), free(d.lon), free(d.lat);
    hh_net_close(net);
}

HH_TEST(transit_isochrone_contains_start_and_grows)
{
    hh_net *net = open_poa();
    if (!net)
        return;
    hh_transit_opts to = noon();
    hh_transit *t;
    hh_transit_query *q;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &t, NULL, 0), 0);
    HH_ASSERT_EQ(hh_transit_query_init(t, &q), 0);
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -51.2288, -30.0276, 500, &s), 0);
    HH_ASSERT_EQ(hh_transit_query_run(q, &s, NULL, 0), 0);
    double m[] = {15, 30, 45};
    hh_isochrone a, b;
    HH_ASSERT_EQ(hh_transit_isochrone(q, 50, m, 3, &a), 0);
    HH_ASSERT_EQ(hh_transit_isochrone(q, 95, m, 3, &b), 0);
    for (int k = 0; k < 3; k++) {
        HH_ASSERT(a.bands[k].area_km2 > 0);
        if (k)
            HH_ASSERT(a.bands[k].area_km2 >= a.bands[k - 1].area_km2);
        HH_ASSERT(b.bands[k].area_km2 <= a.bands[k].area_km2 + 1e-9); /* an unlucky departure reaches less */
    }
    double too_long[] = {120};
    HH_ASSERT_EQ(hh_transit_isochrone(q, 50, too_long, 1, &b), HH_EINVAL);
    hh_isochrone_free(&a);
    hh_isochrone_free(&b);
    float *surf = malloc(hh_net_n_vertices(net) * sizeof *surf);
    HH_ASSERT_EQ(hh_transit_surface(q, 50, surf, hh_net_n_vertices(net)), 0);
    int n = 0;
    for (uint32_t v = 0; v < hh_net_n_vertices(net); v++)
        n += !isnan(surf[v]);
    HH_ASSERT(n > 1000);
    free(surf);
    hh_transit_query_free(q);
    hh_transit_free(t);
    hh_net_close(net);
}
