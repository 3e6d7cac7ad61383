/* isochrone.c: a travel-time surface -> samples along the streets ->
 * polygons.  Every reached edge is sampled at most half a raster cell apart
 * with its exact time (from whichever end reached it, or from the origin on
 * its own edge, or -- car -- from the time each direction is entered);
 * contour.c turns the samples into valid, nested polygons, so one search
 * serves every cutoff.  Street and transit searches both hand over a
 * hh_surface; nothing here reads a search's workspace. */
#include <math.h>
#include <string.h>

#include "net/net.h"
#include "reach/contour.h"
#include "util/alloc.h"

typedef struct iso_ws {
    const hh_surface *s;
    hh__sample *samples;
    size_t n, cap;
    uint8_t *edge_done; /* one bit per edge: its inside is sampled */
} iso_ws;

static inline int push(iso_ws *w, double x, double y, double t)
{
    if (w->n >= w->cap && hh__grow(&w->samples, &w->cap, w->n + 1, sizeof *w->samples))
        return HH_ENOMEM;
    w->samples[w->n++] = (hh__sample){(float)x, (float)y, (float)t};
    return 0;
}

/* Time along an edge as a function of the fraction u in [0, 1] from its
 * `from` end: the earliest of arriving from `from` (forward), from `to`
 * (backward), at an end vertex itself, and, on the origin's own edge, from
 * the snapped origin.  Each is linear in u, so an edge is set up once and
 * then evaluated at many points. */
typedef struct hh__edge_times {
    double f0, f1;        /* forward: t = f0 + f1 * u, INFINITY when closed */
    double b0, b1;        /* backward: t = b0 - b1 * u */
    double at0, at1;      /* the end vertices' own times (whatever the directions) */
    double o, ou, of, ob; /* origin edge: time o at ou, slopes forward, backward */
    int origin;
} hh__edge_times;

static inline double hh__edge_time_at(const hh__edge_times *et, double u)
{
    double t = et->f0 + et->f1 * u, tb = et->b0 - et->b1 * u;
    t = tb < t ? tb : t;
    if (u == 0 && et->at0 < t)
        t = et->at0;
    if (u == 1 && et->at1 < t)
        t = et->at1;
    if (et->origin) {
        double d = u - et->ou;
        double to = d > 0 ? et->o + d * et->of : d < 0 ? et->o - d * et->ob : et->o;
        t = to < t ? to : t;
    }
    return t;
}

static inline double time_or_inf(double t) { return isnan(t) ? INFINITY : t; }

/* The times along edge e (hh__edge_times), from the surface. */
static void edge_times(const hh_surface *s, uint32_t e, hh__edge_times *et)
{
    const hh_net *net = s->net;
    const hh__edge *ed = &net->edges[e];
    int m = s->mode;
    uint32_t fwd = ed->dur_ds[m][0], bwd = ed->dur_ds[m][1];
    double c = s->origin_conn_s;
    double tf = time_or_inf(s->time_s[ed->from]), tt = time_or_inf(s->time_s[ed->to]);
    int from_ok = !isinf(tf), to_ok = !isinf(tt);
    if (m == HH_MODE_CAR && s->arc_s) {
        /* a car enters the edge at the time it turned onto it, which may be
         * later than its arrival at the vertex, or never (a restriction) */
        const uint32_t *fo = net->first_out[m];
        const hh__arc *A = net->arcs[m];
        from_ok = to_ok = 0;
        for (int dir = 0; dir < 2; dir++) {
            uint32_t tail = dir ? ed->to : ed->from;
            for (uint32_t a = fo[tail]; a < fo[tail + 1]; a++)
                if (A[a].edge_dir == (e << 1 | (uint32_t)dir) && !isnan(s->arc_s[a])) {
                    if (dir)
                        tt = s->arc_s[a], to_ok = 1;
                    else
                        tf = s->arc_s[a], from_ok = 1;
                }
        }
        if (!from_ok)
            tf = INFINITY;
        if (!to_ok)
            tt = INFINITY;
    }
    et->f0 = fwd != HH_DUR_NONE ? tf : INFINITY;
    et->f1 = fwd != HH_DUR_NONE && from_ok ? fwd / 10.0 : 0;
    et->b0 = bwd != HH_DUR_NONE && to_ok ? tt + bwd / 10.0 : INFINITY;
    et->b1 = bwd != HH_DUR_NONE && to_ok ? bwd / 10.0 : 0;
    /* the end vertices' own times are their arrivals */
    et->at0 = time_or_inf(s->time_s[ed->from]), et->at1 = time_or_inf(s->time_s[ed->to]);
    et->origin = e == s->origin.edge;
    et->o = et->ou = et->of = et->ob = 0;
    if (et->origin) {
        double len = ed->len_mm / 1000.0, fo = len > 0 ? s->origin.along_m / len : 0;
        et->ou = fo < 0 ? 0 : fo > 1 ? 1 : fo;
        et->o = c;
        et->of = fwd != HH_DUR_NONE ? fwd / 10.0 : INFINITY;
        et->ob = bwd != HH_DUR_NONE ? bwd / 10.0 : INFINITY;
    }
}

/* Samples the inside of edge e, one sample every `step` metres along its
 * shape (the end vertices are sampled once each by the caller, not once per
 * edge); an edge shorter than a step has none, which is most edges of a
 * dense grid once cells are coarse. */
static int sample_edge(iso_ws *w, uint32_t e, double step, double tmax)
{
    const hh_net *net = w->s->net;
    const hh__edge *ed = &net->edges[e];
    double len = ed->len_mm / 1000.0;
    if (len <= step)
        return 0;
    const hh__grid_hdr *g = net->grid;
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    hh__edge_times et;
    edge_times(w->s, e, &et);
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
            if (t <= tmax && push(w, px + u * (bx - px), py + u * (by - py), t))
                return HH_ENOMEM;
            next += step;
        }
        cum += seg;
        px = bx, py = by;
    }
    return 0;
}

static int edge_first_time(iso_ws *w, uint32_t e)
{
    uint8_t bit = (uint8_t)(1u << (e & 7));
    if (w->edge_done[e >> 3] & bit)
        return 0;
    w->edge_done[e >> 3] |= bit;
    return 1;
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

int hh_surface_isochrone(const hh_surface *sf, const double *minutes, size_t n_minutes, hh_isochrone *out)
{
    if (!sf || !sf->net || !sf->time_s || sf->n != sf->net->n_nodes || n_minutes == 0 || n_minutes > 64 ||
        (unsigned)sf->mode >= HH_N_MODES || sf->origin.edge >= sf->net->n_edges)
        return HH_EINVAL;
    double cut_s[64];
    for (size_t i = 0; i < n_minutes; i++) {
        if (!(minutes[i] > 0) || (i && minutes[i] <= minutes[i - 1]))
            return HH_EINVAL;
        cut_s[i] = minutes[i] * 60.0;
    }
    double tmax = cut_s[n_minutes - 1];
    if (tmax > sf->max_s + 1e-9)
        return HH_EINVAL; /* the search stopped earlier than the largest cutoff */
    const hh_net *net = sf->net;
    const hh_profile *pr = &net->info.profile;
    hh__contour_params cp = {pr->iso_cell_m, pr->iso_buffer_m, pr->connector_kmh[sf->mode] / 3.6};
    const hh__grid_hdr *g = net->grid;
    /* The raster's resolution adapts to the isochrone's size: iso.cell_m is
     * the finest cell, and a large area (a 30-minute drive across a metro)
     * uses cells as large as keep the raster near iso.max_cells -- about
     * R5's grid resolution -- so polygons cost milliseconds, not tens. */
    {
        int32_t x0 = INT32_MAX, x1 = INT32_MIN, y0 = INT32_MAX, y1 = INT32_MIN;
        for (size_t v = 0; v < sf->n; v++) {
            if (!(sf->time_s[v] <= tmax))
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
    iso_ws w = {sf, NULL, 0, 0, hh__calloc(((size_t)net->n_edges + 8) / 8, 1)};
    if (!w.edge_done)
        return HH_ENOMEM;
    int rc = 0;
    const uint32_t *fo = net->first_out[sf->mode];
    const hh__arc *A = net->arcs[sf->mode];
    /* every reached vertex once, then the inside of each reached edge once,
     * wherever it was reached from */
    for (uint32_t v = 0; v < sf->n && !rc; v++) {
        double tv = sf->time_s[v];
        if (isnan(tv))
            continue;
        if (tv <= tmax)
            rc = push(&w, hh__x_of(g, net->node_ll[v].lon_e7), hh__y_of(g, net->node_ll[v].lat_e7), tv);
        for (uint32_t a = fo[v]; a < fo[v + 1] && !rc; a++) {
            if (A[a].len_dm <= step_dm)
                continue; /* no inside samples: skip without touching the edge */
            uint32_t e = A[a].edge_dir >> 1;
            if (edge_first_time(&w, e))
                rc = sample_edge(&w, e, step, tmax);
        }
    }
    /* the origin itself, and its own edge, reached from the snapped position */
    if (!rc && sf->origin_conn_s <= tmax)
        rc = push(&w, (sf->origin.lon - g->lon0) * g->mx, (sf->origin.lat - g->lat0) * g->my, sf->origin_conn_s);
    if (!rc && edge_first_time(&w, sf->origin.edge))
        rc = sample_edge(&w, sf->origin.edge, step, tmax);
    hh__contour_ws *cws = NULL;
    hh__mpoly mp[64];
    memset(mp, 0, sizeof mp);
    if (!rc)
        rc = hh__contour_ws_init(&cws);
    if (!rc)
        rc = hh__contour(cws, w.samples, w.n, cut_s, n_minutes, &cp, mp);
    hh__free(w.samples), hh__free(w.edge_done);
    hh__contour_ws_free(cws);
    if (rc) {
        for (size_t i = 0; i < n_minutes; i++)
            hh__mpoly_free(&mp[i]);
        return rc;
    }
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

int hh_isochrone_build(hh_query *q, const double *minutes, size_t n_minutes, hh_isochrone *out)
{
    hh_surface sf;
    int rc = hh_query_get_surface(q, &sf);
    if (rc)
        return rc;
    rc = hh_surface_isochrone(&sf, minutes, n_minutes, out);
    hh_surface_free(&sf);
    return rc;
}
