/* scenario.c: a change file applied to a network file (halfhour.h,
 * hh_scenario_apply; change.h for the file, scenario_tt.c for the
 * timetable).
 *
 * The base's sections are read back into network parts, the street
 * modifications are applied to its edges (new streets join the network at
 * their ends, splitting the edge they meet: the pieces' lengths and times
 * add up exactly to the edge's, so every old path keeps its length), and
 * then the build stage's own steps run again: each mode's arcs and islands,
 * the spatial index, the car's turn graph (from the inputs stored with the
 * base, sections 41-43), the hierarchies (street/ch.h, hh__ch_update: kept
 * where nothing changed, updated in place where a change only adds or
 * speeds up, recontracted in the base's order where something got slower),
 * the stop links and footpaths.  Sections nothing changed -- opportunity
 * layers, an unchanged timetable, sections this version does not know --
 * are copied as they are. */
#include "plan/scenario.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "build/stages.h"
#include "build/turns.h"
#include "net/net.h"
#include "net/transit.h"
#include "street/ch.h"
#include "util/alloc.h"

#define NONE UINT32_MAX

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* A point where a new street joins the network: at a vertex, or on an edge
 * (split there, at a whole decimetre along it). */
typedef struct join {
    uint32_t edge;     /* base edge, or NONE when at a vertex */
    uint32_t along_dm; /* position along the edge */
    uint32_t vertex;   /* the vertex, once known */
} join;

typedef struct sctx {
    const hh_net *net;
    const char *base_path;
    const hh__change *c;
    const hh_profile *p;
    hh__net_parts P;
    size_t cap_nodes, cap_edges, cap_shape;
    uint8_t *vflags;
    uint32_t n_nodes0, n_edges0;
    /* per edge of P: the base edge it is a piece of (NONE: none, or new),
     * and whether it is the first / last piece */
    uint32_t *piece_of;
    uint8_t *piece_end; /* bit 0 first piece, bit 1 last piece */
    uint32_t *last_piece; /* per base edge: its last piece (itself when not split) */
    size_t cap_piece;     /* of piece_of and piece_end */
    int streets_changed;
    char *err;
    size_t errlen;
    hh_scenario_stats *st;
} sctx;

static int fail_mod(sctx *s, const hh__mod *m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_mod(sctx *s, const hh__mod *m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(s->err, s->errlen, "%s: %s: %s", s->c->path, m->label, msg);
    return HH_EINVAL;
}

/* ---- the base's street sections as parts ------------------------------- */

static void *copy_of(const void *src, size_t n, size_t elem)
{
    void *d = hh__alloc_array(n ? n : 1, elem);
    if (d && n)
        memcpy(d, src, n * elem);
    return d;
}

static int parts_from_net(sctx *s)
{
    const hh_net *net = s->net;
    hh__net_parts *P = &s->P;
    P->n_nodes = net->n_nodes, P->n_edges = net->n_edges, P->n_shape = net->n_shape, P->n_turns = net->n_turns;
    P->node_ll = copy_of(net->node_ll, net->n_nodes, sizeof *P->node_ll);
    P->edges = copy_of(net->edges, net->n_edges, sizeof *P->edges);
    P->shape_first = copy_of(net->shape_first, (size_t)net->n_edges + 1, sizeof *P->shape_first);
    P->shape_ll = copy_of(net->shape_ll, net->n_shape, sizeof *P->shape_ll);
    P->turns = copy_of(net->turns, net->n_turns, sizeof *P->turns);
    s->cap_nodes = net->n_nodes ? net->n_nodes : 1, s->cap_edges = net->n_edges ? net->n_edges : 1;
    s->cap_shape = net->n_shape ? net->n_shape : 1;
    P->grid = *net->grid;
    s->n_nodes0 = net->n_nodes, s->n_edges0 = net->n_edges;
    if (!P->node_ll || !P->edges || !P->shape_first || !P->shape_ll || !P->turns)
        return HH_ENOMEM;
    uint64_t nv = 0;
    const uint8_t *vf = hh__net_section(net, HH_SEC_VFLAGS, 1, &nv);
    s->vflags = hh__calloc(net->n_nodes ? net->n_nodes : 1, 1);
    if (!s->vflags)
        return HH_ENOMEM;
    if (vf && nv == net->n_nodes)
        memcpy(s->vflags, vf, net->n_nodes);
    return 0;
}

/* ---- add-street -------------------------------------------------------- */

/* Where one end of a new street joins: the nearest edge any of its modes
 * uses, within tolerance_m. */
static int join_end(sctx *s, const hh__mod *m, size_t k, join *out)
{
    double lon = m->lon[k], lat = m->lat[k];
    hh_snap best = {0};
    double bd = INFINITY;
    for (int md = 0; md < HH_N_MODES; md++) {
        hh_snap sn;
        if (!(m->modes & (1u << md)) || hh_snap_point(s->net, (hh_mode)md, lon, lat, m->tolerance_m, &sn))
            continue;
        if (sn.off_m < bd)
            bd = sn.off_m, best = sn;
    }
    if (!isfinite(bd))
        return fail_mod(s, m, "its %s (%.7f, %.7f) is farther than tolerance_m %g m from every street its modes "
                              "may use",
                        k ? "end" : "start", lon, lat, m->tolerance_m);
    const hh__edge *e = &s->net->edges[best.edge];
    double len = e->len_mm / 1000.0;
    if (best.along_m < 1.0) {
        *out = (join){NONE, 0, e->from};
    } else if (len - best.along_m < 1.0) {
        *out = (join){NONE, 0, e->to};
    } else {
        uint32_t dm = (uint32_t)llround(best.along_m * 10);
        if ((uint64_t)dm * 100 >= e->len_mm)
            *out = (join){NONE, 0, e->to};
        else
            *out = (join){best.edge, dm, NONE};
    }
    return 0;
}

static int cmp_join(const void *a, const void *b)
{
    const join *x = *(const join *const *)a, *y = *(const join *const *)b;
    if (x->edge != y->edge)
        return x->edge < y->edge ? -1 : 1;
    return (x->along_dm > y->along_dm) - (x->along_dm < y->along_dm);
}

/* The point `along_m` metres along edge e (haversine, as its length). */
static hh__ll point_along(const hh_net *net, uint32_t e, double along_m)
{
    const hh__edge *ed = &net->edges[e];
    hh__ll prev = net->node_ll[ed->from];
    double at = 0;
    for (uint32_t k = net->shape_first[e]; k <= net->shape_first[e + 1]; k++) {
        hh__ll cur = k < net->shape_first[e + 1] ? net->shape_ll[k] : net->node_ll[ed->to];
        double d = hh__haversine_m(prev.lon_e7 * 1e-7, prev.lat_e7 * 1e-7, cur.lon_e7 * 1e-7, cur.lat_e7 * 1e-7);
        if (at + d >= along_m && d > 0) {
            double t = (along_m - at) / d;
            return (hh__ll){(int32_t)llround(prev.lon_e7 + t * ((double)cur.lon_e7 - prev.lon_e7)),
                            (int32_t)llround(prev.lat_e7 + t * ((double)cur.lat_e7 - prev.lat_e7))};
        }
        at += d;
        prev = cur;
    }
    return net->node_ll[ed->to];
}

static int add_vertex(sctx *s, hh__ll ll, uint32_t *v)
{
    hh__net_parts *P = &s->P;
    size_t cap = s->cap_nodes;
    if (hh__grow(&P->node_ll, &s->cap_nodes, (size_t)P->n_nodes + 1, sizeof *P->node_ll) ||
        hh__grow(&s->vflags, &cap, (size_t)P->n_nodes + 1, 1))
        return HH_ENOMEM;
    P->node_ll[P->n_nodes] = ll;
    s->vflags[P->n_nodes] = 0;
    *v = P->n_nodes++;
    return 0;
}

/* Shape points per edge while edges are being split and added: the
 * arrays are rebuilt at the end from these lists. */
typedef struct shapes {
    uint32_t *first;   /* per edge of P: into pts, or NONE for the base's own */
    uint32_t *count;
    hh__ll *pts;
    size_t n_pts, cap_pts, cap_e;
} shapes;

static int shapes_edge(shapes *sh, uint32_t e, const hh__ll *pts, size_t n)
{
    size_t cap_c = sh->cap_e;
    if (hh__grow(&sh->first, &sh->cap_e, (size_t)e + 1, sizeof *sh->first) ||
        hh__grow(&sh->count, &cap_c, (size_t)e + 1, sizeof *sh->count) ||
        hh__grow(&sh->pts, &sh->cap_pts, sh->n_pts + n, sizeof *sh->pts))
        return HH_ENOMEM;
    sh->first[e] = (uint32_t)sh->n_pts;
    sh->count[e] = (uint32_t)n;
    if (n)
        memcpy(sh->pts + sh->n_pts, pts, n * sizeof *pts);
    sh->n_pts += n;
    return 0;
}

/* piece_of and piece_end cover every edge of P */
static int grow_pieces(sctx *s)
{
    size_t cap = s->cap_piece;
    if (hh__grow(&s->piece_of, &s->cap_piece, s->P.n_edges, sizeof *s->piece_of) ||
        hh__grow(&s->piece_end, &cap, s->P.n_edges, 1))
        return HH_ENOMEM;
    return 0;
}

static int add_edge(sctx *s, const hh__edge *rec, uint32_t *id)
{
    hh__net_parts *P = &s->P;
    if (hh__grow(&P->edges, &s->cap_edges, (size_t)P->n_edges + 1, sizeof *P->edges))
        return HH_ENOMEM;
    P->edges[P->n_edges] = *rec;
    *id = P->n_edges++;
    return 0;
}

/* Splits base edge e at the joins js[0..k) (sorted, distinct decimetres):
 * the first piece keeps the id, the others are appended.  Lengths are cut
 * at whole decimetres and times at the same fractions, rounded once from
 * the edge's own, so the pieces add up exactly to the edge. */
static int split_edge(sctx *s, shapes *sh, uint32_t e, join **js, size_t k)
{
    const hh_net *net = s->net;
    const hh__edge base = net->edges[e];
    uint32_t nb = k + 2;
    uint64_t B[66];
    if (k > 64)
        k = 64, nb = (uint32_t)k + 2;
    B[0] = 0;
    for (size_t i = 0; i < k; i++)
        B[i + 1] = (uint64_t)js[i]->along_dm * 100;
    B[k + 1] = base.len_mm;
    /* inner points of each piece: the base's points strictly between cuts */
    hh__ll buf[4096];
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    double at_m = 0;
    hh__ll prev = net->node_ll[base.from];
    uint32_t next_pt = s0;
    double next_at = 0;
    if (next_pt < s1)
        next_at = hh__haversine_m(prev.lon_e7 * 1e-7, prev.lat_e7 * 1e-7, net->shape_ll[next_pt].lon_e7 * 1e-7,
                                  net->shape_ll[next_pt].lat_e7 * 1e-7);
    (void)at_m;
    uint32_t from = base.from;
    for (uint32_t piece = 0; piece + 1 < nb; piece++) {
        double hi_m = B[piece + 1] / 1000.0;
        size_t n = 0;
        while (next_pt < s1 && (next_at < hi_m || piece + 2 == nb)) {
            if (next_at > B[piece] / 1000.0 && n < 4096)
                buf[n++] = net->shape_ll[next_pt];
            hh__ll cur = net->shape_ll[next_pt];
            next_pt++;
            if (next_pt < s1)
                next_at += hh__haversine_m(cur.lon_e7 * 1e-7, cur.lat_e7 * 1e-7, net->shape_ll[next_pt].lon_e7 * 1e-7,
                                           net->shape_ll[next_pt].lat_e7 * 1e-7);
        }
        uint32_t to = piece + 2 == nb ? base.to : js[piece]->vertex;
        hh__edge rec = base;
        rec.from = from, rec.to = to;
        rec.len_mm = (uint32_t)(B[piece + 1] - B[piece]);
        rec.mode_mask = 0;
        for (int m = 0; m < HH_N_MODES; m++)
            for (int d = 0; d < 2; d++) {
                uint32_t D = base.dur_ds[m][d];
                if (D == HH_DUR_NONE)
                    continue;
                uint64_t c0 = base.len_mm ? (uint64_t)llround((double)D * (double)B[piece] / base.len_mm) : 0;
                uint64_t c1 = piece + 2 == nb ? D
                                              : (uint64_t)llround((double)D * (double)B[piece + 1] / base.len_mm);
                rec.dur_ds[m][d] = (uint32_t)(c1 - c0);
            }
        uint32_t id = e;
        int rc;
        if (piece == 0)
            s->P.edges[e] = rec;
        else if ((rc = add_edge(s, &rec, &id)))
            return rc;
        if (grow_pieces(s))
            return HH_ENOMEM;
        s->piece_of[id] = e;
        s->piece_end[id] = (uint8_t)((piece == 0) | (piece + 2 == nb ? 2 : 0));
        s->last_piece[e] = id;
        if ((rc = shapes_edge(sh, id, buf, n)))
            return rc;
        from = to;
    }
    s->st->edges_split++;
    return 0;
}

static double mode_speed(const sctx *s, const hh__mod *m, int md)
{
    int cls = m->highway >= 0 ? m->highway : HH_CLASS_RESIDENTIAL;
    int motor_only = m->speed_kmh > 0 && (m->modes & (1u << HH_MODE_CAR));
    if (m->speed_kmh > 0 && (!motor_only || md == HH_MODE_CAR))
        return m->speed_kmh;
    double v = s->p->speed_kmh[md][cls];
    if (md == HH_MODE_CAR)
        v *= s->p->car_speed_factor;
    if (!(v > 0)) /* the class is closed to the mode in the profile: its usual street speed */
        v = s->p->speed_kmh[md][HH_CLASS_RESIDENTIAL] * (md == HH_MODE_CAR ? s->p->car_speed_factor : 1);
    return v;
}

static int add_streets(sctx *s, shapes *sh)
{
    const hh__change *c = s->c;
    size_t nj = 0;
    for (size_t i = 0; i < c->n; i++)
        nj += c->mods[i].kind == HH__MOD_ADD_STREET ? 2 : 0;
    if (!nj)
        return 0;
    join *js = hh__calloc(nj, sizeof *js);
    join **order = hh__calloc(nj, sizeof *order);
    int rc = HH_ENOMEM;
    if (!js || !order)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hh__mod *m = &c->mods[i];
        if (m->kind != HH__MOD_ADD_STREET)
            continue;
        if ((rc = join_end(s, m, 0, &js[k])) || (rc = join_end(s, m, m->n_pts - 1, &js[k + 1])))
            goto done;
        k += 2;
    }
    /* new vertices where streets join edges, edge by edge along them */
    size_t no = 0;
    for (size_t j = 0; j < nj; j++)
        if (js[j].edge != NONE)
            order[no++] = &js[j];
    qsort(order, no, sizeof *order, cmp_join);
    for (size_t j = 0; j < no; j++) {
        if (j && order[j - 1]->edge == order[j]->edge && order[j - 1]->along_dm == order[j]->along_dm) {
            order[j]->vertex = order[j - 1]->vertex;
            continue;
        }
        if ((rc = add_vertex(s, point_along(s->net, order[j]->edge, order[j]->along_dm / 10.0), &order[j]->vertex)))
            goto done;
    }
    for (size_t j = 0; j < no;) {
        size_t z = j;
        join *cut[64];
        size_t nc = 0;
        while (z < no && order[z]->edge == order[j]->edge) {
            if ((nc == 0 || cut[nc - 1]->along_dm != order[z]->along_dm) && nc < 64)
                cut[nc++] = order[z];
            z++;
        }
        if ((rc = split_edge(s, sh, order[j]->edge, cut, nc)))
            goto done;
        j = z;
    }
    /* the new streets: join vertex, the line's points, join vertex */
    k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hh__mod *m = &c->mods[i];
        if (m->kind != HH__MOD_ADD_STREET)
            continue;
        uint32_t a = js[k].vertex, b = js[k + 1].vertex;
        k += 2;
        if (a == b) {
            rc = fail_mod(s, m, "both its ends join the network at the same point");
            goto done;
        }
        hh__ll *pts = hh__alloc_array(m->n_pts, sizeof *pts);
        if (!pts) {
            rc = HH_ENOMEM;
            goto done;
        }
        size_t n = 0;
        hh__ll pa = s->P.node_ll[a], pb = s->P.node_ll[b];
        for (size_t q = 0; q < m->n_pts; q++) {
            hh__ll x = {(int32_t)llround(m->lon[q] * 1e7), (int32_t)llround(m->lat[q] * 1e7)};
            hh__ll last = n ? pts[n - 1] : pa;
            if ((x.lon_e7 == last.lon_e7 && x.lat_e7 == last.lat_e7) ||
                (q + 1 == m->n_pts && x.lon_e7 == pb.lon_e7 && x.lat_e7 == pb.lat_e7))
                continue;
            pts[n++] = x;
        }
        double len = 0;
        hh__ll prev = pa;
        for (size_t q = 0; q <= n; q++) {
            hh__ll cur = q < n ? pts[q] : pb;
            len += hh__haversine_m(prev.lon_e7 * 1e-7, prev.lat_e7 * 1e-7, cur.lon_e7 * 1e-7, cur.lat_e7 * 1e-7);
            prev = cur;
        }
        hh__edge rec;
        memset(&rec, 0, sizeof rec);
        rec.from = a, rec.to = b;
        rec.len_mm = (uint32_t)llround(len * 1000);
        rec.road_class = (uint8_t)(m->highway >= 0 ? m->highway : HH_CLASS_ROAD);
        for (int md = 0; md < HH_N_MODES; md++) {
            uint32_t d = HH_DUR_NONE;
            if (m->modes & (1u << md))
                d = (uint32_t)llround(len / (mode_speed(s, m, md) / 3.6) * 10);
            rec.dur_ds[md][0] = d;
            rec.dur_ds[md][1] = m->oneway && md != HH_MODE_WALK ? HH_DUR_NONE : d;
        }
        uint32_t id;
        if (!(rc = add_edge(s, &rec, &id)))
            rc = shapes_edge(sh, id, pts, n);
        hh__free(pts);
        if (rc)
            goto done;
        if (grow_pieces(s)) {
            rc = HH_ENOMEM;
            goto done;
        }
        s->piece_of[id] = NONE, s->piece_end[id] = 0;
        s->st->streets_added++;
    }
    s->streets_changed = 1;
    rc = 0;
done:
    hh__free(js), hh__free(order);
    return rc;
}

/* ---- modify-street ------------------------------------------------------- */

/* The middle of edge e along its shape (degrees). */
static void edge_middle(const hh__net_parts *P, const shapes *sh, const hh_net *net, uint32_t e, double *lon,
                        double *lat)
{
    const hh__edge *ed = &P->edges[e];
    hh__ll pts[4098];
    size_t n = 0;
    pts[n++] = P->node_ll[ed->from];
    if (sh->first && e < sh->cap_e && sh->first[e] != NONE)
        for (uint32_t k = 0; k < sh->count[e] && n < 4097; k++)
            pts[n++] = sh->pts[sh->first[e] + k];
    else if (e < net->n_edges)
        for (uint32_t k = net->shape_first[e]; k < net->shape_first[e + 1] && n < 4097; k++)
            pts[n++] = net->shape_ll[k];
    pts[n++] = P->node_ll[ed->to];
    double total = 0;
    for (size_t k = 1; k < n; k++)
        total += hh__haversine_m(pts[k - 1].lon_e7 * 1e-7, pts[k - 1].lat_e7 * 1e-7, pts[k].lon_e7 * 1e-7,
                                 pts[k].lat_e7 * 1e-7);
    double at = 0, half = total / 2;
    for (size_t k = 1; k < n; k++) {
        double d = hh__haversine_m(pts[k - 1].lon_e7 * 1e-7, pts[k - 1].lat_e7 * 1e-7, pts[k].lon_e7 * 1e-7,
                                   pts[k].lat_e7 * 1e-7);
        if (at + d >= half && d > 0) {
            double t = (half - at) / d;
            *lon = (pts[k - 1].lon_e7 + t * ((double)pts[k].lon_e7 - pts[k - 1].lon_e7)) * 1e-7;
            *lat = (pts[k - 1].lat_e7 + t * ((double)pts[k].lat_e7 - pts[k - 1].lat_e7)) * 1e-7;
            return;
        }
        at += d;
    }
    *lon = pts[0].lon_e7 * 1e-7, *lat = pts[0].lat_e7 * 1e-7;
}

static int modify_streets(sctx *s, const shapes *sh)
{
    const hh__change *c = s->c;
    hh__net_parts *P = &s->P;
    for (size_t i = 0; i < c->n; i++) {
        const hh__mod *m = &c->mods[i];
        if (m->kind != HH__MOD_MODIFY_STREET)
            continue;
        for (size_t w = 0; w < m->n_way_ids; w++) {
            int found = 0;
            for (uint32_t e = 0; e < P->n_edges && !found; e++)
                found = ((int64_t)((uint64_t)P->edges[e].way_id_hi << 32 | P->edges[e].way_id_lo)) == m->way_ids[w];
            if (!found)
                return fail_mod(s, m, "OSM way %lld is not a street of the network", (long long)m->way_ids[w]);
        }
        uint32_t touched = 0;
        for (uint32_t e = 0; e < P->n_edges; e++) {
            hh__edge *ed = &P->edges[e];
            int sel = 0;
            if (m->n_way_ids) {
                int64_t wid = (int64_t)((uint64_t)ed->way_id_hi << 32 | ed->way_id_lo);
                for (size_t w = 0; w < m->n_way_ids && !sel; w++)
                    sel = wid == m->way_ids[w];
            }
            if (m->n_rings && (sel || !m->n_way_ids)) {
                double lo, la;
                edge_middle(P, sh, s->net, e, &lo, &la);
                sel = hh__mod_contains(m, lo, la);
            }
            if (!sel)
                continue;
            int any = 0;
            for (int md = 0; md < HH_N_MODES; md++) {
                if (!(m->modes & (1u << md)) && !(m->close & (1u << md)))
                    continue;
                for (int d = 0; d < 2; d++) {
                    uint32_t *D = &ed->dur_ds[md][d];
                    if (*D == HH_DUR_NONE)
                        continue;
                    if (m->close & (1u << md))
                        *D = HH_DUR_NONE;
                    else if (m->speed_kmh > 0)
                        *D = (uint32_t)llround(ed->len_mm / 1000.0 / (m->speed_kmh / 3.6) * 10);
                    else if (m->speed_factor > 0)
                        *D = (uint32_t)llround(*D / m->speed_factor);
                    any = 1;
                }
            }
            touched += any;
        }
        if (!touched)
            return fail_mod(s, m, "selects no street its modes use%s", m->n_rings ? " (none has its middle inside the polygon)" : "");
        s->st->edges_changed += touched;
        s->streets_changed = 1;
    }
    return 0;
}

/* The shape arrays again, edge by edge: the base's points where an edge
 * is the base's own, the lists' where it was split or added. */
static int rebuild_shapes(sctx *s, const shapes *sh)
{
    hh__net_parts *P = &s->P;
    const hh_net *net = s->net;
    size_t total = 0;
    for (uint32_t e = 0; e < P->n_edges; e++)
        total += e < sh->cap_e && sh->first[e] != NONE ? sh->count[e]
                 : e < net->n_edges                    ? net->shape_first[e + 1] - net->shape_first[e]
                                                       : 0;
    uint32_t *first = hh__alloc_array((size_t)P->n_edges + 1, sizeof *first);
    hh__ll *ll = hh__alloc_array(total ? total : 1, sizeof *ll);
    if (!first || !ll) {
        hh__free(first), hh__free(ll);
        return HH_ENOMEM;
    }
    size_t at = 0;
    for (uint32_t e = 0; e < P->n_edges; e++) {
        first[e] = (uint32_t)at;
        /* (no copy of nothing: a network without shape points has no array) */
        if (e < sh->cap_e && sh->first[e] != NONE) {
            if (sh->count[e])
                memcpy(ll + at, sh->pts + sh->first[e], sh->count[e] * sizeof *ll);
            at += sh->count[e];
        } else if (e < net->n_edges) {
            uint32_t a = net->shape_first[e], z = net->shape_first[e + 1];
            if (z > a)
                memcpy(ll + at, net->shape_ll + a, (z - a) * sizeof *ll);
            at += z - a;
        }
    }
    first[P->n_edges] = (uint32_t)at;
    hh__free(P->shape_first), hh__free(P->shape_ll);
    P->shape_first = first, P->shape_ll = ll, P->n_shape = (uint32_t)at;
    return 0;
}

/* ---- the car's turn graph again ---------------------------------------- */

/* The car arc of (edge, dir) in P, NONE when the car does not use it. */
static uint32_t car_arc_of(const hh__net_parts *P, uint32_t edge_dir)
{
    const hh__edge *e = &P->edges[edge_dir >> 1];
    uint32_t tail = edge_dir & 1 ? e->to : e->from;
    const uint32_t *fo = P->first_out[HH_MODE_CAR];
    for (uint32_t a = fo[tail]; a < fo[tail + 1]; a++)
        if (P->arcs[HH_MODE_CAR][a].edge_dir == edge_dir)
            return a;
    return NONE;
}

/* A base edge's piece touching vertex v (itself when it was not split). */
static uint32_t piece_at(const sctx *s, uint32_t e, uint32_t v)
{
    if (e >= s->n_edges0 || s->last_piece[e] == e)
        return e;
    return s->P.edges[e].from == v ? e : s->last_piece[e];
}

static int rebuild_turns(sctx *s, hh_build_stats *bst)
{
    hh__net_parts *P = &s->P;
    const hh_net *net = s->net;
    uint64_t np = 0, npa = 0, nv = 0;
    const hh__turn_path_rec *pr = hh__net_section(net, HH_SEC_TURN_PATH, sizeof *pr, &np);
    const uint32_t *pa = hh__net_section(net, HH_SEC_TURN_PATH_ARC, 4, &npa);
    if (!hh__net_section(net, HH_SEC_VFLAGS, 1, &nv) || !pr || !pa) {
        snprintf(s->err, s->errlen, "%s: made by an older halfhour, without what the car's turn graph is made "
                                    "from: rebuild it (halfhour build) to apply street changes",
                 s->base_path);
        return HH_EINVAL;
    }
    /* via-node restrictions onto the pieces at their via vertex */
    for (uint32_t i = 0; i < P->n_turns; i++) {
        hh__turn *t = &P->turns[i];
        t->from_edge = piece_at(s, t->from_edge, t->via_node);
        t->to_edge = piece_at(s, t->to_edge, t->via_node);
    }
    /* via-way paths by edge_dir, split edges expanded in travel order */
    hh__turn_path *paths = hh__alloc_array(np ? np : 1, sizeof *paths);
    uint32_t *arcs = NULL;
    size_t n_arcs = 0, cap = 0;
    uint32_t n_paths = 0;
    int rc = paths ? 0 : HH_ENOMEM;
    for (uint64_t r = 0; !rc && r < np; r++) {
        if (pr[r].first > npa || pr[r].n > npa - pr[r].first)
            continue;
        size_t mark = n_arcs;
        int ok = 1;
        for (uint32_t k = 0; ok && k < pr[r].n && !rc; k++) {
            uint32_t ed = pa[pr[r].first + k], e = ed >> 1, dir = ed & 1;
            if (e >= s->n_edges0) {
                ok = 0; /* not an edge of the base: a damaged section */
                break;
            }
            uint32_t pieces[2] = {e, s->last_piece[e]};
            int np2 = pieces[1] != e ? 2 : 1;
            if (np2 == 2 && s->P.edges[e].to != s->P.edges[pieces[1]].from)
                ok = 0; /* split more than once: the path is not followed through */
            for (int q = 0; ok && q < np2; q++) {
                uint32_t x = pieces[dir ? np2 - 1 - q : q];
                uint32_t a = car_arc_of(P, x << 1 | dir);
                if (a == NONE) {
                    ok = 0;
                    break;
                }
                if (hh__grow(&arcs, &cap, n_arcs + 1, sizeof *arcs)) {
                    rc = HH_ENOMEM;
                    break;
                }
                arcs[n_arcs++] = a;
            }
        }
        if (!ok || rc) {
            n_arcs = mark;
            continue;
        }
        paths[n_paths++] = (hh__turn_path){(uint32_t)mark, (uint32_t)(n_arcs - mark), (uint8_t)pr[r].only};
    }
    hh__turn_stats ts;
    hh__free(P->turn_first), hh__free(P->turn_arcs), hh__free(P->tdup), hh__free(P->car_in_first),
        hh__free(P->car_in);
    P->turn_first = P->tdup = P->car_in_first = P->car_in = NULL;
    P->turn_arcs = NULL;
    if (!rc)
        rc = hh__turns_build(P, s->p, s->vflags, paths, n_paths, arcs, &ts);
    if (!rc)
        rc = hh__build_store_turn_inputs(P, s->vflags, paths, n_paths, arcs);
    bst->turn_moves = ts.moves;
    hh__free(paths), hh__free(arcs);
    return rc;
}

/* ---- hierarchies ------------------------------------------------------- */

static int same_graph(uint32_t n0, const uint32_t *fo0, const hh__arc *a0, uint32_t n, const uint32_t *fo,
                      const hh__arc *a)
{
    return n0 == n && !memcmp(fo0, fo, ((size_t)n + 1) * sizeof *fo) &&
           !memcmp(a0, a, (size_t)fo[n] * sizeof *a);
}

typedef struct ch_upd {
    const hh__ch *old;
    const uint32_t *ofo;
    const hh__arc *oA;
    uint32_t n;
    const uint32_t *fo;
    const hh__arc *A;
    const uint32_t *old_of;
    hh__ch *out;
    int how, rc;
} ch_upd;

typedef struct upd_job {
    ch_upd *u[2];
} upd_job;

static void *upd_work(void *arg)
{
    upd_job *j = arg;
    for (int k = 0; k < 2; k++) {
        ch_upd *u = j->u[k];
        if (u && u->old)
            u->rc = hh__ch_update(u->old, u->ofo, u->oA, u->n, u->fo, u->A, u->old_of, u->out, &u->how);
    }
    return NULL;
}

/* old_of per search node of each mode; a mode whose graph is the base's
 * keeps its hierarchy (plan keep, ch_how -1). */
static int rebuild_ch(sctx *s, hh__ch ch[HH_N_MODES])
{
    const hh_net *net = s->net;
    hh__net_parts *P = &s->P;
    hh__ch_plan plan[HH_N_MODES];
    ch_upd u[HH_N_MODES];
    memset(u, 0, sizeof u);
    uint32_t *old_of[HH_N_MODES] = {NULL, NULL, NULL};
    int rc = 0;
    for (int m = 0; m < HH_N_MODES; m++) {
        plan[m] = (hh__ch_plan){1, NULL};
        const int car = m == HH_MODE_CAR;
        uint32_t n = car ? P->n_tnodes : P->n_nodes;
        const uint32_t *fo = car ? P->turn_first : P->first_out[m];
        const hh__arc *A = car ? P->turn_arcs : P->arcs[m];
        uint32_t n0 = hh__search_n(net, m);
        const uint32_t *fo0 = car ? net->turn_first : net->first_out[m];
        const hh__arc *A0 = car ? net->turn_arcs : net->arcs[m];
        if (!net->ch[m].n && n0) {
            /* a base without its hierarchy: contract from scratch */
            plan[m] = (hh__ch_plan){0, NULL};
            s->st->ch_how[m] = 1;
            u[m].how = -2;
            continue;
        }
        if (same_graph(n0, fo0, A0, n, fo, A)) {
            ch[m] = net->ch[m];
            ch[m].owned = NULL, ch[m].owned_tail = NULL;
            s->st->ch_how[m] = -1;
            continue;
        }
        if (!(old_of[m] = hh__alloc_array(n ? n : 1, sizeof *old_of[m]))) {
            rc = HH_ENOMEM;
            goto done;
        }
        if (!car) {
            for (uint32_t v = 0; v < n; v++)
                old_of[m][v] = v < net->n_nodes ? v : NONE;
        } else {
            /* turn nodes by the car arc they stand for: old (edge, dir) ->
             * old arc; a split edge's old arc is the piece that starts where
             * it started */
            uint32_t *old_arc = hh__alloc_array(2 * (size_t)net->n_edges + 2, sizeof *old_arc);
            if (!old_arc) {
                rc = HH_ENOMEM;
                goto done;
            }
            for (size_t i = 0; i < 2 * (size_t)net->n_edges; i++)
                old_arc[i] = NONE;
            for (uint32_t a = 0; a < net->n_arcs[HH_MODE_CAR]; a++)
                old_arc[net->arcs[HH_MODE_CAR][a].edge_dir] = a;
            uint32_t na = P->n_arcs[HH_MODE_CAR];
            for (uint32_t t = 0; t < na; t++) {
                uint32_t ed = P->arcs[HH_MODE_CAR][t].edge_dir, e = ed >> 1, dir = ed & 1;
                uint32_t base_e = e < s->n_edges0 ? e : NONE;
                if (e < s->P.n_edges && s->piece_of && e < s->P.n_edges && s->piece_of[e] != NONE) {
                    base_e = s->piece_of[e];
                    if (!(s->piece_end[e] & (dir ? 2 : 1)))
                        base_e = NONE;
                }
                old_of[m][t] = base_e == NONE ? NONE : old_arc[base_e << 1 | dir];
            }
            int same_dups = P->n_tdup == net->n_tdup;
            for (uint32_t i = 0; same_dups && i < P->n_tdup; i++)
                same_dups = old_of[m][P->tdup[i]] == net->tdup[i];
            for (uint32_t i = 0; i < P->n_tdup; i++)
                old_of[m][na + i] = same_dups ? net->n_arcs[HH_MODE_CAR] + i : NONE;
            hh__free(old_arc);
        }
        u[m] = (ch_upd){&net->ch[m], fo0, A0, n, fo, A, old_of[m], &ch[m], -1, 0};
    }
    /* updates on two threads (car alone, walk then bike), as the build does */
    upd_job wb = {{&u[HH_MODE_WALK], &u[HH_MODE_BIKE]}}, cj = {{&u[HH_MODE_CAR], NULL}};
    pthread_t th;
    int started = (u[HH_MODE_WALK].old || u[HH_MODE_BIKE].old) && pthread_create(&th, NULL, upd_work, &wb) == 0;
    upd_work(&cj);
    if (started)
        pthread_join(th, NULL);
    else
        upd_work(&wb);
    for (int m = 0; m < HH_N_MODES && !rc; m++) {
        if (u[m].old) {
            rc = u[m].rc;
            s->st->ch_how[m] = u[m].how;
        }
        plan[m].keep = u[m].how != -2;
    }
    if (!rc)
        rc = hh__build_ch(P, ch, plan);
done:
    for (int m = 0; m < HH_N_MODES; m++)
        hh__free(old_of[m]);
    return rc;
}

/* ---- meta ----------------------------------------------------------------- */

static char *scenario_meta(const sctx *s, const hh_build_stats *bst, int streets)
{
    const hh_net *net = s->net;
    size_t cap = net->meta_len + 8192;
    char *m = hh__malloc(cap);
    if (!m)
        return NULL;
    size_t n = 0;
    /* the base's lines, but its scenario record and (when the streets
     * changed) the islands, which follow */
    for (const char *p = net->meta; p < net->meta + net->meta_len;) {
        const char *nl = memchr(p, '\n', (size_t)(net->meta + net->meta_len - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(net->meta + net->meta_len - p);
        int drop = !strncmp(p, "scenario.", 9) || (streets && !strncmp(p, "components.", 11)) ||
                   (streets && !strncmp(p, "turns.moves=", 12));
        if (!drop && n + ll + 2 < cap) {
            memcpy(m + n, p, ll);
            n += ll;
            m[n++] = '\n';
        }
        p += ll + (nl ? 1 : 0);
    }
    m[n] = 0;
    if (streets) {
        n += (size_t)snprintf(m + n, cap - n, "turns.moves=%u\n", bst->turn_moves);
        for (int md = 0; md < HH_N_MODES; md++) {
            const hh_components *c = &bst->comps[md];
            const char *mn = hh_mode_name((hh_mode)md);
            n += (size_t)snprintf(m + n, cap - n, "components.%s.kept=%u\ncomponents.%s.kept_for_stop=%u\n"
                                  "components.%s.sizes=", mn, c->kept, mn, c->kept_for_stop, mn);
            for (int k = 0; k < HH_COMP_SIZES && c->sizes[k]; k++)
                n += (size_t)snprintf(m + n, cap - n, "%s%u", k ? "," : "", c->sizes[k]);
            n += (size_t)snprintf(m + n, cap - n, "\ncomponents.%s.dropped=%u\ncomponents.%s.dropped_vertices=%u\n"
                                  "components.%s.dropped_largest=%u\n", mn, c->dropped, mn, c->dropped_nodes, mn,
                                  c->dropped_largest);
        }
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char summary[512];
    snprintf(summary, sizeof summary, "%s", s->st->summary);
    for (char *q = summary; *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    n += (size_t)snprintf(m + n, cap - n, "scenario.change=%s\nscenario.sha256=%s\nscenario.summary=%s\n"
                          "scenario.base=%s\nscenario.applied_at=%s\n",
                          base_name(s->c->path), s->c->sha256, summary, net->info.source, when);
    return m;
}

/* ---- the whole --------------------------------------------------------- */

static int regenerated(uint32_t id, int streets, int transit)
{
    if (id <= 5 || (id >= 10 && id < 40 && (id % 10) < HH_N_MODES) || id == 30 || id == 31 || id == 32)
        return 1; /* the parts' own */
    if (id == HH_SEC_RESTRICTION || (id >= 200 && id <= 204))
        return 1;
    if (streets && (id == HH_SEC_VFLAGS || id == HH_SEC_TURN_PATH || id == HH_SEC_TURN_PATH_ARC))
        return 1;
    if (id >= 50 && id < 100)
        return 1; /* added by hh__build_ch, kept or not */
    if (transit && id >= 100 && id < 200)
        return 1;
    return 0;
}

int hh_scenario_apply(const char *base_path, const char *change_path, const char *out_path,
                      hh_scenario_stats *stats, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    double t0 = now_s();
    hh_scenario_stats st;
    memset(&st, 0, sizeof st);
    for (int m = 0; m < HH_N_MODES; m++)
        st.ch_how[m] = -1;
    st.transit_how = -1;
    hh_net *net = NULL;
    hh__change c;
    memset(&c, 0, sizeof c);
    sctx s;
    memset(&s, 0, sizeof s);
    shapes sh;
    memset(&sh, 0, sizeof sh);
    hh__ch ch[HH_N_MODES];
    memset(ch, 0, sizeof ch);
    hh__timetable *tt = NULL;
    hh_build_stats bst;
    memset(&bst, 0, sizeof bst);
    struct stat sb, so;
    if (!stat(base_path, &sb) && !stat(out_path, &so) && sb.st_dev == so.st_dev && sb.st_ino == so.st_ino) {
        snprintf(err, errlen, "%s: the output is the base network: the base is never written", out_path);
        return HH_EINVAL;
    }
    int rc = hh_net_open(base_path, &net, err, errlen);
    if (rc)
        return rc;
    if ((rc = hh__change_read(change_path, &c, err, errlen)))
        goto done;
    st.n_mods = c.n;
    memcpy(st.sha256, c.sha256, sizeof st.sha256);
    hh__change_summary(&c, st.summary, sizeof st.summary);
    s.net = net, s.base_path = base_path, s.c = &c, s.p = &net->info.profile, s.err = err, s.errlen = errlen, s.st = &st;
    if ((rc = parts_from_net(&s)))
        goto oom;
    rc = HH_ENOMEM;
    s.last_piece = hh__alloc_array(net->n_edges ? net->n_edges : 1, sizeof *s.last_piece);
    s.piece_of = hh__alloc_array(net->n_edges ? net->n_edges : 1, sizeof *s.piece_of);
    s.piece_end = hh__calloc(net->n_edges ? net->n_edges : 1, 1);
    s.cap_piece = net->n_edges ? net->n_edges : 1;
    sh.cap_e = net->n_edges ? net->n_edges : 1;
    sh.first = hh__alloc_array(sh.cap_e, sizeof *sh.first);
    sh.count = hh__calloc(sh.cap_e, sizeof *sh.count);
    if (!s.last_piece || !s.piece_of || !s.piece_end || !sh.first || !sh.count)
        goto oom;
    for (uint32_t e = 0; e < net->n_edges; e++)
        s.last_piece[e] = e, s.piece_of[e] = NONE, sh.first[e] = NONE;
    /* streets */
    if ((rc = add_streets(&s, &sh)) || (rc = modify_streets(&s, &sh)))
        goto fail;
    /* the mapped timetable is the base's, whatever else happens */
    const hh__timetable *base_tt = net->transit ? &net->transit->tt : NULL;
    int transit_mods = hh__change_has_transit(&c);
    uint32_t n_new_stops = 0;
    if (transit_mods &&
        (rc = hh__scenario_timetable(base_tt, &c, net->info.profile.connector_kmh[HH_MODE_WALK], &tt, &n_new_stops,
                                     &st, err, errlen)))
        goto done;
    const hh__timetable *use_tt = tt ? tt : base_tt;
    if (s.streets_changed) {
        if ((rc = rebuild_shapes(&s, &sh)))
            goto oom;
        for (uint32_t e = 0; e < s.P.n_edges; e++)
            s.P.edges[e].mode_mask = 0;
        for (int m = 0; m < HH_N_MODES; m++) {
            s.P.first_out[m] = NULL, s.P.arcs[m] = NULL;
            if ((rc = hh__build_mode(&s.P, s.p, m, use_tt, &bst)))
                goto oom;
        }
        if ((rc = hh__build_grid(&s.P)) || (rc = rebuild_turns(&s, &bst)))
            goto fail;
    } else {
        /* the base's graph as it is */
        hh__net_parts *P = &s.P;
        for (int m = 0; m < HH_N_MODES; m++) {
            P->first_out[m] = copy_of(net->first_out[m], (size_t)net->n_nodes + 1, 4);
            P->arcs[m] = copy_of(net->arcs[m], net->n_arcs[m], sizeof(hh__arc));
            P->n_arcs[m] = net->n_arcs[m];
            if (!P->first_out[m] || !P->arcs[m])
                goto oom;
        }
        P->grid_first = copy_of(net->grid_first, (size_t)net->grid->nx * net->grid->ny + 1, 4);
        P->grid_item = copy_of(net->grid_item, net->n_grid_items, 4);
        P->n_grid_items = net->n_grid_items;
        P->n_tnodes = net->n_tnodes, P->n_tdup = net->n_tdup, P->n_tarcs = net->n_tarcs;
        P->turn_first = copy_of(net->turn_first, (size_t)net->n_tnodes + 1, 4);
        P->turn_arcs = copy_of(net->turn_arcs, net->n_tarcs, sizeof(hh__arc));
        P->tdup = copy_of(net->tdup, net->n_tdup, 4);
        P->car_in_first = copy_of(net->car_in_first, (size_t)net->n_nodes + 1, 4);
        P->car_in = copy_of(net->car_in, net->n_arcs[HH_MODE_CAR], 4);
        if (!P->grid_first || !P->grid_item || !P->turn_first || !P->turn_arcs || !P->tdup || !P->car_in_first ||
            !P->car_in)
            goto oom;
    }
    if ((rc = rebuild_ch(&s, ch)))
        goto fail;
    /* the meta first: linking stops writes the streets to a file */
    if (!(s.P.meta = scenario_meta(&s, &bst, s.streets_changed)))
        goto oom;
    /* transit: kept, stops added to the kept links, or linked again */
    int walk_same = same_graph(net->n_nodes, net->first_out[HH_MODE_WALK], net->arcs[HH_MODE_WALK], s.P.n_nodes,
                               s.P.first_out[HH_MODE_WALK], s.P.arcs[HH_MODE_WALK]);
    if (!walk_same && s.P.n_nodes > net->n_nodes) {
        /* new vertices without walk arcs leave the walk network as it was */
        walk_same = !memcmp(net->first_out[HH_MODE_WALK], s.P.first_out[HH_MODE_WALK],
                            ((size_t)net->n_nodes + 1) * 4) &&
                    s.P.first_out[HH_MODE_WALK][s.P.n_nodes] == net->n_arcs[HH_MODE_WALK] &&
                    !memcmp(net->arcs[HH_MODE_WALK], s.P.arcs[HH_MODE_WALK], net->n_arcs[HH_MODE_WALK] * sizeof(hh__arc));
    }
    int transit_redo = use_tt && (tt || !walk_same);
    if (transit_redo) {
        if (walk_same) {
            rc = hh__transit_build_reuse(net, use_tt, s.p, &s.P, &bst, net->transit, base_tt ? base_tt->n_stops : 0,
                                         err, errlen);
            st.transit_how = 0;
        } else {
            rc = hh__build_add_transit(&s.P, use_tt, s.p, &bst, err, errlen);
            st.transit_how = 1;
        }
        if (rc)
            goto done;
        /* the base's load warnings stay the file's */
        uint64_t wn = 0;
        const char *w = hh__net_section(net, HH_SEC_TT_WARN, 1, &wn);
        for (uint32_t i = 0; w && i < s.P.n_extra; i++)
            if (s.P.extra[i].id == HH_SEC_TT_WARN)
                s.P.extra[i].data = w, s.P.extra[i].count = wn;
        /* every stop the change added must have joined the walk network */
        for (uint32_t i = 0; i < s.P.n_extra; i++) {
            if (s.P.extra[i].id != HH_SEC_STOP_LINK)
                continue;
            const hh__stop_link *l = s.P.extra[i].data;
            for (uint32_t k = use_tt->n_stops - n_new_stops; k < use_tt->n_stops; k++)
                if (l[k].edge == HH_STOP_UNLINKED) {
                    snprintf(err, errlen, "%s: new stop \"%s\" at (%.7f, %.7f) is farther than transit.link_m "
                                          "(%g m) from every walkable street",
                             c.path, hh__timetable_str(use_tt, use_tt->stop_id[k]), use_tt->stop_lon[k],
                             use_tt->stop_lat[k], s.p->transit_link_m);
                    rc = HH_EINVAL;
                    goto done;
                }
        }
    }
    /* what nothing regenerated, as the base has it */
    for (uint32_t i = 0; i < net->n_sections; i++) {
        const hh__section *sec = &net->sections[i];
        if (regenerated(sec->id, s.streets_changed, transit_redo))
            continue;
        if ((rc = hh__net_parts_add(&s.P, sec->id, sec->elem_size, net->map + sec->offset, sec->count, 0)))
            goto oom;
    }
    if ((rc = hh__net_write(&s.P, out_path, &st.file_bytes, err, errlen)))
        goto done;
    st.seconds = now_s() - t0;
    if (stats)
        *stats = st;
    rc = 0;
    goto done;
oom:
    if (!rc)
        rc = HH_ENOMEM;
fail:
    if (rc == HH_ENOMEM || rc == HH_ERANGE)
        snprintf(err, errlen, "%s: %s", change_path, hh_strerror(rc));
done:
    for (int m = 0; m < HH_N_MODES; m++)
        hh__ch_free(&ch[m]);
    hh__net_parts_free(&s.P);
    hh__free(s.vflags), hh__free(s.last_piece), hh__free(s.piece_of), hh__free(s.piece_end);
    hh__free(sh.first), hh__free(sh.count), hh__free(sh.pts);
    hh__timetable_free(tt);
    hh__change_free(&c);
    hh_net_close(net);
    return rc;
}
