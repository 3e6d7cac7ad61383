/* fuzz_change.c: arbitrary bytes as a scenario change file. */
#include "fuzz.h"
#include "plan/change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".geojson", in, sizeof in))
        return 0;
    hh__change c;
    char err[256];
    if (hh__change_read(in, &c, err, sizeof err) == 0) {
        char sum[512];
        hh__change_summary(&c, sum, sizeof sum);
        for (size_t i = 0; i < c.n; i++)
            hh__mod_contains(&c.mods[i], 0.5, 0.5);
        hh__change_free(&c);
    }
    unlink(in);
    return 0;
}
