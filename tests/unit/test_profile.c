/* test_profile.c: OSM tags -> per-mode permissions, directions, speeds. */
#include <math.h>
#include <stdio.h>

#include "hhtest.h"
#include "ingest/profile.h"

#define TAGS(...) ((const hh__tag[]){__VA_ARGS__}), (int)(sizeof((const hh__tag[]){__VA_ARGS__}) / sizeof(hh__tag))

HH_TEST(profile_classes_and_access)
{
    hh_profile p;
    hh_profile_default(&p);
    hh__way_attr a;
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "residential"}), &a), 1);
    HH_ASSERT_NEAR(a.speed_kmh[HH_MODE_CAR], 25, 1e-9);
    HH_ASSERT(a.fwd[HH_MODE_CAR] && a.bwd[HH_MODE_CAR] && a.fwd[HH_MODE_WALK] && a.bwd[HH_MODE_BIKE]);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "footway"}), &a), 1);
    HH_ASSERT_EQ(a.speed_kmh[HH_MODE_CAR], 0);
    HH_ASSERT_NEAR(a.speed_kmh[HH_MODE_BIKE], a.speed_kmh[HH_MODE_WALK], 1e-9); /* pushed */
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "footway"}, {"bicycle", "designated"}), &a), 1);
    HH_ASSERT_NEAR(a.speed_kmh[HH_MODE_BIKE], 15, 1e-9);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "motorway"}), &a), 1);
    HH_ASSERT_EQ(a.speed_kmh[HH_MODE_WALK], 0);
    HH_ASSERT(a.fwd[HH_MODE_CAR] && !a.bwd[HH_MODE_CAR]); /* implied oneway */
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "service"}, {"access", "private"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "service"}, {"access", "no"}, {"foot", "yes"}), &a), 1);
    HH_ASSERT(a.speed_kmh[HH_MODE_WALK] > 0 && a.speed_kmh[HH_MODE_CAR] == 0 && a.speed_kmh[HH_MODE_BIKE] == 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "primary"}, {"motor_vehicle", "no"}), &a), 1);
    HH_ASSERT(a.speed_kmh[HH_MODE_CAR] == 0 && a.speed_kmh[HH_MODE_BIKE] > 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "primary"}, {"motorcar", "no"}, {"motor_vehicle", "yes"}), &a), 1);
    HH_ASSERT(a.speed_kmh[HH_MODE_CAR] == 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "construction"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"building", "yes"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "residential"}, {"area", "yes"}), &a), 0);
}

HH_TEST(profile_oneway_rules)
{
    hh_profile p;
    hh_profile_default(&p);
    hh__way_attr a;
    hh__profile_way(&p, TAGS({"highway", "residential"}, {"oneway", "yes"}), &a);
    HH_ASSERT(a.fwd[HH_MODE_CAR] && !a.bwd[HH_MODE_CAR] && a.fwd[HH_MODE_BIKE] && !a.bwd[HH_MODE_BIKE]);
    HH_ASSERT(a.fwd[HH_MODE_WALK] && a.bwd[HH_MODE_WALK]);
    hh__profile_way(&p, TAGS({"highway", "residential"}, {"oneway", "-1"}), &a);
    HH_ASSERT(!a.fwd[HH_MODE_CAR] && a.bwd[HH_MODE_CAR]);
    hh__profile_way(&p, TAGS({"highway", "primary"}, {"junction", "roundabout"}), &a);
    HH_ASSERT(a.fwd[HH_MODE_CAR] && !a.bwd[HH_MODE_CAR]);
    hh__profile_way(&p, TAGS({"highway", "primary"}, {"junction", "roundabout"}, {"oneway", "no"}), &a);
    HH_ASSERT(a.fwd[HH_MODE_CAR] && a.bwd[HH_MODE_CAR]);
    hh__profile_way(&p, TAGS({"highway", "residential"}, {"oneway", "yes"}, {"oneway:bicycle", "no"}), &a);
    HH_ASSERT(!a.bwd[HH_MODE_CAR] && a.bwd[HH_MODE_BIKE]);
    hh__profile_way(&p, TAGS({"highway", "residential"}, {"oneway", "yes"}, {"cycleway", "opposite_lane"}), &a);
    HH_ASSERT(a.bwd[HH_MODE_BIKE]);
}

HH_TEST(profile_maxspeed)
{
    double k;
    HH_ASSERT_EQ(hh__parse_maxspeed("50", &k), 0);
    HH_ASSERT_NEAR(k, 50, 1e-9);
    HH_ASSERT_EQ(hh__parse_maxspeed("30 mph", &k), 0);
    HH_ASSERT_NEAR(k, 48.28032, 1e-6);
    HH_ASSERT_EQ(hh__parse_maxspeed("50 km/h", &k), 0);
    HH_ASSERT_EQ(hh__parse_maxspeed("10 knots", &k), 0);
    HH_ASSERT_NEAR(k, 18.52, 1e-9);
    HH_ASSERT_EQ(hh__parse_maxspeed("none", &k), -1);
    HH_ASSERT_EQ(hh__parse_maxspeed("DE:urban", &k), -1);
    HH_ASSERT_EQ(hh__parse_maxspeed("-5", &k), -1);
    hh_profile p;
    hh_profile_default(&p);
    hh__way_attr a;
    hh__profile_way(&p, TAGS({"highway", "residential"}, {"maxspeed", "50"}), &a);
    HH_ASSERT_NEAR(a.speed_kmh[HH_MODE_CAR], 50 * p.car_maxspeed_factor, 1e-9);
    HH_ASSERT_NEAR(a.speed_kmh[HH_MODE_WALK], 4.68, 1e-9);
}

HH_TEST(profile_settings_roundtrip)
{
    hh_profile p, q;
    hh_profile_default(&p);
    char err[200];
    HH_ASSERT_EQ(hh_profile_set(&p, "car.residential = 36", err, sizeof err), 0);
    HH_ASSERT_EQ(hh_profile_set(&p, "walk.connector_kmh=3.6", err, sizeof err), 0);
    HH_ASSERT_EQ(hh_profile_set(&p, "iso.cell_m=40", err, sizeof err), 0);
    HH_ASSERT(hh_profile_set(&p, "car.nonsense=3", err, sizeof err) < 0);
    HH_ASSERT(hh_profile_set(&p, "car.residential=fast", err, sizeof err) < 0);
    HH_ASSERT(hh_profile_set(&p, "car.residential=-3", err, sizeof err) < 0);
    HH_ASSERT(hh_profile_set(&p, "novalue", err, sizeof err) < 0);
    char buf[8192];
    size_t n = hh_profile_format(&p, buf, sizeof buf);
    HH_ASSERT(n < sizeof buf);
    hh_profile_default(&q);
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        *nl = 0;
        HH_ASSERT_EQ(hh_profile_set(&q, line, err, sizeof err), 0);
        line = nl + 1;
    }
    HH_ASSERT(memcmp(&p, &q, sizeof p) == 0);
}
