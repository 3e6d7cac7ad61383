/* layers.c: opportunity layers from files.  For now the points-CSV reader
 * (ingest/layers.h) that hh_points_read and the layers' CSV share. */
#include "ingest/layers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"

/* ---- the points-CSV reader (shared with io/points.c) ------------------ */

static int64_t file_read(void *ud, char *buf, size_t n)
{
    size_t k = fread(buf, 1, n, (FILE *)ud);
    return (k == 0 && ferror((FILE *)ud)) ? -1 : (int64_t)k;
}

static int find_col(const hh__csv *r, const char *const *names)
{
    for (const char *const *nm = names; *nm; nm++) {
        int c = hh__csv_column(r, *nm);
        if (c >= 0)
            return c;
    }
    return -1;
}

int hh__cell_number(const char *s, double *out)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return 1;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ')
        end++;
    if (*end)
        return -1;
    if (errno || !isfinite(d))
        return -2;
    *out = d;
    return 0;
}

static int parse_coord(const char *s, double lim, double *out)
{
    double d;
    if (hh__cell_number(s, &d))
        return -1;
    if (fabs(d) > lim)
        return -2;
    *out = d;
    return 0;
}

int hh__pcsv_open(hh__pcsv *p, const char *path, char *err, size_t errlen)
{
    static const char *const lon_names[] = {"lon", "lng", "longitude", "x", NULL};
    static const char *const lat_names[] = {"lat", "latitude", "y", NULL};
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    p->fp = f, p->path = path;
    hh__csv_init(&p->r, file_read, f);
    int rc = hh__csv_header(&p->r);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, rc == HH_EEMPTY ? "empty file (no header row)" : "malformed CSV");
        hh__pcsv_close(p);
        return rc;
    }
    p->clon = find_col(&p->r, lon_names), p->clat = find_col(&p->r, lat_names);
    if (p->clon < 0 || p->clat < 0) {
        snprintf(err, errlen, "%s: no %s column in the header (looked for %s)", path,
                 p->clon < 0 ? "longitude" : "latitude",
                 p->clon < 0 ? "lon, lng, longitude, x" : "lat, latitude, y");
        hh__pcsv_close(p);
        return HH_EFORMAT;
    }
    return 0;
}

int hh__pcsv_next(hh__pcsv *p, double *lon, double *lat, char *err, size_t errlen)
{
    int rc = hh__csv_next(&p->r);
    if (rc < 0) {
        snprintf(err, errlen, "%s line %ld: %s", p->path, (long)hh__csv_line(&p->r),
                 rc == HH_EFORMAT ? "unterminated quoted field" : hh_strerror(rc));
        return rc;
    }
    if (rc == 0)
        return 0;
    int a = parse_coord(hh__csv_get(&p->r, p->clon), 180, lon);
    int b = a ? 0 : parse_coord(hh__csv_get(&p->r, p->clat), 90, lat);
    if (a || b) {
        int why = a ? a : b;
        snprintf(err, errlen, "%s line %ld: %s \"%.40s\" is %s", p->path, (long)hh__csv_line(&p->r),
                 a ? "longitude" : "latitude", hh__csv_get(&p->r, a ? p->clon : p->clat),
                 why == -2 ? "out of range" : "not a number");
        return HH_EFORMAT;
    }
    return 1;
}

void hh__pcsv_close(hh__pcsv *p)
{
    if (!p->fp)
        return;
    hh__csv_free(&p->r);
    fclose((FILE *)p->fp);
    p->fp = NULL;
}
