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
            hh_matrix_opts mo = {HH_MODE_WALK, INFINITY, 2000, 2};
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
