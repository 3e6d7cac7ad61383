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

int hh__source_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed out[2])
{
    const hh__edge *e = &net->edges[s->edge];
    double f = frac(e, s);
    int n = 0;
    /* a point exactly on an end vertex leaves by any of its edges */
    if (e->dur_ds[m][0] != HH_DUR_NONE || f == 1)
        out[n++] = (hh__ch_seed){e->to, part(1 - f, e->dur_ds[m][0]), part(1 - f, edge_dm(e)), index};
    if (e->dur_ds[m][1] != HH_DUR_NONE || f == 0)
        out[n++] = (hh__ch_seed){e->from, part(f, e->dur_ds[m][1]), part(f, edge_dm(e)), index};
    return n;
}

int hh__target_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed out[2])
{
    const hh__edge *e = &net->edges[s->edge];
    double f = frac(e, s);
    int n = 0;
    /* a point exactly on an end vertex is reached by any of its edges */
    if (e->dur_ds[m][0] != HH_DUR_NONE || f == 0)
        out[n++] = (hh__ch_seed){e->from, part(f, e->dur_ds[m][0]), part(f, edge_dm(e)), index};
    if (e->dur_ds[m][1] != HH_DUR_NONE || f == 1)
        out[n++] = (hh__ch_seed){e->to, part(1 - f, e->dur_ds[m][1]), part(1 - f, edge_dm(e)), index};
    return n;
}

int hh__same_edge(const hh_net *net, hh_mode m, const hh_snap *o, const hh_snap *t, uint32_t *dur_ds,
                  uint32_t *len_dm)
{
    if (o->edge != t->edge)
        return -1;
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
