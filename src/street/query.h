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

#endif
