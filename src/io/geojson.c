/* geojson.c: isochrone bands as GeoJSON Features (RFC 7946: lon,lat order,
 * outer rings counter-clockwise, holes clockwise, rings closed).
 * Coordinates are printed with 7 decimals (about 1 cm), the precision of
 * the network file, so output is identical on every machine. */
#include <stdio.h>

#include "halfhour.h"

int hh_isochrone_write_features(void *fp, const hh_isochrone *iso, const char *mode, const char *extra,
                                int *first)
{
    FILE *f = fp;
    for (size_t b = 0; b < iso->n_bands; b++) {
        const hh_isoband *band = &iso->bands[b];
        fprintf(f, "%s\n{\"type\":\"Feature\",\"properties\":{\"minutes\":%g,\"mode\":\"%s\","
                   "\"area_km2\":%.4f%s%s},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[",
                *first ? "" : ",", band->minutes, mode, band->area_km2,
                extra ? "," : "", extra ? extra : "");
        *first = 0;
        for (size_t p = 0; p < band->n_polys; p++) {
            fputs(p ? ",[" : "[", f);
            for (size_t r = band->poly_first_ring[p]; r < band->poly_first_ring[p + 1]; r++) {
                fputs(r > band->poly_first_ring[p] ? ",[" : "[", f);
                for (size_t k = band->ring_first[r]; k < band->ring_first[r + 1]; k++)
                    fprintf(f, "%s[%.7f,%.7f]", k > band->ring_first[r] ? "," : "",
                            band->lonlat[2 * k], band->lonlat[2 * k + 1]);
                fputc(']', f);
            }
            fputc(']', f);
        }
        fputs("]}}", f);
    }
    return ferror(f) ? HH_EIO : 0;
}
