/* transit.h: the public-transit part of the network file.
 *
 * A timetable (src/transit/timetable.h) is stored array by array as sections
 * 100..199 (one section per hh__timetable array, in HH_TT_ARRAYS order), plus
 * the links between stops and the walk network: each stop's snapped walk
 * edge (HH_SEC_STOP_LINK) and street-following footpaths between stops
 * (HH_SEC_FOOT_FIRST / HH_SEC_FOOT). On open the timetable's pointers are
 * set straight into the mapping and hh__timetable_check validates it.
 * Memory: the mapped timetable belongs to the hh_net; never free it.
 * Invariant: foot_first has n_stops+1 entries, non-decreasing. */
#ifndef HH_NET_TRANSIT_H
#define HH_NET_TRANSIT_H

#include <stdint.h>

#include "halfhour.h"
#include "transit/timetable.h"

#define HH_SEC_TT_FEED 100      /* hh__tt_feed_rec per feed */
#define HH_SEC_TT_FEED_STR 101  /* char: feed names and time zones */
#define HH_SEC_TT_BASE 110      /* + index in HH_TT_ARRAYS */
#define HH_SEC_STOP_LINK 190    /* hh__stop_link per stop */
#define HH_SEC_FOOT_FIRST 191   /* uint32 n_stops+1 */
#define HH_SEC_FOOT 192         /* hh__foot, sorted by from stop */
#define HH_SEC_EGRESS_FIRST 193 /* uint32 n_stops+1 */
#define HH_SEC_EGRESS 194       /* hh__egress, by stop */
#define HH_SEC_TT_WARN 195      /* char: GTFS load warnings, one kind per line */

#define HH_STOP_UNLINKED UINT32_MAX

/* A feed as stored in HH_SEC_TT_FEED (strings in HH_SEC_TT_FEED_STR). */
typedef struct hh__tt_feed_rec {
    uint32_t name_off, tz_off;
    int32_t first_date, last_date;
    uint32_t stop_begin, stop_end, route_begin, route_end;
    uint32_t service_begin, service_end, trip_begin, trip_end;
    uint32_t n_stop_time_rows, n_interpolated, n_trips_dropped, n_freqs_dropped, n_xfers_skipped;
    uint32_t agencies_off; /* in TT_FEED_STR */
} hh__tt_feed_rec;

typedef struct hh__stop_link {
    uint32_t edge;  /* walk edge, or HH_STOP_UNLINKED */
    float along_m;  /* position along the edge */
    float off_m;    /* straight distance from the stop to the edge */
} hh__stop_link;

typedef struct hh__foot {
    uint32_t to;     /* stop */
    uint32_t walk_s; /* walking time along the streets, connectors included */
} hh__foot;

/* A stop's egress table entry: walking from the stop (its connector
 * included) to a vertex of the walk network, within transit.egress_m;
 * each stop's entries are sorted by walk_ds (then vertex). */
typedef struct hh__egress {
    uint32_t vertex;
    uint32_t walk_ds;
} hh__egress;

/* One row per timetable array: X(field, element type, count expression). */
#define HH_TT_ARRAYS(X)                                                             \
    X(stop_lon, double, tt->n_stops) X(stop_lat, double, tt->n_stops)              \
    X(stop_type, uint8_t, tt->n_stops) X(stop_parent, uint32_t, tt->n_stops)       \
    X(stop_id, uint32_t, tt->n_stops) X(stop_name, uint32_t, tt->n_stops)          \
    X(stop_pat_first, uint32_t, tt->n_stops + 1)                                   \
    X(stop_pats, uint32_t, tt->stop_pat_first[tt->n_stops])                        \
    X(stop_pat_pos, uint32_t, tt->stop_pat_first[tt->n_stops])                     \
    X(stop_xfer_first, uint32_t, tt->n_stops + 1)                                  \
    X(route_id, uint32_t, tt->n_routes) X(route_short_name, uint32_t, tt->n_routes) \
    X(route_long_name, uint32_t, tt->n_routes) X(route_type, int32_t, tt->n_routes) \
    X(service_id, uint32_t, tt->n_services) X(service_days, uint8_t, tt->n_services) \
    X(service_start, int32_t, tt->n_services) X(service_end, int32_t, tt->n_services) \
    X(service_exc_first, uint32_t, tt->n_services + 1)                             \
    X(exc_date, int32_t, tt->service_exc_first[tt->n_services])                    \
    X(exc_added, uint8_t, tt->service_exc_first[tt->n_services])                   \
    X(trip_id, uint32_t, tt->n_trips) X(trip_route, uint32_t, tt->n_trips)         \
    X(trip_service, uint32_t, tt->n_trips) X(trip_pattern, uint32_t, tt->n_trips)  \
    X(trip_st, uint32_t, tt->n_trips) X(trip_freq_first, uint32_t, tt->n_trips + 1) \
    X(pat_route, uint32_t, tt->n_patterns) X(pat_freq, uint8_t, tt->n_patterns)    \
    X(pat_stop_first, uint32_t, tt->n_patterns + 1)                                \
    X(pat_stops, uint32_t, tt->pat_stop_first[tt->n_patterns])                     \
    X(pat_stop_flags, uint8_t, tt->pat_stop_first[tt->n_patterns])                 \
    X(pat_trip_first, uint32_t, tt->n_patterns + 1)                                \
    X(pat_trips, uint32_t, tt->pat_trip_first[tt->n_patterns])                     \
    X(pat_st, uint32_t, tt->n_patterns)                                            \
    X(arr, int32_t, tt->n_stop_times) X(dep, int32_t, tt->n_stop_times)            \
    X(freq_trip, uint32_t, tt->n_freqs) X(freq_start, int32_t, tt->n_freqs)        \
    X(freq_end, int32_t, tt->n_freqs) X(freq_headway, int32_t, tt->n_freqs)        \
    X(freq_exact, uint8_t, tt->n_freqs)                                            \
    X(xfer_from, uint32_t, tt->n_xfers) X(xfer_to, uint32_t, tt->n_xfers)          \
    X(xfer_type, uint8_t, tt->n_xfers) X(xfer_min_s, int32_t, tt->n_xfers)         \
    X(strs, char, tt->strs_len)

/* The transit part of an opened network (all pointers into the mapping). */
typedef struct hh__transit {
    hh__timetable tt;
    const hh__stop_link *stop_link; /* n_stops */
    const uint32_t *foot_first;     /* n_stops + 1 */
    const hh__foot *foot;
    uint32_t n_foot;
    const uint32_t *egress_first;   /* n_stops + 1 */
    const hh__egress *egress;
} hh__transit;

/* Maps the transit sections of an opened network into net->transit (left
 * NULL when the file has none); validates everything. */
int hh__transit_open(hh_net *net, const char *path, char *err, size_t errlen);
void hh__transit_close(hh__transit *t);

#endif
