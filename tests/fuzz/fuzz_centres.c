/* fuzz_centres.c: a report's centres CSV (hh_centres_read). */
#include <math.h>

#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".csv", in, sizeof in))
        return 0;
    hh_centres c;
    char err[256];
    if (hh_centres_read(in, &c, err, sizeof err) == 0) {
        for (size_t i = 0; i < c.n; i++)
            if (!c.id[i] || !c.name[i] || !isfinite(c.lon[i]) || !isfinite(c.lat[i]))
                abort();
        hh_centres_free(&c);
    } else if (!err[0]) {
        abort();
    }
    unlink(in);
    return 0;
}
