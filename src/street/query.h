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
    uint32_t *edge_stamp; /* generation that last sampled an edge (isochrones) */
    uint32_t n_settled;
    /* last search */
    hh_mode mode;
    hh_snap origin;
    double origin_conn_s; /* connector time from the point to the street */
    double max_s;
    int has_run;
    hh__contour_ws *contour; /* isochrone workspace, created on first use */
    hh__ch_ws chws;      /* PHAST workspace, created on first use */
    int chws_ready;
    int force_dijkstra;  /* tests: run the plain search even with a CH */
    struct hh__sample *samples; /* isochrone samples, grown to the largest seen */
    size_t cap_samples;
};

/* Forces the plain Dijkstra (1) or lets PHAST run where a CH exists (0). */
static inline void hh__query_force_dijkstra(hh_query *q, int on) { q->force_dijkstra = on; }

/* Replaces the last search's vertex times by t_s[v] (seconds, origin
 * connector included; NAN or > max_s: unreached), keeping its origin, so
 * isochrones can be drawn from times computed elsewhere (transit). */
void hh__query_load_times(hh_query *q, const float *t_s, double max_s);

/* Time (s) at distance `along_m` of edge e travelling from the origin of the
 * last search, or INFINITY; considers both ends and the origin's own edge. */
double hh__query_time_on_edge(const hh_query *q, uint32_t e, double along_m, double *dist_m);

#endif
