/* isochrone.c: the last street search -> travel-time samples -> polygons.
 * Every reached edge is sampled at most half a raster cell apart with its
 * exact time (from whichever end reached it, or from the origin on its own
 * edge); contour.c turns the samples into valid, nested polygons, so one
 * search serves every cutoff. */
#include <math.h>
#include <string.h>

#include "reach/contour.h"
#include "street/query.h"
#include "util/alloc.h"

static int push(hh_query *q, size_t *n, double x, double y, double t)
{
    if (hh__grow(&q->samples, &q->cap_samples, *n + 1, sizeof *q->samples))
        return HH_ENOMEM;
    q->samples[(*n)++] = (hh__sample){(float)x, (float)y, (float)t};
    return 0;
}

/* Samples edge e travelled from one end (rev: from `to` towards `from`),
 * starting at fraction f0 of the edge at time t0, while t <= tmax. */
static int sample_edge(hh_query *q, size_t *n, uint32_t e, int rev, double f0, double t0,
                       double dur_s, double step, double tmax)
{
    const hh_net *net = q->net;
    const hh__grid_hdr *g = net->grid;
    const hh__edge *ed = &net->edges[e];
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    uint32_t np = s1 - s0 + 2;
    /* total plane length, for fractions */
    double total = 0;
    double px = 0, py = 0;
    for (uint32_t i = 0; i < np; i++) {
        uint32_t k = rev ? np - 1 - i : i;
        hh__ll ll = k == 0 ? net->node_ll[ed->from] : k == np - 1 ? net->node_ll[ed->to] : net->shape_ll[s0 + k - 1];
        double x = hh__x_of(g, ll.lon_e7), y = hh__y_of(g, ll.lat_e7);
        if (i)
            total += hypot(x - px, y - py);
        px = x, py = y;
    }
    if (total <= 0)
        return (t0 <= tmax) ? push(q, n, px, py, t0) : 0;
    double start = f0 * total; /* plane metres from the travel start */
    double cum = 0, next = start;
    for (uint32_t i = 0; i + 1 < np; i++) {
        uint32_t k0 = rev ? np - 1 - i : i, k1 = rev ? np - 2 - i : i + 1;
        hh__ll a = k0 == 0 ? net->node_ll[ed->from] : k0 == np - 1 ? net->node_ll[ed->to] : net->shape_ll[s0 + k0 - 1];
        hh__ll b = k1 == 0 ? net->node_ll[ed->from] : k1 == np - 1 ? net->node_ll[ed->to] : net->shape_ll[s0 + k1 - 1];
        double ax = hh__x_of(g, a.lon_e7), ay = hh__y_of(g, a.lat_e7);
        double bx = hh__x_of(g, b.lon_e7), by = hh__y_of(g, b.lat_e7);
        double seg = hypot(bx - ax, by - ay);
        /* samples inside this segment, plus its far end point */
        while (next <= cum + seg) {
            double u = seg > 0 ? (next - cum) / seg : 0;
            double t = t0 + (next - start) / total * dur_s;
            if (t > tmax)
                return 0;
            int rc = push(q, n, ax + u * (bx - ax), ay + u * (by - ay), t);
            if (rc)
                return rc;
            next += step;
        }
        cum += seg;
        if (cum > start) {
            double t = t0 + (cum - start) / total * dur_s;
            if (t > tmax)
                return 0;
            int rc = push(q, n, bx, by, t);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void band_free(hh_isoband *b)
{
    hh__free(b->poly_first_ring), hh__free(b->ring_first), hh__free(b->lonlat);
    memset(b, 0, sizeof *b);
}

void hh_isochrone_free(hh_isochrone *iso)
{
    if (!iso)
        return;
    for (size_t i = 0; i < iso->n_bands; i++)
        band_free(&iso->bands[i]);
    hh__free(iso->bands);
    memset(iso, 0, sizeof *iso);
}

int hh_isochrone_build(hh_query *q, const double *minutes, size_t n_minutes, hh_isochrone *out)
{
    if (!q->has_run || n_minutes == 0 || n_minutes > 64)
        return HH_EINVAL;
    double cut_s[64];
    for (size_t i = 0; i < n_minutes; i++) {
        if (!(minutes[i] > 0) || (i && minutes[i] <= minutes[i - 1]))
            return HH_EINVAL;
        cut_s[i] = minutes[i] * 60.0;
    }
    double tmax = cut_s[n_minutes - 1];
    if (tmax > q->max_s)
        return HH_EINVAL; /* the search stopped earlier than the largest cutoff */
    const hh_net *net = q->net;
    const hh_profile *pr = &net->info.profile;
    hh__contour_params cp = {pr->iso_cell_m, pr->iso_buffer_m, pr->connector_kmh[q->mode] / 3.6};
    if (cp.buffer_m < cp.cell_m)
        cp.buffer_m = cp.cell_m;
    double step = cp.cell_m / 2;
    int m = q->mode, rc = 0;
    size_t n = 0;
    const uint32_t *fo = net->first_out[m];
    const hh__arc *A = net->arcs[m];
    for (uint32_t i = 0; i < q->n_settled && !rc; i++) {
        uint32_t v = q->settled[i];
        double tv = q->dist_ds[v] / 10.0;
        for (uint32_t a = fo[v]; a < fo[v + 1] && !rc; a++)
            rc = sample_edge(q, &n, A[a].edge_dir >> 1, (int)(A[a].edge_dir & 1), 0, tv,
                             A[a].dur_ds / 10.0, step, tmax);
    }
    /* the origin's own edge, from the snapped position both ways */
    const hh__edge *oe = &net->edges[q->origin.edge];
    double len = oe->len_mm / 1000.0, f = len > 0 ? q->origin.along_m / len : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    if (!rc && oe->dur_ds[m][0] != HH_DUR_NONE)
        rc = sample_edge(q, &n, q->origin.edge, 0, f, q->origin_conn_s, oe->dur_ds[m][0] / 10.0, step, tmax);
    if (!rc && oe->dur_ds[m][1] != HH_DUR_NONE)
        rc = sample_edge(q, &n, q->origin.edge, 1, 1 - f, q->origin_conn_s, oe->dur_ds[m][1] / 10.0, step, tmax);
    if (rc)
        return rc;
    if (!q->contour && (rc = hh__contour_ws_init(&q->contour)))
        return rc;
    hh__mpoly mp[64];
    memset(mp, 0, sizeof mp);
    if ((rc = hh__contour(q->contour, q->samples, n, cut_s, n_minutes, &cp, mp)))
        return rc;
    hh_isochrone iso = {n_minutes, hh__calloc(n_minutes, sizeof(hh_isoband))};
    if (!iso.bands) {
        rc = HH_ENOMEM;
        goto done;
    }
    const hh__grid_hdr *g = net->grid;
    for (size_t i = 0; i < n_minutes; i++) {
        hh_isoband *b = &iso.bands[i];
        hh__mpoly *src = &mp[i];
        b->minutes = minutes[i];
        b->area_km2 = src->area_m2 / 1e6;
        b->n_polys = src->n_polys;
        size_t npts = src->n_rings ? src->ring_first[src->n_rings] : 0;
        b->poly_first_ring = hh__alloc_array(src->n_polys + 1, sizeof(size_t));
        b->ring_first = hh__alloc_array(src->n_rings + 1, sizeof(size_t));
        b->lonlat = hh__alloc_array(npts ? 2 * npts : 1, sizeof(double));
        if (!b->poly_first_ring || !b->ring_first || !b->lonlat) {
            rc = HH_ENOMEM;
            hh_isochrone_free(&iso);
            goto done;
        }
        if (src->n_polys)
            memcpy(b->poly_first_ring, src->poly_first_ring, (src->n_polys + 1) * sizeof(size_t));
        else
            b->poly_first_ring[0] = 0;
        if (src->n_rings)
            memcpy(b->ring_first, src->ring_first, (src->n_rings + 1) * sizeof(size_t));
        else
            b->ring_first[0] = 0;
        for (size_t k = 0; k < npts; k++) {
            b->lonlat[2 * k] = g->lon0 + src->xy[2 * k] / g->mx;
            b->lonlat[2 * k + 1] = g->lat0 + src->xy[2 * k + 1] / g->my;
        }
    }
    *out = iso;
done:
    for (size_t i = 0; i < n_minutes; i++)
        hh__mpoly_free(&mp[i]);
    return rc;
}
