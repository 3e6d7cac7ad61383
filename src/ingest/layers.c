/* layers.c: opportunity layers from files (hh_layers_read and friends).
 *
 * Three readers fill one builder (a hh_layers plus a capacity):
 *
 *  CSV is ours: rows stream through the points-CSV reader shared with
 *  hh_points_read (ingest/layers.h), so a layers file and a points file
 *  obey the same column, quoting and coordinate rules, memory stays one row
 *  plus the output, and a bad cell is named by line and column.  A column's
 *  kind is known only at the end (every non-blank cell a number), so every
 *  candidate column is kept while reading and the text ones are dropped.
 *
 *  GeoJSON and rasters go through GDAL/OGR: it reads every format planners
 *  are handed (WorldPop and GHS-POP GeoTIFFs, census GeoJSON, and whatever
 *  else GDAL opens), their CRSs (OSR/PROJ) and polygon overlay (GEOS).
 *
 * Polygons, area-weighted: each polygon is projected to a Lambert azimuthal
 * equal-area projection centred near it (reused for polygons within ~10
 * degrees of its centre: the projection keeps areas everywhere, so only the
 * lattice's squareness depends on the centre), then cut by a square lattice
 * of sample_m cells.  The cut is a quadtree: a region's piece is split in two
 * halves until it is one cell or covers its region whole (an interior block
 * costs no overlay), so GEOS (its rectangle clipping) works along the
 * boundary only.  Each piece gets
 * value x its area / the sum of the pieces' areas, which keeps the
 * polygon's total up to rounding whatever GEOS's own area rounding.
 *
 * GDAL state: drivers are registered once (pthread_once); each read pushes
 * the quiet error handler on its own thread and takes GDAL's last message
 * into err.  Nothing here is global otherwise; reads may run concurrently. */
#include "ingest/layers.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/gdal.h"
#include <geos_c.h>

#include "halfhour.h"
#include "util/alloc.h"

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
        if (rc == HH_ERANGE)
            snprintf(err, errlen, "%s line 1: a row of more than %zu bytes (not a CSV table)", path, HH_CSV_MAX_ROW);
        else
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
                 rc == HH_EFORMAT   ? "unterminated quoted field"
                 : rc == HH_ERANGE ? "a row of more than 1048576 bytes (not a CSV table)"
                                   : hh_strerror(rc));
        _Static_assert(HH_CSV_MAX_ROW == 1048576, "the message above names the limit");
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

/* ---- the builder ------------------------------------------------------ */

/* The layers being read, with one capacity for lon, lat and value. */
typedef struct build {
    hh_layers l;
    size_t cap;
    size_t note_len; /* strlen(l.skipped) */
} build;

void hh_layers_free(hh_layers *l)
{
    if (!l)
        return;
    for (size_t k = 0; l->name && k < l->n_layers; k++)
        hh__free(l->name[k]);
    hh__free(l->name), hh__free(l->n_blank);
    hh__free(l->lon), hh__free(l->lat), hh__free(l->value);
    hh__free(l->skipped);
    memset(l, 0, sizeof *l);
}

/* Names the n_layers layers (copies); n_blank zeroed. */
static int build_names(build *b, size_t n_layers, const char *const *names)
{
    b->l.name = hh__calloc(n_layers ? n_layers : 1, sizeof *b->l.name);
    b->l.n_blank = hh__calloc(n_layers ? n_layers : 1, sizeof *b->l.n_blank);
    if (!b->l.name || !b->l.n_blank)
        return HH_ENOMEM;
    b->l.n_layers = n_layers;
    for (size_t k = 0; k < n_layers; k++)
        if (!(b->l.name[k] = hh__strdup(names[k])))
            return HH_ENOMEM;
    return 0;
}

/* Room for `more` points after the n there are. */
static int build_reserve(build *b, size_t more)
{
    size_t need = b->l.n + more;
    if (need < b->l.n)
        return HH_ENOMEM;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    size_t nl = b->l.n_layers ? b->l.n_layers : 1;
    if (ncap > SIZE_MAX / nl)
        return HH_ENOMEM;
    double *lo = hh__realloc_array(b->l.lon, ncap, sizeof *lo);
    if (!lo)
        return HH_ENOMEM;
    b->l.lon = lo;
    double *la = hh__realloc_array(b->l.lat, ncap, sizeof *la);
    if (!la)
        return HH_ENOMEM;
    b->l.lat = la;
    double *v = hh__realloc_array(b->l.value, ncap * nl, sizeof *v);
    if (!v)
        return HH_ENOMEM;
    b->l.value = v;
    b->cap = ncap;
    return 0;
}

static int build_push(build *b, double lon, double lat, const double *v)
{
    int rc = build_reserve(b, 1);
    if (rc)
        return rc;
    size_t nl = b->l.n_layers;
    b->l.lon[b->l.n] = lon, b->l.lat[b->l.n] = lat;
    memcpy(b->l.value + b->l.n * nl, v, nl * sizeof *v);
    b->l.n++;
    return 0;
}

/* Appends ", <text>" (or "<text>" first) to the skipped note; the note
 * stops growing at about 500 characters ("..." then ends it). */
static int build_note(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int build_note(build *b, const char *fmt, ...)
{
    enum { MAX_NOTE = 500 };
    if (b->note_len >= MAX_NOTE)
        return 0;
    char piece[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    size_t add = strlen(piece) + (b->note_len ? 2 : 0);
    int full = b->note_len + add >= MAX_NOTE;
    char *s = hh__realloc(b->l.skipped, b->note_len + add + (full ? 4 : 1));
    if (!s)
        return HH_ENOMEM;
    b->l.skipped = s;
    snprintf(s + b->note_len, add + 1, "%s%s", b->note_len ? ", " : "", piece);
    b->note_len += add;
    if (full) {
        memcpy(s + b->note_len, "...", 4);
        b->note_len += 3;
    }
    return 0;
}

static int check_unique(const build *b, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < b->l.n_layers; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(b->l.name[i], b->l.name[j])) {
                snprintf(err, errlen, "%s: two layers are called \"%.60s\"", path, b->l.name[i]);
                return HH_EFORMAT;
            }
    return 0;
}

/* ---- CSV -------------------------------------------------------------- */

/* A column that may be a layer, while the file is read. */
typedef struct csv_col {
    int col;
    int text;            /* a non-blank cell was not a number */
    long text_line;      /* its line, and the cell */
    char text_cell[24];
    long bad_line;       /* first negative or non-finite number (0: none) */
    char bad_cell[24];
    int bad_why;         /* -1 negative, -2 not finite */
    uint64_t n_blank;
} csv_col;

static void trimmed(char *dst, size_t cap, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static const char *hdr_name(const hh__csv *r, int c) { return r->hdr + r->hdr_field[c]; }

static void free_names(char **names, size_t n)
{
    for (size_t k = 0; names && k < n; k++)
        hh__free(names[k]);
    hh__free(names);
}

static int read_csv(const char *path, hh_layers *out, char *err, size_t errlen)
{
    hh__pcsv pc;
    int rc = hh__pcsv_open(&pc, path, err, errlen);
    if (rc)
        return rc;
    build b;
    memset(&b, 0, sizeof b);
    csv_col *cc = NULL;
    char **names = NULL;
    size_t *keep = NULL; /* candidate slots of the numeric columns */
    double *rows = NULL; /* n x nc values of every candidate column */
    size_t rows_cap = 0, nc = 0, n = 0;
    int cid = hh__csv_column(&pc.r, "id");
    cc = hh__calloc(pc.r.n_hdr ? pc.r.n_hdr : 1, sizeof *cc);
    if (!cc)
        goto nomem;
    for (size_t c = 0; c < pc.r.n_hdr; c++) {
        if ((int)c == pc.clon || (int)c == pc.clat || (int)c == cid)
            continue;
        char nm[2];
        trimmed(nm, sizeof nm, hdr_name(&pc.r, (int)c));
        if (!*nm) {
            if ((rc = build_note(&b, "unnamed column %zu", c + 1)))
                goto nomem;
            continue;
        }
        cc[nc++].col = (int)c;
    }
    double lon, lat;
    while ((rc = hh__pcsv_next(&pc, &lon, &lat, err, errlen)) == 1) {
        if (n == rows_cap) {
            size_t ncap = rows_cap ? rows_cap * 2 : 256;
            if (ncap > SIZE_MAX / (nc + 2))
                goto nomem;
            double *nr = hh__realloc_array(rows, ncap * (nc + 2), sizeof *nr);
            if (!nr)
                goto nomem;
            rows = nr, rows_cap = ncap;
        }
        double *row = rows + n * (nc + 2);
        row[0] = lon, row[1] = lat;
        long line = (long)hh__csv_line(&pc.r);
        for (size_t k = 0; k < nc; k++) {
            csv_col *c = &cc[k];
            const char *s = hh__csv_get(&pc.r, c->col);
            double d = 0;
            int why = c->text ? 1 : hh__cell_number(s, &d);
            if (why == 1) {
                c->n_blank += !c->text;
                d = 0;
            } else if (why == -1) {
                c->text = 1, c->text_line = line;
                trimmed(c->text_cell, sizeof c->text_cell, s);
                d = 0;
            } else if ((why == -2 || d < 0) && !c->bad_line) {
                c->bad_line = line, c->bad_why = why == -2 ? -2 : -1;
                trimmed(c->bad_cell, sizeof c->bad_cell, s);
            }
            row[2 + k] = d;
        }
        n++;
    }
    if (rc < 0)
        goto out;
    if (n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        rc = HH_EEMPTY;
        goto out;
    }
    size_t nl = 0;
    names = hh__calloc(nc ? nc : 1, sizeof *names);
    keep = hh__calloc(nc ? nc : 1, sizeof *keep);
    if (!names || !keep)
        goto nomem;
    for (size_t k = 0; k < nc; k++) {
        csv_col *c = &cc[k];
        char nm[64];
        trimmed(nm, sizeof nm, hdr_name(&pc.r, c->col));
        if (c->text) {
            if ((rc = build_note(&b, "%.40s (line %ld: \"%s\")", nm, c->text_line, c->text_cell)))
                goto nomem;
            continue;
        }
        if (c->bad_line) {
            snprintf(err, errlen, "%s line %ld column \"%.40s\": \"%s\" is %s", path, c->bad_line, nm,
                     c->bad_cell, c->bad_why == -2 ? "not a finite number" : "negative");
            rc = HH_EFORMAT;
            goto out;
        }
        keep[nl++] = k;
    }
    if (nl == 0) {
        snprintf(err, errlen, "%s: no numeric column besides lon/lat%s%.300s%s", path,
                 b.l.skipped ? " (text: " : "", b.l.skipped ? b.l.skipped : "", b.l.skipped ? ")" : "");
        rc = HH_EEMPTY;
        goto out;
    }
    for (size_t j = 0; j < nl; j++) {
        char nm[256];
        trimmed(nm, sizeof nm, hdr_name(&pc.r, cc[keep[j]].col));
        if (!(names[j] = hh__strdup(nm)))
            goto nomem;
    }
    if ((rc = build_names(&b, nl, (const char *const *)names)))
        goto nomem;
    for (size_t j = 0; j < nl; j++)
        b.l.n_blank[j] = cc[keep[j]].n_blank;
    if ((rc = check_unique(&b, path, err, errlen)))
        goto out;
    if ((rc = build_reserve(&b, n)))
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const double *row = rows + i * (nc + 2);
        b.l.lon[i] = row[0], b.l.lat[i] = row[1];
        for (size_t j = 0; j < nl; j++)
            b.l.value[i * nl + j] = row[2 + keep[j]];
    }
    b.l.n = n;
    *out = b.l;
    memset(&b, 0, sizeof b);
    rc = 0;
    goto out;
nomem:
    rc = HH_ENOMEM;
out:
    free_names(names, nc);
    hh__free(rows), hh__free(cc), hh__free(keep);
    hh__pcsv_close(&pc);
    hh_layers_free(&b.l);
    return rc;
}

/* ---- GDAL common ------------------------------------------------------ */


/* GDAL's last message, or `dflt` when it has none. */
static const char *gdal_msg(const char *dflt)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : dflt;
}

/* WGS-84 in lon, lat order. */
static OGRSpatialReferenceH wgs84_new(void)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (s && OSRImportFromEPSG(s, 4326) != OGRERR_NONE) {
        OSRRelease(s);
        return NULL;
    }
    if (s)
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* A transformation from src to WGS-84 lon/lat, or NULL in *ct when src is
 * WGS-84 already (or NULL).  Returns 0 or -1 (PROJ cannot do it). */
static int to_wgs84(OGRSpatialReferenceH src, OGRSpatialReferenceH wgs, OGRCoordinateTransformationH *ct)
{
    *ct = NULL;
    if (!src)
        return 0;
    OGRSpatialReferenceH s = OSRClone(src);
    if (!s)
        return -1;
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    int rc = 0;
    if (!OSRIsSame(s, wgs)) {
        *ct = OCTNewCoordinateTransformation(s, wgs);
        rc = *ct ? 0 : -1;
    }
    OSRRelease(s);
    return rc;
}

static int lonlat_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180 && fabs(lat) <= 90;
}

/* ---- vectors (GeoJSON) ------------------------------------------------ */

/* The local equal-area projection of the polygons near (lon0, lat0). */
typedef struct laea {
    OGRSpatialReferenceH srs;
    OGRCoordinateTransformationH fwd, inv; /* WGS-84 -> LAEA, back */
    double lon0, lat0;
} laea;

static void laea_free(laea *p)
{
    if (p->fwd)
        OCTDestroyCoordinateTransformation(p->fwd);
    if (p->inv)
        OCTDestroyCoordinateTransformation(p->inv);
    if (p->srs)
        OSRRelease(p->srs);
    memset(p, 0, sizeof *p);
}

/* Makes p centred on (lon, lat) unless its centre is within ~10 degrees. */
static int laea_near(laea *p, OGRSpatialReferenceH wgs, double lon, double lat)
{
    if (p->fwd && fabs(lat - p->lat0) < 10 && fabs(lon - p->lon0) * cos(lat * M_PI / 180) < 10)
        return 0;
    laea_free(p);
    char def[160];
    snprintf(def, sizeof def, "+proj=laea +lat_0=%.9f +lon_0=%.9f +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
             lat, lon);
    p->srs = OSRNewSpatialReference(NULL);
    if (!p->srs || OSRImportFromProj4(p->srs, def) != OGRERR_NONE)
        return -1;
    OSRSetAxisMappingStrategy(p->srs, OAMS_TRADITIONAL_GIS_ORDER);
    p->fwd = OCTNewCoordinateTransformation(wgs, p->srs);
    p->inv = OCTNewCoordinateTransformation(p->srs, wgs);
    if (!p->fwd || !p->inv)
        return -1;
    p->lon0 = lon, p->lat0 = lat;
    return 0;
}

/* Pieces of one polygon: centres (projected metres) and areas. */
typedef struct pieces {
    double s;      /* cell side */
    double gx, gy; /* the lattice's south-west corner */
    size_t n, cap;
    double *x, *y, *a;
} pieces;

static int piece_add(pieces *p, double x, double y, double a)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 64;
        double *nx = hh__realloc_array(p->x, ncap, sizeof *nx);
        if (!nx)
            return HH_ENOMEM;
        p->x = nx;
        double *ny = hh__realloc_array(p->y, ncap, sizeof *ny);
        if (!ny)
            return HH_ENOMEM;
        p->y = ny;
        double *na = hh__realloc_array(p->a, ncap, sizeof *na);
        if (!na)
            return HH_ENOMEM;
        p->a = na;
        p->cap = ncap;
    }
    p->x[p->n] = x, p->y[p->n] = y, p->a[p->n] = a;
    p->n++;
    return 0;
}

/* The part of the polygon g inside cells [i0, i0+ni) x [j0, j0+nj): a
 * piece per cell.  GEOS directly, for its rectangle clipping (many times
 * faster than a general overlay, and no OGR copy per call).  Returns 0,
 * HH_ENOMEM, or HH_EFORMAT (GEOS failed). */
static int cut(GEOSContextHandle_t gc, const GEOSGeometry *g, long i0, long j0, long ni, long nj, pieces *p)
{
    double a;
    if (!GEOSArea_r(gc, g, &a))
        return HH_EFORMAT;
    if (!(a > 0))
        return 0;
    double cell = p->s * p->s;
    if (a >= (double)ni * (double)nj * cell * (1 - 1e-9)) {
        /* the whole region: its cells without overlay */
        for (long j = j0; j < j0 + nj; j++)
            for (long i = i0; i < i0 + ni; i++) {
                int rc = piece_add(p, p->gx + ((double)i + 0.5) * p->s, p->gy + ((double)j + 0.5) * p->s,
                                   a / ((double)ni * (double)nj));
                if (rc)
                    return rc;
            }
        return 0;
    }
    if (ni == 1 && nj == 1) {
        GEOSGeometry *c = GEOSGetCentroid_r(gc, g);
        double x, y;
        int ok = c && GEOSGeomGetX_r(gc, c, &x) && GEOSGeomGetY_r(gc, c, &y);
        if (c)
            GEOSGeom_destroy_r(gc, c);
        return ok ? piece_add(p, x, y, a) : HH_EFORMAT;
    }
    for (int half = 0; half < 2; half++) {
        long hi0 = i0, hj0 = j0, hni = ni, hnj = nj;
        if (ni >= nj) {
            hni = half ? ni - ni / 2 : ni / 2;
            hi0 = half ? i0 + ni / 2 : i0;
        } else {
            hnj = half ? nj - nj / 2 : nj / 2;
            hj0 = half ? j0 + nj / 2 : j0;
        }
        GEOSGeometry *part =
            GEOSClipByRect_r(gc, g, p->gx + (double)hi0 * p->s, p->gy + (double)hj0 * p->s,
                             p->gx + (double)(hi0 + hni) * p->s, p->gy + (double)(hj0 + hnj) * p->s);
        if (!part)
            return HH_EFORMAT;
        int rc = GEOSisEmpty_r(gc, part) ? 0 : cut(gc, part, hi0, hj0, hni, hnj, p);
        GEOSGeom_destroy_r(gc, part);
        if (rc)
            return rc;
    }
    return 0;
}

/* OGR geometry -> GEOS (through WKB), or NULL. */
static GEOSGeometry *to_geos(GEOSContextHandle_t gc, OGRGeometryH g, unsigned char **buf, size_t *cap)
{
    size_t n = (size_t)OGR_G_WkbSize(g);
    if (n > *cap) {
        unsigned char *nb = hh__realloc(*buf, n);
        if (!nb)
            return NULL;
        *buf = nb, *cap = n;
    }
    if (OGR_G_ExportToWkb(g, wkbNDR, *buf) != OGRERR_NONE)
        return NULL;
    GEOSWKBReader *r = GEOSWKBReader_create_r(gc);
    if (!r)
        return NULL;
    GEOSGeometry *out = GEOSWKBReader_read_r(gc, r, *buf, n);
    GEOSWKBReader_destroy_r(gc, r);
    return out;
}

static void geos_message(const char *msg, void *ud) { snprintf((char *)ud, 160, "%s", msg); }

/* The polygonal part of g (valid): g itself, or a MultiPolygon of the
 * polygons in a collection (what MakeValid may return); NULL if none. */
static OGRGeometryH polygonal(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon || t == wkbMultiPolygon)
        return OGR_G_Clone(g);
    if (t != wkbGeometryCollection)
        return NULL;
    OGRGeometryH m = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (int k = 0; m && k < OGR_G_GetGeometryCount(g); k++) {
        OGRGeometryH c = OGR_G_GetGeometryRef(g, k);
        OGRwkbGeometryType ct = wkbFlatten(OGR_G_GetGeometryType(c));
        if (ct == wkbPolygon)
            OGR_G_AddGeometry(m, c);
        else if (ct == wkbMultiPolygon)
            for (int q = 0; q < OGR_G_GetGeometryCount(c); q++)
                OGR_G_AddGeometry(m, OGR_G_GetGeometryRef(c, q));
    }
    return m;
}

/* One point inside g: its centroid, or a point on its surface when the
 * centroid falls outside.  Returns 0 or -1. */
static int inside_point(OGRGeometryH g, double *x, double *y)
{
    OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
    if (!c)
        return -1;
    int ok = OGR_G_Centroid(g, c) == OGRERR_NONE && !OGR_G_IsEmpty(c);
    if (ok && !OGR_G_Intersects(g, c)) {
        OGR_G_DestroyGeometry(c);
        c = OGR_G_PointOnSurface(g);
        ok = c && !OGR_G_IsEmpty(c);
    }
    if (ok)
        *x = OGR_G_GetX(c, 0), *y = OGR_G_GetY(c, 0);
    if (c)
        OGR_G_DestroyGeometry(c);
    return ok ? 0 : -1;
}

typedef struct vec_ctx {
    build *b;
    const char *path;
    char *err;
    size_t errlen;
    hh_polygon_rule rule;
    double sample_m;
    OGRSpatialReferenceH wgs;
    laea proj;
    pieces pc;
    double *tmp; /* n_layers values of one piece */
    GEOSContextHandle_t gc;
    char geos_err[160];
    unsigned char *wkb; /* a polygon's WKB on its way to GEOS */
    size_t wkb_cap;
} vec_ctx;

/* A polygon feature (g valid, polygonal, WGS-84) carrying v. */
static int add_polygon(vec_ctx *c, OGRGeometryH g, const double *v, long fno)
{
    size_t nl = c->b->l.n_layers;
    double x, y;
    if (c->rule == HH_POLY_AREA) {
        OGREnvelope e;
        OGR_G_GetEnvelope(g, &e);
        if (laea_near(&c->proj, c->wgs, (e.MinX + e.MaxX) / 2, (e.MinY + e.MaxY) / 2)) {
            snprintf(c->err, c->errlen, "%s: no equal-area projection near feature %ld (%s)", c->path, fno,
                     gdal_msg("PROJ failed"));
            return HH_EFORMAT;
        }
        OGRGeometryH q = OGR_G_Clone(g);
        if (!q)
            return HH_ENOMEM;
        if (OGR_G_Transform(q, c->proj.fwd) != OGRERR_NONE) {
            OGR_G_DestroyGeometry(q);
            snprintf(c->err, c->errlen, "%s feature %ld: cannot be projected (%s)", c->path, fno,
                     gdal_msg("PROJ failed"));
            return HH_EFORMAT;
        }
        /* one lattice for the feature; each of its polygons cut on it, or
         * one point when it is no larger than a cell */
        double s = c->sample_m;
        int rc = 0, multi = wkbFlatten(OGR_G_GetGeometryType(q)) == wkbMultiPolygon;
        int n_parts = multi ? OGR_G_GetGeometryCount(q) : 1;
        OGR_G_GetEnvelope(q, &e);
        c->pc.n = 0, c->pc.s = s;
        c->pc.gx = floor(e.MinX / s) * s, c->pc.gy = floor(e.MinY / s) * s;
        for (int k = 0; k < n_parts && !rc; k++) {
            OGRGeometryH part = multi ? OGR_G_GetGeometryRef(q, k) : q;
            double area = OGR_G_Area(part);
            if (!(area > 0))
                continue;
            if (area <= s * s) {
                rc = inside_point(part, &x, &y) ? HH_EFORMAT : piece_add(&c->pc, x, y, area);
                continue;
            }
            OGREnvelope pe;
            OGR_G_GetEnvelope(part, &pe);
            long i0 = (long)floor((pe.MinX - c->pc.gx) / s), j0 = (long)floor((pe.MinY - c->pc.gy) / s);
            long ni = (long)ceil((pe.MaxX - c->pc.gx) / s) - i0, nj = (long)ceil((pe.MaxY - c->pc.gy) / s) - j0;
            /* the lattice a polygon claims, before any piece is made: each
             * inner cell becomes a point, so a continent at 100 m would ask
             * for billions */
            double cells = (double)(ni < 1 ? 1 : ni) * (double)(nj < 1 ? 1 : nj);
            if (!(cells <= HH_LAYERS_MAX_LATTICE)) {
                OGR_G_DestroyGeometry(q);
                snprintf(c->err, c->errlen,
                         "%s feature %ld: the polygon spans %.3g lattice cells of %g m, more than the limit of %d "
                         "(a larger --polygon-cell, or --polygons centroid)",
                         c->path, fno, cells, s, HH_LAYERS_MAX_LATTICE);
                return HH_ERANGE;
            }
            GEOSGeometry *gg = to_geos(c->gc, part, &c->wkb, &c->wkb_cap);
            if (!gg) {
                rc = c->wkb_cap < (size_t)OGR_G_WkbSize(part) ? HH_ENOMEM : HH_EFORMAT;
                break;
            }
            rc = cut(c->gc, gg, i0, j0, ni < 1 ? 1 : ni, nj < 1 ? 1 : nj, &c->pc);
            GEOSGeom_destroy_r(c->gc, gg);
        }
        if (rc == HH_EFORMAT)
            snprintf(c->err, c->errlen, "%s feature %ld: polygon overlay failed (%s)", c->path, fno,
                     *c->geos_err ? c->geos_err : gdal_msg("GEOS failed"));
        OGR_G_DestroyGeometry(q);
        if (rc)
            return rc;
        if (c->pc.n > 0) {
            double sum = 0;
            for (size_t k = 0; k < c->pc.n; k++)
                sum += c->pc.a[k];
            if (!OCTTransform(c->proj.inv, (int)c->pc.n, c->pc.x, c->pc.y, NULL)) {
                snprintf(c->err, c->errlen, "%s feature %ld: cannot be projected back (%s)", c->path, fno,
                         gdal_msg("PROJ failed"));
                return HH_EFORMAT;
            }
            if ((rc = build_reserve(c->b, c->pc.n)))
                return rc;
            for (size_t k = 0; k < c->pc.n; k++) {
                double w = c->pc.a[k] / sum;
                for (size_t l = 0; l < nl; l++)
                    c->tmp[l] = v[l] * w;
                if ((rc = build_push(c->b, c->pc.x[k], c->pc.y[k], c->tmp)))
                    return rc;
            }
            return 0;
        }
        /* nothing GEOS could measure (a degenerate polygon): one point */
    }
    if (inside_point(g, &x, &y)) {
        snprintf(c->err, c->errlen, "%s feature %ld: no point inside the polygon (%s)", c->path, fno,
                 gdal_msg("GEOS failed"));
        return HH_EFORMAT;
    }
    return build_push(c->b, x, y, v);
}

/* The numeric properties of an OGR layer: fmap[i] = layer index of field i,
 * or -1. */
static int numeric_field(OGRFieldDefnH fd)
{
    OGRFieldType t = OGR_Fld_GetType(fd);
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal)
        return 0;
    if (OGR_Fld_GetSubType(fd) == OFSTBoolean)
        return 0;
    return strcasecmp(OGR_Fld_GetNameRef(fd), "id") != 0;
}

/* One feature: its values, then its geometry. */
static int add_feature(vec_ctx *c, OGRFeatureH f, const int *fmap, int nf, OGRCoordinateTransformationH ct,
                       long fno, double *v, unsigned char *blank)
{
    size_t nl = c->b->l.n_layers;
    memset(v, 0, nl * sizeof *v);
    memset(blank, 0, nl);
    for (int i = 0; i < nf; i++) {
        if (fmap[i] < 0)
            continue;
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) {
            blank[fmap[i]] = 1;
            continue;
        }
        double d = OGR_F_GetFieldAsDouble(f, i);
        if (!isfinite(d) || d < 0) {
            snprintf(c->err, c->errlen, "%s feature %ld property \"%.40s\": %g is %s", c->path, fno,
                     c->b->l.name[fmap[i]], d, isfinite(d) ? "negative" : "not a finite number");
            return HH_EFORMAT;
        }
        v[fmap[i]] = d;
    }
    OGRGeometryH g0 = OGR_F_GetGeometryRef(f);
    OGRwkbGeometryType t = g0 ? wkbFlatten(OGR_G_GetGeometryType(g0)) : wkbNone;
    if (!g0 || OGR_G_IsEmpty(g0) ||
        (t != wkbPoint && t != wkbMultiPoint && t != wkbPolygon && t != wkbMultiPolygon))
        return 1; /* left out: the caller counts it */
    OGRGeometryH g = OGR_G_Clone(g0);
    if (!g)
        return HH_ENOMEM;
    int rc = 0;
    if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE) {
        snprintf(c->err, c->errlen, "%s feature %ld: cannot be reprojected to lon/lat (%s)", c->path, fno,
                 gdal_msg("PROJ failed"));
        rc = HH_EFORMAT;
        goto done;
    }
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    if (!lonlat_ok(e.MinX, e.MinY) || !lonlat_ok(e.MaxX, e.MaxY)) {
        snprintf(c->err, c->errlen, "%s feature %ld: coordinates are not lon/lat (%g..%g, %g..%g)", c->path,
                 fno, e.MinX, e.MaxX, e.MinY, e.MaxY);
        rc = HH_EFORMAT;
        goto done;
    }
    if (t == wkbPoint) {
        rc = build_push(c->b, OGR_G_GetX(g, 0), OGR_G_GetY(g, 0), v);
    } else if (t == wkbMultiPoint) {
        int np = OGR_G_GetGeometryCount(g);
        for (size_t l = 0; l < nl; l++)
            c->tmp[l] = v[l] / np;
        for (int k = 0; k < np && !rc; k++) {
            OGRGeometryH pt = OGR_G_GetGeometryRef(g, k);
            rc = build_push(c->b, OGR_G_GetX(pt, 0), OGR_G_GetY(pt, 0), c->tmp);
        }
    } else {
        int any = 0;
        for (size_t l = 0; l < nl; l++)
            any |= v[l] > 0;
        if (any) {
            OGRGeometryH valid = NULL;
            if (!OGR_G_IsValid(g)) {
                OGRGeometryH mv = OGR_G_MakeValid(g);
                valid = mv ? polygonal(mv) : NULL;
                if (mv)
                    OGR_G_DestroyGeometry(mv);
                if (!valid) {
                    snprintf(c->err, c->errlen, "%s feature %ld: invalid polygon that cannot be repaired (%s)",
                             c->path, fno, gdal_msg("GEOS failed"));
                    rc = HH_EFORMAT;
                    goto done;
                }
            }
            if (valid && OGR_G_IsEmpty(valid))
                rc = 1;
            else
                rc = add_polygon(c, valid ? valid : g, v, fno);
            if (valid)
                OGR_G_DestroyGeometry(valid);
        }
    }
    if (rc == 0)
        for (size_t l = 0; l < nl; l++)
            c->b->l.n_blank[l] += blank[l];
done:
    OGR_G_DestroyGeometry(g);
    return rc;
}

static int read_vector(const char *path, const hh_layers_opts *o, build *b, char *err, size_t errlen)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        snprintf(err, errlen, "%s: not a vector file GDAL reads (%s)", path, gdal_msg("unknown format"));
        return HH_EFORMAT;
    }
    vec_ctx c;
    memset(&c, 0, sizeof c);
    c.b = b, c.path = path, c.err = err, c.errlen = errlen, c.rule = o->polygons, c.sample_m = o->sample_m;
    int rc = 0, n_ogr = GDALDatasetGetLayerCount(ds);
    char **names = NULL;
    size_t nl = 0, cap = 0;
    int *fmap = NULL;
    double *v = NULL;
    unsigned char *blank = NULL;
    long n_feat = 0, n_left = 0, first_left = 0;
    /* the union of the numeric properties of every OGR layer, by name */
    for (int k = 0; k < n_ogr; k++) {
        OGRFeatureDefnH fd = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, k));
        for (int i = 0; i < OGR_FD_GetFieldCount(fd); i++) {
            OGRFieldDefnH f = OGR_FD_GetFieldDefn(fd, i);
            if (!numeric_field(f))
                continue;
            size_t j = 0;
            while (j < nl && strcmp(names[j], OGR_Fld_GetNameRef(f)))
                j++;
            if (j < nl)
                continue;
            if (hh__grow(&names, &cap, nl + 1, sizeof *names) || !(names[nl] = hh__strdup(OGR_Fld_GetNameRef(f))))
                goto nomem;
            nl++;
        }
    }
    if (nl == 0) {
        snprintf(err, errlen, "%s: no numeric property (Integer or Real) in any feature", path);
        rc = HH_EEMPTY;
        goto out;
    }
    if ((rc = build_names(b, nl, (const char *const *)names)))
        goto nomem;
    v = hh__alloc_array(nl, sizeof *v);
    c.tmp = hh__alloc_array(nl, sizeof *c.tmp);
    blank = hh__malloc(nl);
    if (!v || !c.tmp || !blank || !(c.wgs = wgs84_new()) || !(c.gc = GEOS_init_r()))
        goto nomem;
    GEOSContext_setErrorMessageHandler_r(c.gc, geos_message, c.geos_err);
    for (int k = 0; k < n_ogr && !rc; k++) {
        OGRLayerH lyr = GDALDatasetGetLayer(ds, k);
        OGRFeatureDefnH fd = OGR_L_GetLayerDefn(lyr);
        int nf = OGR_FD_GetFieldCount(fd);
        hh__free(fmap);
        if (!(fmap = hh__alloc_array(nf ? (size_t)nf : 1, sizeof *fmap)))
            goto nomem;
        for (int i = 0; i < nf; i++) {
            OGRFieldDefnH f = OGR_FD_GetFieldDefn(fd, i);
            fmap[i] = -1;
            for (size_t j = 0; numeric_field(f) && j < nl; j++)
                if (!strcmp(names[j], OGR_Fld_GetNameRef(f)))
                    fmap[i] = (int)j;
        }
        OGRCoordinateTransformationH ct;
        if (to_wgs84(OGR_L_GetSpatialRef(lyr), c.wgs, &ct)) {
            snprintf(err, errlen, "%s: no transformation from the layer's CRS to lon/lat (%s)", path,
                     gdal_msg("PROJ failed"));
            rc = HH_EFORMAT;
            break;
        }
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        while (!rc && (f = OGR_L_GetNextFeature(lyr))) {
            n_feat++;
            rc = add_feature(&c, f, fmap, nf, ct, n_feat, v, blank);
            OGR_F_Destroy(f);
            if (rc == 1) {
                if (!n_left++)
                    first_left = n_feat;
                rc = 0;
            }
        }
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
    }
    if (rc == HH_ENOMEM)
        goto nomem;
    if (rc)
        goto out;
    if (n_left && (rc = build_note(b, "%ld feature%s without a point or polygon geometry (first: feature %ld)",
                                   n_left, n_left > 1 ? "s" : "", first_left)))
        goto nomem;
    if (b->l.n == 0) {
        snprintf(err, errlen, "%s: no point or polygon with a value in %ld feature%s", path, n_feat,
                 n_feat == 1 ? "" : "s");
        rc = HH_EEMPTY;
    }
    goto out;
nomem:
    rc = HH_ENOMEM;
out:
    for (size_t j = 0; j < nl; j++)
        hh__free(names[j]);
    hh__free(names), hh__free(fmap), hh__free(v), hh__free(blank), hh__free(c.tmp);
    hh__free(c.pc.x), hh__free(c.pc.y), hh__free(c.pc.a);
    laea_free(&c.proj);
    hh__free(c.wkb);
    if (c.gc)
        GEOS_finish_r(c.gc);
    if (c.wgs)
        OSRRelease(c.wgs);
    GDALClose(ds);
    return rc;
}

/* ---- rasters ---------------------------------------------------------- */

/* The file's name without folder and last suffix, into buf. */
static void file_stem(const char *path, char *buf, size_t cap)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    const char *dot = strrchr(s, '.');
    size_t n = dot && dot > s ? (size_t)(dot - s) : strlen(s);
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), s);
}

static int read_raster(const char *path, const hh_layers_opts *o, build *b, char *err, size_t errlen)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        snprintf(err, errlen, "%s: not a raster GDAL reads (%s)", path, gdal_msg("unknown format"));
        return HH_EFORMAT;
    }
    int rc = 0, nb = GDALGetRasterCount(ds), w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    OGRSpatialReferenceH wgs = NULL;
    OGRCoordinateTransformationH ct = NULL;
    char **names = NULL;
    double *buf = NULL, *xs = NULL, *ys = NULL, *nd = NULL, *v = NULL;
    int *has_nd = NULL, *f32 = NULL, *ok = NULL;
    double gt[6];
    if (nb < 1 || w < 1 || h < 1) {
        snprintf(err, errlen, "%s: no raster band", path);
        rc = HH_EEMPTY;
        goto out;
    }
    if (GDALGetGeoTransform(ds, gt) != CE_None) {
        snprintf(err, errlen, "%s: no geotransform (the cells' positions are unknown)", path);
        rc = HH_EFORMAT;
        goto out;
    }
    if (!(wgs = wgs84_new()))
        goto nomem;
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (!srs) {
        /* no CRS: lon/lat if every corner looks like degrees */
        for (int k = 0; k < 4; k++) {
            double cx = (k & 1) ? w : 0, cy = (k & 2) ? h : 0;
            if (!lonlat_ok(gt[0] + cx * gt[1] + cy * gt[2], gt[3] + cx * gt[4] + cy * gt[5])) {
                snprintf(err, errlen, "%s: no CRS, and the cells' coordinates are not degrees", path);
                rc = HH_EFORMAT;
                goto out;
            }
        }
    } else if (to_wgs84(srs, wgs, &ct)) {
        snprintf(err, errlen, "%s: no transformation from the raster's CRS to lon/lat (%s)", path,
                 gdal_msg("PROJ failed"));
        rc = HH_EFORMAT;
        goto out;
    }
    /* names: prefix (or stem); per band <prefix>_b<k> or its description */
    char stem[200];
    if (o->prefix && *o->prefix)
        snprintf(stem, sizeof stem, "%s", o->prefix);
    else
        file_stem(path, stem, sizeof stem);
    names = hh__calloc((size_t)nb, sizeof *names);
    nd = hh__calloc((size_t)nb, sizeof *nd);
    has_nd = hh__calloc((size_t)nb, sizeof *has_nd);
    f32 = hh__calloc((size_t)nb, sizeof *f32);
    v = hh__calloc((size_t)nb, sizeof *v);
    if (!names || !nd || !has_nd || !f32 || !v)
        goto nomem;
    for (int k = 0; k < nb; k++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, k + 1);
        const char *desc = GDALGetDescription(band);
        char nm[240];
        if (nb == 1)
            snprintf(nm, sizeof nm, "%s", stem);
        else if (desc && *desc)
            snprintf(nm, sizeof nm, "%s", desc);
        else
            snprintf(nm, sizeof nm, "%s_b%d", stem, k + 1);
        if (!(names[k] = hh__strdup(nm)))
            goto nomem;
        nd[k] = GDALGetRasterNoDataValue(band, &has_nd[k]);
        /* a Float32 band's nodata compares as a float (as it was stored) */
        f32[k] = GDALGetRasterDataType(band) == GDT_Float32 && fabs(nd[k]) <= FLT_MAX;
    }
    if ((rc = build_names(b, (size_t)nb, (const char *const *)names)))
        goto nomem;
    if ((rc = check_unique(b, path, err, errlen)))
        goto out;
    size_t W = (size_t)w;
    if (W > SIZE_MAX / sizeof *buf / (size_t)nb)
        goto nomem;
    buf = hh__alloc_array(W * (size_t)nb, sizeof *buf);
    xs = hh__alloc_array(W, sizeof *xs);
    ys = hh__alloc_array(W, sizeof *ys);
    ok = hh__alloc_array(W, sizeof *ok);
    if (!buf || !xs || !ys || !ok)
        goto nomem;
    /* a row at a time (GDAL's block cache serves the rows of a block):
     * memory is one row of every band plus the points kept */
    for (int r = 0; r < h; r++) {
        CPLErrorReset();
        if (GDALDatasetRasterIO(ds, GF_Read, 0, r, w, 1, buf, w, 1, GDT_Float64, nb, NULL, 0, 0, 0) != CE_None) {
            snprintf(err, errlen, "%s row %d: %s", path, r + 1, gdal_msg("read error"));
            rc = HH_EIO;
            goto out;
        }
        size_t m = 0, first = b->l.n;
        for (int col = 0; col < w; col++) {
            int any = 0;
            for (int k = 0; k < nb; k++) {
                double d = buf[(size_t)k * W + (size_t)col];
                int is_nd = has_nd[k] && (f32[k] ? (float)d == (float)nd[k] : d == nd[k]);
                if (is_nd || isnan(d)) {
                    v[k] = 0;
                    continue;
                }
                if (d < 0 || !isfinite(d)) {
                    snprintf(err, errlen, "%s band %d row %d column %d: %g is %s (and not the band's nodata)",
                             path, k + 1, r + 1, col + 1, d, isfinite(d) ? "negative" : "not a finite number");
                    rc = HH_EFORMAT;
                    goto out;
                }
                v[k] = d;
                any |= d > 0;
            }
            if (!any)
                continue;
            double cx = col + 0.5, cy = r + 0.5;
            xs[m] = gt[0] + cx * gt[1] + cy * gt[2];
            ys[m] = gt[3] + cx * gt[4] + cy * gt[5];
            m++;
            if ((rc = build_push(b, 0, 0, v)))
                goto nomem;
        }
        if (m == 0)
            continue;
        if (ct && !OCTTransformEx(ct, (int)m, xs, ys, NULL, ok)) {
            snprintf(err, errlen, "%s row %d: cells cannot be reprojected to lon/lat (%s)", path, r + 1,
                     gdal_msg("PROJ failed"));
            rc = HH_EFORMAT;
            goto out;
        }
        for (size_t i = 0; i < m; i++) {
            if ((ct && !ok[i]) || !lonlat_ok(xs[i], ys[i])) {
                snprintf(err, errlen, "%s row %d: a cell centre (%g, %g) is not a lon/lat position", path,
                         r + 1, xs[i], ys[i]);
                rc = HH_EFORMAT;
                goto out;
            }
            b->l.lon[first + i] = xs[i], b->l.lat[first + i] = ys[i];
        }
    }
    if (b->l.n == 0) {
        snprintf(err, errlen, "%s: no cell with a value above 0", path);
        rc = HH_EEMPTY;
    }
    goto out;
nomem:
    rc = HH_ENOMEM;
out:
    for (int k = 0; names && k < nb; k++)
        hh__free(names[k]);
    hh__free(names), hh__free(nd), hh__free(has_nd), hh__free(f32), hh__free(v);
    hh__free(buf), hh__free(xs), hh__free(ys), hh__free(ok);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (wgs)
        OSRRelease(wgs);
    GDALClose(ds);
    return rc;
}

/* ---- the public calls ------------------------------------------------- */

static int has_suffix(const char *path, const char *suf)
{
    size_t n = strlen(path), k = strlen(suf);
    return n >= k && !strcasecmp(path + n - k, suf);
}

int hh_layers_read(const char *path, const hh_layers_opts *opts, hh_layers *out, char *err, size_t errlen)
{
    if (!path || !out)
        return HH_EINVAL;
    hh_layers_opts o = {HH_POLY_AREA, 100, NULL};
    if (opts)
        o = *opts;
    if (!(o.sample_m > 0))
        o.sample_m = 100;
    if (o.polygons != HH_POLY_AREA && o.polygons != HH_POLY_CENTROID) {
        snprintf(err, errlen, "%s: unknown polygon rule %d", path, (int)o.polygons);
        return HH_EINVAL;
    }
    if (!isfinite(o.sample_m)) {
        snprintf(err, errlen, "%s: sample_m must be a finite number of metres", path);
        return HH_EINVAL;
    }
    int rc;
    if (has_suffix(path, ".csv")) {
        rc = read_csv(path, out, err, errlen);
        goto done;
    }
    int vector = has_suffix(path, ".geojson") || has_suffix(path, ".json");
    if (hh__gdal_init(err, errlen))
        return HH_EIO;
    VSIStatBufL st;
    if (VSIStatExL(path, &st, VSI_STAT_EXISTS_FLAG) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOENT));
        return HH_EIO;
    }
    build b;
    memset(&b, 0, sizeof b);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    rc = vector ? read_vector(path, &o, &b, err, errlen) : read_raster(path, &o, &b, err, errlen);
    CPLErrorReset();
    CPLPopErrorHandler();
    if (rc)
        hh_layers_free(&b.l);
    else
        *out = b.l;
done:
    if (rc == HH_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    return rc;
}

int hh_layers_find(const hh_layers *l, const char *name)
{
    if (!l || !name)
        return -1;
    for (size_t k = 0; k < l->n_layers; k++)
        if (!strcmp(l->name[k], name))
            return (int)k;
    return -1;
}

int hh_layers_append(hh_layers *a, const hh_layers *b)
{
    if (!a || !b)
        return HH_EINVAL;
    /* where each of b's layers goes: an existing one of a's, or a new one */
    size_t na = a->n_layers, nl = na, n = a->n + b->n;
    if (n < a->n)
        return HH_ENOMEM;
    int rc = HH_ENOMEM;
    size_t *to = hh__calloc(b->n_layers ? b->n_layers : 1, sizeof *to);
    build t;
    memset(&t, 0, sizeof t);
    if (!to)
        return HH_ENOMEM;
    for (size_t k = 0; k < b->n_layers; k++) {
        int j = hh_layers_find(a, b->name[k]);
        to[k] = j >= 0 ? (size_t)j : nl++;
    }
    t.l.name = hh__calloc(nl ? nl : 1, sizeof *t.l.name);
    t.l.n_blank = hh__calloc(nl ? nl : 1, sizeof *t.l.n_blank);
    if (!t.l.name || !t.l.n_blank)
        goto out;
    t.l.n_layers = nl;
    for (size_t k = 0; k < na; k++) {
        if (!(t.l.name[k] = hh__strdup(a->name[k])))
            goto out;
        t.l.n_blank[k] = a->n_blank[k];
    }
    for (size_t k = 0; k < b->n_layers; k++) {
        if (to[k] >= na && !(t.l.name[to[k]] = hh__strdup(b->name[k])))
            goto out;
        t.l.n_blank[to[k]] += b->n_blank[k];
    }
    if (build_reserve(&t, n))
        goto out;
    if (n) /* (no points: value may be NULL) */
        memset(t.l.value, 0, n * (nl ? nl : 1) * sizeof *t.l.value);
    for (size_t i = 0; i < a->n; i++) {
        t.l.lon[i] = a->lon[i], t.l.lat[i] = a->lat[i];
        for (size_t k = 0; k < na; k++)
            t.l.value[i * nl + k] = a->value[i * na + k];
    }
    for (size_t i = 0; i < b->n; i++) {
        size_t d = a->n + i;
        t.l.lon[d] = b->lon[i], t.l.lat[d] = b->lat[i];
        for (size_t k = 0; k < b->n_layers; k++)
            t.l.value[d * nl + to[k]] = b->value[i * b->n_layers + k];
    }
    t.l.n = n;
    t.l.skipped = a->skipped;
    a->skipped = NULL;
    hh_layers_free(a);
    *a = t.l;
    memset(&t, 0, sizeof t);
    rc = 0;
out:
    hh__free(to);
    hh_layers_free(&t.l);
    return rc;
}
