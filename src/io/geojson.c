/* geojson.c: isochrone bands as GeoJSON Features (RFC 7946: lon,lat order,
 * outer rings counter-clockwise, holes clockwise, rings closed).
 * Coordinates are printed with 7 decimals (about 1 cm), the precision of
 * the network file, so output is identical on every machine. */
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

char *hh_json_quote(const char *s)
{
    /* the escaped length first: a quote or backslash takes 2, a control
     * byte 6 (\u00XX); other bytes, UTF-8 ones too, are copied */
    size_t n = 2;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
    char *out = hh__malloc(n + 1), *q = out;
    if (!out)
        return NULL;
    *q++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20) {
            snprintf(q, 7, "\\u%04x", *p);
            q += 6;
            continue;
        }
        if (*p == '"' || *p == '\\')
            *q++ = '\\';
        *q++ = (char)*p;
    }
    *q++ = '"';
    *q = 0;
    return out;
}

static void ring(FILE *f, const hh_isoband *band, size_t r)
{
    fputc('[', f);
    for (size_t k = band->ring_first[r]; k < band->ring_first[r + 1]; k++)
        fprintf(f, "%s[%.7f,%.7f]", k > band->ring_first[r] ? "," : "", band->lonlat[2 * k],
                band->lonlat[2 * k + 1]);
    fputc(']', f);
}

int hh_isochrone_write_geojson(void *fp, const hh_isochrone *iso, const hh_isochrone_geojson *o, int *first)
{
    FILE *f = fp;
    for (size_t i = 0; i < iso->n_bands; i++) {
        size_t b = o->largest_first ? iso->n_bands - 1 - i : i;
        const hh_isoband *band = &iso->bands[b];
        const char *be = o->band_extra ? o->band_extra[b] : NULL;
        fprintf(f, "%s\n{\"type\":\"Feature\",\"properties\":{", *first ? "" : ",");
        if (o->contour)
            fprintf(f, "\"contour\":%g,", band->minutes);
        fprintf(f, "\"minutes\":%g,\"mode\":\"%s\",\"area_km2\":%.4f%s%s%s%s},\"geometry\":", band->minutes,
                o->mode, band->area_km2, o->extra ? "," : "", o->extra ? o->extra : "", be ? "," : "",
                be ? be : "");
        *first = 0;
        if (o->lines) {
            /* the outer boundaries only, as Valhalla's polygons=false */
            int one = band->n_polys == 1;
            fputs(one ? "{\"type\":\"LineString\",\"coordinates\":" : "{\"type\":\"MultiLineString\",\"coordinates\":[",
                  f);
            for (size_t p = 0; p < band->n_polys; p++) {
                if (p)
                    fputc(',', f);
                ring(f, band, band->poly_first_ring[p]);
            }
            fputs(one ? "}}" : "]}}", f);
            continue;
        }
        fputs("{\"type\":\"MultiPolygon\",\"coordinates\":[", f);
        for (size_t p = 0; p < band->n_polys; p++) {
            fputs(p ? ",[" : "[", f);
            for (size_t r = band->poly_first_ring[p]; r < band->poly_first_ring[p + 1]; r++) {
                if (r > band->poly_first_ring[p])
                    fputc(',', f);
                ring(f, band, r);
            }
            fputc(']', f);
        }
        fputs("]}}", f);
    }
    return ferror(f) ? HH_EIO : 0;
}

int hh_isochrone_write_features(void *fp, const hh_isochrone *iso, const char *mode, const char *extra,
                                int *first)
{
    hh_isochrone_geojson o = {mode, extra, NULL, 0, 0, 0};
    return hh_isochrone_write_geojson(fp, iso, &o, first);
}
