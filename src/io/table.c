/* table.c: tables of values per origin and their files (hh_table_write).
 *
 * CSV and GeoJSON are written here, row by row, straight into an hh_out:
 * text formats need nothing GDAL offers, stream in constant memory, can go
 * to stdout or a FIFO as they are produced, and come out byte for byte the
 * same on every machine (7 decimals for coordinates, %.10g for values).
 *
 * GeoPackage and GeoTIFF go through GDAL: they are the formats QGIS and
 * every GIS open without questions, and writing them by hand would mean
 * rewriting SQLite's file format (plus the GPKG tables, triggers and R-tree)
 * and TIFF's tiling, compression and GeoKeys.  GDAL wants a real, seekable
 * file with the right suffix, so it writes into a private temporary folder
 * (beside the target when the target is a regular file, else in $TMPDIR),
 * whose one file is then streamed into an hh_out on the user's path: FIFOs,
 * devices, symlinks, the kept mode and the all-or-nothing rename all come
 * from hh_out.  The folder -- with any side files GDAL made (-journal,
 * -wal, .aux.xml) -- is removed on every path out.
 *
 * Values: NAN is "no value": an empty CSV field, JSON null, a NULL
 * GeoPackage field, the GeoTIFF's nodata (-9999).  Infinities are kept
 * where the format has them (CSV "inf", GeoPackage, GeoTIFF) and are null
 * in GeoJSON, which has no number for them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "halfhour.h"
#include "io/gdal.h"
#include "io/csvw.h"
#include "io/grid.h"
#include "util/alloc.h"

#define GTIFF_NODATA (-9999.0)

void hh_table_free(hh_table *t)
{
    if (!t)
        return;
    if (t->col)
        for (size_t c = 0; c < t->n_cols; c++)
            hh__free(t->col[c]);
    if (t->id)
        for (size_t i = 0; i < t->n_rows; i++)
            hh__free(t->id[i]);
    hh__free(t->col), hh__free(t->id), hh__free(t->v);
    hh__free(t->lon), hh__free(t->lat);
    memset(t, 0, sizeof *t);
}

int hh_table_format_of(const char *path, hh_table_format *out)
{
    static const struct {
        const char *suffix;
        hh_table_format f;
    } by_suffix[] = {{".csv", HH_TABLE_CSV},   {".geojson", HH_TABLE_GEOJSON}, {".json", HH_TABLE_GEOJSON},
                     {".gpkg", HH_TABLE_GPKG}, {".tif", HH_TABLE_GTIFF},       {".tiff", HH_TABLE_GTIFF}};
    size_t n = path ? strlen(path) : 0;
    for (size_t k = 0; k < sizeof by_suffix / sizeof *by_suffix; k++) {
        size_t m = strlen(by_suffix[k].suffix);
        if (n > m && !strcasecmp(path + n - m, by_suffix[k].suffix)) {
            *out = by_suffix[k].f;
            return 0;
        }
    }
    return HH_EINVAL;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* Where the origins are: the table's positions, else the grid's centres. */
typedef struct table_pos {
    const double *lon, *lat;
} table_pos;

/* Column names are field names in every format: not empty, not one of the
 * names the files use themselves (GeoPackage's fid and geom, our id, lon,
 * lat), and distinct ignoring case (SQLite's column names ignore it). */
static int check_table(const hh_table *t, const char *path, table_pos *pos, char *err, size_t errlen)
{
    static const char *const reserved[] = {"id", "lon", "lat", "fid", "geom"};
    if ((t->n_cols && !t->col) || (t->n_rows && t->n_cols && !t->v))
        return fail(err, errlen, HH_EINVAL, "%s: table without its columns or values", path);
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *nm = t->col[c];
        if (!nm || !*nm)
            return fail(err, errlen, HH_EINVAL, "%s: column %zu has no name", path, c + 1);
        for (size_t k = 0; k < sizeof reserved / sizeof *reserved; k++)
            if (!strcasecmp(nm, reserved[k]))
                return fail(err, errlen, HH_EINVAL, "%s: column name \"%s\" is reserved", path, nm);
        for (size_t d = 0; d < c; d++)
            if (!strcasecmp(nm, t->col[d]))
                return fail(err, errlen, HH_EINVAL, "%s: column name \"%s\" repeats", path, nm);
    }
    const hh_grid *g = t->grid;
    if (g && t->n_rows != g->n)
        return fail(err, errlen, HH_EINVAL, "%s: %zu rows for a grid of %zu cells", path, t->n_rows, g->n);
    pos->lon = t->lon ? t->lon : g ? g->lon : NULL;
    pos->lat = t->lat ? t->lat : g ? g->lat : NULL;
    if (t->n_rows && (!pos->lon || !pos->lat))
        return fail(err, errlen, HH_EINVAL, "%s: table without positions", path);
    for (size_t i = 0; i < t->n_rows; i++)
        if (!(fabs(pos->lon[i]) <= 180 && fabs(pos->lat[i]) <= 90))
            return fail(err, errlen, HH_EINVAL, "%s: row %zu: position %g,%g is not a lon/lat", path, i,
                        pos->lon[i], pos->lat[i]);
    return 0;
}

/* The row's id: its own, or the row number. */
static const char *row_id(const hh_table *t, size_t i, char buf[24])
{
    if (t->id && t->id[i])
        return t->id[i];
    snprintf(buf, 24, "%zu", i);
    return buf;
}

/* Compact and the same everywhere: whole numbers without decimals (exact
 * below 1e15), others with 10 significant digits, -0 as 0.  Finite v only. */
static void put_num(FILE *f, double v)
{
    if (v == 0)
        fputc('0', f);
    else if (v == nearbyint(v) && fabs(v) < 1e15)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.10g", v);
}

/* ---- CSV -------------------------------------------------------------- */

static void write_csv(const hh_table *t, const table_pos *pos, FILE *f)
{
    fputs("id,lon,lat", f);
    for (size_t c = 0; c < t->n_cols; c++) {
        fputc(',', f);
        hh__csv_field(f, t->col[c]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n_rows; i++) {
        char buf[24];
        hh__csv_field(f, row_id(t, i, buf));
        fprintf(f, ",%.7f,%.7f", pos->lon[i], pos->lat[i]);
        for (size_t c = 0; c < t->n_cols; c++) {
            double v = t->v[i * t->n_cols + c];
            fputc(',', f);
            if (isinf(v))
                fputs(v > 0 ? "inf" : "-inf", f);
            else if (!isnan(v))
                put_num(f, v);
        }
        fputc('\n', f);
    }
}

/* ---- GeoJSON ------------------------------------------------------------ */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static int write_geojson(const hh_table *t, const table_pos *pos, hh__grid_proj *gp, FILE *f, const char *path,
                         char *err, size_t errlen)
{
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", f);
    for (size_t i = 0; i < t->n_rows; i++) {
        char buf[24];
        fputs(i ? ",\n{\"type\":\"Feature\",\"properties\":{\"id\":" : "\n{\"type\":\"Feature\",\"properties\":{\"id\":",
              f);
        json_string(f, row_id(t, i, buf));
        for (size_t c = 0; c < t->n_cols; c++) {
            double v = t->v[i * t->n_cols + c];
            fputc(',', f);
            json_string(f, t->col[c]);
            fputc(':', f);
            if (isfinite(v))
                put_num(f, v);
            else
                fputs("null", f);
        }
        if (t->grid) {
            double r[10];
            if (hh__grid_cell_ring_p(t->grid, gp, i, r))
                return fail(err, errlen, HH_ERANGE, "%s: grid cell %zu cannot be projected", path, i);
            fprintf(f, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],"
                       "[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}",
                    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]);
        } else {
            fprintf(f, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}", pos->lon[i], pos->lat[i]);
        }
    }
    fputs("\n]}\n", f);
    return 0;
}

/* ---- GDAL's temporary folder -------------------------------------------- */

typedef struct gdal_tmp {
    char *dir;  /* private folder (mkdtemp) */
    char *file; /* the one file GDAL is asked to make in it */
} gdal_tmp;

static void tmp_remove(gdal_tmp *tm)
{
    if (tm->dir) {
        DIR *d = opendir(tm->dir);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                char p[PATH_MAX];
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                    (size_t)snprintf(p, sizeof p, "%s/%s", tm->dir, e->d_name) < sizeof p)
                    unlink(p);
            }
            closedir(d);
        }
        rmdir(tm->dir);
    }
    hh__free(tm->dir), hh__free(tm->file);
    tm->dir = tm->file = NULL;
}

/* Beside the target when hh_out replaces a regular file there (so the data
 * stays on the target's disk), else in $TMPDIR or /tmp. */
static int tmp_make(gdal_tmp *tm, const hh_out *o, const char *name, const char *path, char *err, size_t errlen)
{
    const char *env = getenv("TMPDIR");
    const char *base = o->target ? o->target : env && *env ? env : "/tmp";
    size_t n = strlen(base) + strlen(name) + 32;
    char *dir = hh__malloc(n), *file = hh__malloc(n);
    if (!dir || !file) {
        hh__free(dir), hh__free(file);
        return fail(err, errlen, HH_ENOMEM, "%s: out of memory", path);
    }
    snprintf(dir, n, o->target ? "%s.gdal-XXXXXX" : "%s/halfhour-XXXXXX", base);
    if (!mkdtemp(dir)) {
        int e = errno;
        hh__free(dir), hh__free(file);
        return fail(err, errlen, HH_EIO, "cannot write %s: temporary folder: %s", path, strerror(e));
    }
    snprintf(file, n, "%s/%s", dir, name);
    tm->dir = dir, tm->file = file;
    return 0;
}

/* The finished GDAL file's bytes into the hh_out. */
static int copy_into(const char *file, hh_out *o, const char *path, char *err, size_t errlen)
{
    enum { CHUNK = 1 << 20 };
    char *buf = hh__malloc(CHUNK);
    if (!buf)
        return fail(err, errlen, HH_ENOMEM, "%s: out of memory", path);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = fail(err, errlen, HH_EIO, "cannot write %s: temporary file: %s", path, strerror(errno));
        goto done;
    }
    for (;;) {
        ssize_t k = read(fd, buf, CHUNK);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = fail(err, errlen, HH_EIO, "cannot write %s: temporary file: %s", path, strerror(errno));
            break;
        }
        if (k == 0)
            break;
        if (fwrite(buf, 1, (size_t)k, o->fp) != (size_t)k) {
            rc = fail(err, errlen, HH_EIO, "cannot write %s: %s", path, strerror(errno));
            break;
        }
    }
    close(fd);
done:
    hh__free(buf);
    return rc;
}

/* ---- GeoPackage ----------------------------------------------------------- */

static int gdal_fail(const char *path, const char *what, char *err, size_t errlen)
{
    char msg[512];
    hh__gdal_error(msg, sizeof msg, what);
    return fail(err, errlen, HH_EIO, "cannot write %s: %s", path, msg);
}

/* A feature whose geometry (a 5-point ring, or a point) is rewritten in
 * place for every row, so the rows make no allocation of their own. */
static OGRFeatureH gpkg_feature(OGRLayerH l, int polygons, OGRGeometryH *shape)
{
    OGRFeatureH ft = OGR_F_Create(OGR_L_GetLayerDefn(l));
    if (!ft)
        return NULL;
    OGRGeometryH geom;
    if (polygons) {
        geom = OGR_G_CreateGeometry(wkbPolygon);
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        for (int k = 0; k < 5; k++)
            OGR_G_AddPoint_2D(ring, 0, 0);
        OGR_G_AddGeometryDirectly(geom, ring);
    } else {
        geom = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(geom, 0, 0, 0);
    }
    OGR_F_SetGeometryDirectly(ft, geom);
    geom = OGR_F_GetGeometryRef(ft);
    *shape = polygons ? OGR_G_GetGeometryRef(geom, 0) : geom;
    return ft;
}

static int gpkg_rows(const hh_table *t, const table_pos *pos, hh__grid_proj *gp, OGRLayerH l, const char *path,
                     char *err, size_t errlen)
{
    OGRGeometryH shape;
    OGRFeatureH ft = gpkg_feature(l, t->grid != NULL, &shape);
    if (!ft)
        return gdal_fail(path, "cannot make a feature", err, errlen);
    int rc = 0;
    for (size_t i = 0; i < t->n_rows && !rc; i++) {
        char buf[24];
        OGR_F_SetFID(ft, OGRNullFID);
        OGR_F_SetFieldString(ft, 0, row_id(t, i, buf));
        for (size_t c = 0; c < t->n_cols; c++) {
            double v = t->v[i * t->n_cols + c];
            if (isnan(v))
                OGR_F_SetFieldNull(ft, (int)c + 1);
            else
                OGR_F_SetFieldDouble(ft, (int)c + 1, v);
        }
        if (t->grid) {
            double r[10];
            if (hh__grid_cell_ring_p(t->grid, gp, i, r)) {
                rc = fail(err, errlen, HH_ERANGE, "%s: grid cell %zu cannot be projected", path, i);
                break;
            }
            for (int k = 0; k < 5; k++)
                OGR_G_SetPoint_2D(shape, k, r[2 * k], r[2 * k + 1]);
        } else {
            OGR_G_SetPoint_2D(shape, 0, pos->lon[i], pos->lat[i]);
        }
        if (OGR_L_CreateFeature(l, ft) != OGRERR_NONE)
            rc = gdal_fail(path, "cannot add a feature", err, errlen);
    }
    OGR_F_Destroy(ft);
    return rc;
}

static int gpkg_fill(const hh_table *t, const table_pos *pos, hh__grid_proj *gp, const char *file, const char *layer,
                     const char *path, char *err, size_t errlen)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return fail(err, errlen, HH_EIO, "cannot write %s: this GDAL has no GPKG driver", path);
    GDALDatasetH ds = GDALCreate(drv, file, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return gdal_fail(path, "cannot create a GeoPackage", err, errlen);
    int rc = 0;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        rc = gdal_fail(path, "no EPSG:4326 (PROJ database missing?)", err, errlen);
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH l = GDALDatasetCreateLayer(ds, layer, srs, t->grid ? wkbPolygon : wkbPoint, NULL);
    if (!l) {
        rc = gdal_fail(path, "cannot create the layer", err, errlen);
        goto done;
    }
    for (size_t c = 0; c <= t->n_cols && !rc; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(c ? t->col[c - 1] : "id", c ? OFTReal : OFTString);
        if (OGR_L_CreateField(l, fd, TRUE) != OGRERR_NONE)
            rc = gdal_fail(path, "cannot add a field", err, errlen);
        OGR_Fld_Destroy(fd);
    }
    /* one transaction: without it SQLite commits (and syncs) every row */
    if (!rc && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = gdal_fail(path, "cannot start a transaction", err, errlen);
    if (!rc) {
        rc = gpkg_rows(t, pos, gp, l, path, err, errlen);
        if (rc)
            GDALDatasetRollbackTransaction(ds);
        else if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            rc = gdal_fail(path, "cannot commit", err, errlen);
    }
done:
    OSRDestroySpatialReference(srs);
    CPLErrorReset();
    GDALClose(ds); /* writes the R-tree and the file's last pages */
    if (!rc && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_fail(path, "cannot finish the GeoPackage", err, errlen);
    return rc;
}

/* ---- GeoTIFF ---------------------------------------------------------------- */

static int gtiff_bands(const hh_table *t, GDALDatasetH ds, const char *path, char *err, size_t errlen)
{
    const hh_grid *g = t->grid;
    for (size_t c = 0; c < t->n_cols; c++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, (int)c + 1);
        GDALSetDescription(b, t->col[c]);
        if (GDALSetRasterNoDataValue(b, GTIFF_NODATA) != CE_None)
            return gdal_fail(path, "cannot set nodata", err, errlen);
    }
    /* a band's rows a tile-height strip at a time (the buffer at most 64 MB) */
    size_t rows = 256;
    if ((size_t)g->nx * rows > ((size_t)1 << 24))
        rows = ((size_t)1 << 24) / g->nx ? ((size_t)1 << 24) / g->nx : 1;
    float *buf = hh__alloc_array(rows * g->nx, sizeof *buf);
    if (!buf)
        return fail(err, errlen, HH_ENOMEM, "%s: out of memory", path);
    int rc = 0;
    for (size_t r0 = 0; r0 < g->ny && !rc; r0 += rows) {
        size_t k = g->ny - r0 < rows ? g->ny - r0 : rows;
        for (size_t c = 0; c < t->n_cols && !rc; c++) {
            const double *v = t->v + r0 * g->nx * t->n_cols + c;
            for (size_t j = 0; j < k * g->nx; j++)
                buf[j] = isnan(v[j * t->n_cols]) ? (float)GTIFF_NODATA : (float)v[j * t->n_cols];
            GDALRasterBandH b = GDALGetRasterBand(ds, (int)c + 1);
            if (GDALRasterIO(b, GF_Write, 0, (int)r0, (int)g->nx, (int)k, buf, (int)g->nx, (int)k, GDT_Float32, 0, 0) !=
                CE_None)
                rc = gdal_fail(path, "cannot write a band", err, errlen);
        }
    }
    hh__free(buf);
    return rc;
}

static int gtiff_fill(const hh_table *t, const char *file, const char *path, char *err, size_t errlen)
{
    const hh_grid *g = t->grid;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return fail(err, errlen, HH_EIO, "cannot write %s: this GDAL has no GTiff driver", path);
    /* the floating-point predictor makes smooth surfaces compress well */
    char *opts[] = {"COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES", "BIGTIFF=IF_SAFER", NULL};
    char *wkt = NULL;
    int rc = hh__grid_wkt(g, &wkt, err, errlen);
    if (rc)
        return rc;
    GDALDatasetH ds = GDALCreate(drv, file, (int)g->nx, (int)g->ny, (int)t->n_cols, GDT_Float32, opts);
    if (!ds) {
        hh__free(wkt);
        return gdal_fail(path, "cannot create a GeoTIFF", err, errlen);
    }
    double gt[6] = {g->x0, g->cell_m, 0, g->y1, 0, -g->cell_m};
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
    if (!srs) {
        rc = gdal_fail(path, "GDAL does not read the grid's CRS", err, errlen);
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    /* named, so a GIS shows where the projection is centred (a CRS made
     * from a PROJ string is "unknown") */
    char name[160];
    snprintf(name, sizeof name, "halfhour grid: Lambert azimuthal equal-area at lat %.7g, lon %.7g",
             OSRGetProjParm(srs, SRS_PP_LATITUDE_OF_CENTER, 0, NULL),
             OSRGetProjParm(srs, SRS_PP_LONGITUDE_OF_CENTER, 0, NULL));
    OSRSetProjCS(srs, name);
    if (GDALSetGeoTransform(ds, gt) != CE_None || GDALSetSpatialRef(ds, srs) != CE_None) {
        rc = gdal_fail(path, "cannot georeference", err, errlen);
        goto done;
    }
    rc = gtiff_bands(t, ds, path, err, errlen);
done:
    OSRDestroySpatialReference(srs);
    hh__free(wkt);
    CPLErrorReset();
    GDALClose(ds); /* compresses and writes the last tiles */
    if (!rc && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_fail(path, "cannot finish the GeoTIFF", err, errlen);
    return rc;
}

static int write_gdal(const hh_table *t, const table_pos *pos, hh_table_format f, hh__grid_proj *gp, hh_out *o,
                      const char *path, const char *layer, char *err, size_t errlen)
{
    if (hh__gdal_init(err, errlen))
        return HH_EIO;
    gdal_tmp tm = {NULL, NULL};
    int rc = tmp_make(&tm, o, f == HH_TABLE_GPKG ? "table.gpkg" : "table.tif", path, err, errlen);
    if (rc)
        return rc;
    hh__gdal_quiet_begin();
    if (f == HH_TABLE_GPKG)
        rc = gpkg_fill(t, pos, gp, tm.file, layer, path, err, errlen);
    else
        rc = gtiff_fill(t, tm.file, path, err, errlen);
    hh__gdal_quiet_end();
    if (!rc)
        rc = copy_into(tm.file, o, path, err, errlen);
    tmp_remove(&tm);
    return rc;
}

int hh_table_write(const hh_table *t, hh_table_format f, const char *path, const char *layer, char *err,
                   size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    if (!path)
        path = "-";
    if ((unsigned)f > HH_TABLE_GTIFF)
        return fail(err, errlen, HH_EINVAL, "%s: unknown table format %d", path, (int)f);
    const char *what = f == HH_TABLE_GPKG ? "GeoPackage" : "GeoTIFF";
    if ((f == HH_TABLE_GPKG || f == HH_TABLE_GTIFF) && !strcmp(path, "-"))
        return fail(err, errlen, HH_EINVAL, "a %s cannot go to standard output (\"-\"); name a file", what);
    if (f == HH_TABLE_GTIFF && !t->grid)
        return fail(err, errlen, HH_EINVAL, "%s: a GeoTIFF needs grid cells, these origins are points", path);
    if (f == HH_TABLE_GTIFF && !t->n_cols)
        return fail(err, errlen, HH_EINVAL, "%s: a GeoTIFF needs at least one column", path);
    if (f == HH_TABLE_GPKG && layer && !*layer)
        return fail(err, errlen, HH_EINVAL, "%s: empty layer name", path);
    table_pos pos = {NULL, NULL};
    int rc = check_table(t, path, &pos, err, errlen);
    if (rc)
        return rc;
    hh__grid_proj *gp = NULL;
    if (t->grid && (f == HH_TABLE_GEOJSON || f == HH_TABLE_GPKG) &&
        (rc = hh__grid_proj_open(t->grid->proj, &gp, err, errlen)))
        return rc;
    hh_out o;
    rc = hh_out_open(&o, path, err, errlen);
    if (!rc) {
        switch (f) {
        case HH_TABLE_CSV:
            write_csv(t, &pos, o.fp); /* write errors: hh_out_commit */
            break;
        case HH_TABLE_GEOJSON:
            rc = write_geojson(t, &pos, gp, o.fp, path, err, errlen);
            break;
        case HH_TABLE_GPKG:
        case HH_TABLE_GTIFF:
            rc = write_gdal(t, &pos, f, gp, &o, path, layer ? layer : "access", err, errlen);
            break;
        }
        if (rc)
            hh_out_abort(&o);
        else
            rc = hh_out_commit(&o, err, errlen);
    }
    hh__grid_proj_close(gp);
    return rc;
}
