/* query.h: the per-thread search workspace behind hh_query.
 * Arrays are sized once for the network in hh_query_init; a search only
 * stamps the vertices it touches (generation counter), so a bounded search
 * costs what it reaches, not the size of the region.
 * Invariant: dist_ds[v] is meaningful only when stamp[v] == gen. */
#ifndef HH_STREET_QUERY_H
#define HH_STREET_QUERY_H

#include <stdint.h>

#include "halfhour.h"
#include "net/net.h"

typedef struct hh__contour_ws hh__contour_ws;

struct hh_query {
    const hh_net *net;
    uint32_t n;
    uint32_t gen;
    uint32_t *stamp;   /* generation that last touched the vertex */
    uint32_t *dist_ds; /* best travel time, deciseconds */
    uint32_t *len_dm;  /* street length along that path, decimetres */
    uint32_t *heap;    /* 4-ary min-heap of vertices */
    uint32_t *pos;     /* heap position of a vertex, or UINT32_MAX when settled */
    uint32_t heap_n;
    uint32_t *settled; /* vertices in settling order */
    uint32_t n_settled;
    /* last search */
    hh_mode mode;
    hh_snap origin;
    double origin_conn_s; /* connector time from the point to the street */
    double max_s;
    int has_run;
    hh__contour_ws *contour; /* isochrone workspace, created on first use */
    struct hh__sample *samples; /* isochrone samples, grown to the largest seen */
    size_t cap_samples;
};

/* Time (s) at distance `along_m` of edge e travelling from the origin of the
 * last search, or INFINITY; considers both ends and the origin's own edge. */
double hh__query_time_on_edge(const hh_query *q, uint32_t e, double along_m, double *dist_m);

#endif
