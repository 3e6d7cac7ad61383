/* runner.c: runs every HH_TEST (or those whose name contains one of the arguments) and
 * ends with the plain "unit: N passed, N failed, N skipped" line CI reads.
 * A test that skips (its data or a system facility is absent) prints
 * "skipped"; a skip for lack of real data fails the run when the data
 * folder ($HH_DATA, else ../shared/data) exists. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hhtest.h"

int hh_test_failed, hh_test_skipped, hh_test_skipped_data;
struct hh_test_entry {
    const char *name;
    void (*fn)(void);
};
#include "test_list.h"

static void vskip(const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs("  skipped: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    hh_test_skipped = 1;
}

void hh_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vskip(fmt, ap);
    va_end(ap);
}

void hh_test_skip_data(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vskip(fmt, ap);
    va_end(ap);
    hh_test_skipped_data = 1;
}

const char *hh_test_data_dir(void)
{
    const char *e = getenv("HH_DATA");
    return e && *e ? e : HH_DATA;
}

int hh_test_have_data(void)
{
    struct stat st;
    return stat(hh_test_data_dir(), &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hh_test_data(const char *rel)
{
    static char buf[16][1024];
    static int k;
    char *b = buf[k++ % 16];
    snprintf(b, sizeof buf[0], "%s/%s", hh_test_data_dir(), rel);
    return b;
}

int hh_test_soak = 1;

int main(int argc, char **argv)
{
    /* --soak N: the differential tests run N times their rounds (new seeds
     * each round, the first ones those of a plain run) */
    for (int a = 1; a + 1 < argc; a++)
        if (!strcmp(argv[a], "--soak")) {
            hh_test_soak = atoi(argv[a + 1]);
            if (hh_test_soak < 1) {
                fprintf(stderr, "--soak N: N >= 1\n");
                return 2;
            }
            memmove(argv + a, argv + a + 2, (size_t)(argc - a - 1) * sizeof *argv);
            argc -= 2;
            break;
        }
    int passed = 0, failed = 0, skipped = 0, data_skips = 0;
    int have_data = hh_test_have_data();
    for (const struct hh_test_entry *t = hh_test_list; t->name; t++) {
        int pick = argc == 1;
        for (int a = 1; a < argc && !pick; a++)
            pick = strstr(t->name, argv[a]) != NULL;
        if (!pick)
            continue;
        hh_test_failed = hh_test_skipped = hh_test_skipped_data = 0;
        t->fn();
        /* a data skip while the data is there is a failure, not a skip */
        int bad_skip = hh_test_skipped_data && have_data;
        const char *status = hh_test_failed || bad_skip ? "FAIL" : hh_test_skipped ? "skipped" : "ok  ";
        printf("%s %s%s\n", status, t->name,
               bad_skip && !hh_test_failed ? " (skipped although the data folder exists)" : "");
        fflush(stdout);
        if (hh_test_failed || bad_skip)
            failed++;
        else if (hh_test_skipped)
            skipped++;
        else
            passed++;
        data_skips += hh_test_skipped_data;
    }
    if (data_skips && !have_data)
        printf("note: %d test(s) skipped: no real data at %s (HH_DATA)\n", data_skips, hh_test_data_dir());
    printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    fflush(stdout); /* before LeakSanitizer may _exit at exit */
    return failed ? 1 : 0;
}
