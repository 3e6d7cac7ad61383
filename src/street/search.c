/* search.c: bounded one-to-all Dijkstra with a 4-ary heap.
 * Plain Dijkstra is the baseline and the oracle the tests trust; a query
 * workspace is allocated once per thread and reused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    uint32_t nt = net->n_tnodes ? net->n_tnodes : 1, na = net->n_arcs[HH_MODE_CAR] ? net->n_arcs[HH_MODE_CAR] : 1;
    uint32_t nh = n > nt ? n : nt;
    q->net = net;
    q->n = net->n_nodes;
    q->n_t = net->n_tnodes;
    q->vs = hh__calloc(n, sizeof *q->vs);
    q->heap = hh__alloc_array(nh, sizeof *q->heap);
    q->settled = hh__alloc_array(n, sizeof *q->settled);
    q->tvs = hh__calloc(nt, sizeof *q->tvs);
    q->tsettled = hh__alloc_array(nt, sizeof *q->tsettled);
    q->arc_key = hh__alloc_array(na, sizeof *q->arc_key);
    q->arc_stamp = hh__calloc(na, sizeof *q->arc_stamp);
    q->arcs_hit = hh__alloc_array(na, sizeof *q->arcs_hit);
    q->vkey = hh__alloc_array(n, sizeof *q->vkey);
    if (!q->vs || !q->heap || !q->settled || !q->tvs || !q->tsettled || !q->arc_key ||
        !q->arc_stamp || !q->arcs_hit || !q->vkey) {
        hh_query_free(q);
        return HH_ENOMEM;
    }
    *out = q;
    return 0;
}

void hh_query_footprint(const hh_net *net, hh_query_bytes *out)
{
    uint64_t n = net->n_nodes ? net->n_nodes : 1;
    uint64_t nt = net->n_tnodes ? net->n_tnodes : 1, na = net->n_arcs[HH_MODE_CAR] ? net->n_arcs[HH_MODE_CAR] : 1;
    uint64_t nh = n > nt ? n : nt, nw = net->n_nodes > net->n_tnodes ? net->n_nodes : net->n_tnodes;
    memset(out, 0, sizeof *out);
    /* what hh_query_init allocates: the plain search's states, heap and
     * settled lists (vertices and car turn nodes), the car arcs' start keys */
    out->dijkstra = n * sizeof(hh__vstate) + nh * sizeof(hh__hentry) + n * 4 + nt * sizeof(hh__vstate) + nt * 4 +
                    na * (8 + 4 + 4) + n * 8;
    /* the sweep's, made on its first use (hh__ch_ws_init over nw ids) */
    int any_ch = 0;
    for (int m = 0; m < HH_N_MODES; m++)
        any_ch |= net->ch[m].n > 0;
    out->sweep = any_ch ? (uint64_t)(nw ? nw : 1) * (4 + 8 + 4 + 4 + 4) : 0;
    out->total = out->dijkstra + out->sweep;
    out->per_vertex = (double)out->total / (double)n;
}

void hh_query_free(hh_query *q)
{
    if (!q)
        return;
    hh__free(q->vs);
    hh__free(q->heap), hh__free(q->settled);
    hh__free(q->tvs), hh__free(q->tsettled), hh__free(q->arc_key), hh__free(q->arc_stamp);
    hh__free(q->arcs_hit), hh__free(q->vkey);
    if (q->chws_ready)
        hh__ch_ws_free(&q->chws);
    hh__free(q);
}

/* ---- 4-ary heap keyed by dist_ds, over the states S of one graph --------- */

static inline void sift_up(hh_query *q, hh__vstate *S, uint32_t i, hh__hentry x)
{
    hh__hentry *h = q->heap;
    while (i > 0) {
        uint32_t parent = (i - 1) / 4;
        if (h[parent].key <= x.key)
            break;
        h[i] = h[parent];
        S[h[i].v].pos = i;
        i = parent;
    }
    h[i] = x;
    S[x.v].pos = i;
}

static inline uint32_t pop_min(hh_query *q, hh__vstate *S)
{
    hh__hentry *h = q->heap;
    uint32_t top = h[0].v;
    S[top].pos = NOT_IN_HEAP;
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
        S[h[i].v].pos = i;
        i = best;
    }
    h[i] = x;
    S[x.v].pos = i;
    return top;
}

/* Offers node v the time d (ds) and length l (dm); ties go to the shorter
 * length, as in the contraction hierarchy's lexicographic metric. */
static inline void relax(hh_query *q, hh__vstate *S, uint32_t v, uint32_t d, uint32_t l)
{
    if (S[v].stamp != q->gen) {
        S[v].stamp = q->gen;
        S[v].dist_ds = d;
        S[v].len_dm = l;
        sift_up(q, S, q->heap_n++, (hh__hentry){d, v});
    } else if (S[v].pos != NOT_IN_HEAP && (d < S[v].dist_ds || (d == S[v].dist_ds && l < S[v].len_dm))) {
        int up = d < S[v].dist_ds;
        S[v].dist_ds = d;
        S[v].len_dm = l;
        if (up)
            sift_up(q, S, S[v].pos, (hh__hentry){d, v});
    }
}

static void new_generation(hh_query *q)
{
    if (++q->gen == 0) { /* wrapped: forget every stamp once per 4 billion searches */
        memset(q->vs, 0, (size_t)q->n * sizeof *q->vs);
        memset(q->tvs, 0, (size_t)q->n_t * sizeof *q->tvs);
        memset(q->arc_stamp, 0, (size_t)q->net->n_arcs[HH_MODE_CAR] * sizeof *q->arc_stamp);
        q->gen = 1;
    }
    q->heap_n = 0;
    q->n_settled = 0;
    q->n_tsettled = 0;
    q->n_arcs_hit = 0;
    q->car_phast = 0;
}

/* Plain Dijkstra over one graph (vertices, or the car's turn nodes) from the
 * seeds, up to `bound` ds; reached nodes go to `done` in settling order.
 * With a cap, gives up (returns 1, states then meaningless) once more than
 * cap nodes are settled, so that the caller can sweep instead. */
static int dijkstra(hh_query *q, hh__vstate *S, const uint32_t *fo, const hh__arc *A, const hh__ch_seed *seeds,
                    int ns, uint32_t bound, uint32_t *done, uint32_t *n_done, uint32_t cap)
{
    for (int i = 0; i < ns; i++)
        if (seeds[i].dur_ds <= bound)
            relax(q, S, seeds[i].vertex, seeds[i].dur_ds, seeds[i].len_dm);
    uint32_t nd = 0;
    while (q->heap_n) {
        uint32_t dv = q->heap[0].key;
        uint32_t v = pop_min(q, S);
        if (dv > bound) {
            /* settled beyond the bound: not reached; drop the rest */
            S[v].stamp = q->gen - 1;
            while (q->heap_n) {
                uint32_t w = pop_min(q, S);
                S[w].stamp = q->gen - 1;
            }
            break;
        }
        if (nd >= cap) {
            q->heap_n = 0;
            return 1;
        }
        done[nd++] = v;
        uint32_t lv = S[v].len_dm;
        for (uint32_t a = fo[v], end = fo[v + 1]; a < end; a++)
            relax(q, S, A[a].head, dv + A[a].dur_ds, lv + A[a].len_dm);
    }
    *n_done = nd;
    return 0;
}

/* The sweep's workspace, made on the first sweep, sized for the larger of
 * the two graphs (vertices, car turn nodes); 0 or HH_ENOMEM. */
static int chws_ready(hh_query *q)
{
    if (q->chws_ready)
        return 0;
    uint32_t nw = q->net->n_nodes > q->net->n_tnodes ? q->net->n_nodes : q->net->n_tnodes;
    if (hh__ch_ws_init(&q->chws, nw))
        return HH_ENOMEM;
    q->chws_ready = 1;
    return 0;
}

/* PHAST over the whole graph, then the reached nodes copied into S and
 * `done`, so everything downstream reads one representation.  The sweep
 * costs the same whatever the bound (about 0.5 ms on a 70k-vertex metro),
 * a tenth of a Dijkstra that reaches most of it. */
static int run_phast(hh_query *q, hh__vstate *S, uint32_t n, const hh__ch_seed *seeds, int ns, uint32_t bound,
                     uint32_t *done, uint32_t *n_done)
{
    const hh__ch *ch = &q->net->ch[q->mode];
    if (chws_ready(q))
        return HH_ENOMEM;
    int rc = hh__ch_phast(ch, &q->chws, seeds, (size_t)ns, bound, NULL, NULL);
    if (rc)
        return rc;
    uint32_t gen = q->gen, nd = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint64_t k = q->chws.dist[ch->rank[v]];
        if (k >> 32 == HH_CH_UNREACHED)
            continue;
        hh__vstate *s = &S[v];
        s->stamp = gen;
        s->dist_ds = (uint32_t)(k >> 32);
        s->len_dm = (uint32_t)k;
        s->pos = NOT_IN_HEAP;
        done[nd++] = v;
    }
    *n_done = nd;
    return 0;
}

/* Offers vertex v the key k (dur_ds << 32 | len_dm) as a settled state. */
static void offer_vertex(hh_query *q, uint32_t v, uint64_t k)
{
    hh__vstate *s = &q->vs[v];
    uint32_t d = (uint32_t)(k >> 32), l = (uint32_t)k;
    if (s->stamp != q->gen) {
        s->stamp = q->gen;
        s->dist_ds = d, s->len_dm = l;
        s->pos = NOT_IN_HEAP;
        q->settled[q->n_settled++] = v;
    } else if (d < s->dist_ds || (d == s->dist_ds && l < s->len_dm)) {
        s->dist_ds = d, s->len_dm = l;
    }
}

/* Car: from the turn nodes reached, each car arc's earliest start (over its
 * copies) and each vertex's earliest arrival, at most `bound`; the origin's
 * own edge reaches its end vertices directly. */
static void car_derive(hh_query *q, const hh__ch_seed *direct, int n_direct, uint32_t bound)
{
    const hh_net *net = q->net;
    const hh__arc *A = net->arcs[HH_MODE_CAR];
    uint32_t gen = q->gen;
    for (uint32_t i = 0; i < q->n_tsettled; i++) {
        uint32_t t = q->tsettled[i], a = hh__tnode_arc(net, t);
        uint64_t k = (uint64_t)q->tvs[t].dist_ds << 32 | q->tvs[t].len_dm;
        if (q->arc_stamp[a] != gen) {
            q->arc_stamp[a] = gen;
            q->arc_key[a] = k;
            q->arcs_hit[q->n_arcs_hit++] = a;
        } else if (k < q->arc_key[a]) {
            q->arc_key[a] = k;
        }
    }
    for (int i = 0; i < n_direct; i++)
        if (direct[i].dur_ds <= bound)
            offer_vertex(q, direct[i].vertex, (uint64_t)direct[i].dur_ds << 32 | direct[i].len_dm);
    for (uint32_t i = 0; i < q->n_arcs_hit; i++) {
        uint32_t a = q->arcs_hit[i];
        uint64_t k = q->arc_key[a] + ((uint64_t)A[a].dur_ds << 32 | A[a].len_dm);
        if ((k >> 32) <= bound)
            offer_vertex(q, A[a].head, k);
    }
}

/* Car PHAST: the sweep's times stay in the CH workspace (an arc's start is
 * read from there on demand, hh__car_arc_start); only the copies' earlier
 * starts are noted, and each vertex's arrival is taken in one pass over the
 * vertices, reading the arcs that arrive there. */
static int car_phast(hh_query *q, const hh__ch_seed *seeds, int ns, uint32_t bound, const hh__ch_seed *direct,
                     int n_direct)
{
    const hh_net *net = q->net;
    const hh__ch *ch = &net->ch[HH_MODE_CAR];
    if (chws_ready(q))
        return HH_ENOMEM;
    uint64_t *vkey = q->vkey;
    memset(vkey, 0xff, (size_t)net->n_nodes * sizeof *vkey);
    int rc = hh__ch_phast_arrivals(ch, &q->chws, seeds, (size_t)ns, bound, net->car_x_head, net->car_x_key, vkey);
    if (rc)
        return rc;
    q->car_phast = 1;
    const uint64_t *dist = q->chws.dist;
    const uint32_t *rank = ch->rank;
    uint32_t gen = q->gen, na = net->n_arcs[HH_MODE_CAR];
    /* a copy may start its arc earlier than the arc itself: noted for the
     * arc starts read on demand (its arrival is already in vkey) */
    for (uint32_t t = na; t < net->n_tnodes; t++) {
        uint64_t k = dist[rank[t]];
        uint32_t a = net->tdup[t - na];
        uint64_t own = q->arc_stamp[a] == gen ? q->arc_key[a] : dist[rank[a]];
        if (k < own) {
            q->arc_stamp[a] = gen;
            q->arc_key[a] = k;
        }
    }
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        uint64_t best = vkey[v];
        if ((best >> 32) <= bound) {
            hh__vstate *s = &q->vs[v];
            s->stamp = gen;
            s->dist_ds = (uint32_t)(best >> 32), s->len_dm = (uint32_t)best;
            s->pos = NOT_IN_HEAP;
            q->settled[q->n_settled++] = v;
        }
    }
    for (int i = 0; i < n_direct; i++)
        if (direct[i].dur_ds <= bound)
            offer_vertex(q, direct[i].vertex, (uint64_t)direct[i].dur_ds << 32 | direct[i].len_dm);
    return 0;
}

uint64_t hh__car_arc_start(const hh_query *q, uint32_t a)
{
    if (q->arc_stamp[a] == q->gen)
        return q->arc_key[a];
    if (q->car_phast) {
        uint64_t k = q->chws.dist[q->net->ch[HH_MODE_CAR].rank[a]];
        if (k >> 32 != HH_CH_UNREACHED)
            return k;
    }
    return UINT64_MAX;
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
    /* nodes farther than this cannot lead to a time within max_s */
    double room = (max_s - q->origin_conn_s) * 10.0;
    if (room < 0)
        return 0;
    uint32_t bound = isinf(max_s) || room >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)floor(room);
    hh__ch_seed stack_seeds[64], *seeds = stack_seeds;
    uint32_t cap = hh__max_seeds(net);
    if (cap > 64 && !(seeds = hh__alloc_array(cap, sizeof *seeds)))
        return HH_ENOMEM;
    int ns = hh__source_seeds(net, mode, origin, 0, seeds);
    int car = mode == HH_MODE_CAR;
    hh__vstate *S = car ? q->tvs : q->vs;
    uint32_t n = hh__search_n(net, mode);
    const uint32_t *fo = car ? net->turn_first : net->first_out[mode];
    const hh__arc *A = car ? net->turn_arcs : net->arcs[mode];
    uint32_t *done = car ? q->tsettled : q->settled, *n_done = car ? &q->n_tsettled : &q->n_settled;
    int has_ch = net->ch[mode].n == n && n && !q->force_dijkstra;
    int rc = 0;
    /* a search that stays small costs what it reaches; one that would
     * settle much of the graph is cheaper as a PHAST sweep (a settled node
     * of the plain search costs about what five to eight nodes of a sweep
     * do).  The reach is guessed from the disc that twice the mode's mean
     * speed covers (longer trips take faster roads) against the network's
     * box; a search guessed small that grows past an eighth of the graph
     * gives up and sweeps. */
    uint32_t small = UINT32_MAX;
    if (has_ch) {
        const hh__grid_hdr *g = net->grid;
        double box = (g->max_lon - g->min_lon) * g->mx * (g->max_lat - g->min_lat) * g->my;
        double r = 2 * bound / 10.0 * net->mean_mps[mode];
        double guess = box > 0 ? n * fmin(1.0, M_PI * r * r / box) : n;
        small = guess > n / 8.0 ? 0 : n / 8;
    }
    /* the origin's edge reaches its own end vertices without a turn */
    hh__ch_seed direct[2];
    int nd = 0;
    if (car) {
        double f = e->len_mm > 0 ? origin->along_m / (e->len_mm / 1000.0) : 0;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        uint32_t dm = (e->len_mm + 50) / 100;
        if (f == 0 || f == 1)
            direct[nd++] = (hh__ch_seed){f == 0 ? e->from : e->to, 0, 0, 0};
        else {
            if (e->dur_ds[mode][0] != HH_DUR_NONE)
                direct[nd++] = (hh__ch_seed){e->to, (uint32_t)llround((1 - f) * e->dur_ds[mode][0]),
                                             (uint32_t)llround((1 - f) * dm), 0};
            if (e->dur_ds[mode][1] != HH_DUR_NONE)
                direct[nd++] = (hh__ch_seed){e->from, (uint32_t)llround(f * e->dur_ds[mode][1]),
                                             (uint32_t)llround(f * dm), 0};
        }
    }
    if (dijkstra(q, S, fo, A, seeds, ns, bound, done, n_done, small)) {
        new_generation(q);
        if (car)
            rc = car_phast(q, seeds, ns, bound, direct, nd);
        else
            rc = run_phast(q, S, n, seeds, ns, bound, done, n_done);
    } else if (car) {
        car_derive(q, direct, nd, bound);
    }
    if (seeds != stack_seeds)
        hh__free(seeds);
    return rc;
}

int hh_query_time_to(const hh_query *q, const hh_snap *target, double *time_s, double *dist_m)
{
    if (!q->has_run || !target || target->edge >= q->net->n_edges)
        return HH_EINVAL;
    const hh_net *net = q->net;
    hh__ch_seed stack_ts[64], *ts = stack_ts;
    uint32_t cap = hh__max_seeds(net);
    if (cap > 64 && !(ts = hh__alloc_array(cap, sizeof *ts)))
        return HH_ENOMEM;
    int nt = hh__target_seeds(net, q->mode, target, 0, ts);
    uint64_t best = UINT64_MAX; /* dur_ds << 32 | len_dm, as the CH orders paths */
    for (int i = 0; i < nt; i++) {
        uint64_t k0;
        if (q->mode == HH_MODE_CAR) {
            /* a car arc's earliest start over its copies: the seeds of one
             * arc and of its copies carry the same offset */
            uint32_t a = hh__tnode_arc(net, ts[i].vertex);
            k0 = hh__car_arc_start(q, a);
            if (k0 == UINT64_MAX)
                continue;
        } else {
            const hh__vstate *v = &q->vs[ts[i].vertex];
            if (v->stamp != q->gen)
                continue;
            k0 = (uint64_t)v->dist_ds << 32 | v->len_dm;
        }
        uint64_t k = k0 + ((uint64_t)ts[i].dur_ds << 32 | ts[i].len_dm);
        best = k < best ? k : best;
    }
    if (ts != stack_ts)
        hh__free(ts);
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

int hh_query_get_surface(const hh_query *q, hh_surface *out)
{
    if (!q || !q->has_run || !out)
        return HH_EINVAL;
    const hh_net *net = q->net;
    hh_surface s;
    memset(&s, 0, sizeof s);
    s.net = net, s.mode = q->mode, s.origin = q->origin, s.origin_conn_s = q->origin_conn_s, s.max_s = q->max_s;
    s.n = q->n;
    s.time_s = hh__alloc_array(s.n + 1, sizeof *s.time_s);
    if (q->mode == HH_MODE_CAR) {
        s.n_arcs = net->n_arcs[HH_MODE_CAR];
        s.arc_s = hh__alloc_array(s.n_arcs + 1, sizeof *s.arc_s);
    }
    if (!s.time_s || (q->mode == HH_MODE_CAR && !s.arc_s)) {
        hh_surface_free(&s);
        return HH_ENOMEM;
    }
    double c = q->origin_conn_s;
    for (uint32_t v = 0; v < q->n; v++)
        s.time_s[v] = q->vs[v].stamp == q->gen ? q->vs[v].dist_ds / 10.0 + c : NAN;
    for (size_t a = 0; a < s.n_arcs; a++) {
        uint64_t k = hh__car_arc_start(q, (uint32_t)a);
        s.arc_s[a] = k == UINT64_MAX ? NAN : (uint32_t)(k >> 32) / 10.0 + c;
    }
    *out = s;
    return 0;
}

void hh_surface_free(hh_surface *s)
{
    if (!s)
        return;
    hh__free(s->time_s), hh__free(s->arc_s), hh__free(s->points);
    memset(s, 0, sizeof *s);
}

int hh_query_surface(const hh_query *q, float *out, size_t n)
{
    if (!q->has_run || n != q->n)
        return HH_EINVAL;
    for (uint32_t v = 0; v < q->n; v++)
        out[v] = q->vs[v].stamp == q->gen ? (float)(q->vs[v].dist_ds / 10.0 + q->origin_conn_s) : NAN;
    return 0;
}
