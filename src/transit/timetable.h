/* timetable.h: the timetable model RAPTOR runs on, whoever fills it.
 *
 * The GTFS reader (src/ingest/gtfs.h) loads feeds into it at build time; the
 * network file (src/net/transit.h) stores it array by array and, on open,
 * points these arrays straight into the mapping.  Searches read only this
 * header, never the reader's.
 *
 * Every stop, route, service and trip gets a dense uint32
 * index, feed after feed; ids are resolved within their own feed, so "1" in
 * two feeds stays two stops (internally an id is the pair feed index + id
 * string), and the original id strings are kept for display.  Trips are
 * grouped into patterns (RAPTOR routes): trips of one route with the same
 * stop sequence and the same boarding/alighting restrictions.  Times are
 * int32 seconds since "noon minus 12 h" of the service day in the feed's
 * agency_timezone (GTFS semantics: 25:10:00 is 90600, on the next calendar
 * day); blank intermediate times are already interpolated.  Feeds in
 * different time zones keep their own clocks: putting them on one clock (the
 * UTC instant of each feed's noon minus 12 h on the search date, which is
 * 23:00 or 01:00 local on a DST change day) is the search's job, not done
 * here.
 *
 * Memory: a timetable is one heap object owned by the caller and freed with
 * hh__timetable_free() (NULL-safe); every array below belongs to it.
 * Concurrency: a loaded timetable is never modified; any number of threads
 * may read it and call the const functions below at once.
 * Invariant: in a scheduled (non-frequency) pattern, trips are sorted by
 * departure at the first stop and never overtake one another: for trips j < k
 * of the pattern, arr and dep of j are <= those of k at every position, so
 * the first trip catchable at any stop is found by binary search.  Patterns
 * whose trips would overtake are split in two (or more) to keep this true. */
#ifndef HH_TRANSIT_TIMETABLE_H
#define HH_TRANSIT_TIMETABLE_H

#include <stddef.h>
#include <stdint.h>

/* "no such index" (no parent station, dropped trip, id not found) */
#define HH__GTFS_NONE UINT32_MAX

/* pat_stop_flags bits */
#define HH__GTFS_NO_BOARD 1u  /* pickup_type 1: nobody may board here */
#define HH__GTFS_NO_ALIGHT 2u /* drop_off_type 1: nobody may alight here */
/* (types 2 and 3, "phone" and "ask the driver", count as allowed) */

typedef struct hh__gtfs_feed {
    char *name;         /* zip file name without folders, for messages */
    char *timezone;     /* agency_timezone (IANA name), clock of all its times */
    char *agencies;     /* agency_name values, "; "-separated; NULL when none */
    int32_t first_date; /* YYYYMMDD of the first day any service runs; 0 if none */
    int32_t last_date;  /* YYYYMMDD of the last such day; 0 if none */
    /* the feed's entities are the index ranges [begin, end) */
    uint32_t stop_begin, stop_end;
    uint32_t route_begin, route_end;
    uint32_t service_begin, service_end;
    uint32_t trip_begin, trip_end;
    /* what loading had to do, for the build report */
    uint32_t n_stop_time_rows;  /* rows of stop_times.txt */
    uint32_t n_interpolated;    /* stop times whose blank times were filled */
    uint32_t n_trips_dropped;   /* trips with fewer than two stop times */
    uint32_t n_freqs_dropped;   /* frequencies.txt rows of dropped trips */
    uint32_t n_xfers_skipped;   /* transfers.txt rows tied to routes or trips */
} hh__gtfs_feed;

/* Faults of feeds found in the wild whose meaning is unambiguous: the
 * loader skips (or repairs) them and counts a warning of one of these kinds,
 * as R5 and OpenTripPlanner do; with hh__gtfs_opts.strict each is an error.
 *   duplicate_row          a row repeated verbatim (the copy is ignored)
 *   missing_reference      a row naming a trip, stop, route or service (or a
 *                          parent_station) that is not in the feed: dropped
 *   stop_without_position  a stop without stop_lat/stop_lon that no trip
 *                          calls at: kept unplaced, never linked
 *   blank_timezone         a blank agency_timezone, taken from the feed's
 *                          other agencies or hh__gtfs_opts.timezone
 *   stop_times_order       a trip's stop_times rows not in stop_sequence
 *                          order (sorted)
 *   unknown_route_type     a route_type number GTFS does not define (routed
 *                          like any other vehicle)
 *   short_trip             a trip with fewer than two stop times (dropped,
 *                          with its frequencies.txt rows)
 *   transfer_not_stop      a transfers.txt row for routes or trips, or type
 *                          4/5 (not a stop-to-stop rule: ignored) */
#define HH__GTFS_WARN_KINDS(X)                                                \
    X(DUPLICATE_ROW, "duplicate_row") X(MISSING_REF, "missing_reference")     \
    X(STOP_NO_POS, "stop_without_position") X(BLANK_TZ, "blank_timezone")    \
    X(ST_ORDER, "stop_times_order") X(ROUTE_TYPE, "unknown_route_type")       \
    X(SHORT_TRIP, "short_trip") X(XFER_NOT_STOP, "transfer_not_stop")
typedef enum {
#define HH__GW_ENUM(name, str) HH__GW_##name,
    HH__GTFS_WARN_KINDS(HH__GW_ENUM)
#undef HH__GW_ENUM
    HH__GW_N
} hh__gtfs_warn_kind;
#define HH__GTFS_WARN_EXAMPLES 3
#define HH__GTFS_WARN_TEXT 200
typedef struct hh__gtfs_warn {
    uint32_t count;
    /* the first examples, "<feed>: <file> line <n>: <what>" */
    char ex[HH__GTFS_WARN_EXAMPLES][HH__GTFS_WARN_TEXT];
} hh__gtfs_warn;
/* "duplicate_row", ...; NULL for a kind out of range. */
const char *hh__gtfs_warn_name(int kind);

typedef struct hh__timetable {
    uint32_t n_feeds;
    hh__gtfs_feed *feeds;

    /* stops (stops.txt rows, all location types) */
    uint32_t n_stops;
    double *stop_lon, *stop_lat; /* WGS-84 degrees; NaN when blank (types 3, 4) */
    uint8_t *stop_type;          /* location_type 0..4 (0 stop, 1 station, ...) */
    uint32_t *stop_parent;       /* parent_station's index or HH__GTFS_NONE */
    uint32_t *stop_id;           /* original stop_id (hh__timetable_str) */
    uint32_t *stop_name;         /* stop_name, "" when blank */
    uint32_t *stop_pat_first;    /* n_stops+1 entries into stop_pats/stop_pat_pos */
    uint32_t *stop_pats;         /* patterns calling at the stop, ascending */
    uint32_t *stop_pat_pos;      /* first position of the stop in that pattern */
    uint32_t *stop_xfer_first;   /* n_stops+1 entries into xfer_* (from this stop) */

    /* routes */
    uint32_t n_routes;
    uint32_t *route_id, *route_short_name, *route_long_name; /* strings */
    int32_t *route_type; /* GTFS route_type (0 tram, 1 metro, 3 bus, 700 ...) */

    /* services: calendar.txt and calendar_dates.txt, one per service_id */
    uint32_t n_services;
    uint32_t *service_id;         /* string */
    uint8_t *service_days;        /* weekday bits, bit 0 Monday .. bit 6 Sunday */
    int32_t *service_start;       /* YYYYMMDD; 0 when calendar.txt has no row */
    int32_t *service_end;         /* YYYYMMDD, inclusive */
    uint32_t *service_exc_first;  /* n_services+1 entries into exc_* */
    int32_t *exc_date;            /* YYYYMMDD, ascending within a service */
    uint8_t *exc_added;           /* 1 service added that day, 0 removed */

    /* trips, in trips.txt order, feed after feed */
    uint32_t n_trips;
    uint32_t *trip_id;         /* string */
    uint32_t *trip_route;
    uint32_t *trip_service;
    uint32_t *trip_pattern;    /* HH__GTFS_NONE when dropped (< 2 stop times) */
    uint32_t *trip_st;         /* its first stop time in arr/dep, or NONE */
    uint32_t *trip_freq_first; /* n_trips+1 entries into freq_* */

    /* patterns */
    uint32_t n_patterns;
    uint32_t *pat_route;
    uint8_t *pat_freq;        /* 1: trips run by frequencies.txt (see freq_*) */
    uint32_t *pat_stop_first; /* n_patterns+1 entries into pat_stops/_flags */
    uint32_t *pat_stops;      /* stop indices in calling order */
    uint8_t *pat_stop_flags;  /* HH__GTFS_NO_BOARD | HH__GTFS_NO_ALIGHT */
    uint32_t *pat_trip_first; /* n_patterns+1 entries into pat_trips */
    uint32_t *pat_trips;      /* trip indices, by departure at the first stop */
    uint32_t *pat_st;         /* first stop time of the pattern's first trip */

    /* stop times, flat: trip k of pattern p at position i is element
     * pat_st[p] + k * n + i, n = pattern's stop count.  For a frequency
     * pattern they are the template of GTFS: only differences to the first
     * departure count, the runs come from freq_*. */
    uint32_t n_stop_times;
    int32_t *arr, *dep; /* seconds since noon minus 12 h of the service day */

    /* frequencies.txt, sorted by trip, then start */
    uint32_t n_freqs;
    uint32_t *freq_trip;
    int32_t *freq_start;   /* first departure at the first stop, s */
    int32_t *freq_end;     /* no departure at or after this, s */
    int32_t *freq_headway; /* s, > 0 */
    uint8_t *freq_exact;   /* exact_times: 1 departures exactly at start +
                            * k*headway, 0 headway only (search draws offsets) */

    /* transfers.txt stop-to-stop rows, sorted by from stop */
    uint32_t n_xfers;
    uint32_t *xfer_from, *xfer_to;
    uint8_t *xfer_type;  /* 0 recommended, 1 timed, 2 min time, 3 impossible */
    int32_t *xfer_min_s; /* min_transfer_time in s, -1 when blank */

    /* every string above, NUL-terminated, addressed by offset */
    char *strs;
    size_t strs_len;

    /* what loading skipped or repaired, all feeds together */
    hh__gtfs_warn warn[HH__GW_N];

    /* private: id lookup tables (hh__timetable_find) */
    struct hh__gtfs_idmap *idmaps;
} hh__timetable;

void hh__timetable_free(hh__timetable *tt);

/* Validates every invariant RAPTOR relies on (offset arrays monotone, index
 * ranges, trips pointing back at their pattern, times never decreasing along
 * a trip, no overtaking within a scheduled pattern, per-stop lists exact).
 * Returns 0, or HH_EFORMAT with the first violation in err. */
int hh__timetable_check(const hh__timetable *tt, char *err, size_t errlen);

/* String at offset `off` (the id and name fields above). */
static inline const char *hh__timetable_str(const hh__timetable *tt, uint32_t off)
{
    return tt->strs + off;
}

typedef enum {
    HH__GTFS_STOP = 0,
    HH__GTFS_ROUTE,
    HH__GTFS_SERVICE,
    HH__GTFS_TRIP,
    HH__GTFS_N_KINDS
} hh__gtfs_kind;

/* Index of the entity with original id `id` in feed `feed`, or
 * HH__GTFS_NONE when there is none (or feed is out of range). */
uint32_t hh__timetable_find(const hh__timetable *tt, hh__gtfs_kind kind,
                            uint32_t feed, const char *id);

/* Whether `service` runs on `date` (YYYYMMDD): calendar_dates.txt decides
 * where it names the date, otherwise the weekday flag within start..end.
 * An invalid date or service index runs nothing (0). */
int hh__timetable_service_runs(const hh__timetable *tt, uint32_t service,
                               int32_t date);

/* active[s] = hh__timetable_service_runs(s, date) for every service (array
 * of n_services).  A search at date D also needs D-1's services, for trips
 * past midnight.  Returns 0, or HH_EINVAL for an invalid date. */
int hh__timetable_services_on(const hh__timetable *tt, int32_t date,
                              uint8_t *active);

/* First and last day (YYYYMMDD) the service runs, 0 and 0 if never. */
void hh__timetable_service_span(const hh__timetable *tt, uint32_t service,
                                int32_t *first, int32_t *last);

/* 0 when date (YYYYMMDD) lies within some feed's first_date..last_date;
 * otherwise HH_ERANGE with a message like
 *   date 2020-01-06 is outside every feed's service range:
 *   poa_eptc.zip 2019-04-15..2019-07-15, poa_trensurb.zip 2019-03-01..2019-12-31
 * (one line), or HH_EINVAL for an invalid date. */
int hh__timetable_check_date(const hh__timetable *tt, int32_t date, char *err,
                             size_t errlen);

/* Days since 1970-01-01 of a valid YYYYMMDD, and back (proleptic
 * Gregorian); date arithmetic is hh__date_of_day(hh__day_number(d) + n). */
int32_t hh__day_number(int32_t date);
int32_t hh__date_of_day(int32_t day);
/* 1 when d is a real YYYYMMDD date (years 1..9999), else 0. */
int hh__date_valid(int32_t d);

#endif
