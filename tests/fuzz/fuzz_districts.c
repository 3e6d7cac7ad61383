/* fuzz_districts.c: a district GeoJSON (hh_districts_read), then points
 * assigned to the districts read. */
#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256];
    if (fuzz_tmpfile(data, size, ".geojson", in, sizeof in))
        return 0;
    hh_districts *d;
    char err[256];
    if (hh_districts_read(in, &d, err, sizeof err) == 0) {
        size_t n = hh_districts_count(d);
        for (size_t i = 0; i < n; i++)
            if (!hh_districts_name(d, i))
                abort();
        if (hh_districts_name(d, n))
            abort();
        double lon[] = {0, 0.5, -8.61, 1e300, 180, -51.2}, lat[] = {0, 0.5, 41.15, 0, 90, -30.03};
        int32_t of[6];
        if (hh_districts_assign(d, lon, lat, 6, of) == 0)
            for (int i = 0; i < 6; i++)
                if (of[i] < -1 || of[i] >= (int32_t)n)
                    abort();
        hh_districts_free(d);
    } else if (!err[0]) {
        abort();
    }
    unlink(in);
    return 0;
}
