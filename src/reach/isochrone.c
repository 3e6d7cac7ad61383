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
#include "reach/bands.h"
#include "reach/contour.h"
#include "util/alloc.h"
#include "util/lazy.h"

typedef struct iso_ws {
    const hh_surface *s;
    hh__sample *samples;
    size_t n, cap;
    uint8_t *edge_done; /* one bit per edge: its inside is sampled */
    int failed;         /* a push ran out of memory */
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

/* The times along edge e (hh__edge_times), from the surface; dir_s (NULL:
 * looked up among the end vertices' arcs) holds a car's entry time per edge
 * direction, edge << 1 | against, NAN when never entered. */
static void edge_times(const hh_surface *s, const float *dir_s, uint32_t e, hh__edge_times *et)
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
        if (dir_s) {
            float a0 = dir_s[(size_t)e << 1], a1 = dir_s[(size_t)e << 1 | 1];
            if (!isnan(a0))
                tf = a0, from_ok = 1;
            if (!isnan(a1))
                tt = a1, to_ok = 1;
        }
        for (int dir = 0; dir < 2 && !dir_s; dir++) {
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
    edge_times(w->s, NULL, e, &et);
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

/* ---- shared set-up ------------------------------------------------------ */

typedef struct iso_setup {
    double cut_s[64];
    size_t n_cut;
    double tmax;
    hh__contour_params cp;
    double x0, y0, x1, y1; /* plane extent of the vertices within tmax (x0 > x1: none) */
    size_t n_reached;      /* vertices within tmax */
} iso_setup;

/* Checks the call, and sizes the raster: iso.cell_m is the finest cell, and
 * a large area (a 30-minute drive across a metro) uses cells as large as
 * keep the raster near iso.max_cells -- about R5's grid resolution -- so
 * polygons cost milliseconds, not tens. */
static int setup(const hh_surface *sf, const double *minutes, size_t n_minutes, iso_setup *u)
{
    if (!sf || !sf->net || !sf->time_s || sf->n != sf->net->n_nodes || n_minutes == 0 || n_minutes > 64 ||
        (unsigned)sf->mode >= HH_N_MODES || sf->origin.edge >= sf->net->n_edges)
        return HH_EINVAL;
    for (size_t i = 0; i < n_minutes; i++) {
        if (!(minutes[i] > 0) || (i && minutes[i] <= minutes[i - 1]))
            return HH_EINVAL;
        u->cut_s[i] = minutes[i] * 60.0;
    }
    u->n_cut = n_minutes;
    u->tmax = u->cut_s[n_minutes - 1];
    if (u->tmax > sf->max_s + 1e-9)
        return HH_EINVAL; /* the search stopped earlier than the largest cutoff */
    const hh_net *net = sf->net;
    const hh_profile *pr = &net->info.profile;
    u->cp = (hh__contour_params){pr->iso_cell_m, pr->iso_buffer_m, pr->connector_kmh[sf->mode] / 3.6};
    const hh__grid_hdr *g = net->grid;
    int32_t x0 = INT32_MAX, x1 = INT32_MIN, y0 = INT32_MAX, y1 = INT32_MIN;
    size_t nr = 0;
    for (size_t v = 0; v < sf->n; v++) {
        if (!(sf->time_s[v] <= u->tmax))
            continue;
        hh__ll ll = net->node_ll[v];
        nr++;
        x0 = ll.lon_e7 < x0 ? ll.lon_e7 : x0, x1 = ll.lon_e7 > x1 ? ll.lon_e7 : x1;
        y0 = ll.lat_e7 < y0 ? ll.lat_e7 : y0, y1 = ll.lat_e7 > y1 ? ll.lat_e7 : y1;
    }
    /* a stop reached in time reaches its street: the box holds the street's
     * ends (its shape may stray further: the fill widens the box then) */
    for (size_t k = 0; k < sf->n_points; k++) {
        const hh_surface_point *pt = &sf->points[k];
        if (!(pt->time_s <= u->tmax) || pt->edge >= net->n_edges)
            continue;
        const hh__edge *ed = &net->edges[pt->edge];
        hh__ll ends[2] = {net->node_ll[ed->from], net->node_ll[ed->to]};
        nr++;
        for (int j = 0; j < 2; j++) {
            hh__ll ll = ends[j];
            x0 = ll.lon_e7 < x0 ? ll.lon_e7 : x0, x1 = ll.lon_e7 > x1 ? ll.lon_e7 : x1;
            y0 = ll.lat_e7 < y0 ? ll.lat_e7 : y0, y1 = ll.lat_e7 > y1 ? ll.lat_e7 : y1;
        }
    }
    u->n_reached = nr;
    u->x0 = 1, u->x1 = 0, u->y0 = 1, u->y1 = 0;
    if (x0 <= x1) {
        u->x0 = hh__x_of(g, x0), u->x1 = hh__x_of(g, x1);
        u->y0 = hh__y_of(g, y0), u->y1 = hh__y_of(g, y1);
        double w = (u->x1 - u->x0) + 2 * u->cp.buffer_m;
        double h = (u->y1 - u->y0) + 2 * u->cp.buffer_m;
        double need = sqrt(w * h / pr->iso_max_cells);
        if (need > u->cp.cell_m)
            u->cp.cell_m = ceil(need / 5) * 5; /* whole 5 m steps: stable lattices */
    }
    if (u->cp.buffer_m < u->cp.cell_m)
        u->cp.buffer_m = u->cp.cell_m;
    return 0;
}

/* ---- streets reached from a point on them (transit stops) ---------------
 * A stop on a street reaches the street around it at the stop's time plus
 * the walk along it, which the end vertices' times do not carry (they are
 * reached from the stop through the street, so the middle was drawn as if
 * reached last).  Samples every `step` metres both ways from the point while
 * within tmax, and the point itself, placed along the shape as sample_edge
 * places its samples. */
typedef void (*point_emit_fn)(void *ctx, double x, double y, double t);

static void point_samples(const hh_surface *sf, const hh_surface_point *pt, double step, double tmax,
                          point_emit_fn emit, void *ctx)
{
    const hh_net *net = sf->net;
    const hh__grid_hdr *g = net->grid;
    if (!(pt->time_s <= tmax) || pt->edge >= net->n_edges)
        return;
    const hh__edge *ed = &net->edges[pt->edge];
    const double len = ed->len_mm / 1000.0;
    const uint32_t fwd = ed->dur_ds[sf->mode][0], bwd = ed->dur_ds[sf->mode][1];
    /* seconds per metre towards `to` (fwd) and towards `from` (bwd) */
    const double pf = fwd != HH_DUR_NONE && len > 0 ? fwd / 10.0 / len : INFINITY;
    const double pb = bwd != HH_DUR_NONE && len > 0 ? bwd / 10.0 / len : INFINITY;
    double at = len > 0 ? pt->along_m : 0;
    at = at < 0 ? 0 : at > len ? len : at;
    /* the distances along the edge to emit, ascending: back to the first
     * vertex, the point, on to the last */
    long kb = (long)floor(at / step), kf = (long)floor((len - at) / step);
    hh__ll a = net->node_ll[ed->from], b = net->node_ll[ed->to];
    uint32_t s0 = net->shape_first[pt->edge], s1 = net->shape_first[pt->edge + 1];
    /* the shape's own length, to place distances given in the edge's length */
    double P = 0;
    {
        double px = hh__x_of(g, a.lon_e7), py = hh__y_of(g, a.lat_e7);
        for (uint32_t k = s0; k <= s1; k++) {
            hh__ll q = k < s1 ? net->shape_ll[k] : b;
            double qx = hh__x_of(g, q.lon_e7), qy = hh__y_of(g, q.lat_e7);
            P += sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py));
            px = qx, py = qy;
        }
    }
    const double scale = len > 0 ? P / len : 0;
    double px = hh__x_of(g, a.lon_e7), py = hh__y_of(g, a.lat_e7), cum = 0;
    uint32_t k = s0;
    double qx = px, qy = py, seg = 0;
    for (long i = -kb; i <= kf; i++) {
        double d = at + (double)i * step; /* along the edge */
        double t = pt->time_s + (i < 0 ? (at - d) * pb : (d - at) * pf);
        if (!(t <= tmax))
            continue;
        double want = d * scale;
        /* advance to the segment holding `want` */
        while (cum + seg < want && k <= s1) {
            cum += seg;
            px = qx, py = qy;
            hh__ll q = k < s1 ? net->shape_ll[k] : b;
            qx = hh__x_of(g, q.lon_e7), qy = hh__y_of(g, q.lat_e7);
            seg = sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py));
            k++;
        }
        double f = seg > 0 ? (want - cum) / seg : 0;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        emit(ctx, px + f * (qx - px), py + f * (qy - py), t);
    }
}

static void oracle_emit(void *ctx, double x, double y, double t)
{
    iso_ws *w = ctx;
    if (!w->failed && push(w, x, y, t))
        w->failed = 1;
}

/* ---- the plain path: a sample cloud, then hh__contour -------------------
 * Kept as the oracle the fast path is tested against. */
static int oracle_polys(const hh_surface *sf, const iso_setup *u, hh__mpoly *mp)
{
    const hh_net *net = sf->net;
    const hh__grid_hdr *g = net->grid;
    const double tmax = u->tmax;
    double step = u->cp.cell_m / 2;
    uint32_t step_dm = (uint32_t)floor(step * 10);
    iso_ws w = {sf, NULL, 0, 0, hh__calloc(((size_t)net->n_edges + 8) / 8, 1), 0};
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
    for (size_t k = 0; k < sf->n_points && !rc; k++) {
        point_samples(sf, &sf->points[k], step, tmax, oracle_emit, &w);
        rc = w.failed ? HH_ENOMEM : 0;
    }
    hh__contour_ws *cws = NULL;
    if (!rc)
        rc = hh__contour_ws_init(&cws);
    if (!rc)
        rc = hh__contour(cws, w.samples, w.n, u->cut_s, u->n_cut, &u->cp, mp);
    hh__free(w.samples), hh__free(w.edge_done);
    hh__contour_ws_free(cws);
    return rc;
}

/* ---- the fast path: the raster filled straight from the surface ---------
 * The same samples as the oracle's (every reached vertex, each reached
 * edge's inside every half cell, the origin and its edge), splatted as they
 * are made: no sample array, no pass to find their extent (the raster is
 * laid over the reached vertices' box plus a margin for shapes that bulge
 * out of it; a sample outside it widens the box and the fill runs again).
 * Edges are visited in their stored order when the box holds most of the
 * network (a stream through memory, where the vertices' arcs would jump),
 * else cell by cell of the network's grid over the box. */
typedef struct fast_ctx {
    const hh_surface *sf;
    const hh_net *net;
    const float *dir_s; /* car: entry time per edge direction */
    hh__contour_ws *ws;
    hh__raster r;
    double tmax, cmin, step;
    int marks;          /* hole rule: record the streets' times */
    double bx0, by0, bx1, by1; /* the box the raster was laid for */
    double ox0, oy0, ox1, oy1; /* extent of samples that fell outside it */
    int overflow;
} fast_ctx;

static inline void put(fast_ctx *c, double x, double y, double t)
{
    if (!(t <= c->tmax))
        return;
    if (hh__contour_splat(c->ws, &c->r, x, y, (float)t)) {
        c->overflow = 1;
        c->ox0 = fmin(c->ox0, x), c->ox1 = fmax(c->ox1, x);
        c->oy0 = fmin(c->oy0, y), c->oy1 = fmax(c->oy1, y);
    }
}

static void fast_emit(void *ctx, double x, double y, double t) { put(ctx, x, y, t); }

static inline void mark(fast_ctx *c, double x, double y, double t)
{
    if (c->marks && t > c->cmin)
        hh__contour_mark(c->ws, &c->r, x, y, (float)t);
}

static void fast_edge(fast_ctx *c, uint32_t e)
{
    const hh_surface *sf = c->sf;
    const hh_net *net = c->net;
    const hh__edge *ed = &net->edges[e];
    if (!(ed->mode_mask & (1u << sf->mode)))
        return;
    /* the end vertices are the vertex pass's: an edge shorter than a step
     * has no inside samples, and most are (read nothing more of them) */
    const double len = ed->len_mm / 1000.0;
    if (len <= c->step)
        return;
    const double tf = time_or_inf(sf->time_s[ed->from]), tt = time_or_inf(sf->time_s[ed->to]);
    const int origin = e == sf->origin.edge;
    /* nothing along an edge comes earlier than its ends (entering a car
     * street follows arriving at its vertex), but on the origin's edge */
    const int reached = (tf < tt ? tf : tt) <= c->tmax || origin;
    if (!reached && !c->marks)
        return;
    const hh__grid_hdr *g = net->grid;
    hh__ll a = net->node_ll[ed->from], b = net->node_ll[ed->to];
    double px = hh__x_of(g, a.lon_e7), py = hh__y_of(g, a.lat_e7);
    if (c->marks && !reached) {
        /* a shape of length len strays at most len / 2 from its ends */
        double qx = hh__x_of(g, b.lon_e7), qy = hh__y_of(g, b.lat_e7), h = len / 2;
        if (fmin(px, qx) > c->bx1 + h || fmax(px, qx) < c->bx0 - h || fmin(py, qy) > c->by1 + h ||
            fmax(py, qy) < c->by0 - h)
            return;
    }
    hh__edge_times et;
    edge_times(sf, c->dir_s, e, &et);
    const double inv = 1.0 / len, step = c->step;
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    double cum = 0, next = step;
    for (uint32_t s = s0; s <= s1 && next < len; s++) {
        hh__ll q = s < s1 ? net->shape_ll[s] : b;
        double qx = hh__x_of(g, q.lon_e7), qy = hh__y_of(g, q.lat_e7);
        double seg = sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py));
        while (next < cum + seg && next < len) {
            double f = (next - cum) / seg;
            double t = hh__edge_time_at(&et, next * inv);
            double x = px + f * (qx - px), y = py + f * (qy - py);
            put(c, x, y, t);
            mark(c, x, y, t);
            next += step;
        }
        cum += seg;
        px = qx, py = qy;
    }
}

/* ---- the samples on a lattice, made once per mode and cell size -----------
 * An isochrone whose box holds most of the network visits every edge of the
 * mode, and walking their shapes to place the samples cost as much as the
 * rest of the polygon step.  Where the samples fall depends only on the
 * mode's streets and the cell (lattices are anchored at whole multiples of
 * the cell: contour.c), so the network keeps them per (mode, cell) from the
 * first such isochrone on (util/lazy.h): per edge with inside samples, the
 * samples' lattice positions, fractions along the edge and extent.  The
 * samples are fast_edge's, placed by the same walk. */
typedef struct iso_lattice {
    hh_mode mode;
    double cell;
    uint32_t n_edges, n_samples;
    const uint32_t *edge;  /* [n_edges], ascending */
    const uint32_t *first; /* [n_edges + 1] */
    const float *box;      /* [4 n_edges]: its samples' x0, y0, x1, y1 in cells */
    const float *gx, *gy;  /* [n_samples]: position / cell */
    const float *u;        /* [n_samples]: fraction along the edge from `from` */
} iso_lattice;

typedef struct lattice_build {
    const hh_net *net;
    hh_mode mode;
    double cell;
} lattice_build;

static int lattice_make(void *ctx, void **blob, size_t *bytes)
{
    const lattice_build *lb = ctx;
    const hh_net *net = lb->net;
    const hh__grid_hdr *g = net->grid;
    const double step = lb->cell / 2, inv_cell = 1.0 / lb->cell;
    uint32_t *edge = NULL, *first = NULL;
    float *box = NULL, *xy = NULL, *uu = NULL;
    size_t ne = 0, ns = 0, cap_e = 0, cap_b = 0, cap_xy = 0, cap_u = 0, cap_f = 0;
    int rc = 0;
    for (uint32_t e = 0; e < net->n_edges && !rc; e++) {
        const hh__edge *ed = &net->edges[e];
        const double len = ed->len_mm / 1000.0;
        if (!(ed->mode_mask & (1u << lb->mode)) || len <= step)
            continue;
        const size_t ns0 = ns;
        float bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY;
        hh__ll a = net->node_ll[ed->from], b = net->node_ll[ed->to];
        double px = hh__x_of(g, a.lon_e7), py = hh__y_of(g, a.lat_e7);
        uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
        double cum = 0, next = step;
        for (uint32_t k = s0; k <= s1 && next < len && !rc; k++) {
            hh__ll q = k < s1 ? net->shape_ll[k] : b;
            double qx = hh__x_of(g, q.lon_e7), qy = hh__y_of(g, q.lat_e7);
            double seg = sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py));
            while (next < cum + seg && next < len) {
                double f = (next - cum) / seg;
                float x = (float)((px + f * (qx - px)) * inv_cell), y = (float)((py + f * (qy - py)) * inv_cell);
                if (hh__grow(&xy, &cap_xy, 2 * ns + 2, sizeof *xy) || hh__grow(&uu, &cap_u, ns + 1, sizeof *uu)) {
                    rc = HH_ENOMEM;
                    break;
                }
                xy[2 * ns] = x, xy[2 * ns + 1] = y, uu[ns++] = (float)(next / len);
                bx0 = fminf(bx0, x), by0 = fminf(by0, y), bx1 = fmaxf(bx1, x), by1 = fmaxf(by1, y);
                next += step;
            }
            cum += seg;
            px = qx, py = qy;
        }
        if (rc || ns == ns0)
            continue;
        if (ns > UINT32_MAX || hh__grow(&edge, &cap_e, ne + 1, sizeof *edge) ||
            hh__grow(&first, &cap_f, ne + 2, sizeof *first) || hh__grow(&box, &cap_b, 4 * ne + 4, sizeof *box)) {
            rc = HH_ENOMEM;
            break;
        }
        first[ne] = (uint32_t)ns0, edge[ne] = e;
        box[4 * ne] = bx0, box[4 * ne + 1] = by0, box[4 * ne + 2] = bx1, box[4 * ne + 3] = by1;
        ne++;
    }
    /* one block: the header, then each array */
    size_t off_edge = (sizeof(iso_lattice) + 15) & ~(size_t)15;
    size_t off_first = off_edge + ne * sizeof(uint32_t);
    size_t off_box = (off_first + (ne + 1) * sizeof(uint32_t) + 15) & ~(size_t)15;
    size_t off_gx = off_box + 4 * ne * sizeof(float);
    size_t off_gy = off_gx + ns * sizeof(float), off_u = off_gy + ns * sizeof(float);
    size_t total = off_u + ns * sizeof(float);
    char *m = rc ? NULL : hh__alloc_array(total, 1);
    if (!rc && !m)
        rc = HH_ENOMEM;
    if (!rc) {
        iso_lattice *L = (iso_lattice *)m;
        uint32_t *fe = (uint32_t *)(m + off_edge), *ff = (uint32_t *)(m + off_first);
        float *fb = (float *)(m + off_box), *fx = (float *)(m + off_gx), *fy = (float *)(m + off_gy);
        float *fu = (float *)(m + off_u);
        if (ne)
            memcpy(fe, edge, ne * sizeof *fe), memcpy(ff, first, ne * sizeof *ff), memcpy(fb, box, 4 * ne * sizeof *fb);
        ff[ne] = (uint32_t)ns;
        for (size_t k = 0; k < ns; k++)
            fx[k] = xy[2 * k], fy[k] = xy[2 * k + 1], fu[k] = uu[k];
        *L = (iso_lattice){lb->mode, lb->cell, (uint32_t)ne, (uint32_t)ns, fe, ff, fb, fx, fy, fu};
        *blob = m, *bytes = total;
    }
    hh__free(edge), hh__free(first), hh__free(box), hh__free(xy), hh__free(uu);
    return rc;
}

/* The network's lattice samples for (mode, cell), made on first use; NULL
 * when they cannot be kept (no memory, the table full): the caller walks
 * the shapes itself. */
static const iso_lattice *lattice_of(const hh_net *net, hh_mode mode, double cell)
{
    uint64_t bits;
    memcpy(&bits, &cell, sizeof bits);
    lattice_build lb = {net, mode, cell};
    const iso_lattice *L =
        hh__lazy_get((hh__lazy **)&net->lazy, bits ^ ((uint64_t)mode << 60), lattice_make, &lb);
    return L && L->mode == mode && L->cell == cell ? L : NULL;
}

/* fast_edge over every edge of the lattice, in their stored order. */
static void lattice_fill(fast_ctx *c, const iso_lattice *L)
{
    const hh_surface *sf = c->sf;
    const hh_net *net = c->net;
    const hh__raster *r = &c->r;
    /* the raster's first vertex in lattice units (whole numbers) */
    const double gx0 = r->ox / r->cell, gy0 = r->oy / r->cell;
    const float rx0 = (float)gx0 - 1, ry0 = (float)gy0 - 1;
    const float rx1 = (float)(gx0 + (double)r->nx) + 1, ry1 = (float)(gy0 + (double)r->ny) + 1;
    for (uint32_t k = 0; k < L->n_edges; k++) {
        const uint32_t e = L->edge[k];
        const hh__edge *ed = &net->edges[e];
        const double tf = time_or_inf(sf->time_s[ed->from]), tt = time_or_inf(sf->time_s[ed->to]);
        const int reached = (tf < tt ? tf : tt) <= c->tmax || e == sf->origin.edge;
        if (!reached) {
            /* only its street marks count: none when it lies off the raster */
            const float *b = L->box + 4 * (size_t)k;
            if (!c->marks || b[0] > rx1 || b[2] < rx0 || b[1] > ry1 || b[3] < ry0)
                continue;
        }
        hh__edge_times et;
        edge_times(sf, c->dir_s, e, &et);
        for (uint32_t s = L->first[k]; s < L->first[k + 1]; s++) {
            const double t = hh__edge_time_at(&et, (double)L->u[s]);
            const double fx = (double)L->gx[s] - gx0, fy = (double)L->gy[s] - gy0;
            if (t <= c->tmax && hh__contour_splat_at(c->ws, r, fx, fy, (float)t)) {
                const double x = r->ox + fx * r->cell, y = r->oy + fy * r->cell;
                c->overflow = 1;
                c->ox0 = fmin(c->ox0, x), c->ox1 = fmax(c->ox1, x);
                c->oy0 = fmin(c->oy0, y), c->oy1 = fmax(c->oy1, y);
            }
            if (c->marks && t > c->cmin)
                hh__contour_mark_at(c->ws, r, fx, fy, (float)t);
        }
    }
}

/* One fill of the raster laid over [x0, x1] x [y0, y1]. */
static int fast_fill(fast_ctx *c, const iso_setup *u, uint8_t *seen)
{
    const hh_surface *sf = c->sf;
    const hh_net *net = c->net;
    const hh__grid_hdr *g = net->grid;
    int rc = hh__contour_lay(c->ws, c->bx0, c->by0, c->bx1, c->by1, &u->cp, c->marks, &c->r);
    if (rc)
        return rc;
    c->overflow = 0;
    c->ox0 = c->oy0 = INFINITY, c->ox1 = c->oy1 = -INFINITY;
    const uint32_t *fo = net->first_out[sf->mode];
    for (uint32_t v = 0; v < sf->n; v++) {
        double tv = sf->time_s[v];
        if (tv <= c->tmax)
            put(c, hh__x_of(g, net->node_ll[v].lon_e7), hh__y_of(g, net->node_ll[v].lat_e7), tv);
        /* a vertex of the mode's streets reached late or not at all */
        else if (c->marks && (fo[v + 1] > fo[v] || !isnan(tv)))
            mark(c, hh__x_of(g, net->node_ll[v].lon_e7), hh__y_of(g, net->node_ll[v].lat_e7),
                 time_or_inf(tv));
    }
    put(c, (sf->origin.lon - g->lon0) * g->mx, (sf->origin.lat - g->lat0) * g->my, sf->origin_conn_s);
    for (size_t k = 0; k < sf->n_points; k++)
        point_samples(sf, &sf->points[k], c->step, c->tmax, fast_emit, c);
    /* the network's grid cells over the raster, and the edges they list */
    const hh__raster *r = &c->r;
    double rx1 = r->ox + (double)(r->nx - 1) * r->cell, ry1 = r->oy + (double)(r->ny - 1) * r->cell;
    long gx0 = (long)floor((r->ox - g->x0) / g->cell_m), gx1 = (long)floor((rx1 - g->x0) / g->cell_m);
    long gy0 = (long)floor((r->oy - g->y0) / g->cell_m), gy1 = (long)floor((ry1 - g->y0) / g->cell_m);
    gx0 = gx0 < 0 ? 0 : gx0, gy0 = gy0 < 0 ? 0 : gy0;
    gx1 = gx1 >= (long)g->nx ? (long)g->nx - 1 : gx1, gy1 = gy1 >= (long)g->ny ? (long)g->ny - 1 : gy1;
    size_t items = 0;
    for (long y = gy0; y <= gy1; y++)
        if (gx0 <= gx1)
            items += net->grid_first[(size_t)y * g->nx + (size_t)gx1 + 1] - net->grid_first[(size_t)y * g->nx + (size_t)gx0];
    const iso_lattice *L = items > net->n_edges / 2 ? lattice_of(net, sf->mode, u->cp.cell_m) : NULL;
    if (L)
        lattice_fill(c, L);
    else if (items > net->n_edges / 2) {
        for (uint32_t e = 0; e < net->n_edges; e++)
            fast_edge(c, e);
    } else {
        memset(seen, 0, ((size_t)net->n_edges + 8) / 8);
        for (long y = gy0; y <= gy1; y++)
            for (uint32_t i = net->grid_first[(size_t)y * g->nx + (size_t)gx0];
                 gx0 <= gx1 && i < net->grid_first[(size_t)y * g->nx + (size_t)gx1 + 1]; i++) {
                uint32_t e = net->grid_item[i];
                uint8_t bit = (uint8_t)(1u << (e & 7));
                if (seen[e >> 3] & bit)
                    continue;
                seen[e >> 3] |= bit;
                fast_edge(c, e);
            }
        /* the origin's edge lies in the box; listed or not, its inside counts */
        uint8_t bit = (uint8_t)(1u << (sf->origin.edge & 7));
        if (!(seen[sf->origin.edge >> 3] & bit))
            fast_edge(c, sf->origin.edge);
    }
    return 0;
}

static int fast_polys(const hh_surface *sf, const iso_setup *u, int fill_holes, hh__mpoly *mp)
{
    const hh_net *net = sf->net;
    const hh__grid_hdr *g = net->grid;
    fast_ctx c;
    memset(&c, 0, sizeof c);
    c.sf = sf, c.net = net, c.tmax = u->tmax, c.cmin = u->cut_s[0], c.step = u->cp.cell_m / 2;
    c.marks = fill_holes;
    /* the box: reached vertices and the origin, plus two cells */
    double ox = (sf->origin.lon - g->lon0) * g->mx, oy = (sf->origin.lat - g->lat0) * g->my;
    double pad = 2 * u->cp.cell_m;
    if (u->x0 <= u->x1)
        c.bx0 = fmin(u->x0, ox), c.bx1 = fmax(u->x1, ox), c.by0 = fmin(u->y0, oy), c.by1 = fmax(u->y1, oy);
    else
        c.bx0 = c.bx1 = ox, c.by0 = c.by1 = oy;
    c.bx0 -= pad, c.bx1 += pad, c.by0 -= pad, c.by1 += pad;
    float *dir_s = NULL;
    uint8_t *seen = hh__alloc_array(((size_t)net->n_edges + 8) / 8, 1);
    int rc = seen ? 0 : HH_ENOMEM;
    if (!rc && sf->mode == HH_MODE_CAR && sf->arc_s) {
        /* a car's entry time per edge direction, from the arcs in one pass */
        size_t nd = (size_t)net->n_edges * 2;
        if (!(dir_s = hh__alloc_array(nd, sizeof *dir_s)))
            rc = HH_ENOMEM;
        else {
            for (size_t k = 0; k < nd; k++)
                dir_s[k] = NAN;
            const hh__arc *A = net->arcs[HH_MODE_CAR];
            for (size_t a = 0; a < sf->n_arcs; a++)
                if (!isnan(sf->arc_s[a]))
                    dir_s[A[a].edge_dir] = (float)sf->arc_s[a];
        }
    }
    c.dir_s = dir_s;
    if (!rc)
        rc = hh__contour_ws_init(&c.ws);
    for (int round = 0; !rc && round < 3; round++) {
        if ((rc = fast_fill(&c, u, seen)) || !c.overflow)
            break;
        /* a sample outside the box: widen it to hold every such sample */
        c.bx0 = fmin(c.bx0, c.ox0 - pad), c.bx1 = fmax(c.bx1, c.ox1 + pad);
        c.by0 = fmin(c.by0, c.oy0 - pad), c.by1 = fmax(c.by1, c.oy1 + pad);
    }
    if (!rc && c.overflow)
        rc = HH_ERANGE; /* cannot happen: the widened box holds every sample */
    if (!rc)
        rc = hh__contour_levels(c.ws, &c.r, fill_holes, u->cut_s, u->n_cut, mp);
    hh__contour_ws_free(c.ws);
    hh__free(dir_s);
    hh__free(seen);
    return rc;
}

/* ---- options and output -------------------------------------------------- */

void hh_iso_opts_default(hh_iso_opts *o)
{
    o->generalize_m = HH_ISO_GENERALIZE_AUTO;
    o->denoise = HH_ISO_DENOISE;
    o->holes = HH_ISO_HOLES_FILL;
}

const char *hh_iso_opts_check(const hh_iso_opts *o)
{
    if (!((o->generalize_m >= 0 && o->generalize_m <= 100000) || o->generalize_m == HH_ISO_GENERALIZE_AUTO))
        return "generalize: expected metres in [0, 100000]";
    if (!(o->denoise >= 0 && o->denoise <= 1))
        return "denoise: expected a number in [0, 1]";
    if (o->holes != HH_ISO_HOLES_FILL && o->holes != HH_ISO_HOLES_ALL)
        return "holes: expected fill or all";
    return NULL;
}

/* Bands in metres -> the caller's lon/lat bands. */
static int to_isochrone(const hh_net *net, const double *minutes, hh__mpoly *mp, size_t n, hh_isochrone *out)
{
    const hh__grid_hdr *g = net->grid;
    hh_isochrone iso = {n, hh__calloc(n, sizeof(hh_isoband))};
    if (!iso.bands)
        return HH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
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
            hh_isochrone_free(&iso);
            return HH_ENOMEM;
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
    return 0;
}

int hh__surface_isochrone_oracle(const hh_surface *sf, const double *minutes, size_t n_minutes,
                                 hh_isochrone *out)
{
    iso_setup u;
    int rc = setup(sf, minutes, n_minutes, &u);
    if (rc)
        return rc;
    hh__mpoly mp[64];
    memset(mp, 0, sizeof mp);
    if (!(rc = oracle_polys(sf, &u, mp)))
        rc = to_isochrone(sf->net, minutes, mp, n_minutes, out);
    for (size_t i = 0; i < n_minutes; i++)
        hh__mpoly_free(&mp[i]);
    return rc;
}

int hh_surface_isochrone_opts(const hh_surface *sf, const double *minutes, size_t n_minutes,
                              const hh_iso_opts *o, hh_isochrone *out)
{
    hh_iso_opts def;
    if (!o) {
        hh_iso_opts_default(&def);
        o = &def;
    }
    if (!out || hh_iso_opts_check(o))
        return HH_EINVAL;
    iso_setup u;
    int rc = setup(sf, minutes, n_minutes, &u);
    if (rc)
        return rc;
    hh__mpoly mp[64];
    memset(mp, 0, sizeof mp);
    if (!(rc = fast_polys(sf, &u, o->holes == HH_ISO_HOLES_FILL, mp)) &&
        !(rc = hh__bands_finish(sf->net, mp, n_minutes, o, u.cp.cell_m,
                                (sf->origin.lon - sf->net->grid->lon0) * sf->net->grid->mx,
                                (sf->origin.lat - sf->net->grid->lat0) * sf->net->grid->my)))
        rc = to_isochrone(sf->net, minutes, mp, n_minutes, out);
    for (size_t i = 0; i < n_minutes; i++)
        hh__mpoly_free(&mp[i]);
    return rc;
}

int hh_surface_isochrone(const hh_surface *sf, const double *minutes, size_t n_minutes, hh_isochrone *out)
{
    const hh_iso_opts strict = {0, 0, HH_ISO_HOLES_ALL};
    return hh_surface_isochrone_opts(sf, minutes, n_minutes, &strict, out);
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

int hh_isochrone_build_opts(hh_query *q, const double *minutes, size_t n_minutes, const hh_iso_opts *o,
                            hh_isochrone *out)
{
    hh_surface sf;
    int rc = hh_query_get_surface(q, &sf);
    if (rc)
        return rc;
    rc = hh_surface_isochrone_opts(&sf, minutes, n_minutes, o, out);
    hh_surface_free(&sf);
    return rc;
}
