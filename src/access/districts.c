/* districts.c: named polygons read from GeoJSON through GDAL/OGR, and the
 * district of each of many points.
 *
 * Each (Multi)Polygon feature becomes a GEOS geometry (through WKB) and a
 * GEOS prepared geometry, whose point-in-area index makes each later test
 * logarithmic in the polygon's size; a bounding box per district skips most
 * of them first.  A point on a border is in the district (GEOS intersects),
 * so a point on a border between two districts goes to the first in file
 * order and no point falls between neighbours.
 *
 * Threads: a prepared geometry builds its index lazily on first use, which
 * is not safe across threads, so hh_districts_assign takes the districts'
 * lock (the one mutable part of an otherwise read-only handle).  GDAL's
 * drivers are registered once per process (pthread_once); its error
 * handler is made quiet for the calling thread during a read, and its last
 * message goes to err. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/gdal.h"
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "access/access.h"
#include "util/alloc.h"

typedef struct district {
    char *name;
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
    double x0, y0, x1, y1; /* bounding box, lon/lat */
} district;

struct hh_districts {
    size_t n, cap;
    district *d;
    size_t skipped;            /* features without a (Multi)Polygon */
    GEOSContextHandle_t geos;
    char geos_msg[160];        /* GEOS's last error message */
    pthread_mutex_t lock;      /* held by hh_districts_assign */
};

static const char *const name_keys[] = {"name", "NAME", "district", "id"};


static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void geos_message(const char *msg, void *ud)
{
    hh_districts *d = ud;
    snprintf(d->geos_msg, sizeof d->geos_msg, "%s", msg);
}

void hh_districts_free(hh_districts *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        GEOSPreparedGeom_destroy_r(d->geos, d->d[i].prep);
        GEOSGeom_destroy_r(d->geos, d->d[i].geom);
        hh__free(d->d[i].name);
    }
    hh__free(d->d);
    GEOS_finish_r(d->geos);
    pthread_mutex_destroy(&d->lock);
    hh__free(d);
}

size_t hh_districts_count(const hh_districts *d)
{
    return d ? d->n : 0;
}

size_t hh_districts_skipped(const hh_districts *d)
{
    return d ? d->skipped : 0;
}

const char *hh_districts_name(const hh_districts *d, size_t i)
{
    return d && i < d->n ? d->d[i].name : NULL;
}

/* The feature's name: the first of name_keys that is a field set to a
 * non-empty value (exact spelling: OGR's own lookup ignores case), else
 * its 1-based number in the file. */
static char *feature_name(OGRFeatureH f, size_t number)
{
    OGRFeatureDefnH fd = OGR_F_GetDefnRef(f);
    int nf = OGR_FD_GetFieldCount(fd);
    for (size_t k = 0; k < sizeof name_keys / sizeof *name_keys; k++)
        for (int i = 0; i < nf; i++) {
            if (strcmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)), name_keys[k]) ||
                !OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *s = OGR_F_GetFieldAsString(f, i);
            if (s && *s)
                return hh__strdup(s);
        }
    char num[32];
    snprintf(num, sizeof num, "%zu", number);
    return hh__strdup(num);
}

/* Adds the polygon g (2D) of feature `number` to d.  HH_ENOMEM, or
 * HH_EFORMAT when GEOS cannot take it (d->geos_msg says why). */
static int add_district(hh_districts *d, OGRFeatureH f, OGRGeometryH g, size_t number)
{
    if (d->n >= INT32_MAX)
        return HH_ERANGE;
    if (hh__grow(&d->d, &d->cap, d->n + 1, sizeof *d->d))
        return HH_ENOMEM;
    district *t = &d->d[d->n];
    memset(t, 0, sizeof *t);
    size_t len = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = hh__malloc(len ? len : 1);
    if (!wkb)
        return HH_ENOMEM;
    int rc = HH_EFORMAT;
    if (OGR_G_ExportToWkb(g, wkbNDR, wkb) != OGRERR_NONE)
        goto done;
    t->geom = GEOSGeomFromWKB_buf_r(d->geos, wkb, len);
    if (!t->geom)
        goto done;
    t->prep = GEOSPrepare_r(d->geos, t->geom);
    if (!t->prep)
        goto done;
    rc = HH_ENOMEM;
    t->name = feature_name(f, number);
    if (!t->name)
        goto done;
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    t->x0 = env.MinX, t->y0 = env.MinY, t->x1 = env.MaxX, t->y1 = env.MaxY;
    d->n++;
    rc = 0;
done:
    hh__free(wkb);
    if (rc) {
        if (t->prep)
            GEOSPreparedGeom_destroy_r(d->geos, t->prep);
        if (t->geom)
            GEOSGeom_destroy_r(d->geos, t->geom);
    }
    return rc;
}

/* Reads every feature of ds into d; 0 or an error with err set. */
static int read_features(hh_districts *d, GDALDatasetH ds, const char *path, char *err, size_t errlen)
{
    size_t number = 0;
    for (int li = 0; li < GDALDatasetGetLayerCount(ds); li++) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, li);
        OGR_L_ResetReading(layer);
        OGRFeatureH f;
        CPLErrorReset();
        while ((f = OGR_L_GetNextFeature(layer))) {
            number++;
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            OGRwkbGeometryType type = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
            if (!g || (type != wkbPolygon && type != wkbMultiPolygon) || OGR_G_IsEmpty(g)) {
                d->skipped++;
                OGR_F_Destroy(f);
                continue;
            }
            OGR_G_FlattenTo2D(g);
            int rc = add_district(d, f, g, number);
            OGR_F_Destroy(f);
            if (rc == HH_ENOMEM) {
                set_err(err, errlen, "%s: out of memory", path);
                return rc;
            }
            if (rc == HH_ERANGE) {
                set_err(err, errlen, "%s: too many districts", path);
                return rc;
            }
            if (rc) {
                set_err(err, errlen, "%s: feature %zu: unusable polygon%s%s", path, number,
                        *d->geos_msg ? ": " : "", d->geos_msg);
                return rc;
            }
        }
        if (CPLGetLastErrorType() >= CE_Failure) {
            set_err(err, errlen, "%s: %s", path, CPLGetLastErrorMsg());
            return HH_EFORMAT;
        }
    }
    return 0;
}

int hh_districts_read(const char *path, hh_districts **out, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st)) {
        set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return HH_EIO;
    }
    if (hh__gdal_init(err, errlen))
        return HH_EIO;
    hh_districts *d = hh__calloc(1, sizeof *d);
    if (!d) {
        set_err(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    if (pthread_mutex_init(&d->lock, NULL)) {
        hh__free(d);
        set_err(err, errlen, "%s: cannot create a lock", path);
        return HH_ENOMEM;
    }
    d->geos = GEOS_init_r();
    if (!d->geos) {
        pthread_mutex_destroy(&d->lock);
        hh__free(d);
        set_err(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    GEOSContext_setErrorMessageHandler_r(d->geos, geos_message, d);
    GEOSContext_setNoticeHandler_r(d->geos, NULL);

    int rc;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    static const char *const drivers[] = {"GeoJSON", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        set_err(err, errlen, "%s: not a GeoJSON file GDAL can read%s%s", path, *why ? ": " : "", why);
        rc = HH_EFORMAT;
        goto fail;
    }
    rc = read_features(d, ds, path, err, errlen);
    GDALClose(ds);
    if (rc)
        goto fail;
    if (!d->n) {
        set_err(err, errlen, "%s: no Polygon or MultiPolygon feature (%zu other feature%s)", path,
                d->skipped, d->skipped == 1 ? "" : "s");
        rc = HH_EEMPTY;
        goto fail;
    }
    CPLPopErrorHandler();
    *out = d;
    return 0;
fail:
    CPLErrorReset();
    CPLPopErrorHandler();
    hh_districts_free(d);
    return rc;
}

int hh_districts_assign(const hh_districts *d, const double *lon, const double *lat, size_t n, int32_t *of)
{
    int32_t *tmp = hh__alloc_array(n ? n : 1, sizeof *tmp);
    if (!tmp)
        return HH_ENOMEM;
    /* the handle is never defined const: hh_districts_read allocates it */
    hh_districts *m = (hh_districts *)d;
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < n && !rc; i++) {
        double x = lon[i], y = lat[i];
        tmp[i] = -1;
        if (!isfinite(x) || !isfinite(y))
            continue;
        GEOSGeometry *pt = NULL;
        for (size_t k = 0; k < d->n; k++) {
            const district *t = &d->d[k];
            if (x < t->x0 || x > t->x1 || y < t->y0 || y > t->y1)
                continue;
            if (!pt && !(pt = GEOSGeom_createPointFromXY_r(m->geos, x, y))) {
                rc = HH_ENOMEM;
                break;
            }
            if (GEOSPreparedIntersects_r(m->geos, t->prep, pt) == 1) {
                tmp[i] = (int32_t)k;
                break;
            }
        }
        if (pt)
            GEOSGeom_destroy_r(m->geos, pt);
    }
    pthread_mutex_unlock(&m->lock);
    if (!rc)
        memcpy(of, tmp, n * sizeof *of);
    hh__free(tmp);
    return rc;
}
