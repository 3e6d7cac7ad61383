/* fuzz_points.c: arbitrary bytes as a points CSV. */
#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".csv", in, sizeof in))
        return 0;
    hh_points p;
    char err[256];
    if (hh_points_read(in, &p, err, sizeof err) == 0)
        hh_points_free(&p);
    unlink(in);
    return 0;
}
