/* select.h: the k-th smallest of an array, by selection (no sort).
 * Used for percentiles over a departure window: one selection per vertex
 * costs a few passes over its samples, where a sort costs n log n compares
 * through a function pointer.  Pure functions over the caller's array, which
 * they reorder; no state.
 * Invariant: after hh__nth_u32(a, n, k), a[k] is the value a sort would put
 * there, every a[i < k] <= a[k] and every a[i > k] >= a[k]. */
#ifndef HH_UTIL_SELECT_H
#define HH_UTIL_SELECT_H

#include <stddef.h>
#include <stdint.h>

/* k < n; returns a[k] after the reordering described above. */
uint32_t hh__nth_u32(uint32_t *a, size_t n, size_t k);

#endif
