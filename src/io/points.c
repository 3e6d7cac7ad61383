/* points.c: read a points CSV (see hh_points_read in halfhour.h). */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "halfhour.h"
#include "ingest/gtfs_csv.h"
#include "util/alloc.h"

static int find_col(const hh__csv *r, const char *const *names)
{
    for (const char *const *nm = names; *nm; nm++) {
        int c = hh__csv_column(r, *nm);
        if (c >= 0)
            return c;
    }
    return -1;
}

static int64_t file_read(void *ud, char *buf, size_t n)
{
    size_t k = fread(buf, 1, n, (FILE *)ud);
    return (k == 0 && ferror((FILE *)ud)) ? -1 : (int64_t)k;
}

static int parse_coord(const char *s, double lim, double *out)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    double d = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || errno || !isfinite(d))
        return -1;
    if (fabs(d) > lim)
        return -2;
    *out = d;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void hh_points_free(hh_points *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        hh__free(p->id[i]);
    hh__free(p->id), hh__free(p->lon), hh__free(p->lat);
    memset(p, 0, sizeof *p);
}

int hh_points_read(const char *path, hh_points *out, char *err, size_t errlen)
{
    static const char *const id_names[] = {"id", NULL};
    static const char *const lon_names[] = {"lon", "lng", "longitude", "x", NULL};
    static const char *const lat_names[] = {"lat", "latitude", "y", NULL};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    hh__csv r;
    hh__csv_init(&r, file_read, f);
    hh_points p;
    memset(&p, 0, sizeof p);
    size_t cap = 0;
    char **sorted = NULL;
    int rc = hh__csv_header(&r);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, rc == HH_EEMPTY ? "empty file (no header row)" : "malformed CSV");
        goto fail;
    }
    int cid = find_col(&r, id_names), clon = find_col(&r, lon_names), clat = find_col(&r, lat_names);
    if (clon < 0 || clat < 0) {
        snprintf(err, errlen, "%s: no %s column in the header (looked for %s)", path,
                 clon < 0 ? "longitude" : "latitude",
                 clon < 0 ? "lon, lng, longitude, x" : "lat, latitude, y");
        rc = HH_EFORMAT;
        goto fail;
    }
    while ((rc = hh__csv_next(&r)) == 1) {
        long line = (long)hh__csv_line(&r);
        double lon, lat;
        int a = parse_coord(hh__csv_get(&r, clon), 180, &lon);
        int b = a ? 0 : parse_coord(hh__csv_get(&r, clat), 90, &lat);
        if (a || b) {
            int col = a ? clon : clat;
            int why = a ? a : b;
            snprintf(err, errlen, "%s line %ld: %s \"%.40s\" is %s", path, line,
                     a ? "longitude" : "latitude", hh__csv_get(&r, col),
                     why == -2 ? "out of range" : "not a number");
            rc = HH_EFORMAT;
            goto fail;
        }
        char idbuf[32];
        const char *id = cid >= 0 ? hh__csv_get(&r, cid) : idbuf;
        if (cid < 0)
            snprintf(idbuf, sizeof idbuf, "%zu", p.n + 1);
        if (!*id) {
            snprintf(err, errlen, "%s line %ld: empty id", path, line);
            rc = HH_EFORMAT;
            goto fail;
        }
        if (p.n == cap) {
            /* the three arrays share one capacity */
            size_t ncap = cap ? cap * 2 : 256;
            char **ni = hh__realloc_array(p.id, ncap, sizeof *ni);
            if (ni)
                p.id = ni;
            double *nlo = ni ? hh__realloc_array(p.lon, ncap, sizeof *nlo) : NULL;
            if (nlo)
                p.lon = nlo;
            double *nla = nlo ? hh__realloc_array(p.lat, ncap, sizeof *nla) : NULL;
            if (nla)
                p.lat = nla;
            if (!nla) {
                rc = HH_ENOMEM;
                goto nomem;
            }
            cap = ncap;
        }
        size_t idl = strlen(id);
        char *idc = hh__malloc(idl + 1);
        if (!idc) {
            rc = HH_ENOMEM;
            goto nomem;
        }
        memcpy(idc, id, idl + 1);
        p.id[p.n] = idc;
        p.lon[p.n] = lon, p.lat[p.n] = lat;
        p.n++;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s line %ld: %s", path, (long)hh__csv_line(&r),
                 rc == HH_EFORMAT ? "unterminated quoted field" : hh_strerror(rc));
        goto fail;
    }
    if (p.n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        rc = HH_EEMPTY;
        goto fail;
    }
    sorted = hh__alloc_array(p.n, sizeof *sorted);
    if (!sorted) {
        rc = HH_ENOMEM;
        goto nomem;
    }
    memcpy(sorted, p.id, p.n * sizeof *sorted);
    qsort(sorted, p.n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < p.n; i++)
        if (!strcmp(sorted[i], sorted[i - 1])) {
            snprintf(err, errlen, "%s: duplicate id \"%.60s\"", path, sorted[i]);
            rc = HH_EFORMAT;
            goto fail;
        }
    hh__free(sorted);
    hh__csv_free(&r);
    fclose(f);
    *out = p;
    return 0;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
fail:
    hh__free(sorted);
    hh__csv_free(&r);
    fclose(f);
    hh_points_free(&p);
    return rc;
}
