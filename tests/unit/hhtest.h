/* hhtest.h: the unit-test macros.  A test is `HH_TEST(name) { ... }` at the
 * start of a line in tests/unit/test_*.c; the Makefile collects the names, so
 * no shared list is edited.  Assertions print both values and the place, mark
 * the test failed and return from it. */
#ifndef HH_TESTS_HHTEST_H
#define HH_TESTS_HHTEST_H
#include <math.h>
#include <stdio.h>
#include <string.h>

extern int hh_test_failed;
/* `unit_tests --soak N`: the differential tests (random inputs against an
 * oracle) run N times as many rounds; 1 in a plain run. */
extern int hh_test_soak;
#define HH_TEST(name) void test_##name(void); void test_##name(void)

#define HH_FAIL_(fmt, ...)                                                       \
    do {                                                                         \
        fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);  \
        hh_test_failed = 1;                                                      \
        return;                                                                  \
    } while (0)
#define HH_ASSERT(c)                                                    \
    do { if (!(c)) HH_FAIL_("assertion failed: %s", #c); } while (0)
#define HH_ASSERT_EQ(a, b)                                                       \
    do { long long a_ = (long long)(a), b_ = (long long)(b);                     \
         if (a_ != b_) HH_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define HH_ASSERT_NEAR(a, b, tol)                                                \
    do { double a_ = (double)(a), b_ = (double)(b);                              \
         if (!(fabs(a_ - b_) <= (tol)))                                          \
             HH_FAIL_("%s ~ %s: %.9g vs %.9g (tol %g)", #a, #b, a_, b_, (double)(tol)); } while (0)
#define HH_ASSERT_STR(a, b)                                                      \
    do { const char *a_ = (a), *b_ = (b);                                        \
         if (strcmp(a_, b_)) HH_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_, b_); } while (0)

/* Path of ../shared/data relative to the repository root, where tests run;
 * the HH_DATA environment variable overrides it (hh_test_data_dir). */
#define HH_DATA "../shared/data"

/* Skips: a test that cannot run prints "  skipped: <why>" and is counted
 * apart.  hh_test_skip_data() is for absent real data: when the data folder
 * exists (hh_test_have_data()), such a skip fails the run, so a run with
 * data never passes by skipping.  Both mark the test and return nothing:
 * `return` after them (HH_SKIP_DATA does). */
extern int hh_test_skipped, hh_test_skipped_data;
void hh_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hh_test_skip_data(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define HH_SKIP_DATA(...)                 \
    do {                                  \
        hh_test_skip_data(__VA_ARGS__);   \
        return;                           \
    } while (0)
/* The real-data folder: $HH_DATA, else HH_DATA. */
const char *hh_test_data_dir(void);
/* 1 when that folder exists. */
int hh_test_have_data(void);
/* "<data dir>/<rel>" in one of a ring of static buffers (valid for the next
 * 15 calls). */
const char *hh_test_data(const char *rel);
#endif
