/* test_gtfs.c: the GTFS reader on hand-built feeds with known answers (zipped
 * at run time from the strings below) and on the real feeds of ../shared. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "halfhour.h"
#include "hhtest.h"
#include "testfeed.h"
#include "testalloc.h"
#include "ingest/gtfs.h"
#include "ingest/gtfs_csv.h"

/* ---- hand-built feeds ------------------------------------------------- */

typedef hh_test_file tfile;

#define AGENCY "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a.example,Europe/Berlin\n"
/* S1 -> S2 is 1/3 of S1 -> S3 (same latitude, longitudes 8.00, 8.01, 8.03) */
#define STOPS                                                                   \
    "stop_id,stop_name,stop_lat,stop_lon\n"                                     \
    "S1,One,49.0,8.00\nS2,Two,49.0,8.01\nS3,Three,49.0,8.03\nS4,Four,49.0,8.04\n"
#define ROUTES "route_id,route_short_name,route_type\nR1,1,3\nR2,2,0\n"
#define CAL                                                                     \
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" \
    "WK,1,1,1,1,1,0,0,20240101,20240131\n"
#define TRIPS "route_id,service_id,trip_id\nR1,WK,T1\n"
#define ST                                                                      \
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"               \
    "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\nT1,08:20:00,08:20:00,S3,3\n"

static const tfile BASE[] = {
    {"agency.txt", AGENCY}, {"stops.txt", STOPS},  {"routes.txt", ROUTES},
    {"calendar.txt", CAL},  {"trips.txt", TRIPS}, {"stop_times.txt", ST},
};
#define N_BASE (sizeof BASE / sizeof *BASE)

/* Writes a zip of BASE with `over` replacing or adding files. */
static int write_feed(const char *path, const tfile *over, size_t n_over)
{
    return hh_test_write_zip(path, BASE, N_BASE, over, n_over);
}

/* <fresh temporary folder>/<name>: the zip keeps the name messages show */
static int tmp_path(char *buf, size_t n, const char *name)
{
    char dir[] = "/tmp/hh_gtfs_XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    snprintf(buf, n, "%s/%s", dir, name);
    return 0;
}

static void tmp_remove(const char *path)
{
    char dir[128];
    unlink(path);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        rmdir(dir);
    }
}

/* Zips BASE+over as <tmp>/<name> and loads it alone. */
static int load_feed(const char *name, const tfile *over, size_t n_over, hh__timetable **tt, char *err,
                     size_t errlen)
{
    char path[128];
    if (tmp_path(path, sizeof path, name) || write_feed(path, over, n_over)) {
        snprintf(err, errlen, "test: cannot write %s", path);
        return -100;
    }
    const char *paths[1] = {path};
    int rc = hh__gtfs_load(paths, 1, tt, err, errlen);
    tmp_remove(path);
    return rc;
}

#define N(a) (sizeof(a) / sizeof *(a))

static uint32_t find(const hh__timetable *tt, hh__gtfs_kind k, const char *id)
{
    return hh__timetable_find(tt, k, 0, id);
}

/* arrival and departure of trip `id` at position i */
static int32_t arr_of(const hh__timetable *tt, const char *id, uint32_t i)
{
    return tt->arr[tt->trip_st[find(tt, HH__GTFS_TRIP, id)] + i];
}
static int32_t dep_of(const hh__timetable *tt, const char *id, uint32_t i)
{
    return tt->dep[tt->trip_st[find(tt, HH__GTFS_TRIP, id)] + i];
}

HH_TEST(gtfs_minimal_feed)
{
    hh__timetable *tt = NULL;
    char err[256];
    int rc = load_feed("min.zip", NULL, 0, &tt, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    HH_ASSERT_EQ(tt->n_feeds, 1);
    HH_ASSERT_STR(tt->feeds[0].name, "min.zip");
    HH_ASSERT_STR(tt->feeds[0].timezone, "Europe/Berlin");
    HH_ASSERT_EQ(tt->n_stops, 4);
    HH_ASSERT_EQ(tt->n_routes, 2);
    HH_ASSERT_EQ(tt->n_trips, 1);
    HH_ASSERT_EQ(tt->n_patterns, 1);
    HH_ASSERT_EQ(tt->n_stop_times, 3);
    HH_ASSERT_EQ(arr_of(tt, "T1", 1), 8 * 3600 + 600);
    HH_ASSERT_EQ(dep_of(tt, "T1", 1), 8 * 3600 + 660);
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_name[find(tt, HH__GTFS_STOP, "S3")]), "Three");
    HH_ASSERT_EQ(tt->route_type[find(tt, HH__GTFS_ROUTE, "R2")], 0);
    HH_ASSERT_EQ(find(tt, HH__GTFS_STOP, "nope"), HH__GTFS_NONE);
    HH_ASSERT_EQ(hh__timetable_find(tt, HH__GTFS_STOP, 1, "S1"), HH__GTFS_NONE);
    /* S4 is served by nothing; S2 by the one pattern at position 1 */
    uint32_t s2 = find(tt, HH__GTFS_STOP, "S2"), s4 = find(tt, HH__GTFS_STOP, "S4");
    HH_ASSERT_EQ(tt->stop_pat_first[s4 + 1] - tt->stop_pat_first[s4], 0);
    HH_ASSERT_EQ(tt->stop_pat_first[s2 + 1] - tt->stop_pat_first[s2], 1);
    HH_ASSERT_EQ(tt->stop_pat_pos[tt->stop_pat_first[s2]], 1);
    HH_ASSERT_EQ(tt->feeds[0].first_date, 20240101);
    HH_ASSERT_EQ(tt->feeds[0].last_date, 20240131);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_overnight_trip)
{
    const tfile over[] = {
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,NIGHT\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "NIGHT,23:50:00,23:50:00,S1,1\nNIGHT,,,S2,2\nNIGHT,24:20:00,24:20:00,S3,3\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("night.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(dep_of(tt, "NIGHT", 0), 23 * 3600 + 50 * 60);
    HH_ASSERT_EQ(arr_of(tt, "NIGHT", 2), 24 * 3600 + 20 * 60); /* 87600, past midnight */
    /* S2 lies a third of the way: 23:50 + 10 min */
    HH_ASSERT_EQ(arr_of(tt, "NIGHT", 1), 24 * 3600);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_calendar_dates_add_remove)
{
    const tfile over[] = {
        {"calendar_dates.txt", "service_id,date,exception_type\r\n"
                               "WK,20240102,2\r\nWK,20240106,1\r\nX,20240110,1\r\nX,20240110,1\r\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("cal.zip", over, N(over), &tt, err, sizeof err), 0);
    uint32_t wk = find(tt, HH__GTFS_SERVICE, "WK"), x = find(tt, HH__GTFS_SERVICE, "X");
    HH_ASSERT(wk != HH__GTFS_NONE && x != HH__GTFS_NONE);
    HH_ASSERT_EQ(tt->n_services, 2);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240101), 1); /* Monday */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240102), 0); /* removed */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240103), 1);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240106), 1); /* Saturday, added */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240107), 0); /* Sunday */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240201), 0); /* after end_date */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20231229), 0); /* before start_date */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, x, 20240110), 1);  /* only calendar_dates */
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, x, 20240111), 0);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240230), 0); /* no such date */
    uint8_t act[2];
    HH_ASSERT_EQ(hh__timetable_services_on(tt, 20240110, act), 0);
    HH_ASSERT(act[wk] == 1 && act[x] == 1);
    HH_ASSERT_EQ(hh__timetable_services_on(tt, 20240102, act), 0);
    HH_ASSERT(act[wk] == 0 && act[x] == 0);
    HH_ASSERT_EQ(hh__timetable_services_on(tt, 20241301, act), HH_EINVAL);
    HH_ASSERT_EQ(tt->feeds[0].first_date, 20240101);
    HH_ASSERT_EQ(tt->feeds[0].last_date, 20240131);
    int32_t a, b;
    hh__timetable_service_span(tt, x, &a, &b);
    HH_ASSERT(a == 20240110 && b == 20240110);
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 20240115, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 20240301, err, sizeof err), HH_ERANGE);
    HH_ASSERT_STR(err, "date 2024-03-01 is outside every feed's service range: cal.zip 2024-01-01..2024-01-31");
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 2024013, err, sizeof err), HH_EINVAL);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_calendar_dates_only)
{
    /* no calendar.txt at all; the service's range is its added days */
    const tfile over[] = {
        {"calendar.txt", NULL},
        {"calendar_dates.txt", "service_id,date,exception_type\nWK,20240305,1\nWK,20240301,1\nWK,20240303,2\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("dates.zip", over, N(over), &tt, err, sizeof err), 0);
    uint32_t wk = find(tt, HH__GTFS_SERVICE, "WK");
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240301), 1);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240302), 0);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk, 20240305), 1);
    HH_ASSERT_EQ(tt->feeds[0].first_date, 20240301);
    HH_ASSERT_EQ(tt->feeds[0].last_date, 20240305);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_range_trims_removed_edges)
{
    /* calendar says Jan 1..31 on Mondays; the first and last Monday are
     * removed, so service really runs Jan 8..22 */
    const tfile over[] = {
        {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                         "WK,1,0,0,0,0,0,0,20240101,20240131\n"},
        {"calendar_dates.txt", "service_id,date,exception_type\nWK,20240101,2\nWK,20240129,2\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("trim.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(tt->feeds[0].first_date, 20240108);
    HH_ASSERT_EQ(tt->feeds[0].last_date, 20240122);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_interpolate_straight_line)
{
    /* blank S2 lies 1/3 of the straight distance from S1 to S3 */
    const tfile over[] = {
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,08:00:00,08:00:00,S1,1\nT1,,,S2,2\nT1,08:03:00,08:03:00,S3,3\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("blank.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(arr_of(tt, "T1", 1), 8 * 3600 + 60);
    HH_ASSERT_EQ(dep_of(tt, "T1", 1), 8 * 3600 + 60);
    HH_ASSERT_EQ(tt->feeds[0].n_interpolated, 1);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_interpolate_high_latitude)
{
    /* at 60 N a degree of longitude is half a degree of latitude: A->B
     * (0.02 deg east) equals B->C (0.01 deg north), so B is half-way */
    const tfile over[] = {
        {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,a,60.0,0.0\nB,b,60.0,0.02\nC,c,60.01,0.02\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,10:00:00,10:00:00,A,1\nT1,,,B,2\nT1,10:10:00,10:10:00,C,3\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("north.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(arr_of(tt, "T1", 1), 10 * 3600 + 300);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_interpolate_shape_dist)
{
    /* shape_dist_traveled wins over geometry (S2 is 1/3 by geometry, 0.3
     * by shape distance); a run with a blank distance falls back */
    const tfile over[] = {
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
                           "T1,08:00:00,08:00:00,S1,1,0\nT1,,,S2,2,300\nT1,08:16:40,08:16:40,S3,3,1000\n"
                           "T2,09:00:00,09:00:00,S1,1,0\nT2,,,S2,2,\nT2,09:03:00,09:03:00,S3,3,1000\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("shape.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(arr_of(tt, "T1", 1), 8 * 3600 + 300);
    HH_ASSERT_EQ(arr_of(tt, "T2", 1), 9 * 3600 + 60);
    HH_ASSERT_EQ(tt->feeds[0].n_interpolated, 2);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_frequencies)
{
    const tfile over[] = {
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,F1\nR2,WK,F2\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,08:00:00,08:00:00,S1,1\nT1,08:20:00,08:20:00,S3,2\n"
                           "F1,00:00:00,00:00:00,S1,1\nF1,00:05:00,00:06:00,S2,2\nF1,00:12:00,00:12:00,S3,3\n"
                           "F2,06:00:00,06:00:00,S3,1\nF2,06:04:00,06:04:00,S4,2\n"},
        {"frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\n"
                            "F1,16:00:00,19:00:00,600,1\nF1,06:00:00,09:00:00,300,0\nF2,05:00:00,25:00:00,900,\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("freq.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    HH_ASSERT_EQ(tt->n_freqs, 3);
    uint32_t f1 = find(tt, HH__GTFS_TRIP, "F1"), f2 = find(tt, HH__GTFS_TRIP, "F2"), t1 = find(tt, HH__GTFS_TRIP, "T1");
    HH_ASSERT_EQ(tt->trip_freq_first[f1 + 1] - tt->trip_freq_first[f1], 2);
    HH_ASSERT_EQ(tt->trip_freq_first[t1 + 1] - tt->trip_freq_first[t1], 0);
    uint32_t i = tt->trip_freq_first[f1]; /* sorted by start: the 06:00 window first */
    HH_ASSERT_EQ(tt->freq_start[i], 6 * 3600);
    HH_ASSERT_EQ(tt->freq_end[i], 9 * 3600);
    HH_ASSERT_EQ(tt->freq_headway[i], 300);
    HH_ASSERT_EQ(tt->freq_exact[i], 0);
    HH_ASSERT_EQ(tt->freq_start[i + 1], 16 * 3600);
    HH_ASSERT_EQ(tt->freq_headway[i + 1], 600);
    HH_ASSERT_EQ(tt->freq_exact[i + 1], 1);
    i = tt->trip_freq_first[f2];
    HH_ASSERT_EQ(tt->freq_end[i], 25 * 3600);
    HH_ASSERT_EQ(tt->freq_exact[i], 0); /* blank exact_times means 0 */
    HH_ASSERT_EQ(tt->pat_freq[tt->trip_pattern[f1]], 1);
    HH_ASSERT_EQ(tt->pat_freq[tt->trip_pattern[t1]], 0);
    HH_ASSERT(tt->trip_pattern[f1] != tt->trip_pattern[t1]);
    /* the template keeps its offsets: dwell at S2 5..6 min */
    HH_ASSERT_EQ(arr_of(tt, "F1", 1) - dep_of(tt, "F1", 0), 300);
    HH_ASSERT_EQ(dep_of(tt, "F1", 1) - dep_of(tt, "F1", 0), 360);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_patterns_sorted_split)
{
    /* R1 trips over S1-S2-S3 listed out of order; C overtakes B (leaves
     * later, arrives earlier) and must get its own pattern; D skips S2;
     * E may not be boarded at S1 (pickup_type 1), F is on another route */
    const tfile over[] = {
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,A\nR1,WK,B\nR1,WK,C\nR1,WK,D\nR1,WK,E\nR2,WK,F\n"},
        {"stop_times.txt",
         "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n"
         "A,09:00:00,09:00:00,S1,1,,\nA,09:10:00,09:10:00,S2,2,,\nA,09:20:00,09:20:00,S3,3,,\n"
         "B,08:00:00,08:00:00,S1,1,,\nB,08:30:00,08:30:00,S2,2,,\nB,09:00:00,09:00:00,S3,3,,\n"
         "C,08:05:00,08:05:00,S1,1,,\nC,08:15:00,08:15:00,S2,2,,\nC,08:25:00,08:25:00,S3,3,,\n"
         "D,08:00:00,08:00:00,S1,1,,\nD,08:20:00,08:20:00,S3,2,,\n"
         "E,07:00:00,07:00:00,S1,1,1,\nE,07:10:00,07:10:00,S2,2,,\nE,07:20:00,07:20:00,S3,3,,1\n"
         "F,07:00:00,07:00:00,S1,1,,\nF,07:10:00,07:10:00,S2,2,,\nF,07:20:00,07:20:00,S3,3,,\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("pat.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    uint32_t a = find(tt, HH__GTFS_TRIP, "A"), b = find(tt, HH__GTFS_TRIP, "B"),
             c = find(tt, HH__GTFS_TRIP, "C"), d = find(tt, HH__GTFS_TRIP, "D"),
             e = find(tt, HH__GTFS_TRIP, "E"), f = find(tt, HH__GTFS_TRIP, "F");
    HH_ASSERT_EQ(tt->n_patterns, 5);
    /* B then A share one pattern, in departure order */
    uint32_t p = tt->trip_pattern[b];
    HH_ASSERT_EQ(tt->trip_pattern[a], p);
    HH_ASSERT_EQ(tt->pat_trip_first[p + 1] - tt->pat_trip_first[p], 2);
    HH_ASSERT_EQ(tt->pat_trips[tt->pat_trip_first[p]], b);
    HH_ASSERT_EQ(tt->pat_trips[tt->pat_trip_first[p] + 1], a);
    HH_ASSERT_EQ(tt->trip_st[a], tt->trip_st[b] + 3);
    HH_ASSERT(tt->trip_pattern[c] != p);
    HH_ASSERT(tt->trip_pattern[d] != p && tt->trip_pattern[e] != p && tt->trip_pattern[f] != p);
    HH_ASSERT_EQ(tt->pat_route[tt->trip_pattern[f]], find(tt, HH__GTFS_ROUTE, "R2"));
    uint32_t pe = tt->trip_pattern[e];
    HH_ASSERT_EQ(tt->pat_stop_flags[tt->pat_stop_first[pe]], HH__GTFS_NO_BOARD);
    HH_ASSERT_EQ(tt->pat_stop_flags[tt->pat_stop_first[pe] + 2], HH__GTFS_NO_ALIGHT);
    HH_ASSERT_EQ(tt->pat_stop_flags[tt->pat_stop_first[p]], 0);
    /* S1 is served by all five patterns, S2 by four */
    uint32_t s1 = find(tt, HH__GTFS_STOP, "S1"), s2 = find(tt, HH__GTFS_STOP, "S2");
    HH_ASSERT_EQ(tt->stop_pat_first[s1 + 1] - tt->stop_pat_first[s1], 5);
    HH_ASSERT_EQ(tt->stop_pat_first[s2 + 1] - tt->stop_pat_first[s2], 4);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_loop_trip_and_sequence_order)
{
    /* rows out of stop_sequence order (gaps allowed), a loop back to S1 */
    const tfile over[] = {
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,08:20:00,08:20:00,S1,30\nT1,08:00:00,08:00:00,S1,5\nT1,08:10:00,08:10:00,S2,10\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("loop.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(dep_of(tt, "T1", 0), 8 * 3600);
    HH_ASSERT_EQ(arr_of(tt, "T1", 2), 8 * 3600 + 1200);
    uint32_t s1 = find(tt, HH__GTFS_STOP, "S1");
    HH_ASSERT_EQ(tt->stop_pat_first[s1 + 1] - tt->stop_pat_first[s1], 1);
    HH_ASSERT_EQ(tt->stop_pat_pos[tt->stop_pat_first[s1]], 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_csv_quoting_bom_crlf)
{
    /* BOM, CRLF, columns in another order, an unknown column, a quoted
     * comma, doubled quotes, a line break inside quotes, blank trailing
     * lines, a header name with a stray blank */
    const tfile over[] = {
        {"stops.txt", "\xEF\xBB\xBFstop_lat,zone,stop_id, stop_name,stop_lon\r\n"
                      "49.0,z1,S1,\"Main St, north\",8.00\r\n"
                      "49.0,,S2,\"The \"\"Hub\"\"\",8.01\r\n"
                      "49.0,\"a\r\nb\",S3,\"two\r\nlines\",8.03\r\n"
                      "49.0,,S4,Four,8.04\r\n\r\n\r\n"},
        {"agency.txt", "\xEF\xBB\xBF" "agency_timezone,agency_name\r\n\"Europe/Berlin\",\"A, B\"\r\n"},
        /* the header line counts, the quoted CRLF too: the bad time is on line 5 */
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_headsign\r\n"
                           "T1,08:00:00,08:00:00,S1,1,\"x\r\ny\"\r\nT1,08:10:00,08:11:00,S2,2,\r\n"
                           "T1,08:20:00,08:20:00,S3,3,\r\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    int rc = load_feed("quoted.zip", over, N(over), &tt, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(tt->n_stops, 4);
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_name[find(tt, HH__GTFS_STOP, "S1")]), "Main St, north");
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_name[find(tt, HH__GTFS_STOP, "S2")]), "The \"Hub\"");
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_name[find(tt, HH__GTFS_STOP, "S3")]), "two\r\nlines");
    HH_ASSERT_NEAR(tt->stop_lon[find(tt, HH__GTFS_STOP, "S3")], 8.03, 1e-12);
    HH_ASSERT_EQ(arr_of(tt, "T1", 2), 8 * 3600 + 1200);
    hh__timetable_free(tt);

    const tfile bad[] = {
        over[0], over[1],
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_headsign\r\n"
                           "T1,08:00:00,08:00:00,S1,1,\"x\r\ny\"\r\nT1,08:10:00,08:11:00,S2,2,\r\n"
                           "T1,8:2O:00,08:20:00,S3,3,\r\n"},
    };
    tt = NULL;
    HH_ASSERT_EQ(load_feed("quoted.zip", bad, N(bad), &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "quoted.zip: stop_times.txt line 5: arrival_time \"8:2O:00\" is not a time");
    HH_ASSERT(tt == NULL);
}

HH_TEST(gtfs_error_missing_column)
{
    const tfile over[] = {{"stops.txt", "stop_id,stop_name,stop_lon\nS1,One,8.0\n"}};
    static int sentinel;
    hh__timetable *tt = (hh__timetable *)&sentinel; /* must stay untouched */
    char err[256];
    HH_ASSERT_EQ(load_feed("nocol.zip", over, N(over), &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "nocol.zip: stops.txt: missing required column stop_lat");
    HH_ASSERT(tt == (hh__timetable *)&sentinel);
}

HH_TEST(gtfs_error_bad_time_names_line)
{
    const tfile over[] = {
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,08:00:00,08:00:00,S1,1\nT1,25:6x:00,25:61:00,S2,2\nT1,08:20:00,08:20:00,S3,3\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("poa_eptc.zip", over, N(over), &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "poa_eptc.zip: stop_times.txt line 3: arrival_time \"25:6x:00\" is not a time");
    HH_ASSERT(tt == NULL);
}

/* One malformed feed and the message it must produce. */
typedef struct bad_case {
    tfile file;
    const char *want;
} bad_case;

HH_TEST(gtfs_error_messages)
{
    static const bad_case cases[] = {
        {{"stop_times.txt", NULL}, "bad.zip: missing required file stop_times.txt"},
        {{"calendar.txt", NULL}, "bad.zip: missing required file calendar.txt or calendar_dates.txt (neither found)"},
        {{"stops.txt", ""}, "bad.zip: stops.txt is empty (no header line)"},
        {{"agency.txt", "agency_name\nA\n"}, "bad.zip: agency.txt: missing required column agency_timezone"},
        {{"agency.txt", "agency_timezone\nEurope/Berlin\nEurope/Paris\n"},
         "bad.zip: agency.txt line 3: agency_timezone \"Europe/Paris\" differs from the feed's first agency"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49,8\nS1,49,9\n"},
         "bad.zip: stops.txt line 3: stop_id \"S1\" appears twice with different rows: line 2 \"S1,49,8\", "
         "line 3 \"S1,49,9\""},
        {{"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                          "WK,1,1,1,1,1,0,0,20240101,20240131\nWK,1,1,1,1,1,1,0,20240101,20240131\n"},
         "bad.zip: calendar.txt line 3: service_id \"WK\" appears twice with different rows: line 2 "
         "\"WK,1,1,1,1,1,0,0,20240101,20240131\", line 3 \"WK,1,1,1,1,1,1,0,20240101,20240131\""},
        {{"agency.txt", "agency_timezone\nMars/Olympus_Mons\n"},
         "bad.zip: agency.txt line 2: agency_timezone \"Mars/Olympus_Mons\" is not a time zone of the system's tz "
         "database"},
        {{"agency.txt", "agency_name,agency_timezone\nA,\nB, \n"},
         "bad.zip: agency.txt line 2: agency_timezone is blank and no other agency gives one (name the zone with "
         "--timezone)"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49.0,8.00\nS2,,\nS3,49.0,8.03\n"},
         "bad.zip: stops.txt line 3: stop_id \"S2\" has no stop_lat/stop_lon, but trips call at it "
         "(stop_times.txt line 3)"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49.0,8.00\nS2,49.0,\nS3,49.0,8.03\n"},
         "bad.zip: stops.txt line 3: stop_lon \"\" is not a longitude"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49,8\nS2,91,8\n"},
         "bad.zip: stops.txt line 3: stop_lat \"91\" is not a latitude"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49,8,\nS2,49.0,8,5\nS3,49,8\n"}, NULL},
        {{"stops.txt", "stop_id,stop_lat,stop_lon\nS1,49,\"8,5\"\n"},
         "bad.zip: stops.txt line 2: stop_lon \"8,5\" is not a longitude"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon,location_type,parent_station\nS1,49,8,0,S1\nS2,49,8,0,\nS3,49,8,,\n"},
         "bad.zip: stops.txt line 2: parent_station \"S1\" is the stop itself"},
        {{"stops.txt", "stop_id,stop_lat,stop_lon,location_type\nS1,49,8,7\n"},
         "bad.zip: stops.txt line 2: location_type \"7\" is not 0..4"},
        {{"routes.txt", "route_id,route_type\nR1,bus\n"}, "bad.zip: routes.txt line 2: route_type \"bus\" is not a route type"},
        {{"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                          "WK,1,1,1,1,1,0,0,20240101,20231231\n"},
         "bad.zip: calendar.txt line 2: end_date \"20231231\" is before start_date"},
        {{"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                          "WK,1,1,1,1,1,0,0,20240101,20240231\n"},
         "bad.zip: calendar.txt line 2: end_date \"20240231\" is not a date (YYYYMMDD)"},
        {{"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,start_date,end_date\n"},
         "bad.zip: calendar.txt: missing required column sunday"},
        {{"calendar_dates.txt", "service_id,date,exception_type\nWK,20240102,2\nWK,20240102,1\n"},
         "bad.zip: calendar_dates.txt line 3: service_id \"WK\" is both added and removed on 20240102 (see line 2)"},
        {{"calendar_dates.txt", "service_id,date,exception_type\nWK,20240102,3\n"},
         "bad.zip: calendar_dates.txt line 2: exception_type \"3\" is not 1 or 2"},
        {{"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T1,x\n"},
         "bad.zip: trips.txt line 3: trip_id \"T1\" appears twice with different rows: line 2 \"R1,WK,T1\", "
         "line 3 \"R1,WK,T1,x\""},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id\nT1,08:00:00,08:00:00,S1\n"},
         "bad.zip: stop_times.txt: missing required column stop_sequence"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,,,S1,1\nT1,08:10:00,08:10:00,S2,2\n"},
         "bad.zip: stop_times.txt line 2: trip \"T1\" has no arrival_time or departure_time at its first stop"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:10:00,S2,2\nT1,,,S3,3\n"},
         "bad.zip: stop_times.txt line 4: trip \"T1\" has no arrival_time or departure_time at its last stop"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,1\nT1,07:50:00,07:50:00,S2,2\n"},
         "bad.zip: stop_times.txt line 3: trip \"T1\": arrival_time 07:50:00 is before departure_time 08:00:00 "
         "on line 2"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,1\nT1,,,S2,2\nT1,07:50:00,07:50:00,S3,3\n"},
         "bad.zip: stop_times.txt line 4: trip \"T1\": arrival_time 07:50:00 is before departure_time 08:00:00 "
         "on line 2"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:09:00,S2,2\n"},
         "bad.zip: stop_times.txt line 3: trip \"T1\": departure_time 08:09:00 is before arrival_time 08:10:00"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:10:00,S2,1\n"},
         "bad.zip: stop_times.txt line 3: trip \"T1\" has stop_sequence 1 twice with different rows: line 2 "
         "(stop \"S1\" 08:00:00/08:00:00), line 3 (stop \"S2\" 08:10:00/08:10:00)"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,08:00:00,S1,-1\n"},
         "bad.zip: stop_times.txt line 2: stop_sequence \"-1\" is not a non-negative integer"},
        {{"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                            "T1,08:00:00,\"08:00:00,S1,1\nT1,08:10:00,08:10:00,S2,2\n"},
         "bad.zip: stop_times.txt line 2: quoted field never closed"},
        {{"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nT1,08:00:00,09:00:00,0\n"},
         "bad.zip: frequencies.txt line 2: headway_secs \"0\" is not a positive number of seconds"},
        {{"frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\nT1,08:00:00,09:00:00,60,2\n"},
         "bad.zip: frequencies.txt line 2: exact_times \"2\" is not 0 or 1"},
        {{"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nT1,09:00:00,08:00:00,60\n"},
         "bad.zip: frequencies.txt line 2: end_time \"08:00:00\" is not after start_time"},
        {{"routes.txt", "route_id,route_short_name,route_type\nR1,1,3\nR1,1,3\nR2,2,0\nR2,2,1\n"},
         "bad.zip: routes.txt line 5: route_id \"R2\" appears twice with different rows: line 4 \"R2,2,0\", line 5 "
         "\"R2,2,1\""},
        {{"transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nS1,S2,2,3 min\n"},
         "bad.zip: transfers.txt line 2: min_transfer_time \"3 min\" is not a number of seconds"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        hh__timetable *tt = NULL;
        char err[256] = "";
        int rc = load_feed("bad.zip", &cases[i].file, 1, &tt, err, sizeof err);
        if (!cases[i].want) { /* short and long rows are fine */
            if (rc)
                fprintf(stderr, "  case %zu: %s\n", i, err);
            HH_ASSERT_EQ(rc, 0);
            hh__timetable_free(tt);
            continue;
        }
        if (rc != HH_EFORMAT || strcmp(err, cases[i].want))
            fprintf(stderr, "  case %zu (%s): rc %d\n    got:  %s\n    want: %s\n", i, cases[i].file.name, rc,
                    err, cases[i].want);
        HH_ASSERT_EQ(rc, HH_EFORMAT);
        HH_ASSERT_STR(err, cases[i].want);
        HH_ASSERT(tt == NULL);
    }
}

/* A feed with one case (or a few) of every warning kind. */
static const tfile WILD[] = {
    {"agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a,Europe/Berlin\n"
                   "B,Other,http://b,\n"},
    {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon,parent_station\n"
                  "S1,One,49.0,8.00,\nS2,Two,49.0,8.01,PX\nS3,Three,49.0,8.03,\nS1,One,49.0,8.00,\nX5,Nowhere,,,\n"},
    {"routes.txt", "route_id,route_short_name,route_type\nR1,1,3\nR2,2,0\nR3,3,999\n"},
    {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                     "WK,1,1,1,1,1,0,0,20240101,20240131\nWK,1,1,1,1,1,0,0,20240101,20240131\n"},
    {"calendar_dates.txt", "service_id,date,exception_type\nWK,20240102,2\nWK,20240102,2\n"},
    {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR9,WK,T2\nR1,NOPE,T3\nR1,WK,T4\nR1,WK,T1\n"},
    {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T1,08:20:00,08:20:00,S3,3\nT1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\n"
                       "T1,08:10:00,08:11:00,S2,2\nT1,08:30:00,08:30:00,S9,4\n"
                       "T2,08:00:00,08:00:00,S1,1\nT2,08:10:00,08:10:00,S2,2\n"
                       "T9,08:00:00,08:00:00,S1,1\nT9,08:10:00,08:10:00,S2,2\nT4,09:00:00,09:00:00,S1,1\n"},
    {"transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time,from_route_id\n"
                      "S1,S9,2,60,\nS1,S3,2,60,R1\nS1,S3,2,120,\n"},
};

static int load_wild(const hh__gtfs_opts *o, const tfile *over, size_t n_over, hh__timetable **tt, char *err,
                     size_t errlen)
{
    char path[128];
    if (tmp_path(path, sizeof path, "wild.zip") || hh_test_write_zip(path, WILD, N(WILD), over, n_over))
        return -100;
    const char *paths[1] = {path};
    int rc = hh__gtfs_load_opts(paths, 1, o, tt, err, errlen);
    tmp_remove(path);
    return rc;
}

HH_TEST(gtfs_wild_faults_are_warnings)
{
    hh__timetable *tt = NULL;
    char err[512] = "";
    int rc = load_wild(NULL, NULL, 0, &tt, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    static const uint32_t want[HH__GW_N] = {5, 6, 1, 1, 1, 1, 1, 1};
    for (int k = 0; k < HH__GW_N; k++) {
        if (tt->warn[k].count != want[k])
            fprintf(stderr, "  %s: %u, want %u (%s)\n", hh__gtfs_warn_name(k), tt->warn[k].count, want[k],
                    tt->warn[k].ex[0]);
        HH_ASSERT_EQ(tt->warn[k].count, want[k]);
    }
    HH_ASSERT_STR(tt->warn[HH__GW_BLANK_TZ].ex[0],
                  "wild.zip: agency.txt line 3: agency_timezone is blank: Europe/Berlin from the feed's other agencies");
    HH_ASSERT_STR(tt->warn[HH__GW_DUPLICATE_ROW].ex[0],
                  "wild.zip: stops.txt line 5: stop_id \"S1\" repeats line 2 verbatim (ignored)");
    HH_ASSERT_STR(tt->warn[HH__GW_DUPLICATE_ROW].ex[1],
                  "wild.zip: calendar.txt line 3: service_id \"WK\" repeats line 2 verbatim (ignored)");
    HH_ASSERT_STR(tt->warn[HH__GW_DUPLICATE_ROW].ex[2],
                  "wild.zip: calendar_dates.txt line 3: service_id \"WK\" on 20240102 repeats line 2 (ignored)");
    HH_ASSERT_STR(tt->warn[HH__GW_MISSING_REF].ex[0],
                  "wild.zip: stops.txt line 3: parent_station \"PX\" is not in stops.txt (the stop is kept without it)");
    HH_ASSERT_STR(tt->warn[HH__GW_MISSING_REF].ex[1],
                  "wild.zip: trips.txt line 3: route_id \"R9\" is not in routes.txt (trip \"T2\" dropped)");
    HH_ASSERT_STR(tt->warn[HH__GW_STOP_NO_POS].ex[0],
                  "wild.zip: stops.txt line 6: stop_id \"X5\" has no stop_lat/stop_lon and no trip calls at it "
                  "(kept unplaced)");
    HH_ASSERT_STR(tt->warn[HH__GW_ST_ORDER].ex[0],
                  "wild.zip: stop_times.txt line 3: trip \"T1\": stop_sequence 1 after 3 (its rows sorted by "
                  "stop_sequence)");
    HH_ASSERT_STR(tt->warn[HH__GW_ROUTE_TYPE].ex[0],
                  "wild.zip: routes.txt line 4: route_type 999 of route_id \"R3\" is not a GTFS route type (routed as "
                  "generic transit)");
    HH_ASSERT_STR(tt->warn[HH__GW_SHORT_TRIP].ex[0],
                  "wild.zip: stop_times.txt line 11: trip \"T4\" has one stop time (dropped)");
    HH_ASSERT_STR(tt->warn[HH__GW_XFER_NOT_STOP].ex[0],
                  "wild.zip: transfers.txt line 3: transfer_type 2 for routes or trips is not a stop-to-stop rule "
                  "(ignored)");
    /* what is left: 4 stops (one unplaced), T1 and T4 of the trips, T1 sorted */
    HH_ASSERT_STR(tt->feeds[0].timezone, "Europe/Berlin");
    HH_ASSERT_EQ(tt->n_stops, 4);
    HH_ASSERT_EQ(tt->n_trips, 2);
    HH_ASSERT_EQ(tt->n_patterns, 1);
    HH_ASSERT_EQ(tt->n_stop_times, 3);
    HH_ASSERT_EQ(arr_of(tt, "T1", 0), 8 * 3600);
    HH_ASSERT_EQ(dep_of(tt, "T1", 1), 8 * 3600 + 660);
    HH_ASSERT_EQ(arr_of(tt, "T1", 2), 8 * 3600 + 1200);
    HH_ASSERT_EQ(tt->stop_parent[find(tt, HH__GTFS_STOP, "S2")], HH__GTFS_NONE);
    HH_ASSERT(tt->route_type[find(tt, HH__GTFS_ROUTE, "R3")] == 999);
    HH_ASSERT_EQ(tt->service_exc_first[1] - tt->service_exc_first[0], 1);
    HH_ASSERT_EQ(tt->n_xfers, 1);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, find(tt, HH__GTFS_SERVICE, "WK"), 20240102), 0);
    hh__timetable_free(tt);

    /* --strict: the first fault is the error */
    hh__gtfs_opts strict = {1, NULL};
    tt = NULL;
    HH_ASSERT_EQ(load_wild(&strict, NULL, 0, &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "wild.zip: agency.txt line 3: agency_timezone is blank: Europe/Berlin from the feed's other "
                       "agencies (--strict)");
    HH_ASSERT(tt == NULL);
    /* each kind alone is an error under --strict (the feed without the others) */
    const tfile clean_agency = {"agency.txt", AGENCY};
    HH_ASSERT_EQ(load_wild(&strict, &clean_agency, 1, &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "wild.zip: stops.txt line 5: stop_id \"S1\" repeats line 2 verbatim (ignored) (--strict)");
}

HH_TEST(gtfs_timezone_option)
{
    const tfile blank = {"agency.txt", "agency_name,agency_timezone\nA,\nB,\n"};
    hh__timetable *tt = NULL;
    char err[512] = "";
    hh__gtfs_opts o = {0, "America/Sao_Paulo"};
    HH_ASSERT_EQ(load_feed("tz.zip", &blank, 1, &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "tz.zip: agency.txt line 2: agency_timezone is blank and no other agency gives one (name the "
                       "zone with --timezone)");
    char path[128];
    HH_ASSERT_EQ(tmp_path(path, sizeof path, "tz.zip"), 0);
    HH_ASSERT_EQ(write_feed(path, &blank, 1), 0);
    const char *paths[1] = {path};
    int rc = hh__gtfs_load_opts(paths, 1, &o, &tt, err, sizeof err);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_STR(tt->feeds[0].timezone, "America/Sao_Paulo");
    HH_ASSERT_EQ(tt->warn[HH__GW_BLANK_TZ].count, 2);
    HH_ASSERT_STR(tt->warn[HH__GW_BLANK_TZ].ex[1],
                  "tz.zip: agency.txt line 3: agency_timezone is blank: America/Sao_Paulo from --timezone");
    hh__timetable_free(tt);
    tt = NULL;
    hh__gtfs_opts bad_zone = {0, "Nowhere/Zone"};
    HH_ASSERT_EQ(hh__gtfs_load_opts(paths, 1, &bad_zone, &tt, err, sizeof err), HH_EFORMAT);
    HH_ASSERT_STR(err, "tz.zip: --timezone \"Nowhere/Zone\" is not a time zone of the system's tz database");
    tmp_remove(path);
    HH_ASSERT_EQ(tmp_path(path, sizeof path, "tz.zip"), 0);
    HH_ASSERT_EQ(write_feed(path, NULL, 0), 0);
    /* the option never overrides a zone the feed gives */
    HH_ASSERT_EQ(hh__gtfs_load_opts(paths, 1, &o, &tt, err, sizeof err), 0);
    HH_ASSERT_STR(tt->feeds[0].timezone, "Europe/Berlin");
    HH_ASSERT_EQ(tt->warn[HH__GW_BLANK_TZ].count, 0);
    hh__timetable_free(tt);
    tmp_remove(path);
}

HH_TEST(gtfs_error_not_a_zip)
{
    char path[128], err[256];
    HH_ASSERT_EQ(tmp_path(path, sizeof path, "junk.zip"), 0);
    FILE *f = fopen(path, "w");
    HH_ASSERT(f != NULL);
    fputs("stop_id,stop_lat\n", f);
    fclose(f);
    const char *paths[2] = {path, "/nonexistent/feed.zip"};
    hh__timetable *tt = NULL;
    int rc = hh__gtfs_load(paths, 1, &tt, err, sizeof err);
    tmp_remove(path);
    HH_ASSERT_EQ(rc, HH_EFORMAT);
    HH_ASSERT_STR(err, "junk.zip: cannot open: Not a zip archive");
    HH_ASSERT_EQ(hh__gtfs_load(paths + 1, 1, &tt, err, sizeof err), HH_EIO);
    HH_ASSERT_STR(err, "feed.zip: cannot open: No such file");
    HH_ASSERT_EQ(hh__gtfs_load(paths, 0, &tt, err, sizeof err), HH_EINVAL);
    HH_ASSERT(tt == NULL);
}

HH_TEST(gtfs_stations_and_transfers)
{
    const tfile over[] = {
        {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                      "S1,One,49.0,8.00,0,ST\nS2,Two,49.0,8.01,,\nS3,Three,49.0,8.03,0,ST\n"
                      "ST,Station,49.0,8.02,1,\nN1,Node,,,3,ST\n"},
        {"transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time,from_route_id\n"
                          "S3,S1,2,180,\nS1,S3,,,\nS1,S1,3,,\nS1,S3,2,60,R1\n"},
    };
    hh__timetable *tt = NULL;
    char err[256];
    HH_ASSERT_EQ(load_feed("st.zip", over, N(over), &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    uint32_t s1 = find(tt, HH__GTFS_STOP, "S1"), s3 = find(tt, HH__GTFS_STOP, "S3"),
             st = find(tt, HH__GTFS_STOP, "ST"), n1 = find(tt, HH__GTFS_STOP, "N1");
    HH_ASSERT_EQ(tt->stop_parent[s1], st);
    HH_ASSERT_EQ(tt->stop_parent[st], HH__GTFS_NONE);
    HH_ASSERT_EQ(tt->stop_parent[n1], st);
    HH_ASSERT_EQ(tt->stop_type[st], 1);
    HH_ASSERT_EQ(tt->stop_type[n1], 3);
    HH_ASSERT(tt->stop_lat[n1] != tt->stop_lat[n1]); /* NaN */
    HH_ASSERT_EQ(tt->n_xfers, 3);
    HH_ASSERT_EQ(tt->feeds[0].n_xfers_skipped, 1);
    HH_ASSERT_EQ(tt->stop_xfer_first[s1 + 1] - tt->stop_xfer_first[s1], 2);
    uint32_t i = tt->stop_xfer_first[s1]; /* file order kept within a stop */
    HH_ASSERT(tt->xfer_to[i] == s3 && tt->xfer_type[i] == 0 && tt->xfer_min_s[i] == -1);
    HH_ASSERT(tt->xfer_to[i + 1] == s1 && tt->xfer_type[i + 1] == 3);
    i = tt->stop_xfer_first[s3];
    HH_ASSERT(tt->xfer_to[i] == s1 && tt->xfer_type[i] == 2 && tt->xfer_min_s[i] == 180);
    hh__timetable_free(tt);
}

HH_TEST(gtfs_two_feeds_kept_apart)
{
    /* the same ids in two feeds, different time zones */
    const tfile over2[] = {
        {"agency.txt", "agency_timezone\nAmerica/Sao_Paulo\n"},
        {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                         "WK,0,0,0,0,0,1,1,20190415,20190715\n"},
    };
    char p1[128], p2[128], err[400];
    HH_ASSERT(!tmp_path(p1, sizeof p1, "a.zip") && !tmp_path(p2, sizeof p2, "b.zip"));
    int w1 = write_feed(p1, NULL, 0), w2 = write_feed(p2, over2, N(over2));
    const char *paths[2] = {p1, p2};
    hh__timetable *tt = NULL;
    int rc = w1 || w2 ? -100 : hh__gtfs_load(paths, 2, &tt, err, sizeof err);
    tmp_remove(p1);
    tmp_remove(p2);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    HH_ASSERT_EQ(tt->n_stops, 8);
    HH_ASSERT_EQ(tt->n_trips, 2);
    HH_ASSERT_EQ(tt->n_patterns, 2);
    HH_ASSERT_STR(tt->feeds[1].timezone, "America/Sao_Paulo");
    uint32_t a = hh__timetable_find(tt, HH__GTFS_STOP, 0, "S1"), b = hh__timetable_find(tt, HH__GTFS_STOP, 1, "S1");
    HH_ASSERT(a != HH__GTFS_NONE && b != HH__GTFS_NONE && a != b);
    HH_ASSERT(b >= tt->feeds[1].stop_begin && b < tt->feeds[1].stop_end);
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_id[b]), "S1");
    uint32_t t1 = hh__timetable_find(tt, HH__GTFS_TRIP, 1, "T1");
    HH_ASSERT_EQ(tt->trip_service[t1], hh__timetable_find(tt, HH__GTFS_SERVICE, 1, "WK"));
    HH_ASSERT_EQ(tt->pat_stops[tt->pat_stop_first[tt->trip_pattern[t1]]], b);
    uint32_t wk0 = hh__timetable_find(tt, HH__GTFS_SERVICE, 0, "WK"), wk1 = tt->trip_service[t1];
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk0, 20240106), 0);
    HH_ASSERT_EQ(hh__timetable_service_runs(tt, wk1, 20190420), 1);
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 20200101, err, sizeof err), HH_ERANGE);
    HH_ASSERT_STR(err, "date 2020-01-01 is outside every feed's service range: "
                       "a.zip 2024-01-01..2024-01-31, b.zip 2019-04-20..2019-07-14");
    hh__timetable_free(tt);
}

/* ---- allocation failures ------------------------------------------------ */


HH_TEST(gtfs_out_of_memory_everywhere)
{
    /* every allocation of a small but complete load fails in turn: each
     * must give HH_ENOMEM, leave *out alone and leak nothing */
    const tfile over[] = {
        {"calendar_dates.txt", "service_id,date,exception_type\nWK,20240102,2\nX,20240106,1\n"},
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,X,T2\nR2,WK,F\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,08:00:00,08:00:00,S1,1\nT1,,,S2,2\nT1,08:20:00,08:20:00,S3,3\n"
                           "T2,08:05:00,08:05:00,S1,1\nT2,08:10:00,08:10:00,S2,2\nT2,08:15:00,08:15:00,S3,3\n"
                           "F,00:00:00,00:00:00,S3,1\nF,00:04:00,00:04:00,S4,2\n"},
        {"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nF,06:00:00,09:00:00,600\n"},
        {"transfers.txt", "from_stop_id,to_stop_id,transfer_type\nS1,S2,0\n"},
    };
    char path[128], err[256];
    HH_ASSERT_EQ(tmp_path(path, sizeof path, "oom.zip"), 0);
    if (write_feed(path, over, N(over))) {
        tmp_remove(path);
        HH_ASSERT(!"cannot write the feed");
    }
    const char *paths[1] = {path};
    hh_test_counter c = {-1, 0};
    hh_allocator a = hh_test_counting(&c);
    int rc = HH_ENOMEM;
    long k;
    for (k = 0; k < 100000 && rc == HH_ENOMEM; k++) {
        c.left = k;
        c.live = 0;
        hh__timetable *tt = (hh__timetable *)&c;
        hh_set_allocator(&a);
        rc = hh__gtfs_load(paths, 1, &tt, err, sizeof err);
        if (rc == 0) {
            int chk = hh__timetable_check(tt, err, sizeof err);
            hh__timetable_free(tt);
            hh_set_allocator(NULL);
            HH_ASSERT_EQ(chk, 0);
        }
        hh_set_allocator(NULL);
        if ((rc == HH_ENOMEM && tt != (hh__timetable *)&c) || c.live != 0)
            break;
    }
    tmp_remove(path);
    HH_ASSERT_EQ(c.live, 0);
    HH_ASSERT_EQ(rc, 0);
    HH_ASSERT(k > 20);
}

/* ---- the CSV reader alone ----------------------------------------------- */

typedef struct memsrc {
    const char *s;
    size_t len, pos, chunk;
} memsrc;

static int64_t mem_read(void *ud, char *buf, size_t n)
{
    memsrc *m = ud;
    size_t k = m->len - m->pos;
    if (k > n)
        k = n;
    if (k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->s + m->pos, k);
    m->pos += k;
    return (int64_t)k;
}

HH_TEST(gtfs_csv_rows_any_chunking)
{
    static const char in[] = "\xEF\xBB\xBF" "a, b ,c\r\n"
                             "1,\"x,y\",\"he said \"\"hi\"\"\"\r\n"
                             "2,\"multi\nline\",z,extra\r\n"
                             "\r\n"
                             "3\n"
                             "  \n\n"
                             "x\"y,\"q\"r,\r"
                             "last";
    static const size_t chunks[] = {1, 2, 3, 5, 7, 1 << 20};
    for (size_t ci = 0; ci < N(chunks); ci++) {
        memsrc m = {in, sizeof in - 1, 0, chunks[ci]};
        hh__csv c;
        hh__csv_init(&c, mem_read, &m);
        HH_ASSERT_EQ(hh__csv_header(&c), 0);
        HH_ASSERT_EQ(hh__csv_column(&c, "a"), 0);
        HH_ASSERT_EQ(hh__csv_column(&c, "b"), 1);
        HH_ASSERT_EQ(hh__csv_column(&c, "C"), 2);
        HH_ASSERT_EQ(hh__csv_column(&c, "d"), -1);
        HH_ASSERT_EQ(hh__csv_next(&c), 1);
        HH_ASSERT_EQ(hh__csv_line(&c), 2);
        HH_ASSERT_STR(hh__csv_get(&c, 1), "x,y");
        HH_ASSERT_STR(hh__csv_get(&c, 2), "he said \"hi\"");
        HH_ASSERT_EQ(hh__csv_next(&c), 1);
        HH_ASSERT_EQ(hh__csv_line(&c), 3);
        HH_ASSERT_STR(hh__csv_get(&c, 1), "multi\nline");
        HH_ASSERT_STR(hh__csv_get(&c, 3), "extra");
        HH_ASSERT_EQ(hh__csv_next(&c), 1);
        HH_ASSERT_EQ(hh__csv_line(&c), 6);
        HH_ASSERT_STR(hh__csv_get(&c, 0), "3");
        HH_ASSERT_STR(hh__csv_get(&c, 1), "");
        HH_ASSERT_STR(hh__csv_get(&c, -1), "");
        HH_ASSERT_EQ(hh__csv_next(&c), 1);
        HH_ASSERT_EQ(hh__csv_line(&c), 9);
        HH_ASSERT_STR(hh__csv_get(&c, 0), "x\"y"); /* stray quotes kept */
        HH_ASSERT_STR(hh__csv_get(&c, 1), "qr");
        HH_ASSERT_STR(hh__csv_get(&c, 2), "");
        HH_ASSERT_EQ(hh__csv_next(&c), 1); /* lone CR ended the row */
        HH_ASSERT_EQ(hh__csv_line(&c), 10);
        HH_ASSERT_STR(hh__csv_get(&c, 0), "last");
        HH_ASSERT_EQ(hh__csv_next(&c), 0);
        HH_ASSERT_EQ(hh__csv_next(&c), 0);
        hh__csv_free(&c);
    }
}

HH_TEST(gtfs_csv_open_quote_and_empty)
{
    static const char in[] = "a\n1\n\"open\nstill open";
    memsrc m = {in, sizeof in - 1, 0, 3};
    hh__csv c;
    hh__csv_init(&c, mem_read, &m);
    HH_ASSERT_EQ(hh__csv_header(&c), 0);
    HH_ASSERT_EQ(hh__csv_next(&c), 1);
    HH_ASSERT_EQ(hh__csv_next(&c), HH_EFORMAT);
    HH_ASSERT_EQ(hh__csv_line(&c), 3);
    hh__csv_free(&c);

    memsrc e = {"\xEF\xBB\xBF\r\n\n", 5, 0, 1};
    hh__csv_init(&c, mem_read, &e);
    HH_ASSERT_EQ(hh__csv_header(&c), HH_EEMPTY);
    hh__csv_free(&c);
}

HH_TEST(gtfs_parse_time_date)
{
    int32_t t = -1;
    HH_ASSERT_EQ(hh__gtfs_parse_time("08:05:09", &t), 0);
    HH_ASSERT_EQ(t, 8 * 3600 + 5 * 60 + 9);
    HH_ASSERT_EQ(hh__gtfs_parse_time(" 7:00:00 ", &t), 0);
    HH_ASSERT_EQ(t, 7 * 3600);
    HH_ASSERT_EQ(hh__gtfs_parse_time("25:00:00", &t), 0);
    HH_ASSERT_EQ(t, 90000);
    HH_ASSERT_EQ(hh__gtfs_parse_time("124:00:00", &t), 0);
    HH_ASSERT_EQ(hh__gtfs_parse_time("  ", &t), 1);
    HH_ASSERT_EQ(hh__gtfs_parse_time("", &t), 1);
    static const char *const bad_times[] = {"25:6x:00", "8:60:00", "8:00:60", "8:00", "08:00:00:00",
                                            "1000:00:00", ":00:00", "8:0:00", "-1:00:00", "08:00:00x"};
    for (size_t i = 0; i < N(bad_times); i++)
        HH_ASSERT_EQ(hh__gtfs_parse_time(bad_times[i], &t), HH_EFORMAT);
    int32_t d = 0;
    HH_ASSERT_EQ(hh__gtfs_parse_date("20240229", &d), 0);
    HH_ASSERT_EQ(d, 20240229);
    static const char *const bad_dates[] = {"20230229", "20241301", "20240100", "2024-01-01", "2024011",
                                            "202401011", "", "00000101"};
    for (size_t i = 0; i < N(bad_dates); i++)
        HH_ASSERT_EQ(hh__gtfs_parse_date(bad_dates[i], &d), HH_EFORMAT);
}

/* ---- the real feeds ------------------------------------------------------ */

typedef struct real_feed {
    const char *path;
    uint32_t stops, routes, trips, stop_times, freqs;
    int32_t first, last;
} real_feed;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

HH_TEST(gtfs_real_feeds)
{
    /* counts from SOURCES.md; helsinki keeps 3195 - 8 trips (8 have a
     * single stop time) and 3226 - 21 frequencies of those */
    static const real_feed feeds[] = {
        {"poa/poa_eptc.zip", 3986, 115, 2374, 130019, 0, 20190415, 20190715},
        {"poa/poa_trensurb.zip", 24, 2, 1248, 14855, 0, 20190301, 20191231},
        {"terre-haute/terre-haute-gtfs.zip", 115, 11, 144, 1866, 0, 20150101, 20171230},
        {"rhine-neckar/rnv_gtfs.zip", 2057, 100, 20636, 424266, 0, 20161022, 20161210},
        {"helsinki/helsinki_gtfs.zip", 1388, 200, 3195, 62477, 3205, 20220222, 20220222},
        {"bart/bart_gtfs.zip", 47, 6, 2513, 31934, 0, 20150907, 20180101},
    };
    for (size_t i = 0; i < N(feeds); i++) {
        const real_feed *rf = &feeds[i];
        const char *path = hh_test_data(rf->path);
        if (access(path, R_OK)) {
            hh_test_skip_data("%s absent", path);
            continue;
        }
        hh__timetable *tt = NULL;
        char err[512];
        double t0 = now_s();
        int rc = hh__gtfs_load(&path, 1, &tt, err, sizeof err);
        double dt = now_s() - t0;
        if (rc)
            fprintf(stderr, "  %s\n", err);
        HH_ASSERT_EQ(rc, 0);
        int chk = hh__timetable_check(tt, err, sizeof err);
        if (chk)
            fprintf(stderr, "  %s\n", err);
        HH_ASSERT_EQ(chk, 0);
        uint32_t fp = 0;
        for (uint32_t p = 0; p < tt->n_patterns; p++)
            fp += tt->pat_freq[p];
        printf("  %-22s stops %5u routes %3u trips %5u stop_times %6u (interpolated %6u) patterns %4u "
               "(freq %3u) frequencies %4u transfers %2u  %d..%d  %.3f s\n",
               tt->feeds[0].name, tt->n_stops, tt->n_routes, tt->n_trips, tt->n_stop_times,
               tt->feeds[0].n_interpolated, tt->n_patterns, fp, tt->n_freqs, tt->n_xfers,
               tt->feeds[0].first_date, tt->feeds[0].last_date, dt);
        HH_ASSERT_EQ(tt->n_stops, rf->stops);
        HH_ASSERT_EQ(tt->n_routes, rf->routes);
        HH_ASSERT_EQ(tt->n_trips, rf->trips);
        HH_ASSERT_EQ(tt->n_stop_times, rf->stop_times);
        HH_ASSERT_EQ(tt->n_freqs, rf->freqs);
        HH_ASSERT_EQ(tt->feeds[0].first_date, rf->first);
        HH_ASSERT_EQ(tt->feeds[0].last_date, rf->last);
        hh__timetable_free(tt);
    }
}

HH_TEST(gtfs_real_poa_merged)
{
    /* the two Porto Alegre feeds together, as a region build would load them */
    const char *paths[2] = {hh_test_data("poa/poa_eptc.zip"), hh_test_data("poa/poa_trensurb.zip")};
    if (access(paths[0], R_OK) || access(paths[1], R_OK))
        HH_SKIP_DATA("%s or %s absent", paths[0], paths[1]);
    hh__timetable *tt = NULL;
    char err[512];
    HH_ASSERT_EQ(hh__gtfs_load(paths, 2, &tt, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check(tt, err, sizeof err), 0);
    HH_ASSERT_EQ(tt->n_stops, 3986 + 24);
    HH_ASSERT_EQ(tt->n_trips, 2374 + 1248);
    /* 96 % of EPTC's stop times were blank */
    HH_ASSERT_EQ(tt->feeds[0].n_interpolated, 125271);
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 20190415, err, sizeof err), 0);
    HH_ASSERT_EQ(hh__timetable_check_date(tt, 20200106, err, sizeof err), HH_ERANGE);
    HH_ASSERT_STR(err, "date 2020-01-06 is outside every feed's service range: "
                       "poa_eptc.zip 2019-04-15..2019-07-15, poa_trensurb.zip 2019-03-01..2019-12-31");
    /* first trip of EPTC: T1-2@1#1202 leaves stop 1511 at 12:02 */
    uint32_t t = hh__timetable_find(tt, HH__GTFS_TRIP, 0, "T1-2@1#1202");
    HH_ASSERT(t != HH__GTFS_NONE);
    HH_ASSERT_EQ(tt->dep[tt->trip_st[t]], 12 * 3600 + 120);
    HH_ASSERT_STR(hh__timetable_str(tt, tt->stop_id[tt->pat_stops[tt->pat_stop_first[tt->trip_pattern[t]]]]),
                  "1511");
    hh__timetable_free(tt);
}
