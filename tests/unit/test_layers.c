/* test_layers.c: opportunity layers (hh_layers_read, _append, _find, _free)
 * from CSV (the Porto Alegre hexagons, checked against an independent sum,
 * and small files for each rule), GeoJSON written here (points, a
 * MultiPoint, polygons whose lattice shares are computed by hand) and the
 * Changsha-Zhuzhou-Xiangtan districts, and GeoTIFFs made here with GDAL in
 * EPSG:4326, in UTM 22S and without CRS. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include "halfhour.h"
#include "hhtest.h"
#include "testalloc.h"
#include "testnet.h"

static const char *tmp_file(const char *name, const char *text)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", hh_test_tmpdir(), name);
    if (text) {
        FILE *f = fopen(p, "wb");
        if (!f)
            return NULL;
        fputs(text, f);
        if (fclose(f))
            return NULL;
    }
    return p;
}

static double layer_sum(const hh_layers *l, int k)
{
    double s = 0;
    for (size_t i = 0; i < l->n; i++)
        s += l->value[i * l->n_layers + (size_t)k];
    return s;
}

/* hh_layers_read that must succeed: 1, or 0 having printed the message. */
static int read_ok(const char *path, const hh_layers_opts *o, hh_layers *l)
{
    char err[256] = "";
    int rc = hh_layers_read(path, o, l, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s: %d %s\n", path, rc, err);
    return rc == 0;
}

/* Inputs that must fail: the code, and a message naming the file and saying msg. */
typedef struct bad_case {
    const char *text;
    int rc;
    const char *msg;
} bad_case;

static int check_bad(const char *name, const bad_case *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hh_layers l;
        memset(&l, 0x5a, sizeof l);
        char err[256] = "";
        int rc = hh_layers_read(tmp_file(name, bad[i].text), NULL, &l, err, sizeof err);
        if (rc != bad[i].rc || !strstr(err, bad[i].msg) || !strstr(err, name) ||
            l.n != (size_t)0x5a5a5a5a5a5a5a5aULL) {
            fprintf(stderr, "  %s case %zu: rc %d, \"%s\"\n", name, i, rc, err);
            return 0;
        }
    }
    return 1;
}

/* ---- CSV -------------------------------------------------------------- */

HH_TEST(layers_csv_poa_hexgrid_totals)
{
    const char *path = hh_test_data("poa/poa_hexgrid.csv");
    FILE *f = fopen(path, "r");
    if (!f)
        HH_SKIP_DATA("%s not found", path);
    /* independent totals: split each line at commas, strtod columns 3..6 */
    double want[4] = {0};
    long blanks[4] = {0}, rows = 0;
    char line[512];
    HH_ASSERT(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *tok;
        int col = 0;
        rows++;
        line[strcspn(line, "\r\n")] = 0;
        /* strsep keeps empty fields */
        char *s = line;
        (void)save;
        while ((tok = strsep(&s, ",")) && col < 7) {
            if (col >= 3) {
                if (!*tok)
                    blanks[col - 3]++;
                else
                    want[col - 3] += strtod(tok, NULL);
            }
            col++;
        }
    }
    fclose(f);
    HH_ASSERT_EQ(rows, 1227);
    hh_layers l;
    HH_ASSERT(read_ok(path, NULL, &l));
    HH_ASSERT_EQ(l.n, 1227);
    HH_ASSERT_EQ(l.n_layers, 4);
    static const char *names[] = {"population", "schools", "jobs", "healthcare"};
    for (int k = 0; k < 4; k++) {
        HH_ASSERT_EQ(hh_layers_find(&l, names[k]), k);
        HH_ASSERT_NEAR(layer_sum(&l, k), want[k], 1e-6);
        HH_ASSERT_EQ(l.n_blank[k], blanks[k]);
    }
    HH_ASSERT_NEAR(want[0], 812935, 0.5); /* SOURCES.md's totals */
    HH_ASSERT_NEAR(want[2], 337921, 0.5);
    HH_ASSERT(l.skipped == NULL);
    HH_ASSERT_NEAR(l.lon[0], -51.1582459466033, 1e-12);
    HH_ASSERT_NEAR(l.lat[0], -30.0538460280879, 1e-12);
    HH_ASSERT_EQ(hh_layers_find(&l, "id"), -1);
    hh_layers_free(&l);
    hh_layers_free(&l); /* a freed set is empty, freeing it again is fine */
    hh_layers_free(NULL);
}

HH_TEST(layers_csv_columns_text_blanks_and_errors)
{
    /* BOM, CRLF, quotes, upper-case names, an unnamed column, a text column
     * and a column that is numeric but for one cell */
    const char *p = tmp_file("rules.csv", "\xEF\xBB\xBF"
                                          "ID,LNG,Latitude,name,jobs,,\"beds\",mixed\r\n"
                                          "a,-51.1,-30.1,Centro,10,7,\"1.5\",3\r\n"
                                          "b,-51.2,-30.2,\"Sul, Zona\",,8, 2 ,n/a\r\n"
                                          "c,-51.3,-30.3,,0.25,9,,4\r\n");
    HH_ASSERT(p);
    hh_layers l;
    char err[256] = "";
    HH_ASSERT(read_ok(p, NULL, &l));
    HH_ASSERT_EQ(l.n, 3);
    HH_ASSERT_EQ(l.n_layers, 2);
    HH_ASSERT_STR(l.name[0], "jobs");
    HH_ASSERT_STR(l.name[1], "beds");
    HH_ASSERT_NEAR(l.value[0 * 2 + 0], 10, 0);
    HH_ASSERT_NEAR(l.value[1 * 2 + 0], 0, 0);
    HH_ASSERT_NEAR(l.value[2 * 2 + 0], 0.25, 0);
    HH_ASSERT_NEAR(l.value[0 * 2 + 1], 1.5, 0);
    HH_ASSERT_NEAR(l.value[1 * 2 + 1], 2, 0);
    HH_ASSERT_EQ(l.n_blank[0], 1);
    HH_ASSERT_EQ(l.n_blank[1], 1);
    HH_ASSERT_NEAR(l.lon[2], -51.3, 0);
    HH_ASSERT_NEAR(l.lat[1], -30.2, 0);
    HH_ASSERT(l.skipped);
    HH_ASSERT(strstr(l.skipped, "unnamed column 6"));
    HH_ASSERT(strstr(l.skipped, "name (line 2: \"Centro\")"));
    HH_ASSERT(strstr(l.skipped, "mixed (line 3: \"n/a\")"));
    hh_layers_free(&l);

    /* errors name the file, the line and the column */
    static const bad_case bad[] = {
        {"lon,lat,jobs\n1,2,3\n1,2,-4\n", HH_EFORMAT, "line 3 column \"jobs\": \"-4\" is negative"},
        {"lon,lat,jobs\n1,2,inf\n", HH_EFORMAT, "line 2 column \"jobs\": \"inf\" is not a finite number"},
        {"lon,lat,jobs\n1,2,1e999\n", HH_EFORMAT, "is not a finite number"},
        {"lon,lat,name\n1,2,x\n", HH_EEMPTY, "no numeric column besides lon/lat (text: name (line 2: \"x\"))"},
        {"id,lon,lat\n1,2,3\n", HH_EEMPTY, "no numeric column"},
        {"lon,lat,jobs\n", HH_EEMPTY, "no data rows"},
        {"", HH_EEMPTY, "empty file"},
        {"lon,lat,jobs,jobs\n1,2,3,4\n", HH_EFORMAT, "two layers are called \"jobs\""},
        {"lon,lat,jobs\n181,2,3\n", HH_EFORMAT, "line 2: longitude \"181\" is out of range"},
        {"x,jobs\n1,2\n", HH_EFORMAT, "no latitude column"},
        {"lon,lat,jobs\n1,2,\"3\n", HH_EFORMAT, "line 2: unterminated quoted field"},
    };
    HH_ASSERT(check_bad("bad.csv", bad, sizeof bad / sizeof *bad));
    HH_ASSERT_EQ(hh_layers_read(tmp_file("missing.csv", NULL), NULL, &l, err, sizeof err), HH_EIO);
    HH_ASSERT(strstr(err, "missing.csv: No such file"));
    HH_ASSERT_EQ(hh_layers_read(tmp_file("missing.tif", NULL), NULL, &l, err, sizeof err), HH_EIO);
    HH_ASSERT(strstr(err, "missing.tif: No such file"));
    HH_ASSERT_EQ(hh_layers_read(tmp_file("missing.GeoJSON", NULL), NULL, &l, err, sizeof err), HH_EIO);
}

/* hh_points_read now reads through the shared points-CSV reader: the same
 * points and the same messages as before. */
HH_TEST(layers_points_read_keeps_its_rules)
{
    hh_points p;
    char err[256];
    HH_ASSERT_EQ(hh_points_read(tmp_file("pts.csv", "\xEF\xBB\xBFlat,lon,id\r\n1.5,2.5,a\r\n\"3\",4,b\r\n"), &p,
                                err, sizeof err),
                 0);
    HH_ASSERT_EQ(p.n, 2);
    HH_ASSERT_STR(p.id[1], "b");
    HH_ASSERT_NEAR(p.lon[0], 2.5, 0);
    HH_ASSERT_NEAR(p.lat[1], 3, 0);
    hh_points_free(&p);
    HH_ASSERT_EQ(hh_points_read(tmp_file("pts.csv", "lon,lat\n1,2\n1,x\n"), &p, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "pts.csv line 3: latitude \"x\" is not a number"));
    HH_ASSERT_EQ(hh_points_read(tmp_file("pts.csv", "id,lon,lat\na,1,2\na,1,2\n"), &p, err, sizeof err),
                 HH_EFORMAT);
    HH_ASSERT(strstr(err, "duplicate id \"a\""));
    HH_ASSERT_EQ(hh_points_read(tmp_file("pts.csv", "id,lon\n"), &p, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "no latitude column in the header (looked for lat, latitude, y)"));
    HH_ASSERT_EQ(hh_points_read(tmp_file("pts.csv", "id,lon,lat\n"), &p, err, sizeof err), HH_EEMPTY);
    HH_ASSERT(strstr(err, "no data rows"));
}

/* ---- GeoJSON ---------------------------------------------------------- */

#define FEAT(props, geom) "{\"type\":\"Feature\",\"properties\":{" props "},\"geometry\":" geom "}"

HH_TEST(layers_geojson_points_and_lattice_shares)
{
    /* a rectangle 0.03 x 0.01 degrees centred on (0.5, 0.005) holding 100
     * jobs and 10 beds: its equal-area projection is centred on it, so a
     * 1000 m lattice cuts x = +-W/2 (W = 0.03 deg = 3339.58 m) at -1000, 0,
     * 1000 and y = +-552.9 m at 0: 8 pieces, those at the ends of
     * (W/2 - 1000) / W = 0.20056 of the width, the middle ones 0.29944,
     * each half the height */
    const char *gj =
        "{\"type\":\"FeatureCollection\",\"features\":["
        FEAT("\"name\":\"a\",\"jobs\":5,\"beds\":null,\"id\":7,\"open\":true",
             "{\"type\":\"Point\",\"coordinates\":[10,50]}") ","
        FEAT("\"jobs\":4,\"beds\":2", "{\"type\":\"MultiPoint\",\"coordinates\":[[11,50],[12,50]]}") ","
        FEAT("\"jobs\":100,\"beds\":10",
             "{\"type\":\"Polygon\",\"coordinates\":[[[0.485,0],[0.515,0],[0.515,0.01],[0.485,0.01],[0.485,0]]]}") ","
        FEAT("\"jobs\":3", "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}") ","
        FEAT("\"jobs\":3", "null") ","
        FEAT("\"jobs\":0,\"beds\":0",
             "{\"type\":\"Polygon\",\"coordinates\":[[[5,5],[6,5],[6,6],[5,5]]]}")
        "]}";
    const char *p = tmp_file("shares.geojson", gj);
    HH_ASSERT(p);
    hh_layers l;
    hh_layers_opts o = {HH_POLY_AREA, 1000, NULL};
    HH_ASSERT(read_ok(p, &o, &l));
    HH_ASSERT_EQ(l.n_layers, 2); /* id, open (boolean) and name are not layers */
    int jobs = hh_layers_find(&l, "jobs"), beds = hh_layers_find(&l, "beds");
    HH_ASSERT(jobs >= 0 && beds >= 0);
    HH_ASSERT_EQ(l.n, 1 + 2 + 8); /* the all-zero triangle makes no point */
    HH_ASSERT_NEAR(l.value[0 * 2 + jobs], 5, 0);
    HH_ASSERT_NEAR(l.value[0 * 2 + beds], 0, 0);
    HH_ASSERT_EQ(l.n_blank[beds], 1);
    HH_ASSERT_EQ(l.n_blank[jobs], 0);
    HH_ASSERT_NEAR(l.value[1 * 2 + jobs], 2, 0); /* the MultiPoint's 4, halved */
    HH_ASSERT_NEAR(l.value[2 * 2 + beds], 1, 0);
    HH_ASSERT_NEAR(l.lon[2], 12, 0);
    double W = 0.03 * 6378137.0 * M_PI / 180, edge = (W / 2 - 1000) / W, mid = 0.5 - edge;
    int n_edge = 0, n_mid = 0;
    double sum = 0, sumb = 0;
    for (size_t i = 3; i < l.n; i++) {
        double v = l.value[i * 2 + jobs];
        sum += v, sumb += l.value[i * 2 + beds];
        HH_ASSERT(l.lon[i] > 0.485 && l.lon[i] < 0.515 && l.lat[i] > 0 && l.lat[i] < 0.01);
        HH_ASSERT_NEAR(l.value[i * 2 + beds], v / 10, 1e-12);
        if (fabs(v - 100 * edge / 2) < 0.01)
            n_edge++;
        else if (fabs(v - 100 * mid / 2) < 0.01)
            n_mid++;
        else
            fprintf(stderr, "  piece %zu: %.6f (edge %.6f, middle %.6f)\n", i, v, 100 * edge / 2, 100 * mid / 2);
        /* the piece's centroid: x in its lattice column, y a quarter height off the middle */
        HH_ASSERT_NEAR(fabs(l.lat[i] - 0.005), 0.0025, 1e-5);
    }
    HH_ASSERT_EQ(n_edge, 4);
    HH_ASSERT_EQ(n_mid, 4);
    HH_ASSERT_NEAR(sum, 100, 1e-12);
    HH_ASSERT_NEAR(sumb, 10, 1e-13);
    HH_ASSERT(l.skipped && strstr(l.skipped, "2 features without a point or polygon geometry (first: feature 4)"));
    hh_layers_free(&l);

    /* the centroid rule: one point per polygon with the whole value */
    o.polygons = HH_POLY_CENTROID;
    HH_ASSERT(read_ok(p, &o, &l));
    HH_ASSERT_EQ(l.n, 1 + 2 + 1);
    HH_ASSERT_NEAR(l.lon[3], 0.5, 1e-9);
    HH_ASSERT_NEAR(l.lat[3], 0.005, 1e-9);
    HH_ASSERT_NEAR(l.value[3 * 2 + jobs], 100, 0);
    hh_layers_free(&l);
}

HH_TEST(layers_geojson_multipolygon_shares_and_surface_point)
{
    /* a MultiPolygon of a 0.01 and a 0.02 degree square far apart: the
     * smaller gets 1/5 of the value (1/4 of the other's area), at a 5 km
     * lattice whatever cuts it; then a U whose centroid is in its notch */
    const char *gj =
        "{\"type\":\"FeatureCollection\",\"features\":["
        FEAT("\"pop\":1000", "{\"type\":\"MultiPolygon\",\"coordinates\":["
                             "[[[20,10],[20.01,10],[20.01,10.01],[20,10.01],[20,10]]],"
                             "[[[21,10],[21.02,10],[21.02,10.02],[21,10.02],[21,10]]]]}") ","
        FEAT("\"pop\":60", "{\"type\":\"Polygon\",\"coordinates\":[[[30,0],[30.03,0],[30.03,0.03],[30.02,0.03],"
                           "[30.02,0.005],[30.01,0.005],[30.01,0.03],[30,0.03],[30,0]]]}")
        "]}";
    const char *p = tmp_file("multi.geojson", gj);
    hh_layers l;
    hh_layers_opts o = {HH_POLY_AREA, 5000, NULL};
    HH_ASSERT(read_ok(p, &o, &l));
    double small = 0, big = 0, u = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (l.lon[i] < 20.5)
            small += l.value[i];
        else if (l.lon[i] < 25)
            big += l.value[i];
        else
            u += l.value[i];
    }
    HH_ASSERT_NEAR(small, 200, 0.2); /* areas at 10 N differ by < 0.1 % */
    HH_ASSERT_NEAR(small + big, 1000, 1e-10);
    HH_ASSERT_NEAR(u, 60, 1e-12);
    hh_layers_free(&l);
    o.polygons = HH_POLY_CENTROID;
    HH_ASSERT(read_ok(p, &o, &l));
    HH_ASSERT_EQ(l.n, 2);
    /* the U: the centroid (30.015, ~0.012) is in the notch, the point must not be */
    HH_ASSERT(l.lon[1] > 30 && l.lon[1] < 30.03 && l.lat[1] > 0 && l.lat[1] < 0.03);
    HH_ASSERT(!(l.lon[1] > 30.01 && l.lon[1] < 30.02 && l.lat[1] > 0.005));
    hh_layers_free(&l);

    /* errors */
    static const bad_case bad[] = {
        {"{\"type\":\"FeatureCollection\",\"features\":[" FEAT("\"pop\":1", "{\"type\":\"Point\",\"coordinates\":[1,2]}")
         "," FEAT("\"pop\":-1", "{\"type\":\"Point\",\"coordinates\":[1,2]}") "]}",
         HH_EFORMAT, "feature 2 property \"pop\": -1 is negative"},
        {"{\"type\":\"FeatureCollection\",\"features\":[" FEAT("\"name\":\"x\"", "{\"type\":\"Point\",\"coordinates\":[1,2]}") "]}",
         HH_EEMPTY, "no numeric property"},
        {"{\"type\":\"FeatureCollection\",\"features\":[" FEAT("\"pop\":1", "{\"type\":\"Point\",\"coordinates\":[500000,2]}") "]}",
         HH_EFORMAT, "feature 1: coordinates are not lon/lat"},
        {"{\"type\":\"FeatureCollection\",\"features\":[" FEAT("\"pop\":1", "{\"type\":\"LineString\",\"coordinates\":[[1,2],[2,2]]}") "]}",
         HH_EEMPTY, "no point or polygon with a value in 1 feature"},
        {"this is not json", HH_EFORMAT, "not a vector file GDAL reads"},
    };
    HH_ASSERT(check_bad("bad.json", bad, sizeof bad / sizeof *bad));
}

/* The district boundaries (most polygons invalid: self-touching rings) have
 * one integer property, childNum: every file reads, by both rules, and the
 * area-weighted points keep each file's total. */
HH_TEST(layers_geojson_changzhutan_districts)
{
    static const char *files[] = {"hu2_nan2_chang2_sha1", "hu2_nan2_zhu1_zhou1", "hu2_nan2_xiang1_tan2"};
    for (size_t fi = 0; fi < 3; fi++) {
        char rel[128];
        snprintf(rel, sizeof rel, "changzhutan/%s.geojson", files[fi]);
        const char *path = hh_test_data(rel);
        FILE *f = fopen(path, "rb");
        if (!f)
            HH_SKIP_DATA("%s not found", path);
        /* independent total: every "childNum": in the text */
        static char text[1 << 20];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = 0;
        double want = 0;
        int n_feat = 0;
        for (const char *s = text; (s = strstr(s, "\"childNum\":")); s++)
            want += strtod(s + 11, NULL), n_feat++;
        HH_ASSERT(n_feat >= 5);
        hh_layers l;
        hh_layers_opts o = {HH_POLY_CENTROID, 0, NULL};
        HH_ASSERT(read_ok(path, &o, &l));
        HH_ASSERT_EQ(l.n_layers, 1);
        HH_ASSERT_STR(l.name[0], "childNum");
        HH_ASSERT_EQ(l.n, n_feat);
        HH_ASSERT_NEAR(layer_sum(&l, 0), want, 0);
        hh_layers_free(&l);
        o.polygons = HH_POLY_AREA;
        o.sample_m = 1000;
        HH_ASSERT(read_ok(path, &o, &l));
        HH_ASSERT(l.n > (size_t)n_feat * 100); /* districts of hundreds of km2 */
        HH_ASSERT_NEAR(layer_sum(&l, 0), want, 1e-9 * want);
        for (size_t i = 0; i < l.n; i++)
            HH_ASSERT(l.lon[i] > 111 && l.lon[i] < 115 && l.lat[i] > 26 && l.lat[i] < 29.5);
        HH_ASSERT(l.skipped == NULL);
        hh_layers_free(&l);
    }
}

/* ---- rasters ---------------------------------------------------------- */

/* A w x h Float32 GeoTIFF of nb bands (vals band-major, row-major), with
 * geotransform gt, CRS epsg (0: none), nodata (NAN: none). */
static const char *make_tif(const char *name, int w, int h, int nb, const float *vals, const double gt[6],
                            int epsg, double nodata, const char *desc2)
{
    GDALAllRegister();
    const char *path = tmp_file(name, NULL);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, w, h, nb, GDT_Float32, NULL);
    if (!ds)
        return NULL;
    GDALSetGeoTransform(ds, (double *)gt);
    if (epsg) {
        OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(s, epsg);
        GDALSetSpatialRef(ds, s);
        OSRRelease(s);
    }
    for (int k = 0; k < nb; k++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, k + 1);
        if (!isnan(nodata))
            GDALSetRasterNoDataValue(b, nodata);
        if (k == 1 && desc2)
            GDALSetDescription(b, desc2);
        if (GDALRasterIO(b, GF_Write, 0, 0, w, h, (void *)(vals + (size_t)k * w * h), w, h, GDT_Float32, 0, 0))
            return NULL;
    }
    GDALClose(ds);
    return path;
}

HH_TEST(layers_raster_wgs84_cells_nodata_and_bands)
{
    /* 3 x 2 cells of 0.01 degree from (-51.2, -30.0) down */
    const double gt[6] = {-51.2, 0.01, 0, -30.0, 0, -0.01};
    const float v1[6] = {1, 0, -9999, 2.5f, NAN, 4};
    const char *p = make_tif("pop.tif", 3, 2, 1, v1, gt, 4326, -9999, NULL);
    HH_ASSERT(p);
    hh_layers l;
    char err[256] = "";
    HH_ASSERT(read_ok(p, NULL, &l));
    HH_ASSERT_EQ(l.n_layers, 1);
    HH_ASSERT_STR(l.name[0], "pop");
    HH_ASSERT_EQ(l.n, 3); /* 0, nodata and NaN dropped */
    HH_ASSERT_NEAR(l.lon[0], -51.195, 1e-12);
    HH_ASSERT_NEAR(l.lat[0], -30.005, 1e-12);
    HH_ASSERT_NEAR(l.value[0], 1, 0);
    HH_ASSERT_NEAR(l.lon[1], -51.195, 1e-12);
    HH_ASSERT_NEAR(l.lat[1], -30.015, 1e-12);
    HH_ASSERT_NEAR(l.value[1], 2.5, 0);
    HH_ASSERT_NEAR(l.lon[2], -51.175, 1e-12);
    HH_ASSERT_NEAR(l.value[2], 4, 0);
    HH_ASSERT_EQ(l.n_blank[0], 0);
    hh_layers_free(&l);

    /* a prefix names the layer; two bands: <prefix>_b1 and the description */
    const float v2[12] = {1, 0, 0, 0, 0, 0, /* band 2: */ 0, 3, 0, 0, 0, 0};
    p = make_tif("two.TIFF", 3, 2, 2, v2, gt, 4326, NAN, "jobs");
    hh_layers_opts o = {HH_POLY_AREA, 0, "grid"};
    HH_ASSERT(read_ok(p, &o, &l));
    HH_ASSERT_EQ(l.n_layers, 2);
    HH_ASSERT_STR(l.name[0], "grid_b1");
    HH_ASSERT_STR(l.name[1], "jobs");
    HH_ASSERT_EQ(l.n, 2);
    HH_ASSERT_NEAR(l.value[0], 1, 0);
    HH_ASSERT_NEAR(l.value[1], 0, 0);
    HH_ASSERT_NEAR(l.value[2], 0, 0);
    HH_ASSERT_NEAR(l.value[3], 3, 0);
    HH_ASSERT_NEAR(l.lon[1], -51.185, 1e-12);
    hh_layers_free(&l);

    /* no CRS: degrees are taken as WGS-84, metres are an error */
    p = make_tif("nocrs.tif", 3, 2, 1, v1, gt, 0, -9999, NULL);
    HH_ASSERT(read_ok(p, NULL, &l));
    HH_ASSERT_EQ(l.n, 3);
    HH_ASSERT_NEAR(l.lat[1], -30.015, 1e-12);
    hh_layers_free(&l);
    const double gtm[6] = {500000, 100, 0, 6681000, 0, -100};
    p = make_tif("nocrs_m.tif", 3, 2, 1, v1, gtm, 0, -9999, NULL);
    HH_ASSERT_EQ(hh_layers_read(p, NULL, &l, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "nocrs_m.tif: no CRS, and the cells' coordinates are not degrees"));

    /* a negative cell that is not nodata; nothing above 0 */
    const float vneg[6] = {1, 0, -3, 0, 0, 0};
    p = make_tif("neg.tif", 3, 2, 1, vneg, gt, 4326, -9999, NULL);
    HH_ASSERT_EQ(hh_layers_read(p, NULL, &l, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "neg.tif band 1 row 1 column 3: -3 is negative"));
    const float vzero[6] = {0, 0, -9999, 0, 0, 0};
    p = make_tif("zero.tif", 3, 2, 1, vzero, gt, 4326, -9999, NULL);
    HH_ASSERT_EQ(hh_layers_read(p, NULL, &l, err, sizeof err), HH_EEMPTY);
    HH_ASSERT(strstr(err, "zero.tif: no cell with a value above 0"));
    p = tmp_file("junk.tif", "not a tiff");
    HH_ASSERT_EQ(hh_layers_read(p, NULL, &l, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "junk.tif: not a raster GDAL reads"));
}

HH_TEST(layers_raster_utm_reprojected)
{
    /* UTM 22S: easting 500000 is the central meridian 51 W; northing
     * 10000000 - 0.9996 x 3320113.40 (the WGS-84 meridian arc to 30 S) is
     * 30 S.  Cells of 100 m with that point at the centre of cell (0, 0). */
    const double N30 = 10000000 - 0.9996 * 3320113.40;
    const double gt[6] = {500000 - 50, 100, 0, N30 + 50, 0, -100};
    const float v[4] = {7, 0, 0, 2};
    const char *p = make_tif("utm.tif", 2, 2, 1, v, gt, 32722, NAN, NULL);
    HH_ASSERT(p);
    hh_layers l;
    HH_ASSERT(read_ok(p, NULL, &l));
    HH_ASSERT_EQ(l.n, 2);
    HH_ASSERT_NEAR(l.lon[0], -51, 1e-9);
    HH_ASSERT_NEAR(l.lat[0], -30, 1e-6);
    HH_ASSERT_NEAR(l.value[0], 7, 0);
    /* one cell east and south: ~100 m = 0.00104 deg of lon at 30 S, 0.0009 of lat */
    HH_ASSERT_NEAR(l.lon[1] + 51, 100 / (111320 * cos(30 * M_PI / 180)), 2e-6);
    HH_ASSERT_NEAR(-30 - l.lat[1], 100 / 110852.0, 2e-6);
    hh_layers_free(&l);
}

/* ---- append, find ----------------------------------------------------- */

HH_TEST(layers_append_unions_by_name)
{
    hh_layers a, b;
    char err[256];
    HH_ASSERT_EQ(hh_layers_read(tmp_file("a.csv", "lon,lat,jobs,pop\n1,1,10,\n2,2,20,5\n"), NULL, &a, err,
                                sizeof err),
                 0);
    HH_ASSERT_EQ(hh_layers_read(tmp_file("b.csv", "lon,lat,schools,jobs\n3,3,1,\n"), NULL, &b, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_layers_append(&a, &b), 0);
    HH_ASSERT_EQ(a.n, 3);
    HH_ASSERT_EQ(a.n_layers, 3);
    HH_ASSERT_EQ(hh_layers_find(&a, "jobs"), 0);
    HH_ASSERT_EQ(hh_layers_find(&a, "pop"), 1);
    HH_ASSERT_EQ(hh_layers_find(&a, "schools"), 2);
    HH_ASSERT_EQ(hh_layers_find(&a, "nope"), -1);
    HH_ASSERT_EQ(hh_layers_find(NULL, "jobs"), -1);
    static const double want[9] = {10, 0, 0, 20, 5, 0, 0, 0, 1};
    for (int i = 0; i < 9; i++)
        HH_ASSERT_NEAR(a.value[i], want[i], 0);
    HH_ASSERT_NEAR(a.lon[2], 3, 0);
    HH_ASSERT_EQ(a.n_blank[0], 1); /* b's blank jobs */
    HH_ASSERT_EQ(a.n_blank[1], 1);
    HH_ASSERT_EQ(a.n_blank[2], 0);
    /* a with itself doubles it */
    HH_ASSERT_EQ(hh_layers_append(&a, &a), 0);
    HH_ASSERT_EQ(a.n, 6);
    HH_ASSERT_EQ(a.n_layers, 3);
    HH_ASSERT_NEAR(a.value[5 * 3 + 2], 1, 0);
    HH_ASSERT_EQ(a.n_blank[1], 2);
    /* onto an empty set: a copy */
    hh_layers e;
    memset(&e, 0, sizeof e);
    HH_ASSERT_EQ(hh_layers_append(&e, &b), 0);
    HH_ASSERT_EQ(e.n, 1);
    HH_ASSERT_EQ(e.n_layers, 2);
    HH_ASSERT_STR(e.name[1], "jobs");
    hh_layers_free(&e);

    /* out of memory anywhere: b unchanged, nothing leaked (b's blocks come
     * from the counting allocator, so that its frees are counted) */
    hh_layers_free(&b);
    hh_test_counter c = {-1, 0};
    hh_allocator al = hh_test_counting(&c);
    hh_set_allocator(&al);
    HH_ASSERT_EQ(hh_layers_read(tmp_file("b.csv", NULL), NULL, &b, err, sizeof err), 0);
    hh_set_allocator(NULL);
    long base = c.live;
    int rc = HH_ENOMEM;
    for (long k = 0; rc == HH_ENOMEM; k++) {
        c.left = k;
        hh_set_allocator(&al);
        rc = hh_layers_append(&b, &a);
        hh_set_allocator(NULL);
        if (rc == HH_ENOMEM) {
            HH_ASSERT_EQ(c.live, base);
            HH_ASSERT_EQ(b.n, 1);
            HH_ASSERT_EQ(b.n_layers, 2);
        }
    }
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(b.n, 7);
    hh_layers_free(&a);
    /* b's arrays came from the counting allocator: it frees through it too */
    hh_set_allocator(&al);
    hh_layers_free(&b);
    hh_set_allocator(NULL);
    HH_ASSERT_EQ(c.live, 0);
}

/* Every allocation of each reader fails in turn: HH_ENOMEM, out untouched,
 * no block left (GDAL's own allocations are not the hook's). */
HH_TEST(layers_read_out_of_memory_everywhere)
{
    const double gt[6] = {10, 0.01, 0, 50, 0, -0.01};
    const float v[4] = {1, 2, 0, 3};
    const char *files[3];
    files[0] = tmp_file("oom.csv", "id,lon,lat,name,jobs\na,1,2,x,3\nb,1,2,y,\n");
    files[1] = tmp_file("oom.geojson",
                        "{\"type\":\"FeatureCollection\",\"features\":["
                        FEAT("\"jobs\":4", "{\"type\":\"MultiPoint\",\"coordinates\":[[11,50],[12,50]]}") ","
                        FEAT("\"jobs\":10", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0.02,0],[0.02,0.02],[0,0.02],[0,0]]]}") ","
                        FEAT("\"jobs\":1", "null") "]}");
    files[2] = make_tif("oom.tif", 2, 2, 1, v, gt, 4326, NAN, NULL);
    for (int fi = 0; fi < 3; fi++) {
        HH_ASSERT(files[fi]);
        hh_test_counter c = {0, 0};
        hh_allocator al = hh_test_counting(&c);
        hh_layers_opts o = {HH_POLY_AREA, 500, NULL};
        int rc = HH_ENOMEM;
        long k;
        for (k = 0; rc && k < 10000; k++) {
            c.left = k, c.live = 0;
            hh_layers l;
            memset(&l, 0x5a, sizeof l);
            char err[256] = "";
            hh_set_allocator(&al);
            rc = hh_layers_read(files[fi], &o, &l, err, sizeof err);
            if (rc == 0)
                hh_layers_free(&l);
            hh_set_allocator(NULL);
            HH_ASSERT_EQ(c.live, 0);
            if (rc) {
                if (rc != HH_ENOMEM)
                    fprintf(stderr, "  %s, allocation %ld: %d %s\n", files[fi], k, rc, err);
                HH_ASSERT_EQ(rc, HH_ENOMEM);
                HH_ASSERT_EQ(l.n, (size_t)0x5a5a5a5a5a5a5a5aULL);
            }
        }
        HH_ASSERT_EQ(rc, 0);
        HH_ASSERT(k > 3);
    }
}
