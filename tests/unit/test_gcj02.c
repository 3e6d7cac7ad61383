/* test_gcj02.c: GCJ-02 <-> WGS-84 (src/io/gcj02.c) against the known pairs
 * of the Changsha metro stations file (../shared/data/changzhutan, both
 * datums per station), round trips, the identity outside China, and the
 * file rewriter behind `halfhour coords` (src/io/coords.c): only the
 * coordinates change, byte for byte. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "hhtest.h"
#include "testalloc.h"
#include "testnet.h"

/* metres between two WGS-84 points (haversine, mean radius) */
static double dist_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, d = M_PI / 180;
    double a = sin((lat2 - lat1) * d / 2), b = sin((lon2 - lon1) * d / 2);
    return 2 * r * asin(sqrt(a * a + cos(lat1 * d) * cos(lat2 * d) * b * b));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The stations file has no quoted fields: a split on commas reads it. */
static int split(char *line, char **f, int cap)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < cap;) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = 0;
    }
    return n;
}

HH_TEST(gcj02_station_pairs)
{
    FILE *f = fopen(hh_test_data("changzhutan/changsha_metro_stations.csv"), "r");
    if (!f)
        HH_SKIP_DATA("no changzhutan/changsha_metro_stations.csv");
    char line[1024], *fld[16];
    int col[4] = {-1, -1, -1, -1};
    static const char *const names[4] = {"lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02"};
    HH_ASSERT(fgets(line, sizeof line, f));
    int nh = split(line, fld, 16);
    for (int c = 0; c < nh; c++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(fld[c], names[k]))
                col[k] = c;
    for (int k = 0; k < 4; k++)
        HH_ASSERT(col[k] >= 0);
    double back[256], fwd[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < 256) {
        int nf = split(line, fld, 16);
        HH_ASSERT(nf >= 4);
        double v[4];
        for (int k = 0; k < 4; k++)
            v[k] = atof(fld[col[k]]);
        double wx, wy, gx, gy;
        HH_ASSERT_EQ(hh_gcj02_to_wgs84(v[2], v[3], &wx, &wy), 0);
        HH_ASSERT_EQ(hh_wgs84_to_gcj02(v[0], v[1], &gx, &gy), 0);
        back[n] = dist_m(wx, wy, v[0], v[1]);
        fwd[n] = dist_m(gx, gy, v[2], v[3]);
        /* the offset itself is hundreds of metres here: the test would
         * notice a conversion that does nothing */
        HH_ASSERT(dist_m(v[0], v[1], v[2], v[3]) > 300);
        n++;
    }
    fclose(f);
    HH_ASSERT_EQ(n, 143);
    qsort(back, n, sizeof *back, cmp_double);
    qsort(fwd, n, sizeof *fwd, cmp_double);
    fprintf(stderr, "  %zu station pairs: GCJ-02 -> WGS-84 error max %.3f m, median %.3f m; "
                    "WGS-84 -> GCJ-02 max %.3f m, median %.3f m\n",
            n, back[n - 1], back[n / 2], fwd[n - 1], fwd[n / 2]);
    /* the file's columns have 6 decimals (up to 0.06 m of rounding per
     * axis): anything beyond a few decimetres is a wrong transform */
    HH_ASSERT(back[n - 1] < 0.5);
    HH_ASSERT(fwd[n - 1] < 0.5);
}

HH_TEST(gcj02_round_trip)
{
    double worst = 0;
    for (double lat = 18.0; lat <= 53.0; lat += 0.73)
        for (double lon = 74.0; lon <= 135.0; lon += 0.91) {
            double gx, gy, wx, wy;
            HH_ASSERT_EQ(hh_wgs84_to_gcj02(lon, lat, &gx, &gy), 0);
            HH_ASSERT(fabs(gx - lon) > 1e-4 || fabs(gy - lat) > 1e-4);
            HH_ASSERT_EQ(hh_gcj02_to_wgs84(gx, gy, &wx, &wy), 0);
            double e = fmax(fabs(wx - lon), fabs(wy - lat));
            worst = fmax(worst, e);
            HH_ASSERT(e < 1e-6);
        }
    HH_ASSERT(worst < 1e-8);
    /* Changsha, Wuyi Square: the offset is about 550 m east, 350 m south */
    double gx, gy;
    HH_ASSERT_EQ(hh_wgs84_to_gcj02(112.97656, 28.19736, &gx, &gy), 0);
    HH_ASSERT(gx - 112.97656 > 0.004 && gx - 112.97656 < 0.007);
    HH_ASSERT(gy - 28.19736 < -0.002 && gy - 28.19736 > -0.005);
}

HH_TEST(gcj02_identity_outside_china)
{
    static const double pts[][2] = {{-51.2288, -30.0276}, {0, 0},         {7.4246, 43.7384},
                                    {139.6917, 35.6895},  {72.0, 30.0},   {100.0, 0.5},
                                    {138.0, 40.0},        {100.0, 56.0},  {-180, -90},
                                    {180, 90}};
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
        double x = 1, y = 1;
        HH_ASSERT(!hh_gcj02_in_china(pts[i][0], pts[i][1]));
        HH_ASSERT_EQ(hh_wgs84_to_gcj02(pts[i][0], pts[i][1], &x, &y), 0);
        HH_ASSERT(x == pts[i][0] && y == pts[i][1]);
        HH_ASSERT_EQ(hh_gcj02_to_wgs84(pts[i][0], pts[i][1], &x, &y), 0);
        HH_ASSERT(x == pts[i][0] && y == pts[i][1]);
    }
    HH_ASSERT(hh_gcj02_in_china(112.97, 28.19));
    double x = 7, y = 7;
    HH_ASSERT_EQ(hh_gcj02_to_wgs84(NAN, 28, &x, &y), HH_ERANGE);
    HH_ASSERT_EQ(hh_wgs84_to_gcj02(113, INFINITY, &x, &y), HH_ERANGE);
    HH_ASSERT_EQ(hh_wgs84_to_gcj02(200, 28, &x, &y), HH_ERANGE);
    HH_ASSERT_EQ(hh_datum_convert(HH_DATUM_WGS84, HH_DATUM_WGS84, 113, 95, &x, &y), HH_ERANGE);
    HH_ASSERT(x == 7 && y == 7);
    hh_datum d = HH_DATUM_WGS84;
    HH_ASSERT_EQ(hh_datum_parse("GCJ-02", &d), 0);
    HH_ASSERT_EQ(d, HH_DATUM_GCJ02);
    HH_ASSERT_EQ(hh_datum_parse("wgs84", &d), 0);
    HH_ASSERT_EQ(d, HH_DATUM_WGS84);
    HH_ASSERT_EQ(hh_datum_parse("bd09", &d), HH_EINVAL);
}

/* What the rewriter writes: 7 decimals without trailing zeros. */
static const char *fmt7(char *buf, size_t cap, double v)
{
    snprintf(buf, cap, "%.7f", v);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '0')
        buf[--n] = 0;
    if (n && buf[n - 1] == '.')
        buf[--n] = 0;
    return buf;
}

/* Runs the rewriter on `text` saved as NAME; returns its output (malloc'd)
 * or NULL with *rc set. */
static char *convert_text(const char *name, const char *text, const hh_coords_opts *o, int *rc, size_t *n_out,
                          char *err, size_t errlen)
{
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/%s", hh_test_tmpdir(), name);
    snprintf(out, sizeof out, "%s/%s.out", hh_test_tmpdir(), name);
    FILE *f = fopen(in, "wb");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    FILE *g = fopen(out, "wb+");
    if (!g)
        return NULL;
    *rc = hh_coords_convert_file(in, g, o, n_out, NULL, err, errlen);
    long len = ftell(g);
    rewind(g);
    char *buf = calloc(1, (size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, g) != (size_t)len)
        buf[0] = 0;
    fclose(g);
    if (*rc) {
        free(buf);
        return NULL;
    }
    return buf;
}

HH_TEST(coords_csv_keeps_other_bytes)
{
    hh_coords_opts o = {HH_DATUM_WGS84, HH_DATUM_GCJ02, NULL, NULL};
    int rc;
    size_t n = 0;
    char err[256] = "";
    /* BOM, quoted name with a comma and a doubled quote, CRLF, a blank
     * line, a point outside China, columns in any order */
    const char *in = "\xEF\xBB\xBFname,LAT,id,Lng,note\r\n"
                     "\"Wuyi, \"\"square\"\"\",28.19736,a,112.97656,  x  \r\n"
                     "\r\n"
                     "porto,-30.0276,b,-51.2288,\n";
    char *out = convert_text("c1.csv", in, &o, &rc, &n, err, sizeof err);
    HH_ASSERT(out);
    double gx, gy;
    hh_wgs84_to_gcj02(112.97656, 28.19736, &gx, &gy);
    char want[1024], sx[32], sy[32];
    fmt7(sx, sizeof sx, gx);
    fmt7(sy, sizeof sy, gy);
    snprintf(want, sizeof want,
             "\xEF\xBB\xBFname,LAT,id,Lng,note\r\n"
             "\"Wuyi, \"\"square\"\"\",%s,a,%s,  x  \r\n"
             "\r\n"
             "porto,-30.0276,b,-51.2288,\n",
             sy, sx);
    HH_ASSERT_STR(out, want);
    HH_ASSERT_EQ(n, 2);
    free(out);

    /* columns named by the caller; quoted numbers are read */
    hh_coords_opts o2 = {HH_DATUM_GCJ02, HH_DATUM_WGS84, "lon_gcj02", "lat_gcj02"};
    out = convert_text("c2.csv", "id,lon,lat,lon_gcj02,lat_gcj02\n1,112.92855,28.341363,\"112.933989\",28.337848",
                       &o2, &rc, &n, err, sizeof err);
    HH_ASSERT(out);
    HH_ASSERT_STR(out, "id,lon,lat,lon_gcj02,lat_gcj02\n1,112.92855,28.341363,112.9285499,28.3413626");
    free(out);

    /* errors name the line */
    HH_ASSERT(!convert_text("c3.csv", "id,lon,lat\n1,113,28\n2,east,28\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EFORMAT);
    HH_ASSERT(strstr(err, "line 3") && strstr(err, "east"));
    HH_ASSERT(!convert_text("c4.csv", "id,lon,lat\n1,113\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EFORMAT);
    HH_ASSERT(!convert_text("c5.csv", "id,a,b\n1,113,28\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EINVAL);
    HH_ASSERT(!convert_text("c6.csv", "id,lon,lat\n1,213,28\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_ERANGE);
    HH_ASSERT(!convert_text("c7.csv", "id,lon,lat\n\"1,113,28\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EFORMAT);
    HH_ASSERT(!convert_text("c8.csv", "", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EEMPTY);
    HH_ASSERT(!convert_text("c9.txt", "id,lon,lat\n", &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EINVAL);
    out = convert_text("c10.csv", "id,lon,lat\n", &o, &rc, &n, err, sizeof err);
    HH_ASSERT(out);
    HH_ASSERT_STR(out, "id,lon,lat\n");
    HH_ASSERT_EQ(n, 0);
    free(out);
}

HH_TEST(coords_geojson_positions_only)
{
    hh_coords_opts o = {HH_DATUM_GCJ02, HH_DATUM_WGS84, NULL, NULL};
    int rc;
    size_t n = 0;
    char err[256] = "";
    const char *in =
        "{\"type\": \"FeatureCollection\", \"bbox\": [113, 28, 113.5, 28.5],\n"
        " \"features\": [\n"
        "  {\"type\":\"Feature\",\"id\":\"430102\",\"properties\":{\"name\":\"\\u829c\",\"cp\":[113.03,28.18],"
        "\"coordinates\":[1,2]},\n"
        "   \"geometry\":{\"type\":\"Point\",\"coordinates\":[ 113.0 , 28.0 , 55.25 ]}},\n"
        "  {\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"GeometryCollection\",\"geometries\":[\n"
        "    {\"type\":\"LineString\",\"coordinates\":[[-51.2,-30.1],[113.0,28.0]]},\n"
        "    {\"type\":\"Polygon\",\"coordinates\":[]}]}}\n"
        " ]}\n";
    char *out = convert_text("g1.geojson", in, &o, &rc, &n, err, sizeof err);
    if (!out)
        HH_FAIL_("convert: %s", err);
    double wx, wy;
    hh_gcj02_to_wgs84(113.0, 28.0, &wx, &wy);
    char sx[32], sy[32], want[2048], c0[32], c1[32], c2[32], c3[32];
    fmt7(sx, sizeof sx, wx);
    fmt7(sy, sizeof sy, wy);
    double b0x, b0y, b1x, b1y;
    hh_gcj02_to_wgs84(113, 28, &b0x, &b0y);
    hh_gcj02_to_wgs84(113.5, 28.5, &b1x, &b1y);
    snprintf(want, sizeof want,
             "{\"type\": \"FeatureCollection\", \"bbox\": [%s, %s, %s, %s],\n"
             " \"features\": [\n"
             "  {\"type\":\"Feature\",\"id\":\"430102\",\"properties\":{\"name\":\"\\u829c\",\"cp\":[113.03,28.18],"
             "\"coordinates\":[1,2]},\n"
             "   \"geometry\":{\"type\":\"Point\",\"coordinates\":[ %s , %s , 55.25 ]}},\n"
             "  {\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"GeometryCollection\",\"geometries\":[\n"
             "    {\"type\":\"LineString\",\"coordinates\":[[-51.2,-30.1],[%s,%s]]},\n"
             "    {\"type\":\"Polygon\",\"coordinates\":[]}]}}\n"
             " ]}\n",
             fmt7(c0, sizeof c0, b0x), fmt7(c1, sizeof c1, b0y), fmt7(c2, sizeof c2, b1x),
             fmt7(c3, sizeof c3, b1y), sx, sy, sx, sy);
    HH_ASSERT_STR(out, want);
    HH_ASSERT_EQ(n, 5); /* 3 positions, 2 bbox corners */
    free(out);

    static const char *const bad[] = {
        "{\"type\":\"Point\",\"coordinates\":[113]}",
        "{\"type\":\"Point\",\"coordinates\":[113,\"28\"]}",
        "{\"type\":\"Point\",\"coordinates\":{\"x\":1}}",
        "{\"type\":\"LineString\",\"coordinates\":[[113,28],5]}",
        "{\"type\":\"Point\",\"coordinates\":[113,28]",
        "{\"type\":\"Point\",\"coordinates\":[113,28]} x",
        "{\"type\":\"Point\" \"coordinates\":[113,28]}",
        "{\"type\":\"Point\",\"coordinates\":[113,01]}",
        "{\"type\":\"Point\",\"bbox\":[1,2,3],\"coordinates\":[113,28]}",
        "{\"type\":\"Point\",\"coordinates\":[300,28]}",
        "{\"a\":\"unterminated}",
        "   ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *o2 = convert_text("bad.geojson", bad[i], &o, &rc, &n, err, sizeof err);
        if (o2)
            HH_FAIL_("accepted: %s", bad[i]);
        HH_ASSERT(rc == HH_EFORMAT || rc == HH_ERANGE || rc == HH_EEMPTY);
        HH_ASSERT(strstr(err, "bad.geojson"));
    }
    /* deep nesting is an error, not a stack overflow */
    char deep[4096];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "{\"coordinates\":");
    for (int d = 0; d < 1500; d++)
        deep[k++] = '[';
    deep[k] = 0;
    HH_ASSERT(!convert_text("deep.json", deep, &o, &rc, &n, err, sizeof err));
    HH_ASSERT_EQ(rc, HH_EFORMAT);
}

HH_TEST(coords_fails_cleanly_at_every_allocation)
{
    char path[512];
    snprintf(path, sizeof path, "%s/oom.csv", hh_test_tmpdir());
    FILE *f = fopen(path, "wb");
    HH_ASSERT(f);
    fputs("id,lon,lat", f);
    for (int c = 0; c < 40; c++)
        fprintf(f, ",c%d", c);
    fputs("\n1,113,28\n", f);
    fclose(f);
    hh_coords_opts o = {HH_DATUM_WGS84, HH_DATUM_GCJ02, NULL, NULL};
    int ok = 0;
    for (long k = 0; k < 50 && !ok; k++) {
        FILE *out = tmpfile();
        HH_ASSERT(out);
        char err[256] = "";
        size_t n = 99;
        hh_test_alloc_fail_from(k);
        int rc = hh_coords_convert_file(path, out, &o, &n, NULL, err, sizeof err);
        hh_test_alloc_restore();
        fclose(out);
        if (rc == 0) {
            HH_ASSERT_EQ(n, 1);
            ok = 1;
        } else {
            HH_ASSERT_EQ(rc, HH_ENOMEM);
            HH_ASSERT(strstr(err, "out of memory") && strstr(err, "oom.csv"));
            HH_ASSERT_EQ(n, 99);
        }
    }
    HH_ASSERT(ok);
}
