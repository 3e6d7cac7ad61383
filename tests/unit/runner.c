/* runner.c: runs every HH_TEST (or those whose name contains argv[1]) and
 * ends with the plain "N passed, N failed" line CI reads. */
#include <stdio.h>
#include <string.h>

#include "hhtest.h"

int hh_test_failed;
struct hh_test_entry {
    const char *name;
    void (*fn)(void);
};
#include "test_list.h"

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (const struct hh_test_entry *t = hh_test_list; t->name; t++) {
        if (argc > 1 && !strstr(t->name, argv[1]))
            continue;
        hh_test_failed = 0;
        t->fn();
        printf("%s %s\n", hh_test_failed ? "FAIL" : "ok  ", t->name);
        fflush(stdout);
        if (hh_test_failed)
            failed++;
        else
            passed++;
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    fflush(stdout); /* before LeakSanitizer may _exit at exit */
    return failed ? 1 : 0;
}
