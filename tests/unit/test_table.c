/* test_table.c: equal-area grids (hh_grid_*, io/grid.h): coverage of the
 * box, cells of one area on the ellipsoid (PROJ's geodesic polygon area),
 * counter-clockwise rings, the limits.  The grids are made from a lon/lat
 * box, so only one test needs a network. */
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "io/grid.h"
#include "testnet.h"

/* Porto Alegre's centre: 0.15 x 0.15 degrees, about 14.5 x 16.6 km */
static const double poa_box[4] = {-51.25, -30.10, -51.10, -29.95};
/* a 0.01-degree square there: 3 x 3 cells of 400 m */
static const double small_box[4] = {-51.20, -30.05, -51.19, -30.04};

/* Shoelace area of a closed lon/lat ring of 5 points (positive: CCW). */
static double ring_signed_area(const double r[10])
{
    double a = 0;
    for (int k = 0; k < 4; k++)
        a += r[2 * k] * r[2 * k + 3] - r[2 * k + 2] * r[2 * k + 1];
    return a / 2;
}

/* The ring's area on the WGS-84 ellipsoid, m^2 (positive: CCW). */
static double ring_geodesic_area(const double r[10])
{
    struct geod_geodesic gd;
    geod_init(&gd, 6378137, 1 / 298.257223563);
    double lats[4], lons[4], area, perim;
    for (int k = 0; k < 4; k++)
        lons[k] = r[2 * k], lats[k] = r[2 * k + 1];
    geod_polygonarea(&gd, lats, lons, 4, &area, &perim);
    return area;
}

/* ---- grids ------------------------------------------------------------ */

HH_TEST(grid_covers_its_box_with_equal_ccw_cells)
{
    hh_grid g;
    char err[256];
    HH_ASSERT_EQ(hh__grid_make_bbox(poa_box[0], poa_box[1], poa_box[2], poa_box[3], 250, &g, err, sizeof err), 0);
    HH_ASSERT(!strncmp(g.proj, "+proj=laea +lat_0=-30.0250000 +lon_0=-51.1750000 ", 48));
    HH_ASSERT_EQ(g.n, (size_t)g.nx * g.ny);
    HH_ASSERT_NEAR(g.cell_m, 250, 0);
    hh__grid_proj *p;
    HH_ASSERT_EQ(hh__grid_proj_open(g.proj, &p, err, sizeof err), 0);
    /* every point of the box's outline is inside the grid, and one cell
     * fewer would not cover it in either direction */
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int k = 0; k <= 400; k++) {
        double t = k / 400.0;
        double lon = poa_box[0] + t * (poa_box[2] - poa_box[0]), lat = poa_box[1] + t * (poa_box[3] - poa_box[1]);
        const double pts[8] = {lon, poa_box[1], lon, poa_box[3], poa_box[0], lat, poa_box[2], lat};
        for (int j = 0; j < 4; j++) {
            double x, y;
            HH_ASSERT_EQ(hh__grid_from_lonlat(p, pts[2 * j], pts[2 * j + 1], &x, &y), 0);
            xmin = fmin(xmin, x), xmax = fmax(xmax, x), ymin = fmin(ymin, y), ymax = fmax(ymax, y);
        }
    }
    HH_ASSERT(xmin >= g.x0 && xmax <= g.x0 + g.nx * g.cell_m);
    HH_ASSERT(ymax <= g.y1 && ymin >= g.y1 - g.ny * g.cell_m);
    HH_ASSERT(xmax - xmin > (g.nx - 1) * g.cell_m && ymax - ymin > (g.ny - 1) * g.cell_m);
    /* 14.5 x 16.6 km in 250 m cells */
    HH_ASSERT_EQ(g.nx, 58);
    HH_ASSERT_EQ(g.ny, 67);
    HH_ASSERT(g.x0 * 1000 == round(g.x0 * 1000) && g.y1 * 1000 == round(g.y1 * 1000));
    /* cell centres: row 0 in the north, columns west to east, and each the
     * inverse of its projected centre */
    HH_ASSERT(g.lat[0] > g.lat[g.n - 1] && g.lon[0] < g.lon[g.nx - 1]);
    for (size_t i = 0; i < g.n; i += 97) {
        double lon, lat;
        HH_ASSERT_EQ(hh__grid_to_lonlat(p, g.x0 + (i % g.nx + 0.5) * 250, g.y1 - (i / g.nx + 0.5) * 250, &lon, &lat), 0);
        HH_ASSERT_NEAR(lon, g.lon[i], 1e-12);
        HH_ASSERT_NEAR(lat, g.lat[i], 1e-12);
    }
    /* rings: closed, counter-clockwise, around the centre, sharing edges
     * with the neighbours, and all of one area on the ellipsoid (the corner
     * cells are 8 km from the centre) */
    const size_t probe[] = {0, g.nx - 1, g.n / 2, g.n - g.nx, g.n - 1};
    double area0 = 0;
    for (size_t k = 0; k < sizeof probe / sizeof *probe; k++) {
        size_t i = probe[k];
        double r[10], q[10];
        HH_ASSERT_EQ(hh__grid_cell_ring_p(&g, p, i, r), 0);
        HH_ASSERT_EQ(hh_grid_cell_ring(&g, i, q), 0);
        HH_ASSERT(!memcmp(r, q, sizeof r));
        HH_ASSERT(r[8] == r[0] && r[9] == r[1]);
        HH_ASSERT(ring_signed_area(r) > 0);
        HH_ASSERT(r[0] < g.lon[i] && g.lon[i] < r[2] && r[1] < g.lat[i] && g.lat[i] < r[5]);
        double a = ring_geodesic_area(r);
        HH_ASSERT_NEAR(a, 250.0 * 250.0, 250.0 * 250.0 * 1e-4);
        if (k == 0)
            area0 = a;
        HH_ASSERT_NEAR(a, area0, area0 * 1e-5);
        if (i % g.nx != g.nx - 1) {
            HH_ASSERT_EQ(hh__grid_cell_ring_p(&g, p, i + 1, q), 0);
            HH_ASSERT(q[0] == r[2] && q[1] == r[3] && q[6] == r[4] && q[7] == r[5]);
        }
    }
    double r[10];
    HH_ASSERT_EQ(hh_grid_cell_ring(&g, g.n, r), HH_EINVAL);
    HH_ASSERT_EQ(hh__grid_cell_ring_p(&g, p, g.n, r), HH_EINVAL);
    hh__grid_proj_close(p);
    hh_grid_free(&g);
    HH_ASSERT(!g.lon && !g.n);
    hh_grid_free(NULL);
}

HH_TEST(grid_rejects_bad_cells_boxes_and_too_many_cells)
{
    hh_grid g;
    memset(&g, 0x5a, sizeof g);
    hh_grid saved = g;
    char err[256];
    const double bad_cells[] = {9.99, 100001, 0, -250, NAN, INFINITY};
    for (size_t k = 0; k < sizeof bad_cells / sizeof *bad_cells; k++) {
        *err = 0;
        HH_ASSERT_EQ(hh__grid_make_bbox(poa_box[0], poa_box[1], poa_box[2], poa_box[3], bad_cells[k], &g, err,
                                        sizeof err),
                     HH_ERANGE);
        HH_ASSERT(strstr(err, "10 to 100000 m"));
    }
    /* the bounds themselves are fine, and a box of no size gets one cell */
    HH_ASSERT_EQ(hh__grid_make_bbox(poa_box[0], poa_box[1], poa_box[2], poa_box[3], 100000, &g, err, sizeof err), 0);
    HH_ASSERT_EQ(g.n, 1);
    hh_grid_free(&g);
    HH_ASSERT_EQ(hh__grid_make_bbox(-51.2, -30, -51.2, -30, 10, &g, err, sizeof err), 0);
    HH_ASSERT_EQ(g.n, 1);
    HH_ASSERT_NEAR(g.lon[0], -51.2, 1e-9);
    HH_ASSERT_NEAR(g.lat[0], -30, 1e-9);
    hh_grid_free(&g);
    /* a degree square in 10 m cells is about 9600 x 11100 cells */
    g = saved;
    HH_ASSERT_EQ(hh__grid_make_bbox(-51.5, -30.5, -50.5, -29.5, 10, &g, err, sizeof err), HH_ERANGE);
    HH_ASSERT(strstr(err, "2^26") && strstr(err, "cells of 10 m"));
    HH_ASSERT(!memcmp(&g, &saved, sizeof g));
    /* not boxes */
    const double bad_boxes[][4] = {{-51, -30, -52, -29}, {-51, -29, -50, -30}, {-181, 0, 0, 1},
                                   {0, -91, 1, 0},       {NAN, 0, 1, 1},       {0, 0, 1, INFINITY}};
    for (size_t k = 0; k < sizeof bad_boxes / sizeof *bad_boxes; k++) {
        const double *b = bad_boxes[k];
        HH_ASSERT_EQ(hh__grid_make_bbox(b[0], b[1], b[2], b[3], 250, &g, err, sizeof err), HH_EINVAL);
        HH_ASSERT(strstr(err, "not a lon/lat box"));
    }
    /* the whole world holds the projection's one singular point */
    HH_ASSERT_EQ(hh__grid_make_bbox(-180, -90, 180, 90, 100000, &g, err, sizeof err), HH_ERANGE);
    HH_ASSERT(strstr(err, "too large"));
    HH_ASSERT(!memcmp(&g, &saved, sizeof g));
    /* a PROJ string PROJ rejects */
    hh__grid_proj *p = NULL;
    HH_ASSERT_EQ(hh__grid_proj_open("+proj=nonsense", &p, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "+proj=nonsense") && !p);
}

HH_TEST(grid_make_covers_the_network)
{
    const char *path = hh_test_net_path("monaco");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    hh_grid g;
    char err[256];
    HH_ASSERT_EQ(hh_grid_make(net, 200, &g, err, sizeof err), 0);
    double r0[10], r1[10];
    HH_ASSERT_EQ(hh_grid_cell_ring(&g, 0, r0), 0);
    HH_ASSERT_EQ(hh_grid_cell_ring(&g, g.n - 1, r1), 0);
    /* the north-west corner is north-west of the box, the south-east one
     * south-east of it (the box's own corners are inside, as the grid
     * test above checks for its whole outline) */
    HH_ASSERT(r0[6] <= x0 && r0[7] >= y1);
    HH_ASSERT(r1[2] >= x1 && r1[3] <= y0);
    hh_grid want;
    HH_ASSERT_EQ(hh__grid_make_bbox(x0, y0, x1, y1, 200, &want, err, sizeof err), 0);
    HH_ASSERT_STR(g.proj, want.proj);
    HH_ASSERT(g.nx == want.nx && g.ny == want.ny && g.x0 == want.x0 && g.y1 == want.y1);
    hh_grid_free(&want);
    hh_grid_free(&g);
    hh_net_close(net);
}

HH_TEST(grid_wkt_is_the_laea_of_its_proj_string)
{
    hh_grid g;
    char err[256];
    HH_ASSERT_EQ(hh__grid_make_bbox(small_box[0], small_box[1], small_box[2], small_box[3], 400, &g, err, sizeof err),
                 0);
    char *wkt = NULL;
    HH_ASSERT_EQ(hh__grid_wkt(&g, &wkt, err, sizeof err), 0);
    HH_ASSERT(!strncmp(wkt, "PROJCRS[", 8) && strstr(wkt, "Lambert Azimuthal Equal Area"));
    HH_ASSERT(strstr(wkt, "World Geodetic System 1984") && !strchr(wkt, '\n'));
    HH_ASSERT(strstr(wkt, "-30.045") && strstr(wkt, "-51.195"));
    free(wkt);
    hh_grid_free(&g);
}
