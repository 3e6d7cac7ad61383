/* seeds.c: see seeds.h. */
#include "street/seeds.h"

#include <math.h>

#include "net/net.h"

static double frac(const hh__edge *e, const hh_snap *s)
{
    double len = e->len_mm / 1000.0;
    double f = len > 0 ? s->along_m / len : 0;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* f x whole, rounded; 0 when f is 0 even for a closed direction (whole =
 * HH_DUR_NONE), which is how a point on a vertex gets its zero seed. */
static uint32_t part(double f, uint32_t whole) { return f == 0 ? 0 : (uint32_t)llround(f * whole); }

static uint32_t edge_dm(const hh__edge *e) { return (e->len_mm + 50) / 100; }

/* The car arc of edge e in direction dir (0 along the way), or UINT32_MAX. */
static uint32_t car_arc_of(const hh_net *net, uint32_t e, int dir)
{
    const hh__edge *ed = &net->edges[e];
    if (ed->dur_ds[HH_MODE_CAR][dir] == HH_DUR_NONE)
        return UINT32_MAX;
    uint32_t tail = dir ? ed->to : ed->from, want = e << 1 | (uint32_t)dir;
    const uint32_t *fo = net->first_out[HH_MODE_CAR];
    const hh__arc *A = net->arcs[HH_MODE_CAR];
    for (uint32_t a = fo[tail]; a < fo[tail + 1]; a++)
        if (A[a].edge_dir == want)
            return a;
    return UINT32_MAX;
}

/* Car: a point at fraction f of arc a (time `part` to its head) moves on by
 * each allowed turn out of a: a seed at the start of each next arc.  Copies
 * are not entered: a point on a street did not come from anywhere. */
static int car_moves(const hh_net *net, uint32_t a, uint32_t part_ds, uint32_t part_dm, uint32_t index,
                     hh__ch_seed *out, int n)
{
    const hh__arc *A = net->arcs[HH_MODE_CAR];
    for (uint32_t k = net->turn_first[a]; k < net->turn_first[a + 1]; k++) {
        const hh__arc *t = &net->turn_arcs[k];
        uint32_t cost = t->dur_ds - A[a].dur_ds; /* the turn alone */
        out[n++] = (hh__ch_seed){t->head, part_ds + cost, part_dm, index};
    }
    return n;
}

/* Car: leaving vertex v itself, every car arc out of it starts at 0. */
static int car_at_vertex_out(const hh_net *net, uint32_t v, uint32_t index, hh__ch_seed *out, int n)
{
    const uint32_t *fo = net->first_out[HH_MODE_CAR];
    for (uint32_t a = fo[v]; a < fo[v + 1]; a++)
        out[n++] = (hh__ch_seed){a, 0, 0, index};
    return n;
}

/* Car: turn node t and its copies, each with the same offset. */
static int car_with_copies(const hh_net *net, uint32_t a, uint32_t ds, uint32_t dm, uint32_t index,
                           hh__ch_seed *out, int n)
{
    out[n++] = (hh__ch_seed){a, ds, dm, index};
    uint32_t na = net->n_arcs[HH_MODE_CAR];
    for (uint32_t i = 0; i < net->n_tdup; i++)
        if (net->tdup[i] == a)
            out[n++] = (hh__ch_seed){na + i, ds, dm, index};
    return n;
}

int hh__source_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed *out)
{
    const hh__edge *e = &net->edges[s->edge];
    double f = frac(e, s);
    int n = 0;
    if (m == HH_MODE_CAR) {
        /* on a vertex: leave by any arc, without a turn */
        if (f == 0)
            return car_at_vertex_out(net, e->from, index, out, 0);
        if (f == 1)
            return car_at_vertex_out(net, e->to, index, out, 0);
        uint32_t af = car_arc_of(net, s->edge, 0), ab = car_arc_of(net, s->edge, 1);
        if (af != UINT32_MAX)
            n = car_moves(net, af, part(1 - f, e->dur_ds[m][0]), part(1 - f, edge_dm(e)), index, out, n);
        if (ab != UINT32_MAX)
            n = car_moves(net, ab, part(f, e->dur_ds[m][1]), part(f, edge_dm(e)), index, out, n);
        return n;
    }
    /* a point exactly on an end vertex leaves by any of its edges */
    if (e->dur_ds[m][0] != HH_DUR_NONE || f == 1)
        out[n++] = (hh__ch_seed){e->to, part(1 - f, e->dur_ds[m][0]), part(1 - f, edge_dm(e)), index};
    if (e->dur_ds[m][1] != HH_DUR_NONE || f == 0)
        out[n++] = (hh__ch_seed){e->from, part(f, e->dur_ds[m][1]), part(f, edge_dm(e)), index};
    return n;
}

int hh__target_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed *out)
{
    const hh__edge *e = &net->edges[s->edge];
    double f = frac(e, s);
    int n = 0;
    if (m == HH_MODE_CAR) {
        /* on a vertex: arriving there by any arc, before any turn */
        if (f == 0 || f == 1) {
            uint32_t v = f == 0 ? e->from : e->to;
            const hh__arc *A = net->arcs[HH_MODE_CAR];
            for (uint32_t k = net->car_in_first[v]; k < net->car_in_first[v + 1]; k++) {
                uint32_t a = net->car_in[k];
                n = car_with_copies(net, a, A[a].dur_ds, A[a].len_dm, index, out, n);
            }
            return n;
        }
        uint32_t af = car_arc_of(net, s->edge, 0), ab = car_arc_of(net, s->edge, 1);
        if (af != UINT32_MAX)
            n = car_with_copies(net, af, part(f, e->dur_ds[m][0]), part(f, edge_dm(e)), index, out, n);
        if (ab != UINT32_MAX)
            n = car_with_copies(net, ab, part(1 - f, e->dur_ds[m][1]), part(1 - f, edge_dm(e)), index, out, n);
        return n;
    }
    /* a point exactly on an end vertex is reached by any of its edges */
    if (e->dur_ds[m][0] != HH_DUR_NONE || f == 0)
        out[n++] = (hh__ch_seed){e->from, part(f, e->dur_ds[m][0]), part(f, edge_dm(e)), index};
    if (e->dur_ds[m][1] != HH_DUR_NONE || f == 1)
        out[n++] = (hh__ch_seed){e->to, part(1 - f, e->dur_ds[m][1]), part(1 - f, edge_dm(e)), index};
    return n;
}

uint32_t hh__point_vertex(const hh_net *net, const hh_snap *s)
{
    const hh__edge *e = &net->edges[s->edge];
    double f = frac(e, s);
    return f == 0 ? e->from : f == 1 ? e->to : UINT32_MAX;
}

int hh__same_edge(const hh_net *net, hh_mode m, const hh_snap *o, const hh_snap *t, uint32_t *dur_ds,
                  uint32_t *len_dm)
{
    if (o->edge != t->edge) {
        if (m != HH_MODE_CAR)
            return -1;
        /* car seeds start past the origin's first turn and end at a target
         * vertex's arrivals: a target on an end vertex of the origin's
         * edge, or on the origin's own vertex, is reached directly */
        uint32_t vt = hh__point_vertex(net, t), vo = hh__point_vertex(net, o);
        if (vt == UINT32_MAX)
            return -1;
        if (vo == vt) {
            *dur_ds = *len_dm = 0;
            return 0;
        }
        const hh__edge *e = &net->edges[o->edge];
        if (vo != UINT32_MAX || (vt != e->from && vt != e->to))
            return -1;
        double fo = frac(e, o);
        int dir = vt == e->to ? 0 : 1; /* a self-loop edge: forward */
        uint32_t d = e->dur_ds[m][dir];
        if (d == HH_DUR_NONE)
            return -1;
        double f = dir ? fo : 1 - fo;
        *dur_ds = part(f, d);
        *len_dm = part(f, edge_dm(e));
        return 0;
    }
    const hh__edge *e = &net->edges[o->edge];
    double fo = frac(e, o), ft = frac(e, t);
    if (ft == fo) {
        *dur_ds = *len_dm = 0; /* the same position: no direction needed */
        return 0;
    }
    uint32_t d = e->dur_ds[m][ft > fo ? 0 : 1];
    if (d == HH_DUR_NONE)
        return -1;
    *dur_ds = part(fabs(ft - fo), d);
    *len_dm = part(fabs(ft - fo), edge_dm(e));
    return 0;
}

double hh__connector_s(const hh_net *net, hh_mode m, const hh_snap *s)
{
    return s->off_m / (net->info.profile.connector_kmh[m] / 3.6);
}

int hh__snap_all(const hh_net *net, hh_mode mode, double max_m, const hh_points *p, hh_snap *s,
                 unsigned char *ok)
{
    for (size_t i = 0; i < p->n; i++) {
        int rc = hh_snap_point(net, mode, p->lon[i], p->lat[i], max_m, &s[i]);
        ok[i] = rc == 0;
        if (rc && rc != HH_ENOSNAP && rc != HH_ERANGE)
            return rc;
    }
    return 0;
}
