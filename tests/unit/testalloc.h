/* testalloc.h: a counting allocator for the library's hook that fails the
 * k-th allocation and every one after it (curl's torture idea), so every
 * out-of-memory branch can be walked by trying k = 0, 1, 2, ... */
#ifndef HH_TESTS_TESTALLOC_H
#define HH_TESTS_TESTALLOC_H
/* Installs the failing allocator: allocation number k (0-based) and later
 * fail; k < 0 never fails.  Resets the count. */
void hh_test_alloc_fail_from(long k);
/* The same, but only allocation number k fails (k < 0: none; a counter). */
void hh_test_alloc_fail_only(long k);
/* Restores the C library's allocator; returns how many allocations were made. */
long hh_test_alloc_restore(void);

/* A counting allocator with caller-owned state: `left` allocations succeed
 * (-1: all), then every one fails; `live` counts blocks not yet freed, so a
 * test can check that a failed call leaked nothing. */
typedef struct hh_test_counter {
    long left;
    long live;
} hh_test_counter;
struct hh_allocator;
/* The allocator to pass to hh_set_allocator; it reads and updates *c. */
struct hh_allocator hh_test_counting(hh_test_counter *c);
#endif
