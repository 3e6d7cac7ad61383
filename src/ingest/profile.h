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

/* What a node means to routing. */
typedef struct hh__node_attr {
    uint8_t closed;  /* bit m: a barrier here closes passage to mode m */
    uint8_t signals; /* highway=traffic_signals (crossing=traffic_signals too) */
} hh__node_attr;

/* Returns 1 and fills *a when the node's tags matter to some mode (a
 * barrier that closes a mode, traffic signals), 0 otherwise.  The barrier
 * table is the profile's (barrier.<value> = the modes that may pass); the
 * node's own access tags (access, foot, bicycle, vehicle, motor_vehicle,
 * motorcar) open or close it per mode as they do for ways. */
int hh__profile_node(const hh_profile *p, const hh__tag *tags, int n_tags, hh__node_attr *a);

/* Parses an OSM maxspeed value into km/h ("50", "30 mph", "50 km/h",
 * "10 knots"); returns 0 on success, -1 for values such as "none",
 * "signals" or country codes that carry no number. */
int hh__parse_maxspeed(const char *v, double *kmh);

#endif
