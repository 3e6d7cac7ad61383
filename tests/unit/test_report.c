/* test_report.c: the half-hour report against the matrix and the
 * isochrones it stands on (poa, car and transit): a centre's residents
 * inside equal the hexagons' population reached in less than T per the
 * matrix, the union holds at least each circle and exactly the points some
 * centre reaches, district sums add up to the totals, the circles are the
 * isochrones of the same searches; the files appear. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hhtest.h"
#include "testnet.h"

typedef struct rows {
    size_t nd, nv;
    double *t;
} rows;

static int keep(size_t o, const double *t, const double *d, void *ud)
{
    (void)d;
    rows *r = ud;
    memcpy(r->t + o * r->nd * r->nv, t, r->nd * r->nv * sizeof *t);
    return 0;
}

/* two districts: the west and the east half of the network's box */
static const char *halves(const hh_net *net)
{
    static char path[1024];
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    double xm = (x0 + x1) / 2;
    snprintf(path, sizeof path, "%s/halves.geojson", hh_test_tmpdir());
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int k = 0; k < 2; k++) {
        double a = k ? xm : x0 - 0.01, b = k ? x1 + 0.01 : xm;
        fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
                   "\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}",
                k ? "," : "", k ? "东 east" : "西 west", a, y0 - 0.01, b, y0 - 0.01, b, y1 + 0.01, a, y1 + 0.01, a,
                y0 - 0.01);
    }
    fprintf(f, "]}\n");
    fclose(f);
    return path;
}

HH_TEST(report_matches_matrix_poa)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    char hex[1024];
    snprintf(hex, sizeof hex, "%s/poa/poa_hexgrid.csv", hh_test_data_dir());
    hh_layers ls;
    HH_ASSERT_EQ(hh_layers_read(hex, NULL, &ls, NULL, 0), 0);
    int pop = hh_layers_find(&ls, "population");
    HH_ASSERT(pop >= 0);
    char cpath[1024];
    snprintf(cpath, sizeof cpath, "%s/centres.csv", hh_test_tmpdir());
    FILE *f = fopen(cpath, "w");
    HH_ASSERT(f != NULL);
    fprintf(f, "id,name,lon,lat\nc,Centro 中心,-51.2288,-30.0276\nm,Moinhos,-51.2010,-30.0250\n"
               "p,PUCRS,-51.1730,-30.0590\n");
    fclose(f);
    hh_centres c;
    HH_ASSERT_EQ(hh_centres_read(cpath, &c, NULL, 0), 0);
    HH_ASSERT_EQ(c.n, 3);
    HH_ASSERT_STR(c.name[0], "Centro 中心");
    hh_districts *d;
    HH_ASSERT_EQ(hh_districts_read(halves(net), &d, NULL, 0), 0);
    double T = 20, pct[2] = {25, 50};
    hh_transit_opts to = {20190513, 12 * 3600, 20, 15 * 60, 8, 3, 2 * T * 60, 0};
    hh_transit *tp;
    HH_ASSERT_EQ(hh_transit_prepare(net, &to, &tp, NULL, 0), 0);
    hh_report_mode_opts modes[2] = {{HH_MODE_CAR, NULL}, {HH_MODE_WALK, tp}};
    hh_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.minutes = T, ro.modes = modes, ro.n_modes = 2, ro.pct = pct, ro.n_pct = 2, ro.circle_pct = 50;
    ro.layers = &ls, ro.weight_layer = pop, ro.districts = d, ro.snap_max_m = 500, ro.threads = 2;
    hh_report rep;
    HH_ASSERT_EQ(hh_report_run(net, &ro, &c, &rep, NULL, 0), 0);
    HH_ASSERT_EQ(rep.n_modes, 2);
    HH_ASSERT_STR(rep.modes[1].name, "transit");
    /* the hexagons with population, as the report takes them */
    hh_points pts = {0, NULL, malloc(ls.n * sizeof(double)), malloc(ls.n * sizeof(double))};
    double *w = malloc(ls.n * sizeof *w), total = 0;
    for (size_t i = 0; i < ls.n; i++) {
        double v = ls.value[i * ls.n_layers + (size_t)pop];
        if (v > 0)
            pts.lon[pts.n] = ls.lon[i], pts.lat[pts.n] = ls.lat[i], w[pts.n++] = v, total += v;
    }
    HH_ASSERT_NEAR(rep.total, total, 1e-6);
    hh_points cp = {c.n, NULL, c.lon, c.lat};
    for (size_t k = 0; k < 2; k++) {
        const hh_report_mode *m = &rep.modes[k];
        rows rr = {pts.n, 1, malloc(c.n * pts.n * sizeof(double))};
        hh_matrix_opts mo = {HH_MODE_CAR, T * 60, 500, 2, k ? tp : NULL, k ? &ro.circle_pct : NULL, k ? 1 : 0, NULL, NULL};
        HH_ASSERT_EQ(hh_matrix_run(net, &mo, &cp, &pts, keep, &rr, NULL, NULL), 0);
        double uni = 0;
        for (size_t j = 0; j < pts.n; j++) {
            int any = 0;
            for (size_t i = 0; i < c.n; i++)
                any |= rr.t[i * pts.n + j] < T * 60;
            uni += any ? w[j] : 0;
        }
        for (size_t i = 0; i < c.n; i++) {
            double want = 0;
            for (size_t j = 0; j < pts.n; j++)
                if (rr.t[i * pts.n + j] < T * 60)
                    want += w[j];
            HH_ASSERT_NEAR(m->inside[i], want, 1e-6 * (1 + want));
            HH_ASSERT(m->union_inside >= m->inside[i] - 1e-9);
            HH_ASSERT(m->union_km2 >= m->circle_km2[i] * 0.999);
            HH_ASSERT(m->circle[i].n_bands == 1);
            HH_ASSERT(m->circle_km2[i] > 1);
        }
        HH_ASSERT_NEAR(m->union_inside, uni, 1e-6 * (1 + uni));
        HH_ASSERT(m->union_geojson && strstr(m->union_geojson, "MultiPolygon"));
        /* districts add up */
        double dsum = 0, dun = 0;
        for (size_t q = 0; q < rep.n_d; q++)
            dsum += rep.d_total[q], dun += m->d_inside[q * (c.n + 1) + c.n];
        HH_ASSERT_NEAR(dsum + rep.outside_districts, total, 1e-6 * total);
        HH_ASSERT_NEAR(dun, m->union_inside, 1e-6 * (1 + dun)); /* every hexagon lies in a half */
        free(rr.t);
        /* centre-to-centre: the matrix's own */
        rows cc = {c.n, m->n_val, malloc(c.n * c.n * m->n_val * sizeof(double))};
        hh_matrix_opts mc = {HH_MODE_CAR, INFINITY, 500, 2, k ? tp : NULL, k ? pct : NULL, k ? 2 : 0, NULL, NULL};
        HH_ASSERT_EQ(hh_matrix_run(net, &mc, &cp, &cp, keep, &cc, NULL, NULL), 0);
        for (size_t q = 0; q < c.n * c.n * m->n_val; q++)
            HH_ASSERT(isnan(cc.t[q]) ? isnan(m->time_s[q]) : cc.t[q] == m->time_s[q]);
        free(cc.t);
    }
    HH_ASSERT(rep.modes[0].union_inside > rep.modes[1].union_inside); /* car reaches more than transit in 20 min */
    /* the files */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/report", hh_test_tmpdir());
    HH_ASSERT_EQ(hh_report_write(net, &rep, dir, NULL, 0), 0);
    const char *files[] = {"index.html", "report.md", "circles.geojson", "times.csv", "circles.csv", "districts.csv"};
    for (size_t i = 0; i < 6; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        struct stat sb;
        HH_ASSERT(stat(p, &sb) == 0 && sb.st_size > 100);
    }
    char hp[1200];
    snprintf(hp, sizeof hp, "%s/index.html", dir);
    FILE *h = fopen(hp, "r");
    HH_ASSERT(h != NULL);
    static char html[4 << 20];
    size_t n = fread(html, 1, sizeof html - 1, h);
    fclose(h);
    html[n] = 0;
    HH_ASSERT(strstr(html, "<meta charset=\"utf-8\">") != NULL);
    HH_ASSERT(strstr(html, ">Centro 中心</text>") != NULL); /* the name, as UTF-8, in the SVG */
    HH_ASSERT(strstr(html, "© OpenStreetMap contributors") != NULL);
    HH_ASSERT(strstr(html, "东 east") != NULL);
    HH_ASSERT(strstr(html, "class=\"scale\"") != NULL);
    hh_report_free(&rep);
    hh_report_free(&rep); /* twice: emptied */
    free(pts.lon), free(pts.lat), free(w);
    hh_transit_free(tp);
    hh_districts_free(d);
    hh_centres_free(&c);
    hh_layers_free(&ls);
    hh_net_close(net);
}

HH_TEST(report_centres_csv_errors)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/badcentres.csv", hh_test_tmpdir());
    hh_centres c;
    char err[256];
    FILE *f = fopen(p, "w");
    HH_ASSERT(f != NULL);
    fprintf(f, "id,name,lon,lat\na,A,1,2\na,B,3,4\n");
    fclose(f);
    HH_ASSERT_EQ(hh_centres_read(p, &c, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, "appears twice") != NULL);
    f = fopen(p, "w");
    fprintf(f, "id,name,lon,lat\n");
    fclose(f);
    HH_ASSERT_EQ(hh_centres_read(p, &c, err, sizeof err), HH_EEMPTY);
    f = fopen(p, "w");
    fprintf(f, "name,lon,lat\n长沙,112.98,28.19\n");
    fclose(f);
    HH_ASSERT_EQ(hh_centres_read(p, &c, err, sizeof err), 0);
    HH_ASSERT_STR(c.id[0], "1"); /* the row number without an id column */
    HH_ASSERT_STR(c.name[0], "长沙");
    hh_centres_free(&c);
}
