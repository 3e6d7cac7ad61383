/* testalloc.h: a counting allocator for the library's hook that fails the
 * k-th allocation and every one after it (curl's torture idea), so every
 * out-of-memory branch can be walked by trying k = 0, 1, 2, ... */
#ifndef HH_TESTS_TESTALLOC_H
#define HH_TESTS_TESTALLOC_H
/* Installs the failing allocator: allocation number k (0-based) and later
 * fail; k < 0 never fails.  Resets the count. */
void hh_test_alloc_fail_from(long k);
/* Restores the C library's allocator; returns how many allocations were made. */
long hh_test_alloc_restore(void);
#endif
