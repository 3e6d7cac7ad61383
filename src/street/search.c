/* search.c: bounded one-to-all Dijkstra with a 4-ary heap.
 * Plain Dijkstra is the baseline and the oracle the tests trust; a query
 * workspace is allocated once per thread and reused. */
#include <math.h>
#include <string.h>

#include "reach/contour.h"
#include "street/query.h"
#include "util/alloc.h"

#define NOT_IN_HEAP UINT32_MAX

int hh_query_init(const hh_net *net, hh_query **out)
{
    hh_query *q = hh__calloc(1, sizeof *q);
    if (!q)
        return HH_ENOMEM;
    uint32_t n = net->n_nodes ? net->n_nodes : 1;
    q->net = net;
    q->n = net->n_nodes;
    q->vs = hh__calloc(n, sizeof *q->vs);
    q->heap = hh__alloc_array(n, sizeof *q->heap);
    q->settled = hh__alloc_array(n, sizeof *q->settled);
    q->edge_stamp = hh__calloc(net->n_edges ? net->n_edges : 1, sizeof *q->edge_stamp);
    if (!q->edge_stamp || !q->vs || !q->heap || !q->settled) {
        hh_query_free(q);
        return HH_ENOMEM;
    }
    *out = q;
    return 0;
}

void hh_query_free(hh_query *q)
{
    if (!q)
        return;
    hh__free(q->vs);
    hh__free(q->heap), hh__free(q->settled), hh__free(q->edge_stamp);
    hh__contour_ws_free(q->contour);
    hh__free(q->samples);
    hh__free(q);
}

/* ---- 4-ary heap keyed by dist_ds ---------------------------------------- */

static inline void sift_up(hh_query *q, uint32_t i, hh__hentry x)
{
    hh__hentry *h = q->heap;
    while (i > 0) {
        uint32_t parent = (i - 1) / 4;
        if (h[parent].key <= x.key)
            break;
        h[i] = h[parent];
        q->vs[h[i].v].pos = i;
        i = parent;
    }
    h[i] = x;
    q->vs[x.v].pos = i;
}

static inline uint32_t pop_min(hh_query *q)
{
    hh__hentry *h = q->heap;
    uint32_t top = h[0].v;
    q->vs[top].pos = NOT_IN_HEAP;
    uint32_t n = --q->heap_n;
    if (n == 0)
        return top;
    hh__hentry x = h[n];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 4 * i + 1;
        if (c >= n)
            break;
        uint32_t best = c, bd = h[c].key;
        uint32_t end = c + 4 < n ? c + 4 : n;
        for (uint32_t k = c + 1; k < end; k++)
            if (h[k].key < bd)
                bd = h[k].key, best = k;
        if (bd >= x.key)
            break;
        h[i] = h[best];
        q->vs[h[i].v].pos = i;
        i = best;
    }
    h[i] = x;
    q->vs[x.v].pos = i;
    return top;
}

/* Offers vertex v the time d (ds) and length l (dm). */
static inline void relax(hh_query *q, uint32_t v, uint32_t d, uint32_t l)
{
    if (q->vs[v].stamp != q->gen) {
        q->vs[v].stamp = q->gen;
        q->vs[v].dist_ds = d;
        q->vs[v].len_dm = l;
        sift_up(q, q->heap_n++, (hh__hentry){d, v});
    } else if (d < q->vs[v].dist_ds && q->vs[v].pos != NOT_IN_HEAP) {
        q->vs[v].dist_ds = d;
        q->vs[v].len_dm = l;
        sift_up(q, q->vs[v].pos, (hh__hentry){d, v});
    }
}

static void new_generation(hh_query *q)
{
    if (++q->gen == 0) { /* wrapped: forget every stamp once per 4 billion searches */
        memset(q->vs, 0, (size_t)q->n * sizeof *q->vs);
        memset(q->edge_stamp, 0, (size_t)q->net->n_edges * sizeof *q->edge_stamp);
        q->gen = 1;
    }
    q->heap_n = 0;
    q->n_settled = 0;
}

static uint32_t ds_of(double s) { return (uint32_t)llround(s * 10.0); }

int hh_query_run(hh_query *q, hh_mode mode, const hh_snap *origin, double max_s)
{
    const hh_net *net = q->net;
    if ((unsigned)mode >= HH_N_MODES || !origin || origin->edge >= net->n_edges || isnan(max_s) ||
        max_s < 0)
        return HH_EINVAL;
    const hh__edge *e = &net->edges[origin->edge];
    if (!(e->mode_mask & (1u << mode)))
        return HH_EINVAL;
    new_generation(q);
    q->mode = mode;
    q->origin = *origin;
    q->max_s = max_s;
    q->has_run = 1;
    double conn_kmh = net->info.profile.connector_kmh[mode];
    q->origin_conn_s = origin->off_m / (conn_kmh / 3.6);
    double len_m = e->len_mm / 1000.0;
    double f = len_m > 0 ? origin->along_m / len_m : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    uint64_t bound = isinf(max_s) ? UINT64_MAX : (uint64_t)llround(max_s * 10.0);
    /* seeds: the two ends of the origin's edge, if its directions allow */
    uint32_t fwd = e->dur_ds[mode][0], bwd = e->dur_ds[mode][1];
    if (fwd != HH_DUR_NONE)
        relax(q, e->to, ds_of(q->origin_conn_s + (1 - f) * fwd / 10.0),
              (uint32_t)llround((1 - f) * len_m * 10));
    if (bwd != HH_DUR_NONE)
        relax(q, e->from, ds_of(q->origin_conn_s + f * bwd / 10.0), (uint32_t)llround(f * len_m * 10));
    const uint32_t *fo = net->first_out[mode];
    const hh__arc *A = net->arcs[mode];
    while (q->heap_n) {
        uint32_t dv = q->heap[0].key;
        uint32_t v = pop_min(q);
        if (dv > bound) {
            /* settled beyond the bound: not reached; drop the rest */
            q->vs[v].stamp = q->gen - 1;
            while (q->heap_n) {
                uint32_t w = pop_min(q);
                q->vs[w].stamp = q->gen - 1;
            }
            break;
        }
        q->settled[q->n_settled++] = v;
        uint32_t lv = q->vs[v].len_dm;
        for (uint32_t a = fo[v], end = fo[v + 1]; a < end; a++)
            relax(q, A[a].head, dv + A[a].dur_ds, lv + A[a].len_dm);
    }
    return 0;
}

double hh__query_time_on_edge(const hh_query *q, uint32_t ei, double along_m, double *dist_m)
{
    const hh_net *net = q->net;
    const hh__edge *e = &net->edges[ei];
    int m = q->mode;
    double len_m = e->len_mm / 1000.0;
    double f = len_m > 0 ? along_m / len_m : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    double best = INFINITY, bestd = INFINITY;
    uint32_t fwd = e->dur_ds[m][0], bwd = e->dur_ds[m][1];
    if (fwd != HH_DUR_NONE && q->vs[e->from].stamp == q->gen) {
        double t = q->vs[e->from].dist_ds / 10.0 + f * fwd / 10.0;
        if (t < best)
            best = t, bestd = q->vs[e->from].len_dm / 10.0 + f * len_m;
    }
    if (bwd != HH_DUR_NONE && q->vs[e->to].stamp == q->gen) {
        double t = q->vs[e->to].dist_ds / 10.0 + (1 - f) * bwd / 10.0;
        if (t < best)
            best = t, bestd = q->vs[e->to].len_dm / 10.0 + (1 - f) * len_m;
    }
    if (ei == q->origin.edge) {
        /* along the origin's own edge, without passing a vertex */
        double fo = len_m > 0 ? q->origin.along_m / len_m : 0;
        fo = fo < 0 ? 0 : fo > 1 ? 1 : fo;
        double t = INFINITY;
        if (f >= fo && fwd != HH_DUR_NONE)
            t = q->origin_conn_s + (f - fo) * fwd / 10.0;
        else if (f <= fo && bwd != HH_DUR_NONE)
            t = q->origin_conn_s + (fo - f) * bwd / 10.0;
        if (t < best)
            best = t, bestd = fabs(f - fo) * len_m;
    }
    if (dist_m)
        *dist_m = bestd;
    return best;
}

int hh_query_time_to(const hh_query *q, const hh_snap *target, double *time_s, double *dist_m)
{
    if (!q->has_run || !target || target->edge >= q->net->n_edges)
        return HH_EINVAL;
    double d;
    double t = hh__query_time_on_edge(q, target->edge, target->along_m, &d);
    if (isinf(t))
        return HH_ERANGE;
    double conn_kmh = q->net->info.profile.connector_kmh[q->mode];
    t += target->off_m / (conn_kmh / 3.6);
    if (t > q->max_s)
        return HH_ERANGE;
    *time_s = t;
    if (dist_m)
        *dist_m = d + target->off_m + q->origin.off_m;
    return 0;
}
