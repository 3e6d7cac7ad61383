/* fuzz_gtfs_csv.c: GTFS from fuzzed CSV texts.  Mutated zip bytes rarely
 * get past the zip layer (fuzz_gtfs covers that layer), so this harness
 * splits its input on lines "=====" into the texts of the files below, in
 * that order, packs them into a zip itself (stored, no compression) and
 * loads it; an empty or missing part leaves the file out.  Whatever loads
 * must pass hh__timetable_check.  Dictionary: tests/fuzz/dict/gtfs.dict. */
#include <stdlib.h>
#include <zip.h>

#include "fuzz.h"
#include "ingest/gtfs.h"

static const char *const files[] = {"agency.txt",         "stops.txt",       "routes.txt",
                                    "trips.txt",          "stop_times.txt",  "calendar.txt",
                                    "calendar_dates.txt", "frequencies.txt", "transfers.txt"};
#define N_FILES (sizeof files / sizeof files[0])
static const char SEP[] = "\n=====\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(NULL, 0, ".zip", in, sizeof in))
        return 0;
    int zerr = 0;
    zip_t *z = zip_open(in, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        unlink(in);
        return 0;
    }
    const char *p = (const char *)data, *end = p + size;
    for (size_t f = 0; f < N_FILES && p <= end; f++) {
        const char *q = memmem(p, (size_t)(end - p), SEP, sizeof SEP - 1);
        size_t len = q ? (size_t)(q - p) : (size_t)(end - p);
        if (len) {
            zip_source_t *s = zip_source_buffer(z, p, len, 0);
            zip_int64_t i = s ? zip_file_add(z, files[f], s, ZIP_FL_OVERWRITE) : -1;
            if (i < 0)
                zip_source_free(s);
            else
                zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
        }
        if (!q)
            break;
        p = q + sizeof SEP - 1;
    }
    if (zip_close(z)) {
        zip_discard(z);
        unlink(in);
        return 0;
    }
    const char *paths[] = {in};
    hh__timetable *tt = NULL;
    char err[256];
    hh__gtfs_opts o = {.strict = size & 1, .timezone = size & 2 ? "Europe/Lisbon" : NULL};
    if (hh__gtfs_load_opts(paths, 1, &o, &tt, err, sizeof err) == 0) {
        if (hh__timetable_check(tt, err, sizeof err))
            abort(); /* the loader returned something RAPTOR must not trust */
        hh__timetable_free(tt);
    }
    unlink(in);
    return 0;
}
