/* grid.c: regular grids in a Lambert azimuthal equal-area projection
 * centred on the region (hh_grid_make in halfhour.h; io/grid.h).
 *
 * Why LAEA: every cell is the same area on the ground, so a count per cell
 * is a density, and within a city-sized region the cells are also nearly
 * square on the ground (the scale along and across the radius differs by a
 * factor growing with the square of the distance from the centre: 0.006 %
 * at 100 km, 0.15 % at 500 km).
 *
 * Transforms are made with proj_create() from the grid's own PROJ string,
 * not proj_create_crs_to_crs(EPSG:4326, ...): both give the same numbers
 * (same ellipsoid, no datum shift), but the plain projection needs no
 * database lookup and opens in about 0.1 ms instead of 10 ms.  Its angles
 * are radians and its axis order is lon/lat by definition, so there is no
 * axis-order question to normalise.  Each transform owns a PJ_CONTEXT, so
 * threads never share PROJ state; PROJ's own logging is switched off (the
 * library never prints) and its error text becomes our message.
 *
 * PROJ is opened on first use rather than linked (util/dl.h): with its
 * database and network dependencies it cost every run of the program about
 * 8 ms at start-up, and only grids need it. */
#include "io/grid.h"

#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/dl.h"

#ifndef HH_PROJ_SONAME
#define HH_PROJ_SONAME "libproj.so"
#endif

#define HH_PROJ_FUNCTIONS(X) X(proj_as_wkt) X(proj_context_create) X(proj_context_destroy) X(proj_context_errno) X(proj_context_errno_string) X(proj_coord) X(proj_create) X(proj_destroy) X(proj_log_level) X(proj_todeg) X(proj_torad) X(proj_trans) X(proj_trans_generic)

static struct {
#define HH_PROJ_MEMBER(f) __typeof__(&f) f;
    HH_PROJ_FUNCTIONS(HH_PROJ_MEMBER)
#undef HH_PROJ_MEMBER
} pj_api;
static char pj_err[256];
static pthread_once_t pj_once = PTHREAD_ONCE_INIT;

static void pj_load(void)
{
    HH__DL_LOAD_TABLE(HH_PROJ_FUNCTIONS, &pj_api, "PROJ", HH_PROJ_SONAME, pj_err, sizeof pj_err);
}

/* 0 once PROJ is loaded, else -1 with the reason in err. */
static int pj_ready(char *err, size_t errlen)
{
    pthread_once(&pj_once, pj_load);
    if (pj_api.proj_create)
        return 0;
    snprintf(err, errlen, "%s", pj_err);
    return -1;
}

#define proj_as_wkt (*pj_api.proj_as_wkt)
#define proj_context_create (*pj_api.proj_context_create)
#define proj_context_destroy (*pj_api.proj_context_destroy)
#define proj_context_errno (*pj_api.proj_context_errno)
#define proj_context_errno_string (*pj_api.proj_context_errno_string)
#define proj_coord (*pj_api.proj_coord)
#define proj_create (*pj_api.proj_create)
#define proj_destroy (*pj_api.proj_destroy)
#define proj_log_level (*pj_api.proj_log_level)
#define proj_todeg (*pj_api.proj_todeg)
#define proj_torad (*pj_api.proj_torad)
#define proj_trans (*pj_api.proj_trans)
#define proj_trans_generic (*pj_api.proj_trans_generic)

#define GRID_MAX_CELLS (1u << 26)
/* boundary points per side of the box when finding its projected extent */
#define GRID_EDGE_STEPS 64

struct hh__grid_proj {
    PJ_CONTEXT *ctx;
    PJ *pj; /* forward: lon/lat radians -> x/y metres */
};

static int proj_fail(PJ_CONTEXT *ctx, const char *what, const char *proj, char *err, size_t errlen)
{
    int e = proj_context_errno(ctx);
    snprintf(err, errlen, "%s \"%s\": %s", what, proj, e ? proj_context_errno_string(ctx, e) : "rejected by PROJ");
    return HH_EINVAL;
}

int hh__grid_proj_open(const char *proj, hh__grid_proj **out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    if (pj_ready(err, errlen))
        return HH_EIO;
    hh__grid_proj *p = hh__calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "grid projection: out of memory");
        return HH_ENOMEM;
    }
    p->ctx = proj_context_create();
    if (!p->ctx) {
        hh__free(p);
        snprintf(err, errlen, "grid projection: out of memory");
        return HH_ENOMEM;
    }
    proj_log_level(p->ctx, PJ_LOG_NONE);
    p->pj = proj_create(p->ctx, proj);
    if (!p->pj) {
        int rc = proj_fail(p->ctx, "grid projection", proj, err, errlen);
        hh__grid_proj_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

void hh__grid_proj_close(hh__grid_proj *p)
{
    if (!p)
        return;
    proj_destroy(p->pj);
    proj_context_destroy(p->ctx);
    hh__free(p);
}

int hh__grid_to_lonlat(hh__grid_proj *p, double x, double y, double *lon, double *lat)
{
    PJ_COORD c = proj_trans(p->pj, PJ_INV, proj_coord(x, y, 0, 0));
    if (!isfinite(c.lp.lam) || !isfinite(c.lp.phi))
        return HH_ERANGE;
    *lon = proj_todeg(c.lp.lam), *lat = proj_todeg(c.lp.phi);
    return 0;
}

int hh__grid_from_lonlat(hh__grid_proj *p, double lon, double lat, double *x, double *y)
{
    PJ_COORD c = proj_trans(p->pj, PJ_FWD, proj_coord(proj_torad(lon), proj_torad(lat), 0, 0));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
        return HH_ERANGE;
    *x = c.xy.x, *y = c.xy.y;
    return 0;
}

int hh__grid_cell_ring_p(const hh_grid *g, hh__grid_proj *p, size_t cell, double ring[10])
{
    if (cell >= g->n)
        return HH_EINVAL;
    double xw = g->x0 + (double)(cell % g->nx) * g->cell_m, xe = xw + g->cell_m;
    double yn = g->y1 - (double)(cell / g->nx) * g->cell_m, ys = yn - g->cell_m;
    /* south-west, south-east, north-east, north-west: counter-clockwise
     * with x east and y north, and the projection keeps orientation */
    const double cx[4] = {xw, xe, xe, xw}, cy[4] = {ys, ys, yn, yn};
    double r[10];
    for (int k = 0; k < 4; k++)
        if (hh__grid_to_lonlat(p, cx[k], cy[k], &r[2 * k], &r[2 * k + 1]))
            return HH_ERANGE;
    r[8] = r[0], r[9] = r[1];
    memcpy(ring, r, sizeof r);
    return 0;
}

int hh_grid_cell_ring(const hh_grid *g, size_t cell, double ring[10])
{
    if (cell >= g->n)
        return HH_EINVAL;
    hh__grid_proj *p;
    int rc = hh__grid_proj_open(g->proj, &p, NULL, 0);
    if (rc)
        return rc;
    rc = hh__grid_cell_ring_p(g, p, cell, ring);
    hh__grid_proj_close(p);
    return rc;
}

int hh__grid_wkt(const hh_grid *g, char **out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    char def[sizeof g->proj + 16];
    snprintf(def, sizeof def, "%s +type=crs", g->proj);
    if (pj_ready(err, errlen))
        return HH_EIO;
    PJ_CONTEXT *ctx = proj_context_create();
    if (!ctx) {
        snprintf(err, errlen, "grid CRS: out of memory");
        return HH_ENOMEM;
    }
    proj_log_level(ctx, PJ_LOG_NONE);
    int rc = 0;
    PJ *crs = proj_create(ctx, def);
    const char *const opts[] = {"MULTILINE=NO", NULL};
    const char *wkt = crs ? proj_as_wkt(ctx, crs, PJ_WKT2_2019, opts) : NULL;
    if (!wkt) {
        rc = proj_fail(ctx, "grid CRS", g->proj, err, errlen);
    } else if (!(*out = hh__strdup(wkt))) {
        snprintf(err, errlen, "grid CRS: out of memory");
        rc = HH_ENOMEM;
    }
    proj_destroy(crs);
    proj_context_destroy(ctx);
    return rc;
}

void hh_grid_free(hh_grid *g)
{
    if (!g)
        return;
    hh__free(g->lon), hh__free(g->lat);
    memset(g, 0, sizeof *g);
}

/* The projected extent of the lon/lat box: a projection maps the box's
 * inside to the inside of its image, so the extremes lie on the boundary,
 * which is sampled densely (the curvature between samples is far below a
 * millimetre for any box a grid can cover). */
static int projected_extent(hh__grid_proj *p, const double box[4], double ext[4])
{
    ext[0] = ext[1] = INFINITY, ext[2] = ext[3] = -INFINITY;
    for (int k = 0; k <= GRID_EDGE_STEPS; k++) {
        double t = (double)k / GRID_EDGE_STEPS;
        double lon = box[0] + t * (box[2] - box[0]), lat = box[1] + t * (box[3] - box[1]);
        const double pts[8] = {lon, box[1], lon, box[3], box[0], lat, box[2], lat};
        for (int j = 0; j < 4; j++) {
            double x, y;
            if (hh__grid_from_lonlat(p, pts[2 * j], pts[2 * j + 1], &x, &y))
                return HH_ERANGE;
            ext[0] = fmin(ext[0], x), ext[1] = fmin(ext[1], y);
            ext[2] = fmax(ext[2], x), ext[3] = fmax(ext[3], y);
        }
    }
    return 0;
}

/* Cell centres to lon/lat, a row at a time through PROJ's array call. */
static int cell_centres(const hh_grid *g, hh__grid_proj *p, double *lon, double *lat)
{
    for (uint32_t r = 0; r < g->ny; r++) {
        double *x = lon + (size_t)r * g->nx, *y = lat + (size_t)r * g->nx;
        for (uint32_t c = 0; c < g->nx; c++)
            x[c] = g->x0 + (c + 0.5) * g->cell_m, y[c] = g->y1 - (r + 0.5) * g->cell_m;
        proj_trans_generic(p->pj, PJ_INV, x, sizeof *x, g->nx, y, sizeof *y, g->nx, NULL, 0, 0, NULL, 0, 0);
        for (uint32_t c = 0; c < g->nx; c++) {
            if (!isfinite(x[c]) || !isfinite(y[c]))
                return HH_ERANGE;
            x[c] = proj_todeg(x[c]), y[c] = proj_todeg(y[c]);
        }
    }
    return 0;
}

static int make_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double cell_m, double cap,
                     hh_grid *out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    if (!(cell_m >= 10 && cell_m <= 100000)) { /* NAN fails too */
        snprintf(err, errlen, "grid cell of %g m: must be 10 to 100000 m", cell_m);
        return HH_ERANGE;
    }
    if (!(min_lon <= max_lon && min_lat <= max_lat && min_lon >= -180 && max_lon <= 180 && min_lat >= -90 &&
          max_lat <= 90)) {
        snprintf(err, errlen, "grid area %g,%g,%g,%g: not a lon/lat box", min_lon, min_lat, max_lon, max_lat);
        return HH_EINVAL;
    }
    hh_grid g;
    memset(&g, 0, sizeof g);
    g.cell_m = cell_m;
    snprintf(g.proj, sizeof g.proj, "+proj=laea +lat_0=%.7f +lon_0=%.7f +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
             (min_lat + max_lat) / 2, (min_lon + max_lon) / 2);
    hh__grid_proj *p;
    int rc = hh__grid_proj_open(g.proj, &p, err, errlen);
    if (rc)
        return rc;
    const double box[4] = {min_lon, min_lat, max_lon, max_lat};
    double ext[4];
    if (projected_extent(p, box, ext)) {
        snprintf(err, errlen, "grid area %g,%g,%g,%g: too large for one equal-area projection", min_lon, min_lat,
                 max_lon, max_lat);
        rc = HH_ERANGE;
        goto fail_proj;
    }
    /* a millimetre of slack keeps the box inside despite rounding; a box
     * of no width still gets one cell */
    double w = ext[2] - ext[0] + 2e-3, h = ext[3] - ext[1] + 2e-3;
    double nx = ceil(w / cell_m), ny = ceil(h / cell_m);
    if (nx * ny > cap && cap < GRID_MAX_CELLS) {
        snprintf(err, errlen, "grid of %.0f x %.0f cells of %g m: more than the limit of %.0f cells; use larger "
                 "cells or a smaller area", nx, ny, cell_m, cap);
        rc = HH_ERANGE;
        goto fail_proj;
    }
    if (nx * ny > GRID_MAX_CELLS) {
        snprintf(err, errlen, "grid of %.0f x %.0f cells of %g m: more than 2^26 (%u) cells; use larger cells", nx,
                 ny, cell_m, GRID_MAX_CELLS);
        rc = HH_ERANGE;
        goto fail_proj;
    }
    g.nx = (uint32_t)nx, g.ny = (uint32_t)ny, g.n = (size_t)g.nx * g.ny;
    /* centred on the box's extent, the slack shared by both sides; whole
     * millimetres (within the slack) so the georeference reads cleanly */
    g.x0 = round(((ext[0] + ext[2]) / 2 - nx * cell_m / 2) * 1e3) / 1e3;
    g.y1 = round(((ext[1] + ext[3]) / 2 + ny * cell_m / 2) * 1e3) / 1e3;
    g.lon = hh__alloc_array(g.n, sizeof *g.lon);
    g.lat = hh__alloc_array(g.n, sizeof *g.lat);
    if (!g.lon || !g.lat) {
        snprintf(err, errlen, "grid of %zu cells: out of memory", g.n);
        rc = HH_ENOMEM;
        goto fail_cells;
    }
    if (cell_centres(&g, p, g.lon, g.lat)) {
        snprintf(err, errlen, "grid area %g,%g,%g,%g: too large for one equal-area projection", min_lon, min_lat,
                 max_lon, max_lat);
        rc = HH_ERANGE;
        goto fail_cells;
    }
    hh__grid_proj_close(p);
    *out = g;
    return 0;
fail_cells:
    hh__free(g.lon), hh__free(g.lat);
fail_proj:
    hh__grid_proj_close(p);
    return rc;
}

int hh__grid_make_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double cell_m,
                       hh_grid *out, char *err, size_t errlen)
{
    return make_bbox(min_lon, min_lat, max_lon, max_lat, cell_m, GRID_MAX_CELLS, out, err, errlen);
}

int hh_grid_make_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double cell_m,
                      size_t max_cells, hh_grid *out, char *err, size_t errlen)
{
    double cap = max_cells && (double)max_cells < GRID_MAX_CELLS ? (double)max_cells : GRID_MAX_CELLS;
    return make_bbox(min_lon, min_lat, max_lon, max_lat, cell_m, cap, out, err, errlen);
}

int hh_grid_make(const hh_net *net, double cell_m, hh_grid *out, char *err, size_t errlen)
{
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    return hh__grid_make_bbox(x0, y0, x1, y1, cell_m, out, err, errlen);
}
