/* turns.c: the car turn graph (see turns.h). */
#include "build/turns.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define NONE UINT32_MAX

double hh__turn_angle_cost(const hh_profile *p, double a)
{
    /* a logistic in the turn's sharpness: near 0 going straight, half of
     * car_turn_s at a right angle turned the easy way, most of it for a
     * sharp turn; the bias moves the curve's midpoint so that turns across
     * the traffic cost more */
    double bias = p->car_turn_bias, x = fabs(a) / 180.0;
    double slope = a >= 0 ? 13.0 / bias : 13.0 * bias;
    double mid = a >= 0 ? 6.5 * bias : 6.5 / bias;
    return p->car_turn_s / (1.0 + exp(-(slope * x - mid)));
}

/* Unit-free direction of a segment in the local plane (x east, y north). */
static void dir_of(hh__ll a, hh__ll b, double *dx, double *dy)
{
    double lat = (a.lat_e7 + (double)b.lat_e7) * 0.5e-7 * M_PI / 180.0;
    *dx = (b.lon_e7 - (double)a.lon_e7) * cos(lat);
    *dy = b.lat_e7 - (double)a.lat_e7;
}

/* The point next to the arc's tail (first step) or head (last step). */
static hh__ll arc_point(const hh__net_parts *P, const hh__arc *arc, int at_head, int from_end)
{
    const hh__edge *e = &P->edges[arc->edge_dir >> 1];
    int bwd = arc->edge_dir & 1;
    uint32_t s0 = P->shape_first[arc->edge_dir >> 1], s1 = P->shape_first[(arc->edge_dir >> 1) + 1];
    /* way order: from, shape[s0..s1), to; a backward arc runs it reversed */
    uint32_t tail = bwd ? e->to : e->from, head = bwd ? e->from : e->to;
    if (!from_end)
        return P->node_ll[at_head ? head : tail];
    if (s0 == s1)
        return P->node_ll[at_head ? tail : head];
    if (at_head) /* the point before the head */
        return bwd ? P->shape_ll[s0] : P->shape_ll[s1 - 1];
    return bwd ? P->shape_ll[s1 - 1] : P->shape_ll[s0]; /* the point after the tail */
}

/* Turn angle from arc i onto arc j at their common vertex, degrees, > 0 to
 * the right; 0 when either has no length to take a direction from. */
static double turn_angle(const hh__net_parts *P, const hh__arc *i, const hh__arc *j)
{
    double ax, ay, bx, by;
    dir_of(arc_point(P, i, 1, 1), arc_point(P, i, 1, 0), &ax, &ay);
    dir_of(arc_point(P, j, 0, 0), arc_point(P, j, 0, 1), &bx, &by);
    if ((ax == 0 && ay == 0) || (bx == 0 && by == 0))
        return 0;
    double cross = ax * by - ay * bx, dot = ax * bx + ay * by;
    return -atan2(cross, dot) * 180.0 / M_PI; /* clockwise = right = positive */
}

double hh__turns_angle(const hh__net_parts *P, uint32_t i, uint32_t j)
{
    return turn_angle(P, &P->arcs[HH_MODE_CAR][i], &P->arcs[HH_MODE_CAR][j]);
}

static int cmp_turn(const void *x, const void *y)
{
    const hh__turn *a = x, *b = y;
    if (a->via_node != b->via_node)
        return a->via_node < b->via_node ? -1 : 1;
    if (a->from_edge != b->from_edge)
        return a->from_edge < b->from_edge ? -1 : 1;
    return (a->to_edge > b->to_edge) - (a->to_edge < b->to_edge);
}

/* Restrictions sorted by (via, from): the range for one arriving arc. */
static void turn_range(const hh__turn *t, uint32_t n, uint32_t via, uint32_t from, uint32_t *lo, uint32_t *hi)
{
    uint32_t a = 0, b = n;
    while (a < b) {
        uint32_t m = a + (b - a) / 2;
        if (t[m].via_node < via || (t[m].via_node == via && t[m].from_edge < from))
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < n && t[a].via_node == via && t[a].from_edge == from)
        a++;
    *hi = a;
}

typedef struct move {
    uint32_t head; /* turn node */
    uint32_t w_ds; /* arc time + turn cost */
    uint32_t len_dm;
    uint32_t cost_ds;
} move;

typedef struct tlist {
    move *m;
    uint32_t n, cap;
} tlist;

static int tl_push(tlist *l, move x)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        move *nm = hh__realloc_array(l->m, cap, sizeof *nm);
        if (!nm)
            return HH_ENOMEM;
        l->m = nm, l->cap = cap;
    }
    l->m[l->n++] = x;
    return 0;
}

/* Whether the via-node restrictions rs[lo .. hi) of one arriving arc (only:
 * some of them are only_*) forbid the move onto edge `to`. */
static int forbidden(const hh__turn *rs, uint32_t lo, uint32_t hi, int only, uint32_t to)
{
    int named = 0;
    for (uint32_t r = lo; r < hi; r++)
        if (rs[r].to_edge == to) {
            if (!rs[r].only)
                return 1;
            named = 1;
        }
    return only && !named;
}

/* Appends the move from car arc i onto car arc j at a vertex with `roads`
 * car roads and the HH_VFLAG_* `flags`. */
static int add_move(const hh__net_parts *P, const hh_profile *p, tlist *L, uint32_t i, uint32_t j, uint32_t roads,
                    uint8_t flags, int uturn)
{
    const hh__arc *A = P->arcs[HH_MODE_CAR];
    double c = 0;
    if (p->car_turn_costs) {
        if (flags & HH_VFLAG_SIGNALS)
            c += p->car_signal_s;
        if (roads > 2 || uturn)
            c += hh__turn_angle_cost(p, uturn ? 180.0 : turn_angle(P, &A[i], &A[j]));
        if (uturn)
            c += p->car_uturn_s;
    }
    uint32_t cost = (uint32_t)llround(c * 10.0);
    uint64_t w = (uint64_t)A[i].dur_ds + cost;
    if (w >= (1u << 31))
        return HH_ERANGE;
    return tl_push(&L[i], (move){j, (uint32_t)w, A[i].len_dm, cost});
}

int hh__turns_build(hh__net_parts *P, const hh_profile *p, const uint8_t *vflags, const hh__turn_path *paths,
                    uint32_t n_paths, const uint32_t *path_arcs, hh__turn_stats *st)
{
    const int C = HH_MODE_CAR;
    const uint32_t n = P->n_nodes, na = P->n_arcs[C];
    const uint32_t *fo = P->first_out[C];
    const hh__arc *A = P->arcs[C];
    memset(st, 0, sizeof *st);
    int rc = HH_ENOMEM;
    uint32_t *roads = hh__calloc(n ? n : 1, sizeof *roads);
    hh__turn *rs = hh__alloc_array(P->n_turns ? P->n_turns : 1, sizeof *rs);
    /* copies grow as restrictions are applied */
    uint32_t n_dup = 0, *dup = NULL;
    size_t cap_dup = 0;
    tlist *L = NULL;
    size_t cap_l = 0;
    if (!roads || !rs)
        goto done;
    for (uint32_t e = 0; e < P->n_edges; e++)
        if (P->edges[e].mode_mask & (1u << C)) {
            roads[P->edges[e].from]++;
            if (P->edges[e].to != P->edges[e].from)
                roads[P->edges[e].to]++;
        }
    memcpy(rs, P->turns, (size_t)P->n_turns * sizeof *rs);
    qsort(rs, P->n_turns, sizeof *rs, cmp_turn);
    if (hh__grow(&L, &cap_l, (size_t)na + 1, sizeof *L))
        goto done;
    memset(L, 0, ((size_t)na + 1) * sizeof *L);

    /* the moves of every car arc */
    for (uint32_t i = 0; i < na; i++) {
        uint32_t v = A[i].head, ei = A[i].edge_dir >> 1;
        uint32_t rlo, rhi;
        turn_range(rs, P->n_turns, v, ei, &rlo, &rhi);
        int only = 0;
        for (uint32_t r = rlo; r < rhi; r++)
            only |= rs[r].only != 0;
        /* u-turns only where nothing else is allowed (dead ends, barriers,
         * restrictions leaving no way on), as OSRM does: elsewhere a car
         * turns round by a block, not in the middle of a junction */
        uint32_t uturn_at = NONE;
        for (uint32_t j = fo[v]; j < fo[v + 1]; j++) {
            uint32_t ej = A[j].edge_dir >> 1;
            if (ej == ei && (A[j].edge_dir & 1) != (A[i].edge_dir & 1)) {
                uturn_at = j;
                continue;
            }
            if ((vflags[v] & HH_VFLAG_CAR_BARRIER) && ej != ei)
                st->banned_barrier++;
            else if (forbidden(rs, rlo, rhi, only, ej))
                st->banned_node++;
            else if ((rc = add_move(P, p, L, i, j, roads[v], vflags[v], 0)))
                goto done;
        }
        if (L[i].n == 0 && uturn_at != NONE) {
            if (forbidden(rs, rlo, rhi, only, ei))
                st->banned_node++;
            else if ((rc = add_move(P, p, L, i, uturn_at, roads[v], vflags[v], 1)))
                goto done;
        }
    }
    rc = HH_ENOMEM; /* what the failures below report */

    /* restrictions via ways: copy the via arcs for travellers from `from` */
    for (uint32_t r = 0; r < n_paths; r++) {
        const uint32_t *pa = path_arcs + paths[r].first;
        uint32_t k = paths[r].n, a = pa[0];
        /* the first move must exist and not be claimed by another copy */
        uint32_t slot = NONE;
        for (uint32_t x = 0; x < L[a].n; x++)
            if (L[a].m[x].head == pa[1])
                slot = x;
        int ok = slot != NONE;
        for (uint32_t x = 0; ok && x < L[a].n; x++)
            ok = L[a].m[x].head < na;
        for (uint32_t s = 1; ok && s + 1 < k; s++) {
            int found = 0;
            for (uint32_t x = 0; x < L[pa[s]].n; x++)
                found |= L[pa[s]].m[x].head == pa[s + 1];
            ok = found;
        }
        if (!ok) {
            st->via_way_skipped++;
            continue;
        }
        uint32_t first_copy = na + n_dup;
        for (uint32_t s = 1; s + 1 < k; s++) {
            if (hh__grow(&dup, &cap_dup, (size_t)n_dup + 1, sizeof *dup))
                goto done;
            dup[n_dup++] = pa[s];
            uint32_t id = na + n_dup - 1;
            if (hh__grow(&L, &cap_l, (size_t)id + 2, sizeof *L))
                goto done;
            memset(&L[id], 0, sizeof *L);
            const tlist *src = &L[pa[s]];
            for (uint32_t x = 0; x < src->n; x++) {
                move mv = src->m[x];
                int next_via = s + 2 < k && mv.head == pa[s + 1];
                int to = s + 2 == k && mv.head == pa[k - 1];
                if (next_via)
                    mv.head = id + 1; /* the next copy */
                if (paths[r].only ? !(next_via || to) : to)
                    continue;
                if (tl_push(&L[id], mv))
                    goto done;
            }
        }
        /* from `from`, the via path now starts on the copies */
        L[a].m[slot].head = first_copy;
        if (paths[r].only) {
            L[a].m[0] = L[a].m[slot];
            L[a].n = 1;
        }
        st->via_way_applied++;
    }
    st->copies = n_dup;

    /* flatten into the parts */
    uint32_t nt = na + n_dup;
    size_t total = 0;
    for (uint32_t t = 0; t < nt; t++)
        total += L[t].n;
    if (total >= UINT32_MAX) {
        rc = HH_ERANGE;
        goto done;
    }
    P->turn_first = hh__alloc_array((size_t)nt + 1, sizeof *P->turn_first);
    P->turn_arcs = hh__alloc_array(total ? total : 1, sizeof *P->turn_arcs);
    P->tdup = hh__alloc_array(n_dup ? n_dup : 1, sizeof *P->tdup);
    P->car_in_first = hh__calloc((size_t)n + 1, sizeof *P->car_in_first);
    P->car_in = hh__alloc_array(na ? na : 1, sizeof *P->car_in);
    if (!P->turn_first || !P->turn_arcs || !P->tdup || !P->car_in_first || !P->car_in)
        goto done;
    size_t k = 0;
    for (uint32_t t = 0; t < nt; t++) {
        P->turn_first[t] = (uint32_t)k;
        for (uint32_t x = 0; x < L[t].n; x++)
            P->turn_arcs[k++] = (hh__arc){L[t].m[x].head, L[t].m[x].w_ds, L[t].m[x].len_dm, L[t].m[x].cost_ds};
    }
    P->turn_first[nt] = (uint32_t)k;
    if (n_dup)
        memcpy(P->tdup, dup, (size_t)n_dup * sizeof *dup);
    P->n_tnodes = nt, P->n_tdup = n_dup, P->n_tarcs = (uint32_t)k;
    st->moves = (uint32_t)k;
    for (uint32_t a = 0; a < na; a++)
        P->car_in_first[A[a].head + 1]++;
    for (uint32_t v = 0; v < n; v++)
        P->car_in_first[v + 1] += P->car_in_first[v];
    for (uint32_t v = 0; v < n; v++)
        roads[v] = P->car_in_first[v]; /* reused as fill cursors */
    for (uint32_t a = 0; a < na; a++)
        P->car_in[roads[A[a].head]++] = a;
    rc = 0;
done:
    if (L)
        for (size_t t = 0; t < (size_t)na + n_dup; t++)
            hh__free(L[t].m);
    hh__free(L), hh__free(dup), hh__free(roads), hh__free(rs);
    return rc;
}
