/* test_street.c: snapping and the street search, cross-checked against a
 * plain Dijkstra written here from the edge table alone (doubles, lazy
 * binary heap, explicit virtual source and target nodes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "street/query.h"
#include "street/seeds.h"
#include "testnet.h"

/* ---- the oracle ------------------------------------------------------- */

typedef struct item {
    double d;
    uint32_t v;
} item;

static void heap_push(item *h, size_t *n, item x)
{
    size_t i = (*n)++;
    while (i && h[(i - 1) / 2].d > x.d) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static item heap_pop(item *h, size_t *n)
{
    item top = h[0], x = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1].d < h[c].d)
            c++;
        if (h[c].d >= x.d)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
    return top;
}

/* Time from snapped origin o to snapped target t, walking the edge table
 * (not the CSR) and honouring only edges the mode keeps. */
static double oracle(const hh_net *net, hh_mode m, const hh_snap *o, const hh_snap *t)
{
    uint32_t n = net->n_nodes, S = n, T = n + 1;
    /* adjacency from the edge table */
    uint32_t *deg = calloc(n + 3, sizeof *deg);
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << m)))
            continue;
        if (ed->dur_ds[m][0] != HH_DUR_NONE)
            deg[ed->from + 1]++;
        if (ed->dur_ds[m][1] != HH_DUR_NONE)
            deg[ed->to + 1]++;
    }
    for (uint32_t v = 0; v < n + 2; v++)
        deg[v + 1] += deg[v];
    uint32_t *head = malloc((deg[n + 2] + 4) * sizeof *head);
    double *w = malloc((deg[n + 2] + 4) * sizeof *w);
    uint32_t *fill = malloc((n + 2) * sizeof *fill);
    memcpy(fill, deg, (n + 2) * sizeof *fill);
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << m)))
            continue;
        if (ed->dur_ds[m][0] != HH_DUR_NONE)
            head[fill[ed->from]] = ed->to, w[fill[ed->from]++] = ed->dur_ds[m][0] / 10.0;
        if (ed->dur_ds[m][1] != HH_DUR_NONE)
            head[fill[ed->to]] = ed->from, w[fill[ed->to]++] = ed->dur_ds[m][1] / 10.0;
    }
    double conn = net->info.profile.connector_kmh[m] / 3.6;
    double *dist = malloc((n + 2) * sizeof *dist);
    for (uint32_t v = 0; v < n + 2; v++)
        dist[v] = INFINITY;
    item *h = malloc((deg[n + 2] + 16) * 2 * sizeof *h);
    size_t hn = 0;
    const hh__edge *oe = &net->edges[o->edge], *te = &net->edges[t->edge];
    double ol = oe->len_mm / 1000.0, tl = te->len_mm / 1000.0;
    double fo = ol > 0 ? o->along_m / ol : 0, ft = tl > 0 ? t->along_m / tl : 0;
    dist[S] = o->off_m / conn;
    heap_push(h, &hn, (item){dist[S], S});
    while (hn) {
        item it = heap_pop(h, &hn);
        if (it.d > dist[it.v])
            continue;
        uint32_t v = it.v;
        if (v == T)
            break;
        /* virtual arcs */
        double cand[4];
        uint32_t to[4];
        int nc = 0;
        if (v == S) {
            if (oe->dur_ds[m][0] != HH_DUR_NONE)
                to[nc] = oe->to, cand[nc++] = (1 - fo) * oe->dur_ds[m][0] / 10.0;
            if (oe->dur_ds[m][1] != HH_DUR_NONE)
                to[nc] = oe->from, cand[nc++] = fo * oe->dur_ds[m][1] / 10.0;
            if (o->edge == t->edge) {
                if (ft >= fo && oe->dur_ds[m][0] != HH_DUR_NONE)
                    to[nc] = T, cand[nc++] = (ft - fo) * oe->dur_ds[m][0] / 10.0 + t->off_m / conn;
                if (ft <= fo && oe->dur_ds[m][1] != HH_DUR_NONE)
                    to[nc] = T, cand[nc++] = (fo - ft) * oe->dur_ds[m][1] / 10.0 + t->off_m / conn;
            }
        } else {
            if (v == te->from && te->dur_ds[m][0] != HH_DUR_NONE)
                to[nc] = T, cand[nc++] = ft * te->dur_ds[m][0] / 10.0 + t->off_m / conn;
            if (v == te->to && te->dur_ds[m][1] != HH_DUR_NONE)
                to[nc] = T, cand[nc++] = (1 - ft) * te->dur_ds[m][1] / 10.0 + t->off_m / conn;
        }
        for (int k = 0; k < nc; k++)
            if (it.d + cand[k] < dist[to[k]]) {
                dist[to[k]] = it.d + cand[k];
                heap_push(h, &hn, (item){dist[to[k]], to[k]});
            }
        if (v >= n)
            continue;
        for (uint32_t a = deg[v]; a < deg[v + 1]; a++)
            if (it.d + w[a] < dist[head[a]]) {
                dist[head[a]] = it.d + w[a];
                heap_push(h, &hn, (item){dist[head[a]], head[a]});
            }
    }
    double r = dist[T];
    free(deg), free(head), free(w), free(fill), free(dist), free(h);
    return r;
}

/* Car: the same question on the turn graph as stored (its moves, their
 * costs, the copies), walked here with doubles and no rounding: states are
 * "at the start of car arc a" (turn node t), plus the virtual S and T. */
static double oracle_car(const hh_net *net, const hh_snap *o, const hh_snap *t)
{
    const int m = HH_MODE_CAR;
    const hh__arc *A = net->arcs[m];
    const uint32_t *fo = net->first_out[m];
    uint32_t nt = net->n_tnodes, na = net->n_arcs[m], S = nt, T = nt + 1;
    double conn = net->info.profile.connector_kmh[m] / 3.6;
    double *dist = malloc((nt + 2) * sizeof *dist);
    uint32_t *tail = malloc((na + 1) * sizeof *tail);
    for (uint32_t v = 0; v < net->n_nodes; v++)
        for (uint32_t a = fo[v]; a < fo[v + 1]; a++)
            tail[a] = v;
    for (uint32_t v = 0; v < nt + 2; v++)
        dist[v] = INFINITY;
    item *h = malloc(((size_t)net->n_tarcs + 4 * nt + 64) * sizeof *h);
    size_t hn = 0;
    const hh__edge *oe = &net->edges[o->edge], *te = &net->edges[t->edge];
    double ol = oe->len_mm / 1000.0, tl = te->len_mm / 1000.0;
    double fo_ = ol > 0 ? o->along_m / ol : 0, ft = tl > 0 ? t->along_m / tl : 0;
    fo_ = fo_ < 0 ? 0 : fo_ > 1 ? 1 : fo_;
    ft = ft < 0 ? 0 : ft > 1 ? 1 : ft;
    uint32_t o_at = fo_ == 0 ? oe->from : fo_ == 1 ? oe->to : UINT32_MAX;
    uint32_t t_at = ft == 0 ? te->from : ft == 1 ? te->to : UINT32_MAX;
    double tconn = t->off_m / conn;
    dist[S] = o->off_m / conn;
    heap_push(h, &hn, (item){dist[S], S});
#define OFFER(node, value)                                      \
    do {                                                        \
        double v_ = (value);                                    \
        if (v_ < dist[node]) {                                  \
            dist[node] = v_;                                    \
            heap_push(h, &hn, (item){v_, (node)});              \
        }                                                       \
    } while (0)
    while (hn) {
        item it = heap_pop(h, &hn);
        if (it.d > dist[it.v])
            continue;
        uint32_t x = it.v;
        if (x == T)
            break;
        if (x == S) {
            if (o_at != UINT32_MAX) {
                for (uint32_t a = fo[o_at]; a < fo[o_at + 1]; a++)
                    OFFER(a, it.d);
                if (t_at == o_at)
                    OFFER(T, it.d + tconn);
            }
            for (uint32_t a = 0; o_at == UINT32_MAX && a < na; a++) {
                if ((A[a].edge_dir >> 1) != o->edge)
                    continue;
                int bwd = A[a].edge_dir & 1;
                double rest = (bwd ? fo_ : 1 - fo_) * A[a].dur_ds / 10.0;
                for (uint32_t k = net->turn_first[a]; k < net->turn_first[a + 1]; k++)
                    OFFER(net->turn_arcs[k].head, it.d + rest + (net->turn_arcs[k].dur_ds - A[a].dur_ds) / 10.0);
                if (t_at != UINT32_MAX && t_at == A[a].head)
                    OFFER(T, it.d + rest + tconn);
                if (t->edge == o->edge && (bwd ? ft <= fo_ : ft >= fo_))
                    OFFER(T, it.d + fabs(ft - fo_) * A[a].dur_ds / 10.0 + tconn);
            }
            continue;
        }
        uint32_t a = x < na ? x : net->tdup[x - na];
        for (uint32_t k = net->turn_first[x]; k < net->turn_first[x + 1]; k++)
            OFFER(net->turn_arcs[k].head, it.d + net->turn_arcs[k].dur_ds / 10.0);
        if ((A[a].edge_dir >> 1) == t->edge && t_at == UINT32_MAX)
            OFFER(T, it.d + ((A[a].edge_dir & 1) ? 1 - ft : ft) * A[a].dur_ds / 10.0 + tconn);
        if (t_at != UINT32_MAX && A[a].head == t_at)
            OFFER(T, it.d + A[a].dur_ds / 10.0 + tconn);
        (void)tail;
    }
#undef OFFER
    double r = dist[T];
    free(dist), free(tail), free(h);
    return r;
}

/* Random points inside the network's bbox that snap within 300 m. */
static int random_snaps(const hh_net *net, hh_mode m, uint64_t *rng, hh_snap *out, int n)
{
    hh_net_info in;
    hh_net_get_info(net, &in);
    int got = 0, tries = 0;
    while (got < n && tries < n * 1000) {
        tries++;
        double lon = hh_test_uniform(rng, in.min_lon, in.max_lon);
        double lat = hh_test_uniform(rng, in.min_lat, in.max_lat);
        if (hh_snap_point(net, m, lon, lat, 300, &out[got]) == 0)
            got++;
    }
    return got;
}

static void cross_check(const char *name, int pairs)
{
    const char *path = hh_test_net_path(name);
    if (!path)
        return;
    hh_net *net;
    char err[256];
    HH_ASSERT_EQ(hh_net_open(path, &net, err, sizeof err), 0);
    hh_query *q, *qd;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    HH_ASSERT_EQ(hh_query_init(net, &qd), 0);
    hh__query_force_dijkstra(qd, 1);
    uint64_t rng = 12345;
    int checked = 0, unreachable = 0, apart = 0;
    for (int m = 0; m < HH_N_MODES; m++) {
        if (net->n_arcs[m] == 0)
            continue;
        hh_snap s[2];
        for (int i = 0; i < pairs; i++) {
            if (random_snaps(net, (hh_mode)m, &rng, s, 2) < 2)
                break;
            double bound = (i % 3 == 0) ? 900 : INFINITY; /* some bounded searches */
            HH_ASSERT_EQ(hh_query_run(q, (hh_mode)m, &s[0], bound), 0);
            double t = NAN, d = NAN, td = NAN, dd = NAN;
            int rc = hh_query_time_to(q, &s[1], &t, &d);
            HH_ASSERT_EQ(hh_query_run(qd, (hh_mode)m, &s[0], bound), 0);
            HH_ASSERT_EQ(hh_query_time_to(qd, &s[1], &td, &dd), rc);
            HH_ASSERT(rc || t == td); /* PHAST (when built) and Dijkstra agree exactly */
            double want = m == HH_MODE_CAR ? oracle_car(net, &s[0], &s[1]) : oracle(net, (hh_mode)m, &s[0], &s[1]);
            if (isinf(want)) {
                /* kept components that do not connect: no time either way */
                HH_ASSERT_EQ(rc, HH_ERANGE);
                apart++;
                continue;
            }
            if (fabs(want - bound) <= 0.1001)
                continue; /* within rounding of the bound: either answer is right */
            if (want > bound) {
                HH_ASSERT_EQ(rc, HH_ERANGE);
                unreachable++;
                continue;
            }
            HH_ASSERT_EQ(rc, 0);
            /* the two partial edges are rounded to 0.1 s each */
            if (!(fabs(t - want) <= 0.1001)) {
                fprintf(stderr, "  %s %s pair %d: search %.3f s, oracle %.3f s\n", name,
                        hh_mode_name((hh_mode)m), i, t, want);
                HH_ASSERT(0);
            }
            HH_ASSERT(d >= 0);
            checked++;
        }
    }
    fprintf(stderr, "  %s: %d pairs equal to the oracle (%d beyond a bound, %d in components that do not connect)\n",
            name, checked, unreachable, apart);
    HH_ASSERT(checked > pairs);
    hh_query_free(q);
    hh_query_free(qd);
    hh_net_close(net);
}

HH_TEST(search_matches_oracle_poa) { cross_check("poa", 150); }
HH_TEST(search_matches_oracle_porto) { cross_check("porto", 100); }
HH_TEST(search_matches_oracle_rnv) { cross_check("rnv", 100); }
HH_TEST(search_matches_oracle_monaco) { cross_check("monaco", 100); }

HH_TEST(snap_rejects_bad_coordinates)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, 200, 10, 500, &s), HH_ERANGE);
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, NAN, 10, 500, &s), HH_ERANGE);
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -51.2, -95, 500, &s), HH_ERANGE);
    /* far away but valid: Lisbon */
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -9.14, 38.72, 500, &s), HH_ENOSNAP);
    /* a downtown point snaps, close by */
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_CAR, -51.2288, -30.0276, 500, &s), 0);
    HH_ASSERT(s.off_m < 100);
    HH_ASSERT(s.along_m >= 0 && s.along_m <= net->edges[s.edge].len_mm / 1000.0);
    HH_ASSERT(net->edges[s.edge].mode_mask & (1u << HH_MODE_CAR));
    /* the snapped position snaps onto itself */
    hh_snap s2;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_CAR, s.lon, s.lat, 500, &s2), 0);
    HH_ASSERT(s2.off_m < 0.05);
    hh_net_close(net);
}

/* hh_net_edges_in_bbox against every edge tried: boxes from a point to the
 * whole network and past it, the same ids in the same (ascending) order. */
HH_TEST(edges_in_bbox_match_brute_force)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    const hh__grid_hdr *g = net->grid;
    uint64_t rng = 20261202;
    uint32_t *want = malloc((size_t)net->n_edges * sizeof *want);
    size_t total_found = 0;
    for (int i = 0; i < 120 && !hh_test_failed; i++) {
        double w = g->max_lon - g->min_lon, h = g->max_lat - g->min_lat;
        double f = i == 0 ? 1.2 : i % 4 == 0 ? 0 : pow(10, -hh_test_uniform(&rng, 0, 3)); /* size: 0 .. 1.2 */
        double lon = hh_test_uniform(&rng, g->min_lon - 0.1 * w, g->max_lon);
        double lat = hh_test_uniform(&rng, g->min_lat - 0.1 * h, g->max_lat);
        if (i == 0)
            lon = g->min_lon - 0.1 * w, lat = g->min_lat - 0.1 * h;
        double x0 = lon, y0 = lat, x1 = lon + f * w, y1 = lat + f * h;
        int64_t bx0 = (int64_t)floor(x0 * 1e7), bx1 = (int64_t)ceil(x1 * 1e7);
        int64_t by0 = (int64_t)floor(y0 * 1e7), by1 = (int64_t)ceil(y1 * 1e7);
        size_t nw = 0;
        for (uint32_t e = 0; e < net->n_edges; e++) {
            if (!net->edges[e].mode_mask)
                continue;
            uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
            hh__ll a = net->node_ll[net->edges[e].from];
            for (uint32_t k = s0; k <= s1; k++) {
                hh__ll b = k < s1 ? net->shape_ll[k] : net->node_ll[net->edges[e].to];
                int64_t lx = a.lon_e7 < b.lon_e7 ? a.lon_e7 : b.lon_e7, hx = a.lon_e7 > b.lon_e7 ? a.lon_e7 : b.lon_e7;
                int64_t ly = a.lat_e7 < b.lat_e7 ? a.lat_e7 : b.lat_e7, hy = a.lat_e7 > b.lat_e7 ? a.lat_e7 : b.lat_e7;
                if (lx <= bx1 && hx >= bx0 && ly <= by1 && hy >= by0) {
                    want[nw++] = e;
                    break;
                }
                a = b;
            }
        }
        uint32_t *got;
        size_t ng;
        HH_ASSERT_EQ(hh_net_edges_in_bbox(net, x0, y0, x1, y1, &got, &ng), 0);
        HH_ASSERT_EQ(ng, nw);
        for (size_t k = 0; k < ng && k < nw; k++)
            if (got[k] != want[k]) {
                HH_ASSERT_EQ(got[k], want[k]);
                break;
            }
        if (i == 0)
            HH_ASSERT(ng > net->n_edges / 2); /* the whole network */
        total_found += ng;
        hh_buffer_free(got);
    }
    HH_ASSERT(total_found > 0);
    uint32_t *got = (uint32_t *)1;
    size_t ng = 7;
    HH_ASSERT_EQ(hh_net_edges_in_bbox(net, 1, 1, 0, 2, &got, &ng), HH_EINVAL);
    HH_ASSERT(got == NULL && ng == 0);
    HH_ASSERT_EQ(hh_net_edges_in_bbox(net, NAN, 1, 0, 2, &got, &ng), HH_EINVAL);
    HH_ASSERT_EQ(hh_net_edges_in_bbox(net, -180, -90, -179, -89, &got, &ng), 0); /* far away: none */
    HH_ASSERT(got == NULL && ng == 0);
    free(want);
    hh_net_close(net);
}

/* The nearest usable edge, by brute force over every edge's segments. */
HH_TEST(snap_matches_brute_force)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    const hh__grid_hdr *g = net->grid;
    uint64_t rng = 99;
    for (int i = 0; i < 300; i++) {
        hh_mode m = (hh_mode)(i % 3);
        double lon = hh_test_uniform(&rng, g->min_lon, g->max_lon);
        double lat = hh_test_uniform(&rng, g->min_lat, g->max_lat);
        double px = (lon - g->lon0) * g->mx, py = (lat - g->lat0) * g->my;
        double best = INFINITY;
        for (uint32_t e = 0; e < net->n_edges; e++) {
            if (!(net->edges[e].mode_mask & (1u << m)))
                continue;
            uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
            hh__ll a = net->node_ll[net->edges[e].from];
            for (uint32_t s = s0; s <= s1; s++) {
                hh__ll b = s < s1 ? net->shape_ll[s] : net->node_ll[net->edges[e].to];
                double ax = hh__x_of(g, a.lon_e7), ay = hh__y_of(g, a.lat_e7);
                double bx = hh__x_of(g, b.lon_e7), by = hh__y_of(g, b.lat_e7);
                double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
                double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double d = hypot(ax + t * dx - px, ay + t * dy - py);
                if (d < best)
                    best = d;
                a = b;
            }
        }
        hh_snap s;
        int rc = hh_snap_point(net, m, lon, lat, 400, &s);
        if (best > 400) {
            HH_ASSERT_EQ(rc, HH_ENOSNAP);
        } else {
            HH_ASSERT_EQ(rc, 0);
            HH_ASSERT_NEAR(s.off_m, best, 1e-6);
        }
    }
    hh_net_close(net);
}

typedef struct collect {
    size_t n_dest;
    double *t;
} collect;

static int keep_row(size_t i, const double *t, const double *d, void *ud)
{
    collect *c = ud;
    (void)d;
    memcpy(c->t + i * c->n_dest, t, c->n_dest * sizeof *t);
    return 0;
}

HH_TEST(matrix_same_for_any_thread_count)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_net_info in;
    hh_net_get_info(net, &in);
    enum { N = 40 };
    hh_points p = {N, calloc(N, sizeof(char *)), calloc(N, sizeof(double)), calloc(N, sizeof(double))};
    uint64_t rng = 7;
    char ids[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "%d", i);
        p.id[i] = ids[i];
        p.lon[i] = hh_test_uniform(&rng, in.min_lon - 0.01, in.max_lon);
        p.lat[i] = hh_test_uniform(&rng, in.min_lat, in.max_lat);
    }
    double *a = malloc(N * N * sizeof *a), *b = malloc(N * N * sizeof *b);
    collect ca = {N, a}, cb = {N, b};
    hh_matrix_opts o1 = {HH_MODE_CAR, INFINITY, 500, 1, NULL, NULL, 0, NULL, NULL},
                   o3 = {HH_MODE_CAR, INFINITY, 500, 3, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &o1, &p, &p, keep_row, &ca, NULL, NULL), 0);
    HH_ASSERT_EQ(hh_matrix_run(net, &o3, &p, &p, keep_row, &cb, NULL, NULL), 0);
    int reached = 0;
    for (int i = 0; i < N * N; i++) {
        HH_ASSERT((isnan(a[i]) && isnan(b[i])) || a[i] == b[i]);
        reached += !isnan(a[i]);
    }
    fprintf(stderr, "  %d of %d pairs reached\n", reached, N * N);
    HH_ASSERT(reached > N * N / 4);
    free(a), free(b), free(p.id), free(p.lon), free(p.lat);
    hh_net_close(net);
}

/* The matrix (bucket many-to-many on the contraction hierarchy) and the
 * plain Dijkstra agree to the decisecond on every pair, including a point
 * to itself on a one-way street (only its two connectors). */
HH_TEST(matrix_ch_equals_dijkstra_porto)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    HH_ASSERT(net->ch[HH_MODE_CAR].n == net->n_tnodes);
    enum { N = 120 };
    hh_points p = {N, calloc(N, sizeof(char *)), calloc(N, sizeof(double)), calloc(N, sizeof(double))};
    char ids[N][8];
    uint64_t rng = 11;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "%d", i);
        p.id[i] = ids[i];
        p.lon[i] = hh_test_uniform(&rng, -8.70, -8.45);
        p.lat[i] = hh_test_uniform(&rng, 41.05, 41.30);
    }
    double *t = malloc(N * N * sizeof *t);
    collect c = {N, t};
    for (int m = 0; m < HH_N_MODES; m++) {
        double bound = m == 1 ? 1200 : INFINITY;
        hh_matrix_opts o = {(hh_mode)m, bound, 500, 2, NULL, NULL, 0, NULL, NULL};
        HH_ASSERT_EQ(hh_matrix_run(net, &o, &p, &p, keep_row, &c, NULL, NULL), 0);
        hh_query *q;
        HH_ASSERT_EQ(hh_query_init(net, &q), 0);
        hh__query_force_dijkstra(q, 1);
        int compared = 0;
        for (int i = 0; i < N; i++) {
            hh_snap s, d;
            if (hh_snap_point(net, (hh_mode)m, p.lon[i], p.lat[i], 500, &s))
                continue;
            HH_ASSERT_EQ(hh_query_run(q, (hh_mode)m, &s, bound), 0);
            for (int k = 0; k < N; k++) {
                if (hh_snap_point(net, (hh_mode)m, p.lon[k], p.lat[k], 500, &d))
                    continue;
                double tt = NAN, dd;
                int rc = hh_query_time_to(q, &d, &tt, &dd);
                double want = rc ? NAN : tt, got = t[i * N + k];
                HH_ASSERT((isnan(want) && isnan(got)) || want == got);
                if (i == k)
                    HH_ASSERT_NEAR(got, 2 * hh__connector_s(net, (hh_mode)m, &s), 1e-9);
                compared++;
            }
        }
        HH_ASSERT(compared > N * N / 2);
        hh_query_free(q);
    }
    free(t), free(p.id), free(p.lon), free(p.lat);
    hh_net_close(net);
}
