/* build.c: hh__osm -> network parts -> file.
 *
 * Vertices are OSM nodes where ways meet or end (and turn-restriction via
 * nodes); the nodes between them become an edge's shape, so the search graph
 * is small while isochrones and snapping still follow the real geometry.
 * Vertices are numbered along a Hilbert curve so neighbours sit close in
 * memory.  Per mode, only strongly connected components that are not small
 * islands (see hh_profile's island settings) are kept in the adjacency
 * arrays and the spatial index, so a point never snaps onto a fragment of a
 * few streets it could not leave. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/gtfs.h"
#include "ingest/osm.h"
#include "net/transit.h"
#include "build/stages.h"
#include "street/ch.h"
#include "build/turns.h"
#include "build/layers.h"

#include <pthread.h>
#include "net/net.h"
#include "util/alloc.h"

#define NO_ID UINT32_MAX

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t hilbert_d(uint32_t n, uint32_t x, uint32_t y)
{
    uint64_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

typedef struct keyed {
    uint64_t key;
    uint32_t idx;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Builder state shared by the steps below. */
typedef struct builder {
    uint8_t *vflags;       /* per vertex: HH_VFLAG_* */
    const hh__osm *o;
    const hh_profile *p;
    int32_t *ref_node;     /* per ref: OSM node index or -1 */
    uint32_t *vid;         /* per OSM node: vertex id or NO_ID */
    uint32_t *way_edge_first; /* per way: first edge, n_ways+1 */
    hh__net_parts parts;
    size_t cap_edges, cap_shape;
    uint32_t barrier_copies; /* vertex copies made at barriers */
} builder;

static int mark_vertices(builder *b, uint8_t *use)
{
    const hh__osm *o = b->o;
    for (size_t w = 0; w < o->n_ways; w++) {
        size_t a = o->way_first[w], z = o->way_first[w + 1];
        int32_t prev = -1;
        for (size_t k = a; k < z; k++) {
            int32_t ni = b->ref_node[k];
            if (ni < 0) {
                if (prev >= 0)
                    use[prev] = 2; /* a run ends at a missing node */
                prev = -1;
                continue;
            }
            if (prev < 0 || k == z - 1)
                use[ni] = 2; /* run start or way end */
            else if (ni != prev)
                use[ni] = use[ni] < 2 ? use[ni] + 1 : 2;
            prev = ni;
        }
    }
    for (size_t i = 0; i < o->n_restr; i++) {
        if (!o->restr[i].via_node)
            continue;
        ptrdiff_t ni = hh__osm_node_index(o, o->restr[i].via_node);
        if (ni >= 0 && use[ni])
            use[ni] = 2;
    }
    /* barriers and signals act at a vertex: a barrier in the middle of a
     * way splits it there */
    for (size_t i = 0; i < o->n_tagged; i++) {
        ptrdiff_t ni = hh__osm_node_index(o, o->tagged[i].id);
        if (ni >= 0 && use[ni])
            use[ni] = 2;
    }
    return 0;
}

static int number_vertices(builder *b, const uint8_t *use)
{
    const hh__osm *o = b->o;
    size_t nv = 0;
    int32_t minlo = INT32_MAX, maxlo = INT32_MIN, minla = INT32_MAX, maxla = INT32_MIN;
    for (size_t i = 0; i < o->n_nodes; i++)
        if (use[i] == 2) {
            nv++;
            int32_t lo = o->node_lon_e7[i], la = o->node_lat_e7[i];
            minlo = lo < minlo ? lo : minlo, maxlo = lo > maxlo ? lo : maxlo;
            minla = la < minla ? la : minla, maxla = la > maxla ? la : maxla;
        }
    if (nv == 0 || nv >= UINT32_MAX / 2)
        return HH_EEMPTY;
    keyed *k = hh__alloc_array(nv, sizeof *k);
    b->parts.node_ll = hh__alloc_array(nv, sizeof(hh__ll));
    if (!k || !b->parts.node_ll) {
        hh__free(k);
        return HH_ENOMEM;
    }
    double sx = 65535.0 / ((double)maxlo - minlo + 1), sy = 65535.0 / ((double)maxla - minla + 1);
    size_t j = 0;
    for (size_t i = 0; i < o->n_nodes; i++)
        if (use[i] == 2) {
            uint32_t x = (uint32_t)((o->node_lon_e7[i] - (double)minlo) * sx);
            uint32_t y = (uint32_t)((o->node_lat_e7[i] - (double)minla) * sy);
            k[j].key = hilbert_d(65536, x, y);
            k[j].idx = (uint32_t)i;
            j++;
        }
    qsort(k, nv, sizeof *k, cmp_keyed);
    for (size_t v = 0; v < nv; v++) {
        b->vid[k[v].idx] = (uint32_t)v;
        b->parts.node_ll[v] = (hh__ll){o->node_lon_e7[k[v].idx], o->node_lat_e7[k[v].idx]};
    }
    b->parts.n_nodes = (uint32_t)nv;
    hh__free(k);
    hh__grid_hdr *g = &b->parts.grid;
    g->min_lon = minlo * 1e-7, g->max_lon = maxlo * 1e-7;
    g->min_lat = minla * 1e-7, g->max_lat = maxla * 1e-7;
    g->lon0 = (g->min_lon + g->max_lon) / 2;
    g->lat0 = (g->min_lat + g->max_lat) / 2;
    const double m_per_deg = 6371008.8 * M_PI / 180.0;
    g->my = m_per_deg;
    g->mx = m_per_deg * cos(g->lat0 * M_PI / 180.0);
    if (g->mx < 1)
        g->mx = 1; /* polar extracts: keep the plane non-degenerate */
    return 0;
}

static uint32_t dur_of(double len_m, double kmh)
{
    if (!(kmh > 0))
        return HH_DUR_NONE;
    double ds = len_m / (kmh / 3.6) * 10.0;
    return (uint32_t)llround(ds);
}

static int emit_edge(builder *b, size_t w, uint32_t from, uint32_t to, const int32_t *inner,
                     size_t n_inner, double len_m)
{
    hh__net_parts *P = &b->parts;
    /* ids are 32-bit in the file: edges are named edge << 1 | dir in the
     * arcs, shape points by a uint32 offset (a 10^7-vertex region has about
     * 1.5 x 10^7 edges: far from either limit, but never wrapped) */
    if (P->n_edges >= UINT32_MAX / 2 - 1 || (uint64_t)P->n_shape + n_inner >= UINT32_MAX)
        return HH_ERANGE;
    if (hh__grow(&P->edges, &b->cap_edges, (size_t)P->n_edges + 1, sizeof *P->edges) ||
        hh__grow(&P->shape_ll, &b->cap_shape, (size_t)P->n_shape + n_inner, sizeof *P->shape_ll))
        return HH_ENOMEM;
    const hh__osm *o = b->o;
    const hh__way_attr *a = &o->way_attr[w];
    hh__edge *e = &P->edges[P->n_edges];
    memset(e, 0, sizeof *e);
    e->from = from, e->to = to;
    e->len_mm = (uint32_t)llround(len_m * 1000.0);
    for (int m = 0; m < HH_N_MODES; m++) {
        uint32_t d = dur_of(len_m, a->speed_kmh[m]);
        e->dur_ds[m][0] = a->fwd[m] ? d : HH_DUR_NONE;
        e->dur_ds[m][1] = a->bwd[m] ? d : HH_DUR_NONE;
    }
    uint64_t wid = (uint64_t)o->way_id[w];
    e->way_id_lo = (uint32_t)wid, e->way_id_hi = (uint32_t)(wid >> 32);
    e->road_class = (uint8_t)a->road_class;
    for (size_t i = 0; i < n_inner; i++)
        P->shape_ll[P->n_shape + i] = (hh__ll){o->node_lon_e7[inner[i]], o->node_lat_e7[inner[i]]};
    P->n_shape += (uint32_t)n_inner;
    P->n_edges++;
    /* shape_first is filled after all edges: it needs per-edge counts */
    return 0;
}

static int split_ways(builder *b, uint32_t **inner_count)
{
    const hh__osm *o = b->o;
    size_t cap_cnt = 0, cap_inner = 0;
    int32_t *inner = NULL;
    uint32_t *cnt = NULL;
    int rc = 0;
    b->way_edge_first = hh__alloc_array(o->n_ways + 1, sizeof *b->way_edge_first);
    if (!b->way_edge_first)
        return HH_ENOMEM;
    for (size_t w = 0; w < o->n_ways && !rc; w++) {
        b->way_edge_first[w] = b->parts.n_edges;
        size_t a = o->way_first[w], z = o->way_first[w + 1];
        int32_t start = -1, prev = -1;
        size_t n_inner = 0;
        double len = 0;
        for (size_t k = a; k < z && !rc; k++) {
            int32_t ni = b->ref_node[k];
            if (ni < 0) {
                start = prev = -1;
                continue;
            }
            if (ni == prev)
                continue; /* repeated node: zero-length step */
            if (start < 0) {
                start = prev = ni;
                n_inner = 0, len = 0;
                continue;
            }
            len += hh__haversine_m(o->node_lon_e7[prev] * 1e-7, o->node_lat_e7[prev] * 1e-7,
                                   o->node_lon_e7[ni] * 1e-7, o->node_lat_e7[ni] * 1e-7);
            prev = ni;
            if (b->vid[ni] == NO_ID) {
                if ((rc = hh__grow(&inner, &cap_inner, n_inner + 1, sizeof *inner)))
                    break;
                inner[n_inner++] = ni;
                continue;
            }
            if ((rc = hh__grow(&cnt, &cap_cnt, (size_t)b->parts.n_edges + 1, sizeof *cnt)))
                break;
            cnt[b->parts.n_edges] = (uint32_t)n_inner;
            rc = emit_edge(b, w, b->vid[start], b->vid[ni], inner, n_inner, len);
            start = ni;
            n_inner = 0, len = 0;
        }
    }
    b->way_edge_first[o->n_ways] = b->parts.n_edges;
    hh__free(inner);
    if (!rc && b->parts.n_edges == 0)
        rc = HH_EEMPTY;
    if (rc) {
        hh__free(cnt);
        return rc;
    }
    *inner_count = cnt;
    return 0;
}

/* ---- barriers -------------------------------------------------------- */

/* Marks barrier and signal vertices, then gives every street that meets a
 * barrier closed to walking or cycling its own copy of the vertex: a mode
 * the barrier closes reaches it from each side but cannot pass, and the
 * modes it lets through cross by zero-length connector edges between the
 * copies and the original.  Car barriers need no copies: the turn graph
 * forbids every move through them but the u-turn. */
static int split_barriers(builder *b, uint32_t **inner_cnt)
{
    const hh__osm *o = b->o;
    hh__net_parts *P = &b->parts;
    uint32_t n0 = P->n_nodes;
    uint8_t *closed = hh__calloc(n0 ? n0 : 1, 1);
    b->vflags = hh__calloc(n0 ? n0 : 1, 1);
    if (!closed || !b->vflags) {
        hh__free(closed);
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < o->n_tagged; i++) {
        ptrdiff_t ni = hh__osm_node_index(o, o->tagged[i].id);
        if (ni < 0 || b->vid[ni] == NO_ID)
            continue;
        uint32_t v = b->vid[ni];
        const hh__node_attr *a = &o->tagged[i].a;
        closed[v] = a->closed;
        if (a->closed & (1u << HH_MODE_CAR))
            b->vflags[v] |= HH_VFLAG_CAR_BARRIER;
        if (a->signals)
            b->vflags[v] |= HH_VFLAG_SIGNALS;
    }
    const uint8_t foot_bike = (1u << HH_MODE_WALK) | (1u << HH_MODE_BIKE);
    uint32_t *seen = hh__alloc_array(n0 ? n0 : 1, sizeof *seen);
    int rc = seen ? 0 : HH_ENOMEM;
    for (uint32_t v = 0; seen && v < n0; v++)
        seen[v] = NO_ID;
    size_t cap_ll = n0, cap_cnt = P->n_edges, cap_fl = n0;
    uint32_t ne0 = P->n_edges;
    for (uint32_t e = 0; !rc && e < ne0; e++) {
        for (int end = 0; end < 2 && !rc; end++) {
            uint32_t v = end ? P->edges[e].to : P->edges[e].from;
            if (v >= n0 || !(closed[v] & foot_bike))
                continue;
            if (seen[v] == NO_ID) {
                seen[v] = e;
                continue;
            }
            uint32_t c = P->n_nodes;
            if ((rc = hh__grow(&P->node_ll, &cap_ll, (size_t)c + 1, sizeof *P->node_ll)) ||
                (rc = hh__grow(&b->vflags, &cap_fl, (size_t)c + 1, 1)) ||
                (rc = hh__grow(inner_cnt, &cap_cnt, (size_t)P->n_edges + 1, sizeof **inner_cnt)) ||
                (rc = hh__grow(&P->edges, &b->cap_edges, (size_t)P->n_edges + 1, sizeof *P->edges)))
                break;
            P->node_ll[c] = P->node_ll[v];
            b->vflags[c] = b->vflags[v];
            P->n_nodes++;
            if (end)
                P->edges[e].to = c;
            else
                P->edges[e].from = c;
            hh__edge *x = &P->edges[P->n_edges];
            *x = P->edges[e];
            x->from = v, x->to = c, x->len_mm = 0;
            for (int m = 0; m < HH_N_MODES; m++) {
                uint32_t d = (closed[v] >> m) & 1 ? HH_DUR_NONE : 0;
                x->dur_ds[m][0] = P->edges[e].dur_ds[m][0] != HH_DUR_NONE || P->edges[e].dur_ds[m][1] != HH_DUR_NONE ? d : HH_DUR_NONE;
                x->dur_ds[m][1] = x->dur_ds[m][0];
            }
            (*inner_cnt)[P->n_edges] = 0;
            P->n_edges++;
            b->barrier_copies++;
        }
    }
    hh__free(seen), hh__free(closed);
    return rc;
}

/* ---- per-mode adjacency, strongly connected components ---------------- */

typedef struct tarc {
    uint32_t tail;
    hh__arc a;
} tarc;

/* Counting sort of arcs by tail into CSR form. */
static int to_csr(uint32_t n, const tarc *ta, size_t m, uint32_t **first_out, hh__arc **arcs)
{
    uint32_t *f = hh__calloc((size_t)n + 1, sizeof *f);
    hh__arc *A = hh__alloc_array(m ? m : 1, sizeof *A);
    if (!f || !A) {
        hh__free(f), hh__free(A);
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        f[ta[i].tail + 1]++;
    for (uint32_t v = 0; v < n; v++)
        f[v + 1] += f[v];
    uint32_t *pos = hh__alloc_array(n ? n : 1, sizeof *pos);
    if (!pos) {
        hh__free(f), hh__free(A);
        return HH_ENOMEM;
    }
    memcpy(pos, f, (size_t)n * sizeof *pos);
    for (size_t i = 0; i < m; i++)
        A[pos[ta[i].tail]++] = ta[i].a;
    hh__free(pos);
    *first_out = f;
    *arcs = A;
    return 0;
}

/* Iterative Tarjan; comp[v] receives the component id, *sizes_out (the
 * caller frees it) the vertex count of each of the *n_comp components.
 * Returns 0 or HH_ENOMEM. */
static int strong_components(uint32_t n, const uint32_t *fo, const hh__arc *A, uint32_t *comp,
                             uint32_t **sizes_out, uint32_t *n_comp)
{
    uint32_t *idx = hh__alloc_array(n, sizeof *idx), *low = hh__alloc_array(n, sizeof *low);
    uint32_t *stk = hh__alloc_array(n, sizeof *stk), *cs = hh__alloc_array(n, sizeof *cs);
    uint32_t *it = hh__alloc_array(n, sizeof *it), *size = NULL;
    uint8_t *on = hh__calloc(n, 1);
    size_t cap_size = 0;
    int rc = HH_ENOMEM;
    if (!idx || !low || !stk || !cs || !it || !on)
        goto done;
    for (uint32_t v = 0; v < n; v++)
        idx[v] = NO_ID;
    uint32_t counter = 0, sp = 0, ncomp = 0;
    for (uint32_t s = 0; s < n; s++) {
        if (idx[s] != NO_ID)
            continue;
        uint32_t csp = 0;
        cs[csp++] = s;
        idx[s] = low[s] = counter++;
        it[s] = fo[s];
        stk[sp++] = s, on[s] = 1;
        while (csp) {
            uint32_t v = cs[csp - 1];
            if (it[v] < fo[v + 1]) {
                uint32_t w = A[it[v]++].head;
                if (idx[w] == NO_ID) {
                    idx[w] = low[w] = counter++;
                    it[w] = fo[w];
                    stk[sp++] = w, on[w] = 1;
                    cs[csp++] = w;
                } else if (on[w] && idx[w] < low[v]) {
                    low[v] = idx[w];
                }
                continue;
            }
            if (low[v] == idx[v]) {
                if (hh__grow(&size, &cap_size, (size_t)ncomp + 1, sizeof *size))
                    goto done;
                size[ncomp] = 0;
                uint32_t w;
                do {
                    w = stk[--sp];
                    on[w] = 0;
                    comp[w] = ncomp;
                    size[ncomp]++;
                } while (w != v);
                ncomp++;
            }
            csp--;
            if (csp) {
                uint32_t u = cs[csp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
    *sizes_out = size, size = NULL;
    *n_comp = ncomp;
    rc = 0;
done:
    hh__free(idx), hh__free(low), hh__free(stk), hh__free(cs), hh__free(it), hh__free(on),
        hh__free(size);
    return rc;
}

/* Transit stops (location_type 0) in the local plane, sorted by x. */
typedef struct plane_pt {
    double x, y;
} plane_pt;

static int cmp_plane_x(const void *a, const void *b)
{
    const plane_pt *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* 1 when a point of s (sorted by x) lies within r of segment a-b. */
static int segment_near(const plane_pt *s, size_t ns, plane_pt a, plane_pt b, double r)
{
    double xlo = fmin(a.x, b.x) - r, xhi = fmax(a.x, b.x) + r;
    double ylo = fmin(a.y, b.y) - r, yhi = fmax(a.y, b.y) + r;
    size_t lo = 0, hi = ns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s[mid].x < xlo)
            lo = mid + 1;
        else
            hi = mid;
    }
    double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    for (size_t i = lo; i < ns && s[i].x <= xhi; i++) {
        if (s[i].y < ylo || s[i].y > yhi)
            continue;
        double t = l2 > 0 ? ((s[i].x - a.x) * dx + (s[i].y - a.y) * dy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = a.x + t * dx - s[i].x, ey = a.y + t * dy - s[i].y;
        if (ex * ex + ey * ey <= r * r)
            return 1;
    }
    return 0;
}

/* want[c] is 1 for the components worth a stop test; sets it to 2 for those
 * with a stop within transit.link_m of one of their own edges. */
static int mark_stop_components(const hh__net_parts *P, const hh_profile *p, const hh__timetable *tt, int m,
                                const uint32_t *comp, uint8_t *want)
{
    const hh__grid_hdr *g = &P->grid;
    plane_pt *s = hh__alloc_array(tt->n_stops ? tt->n_stops : 1, sizeof *s);
    if (!s)
        return HH_ENOMEM;
    size_t ns = 0;
    for (uint32_t i = 0; i < tt->n_stops; i++)
        if (tt->stop_type[i] == 0 && isfinite(tt->stop_lon[i]) && isfinite(tt->stop_lat[i]))
            s[ns++] = (plane_pt){(tt->stop_lon[i] - g->lon0) * g->mx, (tt->stop_lat[i] - g->lat0) * g->my};
    qsort(s, ns, sizeof *s, cmp_plane_x);
    double r = p->transit_link_m;
    for (uint32_t e = 0; e < P->n_edges && ns; e++) {
        const hh__edge *ed = &P->edges[e];
        uint32_t c = comp[ed->from];
        if (comp[ed->to] != c || want[c] != 1 ||
            (ed->dur_ds[m][0] == HH_DUR_NONE && ed->dur_ds[m][1] == HH_DUR_NONE))
            continue;
        hh__ll prev = P->node_ll[ed->from];
        for (uint32_t k = P->shape_first[e]; k <= P->shape_first[e + 1]; k++) {
            hh__ll cur = k < P->shape_first[e + 1] ? P->shape_ll[k] : P->node_ll[ed->to];
            plane_pt pa = {hh__x_of(g, prev.lon_e7), hh__y_of(g, prev.lat_e7)};
            plane_pt pb = {hh__x_of(g, cur.lon_e7), hh__y_of(g, cur.lat_e7)};
            if (segment_near(s, ns, pa, pb, r)) {
                want[c] = 2;
                break;
            }
            prev = cur;
        }
    }
    hh__free(s);
    return 0;
}

/* The mode's arcs, its strongly connected components, and which of them
 * are kept (islands rule in halfhour.h): an arc stays when both its ends lie
 * in kept components, and its edge is then usable by the mode. */
int hh__build_mode(hh__net_parts *P, const hh_profile *p, int m, const hh__timetable *tt, hh_build_stats *st)
{
    for (uint32_t e = 0; e < P->n_edges; e++)
        P->edges[e].mode_mask &= (uint8_t)~(1u << m);
    hh__free(P->first_out[m]), hh__free(P->arcs[m]);
    P->first_out[m] = NULL, P->arcs[m] = NULL, P->n_arcs[m] = 0;
    size_t cap = 0, na = 0;
    tarc *ta = NULL;
    for (uint32_t e = 0; e < P->n_edges; e++) {
        const hh__edge *ed = &P->edges[e];
        for (int dir = 0; dir < 2; dir++) {
            uint32_t d = ed->dur_ds[m][dir];
            if (d == HH_DUR_NONE)
                continue;
            if (hh__grow(&ta, &cap, na + 1, sizeof *ta)) {
                hh__free(ta);
                return HH_ENOMEM;
            }
            uint32_t len_dm = (uint32_t)((ed->len_mm + 50) / 100);
            ta[na].tail = dir ? ed->to : ed->from;
            ta[na].a = (hh__arc){dir ? ed->from : ed->to, d, len_dm, e << 1 | (uint32_t)dir};
            na++;
        }
    }
    uint32_t n = P->n_nodes, *fo = NULL, *size = NULL, ncomp = 0;
    hh__arc *A = NULL;
    uint8_t *keep = NULL;
    int rc = to_csr(n, ta, na, &fo, &A);
    uint32_t *comp = rc ? NULL : hh__alloc_array(n, sizeof *comp);
    rc = HH_ENOMEM;
    if (!comp || strong_components(n, fo, A, comp, &size, &ncomp) ||
        !(keep = hh__calloc(ncomp ? ncomp : 1, 1)))
        goto done;
    hh__free(fo), hh__free(A);
    fo = NULL, A = NULL;
    /* keep[c]: 0 no arcs of the mode there (such vertices are not the
     * mode's), 1 dropped, 2 kept for a transit stop, 3 kept by size */
    for (size_t i = 0; i < na; i++)
        keep[comp[ta[i].tail]] = keep[comp[ta[i].a.head]] = 1;
    int64_t best = -1;
    for (uint32_t c = 0; c < ncomp; c++)
        if (keep[c] && (best < 0 || size[c] > size[best]))
            best = c;
    for (uint32_t c = 0; c < ncomp; c++)
        if (keep[c] && (c == best || size[c] >= p->island_min_vertices))
            keep[c] = 3;
    if (m == HH_MODE_WALK && tt && tt->n_stops) {
        uint8_t *want = hh__calloc(ncomp ? ncomp : 1, 1);
        if (!want)
            goto done;
        for (uint32_t c = 0; c < ncomp; c++)
            want[c] = keep[c] == 1 && size[c] >= p->island_min_vertices_with_stop;
        rc = mark_stop_components(P, p, tt, m, comp, want);
        for (uint32_t c = 0; c < ncomp && !rc; c++)
            if (want[c] == 2)
                keep[c] = 2;
        hh__free(want);
        if (rc)
            goto done;
        rc = HH_ENOMEM;
    }
    hh_components *cs = &st->comps[m];
    memset(cs, 0, sizeof *cs);
    uint32_t in_kept = 0;
    for (uint32_t c = 0; c < ncomp; c++) {
        if (!keep[c])
            continue;
        if (keep[c] == 1) {
            cs->dropped++;
            cs->dropped_nodes += size[c];
            if (size[c] > cs->dropped_largest)
                cs->dropped_largest = size[c];
            continue;
        }
        cs->kept++;
        cs->kept_for_stop += keep[c] == 2;
        in_kept += size[c];
        /* insert into the descending list of the largest */
        uint32_t v = size[c];
        for (int k = 0; k < HH_COMP_SIZES; k++)
            if (v > cs->sizes[k]) {
                uint32_t t = cs->sizes[k];
                cs->sizes[k] = v;
                v = t;
            }
    }
    size_t kept = 0;
    for (size_t i = 0; i < na; i++)
        if (keep[comp[ta[i].tail]] >= 2 && keep[comp[ta[i].a.head]] >= 2)
            ta[kept++] = ta[i];
    rc = kept >= UINT32_MAX ? HH_ERANGE : to_csr(n, ta, kept, &P->first_out[m], &P->arcs[m]);
    if (!rc) {
        P->n_arcs[m] = (uint32_t)kept;
        for (size_t i = 0; i < kept; i++)
            P->edges[ta[i].a.edge_dir >> 1].mode_mask |= (uint8_t)(1u << m);
        st->arcs[m] = (uint32_t)kept;
        st->scc_nodes[m] = in_kept;
        st->dropped_arcs[m] = (uint32_t)(na - kept);
    }
done:
    hh__free(ta), hh__free(fo), hh__free(A), hh__free(comp), hh__free(size), hh__free(keep);
    return rc;
}

/* ---- spatial index over usable edges --------------------------------- */

int hh__build_grid(hh__net_parts *P)
{
    hh__free(P->grid_first), hh__free(P->grid_item);
    P->grid_first = NULL, P->grid_item = NULL, P->n_grid_items = 0;
    hh__grid_hdr *g = &P->grid;
    double x0 = (g->min_lon - g->lon0) * g->mx, x1 = (g->max_lon - g->lon0) * g->mx;
    double y0 = (g->min_lat - g->lat0) * g->my, y1 = (g->max_lat - g->lat0) * g->my;
    /* shape points may lie outside the vertex bbox: widen by a margin */
    double margin = 2000;
    x0 -= margin, y0 -= margin, x1 += margin, y1 += margin;
    double cell = 200;
    while (((x1 - x0) / cell + 1) * ((y1 - y0) / cell + 1) > 4e6)
        cell *= 2;
    g->x0 = x0, g->y0 = y0, g->cell_m = cell;
    g->nx = (uint32_t)((x1 - x0) / cell) + 1;
    g->ny = (uint32_t)((y1 - y0) / cell) + 1;
    size_t nc = (size_t)g->nx * g->ny;
    uint32_t *first = hh__calloc(nc + 1, sizeof *first);
    uint32_t *last = hh__alloc_array(nc, sizeof *last);
    if (!first || !last) {
        hh__free(first), hh__free(last);
        return HH_ENOMEM;
    }
    uint32_t *items = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < nc; c++)
            last[c] = NO_ID;
        for (uint32_t e = 0; e < P->n_edges; e++) {
            const hh__edge *ed = &P->edges[e];
            if (!ed->mode_mask)
                continue;
            uint32_t s0 = P->shape_first[e], s1 = P->shape_first[e + 1];
            hh__ll prev = P->node_ll[ed->from];
            for (uint32_t s = s0; s <= s1; s++) {
                hh__ll cur = s < s1 ? P->shape_ll[s] : P->node_ll[ed->to];
                double ax = hh__x_of(g, prev.lon_e7), ay = hh__y_of(g, prev.lat_e7);
                double bx = hh__x_of(g, cur.lon_e7), by = hh__y_of(g, cur.lat_e7);
                long cx0 = (long)floor((fmin(ax, bx) - x0) / cell), cx1 = (long)floor((fmax(ax, bx) - x0) / cell);
                long cy0 = (long)floor((fmin(ay, by) - y0) / cell), cy1 = (long)floor((fmax(ay, by) - y0) / cell);
                cx0 = cx0 < 0 ? 0 : cx0, cy0 = cy0 < 0 ? 0 : cy0;
                cx1 = cx1 >= (long)g->nx ? (long)g->nx - 1 : cx1;
                cy1 = cy1 >= (long)g->ny ? (long)g->ny - 1 : cy1;
                for (long cy = cy0; cy <= cy1; cy++)
                    for (long cx = cx0; cx <= cx1; cx++) {
                        size_t c = (size_t)cy * g->nx + (size_t)cx;
                        if (last[c] == e)
                            continue;
                        last[c] = e;
                        if (pass == 0)
                            first[c + 1]++;
                        else
                            items[first[c]++] = e;
                    }
                prev = cur;
            }
        }
        if (pass == 0) {
            for (size_t c = 0; c < nc; c++)
                first[c + 1] += first[c];
            P->n_grid_items = first[nc];
            items = hh__alloc_array(P->n_grid_items ? P->n_grid_items : 1, sizeof *items);
            if (!items) {
                hh__free(first), hh__free(last);
                return HH_ENOMEM;
            }
        }
    }
    /* pass 2 advanced first[c] to the end of cell c: shift back */
    memmove(first + 1, first, nc * sizeof *first);
    first[0] = 0;
    hh__free(last);
    P->grid_first = first;
    P->grid_item = items;
    return 0;
}

/* ---- speed-up index: one contraction hierarchy per mode, in parallel --- */

typedef struct ch_job {
    const hh__net_parts *parts;
    int mode;
    const hh__ch_plan *plan; /* NULL: contract from scratch */
    hh__ch *ch;
    int rc;
} ch_job;

static void *ch_work(void *arg)
{
    ch_job *j = arg;
    const hh__net_parts *P = j->parts;
    const hh__ch_plan *pl = j->plan;
    if (pl && pl->keep)
        return NULL;
    const uint32_t *key = pl ? pl->order_key : NULL;
    uint32_t n = j->mode == HH_MODE_CAR ? P->n_tnodes : P->n_nodes;
    const uint32_t *fo = j->mode == HH_MODE_CAR ? P->turn_first : P->first_out[j->mode];
    const hh__arc *A = j->mode == HH_MODE_CAR ? P->turn_arcs : P->arcs[j->mode];
    j->rc = key ? hh__ch_build_ordered(n, fo, A, key, j->ch) : hh__ch_build(n, fo, A, j->ch);
    return NULL;
}

/* The car's turn graph is about as much work as the walk and bike graphs
 * together: it gets a thread of its own, walk then bike share the other
 * (three threads on two cores would slow the longest one down). */
static void *ch_work_walk_bike(void *arg)
{
    ch_job *jobs = arg;
    ch_work(&jobs[HH_MODE_WALK]);
    ch_work(&jobs[HH_MODE_BIKE]);
    return NULL;
}

int hh__build_ch(hh__net_parts *P, hh__ch ch[HH_N_MODES], const hh__ch_plan *plan)
{
    ch_job jobs[HH_N_MODES];
    for (int m = 0; m < HH_N_MODES; m++)
        jobs[m] = (ch_job){P, m, plan ? &plan[m] : NULL, &ch[m], 0};
    pthread_t th;
    int started = pthread_create(&th, NULL, ch_work_walk_bike, jobs) == 0;
    ch_work(&jobs[HH_MODE_CAR]);
    if (started)
        pthread_join(th, NULL);
    else
        ch_work_walk_bike(jobs);
    int rc = 0;
    for (int m = 0; m < HH_N_MODES; m++)
        if (jobs[m].rc && !rc)
            rc = jobs[m].rc;
    for (int m = 0; m < HH_N_MODES && !rc; m++) {
        const hh__ch *c = &ch[m];
        uint32_t id = (uint32_t)m;
        if ((rc = hh__net_parts_add(P, HH_SEC_CH_RANK + id, 4, c->rank, c->n, 0)) ||
            (rc = hh__net_parts_add(P, HH_SEC_CH_FWD_FIRST + id, 4, c->fwd_first, (uint64_t)c->n + 1, 0)) ||
            (rc = hh__net_parts_add(P, HH_SEC_CH_FWD + id, sizeof(hh__ch_arc), c->fwd, c->n_fwd, 0)) ||
            (rc = hh__net_parts_add(P, HH_SEC_CH_BWD_FIRST + id, 4, c->bwd_first, (uint64_t)c->n + 1, 0)) ||
            (rc = hh__net_parts_add(P, HH_SEC_CH_BWD + id, sizeof(hh__ch_arc), c->bwd, c->n_bwd, 0)))
            break;
    }
    return rc;
}

/* ---- what the turn graph is made from, kept for later rebuilds -------- */

int hh__build_store_turn_inputs(hh__net_parts *P, const uint8_t *vflags, const hh__turn_path *paths,
                                uint32_t n_paths, const uint32_t *path_arcs)
{
    uint8_t *vf = hh__alloc_array(P->n_nodes ? P->n_nodes : 1, 1);
    hh__turn_path_rec *pr = hh__alloc_array(n_paths ? n_paths : 1, sizeof *pr);
    size_t na = 0;
    for (uint32_t r = 0; r < n_paths; r++)
        na += paths[r].n;
    uint32_t *ed = hh__alloc_array(na ? na : 1, sizeof *ed);
    if (!vf || !pr || !ed) {
        hh__free(vf), hh__free(pr), hh__free(ed);
        return HH_ENOMEM;
    }
    memcpy(vf, vflags, P->n_nodes);
    size_t k = 0;
    for (uint32_t r = 0; r < n_paths; r++) {
        pr[r] = (hh__turn_path_rec){(uint32_t)k, paths[r].n, paths[r].only, 0};
        for (uint32_t i = 0; i < paths[r].n; i++)
            ed[k++] = P->arcs[HH_MODE_CAR][path_arcs[paths[r].first + i]].edge_dir;
    }
    int rc = hh__net_parts_add(P, HH_SEC_VFLAGS, 1, vf, P->n_nodes, 1);
    if (rc) {
        hh__free(pr), hh__free(ed);
        return rc;
    }
    if ((rc = hh__net_parts_add(P, HH_SEC_TURN_PATH, sizeof *pr, pr, n_paths, 1))) {
        hh__free(ed);
        return rc;
    }
    return hh__net_parts_add(P, HH_SEC_TURN_PATH_ARC, 4, ed, k, 1);
}

/* ---- turn restrictions ------------------------------------------------ */

static int cmp_u64idx(const void *a, const void *b) { return cmp_keyed(a, b); }

static ptrdiff_t way_index(const keyed *ways, size_t nw, int64_t way_id)
{
    size_t lo = 0, hi = nw;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ways[mid].key < (uint64_t)way_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nw && ways[lo].key == (uint64_t)way_id ? (ptrdiff_t)ways[lo].idx : -1;
}


/* The edges of way w that end at vertex v: up to two (a way passing
 * through v); returns how many. */
static int way_edges_at(const builder *b, ptrdiff_t w, uint32_t v, uint32_t out[2])
{
    int n = 0;
    if (w < 0)
        return 0;
    for (uint32_t e = b->way_edge_first[w]; e < b->way_edge_first[w + 1] && n < 3; e++)
        if (b->parts.edges[e].from == v || b->parts.edges[e].to == v) {
            if (n < 2)
                out[n] = e;
            n += 1 + (b->parts.edges[e].from == b->parts.edges[e].to);
        }
    return n > 2 ? 3 : n;
}

/* The one edge of way w that ends at vertex v: NO_ID when none, or when the
 * way passes through v (two edges there: which side is meant is unknown). */
static uint32_t way_edge_at(const builder *b, ptrdiff_t w, uint32_t v)
{
    uint32_t E[2];
    return way_edges_at(b, w, v, E) == 1 ? E[0] : NO_ID;
}

static uint32_t car_arc(const hh__net_parts *P, uint32_t e, uint32_t v, int out);

/* A restriction via node v from way wf to way wt: the one pair of edges
 * meant.  When a way passes through v (two edges there), the restriction's
 * kind (left, right, straight on, u-turn) picks the side whose turn angle
 * fits it; 0, or -1 when no pair fits clearly. */
static int restriction_edges(const builder *b, ptrdiff_t wf, ptrdiff_t wt, uint32_t v, int kind, uint32_t *fe,
                             uint32_t *te)
{
    uint32_t F[2], T[2];
    int nf = way_edges_at(b, wf, v, F), nt = way_edges_at(b, wt, v, T);
    if (nf < 1 || nf > 2 || nt < 1 || nt > 2)
        return -1;
    const hh__net_parts *P = &b->parts;
    double best = -1;
    int found = 0;
    for (int i = 0; i < nf; i++)
        for (int k = 0; k < nt; k++) {
            uint32_t fa = car_arc(P, F[i], v, 0), ta = car_arc(P, T[k], v, 1);
            if (fa == NO_ID || ta == NO_ID)
                continue;
            double score;
            if (nf == 1 && nt == 1)
                score = 1; /* nothing to choose */
            else {
                double a = F[i] == T[k] ? 180 : hh__turns_angle(P, fa, ta);
                switch (kind) {
                case HH_TURN_KIND_LEFT: score = a < -20 ? -a : -1; break;
                case HH_TURN_KIND_RIGHT: score = a > 20 ? a : -1; break;
                case HH_TURN_KIND_STRAIGHT: score = fabs(a) < 45 ? 180 - fabs(a) : -1; break;
                case HH_TURN_KIND_UTURN: score = F[i] == T[k] ? 1 : -1; break;
                default: score = -1;
                }
            }
            if (score > best) {
                best = score, found = 1;
                *fe = F[i], *te = T[k];
            }
        }
    return found && best >= 0 ? 0 : -1;
}

/* The car arc of edge e leaving (out) or entering (!out) vertex v. */
static uint32_t car_arc(const hh__net_parts *P, uint32_t e, uint32_t v, int out)
{
    const uint32_t *fo = P->first_out[HH_MODE_CAR];
    const hh__arc *A = P->arcs[HH_MODE_CAR];
    const hh__edge *ed = &P->edges[e];
    for (int dir = 0; dir < 2; dir++) {
        uint32_t tail = dir ? ed->to : ed->from, head = dir ? ed->from : ed->to;
        if ((out ? tail : head) != v)
            continue;
        for (uint32_t a = fo[tail]; a < fo[tail + 1]; a++)
            if (A[a].edge_dir == (e << 1 | (uint32_t)dir))
                return a;
    }
    return NO_ID;
}

/* The common end vertex of ways w1 and w2 (their edges' end vertices), or
 * NO_ID when none or more than one. */
static uint32_t ways_meet(const builder *b, ptrdiff_t w1, ptrdiff_t w2)
{
    uint32_t found = NO_ID;
    for (uint32_t e = b->way_edge_first[w1]; e < b->way_edge_first[w1 + 1]; e++)
        for (int i = 0; i < 2; i++) {
            uint32_t v = i ? b->parts.edges[e].to : b->parts.edges[e].from;
            for (uint32_t f = b->way_edge_first[w2]; f < b->way_edge_first[w2 + 1]; f++)
                if (b->parts.edges[f].from == v || b->parts.edges[f].to == v) {
                    if (found != NO_ID && found != v)
                        return NO_ID;
                    found = v;
                }
        }
    return found;
}

/* Car arcs along way w from vertex x to vertex y (the way's edges are in
 * way order, so the path runs one way or the other along them). */
static int via_arcs(const builder *b, ptrdiff_t w, uint32_t x, uint32_t y, uint32_t **arcs, size_t *n,
                    size_t *cap)
{
    const hh__net_parts *P = &b->parts;
    uint32_t e0 = b->way_edge_first[w], e1 = b->way_edge_first[w + 1];
    for (int dir = 0; dir < 2; dir++) {
        size_t start = *n;
        uint32_t v = x;
        for (uint32_t k = 0; k < e1 - e0 && v != y; k++) {
            uint32_t e = dir ? e1 - 1 - k : e0 + k;
            const hh__edge *ed = &P->edges[e];
            uint32_t tail = dir ? ed->to : ed->from, head = dir ? ed->from : ed->to;
            if (tail != v) {
                if (v == x && *n == start)
                    continue; /* not yet at x */
                break;
            }
            uint32_t a = car_arc(P, e, tail, 1);
            if (a == NO_ID || P->arcs[HH_MODE_CAR][a].head != head)
                break;
            if (hh__grow(arcs, cap, *n + 1, sizeof **arcs))
                return HH_ENOMEM;
            (*arcs)[(*n)++] = a;
            v = head;
        }
        if (v == y && *n > start)
            return 0;
        *n = start;
    }
    return HH_ERANGE;
}

typedef struct restr_out {
    hh__turn_path *paths;
    uint32_t n_paths;
    uint32_t *arcs;
    size_t n_arcs, cap_arcs, cap_paths;
    uint32_t skipped; /* restrictions that do not fit the network */
} restr_out;

/* Restrictions onto the graph: via a node as hh__turn records (edges), via
 * ways as paths of car arcs.  Needs the car arcs (after build_mode).  A
 * restriction whose ways are not in the car network, do not meet, or meet
 * ambiguously is counted in out->skipped, never fatal. */
static int map_restrictions(builder *b, restr_out *out)
{
    const hh__osm *o = b->o;
    hh__net_parts *P = &b->parts;
    P->turns = hh__alloc_array(o->n_restr ? o->n_restr : 1, sizeof *P->turns);
    keyed *ways = hh__alloc_array(o->n_ways ? o->n_ways : 1, sizeof *ways);
    if (!P->turns || !ways) {
        hh__free(ways);
        return HH_ENOMEM;
    }
    for (size_t w = 0; w < o->n_ways; w++)
        ways[w] = (keyed){(uint64_t)o->way_id[w], (uint32_t)w};
    qsort(ways, o->n_ways, sizeof *ways, cmp_u64idx);
    int rc = 0;
    for (size_t i = 0; i < o->n_restr && !rc; i++) {
        const hh__restriction *r = &o->restr[i];
        ptrdiff_t wf = way_index(ways, o->n_ways, r->from_way), wt = way_index(ways, o->n_ways, r->to_way);
        if (r->n_via == 0) {
            ptrdiff_t ni = hh__osm_node_index(o, r->via_node);
            uint32_t via = ni >= 0 ? b->vid[ni] : NO_ID;
            uint32_t fe = NO_ID, te = NO_ID;
            if (via == NO_ID || restriction_edges(b, wf, wt, via, r->kind, &fe, &te)) {
                out->skipped++;
                continue;
            }
            P->turns[P->n_turns++] = (hh__turn){fe, via, te, r->only};
            continue;
        }
        /* via ways: from -> via_1 -> ... -> via_k -> to, meeting at vertices */
        size_t mark = out->n_arcs;
        ptrdiff_t prev = wf;
        uint32_t at = NO_ID, first_meet = NO_ID;
        int ok = wf >= 0 && wt >= 0;
        for (uint32_t k = 0; ok && k <= r->n_via; k++) {
            ptrdiff_t next = k < r->n_via ? way_index(ways, o->n_ways, o->restr_via[r->via_first + k]) : wt;
            uint32_t meet = next >= 0 ? ways_meet(b, prev, next) : NO_ID;
            ok = meet != NO_ID;
            if (!ok)
                break;
            if (k == 0) {
                uint32_t fe = way_edge_at(b, wf, meet), fa = fe == NO_ID ? NO_ID : car_arc(P, fe, meet, 0);
                ok = fa != NO_ID && !hh__grow(&out->arcs, &out->cap_arcs, out->n_arcs + 1, sizeof *out->arcs);
                if (ok)
                    out->arcs[out->n_arcs++] = fa;
                first_meet = meet;
            } else {
                int e = via_arcs(b, prev, at, meet, &out->arcs, &out->n_arcs, &out->cap_arcs);
                if (e == HH_ENOMEM)
                    rc = e;
                ok = e == 0;
            }
            at = meet;
            prev = next;
        }
        if (ok) {
            uint32_t te = way_edge_at(b, wt, at), ta = te == NO_ID ? NO_ID : car_arc(P, te, at, 1);
            ok = ta != NO_ID && !hh__grow(&out->arcs, &out->cap_arcs, out->n_arcs + 1, sizeof *out->arcs);
            if (ok)
                out->arcs[out->n_arcs++] = ta;
        }
        (void)first_meet;
        if (ok && out->n_arcs - mark >= 3 &&
            hh__grow(&out->paths, &out->cap_paths, (size_t)out->n_paths + 1, sizeof *out->paths))
            rc = HH_ENOMEM;
        if (!ok || rc || out->n_arcs - mark < 3) {
            out->n_arcs = mark;
            out->skipped++;
            continue;
        }
        out->paths[out->n_paths++] = (hh__turn_path){(uint32_t)mark, (uint32_t)(out->n_arcs - mark), r->only};
    }
    hh__free(ways);
    return rc;
}

/* ---- meta -------------------------------------------------------------- */

static char *make_meta(const char *osm_path, const hh_profile *p, const hh_build_stats *st)
{
    size_t plen = hh_profile_format(p, NULL, 0);
    char *prof = hh__malloc(plen + 1);
    if (!prof)
        return NULL;
    hh_profile_format(p, prof, plen + 1);
    size_t cap = plen * 2 + 8192 + strlen(osm_path);
    char *m = hh__malloc(cap);
    if (!m) {
        hh__free(prof);
        return NULL;
    }
    const char *base = strrchr(osm_path, '/');
    base = base ? base + 1 : osm_path;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t n = (size_t)snprintf(m, cap,
                                "source=%s\nbuilt_at=%s\nbuilt_by=halfhour %s\nosm_nodes=%llu\n"
                                "osm_ways=%llu\nosm_relations=%llu\n",
                                base, when, HH_VERSION_STRING, (unsigned long long)st->osm_nodes,
                                (unsigned long long)st->osm_ways,
                                (unsigned long long)st->osm_relations);
    n += (size_t)snprintf(m + n, cap - n,
                          "turns.restrictions_via_node=%u\nturns.restrictions_via_way=%u\n"
                          "turns.restrictions_skipped=%u\nturns.moves=%u\nturns.copies=%u\n"
                          "turns.car_barriers=%u\nturns.barrier_copies=%u\nturns.signals=%u\n",
                          st->restrictions, st->restrictions_via_way, st->restrictions_skipped, st->turn_moves,
                          st->turn_copies, st->car_barriers, st->barrier_copies, st->signals);
    for (int c = 0; c < HH_N_CLASSES; c++)
        n += (size_t)snprintf(m + n, cap - n, "ways.%s=%llu\n", hh_class_name(c),
                              (unsigned long long)st->ways_per_class[c]);
    for (int md = 0; md < HH_N_MODES; md++) {
        const hh_components *c = &st->comps[md];
        const char *mn = hh_mode_name((hh_mode)md);
        n += (size_t)snprintf(m + n, cap - n, "components.%s.kept=%u\ncomponents.%s.kept_for_stop=%u\n"
                              "components.%s.sizes=", mn, c->kept, mn, c->kept_for_stop, mn);
        for (int k = 0; k < HH_COMP_SIZES && c->sizes[k]; k++)
            n += (size_t)snprintf(m + n, cap - n, "%s%u", k ? "," : "", c->sizes[k]);
        n += (size_t)snprintf(m + n, cap - n, "\ncomponents.%s.dropped=%u\ncomponents.%s.dropped_vertices=%u\n"
                              "components.%s.dropped_largest=%u\n", mn, c->dropped, mn, c->dropped_nodes, mn,
                              c->dropped_largest);
    }
    /* profile lines: "profile.key=value" */
    for (char *line = prof; *line;) {
        char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        n += (size_t)snprintf(m + n, cap - n, "profile.");
        for (size_t i = 0; i < ll && n + 2 < cap; i++)
            if (line[i] != ' ')
                m[n++] = line[i];
        m[n++] = '\n';
        m[n] = 0;
        line += ll + (nl ? 1 : 0);
    }
    hh__free(prof);
    return m;
}

/* ---- entry ------------------------------------------------------------ */

int hh_build(const char *osm_path, const hh_profile *p, const char *out_path, hh_build_stats *stats,
             hh_progress_fn progress, void *ud, char *err, size_t errlen)
{
    return hh_build_transit(osm_path, NULL, 0, p, out_path, stats, progress, ud, err, errlen);
}

/* Streets first, written to a temporary file and opened, so that stops are
 * linked and footpaths found with the very search queries will use. */
int hh__build_add_transit(hh__net_parts *parts, const hh__timetable *tt, const hh_profile *p, hh_build_stats *st,
                          char *err, size_t errlen)
{
    /* in the temporary folder, not beside the output: that may be a device
     * or a FIFO (written through), where no file belongs */
    const char *dir = getenv("TMPDIR");
    dir = dir && *dir ? dir : "/tmp";
    size_t n = strlen(dir) + 64;
    char *tmp = hh__malloc(n);
    if (!tmp)
        return HH_ENOMEM;
    /* the parts' address tells concurrent builds of one process apart */
    snprintf(tmp, n, "%s/halfhour-streets-%ld-%p.hh", dir, (long)getpid(), (void *)parts);
    int rc = hh__net_write(parts, tmp, NULL, err, errlen);
    hh_net *net = NULL;
    if (!rc)
        rc = hh_net_open(tmp, &net, err, errlen);
    if (!rc)
        rc = hh__transit_build(net, tt, p, parts, st, err, errlen);
    hh_net_close(net);
    unlink(tmp);
    hh__free(tmp);
    return rc;
}

int hh_build_transit(const char *osm_path, const char *const *gtfs_paths, size_t n_gtfs, const hh_profile *p,
                     const char *out_path, hh_build_stats *stats, hh_progress_fn progress, void *ud, char *err,
                     size_t errlen)
{
    return hh_build_with(osm_path, gtfs_paths, n_gtfs, p, NULL, out_path, stats, progress, ud, err, errlen);
}

/* The opportunity layers of a build: the files' first (read before the long
 * part, so a bad file fails fast), then after the OSM read the rules' and
 * the preset's, a file's layer replacing a rule's of the same name. */
static int read_layer_files(const hh_build_opts *opts, hh_layers *files, hh_build_stats *st, char *err,
                            size_t errlen)
{
    memset(files, 0, sizeof *files);
    for (size_t k = 0; opts && k < opts->n_layer_files; k++) {
        hh_layers one;
        int rc = hh_layers_read(opts->layer_files[k], opts->layer_opts, &one, err, errlen);
        if (rc)
            return rc;
        if (one.skipped) {
            size_t off = strlen(st->layers_skipped);
            snprintf(st->layers_skipped + off, sizeof st->layers_skipped - off, "%s%s: %s", off ? "; " : "",
                     opts->layer_files[k], one.skipped);
        }
        for (size_t j = 0; j < one.n_layers; j++)
            if (hh_layers_find(files, one.name[j]) >= 0) {
                snprintf(err, errlen, "%s: layer \"%s\" is also in an earlier opportunity file",
                         opts->layer_files[k], one.name[j]);
                hh_layers_free(&one);
                return HH_EINVAL;
            }
        rc = hh_layers_append(files, &one);
        hh_layers_free(&one);
        if (rc)
            return rc;
    }
    return 0;
}

static int layer_rules(const hh_build_opts *opts, hh__layer_rule **out, size_t *n, char *err, size_t errlen)
{
    size_t nu = opts ? opts->n_osm_layers : 0, np = 0;
    int preset = !(opts && opts->no_preset);
    while (preset && hh__preset_15min[np])
        np++;
    hh__layer_rule *r = hh__calloc(nu + np + 1, sizeof *r);
    if (!r)
        return HH_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nu; i++) {
        int rc = hh__layer_rule_parse(opts->osm_layers[i], &r[k], err, errlen);
        for (size_t j = 0; !rc && j < k; j++)
            if (!strcmp(r[j].name, r[k].name)) {
                snprintf(err, errlen, "--osm-layer %s: two rules for layer \"%s\"", opts->osm_layers[i], r[k].name);
                rc = HH_EINVAL;
            }
        if (rc) {
            hh__free(r);
            return rc;
        }
        k++;
    }
    /* the preset's layers, unless a rule of the user's has the name */
    for (size_t i = 0; i < np; i++) {
        hh__layer_rule pr;
        if (hh__layer_rule_parse(hh__preset_15min[i], &pr, err, errlen))
            continue;
        int taken = 0;
        for (size_t j = 0; j < k; j++)
            taken |= !strcmp(r[j].name, pr.name);
        if (!taken)
            r[k++] = pr;
    }
    *out = r, *n = k;
    return 0;
}

static int build_layers(const hh__osm *o, const hh__timetable *tt, const hh_build_opts *opts,
                        const hh__layer_rule *rules, size_t nr, hh_layers *files, hh__net_parts *parts,
                        hh_build_stats *st)
{
    hh_layers osm, stops;
    memset(&stops, 0, sizeof stops);
    int rc = hh__layers_from_osm(o, rules, nr, &osm);
    if (rc)
        return rc;
    /* transit stops from the feeds when there are feeds */
    int ts = hh_layers_find(&osm, "transit_stops");
    int user_ts = 0;
    for (size_t i = 0; opts && i < opts->n_osm_layers; i++)
        user_ts |= !strncmp(opts->osm_layers[i], "transit_stops=", 14);
    if (tt && ts >= 0 && !user_ts) {
        hh__layers_drop(&osm, (size_t)ts);
        if (!(rc = hh__layers_from_stops(tt, "transit_stops", &stops)))
            rc = hh_layers_append(&osm, &stops);
    }
    /* a file's layer replaces the OSM one of its name */
    for (size_t j = 0; !rc && j < files->n_layers; j++) {
        int d = hh_layers_find(&osm, files->name[j]);
        if (d >= 0)
            hh__layers_drop(&osm, (size_t)d);
    }
    if (!rc)
        rc = hh_layers_append(&osm, files);
    if (!rc)
        rc = hh__layers_store(parts, &osm);
    if (!rc) {
        st->n_layers = (uint32_t)osm.n_layers;
        st->layer_points = osm.n;
        size_t off = 0;
        for (size_t j = 0; j < osm.n_layers && off + 1 < sizeof st->layers; j++) {
            double tot = 0;
            size_t pts = 0;
            for (size_t i = 0; i < osm.n; i++) {
                tot += osm.value[i * osm.n_layers + j];
                pts += osm.value[i * osm.n_layers + j] != 0;
            }
            const char *src = hh_layers_find(files, osm.name[j]) >= 0 ? "file"
                              : !strcmp(osm.name[j], "transit_stops") && tt && !user_ts ? "GTFS stops"
                                                                                        : "OSM";
            int w = snprintf(st->layers + off, sizeof st->layers - off, "%s%s (%s): %zu points, total %.10g", j ? "; " : "",
                             osm.name[j], src, pts, tot);
            off += w > 0 ? (size_t)w : 0;
        }
    }
    hh_layers_free(&osm);
    hh_layers_free(&stops);
    return rc;
}

int hh_build_with(const char *osm_path, const char *const *gtfs_paths, size_t n_gtfs, const hh_profile *p,
                  const hh_build_opts *opts, const char *out_path, hh_build_stats *stats,
                  hh_progress_fn progress, void *ud, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    double t0 = now_s();
    hh_build_stats st;
    memset(&st, 0, sizeof st);
    hh__osm o;
    memset(&o, 0, sizeof o);
    builder b;
    memset(&b, 0, sizeof b);
    uint8_t *use = NULL;
    uint32_t *inner_cnt = NULL;
    hh__timetable *tt = NULL;
    hh__ch chs[HH_N_MODES];
    memset(chs, 0, sizeof chs);
    restr_out ro;
    memset(&ro, 0, sizeof ro);
    hh_layers files;
    hh__layer_rule *rules = NULL;
    size_t n_rules = 0;
    int rc;
    /* bad rules and bad files fail fast, before the long part */
    if ((rc = layer_rules(opts, &rules, &n_rules, err, errlen)))
        return rc;
    if ((rc = read_layer_files(opts, &files, &st, err, errlen))) {
        hh_layers_free(&files);
        hh__free(rules);
        return rc;
    }
    if (n_gtfs) {
        /* feeds first: a broken feed fails fast, before the long part */
        if (progress)
            progress("reading GTFS", 0, ud);
        hh__gtfs_opts go = {opts ? opts->strict : 0, opts ? opts->timezone : NULL};
        if ((rc = hh__gtfs_load_opts(gtfs_paths, n_gtfs, &go, &tt, err, errlen))) {
            hh_layers_free(&files);
            hh__free(rules);
            return rc;
        }
        st.n_feeds = tt->n_feeds, st.n_routes = tt->n_routes, st.n_trips = tt->n_trips;
        st.n_patterns = tt->n_patterns;
    }
    if (progress)
        progress("reading OSM", 0, ud);
    rc = hh__osm_read(osm_path, p, &o, err, errlen);
    if (rc) {
        hh__timetable_free(tt);
        hh_layers_free(&files);
        hh__free(rules);
        return rc;
    }
    if (progress)
        progress("reading OSM", 1, ud);
    b.o = &o, b.p = p;
    st.osm_nodes = o.osm_nodes, st.osm_ways = o.osm_ways, st.osm_relations = o.osm_relations;
    for (size_t w = 0; w < o.n_ways; w++)
        st.ways_per_class[o.way_attr[w].road_class]++;
    size_t nref = o.way_first[o.n_ways];
    b.ref_node = hh__alloc_array(nref, sizeof *b.ref_node);
    b.vid = hh__alloc_array(o.n_nodes ? o.n_nodes : 1, sizeof *b.vid);
    use = hh__calloc(o.n_nodes ? o.n_nodes : 1, 1);
    rc = HH_ENOMEM;
    if (!b.ref_node || !b.vid || !use)
        goto fail;
    for (size_t k = 0; k < nref; k++) {
        ptrdiff_t ni = hh__osm_node_index(&o, o.refs[k]);
        b.ref_node[k] = (int32_t)ni;
    }
    for (size_t i = 0; i < o.n_nodes; i++)
        b.vid[i] = NO_ID;
    mark_vertices(&b, use);
    if ((rc = number_vertices(&b, use)))
        goto fail;
    if ((rc = split_ways(&b, &inner_cnt)) || (rc = split_barriers(&b, &inner_cnt)))
        goto fail;
    /* shape_first from per-edge inner counts */
    rc = HH_ENOMEM;
    b.parts.shape_first = hh__alloc_array((size_t)b.parts.n_edges + 1, sizeof(uint32_t));
    if (!b.parts.shape_first)
        goto fail;
    b.parts.shape_first[0] = 0;
    for (uint32_t e = 0; e < b.parts.n_edges; e++)
        b.parts.shape_first[e + 1] = b.parts.shape_first[e] + inner_cnt[e];
    if (progress)
        progress("graph", 0.5, ud);
    for (int m = 0; m < HH_N_MODES; m++)
        if ((rc = hh__build_mode(&b.parts, p, m, tt, &st)))
            goto fail;
    if ((rc = hh__build_grid(&b.parts)) || (rc = map_restrictions(&b, &ro)))
        goto fail;
    hh__turn_stats ts;
    if ((rc = hh__turns_build(&b.parts, p, b.vflags, ro.paths, ro.n_paths, ro.arcs, &ts)))
        goto fail;
    if ((rc = hh__build_store_turn_inputs(&b.parts, b.vflags, ro.paths, ro.n_paths, ro.arcs)))
        goto fail;
    st.restrictions_via_way = ts.via_way_applied;
    st.restrictions_skipped = (uint32_t)o.restr_skipped + ro.skipped + ts.via_way_skipped;
    st.turn_moves = ts.moves;
    st.turn_copies = ts.copies;
    st.barrier_copies = b.barrier_copies;
    for (uint32_t v = 0; v < b.parts.n_nodes; v++) {
        st.car_barriers += (b.vflags[v] & HH_VFLAG_CAR_BARRIER) != 0;
        st.signals += (b.vflags[v] & HH_VFLAG_SIGNALS) != 0;
    }
    if (progress)
        progress("contracting", 0.6, ud);
    if ((rc = hh__build_ch(&b.parts, chs, NULL)))
        goto fail;
    st.n_nodes = b.parts.n_nodes;
    st.n_edges = b.parts.n_edges;
    st.restrictions = b.parts.n_turns;
    rc = HH_ENOMEM;
    if (!(b.parts.meta = make_meta(osm_path, p, &st)))
        goto fail;
    if (tt) {
        if (progress)
            progress("linking stops", 0.8, ud);
        if ((rc = hh__build_add_transit(&b.parts, tt, p, &st, err, errlen)))
            goto fail_written;
    }
    if ((rc = build_layers(&o, tt, opts, rules, n_rules, &files, &b.parts, &st)))
        goto fail;
    if (progress)
        progress("writing", 0.9, ud);
    rc = hh__net_write(&b.parts, out_path, &st.file_bytes, err, errlen);
    if (rc)
        goto fail_written;
    st.seconds = now_s() - t0;
    if (stats)
        *stats = st;
    rc = 0;
    goto done;
fail:
    snprintf(err, errlen, "%s: %s", osm_path,
             rc == HH_EEMPTY ? "no routable network in the file" : hh_strerror(rc));
fail_written:
done:
    hh__free(use), hh__free(inner_cnt), hh__free(b.ref_node), hh__free(b.vid), hh__free(b.vflags);
    hh__free(ro.paths), hh__free(ro.arcs);
    hh__free(b.way_edge_first);
    hh__net_parts_free(&b.parts);
    for (int m = 0; m < HH_N_MODES; m++)
        hh__ch_free(&chs[m]);
    hh__osm_free(&o);
    hh__timetable_free(tt);
    hh_layers_free(&files);
    hh__free(rules);
    return rc;
}
