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

static inline int push(hh_query *q, size_t *n, double x, double y, double t)
{
    if (*n >= q->cap_samples && hh__grow(&q->samples, &q->cap_samples, *n + 1, sizeof *q->samples))
        return HH_ENOMEM;
    q->samples[(*n)++] = (hh__sample){(float)x, (float)y, (float)t};
    return 0;
}

/* Samples the inside of edge e, one sample every `step` metres along its
 * shape (the end vertices are sampled once each by the caller, not once per
 * edge); an edge shorter than a step has none, which is most edges of a
 * dense grid once cells are coarse. */
static int sample_edge(hh_query *q, size_t *n, uint32_t e, double step, double tmax)
{
    const hh_net *net = q->net;
    const hh__edge *ed = &net->edges[e];
    double len = ed->len_mm / 1000.0;
    if (len <= step)
        return 0;
    const hh__grid_hdr *g = net->grid;
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    hh__edge_times et;
    hh__edge_times_init(q, e, &et);
    /* fractions along the edge: plane metres over the edge's (haversine)
     * length, which the local plane matches to well under 1 % */
    double inv = 1.0 / len;
    hh__ll a = net->node_ll[ed->from];
    double px = hh__x_of(g, a.lon_e7), py = hh__y_of(g, a.lat_e7);
    double cum = 0, next = step;
    for (uint32_t s = s0; s <= s1 && next < len; s++) {
        hh__ll b = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
        double bx = hh__x_of(g, b.lon_e7), by = hh__y_of(g, b.lat_e7);
        double seg = sqrt((bx - px) * (bx - px) + (by - py) * (by - py));
        while (next < cum + seg && next < len) {
            double u = (next - cum) / seg;
            double t = hh__edge_time_at(&et, next * inv);
            if (t <= tmax && push(q, n, px + u * (bx - px), py + u * (by - py), t))
                return HH_ENOMEM;
            next += step;
        }
        cum += seg;
        px = bx, py = by;
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
    /* The raster's resolution adapts to the isochrone's size: iso.cell_m is
     * the finest cell, and a large area (a 30-minute drive across a metro)
     * uses cells as large as keep the raster near iso.max_cells -- about
     * R5's grid resolution -- so polygons cost milliseconds, not tens. */
    {
        const hh__grid_hdr *g = net->grid;
        int32_t x0 = INT32_MAX, x1 = INT32_MIN, y0 = INT32_MAX, y1 = INT32_MIN;
        for (uint32_t i = 0; i < q->n_settled; i++) {
            uint32_t v = q->settled[i];
            if (q->vs[v].dist_ds / 10.0 + q->origin_conn_s > tmax)
                continue;
            hh__ll ll = net->node_ll[v];
            x0 = ll.lon_e7 < x0 ? ll.lon_e7 : x0, x1 = ll.lon_e7 > x1 ? ll.lon_e7 : x1;
            y0 = ll.lat_e7 < y0 ? ll.lat_e7 : y0, y1 = ll.lat_e7 > y1 ? ll.lat_e7 : y1;
        }
        if (x0 <= x1) {
            double w = (hh__x_of(g, x1) - hh__x_of(g, x0)) + 2 * cp.buffer_m;
            double h = (hh__y_of(g, y1) - hh__y_of(g, y0)) + 2 * cp.buffer_m;
            double need = sqrt(w * h / pr->iso_max_cells);
            if (need > cp.cell_m)
                cp.cell_m = ceil(need / 5) * 5; /* whole 5 m steps: stable lattices */
        }
    }
    if (cp.buffer_m < cp.cell_m)
        cp.buffer_m = cp.cell_m;
    double step = cp.cell_m / 2;
    uint32_t step_dm = (uint32_t)floor(step * 10);
    int rc = 0;
    size_t n = 0;
    const uint32_t *fo = net->first_out[q->mode];
    const hh__arc *A = net->arcs[q->mode];
    /* every reached vertex once, then the inside of each reached edge once
     * (edge_stamp), wherever it was reached from */
    uint32_t gen = q->gen;
    const hh__grid_hdr *g = net->grid;
    for (uint32_t i = 0; i < q->n_settled && !rc; i++) {
        uint32_t v = q->settled[i];
        double tv = q->vs[v].dist_ds / 10.0 + q->origin_conn_s;
        if (tv <= tmax)
            rc = push(q, &n, hh__x_of(g, net->node_ll[v].lon_e7), hh__y_of(g, net->node_ll[v].lat_e7), tv);
        for (uint32_t a = fo[v]; a < fo[v + 1] && !rc; a++) {
            if (A[a].len_dm <= step_dm)
                continue; /* no inside samples: skip without touching the edge */
            uint32_t e = A[a].edge_dir >> 1;
            if (q->edge_stamp[e] == gen)
                continue;
            q->edge_stamp[e] = gen;
            rc = sample_edge(q, &n, e, step, tmax);
        }
    }
    /* the origin itself, and its own edge, reached from the snapped position */
    if (!rc && q->origin_conn_s <= tmax)
        rc = push(q, &n, (q->origin.lon - g->lon0) * g->mx, (q->origin.lat - g->lat0) * g->my, q->origin_conn_s);
    if (!rc && q->edge_stamp[q->origin.edge] != gen) {
        q->edge_stamp[q->origin.edge] = gen;
        rc = sample_edge(q, &n, q->origin.edge, step, tmax);
    }
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
