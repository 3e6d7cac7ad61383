/* test_ch.c: the contraction hierarchy (src/street/ch.c) against a plain
 * Dijkstra written here.  The oracle keeps time and length as two separate
 * 64-bit numbers and orders them lexicographically (time, then length), the
 * metric the hierarchy promises, so both dur_ds and len_dm must match
 * exactly, ties included.  Random small graphs (one-way arcs, parallel
 * arcs, self-loops, zero weights, disconnected parts, many equal weights)
 * and the poa, porto and rnv networks for car and walk, with two-seed
 * sources and targets as snapped points produce; bounded and unbounded;
 * many-to-many split across calls and threads; malformed input, corrupt
 * arrays and allocation failure at every allocation. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "halfhour.h"
#include "hhtest.h"
#include "testalloc.h"
#include "net/net.h"
#include "street/ch.h"
#include "testnet.h"

/* ---- the oracle --------------------------------------------------------- */

typedef struct dl {
    uint64_t d, l; /* time (ds) and length (dm); d == UINT64_MAX: unreached */
} dl;

static int dl_less(dl a, dl b) { return a.d < b.d || (a.d == b.d && a.l < b.l); }

typedef struct item {
    dl k;
    uint32_t v;
} item;

static void push(item *h, size_t *n, item x)
{
    size_t i = (*n)++;
    while (i && dl_less(x.k, h[(i - 1) / 2].k)) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static item pop(item *h, size_t *n)
{
    item top = h[0], x = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && dl_less(h[c + 1].k, h[c].k))
            c++;
        if (!dl_less(h[c].k, x.k))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
    return top;
}

/* Lexicographic Dijkstra from all seeds at once (lazy binary heap). */
static void oracle(uint32_t n, const uint32_t *fo, const hh__arc *A, const hh__ch_seed *s,
                   size_t ns, dl *out)
{
    item *h = malloc((fo[n] + ns + 1) * sizeof *h);
    size_t hn = 0;
    for (uint32_t v = 0; v < n; v++)
        out[v] = (dl){UINT64_MAX, UINT64_MAX};
    for (size_t i = 0; i < ns; i++) {
        dl k = {s[i].dur_ds, s[i].len_dm};
        if (dl_less(k, out[s[i].vertex])) {
            out[s[i].vertex] = k;
            push(h, &hn, (item){k, s[i].vertex});
        }
    }
    while (hn) {
        item it = pop(h, &hn);
        if (dl_less(out[it.v], it.k))
            continue;
        for (uint32_t a = fo[it.v]; a < fo[it.v + 1]; a++) {
            dl k = {it.k.d + A[a].dur_ds, it.k.l + A[a].len_dm};
            if (dl_less(k, out[A[a].head])) {
                out[A[a].head] = k;
                push(h, &hn, (item){k, A[a].head});
            }
        }
    }
    free(h);
}

/* What a target made of seeds t[0..nt) should receive from distances dist. */
static dl arrival(const dl *dist, const hh__ch_seed *t, size_t nt, uint32_t max_ds)
{
    dl best = {UINT64_MAX, UINT64_MAX};
    for (size_t k = 0; k < nt; k++) {
        dl x = dist[t[k].vertex];
        if (x.d == UINT64_MAX)
            continue;
        x.d += t[k].dur_ds, x.l += t[k].len_dm;
        if (dl_less(x, best))
            best = x;
    }
    if (best.d != UINT64_MAX && max_ds != HH_CH_NO_BOUND && best.d > max_ds)
        best = (dl){UINT64_MAX, UINT64_MAX};
    return best;
}

static uint32_t want_d(dl x) { return x.d == UINT64_MAX ? HH_CH_UNREACHED : (uint32_t)x.d; }
static uint32_t want_l(dl x) { return x.d == UINT64_MAX ? HH_CH_UNREACHED : (uint32_t)x.l; }

/* ---- graphs ------------------------------------------------------------- */

typedef struct graph {
    uint32_t n;
    uint32_t *fo;
    hh__arc *A;
} graph;

typedef struct tarc {
    uint32_t tail;
    hh__arc a;
} tarc;

static int cmp_tail(const void *x, const void *y)
{
    const tarc *a = x, *b = y;
    return (a->tail > b->tail) - (a->tail < b->tail);
}

static void graph_from(graph *g, uint32_t n, tarc *t, size_t m)
{
    qsort(t, m, sizeof *t, cmp_tail); /* order among equal tails is irrelevant */
    g->n = n;
    g->fo = calloc(n + 1, sizeof *g->fo);
    g->A = malloc((m + 1) * sizeof *g->A);
    for (size_t i = 0; i < m; i++) {
        g->fo[t[i].tail + 1]++;
        g->A[i] = t[i].a;
    }
    for (uint32_t v = 0; v < n; v++)
        g->fo[v + 1] += g->fo[v];
}

static void graph_free(graph *g) { free(g->fo), free(g->A); }

/* A random directed graph in `parts` disconnected pieces (vertex v belongs
 * to piece v % parts), with two-way and one-way arcs, parallel arcs,
 * self-loops, zero weights and few distinct weights (many ties). */
static void random_graph(uint64_t *rs, uint32_t n, uint32_t m, uint32_t parts, graph *g)
{
    tarc *t = malloc((3 * (size_t)m + 1) * sizeof *t);
    size_t k = 0;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t u = (uint32_t)(hh_test_rand(rs) % n);
        uint32_t v = (uint32_t)(hh_test_rand(rs) % n);
        v = v - v % parts + u % parts;
        if (v >= n)
            v = u;
        uint64_t r = hh_test_rand(rs) % 100;
        uint32_t d = r < 15 ? 0 : (uint32_t)(hh_test_rand(rs) % 8) * 5;
        uint32_t l = (uint32_t)(hh_test_rand(rs) % 4) * 10;
        t[k++] = (tarc){u, {v, d, l, 0}};
        if (r >= 40) /* two-way, sometimes at another speed */
            t[k++] = (tarc){v, {u, r >= 80 ? d + 5 : d, l, 0}};
        if (r % 10 == 3) /* parallel arc */
            t[k++] = (tarc){u, {v, d + (uint32_t)(hh_test_rand(rs) % 3) * 5, l / 2, 0}};
    }
    graph_from(g, n, t, k);
    free(t);
}

/* Seeds for `count` indices, 0..2 seeds each (0 only when allow_empty). */
static size_t random_seeds(uint64_t *rs, uint32_t n, uint32_t count, int allow_empty,
                           hh__ch_seed *s)
{
    size_t k = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t c = (uint32_t)(hh_test_rand(rs) % 3);
        if (c == 0 && !allow_empty)
            c = 1;
        for (uint32_t j = 0; j < c; j++)
            s[k++] = (hh__ch_seed){(uint32_t)(hh_test_rand(rs) % n),
                                   (uint32_t)(hh_test_rand(rs) % 4) * 5,
                                   (uint32_t)(hh_test_rand(rs) % 4) * 7, i};
    }
    return k;
}

/* Seeds [a, z) of index i in a seed array grouped by index. */
static void seed_range(const hh__ch_seed *s, size_t ns, uint32_t i, size_t *a, size_t *z)
{
    *a = 0;
    while (*a < ns && s[*a].index < i)
        ++*a;
    *z = *a;
    while (*z < ns && s[*z].index == i)
        ++*z;
}

/* Checks every query of ch (the hierarchy of graph n, fo, A) against the
 * oracle: the full matrix, and PHAST from every source at every vertex. */
static void check_queries(const hh__ch *ch, uint32_t n, const uint32_t *fo, const hh__arc *A,
                          const hh__ch_seed *src, size_t n_src_seeds, uint32_t n_src,
                          const hh__ch_seed *dst, size_t n_dst_seeds, uint32_t n_dst,
                          uint32_t max_ds)
{
    hh__ch_ws ws;
    hh__ch_buckets b;
    HH_ASSERT_EQ(hh__ch_ws_init(&ws, n), 0);
    HH_ASSERT_EQ(hh__ch_buckets_build(ch, &ws, dst, n_dst_seeds, n_dst, max_ds, &b), 0);
    size_t cells = (size_t)n_src * n_dst;
    uint32_t *md = malloc((cells + 1) * sizeof *md), *ml = malloc((cells + 1) * sizeof *ml);
    uint32_t *pd = malloc((n + 1) * sizeof *pd), *pl = malloc((n + 1) * sizeof *pl);
    dl *dist = malloc((n + 1) * sizeof *dist);
    int rc = hh__ch_many_to_many(ch, &b, &ws, src, n_src_seeds, 0, n_src, md, ml);
    int bad = rc != 0;
    for (uint32_t i = 0; i < n_src && !bad; i++) {
        size_t a, z;
        seed_range(src, n_src_seeds, i, &a, &z);
        oracle(n, fo, A, src + a, z - a, dist);
        for (uint32_t j = 0; j < n_dst && !bad; j++) {
            size_t ta, tz;
            seed_range(dst, n_dst_seeds, j, &ta, &tz);
            dl w = arrival(dist, dst + ta, tz - ta, max_ds);
            size_t c = (size_t)i * n_dst + j;
            if (md[c] != want_d(w) || ml[c] != want_l(w)) {
                fprintf(stderr, "  m2m %u->%u: %u/%u, want %u/%u\n", i, j, md[c], ml[c],
                        want_d(w), want_l(w));
                bad = 1;
            }
        }
        if (hh__ch_phast(ch, &ws, src + a, z - a, max_ds, pd, pl))
            bad = 1;
        for (uint32_t v = 0; v < n && !bad; v++) {
            hh__ch_seed one = {v, 0, 0, 0};
            dl w = arrival(dist, &one, 1, max_ds);
            uint32_t gd = 0, gl = 0;
            int got = hh__ch_phast_get(ch, &ws, v, &gd, &gl);
            if (pd[v] != want_d(w) || pl[v] != want_l(w) ||
                (got == 0) != (w.d != UINT64_MAX) || (got == 0 && (gd != pd[v] || gl != pl[v]))) {
                fprintf(stderr, "  phast %u->v%u: %u/%u, want %u/%u\n", i, v, pd[v], pl[v],
                        want_d(w), want_l(w));
                bad = 1;
            }
        }
    }
    free(md), free(ml), free(pd), free(pl), free(dist);
    hh__ch_buckets_free(&b);
    hh__ch_ws_free(&ws);
    HH_ASSERT(!bad);
}

/* Builds the hierarchy of g, checks it and its queries. */
static void check_graph(const graph *g, const hh__ch_seed *src, size_t n_src_seeds,
                        uint32_t n_src, const hh__ch_seed *dst, size_t n_dst_seeds,
                        uint32_t n_dst, uint32_t max_ds)
{
    hh__ch ch;
    HH_ASSERT_EQ(hh__ch_build(g->n, g->fo, g->A, &ch), 0);
    int rc = hh__ch_check(&ch);
    if (rc == 0)
        check_queries(&ch, g->n, g->fo, g->A, src, n_src_seeds, n_src, dst, n_dst_seeds, n_dst,
                      max_ds);
    hh__ch_free(&ch);
    HH_ASSERT_EQ(rc, 0);
}

/* ---- small graphs ------------------------------------------------------- */

HH_TEST(ch_hand_made_graph)
{
    /* 0 -> 1 -> 3 (10+10 ds, 100+100 dm) ties with 0 -> 2 -> 3 (5+15 ds,
     * 50+60 dm): 20 ds, and the shorter 110 dm.  3 -> 4 one-way, 4 -> 5
     * twice (parallel, the faster counts), 5 <-> 6 free (zero weight), 7
     * alone, 1 -> 1 a self-loop. */
    tarc t[] = {{0, {1, 10, 100, 0}}, {1, {3, 10, 100, 0}}, {0, {2, 5, 50, 0}},
                {2, {3, 15, 60, 0}},  {3, {4, 7, 70, 0}},   {4, {5, 9, 90, 0}},
                {4, {5, 4, 95, 0}},   {5, {6, 0, 0, 0}},    {6, {5, 0, 0, 0}},
                {1, {1, 3, 3, 0}},    {1, {0, 10, 100, 0}}};
    graph g;
    graph_from(&g, 8, t, sizeof t / sizeof *t);
    hh__ch ch;
    hh__ch_ws ws;
    hh__ch_buckets b;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), 0);
    HH_ASSERT_EQ(hh__ch_ws_init(&ws, g.n), 0);
    hh__ch_seed src[] = {{0, 1, 2, 0}, {4, 0, 0, 1}};
    hh__ch_seed dst[] = {{3, 0, 0, 0}, {6, 2, 3, 1}, {7, 0, 0, 2}, {0, 0, 0, 3}};
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, dst, 4, 4, HH_CH_NO_BOUND, &b), 0);
    uint32_t d[8], l[8];
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, src, 2, 0, 2, d, l), 0);
    /* source 0: to 3 the tie, the shorter length wins */
    HH_ASSERT_EQ(d[0], 21);
    HH_ASSERT_EQ(l[0], 112);
    /* to 6 through the faster of the parallel arcs and the free arc */
    HH_ASSERT_EQ(d[1], 1 + 20 + 7 + 4 + 2);
    HH_ASSERT_EQ(l[1], 2 + 110 + 70 + 95 + 3);
    HH_ASSERT_EQ(d[2], HH_CH_UNREACHED);
    HH_ASSERT_EQ(l[2], HH_CH_UNREACHED);
    /* same vertex: the offsets alone */
    HH_ASSERT_EQ(d[3], 1);
    HH_ASSERT_EQ(l[3], 2);
    /* source 1 (vertex 4): 3 is behind a one-way arc */
    HH_ASSERT_EQ(d[4], HH_CH_UNREACHED);
    HH_ASSERT_EQ(d[5], 6);
    HH_ASSERT_EQ(l[5], 98);
    HH_ASSERT_EQ(d[6], HH_CH_UNREACHED);
    HH_ASSERT_EQ(d[7], HH_CH_UNREACHED);
    uint32_t pd[8], pl[8];
    HH_ASSERT_EQ(hh__ch_phast(&ch, &ws, src, 1, HH_CH_NO_BOUND, pd, pl), 0);
    HH_ASSERT_EQ(pd[3], 21);
    HH_ASSERT_EQ(pl[3], 112);
    HH_ASSERT_EQ(pd[6], 32);
    HH_ASSERT_EQ(pl[6], 277);
    HH_ASSERT_EQ(pd[7], HH_CH_UNREACHED);
    /* bounded: 3 is at 21 ds, 4 at 28 */
    HH_ASSERT_EQ(hh__ch_phast(&ch, &ws, src, 1, 21, pd, NULL), 0);
    HH_ASSERT_EQ(pd[3], 21);
    HH_ASSERT_EQ(pd[4], HH_CH_UNREACHED);
    hh__ch_buckets_free(&b);
    hh__ch_ws_free(&ws);
    hh__ch_free(&ch);
    graph_free(&g);
}

HH_TEST(ch_random_small_graphs_match_oracle)
{
    uint64_t rs = 20240601;
    hh__ch_seed src[64], dst[64];
    for (int round = 0; round < 300; round++) {
        graph g;
        uint32_t n = 1 + (uint32_t)(hh_test_rand(&rs) % 40);
        uint32_t m = (uint32_t)(hh_test_rand(&rs) % (3 * n + 1));
        uint32_t parts = 1 + (uint32_t)(hh_test_rand(&rs) % 3);
        random_graph(&rs, n, m, parts, &g);
        uint32_t ns = 1 + (uint32_t)(hh_test_rand(&rs) % 12);
        uint32_t nt = 1 + (uint32_t)(hh_test_rand(&rs) % 12);
        size_t nss = random_seeds(&rs, n, ns, 1, src);
        size_t nts = random_seeds(&rs, n, nt, 1, dst);
        uint32_t max_ds = round % 3 ? HH_CH_NO_BOUND : (uint32_t)(hh_test_rand(&rs) % 60);
        check_graph(&g, src, nss, ns, dst, nts, nt, max_ds);
        graph_free(&g);
        if (hh_test_failed) {
            fprintf(stderr, "  round %d (n %u, m %u)\n", round, n, m);
            return;
        }
    }
}

HH_TEST(ch_dense_and_degenerate_graphs)
{
    uint64_t rs = 77;
    hh__ch_seed src[64], dst[64];
    /* empty graph, vertices without arcs, dense graphs of equal weights */
    graph g;
    random_graph(&rs, 5, 0, 1, &g);
    size_t nss = random_seeds(&rs, 5, 3, 0, src), nts = random_seeds(&rs, 5, 3, 0, dst);
    check_graph(&g, src, nss, 3, dst, nts, 3, HH_CH_NO_BOUND);
    graph_free(&g);
    for (int round = 0; round < 20 && !hh_test_failed; round++) {
        uint32_t n = 10 + (uint32_t)(hh_test_rand(&rs) % 30);
        random_graph(&rs, n, n * 8, 1, &g);
        nss = random_seeds(&rs, n, 10, 0, src), nts = random_seeds(&rs, n, 10, 0, dst);
        check_graph(&g, src, nss, 10, dst, nts, 10, round % 2 ? 25 : HH_CH_NO_BOUND);
        graph_free(&g);
    }
    hh__ch ch;
    uint32_t fo0 = 0;
    HH_ASSERT_EQ(hh__ch_build(0, &fo0, NULL, &ch), 0);
    HH_ASSERT_EQ(ch.n_fwd + ch.n_bwd, 0);
    HH_ASSERT_EQ(hh__ch_check(&ch), 0);
    hh__ch_free(&ch);
}

HH_TEST(ch_build_is_deterministic)
{
    uint64_t rs = 5;
    graph g;
    random_graph(&rs, 300, 900, 2, &g);
    hh__ch a, b;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &a), 0);
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &b), 0);
    HH_ASSERT_EQ(a.n_fwd, b.n_fwd);
    HH_ASSERT_EQ(a.n_bwd, b.n_bwd);
    HH_ASSERT(!memcmp(a.rank, b.rank, g.n * sizeof *a.rank));
    HH_ASSERT(!memcmp(a.fwd_first, b.fwd_first, (g.n + 1) * sizeof *a.fwd_first));
    HH_ASSERT(!memcmp(a.bwd_first, b.bwd_first, (g.n + 1) * sizeof *a.bwd_first));
    HH_ASSERT(!memcmp(a.fwd, b.fwd, a.n_fwd * sizeof *a.fwd));
    HH_ASSERT(!memcmp(a.bwd, b.bwd, a.n_bwd * sizeof *a.bwd));
    hh__ch_free(&a), hh__ch_free(&b);
    graph_free(&g);
}

HH_TEST(ch_rejects_bad_input)
{
    tarc t[] = {{1, {0, 1u << 30, 5, 0}}, {0, {2, 1u << 30, 5, 0}}};
    graph g;
    graph_from(&g, 3, t, 2);
    hh__ch ch, sentinel;
    memset(&sentinel, 0xab, sizeof sentinel);
    ch = sentinel;
    /* vertex 0 goes first and needs a shortcut 1 -> 2 of 2^31 ds */
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), HH_ERANGE);
    HH_ASSERT(!memcmp(&ch, &sentinel, sizeof ch));
    g.A[0].dur_ds = 1u << 31;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), HH_ERANGE);
    g.A[0].dur_ds = 1, g.A[0].len_dm = 1u << 31;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), HH_ERANGE);
    g.A[0].len_dm = 1, g.A[0].head = 3;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), HH_EINVAL);
    g.A[0].head = 0;
    uint32_t fo_bad[4] = {0, 2, 1, 2};
    HH_ASSERT_EQ(hh__ch_build(g.n, fo_bad, g.A, &ch), HH_EINVAL);
    HH_ASSERT(!memcmp(&ch, &sentinel, sizeof ch));

    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), 0);
    hh__ch_ws ws;
    hh__ch_buckets b, bsent;
    memset(&bsent, 0xcd, sizeof bsent);
    b = bsent;
    HH_ASSERT_EQ(hh__ch_ws_init(&ws, g.n), 0);
    hh__ch_seed far = {3, 0, 0, 0}, big = {0, 1u << 31, 0, 0}, ok = {0, 0, 0, 0};
    hh__ch_seed order[2] = {{0, 0, 0, 1}, {1, 0, 0, 0}};
    uint32_t d[4], pd[3];
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, &far, 1, 1, HH_CH_NO_BOUND, &b), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, &big, 1, 1, HH_CH_NO_BOUND, &b), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, order, 2, 2, HH_CH_NO_BOUND, &b), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, order + 1, 1, 0, HH_CH_NO_BOUND, &b),
                 HH_EINVAL);
    HH_ASSERT(!memcmp(&b, &bsent, sizeof b));
    HH_ASSERT_EQ(hh__ch_phast(&ch, &ws, &far, 1, HH_CH_NO_BOUND, pd, NULL), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, &ok, 1, 2, HH_CH_NO_BOUND, &b), 0);
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, &far, 1, 0, 1, d, NULL), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, order, 2, 0, 2, d, NULL), HH_EINVAL);
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, order, 1, 0, 1, d, NULL), HH_EINVAL);
    /* source 1 alone, as rows 1..1; target 1 has no seeds */
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, order, 1, 1, 1, d, NULL), 0);
    HH_ASSERT_EQ(d[0], 0);
    HH_ASSERT_EQ(d[1], HH_CH_UNREACHED);
    /* no seeds at all: PHAST reaches nothing */
    HH_ASSERT_EQ(hh__ch_phast(&ch, &ws, NULL, 0, HH_CH_NO_BOUND, pd, NULL), 0);
    HH_ASSERT_EQ(pd[0], HH_CH_UNREACHED);
    HH_ASSERT_EQ(pd[2], HH_CH_UNREACHED);
    hh__ch_buckets_free(&b);
    hh__ch_buckets_free(NULL);
    hh__ch_ws_free(&ws);
    hh__ch_ws_free(NULL);
    hh__ch_free(&ch);
    hh__ch_free(NULL);
    graph_free(&g);
}

HH_TEST(ch_check_catches_corrupt_arrays)
{
    uint64_t rs = 9;
    graph g;
    random_graph(&rs, 50, 150, 1, &g);
    hh__ch ch;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), 0);
    HH_ASSERT(ch.n_fwd > 0 && ch.n_bwd > 0);
    /* copies to corrupt */
    uint32_t *rank = malloc(g.n * sizeof *rank), *ff = malloc((g.n + 1) * sizeof *ff);
    hh__ch_arc *fw = malloc(ch.n_fwd * sizeof *fw);
    memcpy(rank, ch.rank, g.n * sizeof *rank);
    memcpy(ff, ch.fwd_first, (g.n + 1) * sizeof *ff);
    memcpy(fw, ch.fwd, ch.n_fwd * sizeof *fw);
    hh__ch v = ch;
    v.owned = NULL, v.rank = rank, v.fwd_first = ff, v.fwd = fw;
    HH_ASSERT_EQ(hh__ch_check(&v), 0);
    rank[3] = rank[4];
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    rank[3] = g.n;
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    memcpy(rank, ch.rank, g.n * sizeof *rank);
    uint32_t x = 0;
    while (ff[x + 1] == ff[x])
        x++;
    fw[ff[x]].head = x; /* an arc that does not climb */
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    fw[ff[x]].head = g.n;
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    memcpy(fw, ch.fwd, ch.n_fwd * sizeof *fw);
    ff[g.n] = ch.n_fwd + 1;
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    ff[g.n] = ch.n_fwd;
    ff[g.n - 1] = ch.n_fwd + 1; /* past the end, then decreasing */
    HH_ASSERT_EQ(hh__ch_check(&v), HH_EFORMAT);
    ff[g.n - 1] = ch.n_fwd;
    HH_ASSERT_EQ(hh__ch_check(&v), 0);
    hh__ch_free(&v); /* a view: nothing to free */
    free(rank), free(ff), free(fw);
    hh__ch_free(&ch);
    graph_free(&g);
}

/* ---- allocation --------------------------------------------------------- */

HH_TEST(ch_fails_cleanly_at_every_allocation)
{
    uint64_t rs = 11;
    graph g;
    random_graph(&rs, 200, 600, 1, &g);
    hh__ch_seed src[64], dst[64];
    size_t nss = random_seeds(&rs, g.n, 20, 0, src), nts = random_seeds(&rs, g.n, 20, 0, dst);
    int succeeded = 0;
    uint32_t d[400];
    for (long k = 0; k < 100000 && !succeeded; k++) {
        hh__ch ch, csent;
        hh__ch_ws ws;
        hh__ch_buckets b, bsent;
        memset(&csent, 0xab, sizeof csent);
        memset(&bsent, 0xcd, sizeof bsent);
        memset(&ws, 0, sizeof ws);
        ch = csent, b = bsent;
        hh_test_alloc_fail_only(k);
        int stage = 0, rc = hh__ch_build(g.n, g.fo, g.A, &ch);
        if (rc == 0 && ++stage && (rc = hh__ch_ws_init(&ws, g.n)) == 0 && ++stage &&
            (rc = hh__ch_buckets_build(&ch, &ws, dst, nts, 20, HH_CH_NO_BOUND, &b)) == 0 &&
            ++stage)
            rc = hh__ch_many_to_many(&ch, &b, &ws, src, nss, 0, 20, d, NULL);
        hh_test_alloc_restore();
        if (rc == 0)
            succeeded = 1;
        else
            HH_ASSERT_EQ(rc, HH_ENOMEM);
        if (stage == 0)
            HH_ASSERT(!memcmp(&ch, &csent, sizeof ch));
        if (stage == 2)
            HH_ASSERT(!memcmp(&b, &bsent, sizeof b));
        if (stage >= 3)
            hh__ch_buckets_free(&b);
        hh__ch_ws_free(&ws);
        if (stage >= 1)
            hh__ch_free(&ch);
    }
    HH_ASSERT(succeeded);
    graph_free(&g);
}

HH_TEST(ch_queries_do_not_allocate_once_warm)
{
    uint64_t rs = 12;
    graph g;
    random_graph(&rs, 300, 900, 1, &g);
    hh__ch_seed src[64], dst[64];
    size_t nss = random_seeds(&rs, g.n, 20, 0, src), nts = random_seeds(&rs, g.n, 20, 0, dst);
    hh__ch ch;
    hh__ch_ws ws;
    hh__ch_buckets b;
    uint32_t d[400], l[400], pd[300];
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &ch), 0);
    HH_ASSERT_EQ(hh__ch_ws_init(&ws, g.n), 0);
    HH_ASSERT_EQ(hh__ch_buckets_build(&ch, &ws, dst, nts, 20, 300, &b), 0);
    HH_ASSERT_EQ(hh__ch_many_to_many(&ch, &b, &ws, src, nss, 0, 20, d, l), 0);
    hh_test_alloc_fail_only(-1);
    int rc = hh__ch_many_to_many(&ch, &b, &ws, src, nss, 0, 20, d, l);
    int rc2 = hh__ch_phast(&ch, &ws, src, 2, 300, pd, NULL);
    long calls = hh_test_alloc_restore();
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(rc2, 0);
    HH_ASSERT_EQ(calls, 0);
    hh__ch_buckets_free(&b);
    hh__ch_ws_free(&ws);
    hh__ch_free(&ch);
    graph_free(&g);
}

/* ---- real networks ------------------------------------------------------ */

/* Seeds of a point at fraction f along a random edge usable by the mode,
 * as snapping makes them: leaving it towards either end it may drive to
 * (source), or arriving from either end it may come from (target). */
static size_t point_seeds(const hh_net *net, hh_mode m, uint64_t *rs, uint32_t index,
                          int target, hh__ch_seed *s)
{
    for (;;) {
        uint32_t e = (uint32_t)(hh_test_rand(rs) % net->n_edges);
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << m)))
            continue;
        double f = hh_test_uniform(rs, 0, 1);
        uint32_t fwd = ed->dur_ds[m][0], bwd = ed->dur_ds[m][1];
        uint32_t len_dm = ed->len_mm / 100;
        size_t k = 0;
        /* source: forward to `to`, backward to `from`; target: reached from
         * `from` going forward, from `to` going backward */
        double part_to = target ? f : 1 - f, part_from = target ? 1 - f : f;
        if (fwd != HH_DUR_NONE)
            s[k++] = (hh__ch_seed){target ? ed->from : ed->to, (uint32_t)(part_to * fwd),
                                   (uint32_t)(part_to * len_dm), index};
        if (bwd != HH_DUR_NONE)
            s[k++] = (hh__ch_seed){target ? ed->to : ed->from, (uint32_t)(part_from * bwd),
                                   (uint32_t)(part_from * len_dm), index};
        if (k)
            return k;
    }
}

typedef struct real {
    hh_net *net;
    hh_mode mode;
    uint32_t n;
    const uint32_t *fo;
    const hh__arc *A;
    hh__ch ch;
} real;

static int real_open(real *r, const char *name, hh_mode mode)
{
    const char *path = hh_test_net_path(name);
    if (!path)
        return 0;
    memset(r, 0, sizeof *r);
    if (hh_net_open(path, &r->net, NULL, 0))
        return -1;
    r->mode = mode;
    r->n = r->net->n_nodes;
    r->fo = r->net->first_out[mode];
    r->A = r->net->arcs[mode];
    if (hh__ch_build(r->n, r->fo, r->A, &r->ch) || hh__ch_check(&r->ch)) {
        hh_net_close(r->net);
        return -1;
    }
    return 1;
}

static void real_close(real *r)
{
    hh__ch_free(&r->ch);
    hh_net_close(r->net);
}

/* 20 sources x 10 targets (200 pairs) against the oracle, unbounded and at
 * 5 minutes; PHAST from every source checked at every vertex. */
static void real_check(const char *name, hh_mode mode, uint64_t seed)
{
    real r;
    int ok = real_open(&r, name, mode);
    HH_ASSERT(ok >= 0);
    if (!ok)
        return;
    enum { NS = 20, NT = 10 };
    hh__ch_seed src[2 * NS], dst[2 * NT];
    size_t nss = 0, nts = 0;
    uint64_t rs = seed;
    for (uint32_t i = 0; i < NS; i++)
        nss += point_seeds(r.net, mode, &rs, i, 0, src + nss);
    for (uint32_t j = 0; j < NT; j++)
        nts += point_seeds(r.net, mode, &rs, j, 1, dst + nts);
    check_queries(&r.ch, r.n, r.fo, r.A, src, nss, NS, dst, nts, NT, HH_CH_NO_BOUND);
    if (!hh_test_failed)
        check_queries(&r.ch, r.n, r.fo, r.A, src, nss, NS, dst, nts, NT, 3000);
    real_close(&r);
}

HH_TEST(ch_matches_oracle_poa_car) { real_check("poa", HH_MODE_CAR, 101); }
HH_TEST(ch_matches_oracle_poa_walk) { real_check("poa", HH_MODE_WALK, 102); }
HH_TEST(ch_matches_oracle_porto_car) { real_check("porto", HH_MODE_CAR, 103); }
HH_TEST(ch_matches_oracle_porto_walk) { real_check("porto", HH_MODE_WALK, 104); }
HH_TEST(ch_matches_oracle_rnv_car) { real_check("rnv", HH_MODE_CAR, 105); }
HH_TEST(ch_matches_oracle_rnv_walk) { real_check("rnv", HH_MODE_WALK, 106); }

/* The car's turn graph as stored (restrictions, barriers, turn costs,
 * via-way copies): the stored hierarchy against the oracle on random turn
 * nodes, unbounded and at 5 minutes. */
static void turn_graph_check(const char *name, uint64_t seed)
{
    const char *path = hh_test_net_path(name);
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    HH_ASSERT(net->n_tnodes > 0 && net->ch[HH_MODE_CAR].n == net->n_tnodes);
    enum { NS = 20, NT = 10 };
    hh__ch_seed src[2 * NS], dst[2 * NT];
    uint64_t rs = seed;
    size_t nss = random_seeds(&rs, net->n_tnodes, NS, 0, src);
    size_t nts = random_seeds(&rs, net->n_tnodes, NT, 0, dst);
    check_queries(&net->ch[HH_MODE_CAR], net->n_tnodes, net->turn_first, net->turn_arcs, src, nss, NS, dst, nts,
                  NT, HH_CH_NO_BOUND);
    if (!hh_test_failed)
        check_queries(&net->ch[HH_MODE_CAR], net->n_tnodes, net->turn_first, net->turn_arcs, src, nss, NS, dst,
                      nts, NT, 3000);
    hh_net_close(net);
}

HH_TEST(ch_matches_oracle_porto_turn_graph) { turn_graph_check("porto", 107); }
HH_TEST(ch_matches_oracle_poa_turn_graph) { turn_graph_check("poa", 108); }

typedef struct rows_job {
    const hh__ch *ch;
    const hh__ch_buckets *b;
    const hh__ch_seed *seeds;
    size_t n_seeds;
    uint32_t first, count;
    uint32_t *d, *l;
    int rc;
} rows_job;

static void *rows_thread(void *arg)
{
    rows_job *j = arg;
    hh__ch_ws ws;
    j->rc = hh__ch_ws_init(&ws, j->ch->n);
    if (!j->rc)
        j->rc = hh__ch_many_to_many(j->ch, j->b, &ws, j->seeds, j->n_seeds, j->first, j->count,
                                    j->d, j->l);
    hh__ch_ws_free(&ws);
    return NULL;
}

HH_TEST(ch_matrix_same_for_any_split)
{
    real r;
    int ok = real_open(&r, "poa", HH_MODE_CAR);
    HH_ASSERT(ok >= 0);
    if (!ok)
        return;
    enum { NS = 61, NT = 47 };
    hh__ch_seed src[2 * NS], dst[2 * NT];
    size_t nss = 0, nts = 0;
    uint64_t rs = 4242;
    for (uint32_t i = 0; i < NS; i++)
        nss += point_seeds(r.net, HH_MODE_CAR, &rs, i, 0, src + nss);
    for (uint32_t j = 0; j < NT; j++)
        nts += point_seeds(r.net, HH_MODE_CAR, &rs, j, 1, dst + nts);
    hh__ch_ws ws;
    hh__ch_buckets b;
    static uint32_t d1[NS * NT], l1[NS * NT], d2[NS * NT], l2[NS * NT];
    HH_ASSERT_EQ(hh__ch_ws_init(&ws, r.n), 0);
    HH_ASSERT_EQ(hh__ch_buckets_build(&r.ch, &ws, dst, nts, NT, 6000, &b), 0);
    HH_ASSERT_EQ(hh__ch_many_to_many(&r.ch, &b, &ws, src, nss, 0, NS, d1, l1), 0);
    /* three threads over uneven ranges of sources */
    uint32_t cut[4] = {0, 17, 18, NS};
    rows_job jobs[3];
    pthread_t th[3];
    for (int t = 0; t < 3; t++) {
        size_t a, z, a2, z2;
        seed_range(src, nss, cut[t], &a, &z);
        seed_range(src, nss, cut[t + 1] - 1, &a2, &z2);
        jobs[t] = (rows_job){&r.ch, &b, src + a, z2 - a, cut[t], cut[t + 1] - cut[t],
                             d2 + (size_t)cut[t] * NT, l2 + (size_t)cut[t] * NT, -1};
        HH_ASSERT_EQ(pthread_create(&th[t], NULL, rows_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < 3; t++) {
        pthread_join(th[t], NULL);
        HH_ASSERT_EQ(jobs[t].rc, 0);
    }
    HH_ASSERT(!memcmp(d1, d2, sizeof d1));
    HH_ASSERT(!memcmp(l1, l2, sizeof l1));
    /* one source per call */
    for (uint32_t i = 0; i < NS; i++) {
        size_t a, z;
        seed_range(src, nss, i, &a, &z);
        HH_ASSERT_EQ(hh__ch_many_to_many(&r.ch, &b, &ws, src + a, z - a, i, 1, d2 + (size_t)i * NT,
                                         NULL),
                     0);
    }
    HH_ASSERT(!memcmp(d1, d2, sizeof d1));
    hh__ch_buckets_free(&b);
    hh__ch_ws_free(&ws);
    real_close(&r);
}

/* ---- contraction in a given order ------------------------------------- */

/* hh__ch_build_ordered with any order answers as the oracle does: random
 * graphs, random keys (ties included). */
HH_TEST(ch_ordered_random_graphs_match_oracle)
{
    uint64_t rs = 20261202;
    hh__ch_seed src[64], dst[64];
    for (int round = 0; round < 200 && !hh_test_failed; round++) {
        graph g;
        uint32_t n = 1 + (uint32_t)(hh_test_rand(&rs) % 40);
        uint32_t m = (uint32_t)(hh_test_rand(&rs) % (3 * n + 1));
        random_graph(&rs, n, m, 1 + (uint32_t)(hh_test_rand(&rs) % 3), &g);
        uint32_t *key = malloc((n + 1) * sizeof *key);
        for (uint32_t v = 0; v < n; v++)
            key[v] = (uint32_t)(hh_test_rand(&rs) % (round % 2 ? n : 4));
        uint32_t ns = 1 + (uint32_t)(hh_test_rand(&rs) % 12), nt = 1 + (uint32_t)(hh_test_rand(&rs) % 12);
        size_t nss = random_seeds(&rs, n, ns, 1, src), nts = random_seeds(&rs, n, nt, 1, dst);
        hh__ch ch;
        HH_ASSERT_EQ(hh__ch_build_ordered(g.n, g.fo, g.A, key, &ch), 0);
        HH_ASSERT_EQ(hh__ch_check(&ch), 0);
        check_queries(&ch, g.n, g.fo, g.A, src, nss, ns, dst, nts, nt, round % 3 ? HH_CH_NO_BOUND : 40);
        hh__ch_free(&ch);
        free(key);
        graph_free(&g);
        if (hh_test_failed)
            fprintf(stderr, "  round %d (n %u, m %u)\n", round, n, m);
    }
}

/* What a scenario does: the porto turn graph with every 7th move 3x slower
 * and every 11th gone, recontracted in the order of the stored hierarchy,
 * against the oracle on the changed graph. */
HH_TEST(ch_ordered_changed_porto_turn_graph)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    uint32_t n = net->n_tnodes;
    uint32_t *fo = malloc((n + 1) * sizeof *fo);
    hh__arc *A = malloc((net->n_tarcs + 1) * sizeof *A);
    uint32_t k = 0;
    for (uint32_t t = 0; t < n; t++) {
        fo[t] = k;
        for (uint32_t a = net->turn_first[t]; a < net->turn_first[t + 1]; a++) {
            if (a % 11 == 5)
                continue;
            A[k] = net->turn_arcs[a];
            if (a % 7 == 3)
                A[k].dur_ds *= 3;
            k++;
        }
    }
    fo[n] = k;
    hh__ch ch;
    HH_ASSERT_EQ(hh__ch_build_ordered(n, fo, A, net->ch[HH_MODE_CAR].rank, &ch), 0);
    HH_ASSERT_EQ(hh__ch_check(&ch), 0);
    enum { NS = 20, NT = 10 };
    hh__ch_seed src[2 * NS], dst[2 * NT];
    uint64_t rs = 109;
    size_t nss = random_seeds(&rs, n, NS, 0, src), nts = random_seeds(&rs, n, NT, 0, dst);
    check_queries(&ch, n, fo, A, src, nss, NS, dst, nts, NT, HH_CH_NO_BOUND);
    hh__ch_free(&ch);
    free(fo), free(A);
    hh_net_close(net);
}

/* ---- updating a hierarchy after a change ------------------------------- */

/* A changed copy of g: `add` new nodes at the end, each joined to random
 * old nodes; every 5th arc faster (faster), or every 4th arc slower and
 * every 9th gone (!faster); old_of maps new nodes to old ones. */
static void changed_graph(uint64_t *rs, const graph *g, uint32_t add, int faster, int split, graph *out,
                          uint32_t *old_of)
{
    uint32_t n = g->n + add;
    size_t m = g->fo[g->n];
    tarc *t = malloc((m + 8 * (size_t)add + 4) * sizeof *t);
    size_t k = 0;
    uint32_t next_split = g->n;
    for (uint32_t u = 0; u < g->n; u++)
        for (uint32_t a = g->fo[u]; a < g->fo[u + 1]; a++) {
            hh__arc x = g->A[a];
            if (!faster && a % 9 == 4)
                continue;
            if (faster && a % 5 == 2 && x.dur_ds > 0)
                x.dur_ds -= 1 + (uint32_t)(hh_test_rand(rs) % x.dur_ds);
            if (!faster && a % 4 == 1)
                x.dur_ds += 7;
            if (split && next_split < n && a % 3 == 0 && x.head != u) {
                /* u -> s -> head, the two halves adding up exactly */
                uint32_t s = next_split++;
                uint32_t d1 = x.dur_ds / 2, l1 = x.len_dm / 3;
                t[k++] = (tarc){u, {s, d1, l1, 0}};
                t[k++] = (tarc){s, {x.head, x.dur_ds - d1, x.len_dm - l1, 0}};
                continue;
            }
            t[k++] = (tarc){u, x};
        }
    for (uint32_t s = next_split; s < n; s++) /* new nodes joined to the old graph */
        for (int j = 0; j < 3 && g->n; j++) {
            uint32_t v = (uint32_t)(hh_test_rand(rs) % g->n), d = (uint32_t)(hh_test_rand(rs) % 20);
            t[k++] = (tarc){s, {v, d, d * 3, 0}};
            t[k++] = (tarc){v, {s, d + 1, d * 3, 0}};
        }
    if (add >= 2) /* and to each other */
        t[k++] = (tarc){n - 1, {n - 2, 1, 1, 0}};
    graph_from(out, n, t, k);
    free(t);
    for (uint32_t v = 0; v < n; v++)
        old_of[v] = v < g->n ? v : UINT32_MAX;
}

static void update_rounds(int faster, int split, int want_how)
{
    uint64_t rs = 4242 + (uint64_t)faster * 10 + (uint64_t)split;
    hh__ch_seed src[64], dst[64];
    for (int round = 0; round < 150 && !hh_test_failed; round++) {
        graph g, g2;
        uint32_t n = 2 + (uint32_t)(hh_test_rand(&rs) % 40);
        random_graph(&rs, n, (uint32_t)(hh_test_rand(&rs) % (3 * n + 1)), 1 + (uint32_t)(hh_test_rand(&rs) % 2), &g);
        uint32_t add = (uint32_t)(hh_test_rand(&rs) % 6);
        uint32_t old_of[64];
        changed_graph(&rs, &g, add, faster, split, &g2, old_of);
        hh__ch old, upd;
        HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &old), 0);
        int how = -1;
        HH_ASSERT_EQ(hh__ch_update(&old, g.fo, g.A, g2.n, g2.fo, g2.A, old_of, &upd, &how), 0);
        HH_ASSERT_EQ(hh__ch_check(&upd), 0);
        if (want_how >= 0)
            HH_ASSERT_EQ(how, want_how);
        uint32_t ns = 1 + (uint32_t)(hh_test_rand(&rs) % 12), nt = 1 + (uint32_t)(hh_test_rand(&rs) % 12);
        size_t nss = random_seeds(&rs, g2.n, ns, 1, src), nts = random_seeds(&rs, g2.n, nt, 1, dst);
        check_queries(&upd, g2.n, g2.fo, g2.A, src, nss, ns, dst, nts, nt, round % 3 ? HH_CH_NO_BOUND : 40);
        hh__ch_free(&old), hh__ch_free(&upd);
        graph_free(&g), graph_free(&g2);
        if (hh_test_failed)
            fprintf(stderr, "  round %d (n %u, added %u)\n", round, n, add);
    }
}

/* New nodes and arcs, faster arcs, arcs split in two: updated in place. */
HH_TEST(ch_update_added_and_faster_match_oracle) { update_rounds(1, 0, 0); }
HH_TEST(ch_update_split_arcs_match_oracle) { update_rounds(1, 1, 0); }
/* Slower and closed arcs: contracted again in the old order. */
HH_TEST(ch_update_slower_match_oracle) { update_rounds(0, 0, -1); }

/* No change: the very same arrays. */
HH_TEST(ch_update_without_change_is_identical)
{
    uint64_t rs = 9;
    graph g;
    random_graph(&rs, 300, 900, 2, &g);
    uint32_t *old_of = malloc(300 * sizeof *old_of);
    for (uint32_t v = 0; v < 300; v++)
        old_of[v] = v;
    hh__ch a, b;
    int how = -1;
    HH_ASSERT_EQ(hh__ch_build(g.n, g.fo, g.A, &a), 0);
    HH_ASSERT_EQ(hh__ch_update(&a, g.fo, g.A, g.n, g.fo, g.A, old_of, &b, &how), 0);
    HH_ASSERT_EQ(how, 0);
    HH_ASSERT_EQ(a.n_fwd, b.n_fwd);
    HH_ASSERT_EQ(a.n_bwd, b.n_bwd);
    HH_ASSERT(!memcmp(a.rank, b.rank, g.n * sizeof *a.rank));
    HH_ASSERT(!memcmp(a.fwd_first, b.fwd_first, (g.n + 1) * sizeof *a.fwd_first));
    HH_ASSERT(!memcmp(a.bwd_first, b.bwd_first, (g.n + 1) * sizeof *a.bwd_first));
    HH_ASSERT(!memcmp(a.fwd, b.fwd, a.n_fwd * sizeof *a.fwd));
    HH_ASSERT(!memcmp(a.bwd, b.bwd, a.n_bwd * sizeof *a.bwd));
    hh__ch_free(&a), hh__ch_free(&b);
    free(old_of);
    graph_free(&g);
}

/* ---- soak: random street grids with turn restrictions ------------------ */

/* A random grid of W x H crossings as OSM XML: every block side its own way
 * (so that restrictions can name from and to ways at a crossing), some
 * one-way (either direction), some missing, mixed classes; restrictions via
 * a node (no_* and only_* of every kind) at random crossings and, now and
 * then, via a way (a block side between two crossings). */
static int write_turn_grid(uint64_t *rs, const char *path, int *n_restr)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int W = 3 + (int)(hh_test_rand(rs) % 6), H = 3 + (int)(hh_test_rand(rs) % 6);
    static const char *cls[] = {"residential", "tertiary", "secondary", "primary", "unclassified"};
    static const char *kind[] = {"no_left_turn", "no_right_turn", "no_straight_on", "no_u_turn",
                                 "only_straight_on", "only_left_turn", "only_right_turn"};
    fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n");
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            fprintf(f, " <node id='%d' lat='%.7f' lon='%.7f'/>\n", 1 + y * W + x,
                    41.15 + y * 0.0012 + hh_test_uniform(rs, -2e-4, 2e-4),
                    -8.61 + x * 0.0016 + hh_test_uniform(rs, -2e-4, 2e-4));
    /* ways: 2 per crossing at most (east, north); way id = 1 + 2 * node + dir */
    int *has = calloc((size_t)(2 * W * H), sizeof *has);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int d = 0; d < 2; d++) {
                int nx = x + (d == 0), ny = y + (d == 1);
                if (nx >= W || ny >= H || hh_test_rand(rs) % 10 == 0)
                    continue;
                int a = 1 + y * W + x, b = 1 + ny * W + nx, id = 2 * (a - 1) + d + 1;
                has[id - 1] = 1;
                uint64_t ow = hh_test_rand(rs) % 6;
                fprintf(f, " <way id='%d'><nd ref='%d'/><nd ref='%d'/><tag k='highway' v='%s'/>%s</way>\n", id,
                        a, b, cls[hh_test_rand(rs) % 5],
                        ow == 0 ? "<tag k='oneway' v='yes'/>" : ow == 1 ? "<tag k='oneway' v='-1'/>" : "");
            }
    /* the ways at crossing n: east (n), west (n-1), north (n), south (n-W) */
    int rid = 1;
    *n_restr = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            if (hh_test_rand(rs) % 3)
                continue;
            int n = y * W + x, ways[4], k = 0;
            if (x + 1 < W && has[2 * n])
                ways[k++] = 2 * n + 1;
            if (x > 0 && has[2 * (n - 1)])
                ways[k++] = 2 * (n - 1) + 1;
            if (y + 1 < H && has[2 * n + 1])
                ways[k++] = 2 * n + 2;
            if (y > 0 && has[2 * (n - W) + 1])
                ways[k++] = 2 * (n - W) + 2;
            if (k < 2)
                continue;
            int from = ways[hh_test_rand(rs) % k], to = ways[hh_test_rand(rs) % k];
            fprintf(f, " <relation id='%d'><member type='way' ref='%d' role='from'/>"
                       "<member type='node' ref='%d' role='via'/><member type='way' ref='%d' role='to'/>"
                       "<tag k='type' v='restriction'/><tag k='restriction' v='%s'/></relation>\n",
                    rid++, from, n + 1, to, kind[hh_test_rand(rs) % 7]);
            (*n_restr)++;
        }
    /* via a way: from the west side of a crossing, along its east way, on
     * to the north way of the next crossing */
    for (int t = 0; t < 3; t++) {
        int x = 1 + (int)(hh_test_rand(rs) % (uint64_t)(W - 2)), y = (int)(hh_test_rand(rs) % (uint64_t)(H - 1));
        int n = y * W + x;
        if (!has[2 * (n - 1)] || !has[2 * n] || !has[2 * (n + 1) + 1])
            continue;
        fprintf(f, " <relation id='%d'><member type='way' ref='%d' role='from'/>"
                   "<member type='way' ref='%d' role='via'/><member type='way' ref='%d' role='to'/>"
                   "<tag k='type' v='restriction'/><tag k='restriction' v='%s'/></relation>\n",
                rid++, 2 * (n - 1) + 1, 2 * n + 1, 2 * (n + 1) + 2, hh_test_rand(rs) % 2 ? "no_left_turn" : "only_left_turn");
        (*n_restr)++;
    }
    free(has);
    fprintf(f, "</osm>\n");
    return fclose(f);
}

/* The car's hierarchy as built (over the turn graph: restrictions, via-way
 * copies, turn costs) against the plain search on the same graph, every
 * pair of up to 40 x 40 turn nodes, unbounded and bounded.  Rounds x --soak. */
HH_TEST(soak_ch_matches_oracle_random_turn_grids)
{
    uint64_t rs = 20261202;
    char osm[400], out[400];
    snprintf(osm, sizeof osm, "%s/turn-grid.osm", hh_test_tmpdir());
    snprintf(out, sizeof out, "%s/turn-grid.hh", hh_test_tmpdir());
    hh_profile p;
    hh_profile_default(&p);
    uint32_t applied = 0, via_way = 0, tnodes = 0;
    int rounds = 12 * hh_test_soak;
    for (int round = 0; round < rounds && !hh_test_failed; round++) {
        int n_restr;
        HH_ASSERT_EQ(write_turn_grid(&rs, osm, &n_restr), 0);
        hh_build_stats st;
        char err[256];
        int rc = hh_build(osm, &p, out, &st, NULL, NULL, err, sizeof err);
        if (rc)
            fprintf(stderr, "  round %d: %s\n", round, err);
        HH_ASSERT_EQ(rc, 0);
        applied += st.restrictions, via_way += st.restrictions_via_way;
        hh_net *net;
        HH_ASSERT_EQ(hh_net_open(out, &net, err, sizeof err), 0);
        uint32_t n = net->n_tnodes;
        tnodes += n;
        if (n) {
            enum { K = 40 };
            hh__ch_seed src[2 * K], dst[2 * K];
            uint32_t k = n < K ? n : K;
            size_t nss = random_seeds(&rs, n, k, 0, src), nts = random_seeds(&rs, n, k, 0, dst);
            check_queries(&net->ch[HH_MODE_CAR], n, net->turn_first, net->turn_arcs, src, nss, k, dst, nts, k,
                          HH_CH_NO_BOUND);
            if (!hh_test_failed)
                check_queries(&net->ch[HH_MODE_CAR], n, net->turn_first, net->turn_arcs, src, nss, k, dst, nts, k,
                              (uint32_t)(hh_test_rand(&rs) % 1200));
        }
        hh_net_close(net);
        if (hh_test_failed)
            fprintf(stderr, "  round %d (%u turn nodes, %d restrictions written)\n", round, n, n_restr);
    }
    fprintf(stderr, "  %d grids: %u turn nodes, %u restrictions applied (%u via ways)\n", rounds, tnodes, applied,
            via_way);
    HH_ASSERT(applied > (uint32_t)(10 * hh_test_soak));
    HH_ASSERT(via_way > 0);
    unlink(osm);
    unlink(out);
}
