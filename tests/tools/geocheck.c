/* geocheck.c: independent check of isochrone GeoJSON with GEOS.
 *
 *   geocheck [--tol DEG] FILE.geojson
 *
 * FILE is a FeatureCollection whose features carry a numeric "minutes"
 * property and a Polygon or MultiPolygon geometry.  Checks, per feature:
 * GEOS validity (the reason is printed), exterior rings counter-clockwise and
 * holes clockwise (RFC 7946, and what the engine promises); and for each
 * feature whose minutes exceed the previous feature's, that it covers the
 * previous one, after growing it by DEG degrees (default 5e-6, about half a
 * metre) so that boundaries meeting up to rounding do not count as escapes.
 * Prints one line per problem on stderr and one summary line on stdout;
 * exits 0 when every check passes, 1 when one fails, 2 on unreadable input.
 *
 * GEOS's GeoJSON reader drops properties, so the features are split here by
 * a small JSON scanner and each geometry's text is handed to GEOS. */
#include <errno.h>
#include <geos_c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct feature {
    const char *geom; /* geometry text (not NUL-terminated) */
    size_t geom_len;
    double minutes;
    int has_minutes;
} feature;

typedef struct scan {
    const char *p, *end;
    int depth;
} scan;

#define MAX_DEPTH 512

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* At a '"': sets [*a, *b) to the raw contents and moves past the string. */
static int string(scan *s, const char **a, const char **b)
{
    if (s->p >= s->end || *s->p != '"')
        return -1;
    *a = ++s->p;
    while (s->p < s->end && *s->p != '"')
        s->p += *s->p == '\\' ? 2 : 1;
    if (s->p >= s->end)
        return -1;
    *b = s->p++;
    return 0;
}

static int value(scan *s);

/* Calls fn(key, value span) for each member of the object at s->p. */
static int object(scan *s, int (*fn)(void *, const char *, size_t, scan *), void *ud)
{
    if (++s->depth > MAX_DEPTH || s->p >= s->end || *s->p != '{')
        return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        const char *ka, *kb;
        ws(s);
        if (string(s, &ka, &kb))
            return -1;
        ws(s);
        if (s->p >= s->end || *s->p++ != ':')
            return -1;
        ws(s);
        if (fn ? fn(ud, ka, (size_t)(kb - ka), s) : value(s))
            return -1;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            s->depth--;
            return 0;
        }
        return -1;
    }
}

/* Calls fn for each element of the array at s->p. */
static int array(scan *s, int (*fn)(void *, scan *), void *ud)
{
    if (++s->depth > MAX_DEPTH || s->p >= s->end || *s->p != '[')
        return -1;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        ws(s);
        if (fn ? fn(ud, s) : value(s))
            return -1;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            s->depth--;
            return 0;
        }
        return -1;
    }
}

/* Skips any JSON value. */
static int value(scan *s)
{
    if (s->p >= s->end)
        return -1;
    const char *a, *b;
    switch (*s->p) {
    case '{':
        return object(s, NULL, NULL);
    case '[':
        return array(s, NULL, NULL);
    case '"':
        return string(s, &a, &b);
    default:
        a = s->p;
        while (s->p < s->end && strchr("+-.0123456789eEtruefalsn", *s->p))
            s->p++;
        return s->p > a ? 0 : -1;
    }
}

static int key_is(const char *k, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(k, want, n) == 0;
}

static int property(void *ud, const char *k, size_t n, scan *s)
{
    feature *f = ud;
    if (!key_is(k, n, "minutes"))
        return value(s);
    char *e;
    errno = 0;
    f->minutes = strtod(s->p, &e);
    if (e == s->p || e > s->end || errno)
        return -1;
    f->has_minutes = 1;
    s->p = e;
    return 0;
}

static int feature_member(void *ud, const char *k, size_t n, scan *s)
{
    feature *f = ud;
    if (key_is(k, n, "properties") && s->p < s->end && *s->p == '{')
        return object(s, property, f);
    if (key_is(k, n, "geometry")) {
        f->geom = s->p;
        if (value(s))
            return -1;
        f->geom_len = (size_t)(s->p - f->geom);
        return 0;
    }
    return value(s);
}

typedef struct collection {
    feature *f;
    size_t n, cap;
} collection;

static int one_feature(void *ud, scan *s)
{
    collection *c = ud;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        feature *nf = realloc(c->f, cap * sizeof *nf);
        if (!nf)
            return -1;
        c->f = nf;
        c->cap = cap;
    }
    feature *f = &c->f[c->n++];
    memset(f, 0, sizeof *f);
    return object(s, feature_member, f);
}

static int top_member(void *ud, const char *k, size_t n, scan *s)
{
    if (key_is(k, n, "features"))
        return array(s, one_feature, ud);
    return value(s);
}

static void geos_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "geocheck: GEOS: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* isValid also sends its reason as a notice; it is printed once, below */
static void geos_quiet(const char *fmt, ...)
{
    (void)fmt;
}

static int problems;
static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "geocheck: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    problems++;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        /* one byte kept for the terminator strtod needs */
        n += fread(buf + n, 1, cap - 1 - n, fp);
        if (n < cap - 1) {
            buf[n] = 0;
            break;
        }
        char *nb = realloc(buf, cap *= 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    if (buf && ferror(fp)) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *len = n;
    return buf;
}

/* Ring orientation: 1 counter-clockwise, 0 clockwise, -1 unknown. */
static int ring_ccw(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    char ccw;
    if (!cs || !GEOSCoordSeq_isCCW_r(h, cs, &ccw))
        return -1;
    return ccw ? 1 : 0;
}

/* Counts polygons and holes of g and checks their orientation. */
static void check_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, size_t fi,
                           size_t *n_poly, size_t *n_hole)
{
    int np = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, i);
        if (GEOSisEmpty_r(h, poly))
            continue;
        (*n_poly)++;
        if (ring_ccw(h, GEOSGetExteriorRing_r(h, poly)) != 1)
            problem("feature %zu polygon %d: exterior ring not counter-clockwise", fi, i);
        int nh = GEOSGetNumInteriorRings_r(h, poly);
        for (int k = 0; k < nh; k++) {
            (*n_hole)++;
            if (ring_ccw(h, GEOSGetInteriorRingN_r(h, poly, k)) != 0)
                problem("feature %zu polygon %d: hole %d not clockwise", fi, i, k);
        }
    }
}

int main(int argc, char **argv)
{
    double tol = 5e-6;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tol") && i + 1 < argc) {
            char *e;
            tol = strtod(argv[++i], &e);
            if (*e || !(tol >= 0)) {
                fprintf(stderr, "geocheck: bad --tol '%s'\n", argv[i]);
                return 2;
            }
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: geocheck [--tol DEG] FILE.geojson\n"
                        "checks validity, ring orientation and nesting of isochrone bands\n");
        return 2;
    }
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "geocheck: %s: %s\n", path, strerror(errno));
        return 2;
    }
    collection col = {0};
    scan s = {text, text + len, 0};
    ws(&s);
    if (object(&s, top_member, &col)) {
        fprintf(stderr, "geocheck: %s: malformed JSON near byte %zu\n", path, (size_t)(s.p - text));
        free(col.f);
        free(text);
        return 2;
    }

    GEOSContextHandle_t h = GEOS_init_r();
    GEOSContext_setNoticeHandler_r(h, geos_quiet);
    GEOSContext_setErrorHandler_r(h, geos_message);
    GEOSGeoJSONReader *rd = GEOSGeoJSONReader_create_r(h);
    GEOSGeometry **geom = calloc(col.n ? col.n : 1, sizeof *geom);
    int *valid = calloc(col.n ? col.n : 1, sizeof *valid);
    if (!rd || !geom || !valid) {
        fprintf(stderr, "geocheck: out of memory\n");
        return 2;
    }
    size_t n_poly = 0, n_hole = 0;
    for (size_t i = 0; i < col.n; i++) {
        feature *f = &col.f[i];
        if (!f->has_minutes)
            problem("feature %zu: no numeric \"minutes\" property", i);
        if (!f->geom) {
            problem("feature %zu: no geometry", i);
            continue;
        }
        char *gt = malloc(f->geom_len + 1);
        if (!gt) {
            fprintf(stderr, "geocheck: out of memory\n");
            return 2;
        }
        memcpy(gt, f->geom, f->geom_len);
        gt[f->geom_len] = 0;
        geom[i] = GEOSGeoJSONReader_readGeometry_r(h, rd, gt);
        free(gt);
        if (!geom[i]) {
            problem("feature %zu: GEOS cannot read the geometry", i);
            continue;
        }
        int type = GEOSGeomTypeId_r(h, geom[i]);
        if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
            problem("feature %zu: geometry is %s, not (Multi)Polygon", i, GEOSGeomType_r(h, geom[i]));
            continue;
        }
        check_polygons(h, geom[i], i, &n_poly, &n_hole);
        if (GEOSisValid_r(h, geom[i]) == 1) {
            valid[i] = 1;
        } else {
            char *why = GEOSisValidReason_r(h, geom[i]);
            problem("feature %zu (%g min): invalid: %s", i, f->minutes, why ? why : "?");
            GEOSFree_r(h, why);
        }
    }
    for (size_t i = 1; i < col.n; i++) {
        /* GEOS says nothing covers an empty geometry; here it is trivially
         * nested */
        if (!valid[i] || !valid[i - 1] || !(col.f[i].minutes > col.f[i - 1].minutes) ||
            GEOSisEmpty_r(h, geom[i - 1]))
            continue;
        GEOSGeometry *grown = GEOSBuffer_r(h, geom[i], tol, 8);
        char cov = grown ? GEOSCovers_r(h, grown, geom[i - 1]) : 2;
        if (cov != 1) {
            double out_area = -1;
            GEOSGeometry *d = grown ? GEOSDifference_r(h, geom[i - 1], grown) : NULL;
            if (d)
                GEOSArea_r(h, d, &out_area);
            problem("feature %zu (%g min) does not cover feature %zu (%g min)%s (outside: %.3g sq deg)",
                    i, col.f[i].minutes, i - 1, col.f[i - 1].minutes,
                    cov == 2 ? " [GEOS error]" : "", out_area);
            if (d)
                GEOSGeom_destroy_r(h, d);
        }
        if (grown)
            GEOSGeom_destroy_r(h, grown);
    }
    printf("geocheck: %s: %zu features, %zu polygons, %zu holes: %s", path, col.n, n_poly,
           n_hole, problems ? "FAILED" : "ok");
    if (problems)
        printf(" (%d problems)", problems);
    printf("\n");

    for (size_t i = 0; i < col.n; i++)
        if (geom[i])
            GEOSGeom_destroy_r(h, geom[i]);
    GEOSGeoJSONReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    free(geom);
    free(valid);
    free(col.f);
    free(text);
    return problems ? 1 : 0;
}
