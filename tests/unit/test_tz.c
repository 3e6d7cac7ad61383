/* test_tz.c: time zones from the system tz database, and two feeds of
 * different zones put on one clock. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hhtest.h"
#include "ingest/gtfs.h"
#include "testfeed.h"
#include "testnet.h"
#include "transit/raptor.h"
#include "transit/tz.h"

HH_TEST(tz_offsets_from_the_database)
{
    int32_t off;
    if (hh__tz_offset("Europe/Berlin", 0, &off) == HH_EIO) {
        hh_test_skip("no tz database");
        return;
    }
    HH_ASSERT_EQ(hh__tz_noon_offset("Europe/Berlin", 20160115, &off), 0);
    HH_ASSERT_EQ(off, 3600);
    HH_ASSERT_EQ(hh__tz_noon_offset("Europe/Berlin", 20160715, &off), 0);
    HH_ASSERT_EQ(off, 7200);
    HH_ASSERT_EQ(hh__tz_noon_offset("America/Sao_Paulo", 20190513, &off), 0);
    HH_ASSERT_EQ(off, -10800);
    HH_ASSERT_EQ(hh__tz_noon_offset("America/Sao_Paulo", 20161107, &off), 0); /* DST until 2019 */
    HH_ASSERT_EQ(off, -7200);
    HH_ASSERT_EQ(hh__tz_noon_offset("Asia/Shanghai", 20241201, &off), 0);
    HH_ASSERT_EQ(off, 28800);
    HH_ASSERT_EQ(hh__tz_offset("UTC", 123, &off), 0);
    HH_ASSERT_EQ(off, 0);
    /* the US switched on 2016-03-13 at 02:00 local (07:00 UTC) */
    HH_ASSERT_EQ(hh__tz_offset("America/New_York", 1457852400 - 1, &off), 0);
    HH_ASSERT_EQ(off, -18000);
    HH_ASSERT_EQ(hh__tz_offset("America/New_York", 1457852400, &off), 0);
    HH_ASSERT_EQ(off, -14400);
    HH_ASSERT_EQ(hh__tz_offset("Nowhere/Atlantis", 0, &off), HH_EIO);
    HH_ASSERT_EQ(hh__tz_offset("../../etc/passwd", 0, &off), HH_EINVAL);
    HH_ASSERT_EQ(hh__tz_offset("", 0, &off), HH_EINVAL);
    HH_ASSERT_EQ(hh__tz_offset("Europe/Berlin;rm", 0, &off), HH_EINVAL);
}

/* After the zone file's last explicit transition the footer's POSIX rule
 * decides: summer and winter in 2040 (Debian's files list transitions to
 * 2037 only), south and north of the equator. */
HH_TEST(tz_footer_rule_after_last_transition)
{
    int32_t off;
    if (hh__tz_offset("Europe/Berlin", 0, &off) == HH_EIO) {
        fprintf(stderr, "  (skipped: no tz database)\n");
        return;
    }
    HH_ASSERT_EQ(hh__tz_noon_offset("Europe/Berlin", 20400701, &off), 0);
    HH_ASSERT_EQ(off, 7200);
    HH_ASSERT_EQ(hh__tz_noon_offset("Europe/Berlin", 20400115, &off), 0);
    HH_ASSERT_EQ(off, 3600);
    HH_ASSERT_EQ(hh__tz_noon_offset("Europe/Berlin", 20991231, &off), 0);
    HH_ASSERT_EQ(off, 3600);
    /* 2040-03-25 01:00 UTC: the last Sunday of March, the change itself */
    HH_ASSERT_EQ(hh__tz_offset("Europe/Berlin", 2216250000 - 1, &off), 0);
    HH_ASSERT_EQ(off, 3600);
    HH_ASSERT_EQ(hh__tz_offset("Europe/Berlin", 2216250000, &off), 0);
    HH_ASSERT_EQ(off, 7200);
    HH_ASSERT_EQ(hh__tz_noon_offset("America/Sao_Paulo", 20400115, &off), 0); /* no DST since 2019 */
    HH_ASSERT_EQ(off, -10800);
    HH_ASSERT_EQ(hh__tz_noon_offset("Australia/Sydney", 20400115, &off), 0); /* southern summer */
    HH_ASSERT_EQ(off, 39600);
    HH_ASSERT_EQ(hh__tz_noon_offset("Australia/Sydney", 20400715, &off), 0);
    HH_ASSERT_EQ(off, 36000);
    HH_ASSERT_EQ(hh__tz_noon_offset("America/New_York", 20450704, &off), 0);
    HH_ASSERT_EQ(off, -14400);
}

/* The reader against the C library's localtime_r (which also applies the
 * footer) on instants from 1900 to 2100 in zones of every kind. */
HH_TEST(tz_offsets_match_localtime)
{
    int32_t off;
    if (hh__tz_offset("Europe/Berlin", 0, &off) == HH_EIO) {
        fprintf(stderr, "  (skipped: no tz database)\n");
        return;
    }
    static const char *const zones[] = {"Europe/Berlin", "America/Sao_Paulo", "Australia/Sydney",
                                        "America/New_York", "Asia/Tehran", "Pacific/Chatham",
                                        "America/Santiago", "Africa/Casablanca", "Europe/Dublin",
                                        "Australia/Lord_Howe", "Asia/Kolkata", "America/Godthab"};
    const char *old = getenv("TZ");
    char saved[256] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    uint64_t rng = 1234;
    long checked = 0, differ = 0;
    for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
        if (hh__tz_offset(zones[z], 0, &off))
            continue;
        setenv("TZ", zones[z], 1);
        tzset();
        for (int i = 0; i < 4000; i++) {
            int64_t t = (int64_t)hh_test_uniform(&rng, -2208988800.0, 4102444800.0);
            time_t tt = (time_t)t;
            struct tm tm;
            if (!localtime_r(&tt, &tm))
                continue;
            HH_ASSERT_EQ(hh__tz_offset(zones[z], t, &off), 0);
            checked++;
            if (off != tm.tm_gmtoff && differ++ < 5)
                fprintf(stderr, "  %s at %lld: %d, localtime %ld\n", zones[z], (long long)t, (int)off,
                        (long)tm.tm_gmtoff);
        }
    }
    if (old)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    printf("  %ld instants compared, %ld differ\n", checked, differ);
    HH_ASSERT(checked > 10000);
    HH_ASSERT_EQ(differ, 0);
}

#define CAL "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" \
            "WK,1,1,1,1,1,1,1,20240101,20241231\n"
#define ROUTES "route_id,route_short_name,route_type\nR,1,3\n"
#define TRIPS "route_id,service_id,trip_id\nR,WK,T\n"

/* New York feed: S1 08:00 -> S2 08:30.  Chicago feed (an hour behind):
 * S3 08:00 local -> S4 08:20 local, i.e. 09:00 -> 09:20 New York time. */
static const hh_test_file NY[] = {
    {"agency.txt", "agency_name,agency_url,agency_timezone\nNY,http://x,America/New_York\n"},
    {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,a,40,-74\nS2,b,40,-73.9\n"},
    {"routes.txt", ROUTES}, {"calendar.txt", CAL}, {"trips.txt", TRIPS},
    {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T,08:00:00,08:00:00,S1,1\nT,08:30:00,08:30:00,S2,2\n"}};
static const hh_test_file CHI[] = {
    {"agency.txt", "agency_name,agency_url,agency_timezone\nCHI,http://x,America/Chicago\n"},
    {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS3,c,40,-73.899\nS4,d,40,-73.8\n"},
    {"routes.txt", ROUTES}, {"calendar.txt", CAL}, {"trips.txt", TRIPS},
    {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T,08:00:00,08:00:00,S3,1\nT,08:20:00,08:20:00,S4,2\n"}};

static int32_t arr_s4;
static int keep(void *ud, uint32_t m, int32_t dep_s, const int32_t *arr, const uint32_t *chg, uint32_t nc)
{
    (void)m, (void)dep_s, (void)chg, (void)nc;
    arr_s4 = arr[*(uint32_t *)ud];
    return 0;
}

static int32_t ride(const hh__timetable *tt, const int32_t *shift)
{
    uint32_t s1 = hh__timetable_find(tt, HH__GTFS_STOP, 0, "S1"), s2 = hh__timetable_find(tt, HH__GTFS_STOP, 0, "S2");
    uint32_t s3 = hh__timetable_find(tt, HH__GTFS_STOP, 1, "S3"), s4 = hh__timetable_find(tt, HH__GTFS_STOP, 1, "S4");
    uint32_t from[] = {s2}, to[] = {s3};
    int32_t walk[] = {60};
    hh__transit_day_opts o = {20240610, 0, 86400, 0, 0, from, to, walk, 1, shift, 0, 0, 0};
    hh__transit_day *d = NULL;
    char err[200];
    if (hh__transit_day_build(tt, &o, &d, err, sizeof err))
        return -1;
    hh__raptor_ws ws;
    hh__raptor_ws_init(&ws, d, 4);
    hh__raptor_access acc = {s1, 0};
    hh__raptor_query q = {&acc, 1, 8 * 3600 - 60, 1, 4, 0, 0};
    arr_s4 = -2;
    hh__raptor_range(&ws, &q, keep, &s4);
    hh__raptor_ws_free(&ws);
    hh__transit_day_free(d);
    return arr_s4;
}

HH_TEST(tz_feeds_of_two_zones_share_one_clock)
{
    int32_t off_ny, off_chi;
    if (hh__tz_noon_offset("America/New_York", 20240610, &off_ny) ||
        hh__tz_noon_offset("America/Chicago", 20240610, &off_chi)) {
        hh_test_skip("no tz database");
        return;
    }
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/ny.zip", hh_test_tmpdir());
    snprintf(b, sizeof b, "%s/chi.zip", hh_test_tmpdir());
    HH_ASSERT_EQ(hh_test_write_zip(a, NY, 6, NULL, 0), 0);
    HH_ASSERT_EQ(hh_test_write_zip(b, CHI, 6, NULL, 0), 0);
    const char *paths[] = {a, b};
    hh__timetable *tt;
    char err[256];
    HH_ASSERT_EQ(hh__gtfs_load(paths, 2, &tt, err, sizeof err), 0);
    /* on their own clocks the Chicago bus seems to leave before the New York
     * one arrives; on New York's clock it leaves at 09:00 and arrives 09:20 */
    int32_t shift[2] = {0, off_ny - off_chi};
    HH_ASSERT_EQ(shift[1], 3600);
    HH_ASSERT_EQ(ride(tt, shift), 9 * 3600 + 20 * 60);
    HH_ASSERT_EQ(ride(tt, NULL), HH__TRANSIT_UNREACHED);
    hh__timetable_free(tt);
    unlink(a), unlink(b);
}
