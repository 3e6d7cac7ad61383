/* osm_reader.h: the C face of the one C++ file of the project
 * (osm_reader.cpp), which decodes OSM files with libosmium and hands every
 * object to C callbacks; osm.c decides what to keep and owns the memory.
 * No C++ exception leaves hh__osmr_read: errors come back as HH_E* codes
 * with a one-line message naming the file. */
#ifndef HH_INGEST_OSM_READER_H
#define HH_INGEST_OSM_READER_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hh__osmr_format { HH__OSMR_PBF, HH__OSMR_XML, HH__OSMR_XML_BZ2 } hh__osmr_format;

/* At most this many tags of an object are passed on (the rest are dropped). */
#define HH__OSMR_MAX_TAGS 256

typedef struct hh__osmr_member {
    int64_t ref;
    char type;        /* 'n', 'w' or 'r' */
    const char *role; /* never NULL */
} hh__osmr_member;

/* An assembled area: polygons, each an outer ring then its inner rings;
 * rings closed, points lon,lat e7 pairs. */
typedef struct hh__osmr_area {
    int64_t osm_id;
    int from_relation;
    const hh__tag *tags;
    int n_tags;
    size_t n_polys;
    const uint32_t *poly_first; /* n_polys+1 entries into the rings */
    size_t n_rings;
    const uint32_t *ring_first; /* n_rings+1 entries into the points */
    const int32_t *ll_e7;       /* 2 * ring_first[n_rings] values */
} hh__osmr_area;

/* Callbacks return 0 to go on, or an HH_E* code that stops the read and is
 * returned by hh__osmr_read.  Pointers are valid during the call only. */
typedef struct hh__osmr_sink {
    void *ud;
    /* first pass, every object in file order; valid = 0: no usable position */
    int (*node)(void *ud, int64_t id, int valid, int32_t lon_e7, int32_t lat_e7, const hh__tag *tags,
                int n_tags);
    int (*way)(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const hh__tag *tags, int n_tags);
    int (*relation)(void *ud, int64_t id, const hh__tag *tags, int n_tags, const hh__osmr_member *m,
                    size_t n_members);
    /* whether a closed way's or a multipolygon relation's tags make an area */
    int (*area_wanted)(void *ud, const hh__tag *tags, int n_tags);
    /* between the passes (every node is known then) */
    int (*pass_done)(void *ud);
    /* the position of a node read in the first pass: 1 and *lon, *lat, or 0 */
    int (*locate)(void *ud, int64_t id, int32_t *lon_e7, int32_t *lat_e7);
    /* second pass: one area, as assembled */
    int (*area)(void *ud, const hh__osmr_area *a);
} hh__osmr_sink;

typedef struct hh__osmr_stats {
    uint64_t areas_invalid;    /* wanted areas whose geometry could not be assembled */
    uint64_t areas_incomplete; /* multipolygons with member ways missing from the file */
    int threads;               /* decoding threads used */
} hh__osmr_stats;

/* Reads path (format given; the suffix is not looked at) in two passes:
 * every object, then the ways again to assemble areas (skipped when no
 * closed way or multipolygon was wanted).  0, or HH_EFORMAT /
 * HH_ETRUNCATED (corrupt or cut input), HH_ENOMEM, HH_EIO, or a
 * callback's code; err gets one line starting with path. */
int hh__osmr_read(const char *path, hh__osmr_format fmt, const hh__osmr_sink *sink, hh__osmr_stats *stats,
                  char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
