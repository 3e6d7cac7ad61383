/* fuzz_gtfs.c: arbitrary bytes as a GTFS .zip through the whole loader and
 * its validator; whatever loads must pass hh__timetable_check. */
#include <stdlib.h>

#include "fuzz.h"
#include "ingest/gtfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".zip", in, sizeof in))
        return 0;
    const char *paths[] = {in};
    hh__timetable *tt = NULL;
    char err[256];
    if (hh__gtfs_load(paths, 1, &tt, err, sizeof err) == 0) {
        if (hh__timetable_check(tt, err, sizeof err))
            abort(); /* the loader returned something RAPTOR must not trust */
        hh__timetable_free(tt);
    }
    unlink(in);
    return 0;
}
