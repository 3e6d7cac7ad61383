/* test_table.c: equal-area grids (hh_grid_*, io/grid.h) and tables of
 * values per origin written as CSV, GeoJSON, GeoPackage and GeoTIFF
 * (hh_table_write).  Every file is read back independently: CSV as exact
 * text, the others through GDAL's own readers (GeoJSON, GPKG and GTiff
 * drivers), the grid's areas with PROJ's geodesic polygon area.  The grids
 * are made from a lon/lat box, so only one test needs a network. */
#include <dirent.h>
#include <geodesic.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hhtest.h"
#include "io/gdal.h"
#include "io/grid.h"
#include "testalloc.h"
#include "testnet.h"

/* Porto Alegre's centre: 0.15 x 0.15 degrees, about 14.5 x 16.6 km */
static const double poa_box[4] = {-51.25, -30.10, -51.10, -29.95};
/* a 0.01-degree square there: 3 x 3 cells of 400 m */
static const double small_box[4] = {-51.20, -30.05, -51.19, -30.04};
/* every format, with a file name for it */
static const hh_table_format all_formats[4] = {HH_TABLE_CSV, HH_TABLE_GEOJSON, HH_TABLE_GPKG, HH_TABLE_GTIFF};
static const char *const all_names[4] = {"x.csv", "x.geojson", "x.gpkg", "x.tif"};

/* A fresh folder under the run's temporary folder (a ring of 8 names). */
static const char *fresh_dir(void)
{
    static char dirs[8][512];
    static int k;
    char *d = dirs[k++ % 8];
    snprintf(d, sizeof dirs[0], "%s/table-XXXXXX", hh_test_tmpdir());
    return mkdtemp(d) ? d : NULL;
}

/* "<dir>/<name>" in a ring of 8 buffers. */
static const char *in_dir(const char *dir, const char *name)
{
    static char paths[8][600];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

/* The folder's entries, sorted and joined by spaces ("" when empty), in a
 * static buffer: what a write left behind. */
static const char *listing(const char *dir)
{
    static char out[1024];
    char names[32][256];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 32)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    *out = 0;
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", names[i]);
    return out;
}

/* A whole file as a string (malloc'd), or NULL. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, k;
    char *s = malloc(cap);
    while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) {
            char *t = realloc(s, cap *= 2);
            if (!t)
                free(s);
            s = t;
        }
    }
    fclose(f);
    if (s)
        s[n] = 0;
    return s;
}

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

/* ---- tables --------------------------------------------------------------- */

/* The grid test table's values: jobs = 10 i + 0.5 but none in cell 2,
 * schools = i but none in cell 4. */
static double cell_value(size_t i, size_t c)
{
    if (c == 0)
        return i == 2 ? NAN : 10.0 * (double)i + 0.5;
    return i == 4 ? NAN : (double)i;
}

/* A table over the small 3 x 3 grid (filled, not owning the grid). */
static int grid_table(hh_grid *g, hh_table *t)
{
    char err[256];
    if (hh__grid_make_bbox(small_box[0], small_box[1], small_box[2], small_box[3], 400, g, err, sizeof err))
        return -1;
    memset(t, 0, sizeof *t);
    t->n_rows = g->n, t->n_cols = 2, t->grid = g;
    t->col = malloc(2 * sizeof *t->col);
    t->v = malloc(g->n * 2 * sizeof *t->v);
    t->lon = malloc(g->n * sizeof *t->lon), t->lat = malloc(g->n * sizeof *t->lat);
    if (!t->col || !t->v || !t->lon || !t->lat)
        return -1;
    t->col[0] = strdup("jobs"), t->col[1] = strdup("schools");
    for (size_t i = 0; i < g->n; i++) {
        t->lon[i] = g->lon[i], t->lat[i] = g->lat[i];
        for (size_t c = 0; c < 2; c++)
            t->v[i * 2 + c] = cell_value(i, c);
    }
    return 0;
}

/* Three points with awkward ids and values. */
static int point_table(hh_table *t)
{
    static const char *const ids[] = {"a", "b,c", "say \"hi\""};
    static const double lon[] = {-51.2, -51.19, -51.123456789}, lat[] = {-30.05, -30.04, -30.0000001};
    const double v[] = {1, 2.5, NAN, -0.0, 1e20, 0.1 + 0.2, 123456789012.0, 1.0 / 3};
    memset(t, 0, sizeof *t);
    t->n_rows = 3, t->n_cols = 2;
    t->col = malloc(2 * sizeof *t->col), t->id = malloc(3 * sizeof *t->id);
    t->v = malloc(6 * sizeof *t->v);
    t->lon = malloc(3 * sizeof *t->lon), t->lat = malloc(3 * sizeof *t->lat);
    if (!t->col || !t->id || !t->v || !t->lon || !t->lat)
        return -1;
    t->col[0] = strdup("jobs"), t->col[1] = strdup("x,y");
    for (size_t i = 0; i < 3; i++)
        t->id[i] = strdup(ids[i]), t->lon[i] = lon[i], t->lat[i] = lat[i];
    memcpy(t->v, v, 6 * sizeof *v);
    return 0;
}

HH_TEST(table_format_of_suffixes)
{
    static const struct {
        const char *path;
        int rc;
        hh_table_format f;
    } cases[] = {{"a.csv", 0, HH_TABLE_CSV},     {"dir.x/A.GeoJSON", 0, HH_TABLE_GEOJSON},
                 {"b.json", 0, HH_TABLE_GEOJSON}, {"c.gpkg", 0, HH_TABLE_GPKG},
                 {"d.tif", 0, HH_TABLE_GTIFF},    {"e.TIFF", 0, HH_TABLE_GTIFF},
                 {"f.shp", HH_EINVAL, 0},         {"csv", HH_EINVAL, 0},
                 {".csv", HH_EINVAL, 0},          {"-", HH_EINVAL, 0},
                 {"", HH_EINVAL, 0},              {"g.csv.gz", HH_EINVAL, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        hh_table_format f = (hh_table_format)99;
        HH_ASSERT_EQ(hh_table_format_of(cases[k].path, &f), cases[k].rc);
        HH_ASSERT_EQ(f, cases[k].rc ? 99 : (int)cases[k].f);
    }
}

HH_TEST(table_csv_is_exact_text)
{
    hh_table t;
    HH_ASSERT_EQ(point_table(&t), 0);
    const char *dir = fresh_dir();
    HH_ASSERT(dir);
    char err[256];
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "p.csv"), NULL, err, sizeof err), 0);
    char *s = read_all(in_dir(dir, "p.csv"));
    HH_ASSERT(s);
    HH_ASSERT_STR(s, "id,lon,lat,jobs,\"x,y\"\n"
                     "a,-51.2000000,-30.0500000,1,2.5\n"
                     "\"b,c\",-51.1900000,-30.0400000,,0\n"
                     "\"say \"\"hi\"\"\",-51.1234568,-30.0000001,1e+20,0.3\n");
    free(s);
    /* whole numbers up to 1e15 in full, others with 10 digits, infinities */
    t.v[0] = 123456789012.0, t.v[1] = 1.0 / 3, t.v[2] = INFINITY, t.v[3] = -INFINITY;
    t.v[4] = 999999999999999.0, t.v[5] = -2.5e-7;
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "p.csv"), NULL, err, sizeof err), 0);
    s = read_all(in_dir(dir, "p.csv"));
    HH_ASSERT(s);
    HH_ASSERT_STR(s, "id,lon,lat,jobs,\"x,y\"\n"
                     "a,-51.2000000,-30.0500000,123456789012,0.3333333333\n"
                     "\"b,c\",-51.1900000,-30.0400000,inf,-inf\n"
                     "\"say \"\"hi\"\"\",-51.1234568,-30.0000001,999999999999999,-2.5e-07\n");
    free(s);
    HH_ASSERT_STR(listing(dir), "p.csv");
    hh_table_free(&t);
    HH_ASSERT(!t.col && !t.v && !t.n_rows);
    hh_table_free(NULL);

    /* a grid table: ids are the cell numbers, positions the centres */
    hh_grid g;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "g.csv"), NULL, err, sizeof err), 0);
    s = read_all(in_dir(dir, "g.csv"));
    HH_ASSERT(s);
    char want[256];
    snprintf(want, sizeof want, "id,lon,lat,jobs,schools\n0,%.7f,%.7f,0.5,0\n1,%.7f,%.7f,10.5,1\n2,%.7f,%.7f,,2\n",
             g.lon[0], g.lat[0], g.lon[1], g.lat[1], g.lon[2], g.lat[2]);
    HH_ASSERT(!strncmp(s, want, strlen(want)));
    snprintf(want, sizeof want, "\n4,%.7f,%.7f,40.5,\n", g.lon[4], g.lat[4]);
    HH_ASSERT(strstr(s, want));
    size_t lines = 0;
    for (const char *c = s; *c; c++)
        lines += *c == '\n';
    HH_ASSERT_EQ(lines, 1 + g.n);
    free(s);
    hh_table_free(&t);
    hh_grid_free(&g);
}

/* Opens a vector file with GDAL and returns its one layer (or the named). */
static GDALDatasetH open_vector(const char *path, const char *layer, OGRLayerH *l)
{
    if (hh__gdal_init(NULL, 0))
        return NULL;
    const char *const drivers[] = {"GeoJSON", "GPKG", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    *l = !ds ? NULL : layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    return ds;
}

/* The features of a grid table's file against the table: ids, values, NULL
 * for no value, each cell's polygon (ring equal to hh_grid_cell_ring's
 * within the 7 decimals of the text formats). */
static void check_grid_features(OGRLayerH l, const hh_grid *g, double tol)
{
    HH_ASSERT(l);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    HH_ASSERT_EQ(OGR_FD_GetFieldCount(defn), 3);
    HH_ASSERT_STR(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, 0)), "id");
    HH_ASSERT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 0)), OFTString);
    HH_ASSERT_STR(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, 1)), "jobs");
    HH_ASSERT_STR(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, 2)), "schools");
    HH_ASSERT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 1)), OFTReal);
    HH_ASSERT_EQ(OGR_L_GetFeatureCount(l, TRUE), g->n);
    OGR_L_ResetReading(l);
    size_t i = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l))) {
        char id[24];
        snprintf(id, sizeof id, "%zu", i);
        HH_ASSERT_STR(OGR_F_GetFieldAsString(f, 0), id);
        for (int c = 0; c < 2; c++) {
            double want = cell_value(i, (size_t)c);
            HH_ASSERT_EQ(OGR_F_IsFieldNull(f, c + 1), isnan(want));
            if (!isnan(want))
                HH_ASSERT_NEAR(OGR_F_GetFieldAsDouble(f, c + 1), want, 0);
        }
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        HH_ASSERT(geom && wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbPolygon);
        OGRGeometryH ring = OGR_G_GetGeometryRef(geom, 0);
        HH_ASSERT_EQ(OGR_G_GetPointCount(ring), 5);
        double r[10];
        HH_ASSERT_EQ(hh_grid_cell_ring(g, i, r), 0);
        for (int k = 0; k < 5; k++) {
            HH_ASSERT_NEAR(OGR_G_GetX(ring, k), r[2 * k], tol);
            HH_ASSERT_NEAR(OGR_G_GetY(ring, k), r[2 * k + 1], tol);
        }
        /* the cell's centre is inside its polygon */
        OGRGeometryH centre = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(centre, 0, g->lon[i], g->lat[i]);
        HH_ASSERT(OGR_G_Contains(geom, centre));
        OGR_G_DestroyGeometry(centre);
        OGR_F_Destroy(f);
        i++;
    }
    HH_ASSERT_EQ(i, g->n);
}

HH_TEST(table_geojson_reads_back)
{
    hh_grid g;
    hh_table t;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    const char *dir = fresh_dir();
    char err[256];
    const char *path = in_dir(dir, "g.geojson");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GEOJSON, path, NULL, err, sizeof err), 0);
    char *s = read_all(path);
    HH_ASSERT(s);
    const char *head = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\","
                       "\"properties\":{\"id\":\"0\",\"jobs\":0.5,\"schools\":0},"
                       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[";
    HH_ASSERT(!strncmp(s, head, strlen(head)));
    HH_ASSERT(!strcmp(s + strlen(s) - 5, "}\n]}\n"));
    HH_ASSERT(strstr(s, "{\"id\":\"2\",\"jobs\":null,\"schools\":2}"));
    free(s);
    OGRLayerH l;
    GDALDatasetH ds = open_vector(path, NULL, &l);
    HH_ASSERT(ds);
    check_grid_features(l, &g, 5.1e-8);
    GDALClose(ds);
    hh_table_free(&t);
    hh_grid_free(&g);

    /* points, with ids and names that need escaping */
    HH_ASSERT_EQ(point_table(&t), 0);
    t.v[5] = INFINITY;
    free(t.id[0]);
    t.id[0] = strdup("tab\there \\ \"q\"");
    path = in_dir(dir, "p.json");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GEOJSON, path, NULL, err, sizeof err), 0);
    s = read_all(path);
    HH_ASSERT(s && strstr(s, "{\"id\":\"tab\\u0009here \\\\ \\\"q\\\"\",\"jobs\":1,\"x,y\":2.5},"
                             "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-51.2000000,-30.0500000]}}"));
    HH_ASSERT(strstr(s, "\"jobs\":1e+20,\"x,y\":null}"));
    free(s);
    ds = open_vector(path, NULL, &l);
    HH_ASSERT(ds && l);
    HH_ASSERT_EQ(OGR_L_GetFeatureCount(l, TRUE), 3);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    HH_ASSERT(f);
    HH_ASSERT_STR(OGR_F_GetFieldAsString(f, 0), "tab\there \\ \"q\"");
    OGR_F_Destroy(f);
    OGR_L_SetNextByIndex(l, 2);
    f = OGR_L_GetNextFeature(l);
    HH_ASSERT(f);
    HH_ASSERT_STR(OGR_F_GetFieldAsString(f, 0), "say \"hi\"");
    HH_ASSERT(OGR_F_IsFieldNull(f, 2));
    OGRGeometryH pt = OGR_F_GetGeometryRef(f);
    HH_ASSERT_NEAR(OGR_G_GetX(pt, 0), -51.1234568, 1e-12);
    HH_ASSERT_NEAR(OGR_G_GetY(pt, 0), -30.0000001, 1e-12);
    OGR_F_Destroy(f);
    GDALClose(ds);
    HH_ASSERT_STR(listing(dir), "g.geojson p.json");
    hh_table_free(&t);
}

/* A table of no rows is a header, an empty collection, an empty layer. */
HH_TEST(table_of_no_rows)
{
    hh_table t;
    HH_ASSERT_EQ(point_table(&t), 0);
    t.n_rows = 0;
    const char *dir = fresh_dir();
    char err[256];
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "e.csv"), NULL, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GEOJSON, in_dir(dir, "e.geojson"), NULL, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, in_dir(dir, "e.gpkg"), NULL, err, sizeof err), 0);
    char *s = read_all(in_dir(dir, "e.csv"));
    HH_ASSERT(s);
    HH_ASSERT_STR(s, "id,lon,lat,jobs,\"x,y\"\n");
    free(s);
    s = read_all(in_dir(dir, "e.geojson"));
    HH_ASSERT(s);
    HH_ASSERT_STR(s, "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n");
    free(s);
    OGRLayerH l;
    GDALDatasetH ds = open_vector(in_dir(dir, "e.gpkg"), "access", &l);
    HH_ASSERT(ds && l);
    HH_ASSERT_EQ(OGR_L_GetFeatureCount(l, TRUE), 0);
    HH_ASSERT_EQ(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(l)), 3);
    GDALClose(ds);
    t.n_rows = 3;
    hh_table_free(&t);
}

HH_TEST(table_gpkg_reads_back)
{
    hh_grid g;
    hh_table t;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    const char *dir = fresh_dir();
    char err[256];
    const char *path = in_dir(dir, "g.gpkg");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, path, "cells", err, sizeof err), 0);
    OGRLayerH l;
    GDALDatasetH ds = open_vector(path, "cells", &l);
    HH_ASSERT(ds && l);
    HH_ASSERT_EQ(GDALDatasetGetLayerCount(ds), 1);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(l);
    HH_ASSERT(srs && !strcmp(OSRGetAuthorityName(srs, NULL), "EPSG") && !strcmp(OSRGetAuthorityCode(srs, NULL), "4326"));
    check_grid_features(l, &g, 1e-12);
    GDALClose(ds);
    /* the default layer name; points; a file there already is replaced */
    hh_table_free(&t);
    hh_grid_free(&g);
    HH_ASSERT_EQ(point_table(&t), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, path, NULL, err, sizeof err), 0);
    ds = open_vector(path, "access", &l);
    HH_ASSERT(ds && l);
    HH_ASSERT_EQ(GDALDatasetGetLayerCount(ds), 1);
    HH_ASSERT_EQ(OGR_L_GetFeatureCount(l, TRUE), 3);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    HH_ASSERT(f);
    HH_ASSERT_STR(OGR_F_GetFieldAsString(f, 0), "a");
    HH_ASSERT_STR(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(l), 2)), "x,y");
    OGRGeometryH pt = OGR_F_GetGeometryRef(f);
    HH_ASSERT(wkbFlatten(OGR_G_GetGeometryType(pt)) == wkbPoint);
    HH_ASSERT(OGR_G_GetX(pt, 0) == -51.2 && OGR_G_GetY(pt, 0) == -30.05);
    OGR_F_Destroy(f);
    f = OGR_L_GetNextFeature(l);
    HH_ASSERT(f && OGR_F_IsFieldNull(f, 1) && !OGR_F_IsFieldNull(f, 2));
    OGR_F_Destroy(f);
    GDALClose(ds);
    HH_ASSERT_STR(listing(dir), "g.gpkg");
    hh_table_free(&t);
}

HH_TEST(table_geotiff_reads_back)
{
    hh_grid g;
    hh_table t;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    HH_ASSERT(g.nx == 3 && g.ny == 3);
    const char *dir = fresh_dir();
    char err[256];
    const char *path = in_dir(dir, "g.tif");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, path, NULL, err, sizeof err), 0);
    HH_ASSERT(hh__gdal_init(NULL, 0) == 0);
    const char *const drivers[] = {"GTiff", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, NULL, NULL);
    HH_ASSERT(ds);
    HH_ASSERT_EQ(GDALGetRasterXSize(ds), 3);
    HH_ASSERT_EQ(GDALGetRasterYSize(ds), 3);
    HH_ASSERT_EQ(GDALGetRasterCount(ds), 2);
    double gt[6];
    HH_ASSERT_EQ(GDALGetGeoTransform(ds, gt), CE_None);
    HH_ASSERT(gt[0] == g.x0 && gt[1] == 400 && gt[2] == 0 && gt[3] == g.y1 && gt[4] == 0 && gt[5] == -400);
    for (int c = 0; c < 2; c++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, c + 1);
        HH_ASSERT_STR(GDALGetDescription(b), t.col[c]);
        HH_ASSERT_EQ(GDALGetRasterDataType(b), GDT_Float32);
        int has = 0;
        HH_ASSERT_NEAR(GDALGetRasterNoDataValue(b, &has), -9999, 0);
        HH_ASSERT(has);
        float px[9];
        HH_ASSERT_EQ(GDALRasterIO(b, GF_Read, 0, 0, 3, 3, px, 3, 3, GDT_Float32, 0, 0), CE_None);
        for (size_t i = 0; i < 9; i++) {
            double want = cell_value(i, (size_t)c);
            HH_ASSERT_NEAR(px[i], isnan(want) ? -9999 : want, 0);
        }
    }
    /* the CRS: a projected LAEA whose cell centres go back to the table's
     * lon/lat */
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    HH_ASSERT(srs && OSRIsProjected(srs));
    HH_ASSERT(!strncmp(OSRGetName(srs), "halfhour grid: Lambert azimuthal equal-area at lat -30.045", 58));
    HH_ASSERT_STR(OSRGetAttrValue(srs, "PROJECTION", 0), "Lambert_Azimuthal_Equal_Area");
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    HH_ASSERT_EQ(OSRImportFromEPSG(wgs, 4326), OGRERR_NONE);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(srs, wgs);
    HH_ASSERT(ct);
    for (size_t i = 0; i < 9; i++) {
        double x = gt[0] + (i % 3 + 0.5) * gt[1], y = gt[3] + (i / 3 + 0.5) * gt[5];
        HH_ASSERT(OCTTransform(ct, 1, &x, &y, NULL));
        HH_ASSERT_NEAR(x, t.lon[i], 1e-6);
        HH_ASSERT_NEAR(y, t.lat[i], 1e-6);
    }
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    GDALClose(ds);
    HH_ASSERT_STR(listing(dir), "g.tif");
    hh_table_free(&t);
    hh_grid_free(&g);
}

/* Misuse and unwritable places: an error naming the file, and nothing left
 * where the file would have gone (nor any temporary file or folder). */
HH_TEST(table_write_errors_leave_nothing)
{
    hh_table t;
    HH_ASSERT_EQ(point_table(&t), 0);
    const char *dir = fresh_dir();
    char err[256];
    const char *tif = in_dir(dir, "p.tif");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, tif, NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "p.tif") && strstr(err, "grid"));
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, "-", NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "standard output"));
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, NULL, NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT_EQ(hh_table_write(&t, (hh_table_format)7, in_dir(dir, "p.x"), NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, in_dir(dir, "p.gpkg"), "", err, sizeof err), HH_EINVAL);
    /* column names every format can hold */
    const char *bad_names[] = {"ID", "lat", "fid", "Geom", "", "JOBS"};
    for (size_t k = 0; k < sizeof bad_names / sizeof *bad_names; k++) {
        char *keep = t.col[1];
        t.col[1] = (char *)bad_names[k];
        int rc = hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "p.csv"), NULL, err, sizeof err);
        t.col[1] = keep;
        HH_ASSERT_EQ(rc, HH_EINVAL);
        HH_ASSERT(strstr(err, "p.csv") && strstr(err, "column"));
    }
    t.lat[1] = NAN;
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_CSV, in_dir(dir, "p.csv"), NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "row 1"));
    t.lat[1] = -30.04;
    HH_ASSERT_STR(listing(dir), "");

    /* a grid whose cell count is not the table's */
    hh_grid g;
    hh_table gt;
    HH_ASSERT_EQ(grid_table(&g, &gt), 0);
    gt.n_rows--;
    HH_ASSERT_EQ(hh_table_write(&gt, HH_TABLE_GTIFF, tif, NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "8 rows for a grid of 9 cells"));
    gt.n_rows++;
    /* a raster of no bands */
    gt.n_cols = 0;
    HH_ASSERT_EQ(hh_table_write(&gt, HH_TABLE_GTIFF, tif, NULL, err, sizeof err), HH_EINVAL);
    HH_ASSERT(strstr(err, "at least one column"));
    gt.n_cols = 2;

    /* a folder that is not there, or that cannot be written */
    char ro[600];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    HH_ASSERT_EQ(mkdir(ro, 0500), 0);
    for (int k = 0; k < 4; k++) {
        char p[700];
        snprintf(p, sizeof p, "%s/none/%s", dir, all_names[k]);
        HH_ASSERT_EQ(hh_table_write(&gt, all_formats[k], p, NULL, err, sizeof err), HH_EIO);
        HH_ASSERT(strstr(err, p));
        if (geteuid() != 0) { /* root writes anywhere */
            snprintf(p, sizeof p, "%s/%s", ro, all_names[k]);
            HH_ASSERT_EQ(hh_table_write(&gt, all_formats[k], p, NULL, err, sizeof err), HH_EIO);
            HH_ASSERT(strstr(err, p));
        }
        /* a folder in the way */
        HH_ASSERT_EQ(hh_table_write(&gt, all_formats[k], ro, NULL, err, sizeof err), HH_EIO);
    }
    HH_ASSERT_STR(listing(ro), "");
    HH_ASSERT_STR(listing(dir), "ro");
    chmod(ro, 0700);
    hh_table_free(&gt);
    hh_grid_free(&g);
    hh_table_free(&t);
}

/* GDAL's files go through hh_out: a FIFO gets the bytes, a symlink keeps
 * pointing at the new file, a full disk or device leaves the old file and
 * no temporary folder (GDAL's, in $TMPDIR when the target is not a regular
 * file, is checked in a TMPDIR of our own). */
HH_TEST(table_gdal_files_through_fifos_links_and_full_disks)
{
    hh_grid g;
    hh_table t;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    const char *dir = fresh_dir(), *tmp = fresh_dir();
    char err[256];
    const char *old_tmpdir = getenv("TMPDIR");
    char *saved_tmpdir = old_tmpdir ? strdup(old_tmpdir) : NULL;
    setenv("TMPDIR", tmp, 1);

    /* a symlink to a file not there yet, then to the file */
    HH_ASSERT_EQ(symlink("real.tif", in_dir(dir, "link.tif")), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, in_dir(dir, "link.tif"), NULL, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, in_dir(dir, "link.tif"), NULL, err, sizeof err), 0);
    struct stat st;
    HH_ASSERT(lstat(in_dir(dir, "link.tif"), &st) == 0 && S_ISLNK(st.st_mode));
    HH_ASSERT(hh__gdal_init(NULL, 0) == 0);
    GDALDatasetH ds = GDALOpen(in_dir(dir, "real.tif"), GA_ReadOnly);
    HH_ASSERT(ds && GDALGetRasterCount(ds) == 2);
    GDALClose(ds);

    /* a FIFO, read by cat into got.gpkg */
    const char *fifo = in_dir(dir, "fifo.gpkg"), *got = in_dir(dir, "got.gpkg");
    HH_ASSERT_EQ(mkfifo(fifo, 0600), 0);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cat '%s' > '%s'", fifo, got);
    fflush(NULL);
    FILE *reader = popen(cmd, "r");
    HH_ASSERT(reader);
    int rc = hh_table_write(&t, HH_TABLE_GPKG, fifo, NULL, err, sizeof err);
    int status = pclose(reader);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    HH_ASSERT(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    OGRLayerH l;
    ds = open_vector(got, "access", &l);
    HH_ASSERT(ds);
    check_grid_features(l, &g, 1e-12);
    GDALClose(ds);
    HH_ASSERT_STR(listing(tmp), "");

    /* a device that takes no bytes */
    if (!access("/dev/full", W_OK)) {
        HH_ASSERT_EQ(symlink("/dev/full", in_dir(dir, "full.tif")), 0);
        HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GTIFF, in_dir(dir, "full.tif"), NULL, err, sizeof err), HH_EIO);
        HH_ASSERT(strstr(err, "full.tif"));
        HH_ASSERT(lstat(in_dir(dir, "full.tif"), &st) == 0 && S_ISLNK(st.st_mode));
        HH_ASSERT_STR(listing(tmp), "");
        unlink(in_dir(dir, "full.tif"));
    }

    /* a full disk while GDAL writes (a file size limit, as in test_io.c):
     * the old GeoPackage stays */
    const char *gpkg = in_dir(dir, "g.gpkg");
    HH_ASSERT_EQ(hh_table_write(&t, HH_TABLE_GPKG, gpkg, NULL, err, sizeof err), 0);
    struct stat before;
    HH_ASSERT_EQ(stat(gpkg, &before), 0);
    struct rlimit saved, r;
    HH_ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    r = saved;
    r.rlim_cur = 20000;
    HH_ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
    *err = 0;
    rc = hh_table_write(&t, HH_TABLE_GPKG, gpkg, NULL, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_sig);
    HH_ASSERT_EQ(rc, HH_EIO);
    HH_ASSERT(strstr(err, "cannot write") && strstr(err, "g.gpkg") && !strchr(err, '\n'));
    HH_ASSERT(stat(gpkg, &st) == 0 && st.st_size == before.st_size && st.st_mtime == before.st_mtime);
    HH_ASSERT_STR(listing(dir), "fifo.gpkg g.gpkg got.gpkg link.tif real.tif");
    HH_ASSERT_STR(listing(tmp), "");

    if (saved_tmpdir)
        setenv("TMPDIR", saved_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    free(saved_tmpdir);
    hh_table_free(&t);
    hh_grid_free(&g);
}

/* Every allocation of a grid and of each writer fails in turn: HH_ENOMEM,
 * no file, no leak (LeakSanitizer in the sanitizer run); then success. */
HH_TEST(table_and_grid_out_of_memory)
{
    hh_grid g;
    hh_table t;
    HH_ASSERT_EQ(grid_table(&g, &t), 0);
    const char *dir = fresh_dir();
    char err[256];
    for (int f = -1; f < 4; f++) {
        int ok = 0;
        long k;
        for (k = 0; k < 100 && !ok; k++) {
            hh_grid g2;
            hh_test_alloc_fail_from(k);
            int rc = f < 0 ? hh__grid_make_bbox(small_box[0], small_box[1], small_box[2], small_box[3], 400, &g2, err,
                                                sizeof err)
                           : hh_table_write(&t, all_formats[f], in_dir(dir, all_names[f]), NULL, err, sizeof err);
            hh_test_alloc_restore();
            if (rc == 0) {
                ok = 1;
                if (f < 0)
                    hh_grid_free(&g2);
                break;
            }
            HH_ASSERT_EQ(rc, HH_ENOMEM);
            HH_ASSERT(strstr(err, "out of memory"));
            HH_ASSERT_STR(listing(dir), "");
        }
        HH_ASSERT(ok && k > 0);
        if (f >= 0) {
            HH_ASSERT_STR(listing(dir), all_names[f]);
            unlink(in_dir(dir, all_names[f]));
        }
    }
    hh_table_free(&t);
    hh_grid_free(&g);
}
