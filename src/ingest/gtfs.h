/* gtfs.h: GTFS feeds (.zip) -> one in-memory timetable laid out for RAPTOR
 * (the model is src/transit/timetable.h).
 *
 * hh__gtfs_load() reads one or more feeds straight from their zip files and
 * merges them; see timetable.h for the ids, clocks and invariants of the
 * result.  A failed load frees everything it built and leaves *out
 * untouched.  Loading is reentrant; nothing global is kept. */
#ifndef HH_INGEST_GTFS_H
#define HH_INGEST_GTFS_H

#include <stddef.h>
#include <stdint.h>

#include "transit/timetable.h"

typedef struct hh__gtfs_opts {
    int strict;           /* every warning is an error */
    const char *timezone; /* agency_timezone for feeds whose agencies leave it blank; NULL: none */
} hh__gtfs_opts;
/* Loads n feeds (paths to GTFS .zip files; members may sit in a folder
 * inside the zip) into one timetable.  Required: agency.txt, stops.txt,
 * routes.txt, trips.txt, stop_times.txt and calendar.txt and/or
 * calendar_dates.txt; frequencies.txt and transfers.txt are optional.
 * On bad input returns HH_EFORMAT (HH_EIO for an unreadable file, HH_ERANGE
 * when counts exceed uint32, HH_ENOMEM) with a one-line message in err naming
 * feed, file, line and field, e.g.
 *   poa_eptc.zip: stop_times.txt line 1234: arrival_time "25:6x:00" is not a time
 * Checked: required files and columns, ids unique (a row repeated verbatim
 * is a warning; one id with two different rows an error quoting both),
 * times/dates/numbers parsable, first and last stop of a trip timed, times
 * never decreasing along a trip, one time zone per feed and that zone in
 * the system's tz database.  The faults of HH__GTFS_WARN_KINDS are
 * warnings (tt->warn), errors under opts->strict (the message then ends in
 * "(--strict)").  opts may be NULL (not strict, no fallback zone). */
/* The largest member (uncompressed, as the zip's directory claims it) a
 * load reads: 8 GiB, four times the stop_times.txt of the largest national
 * feeds; a larger claim is HH_ERANGE before the member is read. */
#define HH_GTFS_MAX_MEMBER ((uint64_t)8 << 30)
int hh__gtfs_load_opts(const char *const *paths, size_t n, const hh__gtfs_opts *opts,
                       hh__timetable **out, char *err, size_t errlen);
/* hh__gtfs_load_opts with opts NULL. */
int hh__gtfs_load(const char *const *paths, size_t n, hh__timetable **out,
                  char *err, size_t errlen);

/* Parses GTFS "H:MM:SS" / "HH:MM:SS" (hours may exceed 23) into seconds;
 * surrounding blanks are ignored.  Returns 0, 1 for a blank string, or
 * HH_EFORMAT. */
int hh__gtfs_parse_time(const char *s, int32_t *out);

/* Parses and validates a GTFS date "YYYYMMDD".  Returns 0 or HH_EFORMAT. */
int hh__gtfs_parse_date(const char *s, int32_t *out);

#endif
