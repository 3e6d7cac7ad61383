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
