/* test_oom.c: every allocation of a build, an open, the searches, an
 * isochrone and a matrix fails in turn: each call reports HH_ENOMEM (or a
 * message saying out of memory), leaves no file behind and no leak
 * (LeakSanitizer in the sanitizer run), and the last try succeeds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hhtest.h"
#include "testalloc.h"
#include "testfeed.h"
#include "testnet.h"

HH_TEST(oom_build_fails_cleanly_everywhere)
{
    char src[300], out[300];
    snprintf(src, sizeof src, "%s/west-oakland/West-Oakland.osm.bz2", hh_test_data_dir());
    if (access(src, R_OK))
        HH_SKIP_DATA("%s not found", src);
    snprintf(out, sizeof out, "%s/oom.hh", hh_test_tmpdir());
    hh_profile p;
    hh_profile_default(&p);
    int ok = 0;
    long k;
    for (k = 0; k < 5000 && !ok; k++) {
        char err[256] = "";
        hh_test_alloc_fail_from(k);
        int rc = hh_build(src, &p, out, NULL, NULL, NULL, err, sizeof err);
        hh_test_alloc_restore();
        struct stat st;
        if (rc == 0) {
            ok = 1;
            break;
        }
        HH_ASSERT(rc == HH_ENOMEM || strstr(err, "out of memory"));
        HH_ASSERT(stat(out, &st) != 0);
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  build survived failures at each of its first %ld allocations\n", k);
    unlink(out);
}

/* The same with a feed: the islands rule's stop test and the stop links
 * (every walk component but the largest is a candidate for a stop). */
HH_TEST(oom_build_transit_fails_cleanly_everywhere)
{
    char src[300], out[300], feed[300];
    snprintf(src, sizeof src, "%s/west-oakland/West-Oakland.osm.bz2", HH_DATA);
    if (access(src, R_OK))
        return;
    snprintf(out, sizeof out, "%s/oom-transit.hh", hh_test_tmpdir());
    snprintf(feed, sizeof feed, "%s/oom-feed.zip", hh_test_tmpdir());
    static const hh_test_file files[] = {
        {"agency.txt", "agency_name,agency_url,agency_timezone\nA,http://a.example,America/Los_Angeles\n"},
        {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,One,37.8057878,-122.2919937\n"
                      "S2,Two,37.8073779,-122.3006059\n"},
        {"routes.txt", "route_id,route_short_name,route_type\nR,1,3\n"},
        {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                         "D,1,1,1,1,1,1,1,20240101,20241231\n"},
        {"trips.txt", "route_id,service_id,trip_id\nR,D,T\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T,08:00:00,08:00:00,S1,1\nT,08:05:00,08:05:00,S2,2\n"},
    };
    HH_ASSERT_EQ(hh_test_write_zip(feed, files, sizeof files / sizeof *files, NULL, 0), 0);
    const char *feeds[] = {feed};
    hh_profile p;
    hh_profile_default(&p);
    HH_ASSERT_EQ(hh_profile_set(&p, "island.min_vertices=1000000000", NULL, 0), 0);
    HH_ASSERT_EQ(hh_profile_set(&p, "island.min_vertices_with_stop=1", NULL, 0), 0);
    int ok = 0;
    long k;
    hh_build_stats st;
    for (k = 0; k < 20000 && !ok; k++) {
        char err[256] = "";
        hh_test_alloc_fail_from(k);
        int rc = hh_build_transit(src, feeds, 1, &p, out, &st, NULL, NULL, err, sizeof err);
        hh_test_alloc_restore();
        struct stat sb;
        if (rc == 0) {
            ok = 1;
            break;
        }
        HH_ASSERT(rc == HH_ENOMEM || strstr(err, "out of memory"));
        HH_ASSERT(stat(out, &sb) != 0);
    }
    HH_ASSERT(ok);
    HH_ASSERT_EQ(st.stops_linked, 2);
    fprintf(stderr, "  transit build survived failures at each of its first %ld allocations; walk kept %u components (%u for a stop)\n",
            k, st.comps[HH_MODE_WALK].kept, st.comps[HH_MODE_WALK].kept_for_stop);
    unlink(out);
    unlink(feed);
}

static int ignore_row(size_t i, const double *t, const double *d, void *ud)
{
    (void)i, (void)t, (void)d, (void)ud;
    return 0;
}

HH_TEST(oom_queries_fail_cleanly_everywhere)
{
    const char *path = hh_test_net_path("oakland");
    if (!path)
        return;
    int ok = 0;
    long k;
    for (k = 0; k < 5000 && !ok; k++) {
        hh_test_alloc_fail_from(k);
        hh_net *net = NULL;
        hh_query *q = NULL;
        hh_isochrone iso = {0, NULL};
        int rc = hh_net_open(path, &net, NULL, 0);
        if (!rc)
            rc = hh_query_init(net, &q);
        hh_snap s = {0};
        hh_net_info in;
        if (!rc) {
            hh_net_get_info(net, &in);
            rc = hh_snap_point(net, HH_MODE_WALK, (in.min_lon + in.max_lon) / 2, (in.min_lat + in.max_lat) / 2,
                               2000, &s);
        }
        if (!rc)
            rc = hh_query_run(q, HH_MODE_WALK, &s, 900);
        double m[] = {5, 10, 15};
        if (!rc)
            rc = hh_isochrone_build(q, m, 3, &iso);
        hh_isochrone_free(&iso);
        if (!rc) {
            char *ids[] = {"a", "b"};
            double lon[] = {s.lon, in.min_lon}, lat[] = {s.lat, in.min_lat};
            hh_points pts = {2, ids, lon, lat};
            hh_matrix_opts mo = {HH_MODE_WALK, INFINITY, 2000, 2, NULL, NULL, 0, NULL, NULL};
            rc = hh_matrix_run(net, &mo, &pts, &pts, ignore_row, NULL, NULL, NULL);
        }
        hh_query_free(q);
        hh_net_close(net);
        hh_test_alloc_restore();
        if (rc == 0)
            ok = 1;
        else
            HH_ASSERT_EQ(rc, HH_ENOMEM);
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  open+search+isochrone+matrix survived failures at each of %ld allocations\n", k);
}

HH_TEST(oom_transit_fails_cleanly_everywhere)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, -51.2288, -30.0276, 500, &s), 0);
    int ok = 0;
    long k;
    for (k = 0; k < 5000 && !ok; k++) {
        hh_transit_opts o = {20190513, 12 * 3600, 5, 600, 4, 1, 1800, 0};
        hh_transit *t = NULL;
        hh_transit_query *q = NULL;
        hh_isochrone iso = {0, NULL};
        char err[256] = "";
        hh_test_alloc_fail_from(k);
        int rc = hh_transit_prepare(net, &o, &t, err, sizeof err);
        if (!rc)
            rc = hh_transit_query_init(t, &q);
        if (!rc)
            rc = hh_transit_query_run(q, &s, NULL, 0);
        double m[] = {10, 20};
        if (!rc)
            rc = hh_transit_isochrone(q, 50, m, 2, &iso);
        hh_isochrone_free(&iso);
        hh_transit_query_free(q);
        hh_transit_free(t);
        hh_test_alloc_restore();
        if (rc == 0)
            ok = 1;
        else
            HH_ASSERT_EQ(rc, HH_ENOMEM);
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  transit prepare+query+isochrone survived failures at each of %ld allocations\n", k);
    hh_net_close(net);
}

/* access runs: layers read, a grid, every measure (cumulative, nearest,
 * 2SFCA; transit with both percentile rules), the table written */
HH_TEST(oom_access_fails_cleanly_everywhere)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    char hex[1024];
    snprintf(hex, sizeof hex, "%s/poa/poa_hexgrid.csv", hh_test_data_dir());
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    char out[1024];
    snprintf(out, sizeof out, "%s/oom_access.csv", hh_test_tmpdir());
    int ok = 0;
    long k;
    for (k = 0; k < 20000 && !ok; k++) {
        hh_layers ls;
        memset(&ls, 0, sizeof ls);
        hh_grid g;
        memset(&g, 0, sizeof g);
        hh_table t;
        memset(&t, 0, sizeof t);
        hh_transit *tp = NULL;
        hh_test_alloc_fail_from(k);
        int rc = hh_layers_read(hex, NULL, &ls, NULL, 0);
        if (!rc)
            rc = hh_grid_make(net, 2000, &g, NULL, 0); /* a coarse grid: few origins */
        hh_points o = {g.n, NULL, g.lon, g.lat};
        size_t sel[1] = {0};
        double minutes[2] = {10, 20}, pct[2] = {25, 75};
        unsigned nearest[1] = {2};
        hh_access_opts ao;
        memset(&ao, 0, sizeof ao);
        ao.mode = HH_MODE_WALK, ao.minutes = minutes, ao.n_minutes = 2, ao.nearest = nearest, ao.n_nearest = 1;
        ao.sfca_supply = -1, ao.sfca_demand = -1, ao.snap_max_m = 500, ao.threads = 2, ao.max_s = 1800;
        if (!rc) {
            sel[0] = (size_t)hh_layers_find(&ls, "jobs");
            ao.layers = sel, ao.n_layers = 1;
            ao.sfca_supply = hh_layers_find(&ls, "healthcare"), ao.sfca_demand = hh_layers_find(&ls, "population");
            rc = hh_access_run(net, &ao, &ls, &o, &t, NULL, NULL, 0);
        }
        if (!rc) {
            t.grid = &g;
            rc = hh_table_write(&t, HH_TABLE_CSV, out, NULL, NULL, 0);
        }
        hh_table_free(&t);
        hh_transit_opts to = {20190513, 12 * 3600, 3, 600, 4, 1, 1200, 0};
        if (!rc)
            rc = hh_transit_prepare(net, &to, &tp, NULL, 0);
        if (!rc) {
            ao.transit = tp, ao.pct = pct, ao.n_pct = 2, ao.pct_of = HH_PCT_OF_ACCESS, ao.n_nearest = 0;
            ao.sfca_supply = ao.sfca_demand = -1;
            rc = hh_access_run(net, &ao, &ls, &o, &t, NULL, NULL, 0);
        }
        hh_table_free(&t);
        hh_transit_free(tp);
        hh_grid_free(&g);
        hh_layers_free(&ls);
        hh_test_alloc_restore();
        if (rc == 0)
            ok = 1;
        else
            HH_ASSERT_EQ(rc, HH_ENOMEM);
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  layers+grid+access (walk, transit)+table survived failures at each of %ld allocations\n", k);
    unlink(out);
    hh_net_close(net);
}

/* The map polygons (hole rule, simplification on the lattice, GEOS's check
 * and the clip between bands): each allocation failing in turn gives
 * HH_ENOMEM and no result, never a crash or a half-made isochrone. */
HH_TEST(oom_map_isochrone_fails_cleanly_everywhere)
{
    const char *path = hh_test_net_path("monaco");
    if (!path)
        return;
    hh_net *net = NULL;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_query *q = NULL;
    HH_ASSERT_EQ(hh_query_init(net, &q), 0);
    hh_net_info in;
    hh_net_get_info(net, &in);
    hh_snap s;
    HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, (in.min_lon + in.max_lon) / 2, (in.min_lat + in.max_lat) / 2,
                               2000, &s),
                 0);
    HH_ASSERT_EQ(hh_query_run(q, HH_MODE_WALK, &s, 900), 0);
    double m[] = {5, 10, 15};
    int ok = 0;
    long k;
    for (k = 0; k < 5000 && !ok; k++) {
        hh_isochrone iso = {0, NULL};
        hh_test_alloc_fail_only(k);
        int rc = hh_isochrone_build_opts(q, m, 3, NULL, &iso);
        hh_test_alloc_restore();
        if (rc == 0) {
            ok = 1;
            HH_ASSERT_EQ(iso.n_bands, 3);
        } else {
            HH_ASSERT_EQ(rc, HH_ENOMEM);
            HH_ASSERT(iso.bands == NULL);
        }
        hh_isochrone_free(&iso);
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  map isochrone survived a failure at each of %ld allocations\n", k);
    hh_query_free(q);
    hh_net_close(net);
}

/* Many isochrones on two workers, with surfaces and a base to compare
 * with: each allocation failing in turn stops the run with HH_ENOMEM, and
 * what was delivered before it came in origin order. */
static int oom_many_seen(const hh_iso_result *r, void *ud)
{
    size_t *n = ud;
    return r->origin == (*n)++ && r->iso->n_bands == 2 && r->base && r->surface ? 0 : 99;
}

HH_TEST(oom_isochrone_many_fails_cleanly_everywhere)
{
    const char *path = hh_test_net_path("monaco");
    if (!path)
        return;
    hh_net *net = NULL;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_net_info in;
    hh_net_get_info(net, &in);
    hh_snap s[3];
    for (int i = 0; i < 3; i++)
        HH_ASSERT_EQ(hh_snap_point(net, HH_MODE_WALK, in.min_lon + (in.max_lon - in.min_lon) * (i + 1) / 4,
                                   (in.min_lat + in.max_lat) / 2, 2000, &s[i]),
                     0);
    double m[] = {3, 6};
    hh_iso_many r = {net, HH_MODE_WALK, NULL, 50, s, 3, m, 2, NULL, 2, 1, net, NULL, s};
    int ok = 0;
    long k;
    for (k = 0; k < 20000 && !ok; k++) {
        size_t n = 0;
        hh_test_alloc_fail_only(k);
        int rc = hh_isochrone_many(&r, oom_many_seen, &n, NULL);
        hh_test_alloc_restore();
        if (rc == 0) {
            ok = 1;
            HH_ASSERT_EQ(n, 3);
        } else {
            HH_ASSERT_EQ(rc, HH_ENOMEM);
            HH_ASSERT(n < 3);
        }
    }
    HH_ASSERT(ok);
    fprintf(stderr, "  many isochrones survived a failure at each of %ld allocations\n", k);
    hh_net_close(net);
}

/* A scenario of every kind on a small grid (streets added and split, one
 * closed, a line added, trips removed: the hierarchies updated in place and
 * contracted again, the timetable rebuilt): each allocation fails in turn. */
HH_TEST(oom_scenario_fails_cleanly_everywhere)
{
    char osm[300], feed[300], base[300], change[300], out[300];
    const char *tmp = hh_test_tmpdir();
    snprintf(osm, sizeof osm, "%s/oomgrid.osm", tmp);
    snprintf(feed, sizeof feed, "%s/oomgrid.zip", tmp);
    snprintf(base, sizeof base, "%s/oomgrid.hh", tmp);
    snprintf(change, sizeof change, "%s/oomgrid.geojson", tmp);
    snprintf(out, sizeof out, "%s/oomgrid_new.hh", tmp);
    /* 5 x 5 nodes 0.001 degrees apart, streets along both axes */
    FILE *f = fopen(osm, "w");
    HH_ASSERT(f != NULL);
    fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n");
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++)
            fprintf(f, " <node id='%d' lat='%.4f' lon='%.4f'/>\n", 1 + y * 5 + x, 0.001 * y, 0.001 * x);
    for (int k = 0; k < 5; k++) {
        fprintf(f, " <way id='%d'>", 100 + k);
        for (int x = 0; x < 5; x++)
            fprintf(f, "<nd ref='%d'/>", 1 + k * 5 + x);
        fprintf(f, "<tag k='highway' v='residential'/></way>\n <way id='%d'>", 200 + k);
        for (int y = 0; y < 5; y++)
            fprintf(f, "<nd ref='%d'/>", 1 + y * 5 + k);
        fprintf(f, "<tag k='highway' v='residential'/></way>\n");
    }
    fprintf(f, "</osm>\n");
    fclose(f);
    static const hh_test_file files[] = {
        {"agency.txt", "agency_name,agency_url,agency_timezone\nA,http://a.example,Etc/UTC\n"},
        {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,One,0,0\nS2,Two,0.004,0.004\n"},
        {"routes.txt", "route_id,route_short_name,route_type\nR,1,3\nQ,2,3\n"},
        {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                         "D,1,1,1,1,1,1,1,20240101,20241231\n"},
        {"trips.txt", "route_id,service_id,trip_id\nR,D,T\nQ,D,U\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T,08:00:00,08:00:00,S1,1\nT,08:05:00,08:05:00,S2,2\n"
                           "U,09:00:00,09:00:00,S2,1\nU,09:05:00,09:05:00,S1,2\n"},
    };
    HH_ASSERT_EQ(hh_test_write_zip(feed, files, sizeof files / sizeof *files, NULL, 0), 0);
    const char *feeds[] = {feed};
    hh_profile p;
    hh_profile_default(&p);
    HH_ASSERT_EQ(hh_profile_set(&p, "island.min_vertices=1", NULL, 0), 0);
    char err[512] = "";
    HH_ASSERT_EQ(hh_build_transit(osm, feeds, 1, &p, base, NULL, NULL, NULL, err, sizeof err), 0);
    f = fopen(change, "w");
    HH_ASSERT(f != NULL);
    fputs("{\"type\":\"FeatureCollection\",\"features\":["
          "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[0.002,0.002]]},"
          "\"properties\":{\"type\":\"add-street\",\"highway\":\"primary\"}},"
          "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0.0035,0.001],[0.0035,0.003]]},"
          "\"properties\":{\"type\":\"add-street\",\"modes\":[\"walk\"],\"speed_kmh\":6}},"
          "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0.0012,0.0038],[0.0018,0.0038],"
          "[0.0018,0.0042],[0.0012,0.0042],[0.0012,0.0038]]]},\"properties\":{\"type\":\"modify-street\",\"close\":[\"car\"]}},"
          "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0.004],[0.004,0]]},"
          "\"properties\":{\"type\":\"add-line\",\"name\":\"X\",\"headway_min\":10,\"speed_kmh\":30,\"start\":\"07:00\","
          "\"end\":\"09:00\",\"stop_ids\":[null,\"S2\"]}},"
          "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"type\":\"remove-trips\",\"route_id\":\"Q\"}}]}\n",
          f);
    fclose(f);
    int ok = 0;
    long k;
    hh_scenario_stats st;
    for (k = 0; k < 20000 && !ok; k++) {
        err[0] = 0;
        hh_test_alloc_fail_from(k);
        int rc = hh_scenario_apply(base, change, out, &st, err, sizeof err);
        hh_test_alloc_restore();
        struct stat sb;
        if (rc == 0) {
            ok = 1;
            break;
        }
        if (!(rc == HH_ENOMEM || strstr(err, "out of memory")))
            fprintf(stderr, "  failure at allocation %ld: rc %d, %s\n", k, rc, err);
        HH_ASSERT(rc == HH_ENOMEM || strstr(err, "out of memory"));
        HH_ASSERT(stat(out, &sb) != 0);
    }
    HH_ASSERT(ok);
    HH_ASSERT_EQ(st.streets_added, 2);
    HH_ASSERT_EQ(st.ch_how[HH_MODE_CAR], 1);
    HH_ASSERT_EQ(st.ch_how[HH_MODE_BIKE], 0);
    HH_ASSERT_EQ(st.trips_removed, 1);
    fprintf(stderr, "  scenario survived failures at each of its first %ld allocations\n", k);
    unlink(out);
}
