/* osm.h: reads an OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.bz2)
 * into flat arrays: every node's position, the ways some mode may use (with
 * their per-mode attributes from the profile) and car turn restrictions.
 * Parsing is libreadosm's (PBF and XML); .bz2 is inflated with libbz2 into a
 * temporary file first, because readosm reads only plain files.
 * Memory: hh__osm owns its arrays; free with hh__osm_free (NULL-safe).
 * Invariant: node_id is sorted ascending and unique after hh__osm_read. */
#ifndef HH_INGEST_OSM_H
#define HH_INGEST_OSM_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"
#include "ingest/profile.h"

typedef struct hh__restriction {
    int64_t from_way, via_node, to_way;
    uint8_t only; /* 1: only_* (every other turn is banned), 0: no_* */
} hh__restriction;

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

    uint64_t osm_nodes, osm_ways, osm_relations; /* objects read in total */
} hh__osm;

int hh__osm_read(const char *path, const hh_profile *p, hh__osm *out, char *err, size_t errlen);
void hh__osm_free(hh__osm *o);
/* Checks an OSM PBF file's block framing against the format's size caps
 * (see pbf_check.c); HH_EFORMAT / HH_ETRUNCATED with a message. */
int hh__pbf_check(const char *path, char *err, size_t errlen);

/* Index of a node id in o->node_id, or -1. */
ptrdiff_t hh__osm_node_index(const hh__osm *o, int64_t id);

#endif
