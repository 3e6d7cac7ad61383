/* png.c: one column of a grid table as a colour-ramped PNG for web maps.
 * The grid's equal-area cells are reprojected to Web Mercator (EPSG:3857)
 * by GDAL's warper (nearest cell, so values stay the grid's), coloured
 * with a fixed ramp, and encoded by GDAL's PNG driver into memory
 * (/vsimem/): no encoder or resampler of our own.  Mercator pixels are what
 * a web map's image overlay stretches linearly between its corners, so
 * the lon/lat corners returned place every pixel where its cell is. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "io/gdal.h"
#include "io/grid.h"
#include "util/alloc.h"

/* viridis at nine stops (matplotlib's colormap data, public domain) */
static const unsigned char ramp[9][3] = {{68, 1, 84},   {71, 44, 122},  {59, 81, 139},   {44, 113, 142}, {33, 144, 141},
                                         {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};

static void colour(double f, unsigned char rgb[3])
{
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    double x = f * 8;
    int i = (int)x;
    if (i >= 8)
        i = 7;
    double t = x - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (unsigned char)lround(ramp[i][c] + t * (ramp[i + 1][c] - ramp[i][c]));
}

#define NODATA (-9999.0)
#define MAX_SIDE 4096

static int gfail(char *err, size_t errlen, const char *what)
{
    char g[256];
    hh__gdal_error(g, sizeof g, "GDAL error");
    snprintf(err, errlen, "PNG: %s: %s", what, g);
    return HH_EIO;
}

int hh_table_png(const hh_table *t, size_t col, const double *range, unsigned char **png, size_t *len,
                 double bbox[4], double out_range[2], char *err, size_t errlen)
{
    char e1[1];
    if (!err)
        err = e1, errlen = sizeof e1;
    const hh_grid *g = t->grid;
    if (!g || col >= t->n_cols || t->n_rows != g->n || !g->n) {
        snprintf(err, errlen, "PNG: needs a grid table and one of its columns");
        return HH_EINVAL;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < t->n_rows; i++) {
        double v = t->v[i * t->n_cols + col];
        if (isfinite(v))
            lo = fmin(lo, v), hi = fmax(hi, v);
    }
    if (range)
        lo = range[0], hi = range[1];
    if (!(lo <= hi))
        lo = hi = 0;
    if (hh__gdal_init(err, errlen))
        return HH_EIO;
    char *wkt = NULL;
    int rc = hh__grid_wkt(g, &wkt, err, errlen);
    if (rc)
        return rc;
    hh__gdal_quiet_begin();
    GDALDatasetH src = NULL, warped = NULL, rgba = NULL, out = NULL;
    float *row = NULL;
    unsigned char *pix = NULL;
    OGRSpatialReferenceH merc = OSRNewSpatialReference(NULL);
    char *merc_wkt = NULL;
    char name[64];
    snprintf(name, sizeof name, "/vsimem/hh_png_%p.png", (void *)&src); /* unique per call and thread */
    rc = HH_EIO;
    GDALDriverH mem = GDALGetDriverByName("MEM"), pngd = GDALGetDriverByName("PNG");
    if (!mem || !pngd || !merc) {
        snprintf(err, errlen, "PNG: this GDAL lacks the MEM or PNG driver");
        goto done;
    }
    src = GDALCreate(mem, "", (int)g->nx, (int)g->ny, 1, GDT_Float32, NULL);
    double gt[6] = {g->x0, g->cell_m, 0, g->y1, 0, -g->cell_m};
    if (!src || GDALSetGeoTransform(src, gt) != CE_None || GDALSetProjection(src, wkt) != CE_None) {
        rc = gfail(err, errlen, "cannot make the grid raster");
        goto done;
    }
    GDALRasterBandH b = GDALGetRasterBand(src, 1);
    GDALSetRasterNoDataValue(b, NODATA);
    rc = HH_ENOMEM;
    if (!(row = hh__alloc_array(g->nx, sizeof *row)))
        goto done;
    for (uint32_t r = 0; r < g->ny; r++) {
        for (uint32_t c = 0; c < g->nx; c++) {
            double v = t->v[((size_t)r * g->nx + c) * t->n_cols + col];
            row[c] = isfinite(v) ? (float)v : (float)NODATA;
        }
        if (GDALRasterIO(b, GF_Write, 0, (int)r, (int)g->nx, 1, row, (int)g->nx, 1, GDT_Float32, 0, 0) != CE_None) {
            rc = gfail(err, errlen, "cannot fill the grid raster");
            goto done;
        }
    }
    if (OSRImportFromEPSG(merc, 3857) != OGRERR_NONE || OSRExportToWkt(merc, &merc_wkt) != OGRERR_NONE) {
        rc = gfail(err, errlen, "no EPSG:3857");
        goto done;
    }
    /* the source's nodata becomes the warped raster's, outside included */
    warped = GDALAutoCreateWarpedVRT(src, wkt, merc_wkt, GRA_NearestNeighbour, 0.0, NULL);
    if (!warped) {
        rc = gfail(err, errlen, "cannot reproject to EPSG:3857");
        goto done;
    }
    int w = GDALGetRasterXSize(warped), h = GDALGetRasterYSize(warped);
    double wgt[6];
    GDALGetGeoTransform(warped, wgt);
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
        snprintf(err, errlen, "PNG: %d x %d pixels, more than %d a side; use larger cells", w, h, MAX_SIDE);
        rc = HH_ERANGE;
        goto done;
    }
    hh__free(row);
    row = hh__alloc_array((size_t)w * (size_t)h, sizeof *row);
    pix = hh__alloc_array((size_t)w * (size_t)h, 4);
    rc = HH_ENOMEM;
    if (!row || !pix)
        goto done;
    int has_nd = 0;
    double wnd = GDALGetRasterNoDataValue(GDALGetRasterBand(warped, 1), &has_nd);
    if (GDALRasterIO(GDALGetRasterBand(warped, 1), GF_Read, 0, 0, w, h, row, w, h, GDT_Float32, 0, 0) != CE_None) {
        rc = gfail(err, errlen, "cannot reproject to EPSG:3857");
        goto done;
    }
    size_t np = (size_t)w * (size_t)h;
    for (size_t i = 0; i < np; i++) {
        double v = row[i];
        unsigned char *p = pix + 4 * i;
        if (v == NODATA || (has_nd && v == wnd) || !isfinite(v)) {
            p[0] = p[1] = p[2] = p[3] = 0;
            continue;
        }
        colour(hi > lo ? (v - lo) / (hi - lo) : 1, p);
        p[3] = 255;
    }
    rgba = GDALCreate(mem, "", w, h, 4, GDT_Byte, NULL);
    if (!rgba) {
        rc = gfail(err, errlen, "cannot make the image");
        goto done;
    }
    for (int k = 0; k < 4; k++) {
        GDALRasterBandH ob = GDALGetRasterBand(rgba, k + 1);
        GDALSetRasterColorInterpretation(ob, k == 3 ? GCI_AlphaBand : (GDALColorInterp)(GCI_RedBand + k));
        if (GDALRasterIO(ob, GF_Write, 0, 0, w, h, pix + k, w, h, GDT_Byte, 4, 4 * w) != CE_None) {
            rc = gfail(err, errlen, "cannot fill the image");
            goto done;
        }
    }
    out = GDALCreateCopy(pngd, name, rgba, FALSE, NULL, NULL, NULL);
    if (!out) {
        rc = gfail(err, errlen, "cannot encode");
        goto done;
    }
    GDALClose(out);
    out = NULL;
    vsi_l_offset n = 0;
    GByte *bytes = VSIGetMemFileBuffer(name, &n, FALSE);
    rc = HH_ENOMEM;
    unsigned char *copy = bytes && n ? hh__malloc((size_t)n) : NULL;
    if (!copy)
        goto done;
    memcpy(copy, bytes, (size_t)n);
    /* the corners, back from Web Mercator */
    const double R = 6378137.0;
    double x0 = wgt[0], y1 = wgt[3], x1 = wgt[0] + w * wgt[1], y0 = wgt[3] + h * wgt[5];
    bbox[0] = x0 / R * 180 / M_PI, bbox[2] = x1 / R * 180 / M_PI;
    bbox[1] = atan(sinh(y0 / R)) * 180 / M_PI, bbox[3] = atan(sinh(y1 / R)) * 180 / M_PI;
    out_range[0] = lo, out_range[1] = hi;
    *png = copy, *len = (size_t)n;
    rc = 0;
done:
    if (out)
        GDALClose(out);
    VSIUnlink(name);
    if (rgba)
        GDALClose(rgba);
    if (warped)
        GDALClose(warped);
    if (src)
        GDALClose(src);
    VSIFree(merc_wkt);
    if (merc)
        OSRDestroySpatialReference(merc);
    hh__gdal_quiet_end();
    hh__free(row), hh__free(pix), hh__free(wkt);
    return rc;
}

void hh_buffer_free(void *p) { hh__free(p); }
