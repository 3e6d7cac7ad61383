/* test_isochrone.c: properties of real isochrones that peers' users report
 * broken: the start must be inside, no land far from reached streets, and
 * nested, closed, correctly oriented rings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "street/query.h"
#include "testnet.h"

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(ax + t * dx - px, ay + t * dy - py);
}

/* Distance (plane metres) from a point to the nearest edge reached within
 * cutoff_s at either end (by the search's vertex times) or holding the
 * origin: a superset of the streets the polygons may be drawn around. */
static double dist_to_reached(const hh_query *q, const float *tv, double px, double py, double cutoff_s)
{
    const hh_net *net = q->net;
    const hh__grid_hdr *g = net->grid;
    double best = INFINITY;
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << q->mode)))
            continue;
        if (!(tv[ed->from] <= cutoff_s) && !(tv[ed->to] <= cutoff_s) && e != q->origin.edge)
            continue;
        uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
        hh__ll a = net->node_ll[ed->from];
        for (uint32_t s = s0; s <= s1; s++) {
            hh__ll b = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
            double d = seg_dist(px, py, hh__x_of(g, a.lon_e7), hh__y_of(g, a.lat_e7), hh__x_of(g, b.lon_e7),
                                hh__y_of(g, b.lat_e7));
            if (d < best)
                best = d;
            a = b;
        }
    }
    return best;
}

static int point_in_ring(const double *ll, size_t a, size_t z, double x, double y)
{
    int in = 0;
    for (size_t i = a, j = z - 1; i < z; j = i++) {
        double xi = ll[2 * i], yi = ll[2 * i + 1], xj = ll[2 * j], yj = ll[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

static double ring_area(const double *ll, size_t a, size_t z)
{
    double s = 0;
    for (size_t i = a; i + 1 < z; i++)
        s += ll[2 * i] * ll[2 * i + 3] - ll[2 * i + 2] * ll[2 * i + 1];
    return s / 2;
}

static int band_contains(const hh_isoband *b, double lon, double lat)
{
    for (size_t p = 0; p < b->n_polys; p++) {
        size_t r0 = b->poly_first_ring[p], r1 = b->poly_first_ring[p + 1];
        if (!point_in_ring(b->lonlat, b->ring_first[r0], b->ring_first[r0 + 1], lon, lat))
            continue;
        int in_hole = 0;
        for (size_t r = r0 + 1; r < r1; r++)
            in_hole |= point_in_ring(b->lonlat, b->ring_first[r], b->ring_first[r + 1], lon, lat);
        if (!in_hole)
            return 1;
    }
    return 0;
}

HH_TEST(isochrone_properties_on_poa)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    const hh__grid_hdr *g = net->grid;
    const hh_profile *pr = &net->info.profile;
    double limit = pr->iso_buffer_m + pr->iso_cell_m * 1.5;
    double minutes[] = {3, 6, 10};
    uint64_t rng = 4242;
    int origins = 0;
    float *tv = malloc(net->n_nodes * sizeof *tv);
    for (int i = 0; i < 60 && origins < 9; i++) {
        hh_mode m = (hh_mode)(origins % 3);
        hh_snap s;
        double lon = hh_test_uniform(&rng, -51.24, -51.17), lat = hh_test_uniform(&rng, -30.07, -30.0);
        if (hh_snap_point(net, m, lon, lat, 150, &s))
            continue;
        origins++;
        HH_ASSERT_EQ(hh_query_run(q, m, &s, minutes[2] * 60), 0);
        HH_ASSERT_EQ(hh_query_surface(q, tv, net->n_nodes), 0);
        hh_isochrone iso;
        HH_ASSERT_EQ(hh_isochrone_build(q, minutes, 3, &iso), 0);
        HH_ASSERT_EQ(iso.n_bands, 3);
        for (size_t b = 0; b < 3; b++) {
            const hh_isoband *band = &iso.bands[b];
            HH_ASSERT(band->n_polys >= 1);
            HH_ASSERT(band->area_km2 > 0);
            if (b)
                HH_ASSERT(band->area_km2 >= iso.bands[b - 1].area_km2);
            /* the snapped start lies inside every band */
            HH_ASSERT(band_contains(band, s.lon, s.lat));
            size_t n_rings = band->poly_first_ring[band->n_polys];
            for (size_t r = 0; r < n_rings; r++) {
                size_t a = band->ring_first[r], z = band->ring_first[r + 1];
                HH_ASSERT(z - a >= 4);
                HH_ASSERT(band->lonlat[2 * a] == band->lonlat[2 * (z - 1)]);
                HH_ASSERT(band->lonlat[2 * a + 1] == band->lonlat[2 * (z - 1) + 1]);
                int outer = 0;
                for (size_t p = 0; p < band->n_polys; p++)
                    outer |= band->poly_first_ring[p] == r;
                double area = ring_area(band->lonlat, a, z);
                HH_ASSERT(outer ? area > 0 : area < 0);
                /* no boundary point farther than buffer + a cell from a reached street */
                for (size_t k = a; k < z; k += 3) {
                    double px = (band->lonlat[2 * k] - g->lon0) * g->mx;
                    double py = (band->lonlat[2 * k + 1] - g->lat0) * g->my;
                    double d = dist_to_reached(q, tv, px, py, minutes[b] * 60);
                    if (!(d <= limit)) {
                        fprintf(stderr, "  %s band %g: boundary point %.1f m from reached streets (limit %.1f)\n",
                                hh_mode_name(m), minutes[b], d, limit);
                        HH_ASSERT(0);
                    }
                }
            }
        }
        hh_isochrone_free(&iso);
    }
    HH_ASSERT_EQ(origins, 9);
    free(tv);
    hh_query_free(q);
    hh_net_close(net);
}

HH_TEST(isochrone_rejects_bad_cutoffs)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    hh_isochrone iso;
    double m1[] = {10};
    HH_ASSERT_EQ(hh_isochrone_build(q, m1, 1, &iso), HH_EINVAL); /* no search yet */
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -51.2288, -30.0276, 500, &s), 0);
    HH_ASSERT_EQ(hh_query_run(q, HH_MODE_WALK, &s, 300), 0);
    HH_ASSERT_EQ(hh_isochrone_build(q, m1, 1, &iso), HH_EINVAL); /* search bound below cutoff */
    HH_ASSERT_EQ(hh_query_run(q, HH_MODE_WALK, &s, 1200), 0);
    double bad1[] = {10, 5}, bad2[] = {-1}, bad3[] = {0};
    HH_ASSERT_EQ(hh_isochrone_build(q, bad1, 2, &iso), HH_EINVAL);
    HH_ASSERT_EQ(hh_isochrone_build(q, bad2, 1, &iso), HH_EINVAL);
    HH_ASSERT_EQ(hh_isochrone_build(q, bad3, 1, &iso), HH_EINVAL);
    HH_ASSERT_EQ(hh_isochrone_build(q, m1, 1, &iso), 0);
    hh_isochrone_free(&iso);
    hh_isochrone_free(NULL);
    hh_query_free(q);
    hh_net_close(net);
}

static int same_iso(const hh_isochrone *a, const hh_isochrone *b)
{
    if (a->n_bands != b->n_bands)
        return 0;
    for (size_t i = 0; i < a->n_bands; i++) {
        const hh_isoband *x = &a->bands[i], *y = &b->bands[i];
        if (x->n_polys != y->n_polys || x->area_km2 != y->area_km2)
            return 0;
        size_t nr = x->poly_first_ring[x->n_polys], np = nr ? x->ring_first[nr] : 0;
        if (memcmp(x->ring_first, y->ring_first, (nr + 1) * sizeof(size_t)) ||
            memcmp(x->lonlat, y->lonlat, 2 * np * sizeof(double)))
            return 0;
    }
    return 1;
}

/* One surface type for every search: a street search's surface holds the
 * times hh_query_surface gives (and, car, each arc's entry), its polygons
 * are the search's polygons, and the surface survives the next search. */
HH_TEST(surface_of_a_search_draws_its_isochrone)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    hh_surface none;
    HH_ASSERT_EQ(hh_query_get_surface(q, &none), HH_EINVAL); /* no search yet */
    size_t n = hh_net_n_vertices(net);
    float *f = malloc(n * sizeof *f);
    double minutes[] = {5, 12};
    for (int m = 0; m < HH_N_MODES; m++) {
        hh_snap s;
        HH_ASSERT_EQ(hh_snap_point(net, (hh_mode)m, -51.2288, -30.0276, 300, &s), 0);
        HH_ASSERT_EQ(hh_query_run(q, (hh_mode)m, &s, 720), 0);
        hh_surface sf;
        HH_ASSERT_EQ(hh_query_get_surface(q, &sf), 0);
        HH_ASSERT_EQ(sf.n, n);
        HH_ASSERT_EQ(sf.mode, m);
        HH_ASSERT(m == HH_MODE_CAR ? sf.arc_s != NULL : sf.arc_s == NULL);
        HH_ASSERT_EQ(hh_query_surface(q, f, n), 0);
        size_t reached = 0;
        for (size_t v = 0; v < n; v++) {
            HH_ASSERT(isnan(sf.time_s[v]) == isnan(f[v]));
            if (!isnan(f[v])) {
                HH_ASSERT_NEAR(sf.time_s[v], f[v], 1e-3);
                reached++;
            }
        }
        HH_ASSERT(reached > 20);
        hh_isochrone a, b;
        HH_ASSERT_EQ(hh_isochrone_build(q, minutes, 2, &a), 0);
        /* another search in between: the surface keeps its own times */
        hh_snap s2;
        HH_ASSERT_EQ(hh_snap_point(net, (hh_mode)m, -51.20, -30.05, 500, &s2), 0);
        HH_ASSERT_EQ(hh_query_run(q, (hh_mode)m, &s2, 300), 0);
        HH_ASSERT_EQ(hh_surface_isochrone(&sf, minutes, 2, &b), 0);
        HH_ASSERT(same_iso(&a, &b));
        double too_far[] = {13};
        hh_isochrone c;
        HH_ASSERT_EQ(hh_surface_isochrone(&sf, too_far, 1, &c), HH_EINVAL); /* beyond the search */
        hh_isochrone_free(&a), hh_isochrone_free(&b);
        hh_surface_free(&sf);
        hh_surface_free(&sf); /* twice: NULL-safe, emptied */
    }
    free(f);
    hh_query_free(q);
    hh_net_close(net);
}

/* ---- the fast raster against the oracle, and the map options ------------ */

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "reach/bands.h"

/* A band as a GEOS MultiPolygon in the network's plane (metres). */
static GEOSGeometry *band_geos(GEOSContextHandle_t h, const hh_net *net, const hh_isoband *b)
{
    const hh__grid_hdr *g = net->grid;
    GEOSGeometry **polys = malloc((b->n_polys + 1) * sizeof *polys);
    for (size_t p = 0; p < b->n_polys; p++) {
        size_t r0 = b->poly_first_ring[p], nr = b->poly_first_ring[p + 1] - r0;
        GEOSGeometry **rings = malloc(nr * sizeof *rings);
        for (size_t r = 0; r < nr; r++) {
            size_t a = b->ring_first[r0 + r], z = b->ring_first[r0 + r + 1];
            double *xy = malloc(2 * (z - a) * sizeof *xy);
            for (size_t k = a; k < z; k++) {
                xy[2 * (k - a)] = (b->lonlat[2 * k] - g->lon0) * g->mx;
                xy[2 * (k - a) + 1] = (b->lonlat[2 * k + 1] - g->lat0) * g->my;
            }
            rings[r] = GEOSGeom_createLinearRing_r(h, GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)(z - a), 0, 0));
            free(xy);
        }
        polys[p] = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)(nr - 1));
        free(rings);
    }
    GEOSGeometry *m = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)b->n_polys);
    free(polys);
    return m;
}

static double area_of(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double a = 0;
    GEOSArea_r(h, g, &a);
    return a;
}

/* b within a, up to a sliver of width tol_m (boundaries that meet up to the
 * output's rounding) */
static int nested_in(GEOSContextHandle_t h, const GEOSGeometry *b, const GEOSGeometry *a, double tol_m)
{
    GEOSGeometry *d = GEOSDifference_r(h, b, a);
    GEOSGeometry *shrunk = d ? GEOSBuffer_r(h, d, -tol_m, 2) : NULL;
    int ok = shrunk && (GEOSisEmpty_r(h, shrunk) == 1 || area_of(h, shrunk) < 1.0);
    if (!ok && d)
        fprintf(stderr, "  escape of %.1f m2 (%.1f m2 before shrinking)\n", shrunk ? area_of(h, shrunk) : -1,
                area_of(h, d));
    if (d)
        GEOSGeom_destroy_r(h, d);
    if (shrunk)
        GEOSGeom_destroy_r(h, shrunk);
    return ok;
}

/* Random snapped origins in the middle of a network's box. */
static int pick(const hh_net *net, hh_mode m, uint64_t *rng, hh_snap *s)
{
    hh_net_info info;
    hh_net_get_info(net, &info);
    for (int k = 0; k < 1000; k++) {
        double lon = hh_test_uniform(rng, info.min_lon, info.max_lon);
        double lat = hh_test_uniform(rng, info.min_lat, info.max_lat);
        lon = info.min_lon + (lon - info.min_lon) * 0.5 + (info.max_lon - info.min_lon) * 0.25;
        lat = info.min_lat + (lat - info.min_lat) * 0.5 + (info.max_lat - info.min_lat) * 0.25;
        if (hh_snap_point(net, m, lon, lat, 200, s) == 0)
            return 0;
    }
    return -1;
}

/* The fast raster (hh_surface_isochrone, strict) draws what the plain
 * sample-cloud raster draws: both valid for GEOS, nested, and the symmetric
 * difference a small share of the area. */
static void fast_vs_oracle(const char *city, const double *minutes, size_t nm, int n_origins, uint64_t seed)
{
    const char *path = hh_test_net_path(city);
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    GEOSContextHandle_t h = GEOS_init_r();
    uint64_t rng = seed;
    double worst = 0;
    for (int i = 0; i < n_origins; i++) {
        hh_mode m = (hh_mode)(i % 3);
        hh_snap s;
        HH_ASSERT_EQ(pick(net, m, &rng, &s), 0);
        HH_ASSERT_EQ(hh_query_run(q, m, &s, minutes[nm - 1] * 60), 0);
        hh_surface sf;
        HH_ASSERT_EQ(hh_query_get_surface(q, &sf), 0);
        hh_isochrone fast, plain;
        HH_ASSERT_EQ(hh_surface_isochrone(&sf, minutes, nm, &fast), 0);
        HH_ASSERT_EQ(hh__surface_isochrone_oracle(&sf, minutes, nm, &plain), 0);
        GEOSGeometry *prev = NULL;
        for (size_t b = 0; b < nm; b++) {
            GEOSGeometry *gf = band_geos(h, net, &fast.bands[b]), *gp = band_geos(h, net, &plain.bands[b]);
            HH_ASSERT(GEOSisValid_r(h, gf) == 1);
            HH_ASSERT(GEOSisValid_r(h, gp) == 1);
            GEOSGeometry *x = GEOSSymDifference_r(h, gf, gp);
            double ap = area_of(h, gp), ax = area_of(h, x), share = ap > 0 ? ax / ap : ax;
            worst = share > worst ? share : worst;
            if (!(share < 0.002))
                fprintf(stderr, "  %s %s %g min: symmetric difference %.0f m2 of %.0f m2\n", city, hh_mode_name(m),
                        minutes[b], ax, ap);
            HH_ASSERT(share < 0.002);
            HH_ASSERT_NEAR(fast.bands[b].area_km2, plain.bands[b].area_km2, 0.002 * plain.bands[b].area_km2 + 1e-6);
            if (prev) {
                HH_ASSERT(nested_in(h, prev, gf, 0.05));
                GEOSGeom_destroy_r(h, prev);
            }
            prev = gf;
            GEOSGeom_destroy_r(h, gp), GEOSGeom_destroy_r(h, x);
        }
        GEOSGeom_destroy_r(h, prev);
        hh_isochrone_free(&fast), hh_isochrone_free(&plain);
        hh_surface_free(&sf);
    }
    fprintf(stderr, "  %s: %d origins, worst symmetric difference %.5f of the area\n", city, n_origins, worst);
    /* the car bands hold most of the network: drawn from the samples the
     * network keeps per lattice (isochrone.c), so these checks cover them */
    HH_ASSERT(net->lazy != NULL);
    GEOS_finish_r(h);
    hh_query_free(q);
    hh_net_close(net);
}

HH_TEST(isochrone_fast_raster_matches_the_oracle_monaco)
{
    const double minutes[] = {3, 8, 15};
    fast_vs_oracle("monaco", minutes, 3, 9, 9001);
}

HH_TEST(isochrone_fast_raster_matches_the_oracle_porto)
{
    const double minutes[] = {10, 20, 30};
    fast_vs_oracle("porto", minutes, 3, 6, 20250101);
}

/* The raster cell hh_surface_isochrone uses (isochrone.c's rule). */
static double cell_of(const hh_net *net, const float *tv, double tmax)
{
    const hh__grid_hdr *g = net->grid;
    const hh_profile *pr = &net->info.profile;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (uint32_t v = 0; v < net->n_nodes; v++)
        if (tv[v] <= tmax) {
            double x = hh__x_of(g, net->node_ll[v].lon_e7), y = hh__y_of(g, net->node_ll[v].lat_e7);
            x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
        }
    double c = pr->iso_cell_m, need = sqrt((x1 - x0 + 2 * pr->iso_buffer_m) * (y1 - y0 + 2 * pr->iso_buffer_m) /
                                           pr->iso_max_cells);
    return need > c ? ceil(need / 5) * 5 : c;
}

/* The latest time anywhere along edge e (its ends, and inside the edge
 * where the two directions' arrivals meet), from the search's vertex times
 * and, for a car, the times it enters each direction. */
static double latest_on_edge(const hh_query *q, const hh_surface *sf, uint32_t e)
{
    const hh_net *net = q->net;
    const hh__edge *ed = &net->edges[e];
    double tf = sf->time_s[ed->from], tt = sf->time_s[ed->to];
    if (isnan(tf) || isnan(tt))
        return INFINITY;
    double ef = ed->dur_ds[q->mode][0] != HH_DUR_NONE ? tf : INFINITY;
    double eb = ed->dur_ds[q->mode][1] != HH_DUR_NONE ? tt : INFINITY;
    if (sf->arc_s) {
        ef = eb = INFINITY;
        const uint32_t *fo = net->first_out[q->mode];
        const hh__arc *A = net->arcs[q->mode];
        for (int dir = 0; dir < 2; dir++) {
            uint32_t tail = dir ? ed->to : ed->from;
            for (uint32_t a = fo[tail]; a < fo[tail + 1]; a++)
                if (A[a].edge_dir == (e << 1 | (uint32_t)dir) && !isnan(sf->arc_s[a]))
                    *(dir ? &eb : &ef) = sf->arc_s[a];
        }
    }
    double df = ed->dur_ds[q->mode][0] / 10.0, db = ed->dur_ds[q->mode][1] / 10.0, worst;
    if (isinf(ef) && isinf(eb))
        worst = INFINITY;
    else if (isinf(eb))
        worst = ef + df;
    else if (isinf(ef))
        worst = eb + db;
    else {
        double u = (eb + db - ef) / (df + db);
        u = u < 0 ? 0 : u > 1 ? 1 : u;
        worst = ef + df * u;
    }
    return fmax(worst, fmax(tf, tt));
}

static double ring_dist(const hh_isoband *b, size_t r, const hh__grid_hdr *g, double px, double py)
{
    double best = INFINITY;
    for (size_t k = b->ring_first[r]; k + 1 < b->ring_first[r + 1]; k++) {
        double ax = (b->lonlat[2 * k] - g->lon0) * g->mx, ay = (b->lonlat[2 * k + 1] - g->lat0) * g->my;
        double bx = (b->lonlat[2 * k + 2] - g->lon0) * g->mx, by = (b->lonlat[2 * k + 3] - g->lat0) * g->my;
        best = fmin(best, seg_dist(px, py, ax, ay, bx, by));
    }
    return best;
}

/* Every hole the fill rule keeps holds a street of the mode not reached in
 * time: a point of an edge whose latest time exceeds the cutoff lies inside
 * the hole, or within one raster cell (plus the simplification's tolerance)
 * of its ring, the lattice's resolution. */
static int hole_holds_late_street(const hh_query *q, const hh_surface *sf, const hh_isoband *b, size_t r,
                                  double cutoff_s, double tol_m)
{
    const hh_net *net = q->net;
    const hh__grid_hdr *g = net->grid;
    const double *ll = b->lonlat;
    size_t a = b->ring_first[r], z = b->ring_first[r + 1];
    double lo0 = INFINITY, lo1 = -INFINITY, la0 = INFINITY, la1 = -INFINITY;
    for (size_t k = a; k < z; k++)
        lo0 = fmin(lo0, ll[2 * k]), lo1 = fmax(lo1, ll[2 * k]), la0 = fmin(la0, ll[2 * k + 1]),
        la1 = fmax(la1, ll[2 * k + 1]);
    double mlo = tol_m / g->mx, mla = tol_m / g->my;
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << q->mode)))
            continue;
        uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
        hh__ll p0 = net->node_ll[ed->from];
        int near = 0;
        for (uint32_t s = s0; s <= s1 + 1 && !near; s++) {
            hh__ll p1 = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
            /* the points of the segment p0-p1 every few metres */
            double x0 = p0.lon_e7 * 1e-7, y0 = p0.lat_e7 * 1e-7, x1 = p1.lon_e7 * 1e-7, y1 = p1.lat_e7 * 1e-7;
            double len = hypot((x1 - x0) * g->mx, (y1 - y0) * g->my);
            int steps = 1 + (int)(len / 10);
            for (int k = 0; k <= steps && !near; k++) {
                double x = x0 + (x1 - x0) * k / steps, y = y0 + (y1 - y0) * k / steps;
                if (x < lo0 - mlo || x > lo1 + mlo || y < la0 - mla || y > la1 + mla)
                    continue;
                near = point_in_ring(ll, a, z, x, y) ||
                       ring_dist(b, r, g, (x - g->lon0) * g->mx, (y - g->lat0) * g->my) <= tol_m;
            }
            p0 = p1;
            if (s == s1)
                break;
        }
        if (near && latest_on_edge(q, sf, e) > cutoff_s)
            return 1;
    }
    return 0;
}

/* The map options (defaults, and the hole rule without simplification):
 * bands valid for GEOS, nested, the origin inside, far fewer holes than the
 * strict polygons, every kept hole holding a street not reached in time. */
static void map_options(const char *city, const double *minutes, size_t nm, int n_origins, uint64_t seed)
{
    const char *path = hh_test_net_path(city);
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    GEOSContextHandle_t h = GEOS_init_r();
    float *tv = malloc(net->n_nodes * sizeof *tv);
    uint64_t rng = seed;
    size_t strict_holes = 0, kept_holes = 0, checked = 0;
    for (int i = 0; i < n_origins; i++) {
        hh_mode m = (hh_mode)(i % 3);
        hh_snap s;
        HH_ASSERT_EQ(pick(net, m, &rng, &s), 0);
        HH_ASSERT_EQ(hh_query_run(q, m, &s, minutes[nm - 1] * 60), 0);
        HH_ASSERT_EQ(hh_query_surface(q, tv, net->n_nodes), 0);
        hh_surface sf;
        HH_ASSERT_EQ(hh_query_get_surface(q, &sf), 0);
        double cell = cell_of(net, tv, minutes[nm - 1] * 60);
        hh_iso_opts def, fill = {0, 0, HH_ISO_HOLES_FILL};
        hh_iso_opts_default(&def);
        hh_isochrone strict, a, b;
        HH_ASSERT_EQ(hh_isochrone_build(q, minutes, nm, &strict), 0);
        HH_ASSERT_EQ(hh_isochrone_build_opts(q, minutes, nm, &def, &a), 0);
        HH_ASSERT_EQ(hh_isochrone_build_opts(q, minutes, nm, &fill, &b), 0);
        for (int v = 0; v < 2; v++) {
            hh_isochrone *iso = v ? &b : &a;
            double tol = v ? 0 : cell / 2;
            GEOSGeometry *prev = NULL;
            for (size_t k = 0; k < nm; k++) {
                const hh_isoband *band = &iso->bands[k];
                GEOSGeometry *gb = band_geos(h, net, band);
                HH_ASSERT(GEOSisValid_r(h, gb) == 1);
                if (prev) {
                    HH_ASSERT(nested_in(h, prev, gb, 0.05));
                    GEOSGeom_destroy_r(h, prev);
                }
                prev = gb;
                HH_ASSERT(v == 0 || band_contains(band, s.lon, s.lat));
                /* the fill rule only ever adds land to the strict band */
                if (v)
                    HH_ASSERT(band->area_km2 >= strict.bands[k].area_km2 - 1e-9);
                for (size_t p = 0; p < band->n_polys; p++)
                    for (size_t r = band->poly_first_ring[p] + 1; r < band->poly_first_ring[p + 1]; r++) {
                        kept_holes += v;
                        checked++;
                        if (!hole_holds_late_street(q, &sf, band, r, minutes[k] * 60, cell + tol)) {
                            fprintf(stderr, "  %s %s %g min: a kept hole holds no late street\n", city,
                                    hh_mode_name(m), minutes[k]);
                            HH_ASSERT(0);
                        }
                    }
                strict_holes += v ? strict.bands[k].poly_first_ring[strict.bands[k].n_polys] -
                                        strict.bands[k].n_polys
                                  : 0;
            }
            GEOSGeom_destroy_r(h, prev);
        }
        hh_isochrone_free(&strict), hh_isochrone_free(&a), hh_isochrone_free(&b);
        hh_surface_free(&sf);
    }
    fprintf(stderr, "  %s: %zu holes strict, %zu kept by the fill rule; %zu kept holes checked\n", city,
            strict_holes, kept_holes, checked);
    HH_ASSERT(kept_holes < strict_holes);
    free(tv);
    GEOS_finish_r(h);
    hh_query_free(q);
    hh_net_close(net);
}

HH_TEST(isochrone_map_options_monaco)
{
    const double minutes[] = {5, 10, 15};
    map_options("monaco", minutes, 3, 6, 77);
}

HH_TEST(isochrone_map_options_poa)
{
    const double minutes[] = {10, 20};
    map_options("poa", minutes, 2, 3, 4243);
}

HH_TEST(isochrone_opts_rejected_when_out_of_range)
{
    const char *path = hh_test_net_path("monaco");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    hh_snap s;
    uint64_t rng = 5;
    HH_ASSERT_EQ(pick(net, HH_MODE_WALK, &rng, &s), 0);
    HH_ASSERT_EQ(hh_query_run(q, HH_MODE_WALK, &s, 600), 0);
    double m[] = {10};
    hh_isochrone iso;
    const hh_iso_opts bad[] = {{-2, 0, HH_ISO_HOLES_FILL}, {NAN, 0, HH_ISO_HOLES_FILL}, {0, 1.5, HH_ISO_HOLES_FILL},
                               {0, -0.1, HH_ISO_HOLES_FILL}, {0, NAN, HH_ISO_HOLES_ALL}, {0, 0, (hh_iso_holes)7}};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        HH_ASSERT(hh_iso_opts_check(&bad[k]) != NULL);
        HH_ASSERT_EQ(hh_isochrone_build_opts(q, m, 1, &bad[k], &iso), HH_EINVAL);
    }
    hh_iso_opts d;
    hh_iso_opts_default(&d);
    HH_ASSERT(hh_iso_opts_check(&d) == NULL);
    HH_ASSERT_EQ(d.holes, HH_ISO_HOLES_FILL);
    HH_ASSERT_EQ(hh_isochrone_build_opts(q, m, 1, NULL, &iso), 0); /* NULL: the defaults */
    hh_isochrone_free(&iso);
    hh_query_free(q);
    hh_net_close(net);
}

HH_TEST(isochrone_map_options_porto)
{
    const double minutes[] = {15, 30};
    map_options("porto", minutes, 2, 3, 20250101);
}

/* Transit surfaces carry the stops reached as points on their streets: the
 * fast raster and the oracle draw them alike, and with them the bands only
 * grow (a stop adds ways onto its street, never removes one). */
HH_TEST(isochrone_transit_stop_points_fast_matches_oracle_and_only_adds)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_transit_opts to;
    hh_transit_opts_default(&to);
    to.date = 20190513, to.depart_s = 12 * 3600, to.window_min = 60, to.max_s = 45 * 60;
    hh_transit *t;
    hh_transit_query *q;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &t, NULL, 0), 0);
    HH_ASSERT_EQ(hh_transit_query_init(t, &q), 0);
    GEOSContextHandle_t h = GEOS_init_r();
    const double minutes[] = {15, 30, 45};
    const double where[][2] = {{-51.2288, -30.0276}, {-51.1900, -30.0500}, {-51.2100, -30.0800}};
    size_t with_points = 0;
    for (size_t i = 0; i < 3; i++) {
        hh_snap s;
        if (hh_snap_point(net, HH_MODE_WALK, where[i][0], where[i][1], 500, &s))
            continue;
        HH_ASSERT_EQ(hh_transit_query_run(q, &s, NULL, 0), 0);
        hh_surface sf;
        HH_ASSERT_EQ(hh_transit_get_surface(q, 50, &sf), 0);
        with_points += sf.n_points > 0;
        for (size_t k = 1; k < sf.n_points; k++)
            HH_ASSERT(sf.points[k - 1].edge <= sf.points[k].edge);
        hh_isochrone fast, plain, bare;
        HH_ASSERT_EQ(hh_surface_isochrone(&sf, minutes, 3, &fast), 0);
        HH_ASSERT_EQ(hh__surface_isochrone_oracle(&sf, minutes, 3, &plain), 0);
        size_t np = sf.n_points;
        sf.n_points = 0; /* the same surface without its stops */
        HH_ASSERT_EQ(hh_surface_isochrone(&sf, minutes, 3, &bare), 0);
        sf.n_points = np;
        for (size_t b = 0; b < 3; b++) {
            GEOSGeometry *gf = band_geos(h, net, &fast.bands[b]), *gp = band_geos(h, net, &plain.bands[b]);
            GEOSGeometry *gb = band_geos(h, net, &bare.bands[b]);
            HH_ASSERT(GEOSisValid_r(h, gf) == 1);
            GEOSGeometry *x = GEOSSymDifference_r(h, gf, gp);
            double ap = area_of(h, gp), ax = area_of(h, x);
            HH_ASSERT(ax <= 0.002 * ap + 1e-9);
            /* what the stops add is land, never taken away */
            HH_ASSERT(fast.bands[b].area_km2 >= bare.bands[b].area_km2 * (1 - 1e-6));
            HH_ASSERT(nested_in(h, gb, gf, 0.01));
            GEOSGeom_destroy_r(h, gf), GEOSGeom_destroy_r(h, gp), GEOSGeom_destroy_r(h, gb), GEOSGeom_destroy_r(h, x);
        }
        fprintf(stderr, "  origin %zu: %zu stops reached; 30 min %.3f km2 with them, %.3f without\n", i, np,
                fast.bands[1].area_km2, bare.bands[1].area_km2);
        hh_isochrone_free(&fast), hh_isochrone_free(&plain), hh_isochrone_free(&bare);
        hh_surface_free(&sf);
    }
    HH_ASSERT(with_points > 0);
    GEOS_finish_r(h);
    hh_transit_query_free(q);
    hh_transit_free(t);
    hh_net_close(net);
}

/* ---- many origins: hh_isochrone_many ----------------------------------- */

typedef struct many_seen {
    size_t n, stop_at;
    const hh_net *net;
    hh_mode mode;
    hh_transit *t;
    const hh_snap *from;
    const double *minutes;
    size_t nm;
    hh_query *q;             /* the one-by-one oracle (street) */
    hh_transit_query *tq;    /* (transit) */
    float *surf;
    int bad;
} many_seen;

/* Every result arrives in origin order and equals what one query gives
 * for that origin alone: the same polygons, the same surface; compared with
 * itself as the base, nothing is gained or lost. */
static int many_check(const hh_iso_result *r, void *ud)
{
    many_seen *s = ud;
    if (r->origin != s->n++)
        s->bad |= 1;
    if (s->stop_at && s->n == s->stop_at)
        return 77;
    hh_isochrone one;
    double max_s = s->minutes[s->nm - 1] * 60;
    int e = s->t ? hh_transit_query_run(s->tq, &s->from[r->origin], NULL, 0)
                 : hh_query_run(s->q, s->mode, &s->from[r->origin], max_s);
    if (e || (s->t ? hh_transit_isochrone_opts(s->tq, 50, s->minutes, s->nm, NULL, &one)
                   : hh_isochrone_build_opts(s->q, s->minutes, s->nm, NULL, &one))) {
        s->bad |= 2;
        return 0;
    }
    if (!same_iso(&one, r->iso))
        s->bad |= 4;
    hh_isochrone_free(&one);
    if (r->surface) {
        size_t n = hh_net_n_vertices(s->net);
        if (r->n_vertices != n)
            s->bad |= 8;
        else {
            if (s->t)
                hh_transit_surface(s->tq, 50, s->surf, n);
            else
                hh_query_surface(s->q, s->surf, n);
            for (size_t v = 0; v < n; v++)
                if (isnan(s->surf[v]) != isnan(r->surface[v]) || (!isnan(s->surf[v]) && s->surf[v] != r->surface[v]))
                    s->bad |= 16;
        }
    }
    if (r->base) {
        if (!same_iso(r->base, r->iso))
            s->bad |= 32;
        for (size_t b = 0; b < r->gained->n_bands; b++)
            if (r->gained->bands[b].area_km2 > 1e-9 || r->lost->bands[b].area_km2 > 1e-9)
                s->bad |= 64;
    }
    return 0;
}

HH_TEST(isochrone_many_equals_one_by_one_for_any_thread_count)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    float *surf = malloc(hh_net_n_vertices(net) * sizeof *surf);
    const double minutes[] = {5, 10};
    uint64_t rng = 20261202;
    for (int m = 0; m < HH_N_MODES; m++) {
        hh_snap from[9];
        for (size_t i = 0; i < 9; i++)
            HH_ASSERT_EQ(pick(net, (hh_mode)m, &rng, &from[i]), 0);
        for (int threads = 1; threads <= 3; threads++)
            for (int extra = 0; extra < 2; extra++) {
                /* extra: the surfaces, and the network as its own base */
                hh_iso_many r = {net, (hh_mode)m, NULL, 50, from, 9, minutes, 2, NULL, threads, extra,
                                 extra ? net : NULL, NULL, extra ? from : NULL};
                many_seen s = {0, 0, net, (hh_mode)m, NULL, from, minutes, 2, q, NULL, surf, 0};
                size_t failed = 0;
                HH_ASSERT_EQ(hh_isochrone_many(&r, many_check, &s, &failed), 0);
                HH_ASSERT_EQ(failed, SIZE_MAX);
                HH_ASSERT_EQ(s.n, 9);
                HH_ASSERT_EQ(s.bad, 0);
            }
    }
    /* the callback stops the run and its value comes back */
    hh_snap from[9];
    for (size_t i = 0; i < 9; i++)
        HH_ASSERT_EQ(pick(net, HH_MODE_WALK, &rng, &from[i]), 0);
    hh_iso_many r = {net, HH_MODE_WALK, NULL, 50, from, 9, minutes, 2, NULL, 2, 0, NULL, NULL, NULL};
    many_seen s = {0, 3, net, HH_MODE_WALK, NULL, from, minutes, 2, q, NULL, surf, 0};
    size_t failed = 0;
    HH_ASSERT_EQ(hh_isochrone_many(&r, many_check, &s, &failed), 77);
    HH_ASSERT_EQ(s.n, 3);
    HH_ASSERT_EQ(failed, SIZE_MAX);
    /* an origin whose search fails: its error and index, nothing after it delivered */
    from[5].edge = UINT32_MAX;
    s = (many_seen){0, 0, net, HH_MODE_WALK, NULL, from, minutes, 2, q, NULL, surf, 0};
    HH_ASSERT_EQ(hh_isochrone_many(&r, many_check, &s, &failed), HH_EINVAL);
    HH_ASSERT_EQ(failed, 5);
    HH_ASSERT(s.n <= 5);
    HH_ASSERT_EQ(s.bad, 0);
    /* bad requests */
    const double down[] = {10, 5}, zero[] = {0};
    hh_iso_many bad = r;
    bad.minutes = down;
    HH_ASSERT_EQ(hh_isochrone_many(&bad, many_check, &s, NULL), HH_EINVAL);
    bad.minutes = zero, bad.n_minutes = 1;
    HH_ASSERT_EQ(hh_isochrone_many(&bad, many_check, &s, NULL), HH_EINVAL);
    bad = r, bad.n_minutes = 0;
    HH_ASSERT_EQ(hh_isochrone_many(&bad, many_check, &s, NULL), HH_EINVAL);
    bad = r, bad.mode = (hh_mode)HH_N_MODES;
    HH_ASSERT_EQ(hh_isochrone_many(&bad, many_check, &s, NULL), HH_EINVAL);
    bad = r, bad.n_origins = 0; /* nothing to do */
    s.n = 0;
    HH_ASSERT_EQ(hh_isochrone_many(&bad, many_check, &s, NULL), 0);
    HH_ASSERT_EQ(s.n, 0);
    free(surf);
    hh_query_free(q);
    hh_net_close(net);
}

HH_TEST(isochrone_many_transit_equals_one_by_one)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_transit_opts to;
    hh_transit_opts_default(&to);
    to.date = 20190513, to.depart_s = 12 * 3600, to.window_min = 20, to.max_s = 30 * 60;
    hh_transit *t;
    hh_transit_query *tq;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &t, NULL, 0), 0);
    HH_ASSERT_EQ(hh_transit_query_init(t, &tq), 0);
    float *surf = malloc(hh_net_n_vertices(net) * sizeof *surf);
    const double minutes[] = {15, 30};
    uint64_t rng = 7;
    hh_snap from[5];
    for (size_t i = 0; i < 5; i++)
        HH_ASSERT_EQ(pick(net, HH_MODE_WALK, &rng, &from[i]), 0);
    for (int threads = 1; threads <= 2; threads++) {
        hh_iso_many r = {net, HH_MODE_WALK, t, 50, from, 5, minutes, 2, NULL, threads, 1, net, t, from};
        many_seen s = {0, 0, net, HH_MODE_WALK, t, from, minutes, 2, NULL, tq, surf, 0};
        HH_ASSERT_EQ(hh_isochrone_many(&r, many_check, &s, NULL), 0);
        HH_ASSERT_EQ(s.n, 5);
        HH_ASSERT_EQ(s.bad, 0);
        /* a transit run compares with a transit base only */
        r.base_transit = NULL;
        HH_ASSERT_EQ(hh_isochrone_many(&r, many_check, &s, NULL), HH_EINVAL);
    }
    free(surf);
    hh_transit_query_free(tq);
    hh_transit_free(t);
    hh_net_close(net);
}
