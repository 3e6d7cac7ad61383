/* testfeed.h: hand-built GTFS feeds for tests: a base set of files, some
 * replaced, added or (text NULL) removed, zipped with libzip. */
#ifndef HH_TESTS_TESTFEED_H
#define HH_TESTS_TESTFEED_H
#include <stddef.h>

typedef struct hh_test_file {
    const char *name, *text;
} hh_test_file;

/* Writes base + over (over replaces base files of the same name; a NULL
 * text leaves the file out) as a zip at path.  0 or -1. */
int hh_test_write_zip(const char *path, const hh_test_file *base, size_t n_base, const hh_test_file *over,
                      size_t n_over);
#endif
