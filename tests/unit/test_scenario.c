/* test_scenario.c: change files and scenarios (src/plan/change.c,
 * scenario.c, scenario_tt.c) -- the docs' examples, bad files, and on the
 * real networks: an empty change identical to the base section by section;
 * a new street never makes a pair slower and a closure never faster, with
 * every hierarchy answering as the plain Dijkstra does on the changed
 * network; a new line never lowers any grid cell's access and removed
 * trips never raise it (every cell of poa). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "plan/change.h"
#include "street/query.h"
#include "testnet.h"

static const char *write_tmp(const char *name, const char *text)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 512, "%s/%s", hh_test_tmpdir(), name);
    FILE *f = fopen(p, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

/* ---- the change file ------------------------------------------------------ */

/* Every ```json block of docs/scenarios.md is a change file that reads. */
HH_TEST(scenario_docs_examples_parse)
{
    FILE *f = fopen("docs/scenarios.md", "r");
    HH_ASSERT(f != NULL);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = 0;
    int blocks = 0;
    int kinds[HH__MOD_N] = {0};
    for (char *p = strstr(doc, "```json\n"); p; p = strstr(p, "```json\n")) {
        p += 8;
        char *end = strstr(p, "```");
        HH_ASSERT(end != NULL);
        *end = 0;
        const char *path = write_tmp("doc_example.geojson", p);
        hh__change c;
        char err[512];
        int rc = hh__change_read(path, &c, err, sizeof err);
        if (rc)
            fprintf(stderr, "  example %d: %s\n", blocks + 1, err);
        HH_ASSERT_EQ(rc, 0);
        for (size_t i = 0; i < c.n; i++)
            kinds[c.mods[i].kind]++;
        hh__change_free(&c);
        blocks++;
        p = end + 3;
    }
    HH_ASSERT(blocks >= 10);
    for (int k = 0; k < HH__MOD_N; k++)
        HH_ASSERT(kinds[k] > 0); /* an example of each type */
}

HH_TEST(scenario_change_file_errors)
{
    static const struct {
        const char *json, *want;
    } rows[] = {
        {"{\"type\":\"FeatureCollection\",\"features\":[", "line 1"},
        {"{\"type\":\"Feature\"}", "expected a GeoJSON FeatureCollection"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{}}]}",
         "feature 1: properties.type is missing"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"type\":\"add-bridge\"}}]}",
         "unknown type \"add-bridge\""},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
         "\"coordinates\":[1,2]},\"properties\":{\"type\":\"add-street\",\"highway\":\"primary\"}}]}",
         "feature 1 (add-street): geometry Point: expected a LineString"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,3]]},\"properties\":{\"type\":\"add-street\",\"highway\":\"autobahn\"}}]}",
         "highway \"autobahn\" is not a road class"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,3]]},\"properties\":{\"type\":\"add-line\",\"name\":\"X\",\"headway_min\":0,"
         "\"speed_kmh\":30,\"start\":\"06:00\",\"end\":\"07:00\"}}]}",
         "feature 1 (add-line \"X\"): headway_min must be above 0"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,3]]},\"properties\":{\"type\":\"add-line\",\"headway_min\":5,"
         "\"speed_kmh\":30,\"start\":\"06:00\"}}]}",
         "needs \"start\" and \"end\""},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,3],[1,4]]},\"properties\":{\"type\":\"add-line\",\"departures\":[\"07:00\"],"
         "\"run_times_s\":[60]}}]}",
         "run_times_s must be an array of 2 numbers"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,3]]},\"properties\":{\"type\":\"add-line\",\"departures\":[\"07:00\",\"06:00\"],"
         "\"speed_kmh\":30}}]}",
         "times must increase"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
         "\"properties\":{\"type\":\"adjust-frequency\",\"route_id\":\"1\"}}]}",
         "feature 1 (adjust-frequency): give \"headway_min\""},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
         "\"properties\":{\"type\":\"remove-trips\"}}]}",
         "give \"route_id\""},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
         "\"properties\":{\"type\":\"modify-street\",\"close\":[\"car\"]}}]}",
         "give a Polygon (the streets inside) or \"osm_way_ids\""},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
         "\"properties\":{\"type\":\"modify-street\",\"osm_way_ids\":[1],\"close\":[\"boat\"]}}]}",
         "close[0]: expected walk, bike or car"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
         "\"properties\":{\"type\":\"remove-trips\",\"route_id\":\"1\",\"start\":\"25:99\"}}]}",
         "start: expected a time"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const char *path = write_tmp("bad.geojson", rows[i].json);
        hh__change c;
        char err[512] = "";
        int rc = hh__change_read(path, &c, err, sizeof err);
        if (rc == 0 || !strstr(err, rows[i].want) || strchr(err, '\n'))
            fprintf(stderr, "  row %zu: rc %d, message \"%s\", want \"%s\"\n", i, rc, err, rows[i].want);
        HH_ASSERT(rc != 0);
        HH_ASSERT(strstr(err, rows[i].want) != NULL);
        HH_ASSERT(strchr(err, '\n') == NULL);
    }
}

/* ---- on real networks ------------------------------------------------------ */

static const char *apply(const char *base, const char *name, const char *json, hh_scenario_stats *st)
{
    static char outs[8][512];
    static int k;
    char *out = outs[k++ % 8];
    char cname[128];
    snprintf(cname, sizeof cname, "%s.geojson", name);
    const char *change = write_tmp(cname, json);
    snprintf(out, 512, "%s/%s.hh", hh_test_tmpdir(), name);
    char err[512];
    hh_scenario_stats s;
    if (hh_scenario_apply(base, change, out, st ? st : &s, err, sizeof err)) {
        fprintf(stderr, "  scenario %s: %s\n", name, err);
        return NULL;
    }
    return out;
}

/* The empty change: every section but the text of META byte for byte. */
HH_TEST(scenario_empty_change_is_identical_poa)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_scenario_stats st;
    const char *out = apply(path, "empty", "{\"type\":\"FeatureCollection\",\"features\":[]}", &st);
    HH_ASSERT(out != NULL);
    for (int m = 0; m < HH_N_MODES; m++)
        HH_ASSERT_EQ(st.ch_how[m], -1);
    hh_net *a, *b;
    HH_ASSERT_EQ(hh_net_open(path, &a, NULL, 0), 0);
    HH_ASSERT_EQ(hh_net_open(out, &b, NULL, 0), 0);
    HH_ASSERT_EQ(a->n_sections, b->n_sections);
    int bad = 0;
    for (uint32_t i = 0; i < a->n_sections; i++) {
        const hh__section *s = &a->sections[i];
        if (s->id == HH_SEC_META)
            continue;
        uint64_t n = 0;
        const void *d = hh__net_section(b, s->id, s->elem_size, &n);
        if (!d || n != s->count || memcmp(d, a->map + s->offset, (size_t)(n * s->elem_size))) {
            fprintf(stderr, "  section %u differs\n", s->id);
            bad = 1;
        }
    }
    HH_ASSERT(!bad);
    hh_net_scenario_info si;
    HH_ASSERT_EQ(hh_net_scenario(b, &si), 1);
    HH_ASSERT_STR(si.change, "empty.geojson");
    HH_ASSERT_EQ(strlen(si.sha256), 64);
    HH_ASSERT_EQ(hh_net_scenario(a, &si), 0);
    hh_net_close(a), hh_net_close(b);
}

/* A random point of the network's area, snapped to mode m on b (and, when
 * a is given, on a: *same 1 when both put it at the same place). */
static int rand_snap(const hh_net *b, const hh_net *a, hh_mode m, uint64_t *rs, hh_snap *sb, hh_snap *sa,
                     int *same)
{
    double x0 = b->info.min_lon, x1 = b->info.max_lon, y0 = b->info.min_lat, y1 = b->info.max_lat;
    for (int tries = 0; tries < 100; tries++) {
        double lon = x0 + (x1 - x0) * (double)(hh_test_rand(rs) % 100000) / 100000;
        double lat = y0 + (y1 - y0) * (double)(hh_test_rand(rs) % 100000) / 100000;
        if (hh_snap_point(b, m, lon, lat, 300, sb))
            continue;
        *same = !hh_snap_point(a, m, lon, lat, 300, sa) && fabs(sa->lon - sb->lon) < 1e-9 &&
                fabs(sa->lat - sb->lat) < 1e-9 && fabs(sa->off_m - sb->off_m) < 1e-6;
        return 1;
    }
    return 0;
}

/* Pairs of random points: on the scenario, the hierarchy's time equals
 * the plain Dijkstra's; against the base, sign = -1 says never slower,
 * +1 never faster (pairs whose points snap to the same places on both). */
static void pairs_check(const char *base, const char *scen, hh_mode m, int sign, uint64_t seed, int *compared)
{
    hh_net *a, *b;
    HH_ASSERT_EQ(hh_net_open(base, &a, NULL, 0), 0);
    HH_ASSERT_EQ(hh_net_open(scen, &b, NULL, 0), 0);
    HH_ASSERT(b->ch[m].n > 0);
    hh_query *qa, *qb, *qd;
    HH_ASSERT_EQ(hh_query_init(a, &qa), 0);
    HH_ASSERT_EQ(hh_query_init(b, &qb), 0);
    HH_ASSERT_EQ(hh_query_init(b, &qd), 0);
    hh__query_force_dijkstra(qd, 1);
    uint64_t rs = seed;
    int bad = 0, n = 0, diff = 0;
    for (int k = 0; k < 60 && !bad; k++) {
        hh_snap o, oa;
        int same_o;
        if (!rand_snap(b, a, m, &rs, &o, &oa, &same_o))
            continue;
        HH_ASSERT_EQ(hh_query_run(qb, m, &o, INFINITY), 0);
        HH_ASSERT_EQ(hh_query_run(qd, m, &o, INFINITY), 0);
        if (same_o)
            HH_ASSERT_EQ(hh_query_run(qa, m, &oa, INFINITY), 0);
        for (int j = 0; j < 10 && !bad; j++) {
            hh_snap t, ta;
            int same_t;
            if (!rand_snap(b, a, m, &rs, &t, &ta, &same_t))
                continue;
            double tb, td, tq, db, dd, dq;
            if (hh_query_time_to(qb, &t, &tb, &db))
                tb = INFINITY;
            if (hh_query_time_to(qd, &t, &td, &dd))
                td = INFINITY;
            if (tb != td) {
                fprintf(stderr, "  %s pair %d/%d: hierarchy %.1f s, Dijkstra %.1f s\n", hh_mode_name(m), k, j, tb, td);
                bad = 1;
            }
            if (!same_o || !same_t)
                continue;
            if (hh_query_time_to(qa, &ta, &tq, &dq))
                tq = INFINITY;
            n++;
            diff += tq != tb;
            if ((sign < 0 && tb > tq) || (sign > 0 && tb < tq)) {
                fprintf(stderr, "  %s pair %d/%d: base %.1f s, scenario %.1f s\n", hh_mode_name(m), k, j, tq, tb);
                bad = 1;
            }
        }
    }
    hh_query_free(qa), hh_query_free(qb), hh_query_free(qd);
    hh_net_close(a), hh_net_close(b);
    HH_ASSERT(!bad);
    HH_ASSERT(n >= 100);
    *compared += diff;
}

/* A bridge across the Douro east of Porto's bridges, joined mid-edge on
 * both banks: every hierarchy updated in place, answers as Dijkstra's, no
 * pair slower, some faster. */
HH_TEST(scenario_bridge_porto_exact_and_never_slower)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_scenario_stats st;
    const char *out =
        apply(path, "bridge",
              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":"
              "\"LineString\",\"coordinates\":[[-8.5905,41.1420],[-8.5905,41.1385]]},\"properties\":{\"type\":"
              "\"add-street\",\"name\":\"Ponte nova\",\"modes\":[\"car\",\"bike\",\"walk\"],\"highway\":\"primary\","
              "\"tolerance_m\":300}}]}",
              &st);
    HH_ASSERT(out != NULL);
    HH_ASSERT_EQ(st.streets_added, 1);
    HH_ASSERT_EQ(st.edges_split, 2);
    for (int m = 0; m < HH_N_MODES; m++)
        HH_ASSERT_EQ(st.ch_how[m], 0);
    int changed = 0;
    for (int m = 0; m < HH_N_MODES && !hh_test_failed; m++)
        pairs_check(path, out, (hh_mode)m, -1, 31 + (uint64_t)m, &changed);
    HH_ASSERT(changed > 0);
}

/* Cars banned from the streets of central Porto (Baixa): recontracted in
 * the base's order, answers as Dijkstra's, no pair faster, some slower. */
HH_TEST(scenario_closure_porto_exact_and_never_faster)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_scenario_stats st;
    const char *out =
        apply(path, "closure",
              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
              "\"coordinates\":[[[-8.6200,41.1420],[-8.6020,41.1420],[-8.6020,41.1520],[-8.6200,41.1520],"
              "[-8.6200,41.1420]]]},\"properties\":{\"type\":\"modify-street\",\"close\":[\"car\"]}},"
              "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-8.66,41.16],[-8.64,41.16],"
              "[-8.64,41.18],[-8.66,41.18],[-8.66,41.16]]]},\"properties\":{\"type\":\"road-congestion\","
              "\"speed_factor\":0.5}}]}",
              &st);
    HH_ASSERT(out != NULL);
    HH_ASSERT(st.edges_changed > 100);
    HH_ASSERT_EQ(st.ch_how[HH_MODE_CAR], 1);
    HH_ASSERT_EQ(st.ch_how[HH_MODE_WALK], -1);
    int changed = 0;
    pairs_check(path, out, HH_MODE_CAR, +1, 77, &changed);
    HH_ASSERT(changed > 0);
    pairs_check(path, out, HH_MODE_WALK, +1, 78, &changed);
}

/* Transit access (stops reached within 30 minutes, median departure) of
 * every cell of a 250 m grid over poa, on the base and on a scenario. */
static void access_cells(const char *base, const char *scen, int sign)
{
    hh_net *a, *b;
    HH_ASSERT_EQ(hh_net_open(base, &a, NULL, 0), 0);
    HH_ASSERT_EQ(hh_net_open(scen, &b, NULL, 0), 0);
    hh_layers ls;
    HH_ASSERT_EQ(hh_net_layers(b, &ls), 0);
    int lay = hh_layers_find(&ls, "transit_stops");
    HH_ASSERT(lay >= 0);
    hh_grid g;
    HH_ASSERT_EQ(hh_grid_make(a, 250, &g, NULL, 0), 0);
    hh_points pts = {g.n, NULL, g.lon, g.lat};
    hh_transit_opts o;
    memset(&o, 0, sizeof o);
    o.date = 20190513, o.depart_s = 12 * 3600, o.window_min = 10, o.max_walk_s = 900, o.max_rides = 4, o.draws = 3;
    o.max_s = 1800;
    hh_transit *ta, *tb;
    char err[256];
    HH_ASSERT_EQ(hh_transit_prepare(a, &o, &ta, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_transit_prepare(b, &o, &tb, err, sizeof err), 0);
    double minutes = 30, pct = 50;
    size_t sel = (size_t)lay;
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.transit = ta, ao.pct = &pct, ao.n_pct = 1, ao.minutes = &minutes, ao.n_minutes = 1;
    ao.decay = HH_DECAY_STEP, ao.layers = &sel, ao.n_layers = 1, ao.sfca_supply = ao.sfca_demand = -1;
    ao.snap_max_m = 500;
    hh_table x, y;
    HH_ASSERT_EQ(hh_access_run(a, &ao, &ls, &pts, &x, NULL, err, sizeof err), 0);
    ao.transit = tb;
    HH_ASSERT_EQ(hh_access_run(b, &ao, &ls, &pts, &y, NULL, err, sizeof err), 0);
    size_t cells = 0, moved = 0, wrong = 0;
    for (size_t i = 0; i < x.n_rows; i++) {
        double u = x.v[i], v = y.v[i];
        if (isnan(u) && isnan(v))
            continue;
        cells++;
        if (isnan(u) != isnan(v) || (sign < 0 && v < u) || (sign > 0 && v > u)) {
            if (wrong++ < 5)
                fprintf(stderr, "  cell %zu: base %g, scenario %g\n", i, u, v);
        }
        moved += u != v;
    }
    HH_ASSERT_EQ(wrong, 0);
    HH_ASSERT(cells > 300);
    HH_ASSERT(moved > 0);
    hh_table_free(&x), hh_table_free(&y);
    hh_transit_free(ta), hh_transit_free(tb);
    hh_grid_free(&g);
    hh_layers_free(&ls);
    hh_net_close(a), hh_net_close(b);
}

/* An express line across Porto Alegre: no cell reaches fewer stops. */
HH_TEST(scenario_line_poa_every_cell_never_worse)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_scenario_stats st;
    const char *out = apply(
        path, "express",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
        "\"coordinates\":[[-51.2278,-30.0290],[-51.2100,-30.0330],[-51.1950,-30.0420],[-51.1800,-30.0520],"
        "[-51.1650,-30.0650],[-51.1500,-30.0800]]},\"properties\":{\"type\":\"add-line\",\"name\":\"Express 1\","
        "\"mode\":\"bus\",\"headway_min\":5,\"speed_kmh\":40,\"dwell_s\":20,\"start\":\"06:00\",\"end\":\"22:00\","
        "\"bidirectional\":true}}]}",
        &st);
    HH_ASSERT(out != NULL);
    HH_ASSERT_EQ(st.stops_added, 6);
    HH_ASSERT_EQ(st.transit_how, 0);
    access_cells(path, out, -1);
}

/* The two busiest routes gone: no cell reaches more stops. */
HH_TEST(scenario_removed_trips_poa_every_cell_never_better)
{
    const char *path = hh_test_net_path("poa-transit");
    if (!path)
        return;
    hh_scenario_stats st;
    const char *out = apply(path, "removed",
                            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,"
                            "\"properties\":{\"type\":\"remove-trips\",\"route_ids\":[\"T9\",\"T7\"]}}]}",
                            &st);
    HH_ASSERT(out != NULL);
    HH_ASSERT(st.trips_removed > 100);
    access_cells(path, out, +1);
}
