/* fuzz_layers.c: an opportunity file (hh_layers_read).  Byte 0 picks the
 * format (bit 0: GeoJSON, else CSV) and for GeoJSON the polygon rule (bit
 * 1: centroid, else area-weighted on a lattice of 2000 + (byte 0 >> 2) * 1000
 * m); the rest is the file.  What reads must hold the documented
 * invariants: finite lon/lat, finite values >= 0. */
#include <math.h>

#include "fuzz.h"
#include "halfhour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int geo = data[0] & 1;
    hh_layers_opts o = {.polygons = (data[0] & 2) ? HH_POLY_CENTROID : HH_POLY_AREA,
                        .sample_m = 2000 + (data[0] >> 2) * 1000.0};
    char in[256];
    if (fuzz_tmpfile(data + 1, size - 1, geo ? ".geojson" : ".csv", in, sizeof in))
        return 0;
    hh_layers l;
    char err[256];
    if (hh_layers_read(in, &o, &l, err, sizeof err) == 0) {
        for (size_t i = 0; i < l.n; i++) {
            if (!isfinite(l.lon[i]) || !isfinite(l.lat[i]))
                abort();
            for (size_t k = 0; k < l.n_layers; k++)
                if (!(l.value[i * l.n_layers + k] >= 0) || !isfinite(l.value[i * l.n_layers + k]))
                    abort();
        }
        hh_layers_append(&l, &l);
        hh_layers_free(&l);
    } else if (!err[0]) {
        abort(); /* an error says what */
    }
    unlink(in);
    return 0;
}
