/* many.h: the one many-origin driver.  Origins in, one search per origin
 * (street: the contraction hierarchy's bucket many-to-many, or a bounded
 * Dijkstra; transit: range-RAPTOR over the departure window), rows of times
 * to every destination out, in origin order, identical for any thread
 * count.  Matrices, access grids and (later) siting coverage all run
 * through it; an MPI rank would run it over its share of the origins.
 * Two hooks: reduce() runs in the worker that searched the origin, while
 * that search's state is still there (per-departure samples of transit),
 * and turns the row into n_out numbers; deliver() then sees rows (and their
 * reductions) in origin order on the calling thread.
 * Memory: threads x (rows in flight) x destinations x values, bounded.
 * With a spread (MPI ranks, a checkpoint: halfhour.h's hh_spread) the
 * origins go in blocks: each rank runs this same driver over its blocks
 * and rank 0 delivers every row in origin order; other ranks deliver
 * nothing. */
#ifndef HH_REACH_MANY_H
#define HH_REACH_MANY_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"

typedef struct hh__many_req {
    const hh_net *net;
    const hh_transit *transit; /* non-NULL: walk + transit; points snap to the walk network */
    hh_mode mode;              /* the street mode when transit is NULL */
    double max_s;              /* street: search bound (INFINITY: none); transit: its own */
    double snap_max_m;
    const double *pct;         /* transit: percentiles of the travel time, 0 < p <= 100 */
    size_t n_pct;
    int threads;               /* <= 0: all cores */
    const hh_points *orig, *dest; /* ids are not used; may be NULL */
    const hh_stop *stop;       /* polled before each origin's search; NULL: none */
    hh_spread *spread;         /* ranks and checkpoint (reach/spread.h); NULL: this process */
} hh__many_req;

typedef struct hh__many_row {
    size_t origin;
    int snapped;              /* 0: the origin did not snap; every time is NAN */
    size_t n_dest, n_val;     /* time_s has n_dest * n_val entries */
    const double *time_s;     /* [j * n_val + p]: street n_val 1, transit n_pct percentiles */
    const double *dist_m;     /* street: metres per destination; NULL for transit */
    /* transit, in reduce() only: the run's per-departure times */
    uint32_t n_samples;       /* departure minutes x draws */
    /* seconds of sample s to destination j, UINT32_MAX when not reached
     * within the limit; NULL when j did not snap */
    const uint32_t *(*samples)(const struct hh__many_row *row, size_t j);
    const void *priv;
} hh__many_row;

typedef struct hh__many_fns {
    /* optional: called in a worker for every origin; writes n_out values */
    int (*reduce)(void *ud, int worker, const hh__many_row *row, double *out);
    size_t n_out;
    /* in origin order; out is reduce()'s (NULL without reduce); non-zero stops the run */
    int (*deliver)(void *ud, const hh__many_row *row, const double *out);
    void *ud;
    /* what deliver() does not read (HH__MANY_SKIP_*), so a spread run
     * neither sends nor keeps it: those row fields are NULL then */
    unsigned skip;
} hh__many_fns;
#define HH__MANY_SKIP_TIME 1u /* row->time_s */
#define HH__MANY_SKIP_DIST 2u /* row->dist_m */

/* Snaps every point (unsnapped ones get NAN rows and columns, and 0 in
 * snapped_o / snapped_d when given), then runs.  HH_EINVAL for bad options;
 * the first error of a search or hook otherwise. */
int hh__many_run(const hh__many_req *r, const hh__many_fns *f, unsigned char *snapped_o,
                 unsigned char *snapped_d);

/* How many workers hh__many_run uses for `threads` (reduce()'s worker index
 * is below it). */
int hh__many_threads(int threads);

#endif
