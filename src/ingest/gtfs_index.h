/* gtfs_index.h: the step between reading GTFS files (gtfs.c) and the
 * finished timetable: RAPTOR indexes built from trip-ordered stop times.
 *
 * The reader hands over every trip's completed stop times (sorted by
 * stop_sequence, blanks interpolated, checked never to decrease);
 * hh__gtfs_index() groups trips into patterns, lays their times out flat and
 * fills every index of hh__timetable that depends on patterns.
 * Memory: the hand-over arrays stay the caller's; what the index allocates
 * is stored in the timetable and freed with it, also after a failure.
 * Concurrency: works on one timetable under construction; no shared state.
 * Invariant: see gtfs.h; trips with fewer than two stop times get no
 * pattern (trip_pattern NONE). */
#ifndef HH_INGEST_GTFS_INDEX_H
#define HH_INGEST_GTFS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/gtfs.h"

/* Counts stay below this so that index + 1 still fits a uint32. */
#define HH__GTFS_MAX_COUNT (UINT32_MAX - 2)

/* Stop times grouped by trip: trip t owns entries first[t]..first[t+1]. */
typedef struct hh__gtfs_trip_times {
    const uint32_t *first; /* n_trips+1 entries */
    const uint32_t *stop;
    const int32_t *arr, *dep;
    const uint8_t *flags; /* HH__GTFS_NO_BOARD | HH__GTFS_NO_ALIGHT */
} hh__gtfs_trip_times;

/* Fills patterns (pat_*, arr, dep, trip_pattern, trip_st), stop_pat_*,
 * trip_freq_first (sorting freq_* by trip, start) and stop_xfer_first
 * (sorting xfer_* by from stop, stably).  Returns 0, HH_ENOMEM, or
 * HH_ERANGE for more than HH__GTFS_MAX_COUNT patterns. */
int hh__gtfs_index(hh__timetable *tt, const hh__gtfs_trip_times *st);

/* Stable merge sort of indices a[0..n) by cmp(ctx, x, y) (<0, 0, >0);
 * tmp holds at least n/2 entries.  C11's qsort has no context argument,
 * and stability keeps every order reproducible. */
void hh__gtfs_msort(uint32_t *a, uint32_t *tmp, size_t n,
                    int (*cmp)(const void *, uint32_t, uint32_t), const void *ctx);

/* Grows n parallel columns (*cols[i] with element size sizes[i]) so each
 * holds `need` elements; *cap is the shared capacity.  Returns 0 or
 * HH_ENOMEM (columns already grown stay valid, *cap unchanged). */
int hh__gtfs_grow_cols(size_t *cap, size_t need, void **const cols[], const size_t sizes[], int n);

#endif
