/* osm.h: reads an OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.bz2)
 * into flat arrays: every node's position, the ways some mode may use (with
 * their per-mode attributes from the profile), the nodes that matter to
 * routing (barriers, traffic signals), car turn restrictions (via a node or
 * via ways) and areas (closed ways and multipolygons, assembled).
 * Decoding is libosmium's, behind one C++ file (osm_reader.cpp, C interface
 * in osm_reader.h): PBF blocks in parallel on OSMIUM_POOL_THREADS threads
 * (default: every core), XML via expat, .bz2 as a stream; corrupt or
 * hostile input gives HH_EFORMAT or HH_ETRUNCATED and one line naming the
 * file, never a crash.  XML must say <osm version="0.6"> (osmium refuses
 * files without a version).  Areas from multipolygon relations need the
 * file's ids unique and ascending, as in every extract.
 * Memory: hh__osm owns its arrays (allocated through hh__malloc, so the
 * allocation hook sees them); free with hh__osm_free (NULL-safe).
 * Invariant: node_id is sorted ascending and unique after hh__osm_read
 * (duplicates: the last one read is kept); so is tagged. */
#ifndef HH_INGEST_OSM_H
#define HH_INGEST_OSM_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"
#include "ingest/profile.h"

/* A car turn restriction as tagged: from a way, via one node or via one or
 * more ways (in relation member order), to a way; restriction:motorcar=*
 * wins over restriction=*.  Restrictions for other vehicles only, and those
 * whose except= list names motorcar or motor_vehicle, are not listed; nor
 * are malformed ones (from or to missing, repeated or not a way; via
 * missing, two nodes, nodes and ways mixed, or a relation; a value other
 * than no_* / only_*), which are counted in restr_skipped. */
typedef struct hh__restriction {
    int64_t from_way, to_way;
    int64_t via_node;          /* via node id; 0 when the via is ways */
    uint32_t via_first, n_via; /* via ways: restr_via[via_first .. via_first+n_via) */
    uint8_t only;              /* 1: only_* (every other turn is banned), 0: no_* */
    uint8_t kind;              /* HH_TURN_KIND_*: the turn it names, to tell which side of a
                                * way passing through the via node is meant */
} hh__restriction;

#define HH_TURN_KIND_OTHER 0    /* no_entry, no_exit, ... */
#define HH_TURN_KIND_LEFT 1     /* *_left_turn */
#define HH_TURN_KIND_RIGHT 2    /* *_right_turn */
#define HH_TURN_KIND_STRAIGHT 3 /* *_straight_on */
#define HH_TURN_KIND_UTURN 4    /* *_u_turn */
/* The HH_TURN_KIND_* of a restriction value such as "no_left_turn". */
int hh__turn_kind(const char *value);

/* A node whose tags matter to routing (barriers, traffic signals), as the
 * profile judges it (hh__profile_node); sorted by id, unique. */
typedef struct hh__node_tagged {
    int64_t id;
    hh__node_attr a;
} hh__node_tagged;

/* An area: a closed way or an assembled multipolygon relation whose tags
 * pass hh__osm_area_wanted.  Rings are lon/lat e7 points, closed (first
 * point repeated last); the first ring of each polygon is its outer ring,
 * the rest of that polygon's rings are its holes. */
typedef struct hh__area {
    int64_t osm_id;              /* way id, or relation id */
    uint8_t from_relation;       /* 1: a multipolygon relation */
    uint32_t tag_first, n_tags;  /* area_tag[tag_first .. +n_tags) */
    uint32_t poly_first, n_polys; /* area_poly_first[poly_first .. +n_polys] */
} hh__area;

/* A node tagged as something opportunity layers may count (an amenity, a
 * shop, a stop...): its position and its tags of hh__osm_poi_key keys. */
typedef struct hh__poi {
    int32_t lon_e7, lat_e7;
    uint32_t tag_first, n_tags; /* poi_tag[tag_first .. +n_tags) */
} hh__poi;

typedef struct hh__osm {
    size_t n_nodes;
    int64_t *node_id;
    int32_t *node_lon_e7, *node_lat_e7;

    size_t n_ways;
    int64_t *way_id;
    hh__way_attr *way_attr;
    size_t *way_first; /* n_ways+1 entries into refs */
    int64_t *refs;

    size_t n_restr;
    hh__restriction *restr;
    size_t n_restr_via;
    int64_t *restr_via;     /* via way ids of all restrictions */
    uint64_t restr_skipped; /* restriction relations malformed, not listed */

    size_t n_tagged;
    hh__node_tagged *tagged; /* sorted by id */

    size_t n_areas;             /* in the order assembled (file order of their last way) */
    hh__area *areas;
    size_t n_area_tags;
    char **area_tag;            /* "key=value" strings, owned */
    size_t n_area_polys;
    uint32_t *area_poly_first;  /* polygon -> first ring, n_area_polys+1 entries */
    size_t n_area_rings;
    uint32_t *area_ring_first;  /* ring -> first point, n_area_rings+1 entries */
    int32_t *area_ll_e7;        /* lon,lat pairs */
    uint64_t areas_invalid;     /* wanted, but the geometry would not assemble (skipped) */
    uint64_t areas_incomplete;  /* multipolygons with member ways missing from the file */

    size_t n_pois;              /* in file order */
    hh__poi *pois;
    size_t n_poi_tags;
    char **poi_tag;             /* "key=value" strings, owned */

    uint64_t osm_nodes, osm_ways, osm_relations; /* objects read in total */
    int read_threads;                             /* decoding threads used */
} hh__osm;

int hh__osm_read(const char *path, const hh_profile *p, hh__osm *out, char *err, size_t errlen);
void hh__osm_free(hh__osm *o);

/* Whether an area's tags are of interest (parks, amenities, campuses...:
 * see osm.c); tags as read, n_tags entries. */
int hh__osm_area_wanted(const hh__tag *tags, int n_tags);
/* Whether a key is one points of interest and areas are kept for
 * (amenity, shop, leisure, healthcare, public_transport, railway, ...). */
int hh__osm_poi_key(const char *k);
/* Whether a node's tags make it a point of interest: a tag of such a key,
 * but of highway only bus_stop and of railway only station, halt, tram_stop. */
int hh__osm_poi_wanted(const hh__tag *tags, int n_tags);

/* The routing attributes of node id, or NULL when it has none. */
const hh__node_attr *hh__osm_node_attr(const hh__osm *o, int64_t id);

/* Index of a node id in o->node_id, or -1. */
ptrdiff_t hh__osm_node_index(const hh__osm *o, int64_t id);

#endif
