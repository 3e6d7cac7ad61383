/* search.c: bounded one-to-all Dijkstra with a 4-ary heap.
 * Plain Dijkstra is the baseline and the oracle the tests trust; a query
 * workspace is allocated once per thread and reused. */
#include <math.h>
#include <string.h>

#include "reach/contour.h"
#include "street/query.h"
#include "street/seeds.h"
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
    if (q->chws_ready)
        hh__ch_ws_free(&q->chws);
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

/* PHAST over the whole graph, then the reached vertices copied into the
 * query's state so everything downstream reads one representation.  The
 * sweep costs the same whatever the bound (about 0.5 ms on a 70k-vertex
 * metro), a tenth of a Dijkstra that reaches most of it. */
static int run_phast(hh_query *q, const hh__ch_seed *seeds, int ns, int64_t bound)
{
    const hh_net *net = q->net;
    const hh__ch *ch = &net->ch[q->mode];
    if (!q->chws_ready) {
        if (hh__ch_ws_init(&q->chws, net->n_nodes))
            return HH_ENOMEM;
        q->chws_ready = 1;
    }
    if (bound < 0)
        return 0;
    int rc = hh__ch_phast(ch, &q->chws, seeds, (size_t)ns, (uint32_t)bound, NULL, NULL);
    if (rc)
        return rc;
    uint32_t gen = q->gen;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        uint64_t k = q->chws.dist[ch->rank[v]];
        if (k >> 32 == HH_CH_UNREACHED)
            continue;
        hh__vstate *s = &q->vs[v];
        s->stamp = gen;
        s->dist_ds = (uint32_t)(k >> 32);
        s->len_dm = (uint32_t)k;
        s->pos = NOT_IN_HEAP;
        q->settled[q->n_settled++] = v;
    }
    return 0;
}

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
    q->origin_conn_s = hh__connector_s(net, mode, origin);
    /* vertices farther than this cannot lead to a time within max_s */
    double room = (max_s - q->origin_conn_s) * 10.0;
    uint32_t bound = isinf(max_s) ? UINT32_MAX - 1 : room < 0 ? 0 : room >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)floor(room);
    hh__ch_seed seeds[2];
    int ns = hh__source_seeds(net, mode, origin, 0, seeds);
    if (net->ch[mode].n == net->n_nodes && net->n_nodes && !q->force_dijkstra)
        return run_phast(q, seeds, ns, room < 0 ? -1 : (int64_t)bound);
    if (room < 0)
        return 0;
    for (int i = 0; i < ns; i++)
        if (seeds[i].dur_ds <= bound)
            relax(q, seeds[i].vertex, seeds[i].dur_ds, seeds[i].len_dm);
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

void hh__edge_times_init(const hh_query *q, uint32_t e, hh__edge_times *et)
{
    const hh__edge *ed = &q->net->edges[e];
    int m = q->mode;
    uint32_t fwd = ed->dur_ds[m][0], bwd = ed->dur_ds[m][1];
    double c = q->origin_conn_s;
    int from_ok = q->vs[ed->from].stamp == q->gen, to_ok = q->vs[ed->to].stamp == q->gen;
    double tf = from_ok ? q->vs[ed->from].dist_ds / 10.0 + c : INFINITY;
    double tt = to_ok ? q->vs[ed->to].dist_ds / 10.0 + c : INFINITY;
    et->f0 = fwd != HH_DUR_NONE ? tf : INFINITY;
    et->f1 = fwd != HH_DUR_NONE && from_ok ? fwd / 10.0 : 0;
    et->b0 = bwd != HH_DUR_NONE && to_ok ? tt + bwd / 10.0 : INFINITY;
    et->b1 = bwd != HH_DUR_NONE && to_ok ? bwd / 10.0 : 0;
    et->at0 = tf, et->at1 = tt;
    et->origin = e == q->origin.edge;
    et->o = et->ou = et->of = et->ob = 0;
    if (et->origin) {
        double len = ed->len_mm / 1000.0, fo = len > 0 ? q->origin.along_m / len : 0;
        et->ou = fo < 0 ? 0 : fo > 1 ? 1 : fo;
        et->o = c;
        et->of = fwd != HH_DUR_NONE ? fwd / 10.0 : INFINITY;
        et->ob = bwd != HH_DUR_NONE ? bwd / 10.0 : INFINITY;
    }
}

double hh__query_time_on_edge(const hh_query *q, uint32_t e, double along_m)
{
    hh__edge_times et;
    hh__edge_times_init(q, e, &et);
    double len = q->net->edges[e].len_mm / 1000.0;
    double f = len > 0 ? along_m / len : 0;
    return hh__edge_time_at(&et, f < 0 ? 0 : f > 1 ? 1 : f);
}

int hh_query_time_to(const hh_query *q, const hh_snap *target, double *time_s, double *dist_m)
{
    if (!q->has_run || !target || target->edge >= q->net->n_edges)
        return HH_EINVAL;
    const hh_net *net = q->net;
    hh__ch_seed ts[2];
    int nt = hh__target_seeds(net, q->mode, target, 0, ts);
    uint64_t best = UINT64_MAX; /* dur_ds << 32 | len_dm, as the CH orders paths */
    for (int i = 0; i < nt; i++) {
        const hh__vstate *v = &q->vs[ts[i].vertex];
        if (v->stamp != q->gen)
            continue;
        uint64_t k = ((uint64_t)v->dist_ds + ts[i].dur_ds) << 32 | (uint64_t)(v->len_dm + ts[i].len_dm);
        best = k < best ? k : best;
    }
    uint32_t dd, dl;
    if (hh__same_edge(net, q->mode, &q->origin, target, &dd, &dl) == 0) {
        uint64_t k = (uint64_t)dd << 32 | dl;
        best = k < best ? k : best;
    }
    if (best == UINT64_MAX)
        return HH_ERANGE;
    double t = (double)(best >> 32) / 10.0 + q->origin_conn_s + hh__connector_s(net, q->mode, target);
    if (t > q->max_s)
        return HH_ERANGE;
    *time_s = t;
    if (dist_m)
        *dist_m = (double)(uint32_t)best / 10.0 + target->off_m + q->origin.off_m;
    return 0;
}

void hh__query_load_times(hh_query *q, const float *t_s, double max_s)
{
    new_generation(q);
    q->max_s = max_s;
    double c = q->origin_conn_s;
    for (uint32_t v = 0; v < q->n; v++) {
        float t = t_s[v];
        if (!(t <= max_s))
            continue; /* NAN or beyond */
        double rest = (t - c) * 10.0;
        hh__vstate *s = &q->vs[v];
        s->stamp = q->gen;
        s->dist_ds = rest > 0 ? (uint32_t)llround(rest) : 0;
        s->len_dm = 0;
        s->pos = NOT_IN_HEAP;
        q->settled[q->n_settled++] = v;
    }
}

int hh_query_surface(const hh_query *q, float *out, size_t n)
{
    if (!q->has_run || n != q->n)
        return HH_EINVAL;
    for (uint32_t v = 0; v < q->n; v++)
        out[v] = q->vs[v].stamp == q->gen ? (float)(q->vs[v].dist_ds / 10.0 + q->origin_conn_s) : NAN;
    return 0;
}
