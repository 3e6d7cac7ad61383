/* ch.c: contraction hierarchy build, bucket many-to-many and PHAST.
 *
 * Weights travel as one 64-bit key, dur_ds << 32 | len_dm, so that adding
 * keys adds both parts and comparing keys compares time first, then length:
 * one integer compare gives the lexicographic order and a unique answer.
 * The build keeps a dynamic adjacency (per vertex, its out and in lists of
 * uncontracted neighbours in one pool), contracts the vertex of least
 * priority (edge difference + deleted neighbours, rechecked when popped and
 * refreshed for the neighbours of each contracted vertex), and writes each
 * vertex's remaining lists as its upward arcs.  Witness searches are
 * Dijkstras bounded by key, settled count and hops: a cut-short search only
 * adds a shortcut that was not needed, never drops one that was. */
#include "street/ch.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define KEY(d, l) (((uint64_t)(d) << 32) | (uint64_t)(l))
#define W_LIMIT (1u << 31) /* arc weights and seed offsets stay below this */
#define KEY_INF UINT64_MAX
#define NONE UINT32_MAX

/* Witness-search limits: vertices settled and arcs per path.  The first pair
 * serves the priority estimates, the second the real contraction.  Measured
 * on Porto and Rhine-Neckar: tighter estimate limits barely change the
 * hierarchy and the estimates are where the build spends its time.  On the
 * car's turn graph (twice the nodes of the street graph) 10/3 and 200/8
 * build in about 55 % of the CPU time of 30/4 and 500/12 for 2 % more
 * upward arcs; the street graphs gain about 30 % for under 1 %. */
#define SIM_SETTLED 10
#define SIM_HOPS 3
#define CON_SETTLED 200
#define CON_HOPS 8
/* priority = ED_WEIGHT * edge difference + deleted neighbours; weighting the
 * edge difference twice gave 4% fewer arcs and a 20% faster build for the
 * same query cost as 1:1 on both test networks. */
#define ED_WEIGHT 2
/* A contracted vertex's neighbours get a fresh priority only while they
 * have at most this many arcs; busier ones are rechecked when they come up
 * (the lazy update), since their simulations are what the build spends its
 * time on.  Porto: the car's turn graph contracts in 74 % of the time for
 * 2 % more upward arcs, the walk graph in 70 % for 0.4 %. */
#define REFRESH_MAX_ARCS 12

static inline uint32_t key_dur(uint64_t k) { return (uint32_t)(k >> 32); }
static inline uint32_t key_len(uint64_t k) { return (uint32_t)k; }

/* ======================================================================= */
/* build                                                                   */
/* ======================================================================= */

typedef struct darc {
    uint64_t key;
    uint32_t other; /* the neighbour at the far end */
    uint32_t pad;
} darc;

typedef struct dlist {
    size_t beg;        /* first slot in the pool */
    uint32_t len, cap; /* used and reserved slots */
} dlist;

typedef struct wentry {
    uint64_t key;
    uint32_t v;
    uint32_t hops;
} wentry;

typedef struct oarc { /* an upward arc before renumbering */
    uint64_t key;
    uint32_t head; /* vertex id */
    uint32_t pad;
} oarc;

typedef struct builder {
    uint32_t n;
    darc *pool;
    size_t pool_n, pool_cap;
    dlist *out, *in;
    uint8_t *done;     /* contracted */
    uint32_t *deleted; /* contracted neighbours so far */
    uint32_t *level;   /* longest downward path */
    uint32_t *mark;    /* neighbour dedupe stamp */
    uint32_t mark_gen;
    /* witness search */
    uint32_t *wstamp, wgen;
    uint32_t *tmark, tgen; /* targets of the current witness searches */
    uint64_t *wdist;
    wentry *wheap;
    size_t wheap_n, wheap_cap;
    /* priority queue of uncontracted vertices */
    int64_t *prio; /* priority << 32 | vertex */
    uint32_t *pq, *pq_pos, pq_n;
    /* upward arcs in contraction order */
    uint32_t *crank;           /* vertex -> contraction order */
    size_t *ofwd_first, *obwd_first;
    oarc *ofwd, *obwd;
    size_t ofwd_n, ofwd_cap, obwd_n, obwd_cap;
    uint32_t shortcuts;
    int fixed; /* contracting in a given order: no priorities to refresh */
} builder;

/* ---- dynamic adjacency -------------------------------------------------- */

static int list_push(builder *b, dlist *L, uint32_t other, uint64_t key)
{
    if (L->len == L->cap) {
        uint32_t ncap = L->cap ? L->cap * 2 : 4;
        if (hh__grow(&b->pool, &b->pool_cap, b->pool_n + ncap, sizeof *b->pool))
            return HH_ENOMEM;
        memcpy(b->pool + b->pool_n, b->pool + L->beg, (size_t)L->len * sizeof *b->pool);
        L->beg = b->pool_n;
        L->cap = ncap;
        b->pool_n += ncap;
    }
    b->pool[L->beg + L->len++] = (darc){key, other, 0};
    return 0;
}

static void list_remove(builder *b, dlist *L, uint32_t other)
{
    darc *a = b->pool + L->beg;
    for (uint32_t i = 0; i < L->len; i++)
        if (a[i].other == other) {
            a[i] = a[--L->len];
            return;
        }
}

static void list_lower(builder *b, dlist *L, uint32_t other, uint64_t key)
{
    darc *a = b->pool + L->beg;
    for (uint32_t i = 0; i < L->len; i++)
        if (a[i].other == other) {
            a[i].key = key;
            return;
        }
}

/* Adds u -> w, or lowers the key of an existing u -> w; returns 1 when an
 * arc was added or lowered, 0 when the existing one was as good. */
static int add_arc(builder *b, uint32_t u, uint32_t w, uint64_t key)
{
    dlist *O = &b->out[u];
    darc *a = b->pool + O->beg;
    for (uint32_t i = 0; i < O->len; i++)
        if (a[i].other == w) {
            if (key >= a[i].key)
                return 0;
            a[i].key = key;
            list_lower(b, &b->in[w], u, key);
            return 1;
        }
    if (list_push(b, O, w, key) || list_push(b, &b->in[w], u, key))
        return HH_ENOMEM;
    return 1;
}

/* ---- witness search ----------------------------------------------------- */

static inline int wpush(builder *b, uint64_t key, uint32_t v, uint32_t hops)
{
    if (b->wheap_n == b->wheap_cap &&
        hh__grow(&b->wheap, &b->wheap_cap, b->wheap_n + 1, sizeof *b->wheap))
        return HH_ENOMEM;
    wentry *h = b->wheap;
    size_t i = b->wheap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].key <= key)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = (wentry){key, v, hops};
    return 0;
}

static inline wentry wpop(builder *b)
{
    wentry *h = b->wheap, top = h[0], last = h[--b->wheap_n];
    size_t n = b->wheap_n, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = last;
    return top;
}

/* Dijkstra from s over the remaining graph without `skip`, done once the
 * `targets` vertices marked tmark == tgen are settled.  Afterwards wdist[x]
 * (where wstamp[x] == wgen) is the key of a real path s -> x, exact for x
 * settled before the stop.  Should a label's length part overflow into its
 * time part, the label overstates the time, so it passes as a witness only
 * when the real path is strictly faster: still a valid witness. */
static int witness(builder *b, uint32_t s, uint32_t skip, uint64_t limit, uint32_t max_settled,
                   uint32_t max_hops, uint32_t targets)
{
    if (++b->wgen == 0) {
        memset(b->wstamp, 0, (size_t)b->n * sizeof *b->wstamp);
        b->wgen = 1;
    }
    b->wheap_n = 0;
    b->wstamp[s] = b->wgen;
    b->wdist[s] = 0;
    if (wpush(b, 0, s, 0))
        return HH_ENOMEM;
    uint32_t settled = 0;
    while (b->wheap_n) {
        wentry e = wpop(b);
        if (e.key > b->wdist[e.v])
            continue; /* stale */
        if (e.key > limit || ++settled > max_settled)
            break;
        if (b->tmark[e.v] == b->tgen && e.v != s && --targets == 0)
            break;
        if (e.hops >= max_hops)
            continue;
        const dlist *O = &b->out[e.v];
        for (uint32_t i = 0; i < O->len; i++) {
            const darc *a = &b->pool[O->beg + i];
            uint32_t y = a->other;
            if (y == skip)
                continue;
            uint64_t k = e.key + a->key;
            if (k > limit)
                continue;
            if (b->wstamp[y] != b->wgen || k < b->wdist[y]) {
                b->wstamp[y] = b->wgen;
                b->wdist[y] = k;
                if (wpush(b, k, y, e.hops + 1))
                    return HH_ENOMEM;
            }
        }
    }
    return 0;
}

/* Shortcuts that contracting v needs (apply == 0: counts them with the
 * cheaper limits; apply == 1: adds them).  Returns the count or < 0. */
static int64_t shortcuts_of(builder *b, uint32_t v, int apply)
{
    const dlist *I = &b->in[v], *O = &b->out[v];
    uint32_t max_settled = apply ? CON_SETTLED : SIM_SETTLED;
    uint32_t max_hops = apply ? CON_HOPS : SIM_HOPS;
    int64_t count = 0;
    if (++b->tgen == 0) {
        memset(b->tmark, 0, (size_t)b->n * sizeof *b->tmark);
        b->tgen = 1;
    }
    for (uint32_t k = 0; k < O->len; k++)
        b->tmark[b->pool[O->beg + k].other] = b->tgen;
    for (uint32_t i = 0; i < I->len; i++) {
        darc in = b->pool[I->beg + i];
        uint64_t max_out = 0;
        int any = 0;
        for (uint32_t k = 0; k < O->len; k++) {
            const darc *o = &b->pool[O->beg + k];
            if (o->other == in.other)
                continue;
            any = 1;
            if (o->key > max_out)
                max_out = o->key;
        }
        if (!any)
            continue;
        uint32_t targets = O->len - (b->tmark[in.other] == b->tgen);
        int rc = witness(b, in.other, v, in.key + max_out, max_settled, max_hops, targets);
        if (rc)
            return rc;
        for (uint32_t k = 0; k < O->len; k++) {
            darc o = b->pool[O->beg + k];
            if (o.other == in.other)
                continue;
            uint64_t sc = in.key + o.key;
            if (b->wstamp[o.other] == b->wgen && b->wdist[o.other] <= sc)
                continue;
            count++;
            if (!apply)
                continue;
            if (key_dur(sc) >= W_LIMIT || key_len(sc) >= W_LIMIT)
                return HH_ERANGE;
            rc = add_arc(b, in.other, o.other, sc);
            if (rc < 0)
                return rc;
            b->shortcuts += (uint32_t)rc;
        }
    }
    return count;
}

/* Edge difference (shortcuts made minus arcs removed) + deleted neighbours. */
static int64_t priority(builder *b, uint32_t v, int32_t *out)
{
    int64_t sc = shortcuts_of(b, v, 0);
    if (sc < 0)
        return sc;
    int64_t ed = sc - (int64_t)b->in[v].len - (int64_t)b->out[v].len;
    int64_t p = ED_WEIGHT * ed + (int64_t)b->deleted[v];
    *out = p > INT32_MAX / 2 ? INT32_MAX / 2 : p < INT32_MIN / 2 ? INT32_MIN / 2 : (int32_t)p;
    return 0;
}

/* ---- priority queue (binary heap of vertices keyed by b->prio) ---------- */

static void pq_up(builder *b, uint32_t i)
{
    uint32_t v = b->pq[i];
    int64_t k = b->prio[v];
    while (i > 0) {
        uint32_t p = (i - 1) / 2, pv = b->pq[p];
        if (b->prio[pv] <= k)
            break;
        b->pq[i] = pv;
        b->pq_pos[pv] = i;
        i = p;
    }
    b->pq[i] = v;
    b->pq_pos[v] = i;
}

static void pq_down(builder *b, uint32_t i)
{
    uint32_t v = b->pq[i], n = b->pq_n;
    int64_t k = b->prio[v];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && b->prio[b->pq[c + 1]] < b->prio[b->pq[c]])
            c++;
        if (b->prio[b->pq[c]] >= k)
            break;
        b->pq[i] = b->pq[c];
        b->pq_pos[b->pq[i]] = i;
        i = c;
    }
    b->pq[i] = v;
    b->pq_pos[v] = i;
}

static void pq_set(builder *b, uint32_t v, int32_t p)
{
    int64_t k = (int64_t)p * ((int64_t)1 << 32) + v;
    int64_t old = b->prio[v];
    b->prio[v] = k;
    if (k < old)
        pq_up(b, b->pq_pos[v]);
    else
        pq_down(b, b->pq_pos[v]);
}

static uint32_t pq_pop(builder *b)
{
    uint32_t v = b->pq[0];
    b->pq_pos[v] = NONE;
    if (--b->pq_n) {
        b->pq[0] = b->pq[b->pq_n];
        pq_down(b, 0);
    }
    return v;
}

/* ---- contraction -------------------------------------------------------- */

static int emit(builder *b, oarc **arr, size_t *n, size_t *cap, const dlist *L)
{
    if (hh__grow(arr, cap, *n + L->len, sizeof **arr))
        return HH_ENOMEM;
    for (uint32_t i = 0; i < L->len; i++) {
        const darc *a = &b->pool[L->beg + i];
        (*arr)[(*n)++] = (oarc){a->key, a->other, 0};
    }
    return 0;
}

static void next_mark(builder *b)
{
    if (++b->mark_gen == 0) {
        memset(b->mark, 0, (size_t)b->n * sizeof *b->mark);
        b->mark_gen = 1;
    }
}

static int refresh(builder *b, uint32_t x)
{
    if (b->done[x] || b->mark[x] == b->mark_gen)
        return 0;
    b->mark[x] = b->mark_gen;
    int32_t p;
    int rc = (int)priority(b, x, &p);
    if (rc)
        return rc;
    pq_set(b, x, p);
    return 0;
}

static int contract(builder *b, uint32_t v, uint32_t order)
{
    int64_t rc = shortcuts_of(b, v, 1);
    if (rc < 0)
        return (int)rc;
    b->crank[v] = order;
    b->done[v] = 1;
    const dlist *I = &b->in[v], *O = &b->out[v];
    b->ofwd_first[order] = b->ofwd_n;
    b->obwd_first[order] = b->obwd_n;
    if (emit(b, &b->ofwd, &b->ofwd_n, &b->ofwd_cap, O) ||
        emit(b, &b->obwd, &b->obwd_n, &b->obwd_cap, I))
        return HH_ENOMEM;
    for (uint32_t i = 0; i < O->len; i++) {
        uint32_t w = b->pool[O->beg + i].other;
        list_remove(b, &b->in[w], v);
    }
    for (uint32_t i = 0; i < I->len; i++) {
        uint32_t u = b->pool[I->beg + i].other;
        list_remove(b, &b->out[u], v);
    }
    /* neighbours: one more deleted neighbour, one level above v at least,
     * and a fresh priority */
    next_mark(b);
    for (int side = 0; side < 2; side++) {
        const dlist *L = side ? I : O;
        for (uint32_t i = 0; i < L->len; i++) {
            uint32_t x = b->pool[L->beg + i].other;
            if (b->mark[x] == b->mark_gen)
                continue;
            b->mark[x] = b->mark_gen;
            b->deleted[x]++;
            if (b->level[x] < b->level[v] + 1)
                b->level[x] = b->level[v] + 1;
        }
    }
    if (b->fixed)
        return 0;
    next_mark(b);
    for (int side = 0; side < 2; side++) {
        const dlist *L = side ? I : O;
        for (uint32_t i = 0; i < L->len; i++) {
            uint32_t x = b->pool[L->beg + i].other;
            if (b->in[x].len + b->out[x].len > REFRESH_MAX_ARCS)
                continue;
            int e = refresh(b, x);
            if (e)
                return e;
        }
    }
    return 0;
}

static void builder_free(builder *b)
{
    hh__free(b->pool), hh__free(b->out), hh__free(b->in), hh__free(b->done);
    hh__free(b->deleted), hh__free(b->level), hh__free(b->mark);
    hh__free(b->wstamp), hh__free(b->wdist), hh__free(b->wheap), hh__free(b->tmark);
    hh__free(b->prio), hh__free(b->pq), hh__free(b->pq_pos);
    hh__free(b->crank), hh__free(b->ofwd_first), hh__free(b->obwd_first);
    hh__free(b->ofwd), hh__free(b->obwd);
}

static void sort_arcs(hh__ch_arc *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        hh__ch_arc x = a[i];
        uint32_t j = i;
        for (; j > 0 && a[j - 1].head > x.head; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Copies the arcs of vertex v (contraction order c) into out, renumbered. */
static uint32_t place(const size_t *first, const oarc *oa, uint32_t c,
                      const uint32_t *rank, hh__ch_arc *out)
{
    size_t a = first[c], z = first[c + 1];
    for (size_t i = a; i < z; i++)
        out[i - a] = (hh__ch_arc){rank[oa[i].head], key_dur(oa[i].key), key_len(oa[i].key)};
    sort_arcs(out, (uint32_t)(z - a));
    return (uint32_t)(z - a);
}

/* Renumbers by (level, vertex) and lays the arrays out in one block. */
static int assemble(builder *b, hh__ch *out)
{
    uint32_t n = b->n, max_level = 0;
    if (b->ofwd_n > UINT32_MAX || b->obwd_n > UINT32_MAX)
        return HH_ERANGE;
    for (uint32_t v = 0; v < n; v++)
        if (b->level[v] > max_level)
            max_level = b->level[v];
    size_t n_fwd = b->ofwd_n, n_bwd = b->obwd_n;
    size_t words = (size_t)n + 2 * ((size_t)n + 1) + 3 * (n_fwd + n_bwd) + n_bwd;
    uint32_t *block = hh__alloc_array(words, sizeof *block);
    uint32_t *cnt = hh__calloc((size_t)max_level + 2, sizeof *cnt);
    uint32_t *order = hh__alloc_array(n ? n : 1, sizeof *order);
    if (!block || !cnt || !order) {
        hh__free(block), hh__free(cnt), hh__free(order);
        return HH_ENOMEM;
    }
    uint32_t *rank = block, *fwd_first = rank + n, *bwd_first = fwd_first + n + 1;
    hh__ch_arc *fwd = (hh__ch_arc *)(bwd_first + n + 1), *bwd = fwd + n_fwd;
    for (uint32_t v = 0; v < n; v++)
        cnt[b->level[v] + 1]++;
    for (uint32_t l = 0; l <= max_level; l++)
        cnt[l + 1] += cnt[l];
    for (uint32_t v = 0; v < n; v++) {
        uint32_t id = cnt[b->level[v]]++;
        rank[v] = id;
        order[id] = v;
    }
    b->ofwd_first[n] = n_fwd;
    b->obwd_first[n] = n_bwd;
    uint32_t nf = 0, nb = 0;
    fwd_first[0] = bwd_first[0] = 0;
    for (uint32_t id = 0; id < n; id++) {
        uint32_t c = b->crank[order[id]];
        nf += place(b->ofwd_first, b->ofwd, c, rank, fwd + nf);
        nb += place(b->obwd_first, b->obwd, c, rank, bwd + nb);
        fwd_first[id + 1] = nf;
        bwd_first[id + 1] = nb;
    }
    hh__free(cnt), hh__free(order);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->n_fwd = nf;
    out->n_bwd = nb;
    out->n_shortcuts = b->shortcuts;
    out->rank = rank;
    out->fwd_first = fwd_first;
    out->fwd = fwd;
    out->bwd_first = bwd_first;
    out->bwd = bwd;
    uint32_t *tail = (uint32_t *)(bwd + n_bwd);
    hh__ch_tails(out, tail);
    out->bwd_tail = tail;
    out->owned = block;
    return 0;
}

void hh__ch_tails(const hh__ch *ch, uint32_t *tail)
{
    for (uint32_t x = 0; x < ch->n; x++)
        for (uint32_t e = ch->bwd_first[x], end = ch->bwd_first[x + 1]; e < end; e++)
            tail[e] = x;
}

/* The builder over the input graph, before any contraction. */
static int builder_init(builder *b, uint32_t n, const uint32_t *first_out, const hh__arc *arcs)
{
    if (first_out[0] != 0)
        return HH_EINVAL;
    for (uint32_t v = 0; v < n; v++) {
        if (first_out[v + 1] < first_out[v])
            return HH_EINVAL;
        for (uint32_t a = first_out[v]; a < first_out[v + 1]; a++) {
            if (arcs[a].head >= n)
                return HH_EINVAL;
            if (arcs[a].dur_ds >= W_LIMIT || arcs[a].len_dm >= W_LIMIT)
                return HH_ERANGE;
        }
    }
    memset(b, 0, sizeof *b);
    b->n = n;
    size_t nn = n ? n : 1;
    b->out = hh__calloc(nn, sizeof *b->out);
    b->in = hh__calloc(nn, sizeof *b->in);
    b->done = hh__calloc(nn, 1);
    b->deleted = hh__calloc(nn, sizeof *b->deleted);
    b->level = hh__calloc(nn, sizeof *b->level);
    b->mark = hh__calloc(nn, sizeof *b->mark);
    b->wstamp = hh__calloc(nn, sizeof *b->wstamp);
    b->tmark = hh__calloc(nn, sizeof *b->tmark);
    b->wdist = hh__alloc_array(nn, sizeof *b->wdist);
    b->prio = hh__alloc_array(nn, sizeof *b->prio);
    b->pq = hh__alloc_array(nn, sizeof *b->pq);
    b->pq_pos = hh__alloc_array(nn, sizeof *b->pq_pos);
    b->crank = hh__alloc_array(nn, sizeof *b->crank);
    b->ofwd_first = hh__alloc_array(nn + 1, sizeof *b->ofwd_first);
    b->obwd_first = hh__alloc_array(nn + 1, sizeof *b->obwd_first);
    if (!b->out || !b->in || !b->done || !b->deleted || !b->level || !b->mark || !b->wstamp || !b->tmark ||
        !b->wdist || !b->prio || !b->pq || !b->pq_pos || !b->crank || !b->ofwd_first ||
        !b->obwd_first)
        return HH_ENOMEM;
    /* pool sized for the input with some room; lists grow by moving */
    if (hh__grow(&b->pool, &b->pool_cap, 2 * (size_t)first_out[n] + 8 * (size_t)n + 16,
                 sizeof *b->pool))
        return HH_ENOMEM;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t a = first_out[v]; a < first_out[v + 1]; a++)
            if (arcs[a].head != v &&
                add_arc(b, v, arcs[a].head, KEY(arcs[a].dur_ds, arcs[a].len_dm)) < 0)
                return HH_ENOMEM;
    return 0;
}

int hh__ch_build(uint32_t n, const uint32_t *first_out, const hh__arc *arcs, hh__ch *out)
{
    builder B, *b = &B;
    memset(b, 0, sizeof B);
    int rc = builder_init(b, n, first_out, arcs);
    if (rc)
        goto fail;
    for (uint32_t v = 0; v < n; v++) {
        int32_t p;
        if ((rc = (int)priority(b, v, &p)))
            goto fail;
        b->prio[v] = (int64_t)p * ((int64_t)1 << 32) + v;
        b->pq[v] = v;
        b->pq_pos[v] = v;
    }
    b->pq_n = n;
    for (uint32_t i = n / 2; i-- > 0;)
        pq_down(b, i);
    uint32_t order = 0;
    while (b->pq_n) {
        uint32_t v = b->pq[0];
        int32_t p;
        if ((rc = (int)priority(b, v, &p)))
            goto fail;
        int64_t k = (int64_t)p * ((int64_t)1 << 32) + v;
        if (k > b->prio[v] && b->pq_n > 1) {
            pq_set(b, v, p); /* lazy update: worse than thought, try the next */
            if (b->pq[0] != v)
                continue;
        }
        pq_pop(b);
        if ((rc = contract(b, v, order++)))
            goto fail;
    }
    rc = assemble(b, out);
fail:
    builder_free(b);
    return rc;
}

static int cmp_order(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;
    return (a > c) - (a < c);
}

int hh__ch_build_ordered(uint32_t n, const uint32_t *first_out, const hh__arc *arcs, const uint32_t *key,
                         hh__ch *out)
{
    builder B, *b = &B;
    memset(b, 0, sizeof B);
    uint64_t *ord = NULL;
    int rc = builder_init(b, n, first_out, arcs);
    if (rc)
        goto fail;
    b->fixed = 1;
    rc = HH_ENOMEM;
    if (!(ord = hh__alloc_array(n ? n : 1, sizeof *ord)))
        goto fail;
    for (uint32_t v = 0; v < n; v++)
        ord[v] = (uint64_t)key[v] << 32 | v;
    qsort(ord, n, sizeof *ord, cmp_order);
    for (uint32_t k = 0; k < n; k++)
        if ((rc = contract(b, (uint32_t)ord[k], k)))
            goto fail;
    rc = assemble(b, out);
fail:
    hh__free(ord);
    builder_free(b);
    return rc;
}

/* ---- update after a change ------------------------------------------ */

/* Adds or lowers the arc a -> b (CH ids) in the list of the lower one and
 * marks it changed (darc.pad = 1) and that node dirty.  1 when it changed,
 * 0 when the arc there was as good, or HH_ENOMEM. */
static int up_relax(builder *b, uint8_t *dirty, uint32_t a, uint32_t c, uint64_t key)
{
    dlist *L = a < c ? &b->out[a] : &b->in[c];
    uint32_t other = a < c ? c : a;
    darc *arr = b->pool + L->beg;
    for (uint32_t i = 0; i < L->len; i++)
        if (arr[i].other == other) {
            if (arr[i].key <= key)
                return 0;
            arr[i].key = key;
            arr[i].pad = 1;
            dirty[a < c ? a : c] = 1;
            return 1;
        }
    if (list_push(b, L, other, key))
        return HH_ENOMEM;
    b->pool[L->beg + L->len - 1].pad = 1;
    dirty[a < c ? a : c] = 1;
    b->shortcuts++;
    return 1;
}

/* Least key of the arcs u -> v of a CSR graph, KEY_INF when none. */
static uint64_t least_arc(const uint32_t *fo, const hh__arc *A, uint32_t u, uint32_t v)
{
    uint64_t best = KEY_INF;
    for (uint32_t a = fo[u]; a < fo[u + 1]; a++)
        if (A[a].head == v && KEY(A[a].dur_ds, A[a].len_dm) < best)
            best = KEY(A[a].dur_ds, A[a].len_dm);
    return best;
}

/* Whether every arc of the old graph still has a path at most as long in
 * the new one: itself, or two arcs through a node the change added (an
 * edge split in two).  Then every arc of the old hierarchy is still the
 * length of a real path. */
static int only_faster(const hh__ch *old, const uint32_t *ofo, const hh__arc *oA, const uint32_t *fo,
                       const hh__arc *A, const uint32_t *new_of, const uint32_t *old_of)
{
    for (uint32_t u = 0; u < old->n; u++)
        for (uint32_t a = ofo[u]; a < ofo[u + 1]; a++) {
            uint32_t v = oA[a].head;
            if (v == u)
                continue;
            uint64_t w = KEY(oA[a].dur_ds, oA[a].len_dm);
            uint32_t nu = new_of[u], nv = new_of[v];
            int ok = least_arc(fo, A, nu, nv) <= w;
            for (uint32_t x = fo[nu]; !ok && x < fo[nu + 1]; x++) {
                uint32_t s = A[x].head;
                if (old_of[s] != NONE)
                    continue;
                uint64_t k1 = KEY(A[x].dur_ds, A[x].len_dm), k2 = least_arc(fo, A, s, nv);
                ok = k2 != KEY_INF && k1 + k2 <= w;
            }
            if (!ok)
                return 0;
        }
    return 1;
}

static int update_in_place(const hh__ch *old, const uint32_t *ofo, const hh__arc *oA, uint32_t n,
                           const uint32_t *fo, const hh__arc *A, const uint32_t *old_of, const uint32_t *key,
                           hh__ch *out)
{
    builder B, *b = &B;
    memset(b, 0, sizeof B);
    b->n = n;
    size_t nn = n ? n : 1;
    uint8_t *dirty = hh__calloc(nn, 1);
    int rc = HH_ENOMEM;
    b->out = hh__calloc(nn, sizeof *b->out);
    b->in = hh__calloc(nn, sizeof *b->in);
    b->level = hh__calloc(nn, sizeof *b->level);
    b->crank = hh__alloc_array(nn, sizeof *b->crank);
    b->ofwd_first = hh__alloc_array(nn + 1, sizeof *b->ofwd_first);
    b->obwd_first = hh__alloc_array(nn + 1, sizeof *b->obwd_first);
    if (!dirty || !b->out || !b->in || !b->level || !b->crank || !b->ofwd_first || !b->obwd_first ||
        hh__grow(&b->pool, &b->pool_cap, (size_t)old->n_fwd + old->n_bwd + 4 * (size_t)n + 16, sizeof *b->pool))
        goto done;
    /* the old hierarchy's upward lists, by CH id (= key for old nodes) */
    for (uint32_t x = 0; x < old->n; x++) {
        for (uint32_t a = old->fwd_first[x]; a < old->fwd_first[x + 1]; a++)
            if (list_push(b, &b->out[x], old->fwd[a].head, KEY(old->fwd[a].dur_ds, old->fwd[a].len_dm)))
                goto done;
        for (uint32_t a = old->bwd_first[x]; a < old->bwd_first[x + 1]; a++)
            if (list_push(b, &b->in[x], old->bwd[a].head, KEY(old->bwd[a].dur_ds, old->bwd[a].len_dm)))
                goto done;
    }
    /* arcs the change added or made faster */
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t a = fo[u]; a < fo[u + 1]; a++) {
            uint32_t v = A[a].head;
            if (v == u)
                continue;
            uint64_t k = KEY(A[a].dur_ds, A[a].len_dm);
            if (old_of[u] != NONE && old_of[v] != NONE && least_arc(ofo, oA, old_of[u], old_of[v]) <= k)
                continue;
            if (up_relax(b, dirty, key[u], key[v], k) < 0)
                goto done;
        }
    /* close every lower triangle of a changed arc, lowest node first: a
     * valley a -> x -> c whose arc changed gets its shortcut a -> c */
    for (uint32_t x = 0; x < n; x++) {
        if (!dirty[x])
            continue;
        for (int side = 0; side < 2; side++) {
            /* side 0: changed x -> c with every a -> x; side 1: changed a -> x with every x -> c */
            const dlist *C = side ? &b->in[x] : &b->out[x], *O = side ? &b->out[x] : &b->in[x];
            for (uint32_t i = 0; i < C->len; i++) {
                darc ch = b->pool[C->beg + i];
                if (!ch.pad)
                    continue;
                for (uint32_t j = 0; j < O->len; j++) {
                    darc o = b->pool[O->beg + j];
                    if (o.other == ch.other)
                        continue;
                    uint64_t sc = ch.key + o.key;
                    if (key_dur(sc) >= W_LIMIT || key_len(sc) >= W_LIMIT) {
                        rc = HH_ERANGE;
                        goto done;
                    }
                    uint32_t from = side ? ch.other : o.other, to = side ? o.other : ch.other;
                    if (up_relax(b, dirty, from, to, sc) < 0)
                        goto done;
                }
            }
        }
    }
    /* lay out as the build does; CH id = key, so no level is needed: one
     * "level" per node keeps assemble's order */
    b->ofwd_n = b->obwd_n = 0;
    for (uint32_t x = 0; x < n; x++) {
        b->crank[x] = x;
        b->level[x] = 0;
        b->ofwd_first[x] = b->ofwd_n;
        b->obwd_first[x] = b->obwd_n;
        if (emit(b, &b->ofwd, &b->ofwd_n, &b->ofwd_cap, &b->out[x]) ||
            emit(b, &b->obwd, &b->obwd_n, &b->obwd_cap, &b->in[x]))
            goto done;
    }
    /* assemble renumbers by (level, node): with every level 0 and the
     * nodes being CH ids already, the ids stay */
    uint32_t added = b->shortcuts;
    rc = assemble(b, out);
    if (!rc) {
        /* assemble ranked by position: map node v to key[v] */
        uint32_t *rank = (uint32_t *)out->rank;
        for (uint32_t v = 0; v < n; v++)
            rank[v] = key[v];
        out->n_shortcuts = old->n_shortcuts + added;
    }
done:
    hh__free(dirty);
    builder_free(b);
    return rc;
}

int hh__ch_update(const hh__ch *old, const uint32_t *old_fo, const hh__arc *old_arcs, uint32_t n,
                  const uint32_t *first_out, const hh__arc *arcs, const uint32_t *old_of, hh__ch *out, int *how)
{
    size_t nn = n ? n : 1;
    uint32_t *key = hh__alloc_array(nn, sizeof *key), *new_of = hh__alloc_array(old->n ? old->n : 1, sizeof *new_of);
    int rc = HH_ENOMEM;
    if (!key || !new_of)
        goto done;
    for (uint32_t u = 0; u < old->n; u++)
        new_of[u] = NONE;
    int mapped = 1;
    uint32_t next = old->n;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t o = old_of[v];
        if (o == NONE) {
            key[v] = next++;
            continue;
        }
        if (o >= old->n || new_of[o] != NONE) {
            rc = HH_EINVAL;
            goto done;
        }
        new_of[o] = v;
        key[v] = old->rank[o];
    }
    for (uint32_t u = 0; u < old->n; u++)
        mapped &= new_of[u] != NONE;
    if (mapped && only_faster(old, old_fo, old_arcs, first_out, arcs, new_of, old_of)) {
        rc = update_in_place(old, old_fo, old_arcs, n, first_out, arcs, old_of, key, out);
        if (how && !rc)
            *how = 0;
    } else {
        /* something is slower or gone: a witness anywhere near may have
         * relied on it, which the stored hierarchy cannot tell, so all of
         * it is contracted again, in the old order (old nodes that are
         * gone leave gaps in the keys, which the order does not mind) */
        rc = hh__ch_build_ordered(n, first_out, arcs, key, out);
        if (how && !rc)
            *how = 1;
    }
done:
    hh__free(key), hh__free(new_of);
    return rc;
}

void hh__ch_free(hh__ch *ch)
{
    if (!ch)
        return;
    hh__free(ch->owned);
    hh__free(ch->owned_tail);
    memset(ch, 0, sizeof *ch);
}

int hh__ch_check(const hh__ch *ch)
{
    uint32_t n = ch->n;
    const uint32_t *first[2] = {ch->fwd_first, ch->bwd_first};
    const hh__ch_arc *arcs[2] = {ch->fwd, ch->bwd};
    uint32_t count[2] = {ch->n_fwd, ch->n_bwd};
    for (int g = 0; g < 2; g++) {
        if (first[g][0] != 0 || first[g][n] != count[g])
            return HH_EFORMAT;
        for (uint32_t x = 0; x < n; x++) {
            if (first[g][x + 1] < first[g][x] || first[g][x + 1] > count[g])
                return HH_EFORMAT;
            for (uint32_t a = first[g][x]; a < first[g][x + 1]; a++)
                if (arcs[g][a].head <= x || arcs[g][a].head >= n)
                    return HH_EFORMAT;
        }
    }
    uint8_t *seen = hh__calloc(n ? n : 1, 1);
    if (!seen)
        return HH_ENOMEM;
    int rc = 0;
    for (uint32_t v = 0; v < n && !rc; v++) {
        if (ch->rank[v] >= n || seen[ch->rank[v]])
            rc = HH_EFORMAT;
        else
            seen[ch->rank[v]] = 1;
    }
    hh__free(seen);
    return rc;
}

/* ======================================================================= */
/* queries                                                                 */
/* ======================================================================= */

int hh__ch_ws_init(hh__ch_ws *ws, uint32_t n)
{
    hh__ch_ws w;
    memset(&w, 0, sizeof w);
    size_t nn = n ? n : 1;
    w.n = n;
    w.stamp = hh__calloc(nn, sizeof *w.stamp);
    w.dist = hh__alloc_array(nn, sizeof *w.dist);
    w.heap = hh__alloc_array(nn, sizeof *w.heap);
    w.pos = hh__alloc_array(nn, sizeof *w.pos);
    w.settled = hh__alloc_array(nn, sizeof *w.settled);
    if (!w.stamp || !w.dist || !w.heap || !w.pos || !w.settled) {
        hh__ch_ws_free(&w);
        return HH_ENOMEM;
    }
    *ws = w;
    return 0;
}

void hh__ch_ws_free(hh__ch_ws *ws)
{
    if (!ws)
        return;
    hh__free(ws->stamp), hh__free(ws->dist), hh__free(ws->heap);
    hh__free(ws->pos), hh__free(ws->settled), hh__free(ws->row);
    memset(ws, 0, sizeof *ws);
}

static void new_search(hh__ch_ws *ws)
{
    if (++ws->gen == 0) {
        memset(ws->stamp, 0, (size_t)ws->n * sizeof *ws->stamp);
        ws->gen = 1;
    }
    ws->heap_n = 0;
    ws->n_settled = 0;
}

static inline void heap_up(hh__ch_ws *ws, uint32_t i)
{
    uint32_t x = ws->heap[i];
    uint64_t d = ws->dist[x];
    while (i > 0) {
        uint32_t p = (i - 1) / 4, px = ws->heap[p];
        if (ws->dist[px] <= d)
            break;
        ws->heap[i] = px;
        ws->pos[px] = i;
        i = p;
    }
    ws->heap[i] = x;
    ws->pos[x] = i;
}

static inline uint32_t heap_pop(hh__ch_ws *ws)
{
    uint32_t top = ws->heap[0];
    ws->pos[top] = NONE;
    uint32_t n = --ws->heap_n;
    if (n == 0)
        return top;
    uint32_t x = ws->heap[n], i = 0;
    uint64_t d = ws->dist[x];
    for (;;) {
        uint32_t c = 4 * i + 1;
        if (c >= n)
            break;
        uint32_t best = c, end = c + 4 < n ? c + 4 : n;
        uint64_t bd = ws->dist[ws->heap[c]];
        for (uint32_t k = c + 1; k < end; k++) {
            uint64_t kd = ws->dist[ws->heap[k]];
            if (kd < bd)
                bd = kd, best = k;
        }
        if (bd >= d)
            break;
        ws->heap[i] = ws->heap[best];
        ws->pos[ws->heap[i]] = i;
        i = best;
    }
    ws->heap[i] = x;
    ws->pos[x] = i;
    return top;
}

static inline void offer(hh__ch_ws *ws, uint32_t x, uint64_t k)
{
    if (ws->stamp[x] != ws->gen) {
        ws->stamp[x] = ws->gen;
        ws->dist[x] = k;
        ws->heap[ws->heap_n] = x;
        heap_up(ws, ws->heap_n++);
    } else if (k < ws->dist[x] && ws->pos[x] != NONE) {
        ws->dist[x] = k;
        heap_up(ws, ws->pos[x]);
    }
}

/* Largest key a search keeps; a dur of UINT32_MAX is never a result. */
static uint64_t bound_key(uint32_t max_ds)
{
    return max_ds == HH_CH_NO_BOUND ? KEY(HH_CH_UNREACHED, 0) - 1 : KEY(max_ds, UINT32_MAX);
}

static int seed_ok(const hh__ch *ch, const hh__ch_seed *s)
{
    return s->vertex < ch->n && s->dur_ds < W_LIMIT && s->len_dm < W_LIMIT;
}

/* Upward Dijkstra over graph (first, A) from seeds [a, z); with stall
 * arrays (the opposite graph) given, stall-on-demand skips vertices reached
 * more cheaply from above.  Settled, unstalled CH ids go to ws->settled. */
static void up_search(const hh__ch *ch, hh__ch_ws *ws, const uint32_t *first,
                      const hh__ch_arc *A, const uint32_t *sfirst, const hh__ch_arc *S,
                      const hh__ch_seed *seeds, size_t a, size_t z, uint64_t bound)
{
    new_search(ws);
    for (size_t i = a; i < z; i++) {
        uint64_t k = KEY(seeds[i].dur_ds, seeds[i].len_dm);
        if (k <= bound)
            offer(ws, ch->rank[seeds[i].vertex], k);
    }
    while (ws->heap_n) {
        uint32_t x = heap_pop(ws);
        uint64_t d = ws->dist[x];
        if (S) {
            int stalled = 0;
            for (uint32_t e = sfirst[x], end = sfirst[x + 1]; e < end; e++) {
                uint32_t y = S[e].head;
                if (ws->stamp[y] == ws->gen &&
                    ws->dist[y] + KEY(S[e].dur_ds, S[e].len_dm) < d) {
                    stalled = 1;
                    break;
                }
            }
            if (stalled)
                continue;
        }
        ws->settled[ws->n_settled++] = x;
        for (uint32_t e = first[x], end = first[x + 1]; e < end; e++) {
            uint64_t k = d + KEY(A[e].dur_ds, A[e].len_dm);
            if (k <= bound)
                offer(ws, A[e].head, k);
        }
    }
}

/* Checks seeds: in range, grouped by index non-decreasing in [lo, hi). */
static int seeds_ok(const hh__ch *ch, const hh__ch_seed *seeds, size_t n_seeds, uint32_t lo,
                    uint64_t hi)
{
    for (size_t i = 0; i < n_seeds; i++) {
        if (!seed_ok(ch, &seeds[i]) || seeds[i].index < lo || seeds[i].index >= hi)
            return 0;
        if (i && seeds[i].index < seeds[i - 1].index)
            return 0;
    }
    return 1;
}

int hh__ch_buckets_build(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds,
                         size_t n_seeds, uint32_t n_targets, uint32_t max_ds,
                         hh__ch_buckets *out)
{
    if (!seeds_ok(ch, seeds, n_seeds, 0, n_targets))
        return HH_EINVAL;
    uint64_t bound = bound_key(max_ds);
    uint32_t n = ch->n;
    /* entries as (key, target, CH id) in target order, then bucketed */
    hh__ch_bucket_entry *tmp = NULL, *entry = NULL;
    size_t n_tmp = 0, cap_tmp = 0;
    uint32_t *first = hh__calloc((size_t)n + 2, sizeof *first);
    if (!first)
        return HH_ENOMEM;
    for (size_t a = 0; a < n_seeds;) {
        size_t z = a + 1;
        while (z < n_seeds && seeds[z].index == seeds[a].index)
            z++;
        up_search(ch, ws, ch->bwd_first, ch->bwd, ch->fwd_first, ch->fwd, seeds, a, z, bound);
        if (hh__grow(&tmp, &cap_tmp, n_tmp + ws->n_settled, sizeof *tmp))
            goto nomem;
        for (uint32_t i = 0; i < ws->n_settled; i++) {
            uint32_t x = ws->settled[i];
            tmp[n_tmp++] = (hh__ch_bucket_entry){ws->dist[x], seeds[a].index, x};
            first[x + 2]++;
        }
        a = z;
    }
    entry = hh__alloc_array(n_tmp ? n_tmp : 1, sizeof *entry);
    if (!entry)
        goto nomem;
    /* counting sort, stable: first[x+1] becomes the fill position of x */
    for (uint32_t x = 0; x < n; x++)
        first[x + 2] += first[x + 1];
    for (size_t i = 0; i < n_tmp; i++) {
        uint32_t x = tmp[i].pad;
        entry[first[x + 1]++] = (hh__ch_bucket_entry){tmp[i].key, tmp[i].target, 0};
    }
    hh__free(tmp);
    out->n_targets = n_targets;
    out->max_ds = max_ds;
    out->first = first;
    out->entry = entry;
    out->n_entries = n_tmp;
    return 0;
nomem:
    hh__free(tmp), hh__free(first);
    return HH_ENOMEM;
}

void hh__ch_buckets_free(hh__ch_buckets *b)
{
    if (!b)
        return;
    hh__free(b->first), hh__free(b->entry);
    memset(b, 0, sizeof *b);
}

static void write_row(const uint64_t *row, uint32_t nt, uint64_t bound, uint32_t *dur,
                      uint32_t *len)
{
    for (uint32_t j = 0; j < nt; j++) {
        uint64_t k = row[j];
        int reached = k <= bound;
        dur[j] = reached ? key_dur(k) : HH_CH_UNREACHED;
        if (len)
            len[j] = reached ? key_len(k) : HH_CH_UNREACHED;
    }
}

int hh__ch_many_to_many(const hh__ch *ch, const hh__ch_buckets *b, hh__ch_ws *ws,
                        const hh__ch_seed *seeds, size_t n_seeds, uint32_t first_source,
                        uint32_t n_sources, uint32_t *dur_ds, uint32_t *len_dm)
{
    if (!seeds_ok(ch, seeds, n_seeds, first_source, (uint64_t)first_source + n_sources))
        return HH_EINVAL;
    uint32_t nt = b->n_targets;
    if (hh__grow(&ws->row, &ws->cap_row, nt ? nt : 1, sizeof *ws->row))
        return HH_ENOMEM;
    uint64_t bound = bound_key(b->max_ds);
    uint64_t *row = ws->row;
    size_t a = 0;
    for (uint32_t i = 0; i < n_sources; i++) {
        uint32_t src = first_source + i;
        for (uint32_t j = 0; j < nt; j++)
            row[j] = KEY_INF;
        size_t z = a;
        while (z < n_seeds && seeds[z].index == src)
            z++;
        if (z > a) {
            up_search(ch, ws, ch->fwd_first, ch->fwd, ch->bwd_first, ch->bwd, seeds, a, z, bound);
            for (uint32_t s = 0; s < ws->n_settled; s++) {
                uint32_t x = ws->settled[s];
                uint64_t d = ws->dist[x];
                const hh__ch_bucket_entry *e = b->entry + b->first[x];
                const hh__ch_bucket_entry *end = b->entry + b->first[x + 1];
                for (; e < end; e++) {
                    uint64_t k = d + e->key;
                    if (k < row[e->target])
                        row[e->target] = k;
                }
            }
        }
        a = z;
        write_row(row, nt, bound, dur_ds + (size_t)i * nt, len_dm ? len_dm + (size_t)i * nt : NULL);
    }
    return 0;
}

/* The upward search from the seeds, then the downward sweep over every CH
 * id; with node_head, each node's arrival (time + node_key) is kept in
 * arrive[node_head[x]] as it is found. */
static int phast_sweep(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds, size_t n_seeds, uint32_t max_ds,
                       const uint32_t *node_head, const uint64_t *node_key, uint64_t *arrive)
{
    for (size_t i = 0; i < n_seeds; i++)
        if (!seed_ok(ch, &seeds[i]))
            return HH_EINVAL;
    uint64_t bound = bound_key(max_ds);
    up_search(ch, ws, ch->fwd_first, ch->fwd, NULL, NULL, seeds, 0, n_seeds, bound);
    /* The downward sweep as one flat loop over the bwd arcs, from the
     * highest tail down: arcs are grouped by tail and every head ranks above
     * its tail, so a head is final before it is read.  Without the inner
     * loop's variable trip count (two or three arcs a node) the sweep runs
     * about twice as fast as the nested form; the bound is applied after. */
    uint64_t *dist = ws->dist;
    const uint32_t *stamp = ws->stamp, gen = ws->gen;
    for (uint32_t x = 0; x < ch->n; x++)
        dist[x] = stamp[x] == gen ? dist[x] : KEY_INF;
    const hh__ch_arc *B = ch->bwd;
    const uint32_t *T = ch->bwd_tail;
    for (uint32_t e = ch->n_bwd; e-- > 0;) {
        uint64_t h = dist[B[e].head];
        uint64_t k = h + KEY(B[e].dur_ds, B[e].len_dm);
        k |= -(uint64_t)(k < h); /* saturate: unreached stays unreached */
        uint64_t *d = &dist[T[e]];
        *d = k < *d ? k : *d;
    }
    for (uint32_t x = 0; x < ch->n; x++) {
        uint64_t d = dist[x];
        if (d > bound) {
            dist[x] = KEY_INF;
            continue;
        }
        if (node_head) {
            uint64_t k = d + node_key[x];
            uint32_t v = node_head[x];
            arrive[v] = k < arrive[v] ? k : arrive[v];
        }
    }
    return 0;
}

int hh__ch_phast(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds, size_t n_seeds,
                 uint32_t max_ds, uint32_t *dur_ds, uint32_t *len_dm)
{
    int rc = phast_sweep(ch, ws, seeds, n_seeds, max_ds, NULL, NULL, NULL);
    if (rc)
        return rc;
    const uint64_t *dist = ws->dist;
    if (dur_ds || len_dm)
        for (uint32_t v = 0; v < ch->n; v++) {
            uint64_t k = dist[ch->rank[v]];
            if (dur_ds)
                dur_ds[v] = key_dur(k);
            if (len_dm)
                len_dm[v] = k == KEY_INF ? HH_CH_UNREACHED : key_len(k);
        }
    return 0;
}

int hh__ch_phast_arrivals(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds, size_t n_seeds,
                          uint32_t max_ds, const uint32_t *node_head, const uint64_t *node_key,
                          uint64_t *arrive)
{
    return phast_sweep(ch, ws, seeds, n_seeds, max_ds, node_head, node_key, arrive);
}
