/* net.h: the network file's layout and the read-only view over a mapping.
 *
 * The file is a header, a section table and 8-byte-aligned sections of
 * fixed-size little-endian records (docs/format.md has the byte tables).
 * hh_net holds pointers straight into the read-only mapping, so opening is
 * a mmap plus validation, and any number of threads may share it.
 * Invariant (checked on open by hh__net_validate): every index stored in a
 * section is in range, first_out arrays start at 0, never decrease and end at
 * the arc count, so searches need no bounds checks of their own. */
#ifndef HH_NET_NET_H
#define HH_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"

#define HH_NET_MAGIC "HALFHOUR"
#define HH_NET_VERSION 2u
#define HH_NET_HEADER_SIZE 128u
#define HH_DUR_NONE UINT32_MAX /* direction closed to the mode */
/* files up to this size have their body CRC checked on open (a few
 * milliseconds); larger ones only by hh_net_verify (net/file.c) */
#define HH_NET_OPEN_CRC_MAX ((size_t)64 << 20)

enum hh__section_id {
    HH_SEC_META = 1,        /* char: "key=value\n" text (source, profile, ...) */
    HH_SEC_NODE_LL = 2,     /* hh__ll per vertex */
    HH_SEC_EDGE = 3,        /* hh__edge per edge */
    HH_SEC_SHAPE_FIRST = 4, /* uint32 n_edges+1: first shape point of edge */
    HH_SEC_SHAPE_LL = 5,    /* hh__ll: inner points of edges, in way order */
    HH_SEC_FIRST_OUT = 10,  /* +mode: uint32 n_nodes+1 per mode */
    HH_SEC_ARC = 20,        /* +mode: hh__arc, sorted by tail vertex */
    HH_SEC_GRID = 30,       /* hh__grid_hdr, one record */
    HH_SEC_GRID_FIRST = 31, /* uint32 n_cells+1 */
    HH_SEC_GRID_ITEM = 32,  /* uint32 edge ids per cell */
    HH_SEC_RESTRICTION = 40, /* hh__turn: car turn restrictions */
    HH_SEC_VFLAGS = 41,      /* uint8 per vertex: HH_VFLAG_* (build/turns.h) */
    HH_SEC_TURN_PATH = 42,   /* hh__turn_path_rec: restrictions via ways */
    HH_SEC_TURN_PATH_ARC = 43, /* uint32 edge_dir: their car arcs, from .. via .. to */
    HH_SEC_CH_RANK = 50,      /* +mode: uint32 n_nodes, vertex -> CH id */
    HH_SEC_CH_FWD_FIRST = 60, /* +mode: uint32 n_nodes+1, by CH id */
    HH_SEC_CH_FWD = 70,       /* +mode: hh__ch_arc, upward forward arcs */
    HH_SEC_CH_BWD_FIRST = 80, /* +mode: uint32 n_nodes+1 */
    HH_SEC_CH_BWD = 90,       /* +mode: hh__ch_arc, upward backward arcs */
    /* the car's turn graph (see build/turns.h): its nodes are the car arcs
     * (then copies made for via-way restrictions), its arcs the allowed
     * moves from one car arc onto the next */
    HH_SEC_TURN_FIRST = 200,  /* uint32 n_tnodes+1: CSR over turn nodes */
    HH_SEC_TURN_ARC = 201,    /* hh__arc: head = turn node, dur_ds = first arc + turn cost */
    HH_SEC_TURN_DUP = 202,    /* uint32 per copy: the car arc it copies */
    HH_SEC_CAR_IN_FIRST = 203, /* uint32 n_nodes+1: car arcs by head vertex */
    HH_SEC_CAR_IN = 204,       /* uint32: car arc ids, grouped by head */
    HH_SEC_LAYER_NAMES = 210,  /* char: "name<TAB>blanks<TAB>source\n" per opportunity layer */
    HH_SEC_LAYER_LL = 211,     /* hh__ll per opportunity point */
    HH_SEC_LAYER_VAL = 212     /* double: points x layers, point-major */
};

typedef struct hh__ll {
    int32_t lon_e7, lat_e7; /* degrees × 1e7 */
} hh__ll;

typedef struct hh__edge {
    uint32_t from, to;                /* vertices at the way's first/last point */
    uint32_t len_mm;                  /* length along the shape, millimetres */
    uint32_t dur_ds[HH_N_MODES][2];   /* [mode][0 fwd, 1 bwd], deciseconds or HH_DUR_NONE */
    uint32_t way_id_lo, way_id_hi;    /* OSM way id (split to keep 4-byte alignment) */
    uint8_t road_class;               /* hh_road_class */
    uint8_t mode_mask;                /* bit m: usable by mode m (in its kept components) */
    uint8_t pad[2];
} hh__edge; /* 48 bytes */

typedef struct hh__arc {
    uint32_t head;     /* vertex reached */
    uint32_t dur_ds;   /* travel time, deciseconds */
    uint32_t len_dm;   /* length, decimetres */
    uint32_t edge_dir; /* edge << 1 | (1 when against the way's direction) */
} hh__arc; /* 16 bytes */

typedef struct hh__grid_hdr {
    double lon0, lat0;    /* origin of the local plane (bbox centre) */
    double mx, my;        /* metres per degree of lon and lat at lat0 */
    double x0, y0;        /* lower-left corner of the grid in the plane, m */
    double cell_m;        /* grid cell size, m */
    uint32_t nx, ny;      /* cells */
    double min_lon, min_lat, max_lon, max_lat; /* bbox of all vertices */
} hh__grid_hdr;

typedef struct hh__turn {
    uint32_t from_edge, via_node, to_edge;
    uint32_t only; /* 1 only_*, 0 no_* */
} hh__turn;

/* A restriction via ways as stored: car arcs named by edge_dir (edge << 1 |
 * dir), so that the turn graph can be rebuilt after the arcs are renumbered. */
typedef struct hh__turn_path_rec {
    uint32_t first, n; /* into HH_SEC_TURN_PATH_ARC */
    uint32_t only;     /* 1 only_*, 0 no_* */
    uint32_t pad;
} hh__turn_path_rec;

typedef struct hh__section {
    uint32_t id, elem_size;
    uint64_t offset, count;
    uint64_t reserved; /* bit 63 set: bits 0-31 are the section's CRC-32 */
} hh__section; /* 32 bytes */

/* Contraction hierarchy of one mode (street/ch.h has the queries). */
typedef struct hh__ch_arc {
    uint32_t head;   /* CH id of the higher end */
    uint32_t dur_ds; /* travel time, deciseconds */
    uint32_t len_dm; /* length, decimetres */
} hh__ch_arc;        /* 12 bytes */

typedef struct hh__ch {
    uint32_t n;                /* vertices, as in the mode's graph */
    uint32_t n_fwd, n_bwd;     /* arcs in fwd and bwd */
    uint32_t n_shortcuts;      /* shortcuts made by the build (0 for a view) */
    const uint32_t *rank;      /* [n] vertex -> CH id */
    const uint32_t *fwd_first; /* [n+1] by CH id */
    const hh__ch_arc *fwd;     /* [n_fwd] x -> head, head > x */
    const uint32_t *bwd_first; /* [n+1] by CH id */
    const hh__ch_arc *bwd;     /* [n_bwd] reversed: head -> x, head > x */
    const uint32_t *bwd_tail;  /* [n_bwd] x of each bwd arc: not in the file,
                                * derived from bwd_first (hh__ch_tails) so that
                                * the PHAST sweep is one flat loop over arcs */
    void *owned;               /* block holding the arrays, or NULL for a view */
    uint32_t *owned_tail;      /* bwd_tail when made at open, else NULL */
} hh__ch;

struct hh_net {
    const uint8_t *map;
    size_t map_len;
    uint32_t n_nodes, n_edges, n_shape, n_turns;
    const hh__ll *node_ll;
    const hh__edge *edges;
    const uint32_t *shape_first;
    const hh__ll *shape_ll;
    const uint32_t *first_out[HH_N_MODES];
    const hh__arc *arcs[HH_N_MODES];
    uint32_t n_arcs[HH_N_MODES];
    const hh__grid_hdr *grid;
    const uint32_t *grid_first, *grid_item;
    uint32_t n_grid_items;
    const hh__turn *turns;
    /* car turn graph: n_tnodes = n_arcs[car] + n_tdup */
    uint32_t n_tnodes, n_tdup, n_tarcs;
    const uint32_t *turn_first; /* [n_tnodes+1] */
    const hh__arc *turn_arcs;   /* [n_tarcs] */
    const uint32_t *tdup;       /* [n_tdup] car arc of copy n_arcs[car]+i */
    const uint32_t *car_in_first; /* [n_nodes+1] */
    const uint32_t *car_in;       /* [n_arcs[car]] */
    uint32_t max_seeds;           /* seeds one snapped point can need, any mode */
    double mean_mps[HH_N_MODES];  /* length over time of all the mode's arcs (m/s) */
    /* car sweep read-out, by CH id of the car's hierarchy: the vertex its turn
     * node's arc arrives at and that arc's key (dur_ds << 32 | len_dm);
     * owned, made at open (NULL without a car hierarchy) */
    uint32_t *car_x_head;
    uint64_t *car_x_key;
    const char *meta;
    size_t meta_len;
    char *meta_copy; /* NUL-terminated copies of meta values */
    const hh__section *sections;
    uint32_t n_sections;
    struct hh__transit *transit; /* NULL without transit sections */
    hh__ch ch[HH_N_MODES];        /* views into the file; n == 0 when absent */
    hh_net_info info;
    /* bbox of all street geometry: vertices and shape points (hh_net_bbox) */
    double ext_min_lon, ext_min_lat, ext_max_lon, ext_max_lat;
    /* derived forms made on first use (util/lazy.h): the isochrone's samples
     * per mode and lattice; the only part of an open network that changes,
     * behind the table's lock */
    struct hh__lazy *lazy;
};

/* The local plane: metres east/north of (lon0, lat0). */
static inline double hh__x_of(const hh__grid_hdr *g, int32_t lon_e7)
{
    return (lon_e7 * 1e-7 - g->lon0) * g->mx;
}
static inline double hh__y_of(const hh__grid_hdr *g, int32_t lat_e7)
{
    return (lat_e7 * 1e-7 - g->lat0) * g->my;
}

/* In-memory network the builder fills; hh__net_write turns it into a file. */
typedef struct hh__net_parts {
    uint32_t n_nodes, n_edges, n_shape, n_turns;
    hh__ll *node_ll;
    hh__edge *edges;
    uint32_t *shape_first;
    hh__ll *shape_ll;
    uint32_t *first_out[HH_N_MODES];
    hh__arc *arcs[HH_N_MODES];
    uint32_t n_arcs[HH_N_MODES];
    hh__grid_hdr grid;
    uint32_t *grid_first, *grid_item;
    uint32_t n_grid_items;
    hh__turn *turns;
    char *meta;
    /* the car turn graph (see build/turns.h) */
    uint32_t n_tnodes, n_tdup, n_tarcs;
    uint32_t *turn_first, *tdup, *car_in_first, *car_in;
    hh__arc *turn_arcs;
    /* further sections (transit, speed-up indexes), written after the rest;
     * `owned` buffers are freed with the parts */
    uint32_t n_extra;
    struct {
        uint32_t id, elem;
        const void *data;
        uint64_t count;
    } extra[128];
    uint32_t n_owned;
    void *owned[128];
} hh__net_parts;

/* Appends a section; `own` non-zero hands the buffer to the parts. */
int hh__net_parts_add(hh__net_parts *p, uint32_t id, uint32_t elem, const void *data, uint64_t count, int own);

/* Writes parts to path atomically (path.tmp-XXXXXX, fsync, rename). */
int hh__net_write(const hh__net_parts *p, const char *path, uint64_t *bytes, char *err, size_t errlen);
void hh__net_parts_free(hh__net_parts *p);

/* A section of an opened network by id, checking its record size; NULL
 * when absent or of another record size. */
const void *hh__net_section(const hh_net *net, uint32_t id, uint32_t elem, uint64_t *count);

/* The graph a mode's searches run on: vertices for walk and bike, turn
 * nodes (car arcs and their copies) for car. */
static inline uint32_t hh__search_n(const hh_net *net, int mode)
{
    return mode == HH_MODE_CAR ? net->n_tnodes : net->n_nodes;
}
/* The car arc a turn node stands for. */
static inline uint32_t hh__tnode_arc(const hh_net *net, uint32_t t)
{
    uint32_t na = net->n_arcs[HH_MODE_CAR];
    return t < na ? t : net->tdup[t - na];
}

/* Great-circle distance in metres (haversine, R = 6371008.8 m). */
double hh__haversine_m(double lon1, double lat1, double lon2, double lat2);

#endif
