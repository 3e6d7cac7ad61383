/* query.h: the per-thread search workspace behind hh_query.
 * Arrays are sized once for the network in hh_query_init; a search only
 * stamps the vertices it touches (generation counter), so a bounded search
 * costs what it reaches, not the size of the region.
 * Invariant: vs[v].dist_ds is meaningful only when vs[v].stamp == gen. */
#ifndef HH_STREET_QUERY_H
#define HH_STREET_QUERY_H

#include <stdint.h>

#include "halfhour.h"
#include "net/net.h"
#include "street/ch.h"

typedef struct hh__contour_ws hh__contour_ws;

typedef struct hh__vstate {
    uint32_t stamp;   /* generation that last touched the vertex */
    uint32_t dist_ds; /* best travel time, deciseconds */
    uint32_t len_dm;  /* street length along that path, decimetres */
    uint32_t pos;     /* heap position, or UINT32_MAX once settled */
} hh__vstate;

typedef struct hh__hentry {
    uint32_t key; /* dist_ds when pushed or decreased */
    uint32_t v;
} hh__hentry;

struct hh_query {
    const hh_net *net;
    uint32_t n;
    uint32_t gen;
    hh__vstate *vs;    /* per vertex, one cache line fetch per visit */
    hh__hentry *heap;  /* 4-ary min-heap, keys inline */
    uint32_t heap_n;
    uint32_t *settled; /* vertices in settling order */
    uint32_t n_settled;
    /* last search */
    hh_mode mode;
    hh_snap origin;
    double origin_conn_s; /* connector time from the point to the street */
    double max_s;
    int has_run;
    hh__ch_ws chws;      /* PHAST workspace, created on first use */
    int chws_ready;
    int force_dijkstra;  /* tests: run the plain search even with a CH */
    /* car searches run on the turn graph (build/turns.h); the vertex states
     * above are derived from these after each search */
    uint32_t n_t;        /* turn nodes */
    hh__vstate *tvs;     /* per turn node: time at the start of its arc */
    uint32_t *tsettled;  /* turn nodes reached, n_tsettled of them */
    uint32_t n_tsettled;
    uint64_t *arc_key;   /* per car arc: earliest start, dur_ds << 32 | len_dm */
    uint32_t *arc_stamp; /* generation that set arc_key */
    uint32_t *arcs_hit;  /* car arcs reached, n_arcs_hit of them */
    uint32_t n_arcs_hit;
    int car_phast;       /* last car search was a sweep: arc starts live in chws */
    uint64_t *vkey;      /* per vertex: scratch for the car sweep's arrivals */
};

/* After a car search: the earliest start of car arc a (over its copies) as
 * dur_ds << 32 | len_dm, or UINT64_MAX when not reached. */
uint64_t hh__car_arc_start(const hh_query *q, uint32_t a);

/* Forces the plain Dijkstra (1) or lets PHAST run where a CH exists (0). */
static inline void hh__query_force_dijkstra(hh_query *q, int on) { q->force_dijkstra = on; }

/* Time along edge e after the last search, as a function of the fraction u
 * in [0, 1] from its `from` end: the earliest of arriving from `from`
 * (forward), from `to` (backward), at an end vertex itself, and, on the
 * origin's own edge, from the snapped origin.  Each is linear in u, so an
 * edge is set up once and then evaluated at many points (isochrones). */
typedef struct hh__edge_times {
    double f0, f1;        /* forward: t = f0 + f1 * u, INFINITY when closed */
    double b0, b1;        /* backward: t = b0 - b1 * u */
    double at0, at1;      /* the end vertices' own times (whatever the directions) */
    double o, ou, of, ob; /* origin edge: time o at ou, slopes forward, backward */
    int origin;
} hh__edge_times;

void hh__edge_times_init(const hh_query *q, uint32_t e, hh__edge_times *et);

static inline double hh__edge_time_at(const hh__edge_times *et, double u)
{
    double t = et->f0 + et->f1 * u, tb = et->b0 - et->b1 * u;
    t = tb < t ? tb : t;
    if (u == 0 && et->at0 < t)
        t = et->at0;
    if (u == 1 && et->at1 < t)
        t = et->at1;
    if (et->origin) {
        double d = u - et->ou;
        double to = d > 0 ? et->o + d * et->of : d < 0 ? et->o - d * et->ob : et->o;
        t = to < t ? to : t;
    }
    return t;
}

/* Time (s) at distance `along_m` of edge e travelling from the origin of the
 * last search (connector included), or INFINITY. */
double hh__query_time_on_edge(const hh_query *q, uint32_t e, double along_m);

#endif
