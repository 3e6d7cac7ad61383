/* profile.h: turns an OSM way's tags into per-mode permissions, directions
 * and speeds, using the swappable hh_profile table (no policy lives in the
 * search code).  Pure functions over caller memory; safe from any thread.
 * Invariant: a mode whose speed is 0 for a way is closed in both directions. */
#ifndef HH_INGEST_PROFILE_H
#define HH_INGEST_PROFILE_H

#include <stdint.h>

#include "halfhour.h"

typedef struct hh__tag {
    const char *k, *v;
} hh__tag;

typedef struct hh__way_attr {
    int road_class;               /* hh_road_class */
    double speed_kmh[HH_N_MODES]; /* 0 = closed to the mode */
    uint8_t fwd[HH_N_MODES];      /* may travel in way direction */
    uint8_t bwd[HH_N_MODES];      /* may travel against it */
} hh__way_attr;

/* Returns 1 and fills *a when some mode may use the way, 0 otherwise
 * (not a road, closed to all, area outline only...). */
int hh__profile_way(const hh_profile *p, const hh__tag *tags, int n_tags,
                    hh__way_attr *a);

/* Parses an OSM maxspeed value into km/h ("50", "30 mph", "50 km/h",
 * "10 knots"); returns 0 on success, -1 for values such as "none",
 * "signals" or country codes that carry no number. */
int hh__parse_maxspeed(const char *v, double *kmh);

#endif
