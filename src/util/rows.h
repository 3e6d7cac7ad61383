/* rows.h: rows computed in parallel, delivered in order.
 * Items 0..n-1 are computed by `threads` workers in rounds of `window`
 * items (handed out `block` at a time); after each round, deliver() sees
 * that round's items in order.  A caller keeps per-item results in a
 * buffer of hh__rows_window() slots (two rounds: one computed while the
 * one before it is delivered) at the slot given, so memory is bounded and
 * output never depends on scheduling.  work() runs concurrently (each worker
 * index on one thread at a time); deliver() on the calling thread, while the
 * workers compute the next round: it may read only its item's slot and state
 * that work() does not write.
 * Invariant: every item is computed exactly once, before it is delivered. */
#ifndef HH_UTIL_ROWS_H
#define HH_UTIL_ROWS_H

#include <stddef.h>

/* Returns 0 or an error that stops the run (checked after each round). */
typedef int (*hh__rows_work_fn)(void *ctx, int worker, size_t item, size_t slot);
/* Non-zero stops the run and is returned. */
typedef int (*hh__rows_deliver_fn)(void *ctx, size_t item, size_t slot);

/* threads <= 0: all cores.  Returns the first error of work(), deliver()'s
 * non-zero value, or 0. */
int hh__rows_run(size_t n, int threads, size_t block, hh__rows_work_fn work, hh__rows_deliver_fn deliver,
                 void *ctx);
/* How many workers a run with `threads` uses, and the window it needs. */
int hh__rows_threads(int threads);
size_t hh__rows_window(int threads, size_t block);

#endif
