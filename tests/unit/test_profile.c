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

/* speed of mode m for a way, 0 when closed or not routable at all */
static double way_kmh(const hh_profile *p, const hh__tag *t, int n, hh_mode m)
{
    hh__way_attr a;
    if (!hh__profile_way(p, t, n, &a))
        return 0;
    return a.speed_kmh[m];
}
#define KMH(m, ...) way_kmh(&p, TAGS(__VA_ARGS__), HH_MODE_##m)

HH_TEST(profile_access_hierarchy)
{
    hh_profile p;
    hh_profile_default(&p);
    /* generic access never opens a class the mode's profile closes */
    static const char *const generic[] = {"yes", "permissive", "destination", "designated", "delivery"};
    for (size_t i = 0; i < sizeof generic / sizeof *generic; i++) {
        HH_ASSERT_EQ(KMH(CAR, {"highway", "footway"}, {"access", generic[i]}), 0);
        HH_ASSERT_EQ(KMH(CAR, {"highway", "path"}, {"access", generic[i]}), 0);
        HH_ASSERT_EQ(KMH(CAR, {"highway", "steps"}, {"access", generic[i]}), 0);
        HH_ASSERT_EQ(KMH(BIKE, {"highway", "steps"}, {"access", generic[i]}), 0);
        HH_ASSERT_EQ(KMH(WALK, {"highway", "motorway"}, {"access", generic[i]}), 0);
        /* bikes still push on a footway, as without the tag */
        HH_ASSERT_NEAR(KMH(BIKE, {"highway", "footway"}, {"access", generic[i]}), 4.68, 1e-9);
        /* and an open class stays open: destination / delivery do not close */
        HH_ASSERT_NEAR(KMH(CAR, {"highway", "residential"}, {"access", generic[i]}), 25, 1e-9);
    }
    /* access=no / private close every mode */
    HH_ASSERT_EQ(KMH(WALK, {"highway", "residential"}, {"access", "private"}), 0);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "residential"}, {"access", "no"}), 0);
    /* the most specific key present wins */
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "residential"}, {"access", "no"}, {"foot", "yes"}), 4.68, 1e-9);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "residential"}, {"access", "no"}, {"foot", "yes"}), 0);
    HH_ASSERT_NEAR(KMH(CAR, {"highway", "primary"}, {"motor_vehicle", "no"}, {"motorcar", "yes"}), 60, 1e-9);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "primary"}, {"motorcar", "no"}, {"motor_vehicle", "yes"}), 0);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "primary"}, {"motor_vehicle", "no"}), 15, 1e-9);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "primary"}, {"vehicle", "no"}), 0);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "primary"}, {"vehicle", "no"}), 0);
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "primary"}, {"vehicle", "no"}), 4.68, 1e-9);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "primary"}, {"vehicle", "no"}, {"bicycle", "yes"}), 15, 1e-9);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "primary"}, {"vehicle", "no"}, {"bicycle", "yes"}), 0);
    HH_ASSERT_EQ(KMH(WALK, {"highway", "service"}, {"access", "no"}, {"vehicle", "yes"}), 0);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "service"}, {"access", "no"}, {"vehicle", "yes"}), 15, 1e-9);
    HH_ASSERT_NEAR(KMH(CAR, {"highway", "service"}, {"access", "no"}, {"vehicle", "yes"}), 15, 1e-9);
    /* a key covering the mode may reopen a closed class (at the footway,
     * cycleway or service speed); one that does not cover it says nothing */
    HH_ASSERT_NEAR(KMH(CAR, {"highway", "footway"}, {"motor_vehicle", "yes"}), 15, 1e-9);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "footway"}, {"foot", "yes"}), 0);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "footway"}, {"bicycle", "yes"}), 0);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "footway"}, {"foot", "yes"}), 4.68, 1e-9);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "footway"}, {"bicycle", "yes"}), 15, 1e-9);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "footway"}, {"vehicle", "yes"}), 15, 1e-9);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "footway"}, {"bicycle", "dismount"}), 4.68, 1e-9);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "footway"}, {"bicycle", "no"}), 0);
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "motorway"}, {"foot", "yes"}), 4.68, 1e-9);
}

HH_TEST(profile_steps_motorroad_lifecycle_oneway)
{
    hh_profile p;
    hh_profile_default(&p);
    hh__way_attr a;
    /* steps: bikes only with bicycle=yes|designated, at walking speed */
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "steps"}), 0);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "steps"}, {"bicycle", "permissive"}), 0);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "steps"}, {"vehicle", "yes"}), 0);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "steps"}, {"bicycle", "no"}), 0);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "steps"}, {"bicycle", "yes"}), 4.68, 1e-9);
    HH_ASSERT_NEAR(KMH(BIKE, {"highway", "steps"}, {"bicycle", "designated"}, {"vehicle", "no"}), 4.68, 1e-9);
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "steps"}), 4.68, 1e-9);
    HH_ASSERT_EQ(KMH(CAR, {"highway", "steps"}), 0);
    /* motorroad=yes closes walking and cycling; only foot / bicycle reopen */
    HH_ASSERT_EQ(KMH(WALK, {"highway", "trunk"}, {"motorroad", "yes"}), 0);
    HH_ASSERT_EQ(KMH(BIKE, {"highway", "primary"}, {"motorroad", "yes"}), 0);
    HH_ASSERT_EQ(KMH(WALK, {"highway", "primary"}, {"motorroad", "yes"}, {"access", "yes"}), 0);
    HH_ASSERT_NEAR(KMH(CAR, {"highway", "primary"}, {"motorroad", "yes"}), 60, 1e-9);
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "primary"}, {"motorroad", "no"}), 4.68, 1e-9);
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "primary"}, {"motorroad", "yes"}, {"foot", "yes"}), 4.68, 1e-9);
    p.speed_kmh[HH_MODE_WALK][HH_CLASS_PRIMARY] = 5; /* reopened at the class's own speed */
    HH_ASSERT_NEAR(KMH(WALK, {"highway", "primary"}, {"motorroad", "yes"}, {"foot", "yes"}), 5, 1e-9);
    hh_profile_default(&p);
    /* construction and proposed roads are not routable */
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "construction"}, {"construction", "residential"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "proposed"}, {"proposed", "primary"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "residential"}, {"construction", "residential"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "cycleway"}, {"proposed", "cycleway"}), &a), 1);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "secondary"}, {"construction", "primary"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "trunk"}, {"construction", "minor"}), &a), 1);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "trunk"}, {"construction", "no"}), &a), 1);
    /* areas: only pedestrian / footway areas with a highway are walkable */
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"area", "yes"}, {"area:highway", "footway"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"area", "yes"}, {"landuse", "grass"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "service"}, {"area", "yes"}), &a), 0);
    HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "pedestrian"}, {"area", "yes"}), &a), 1);
    HH_ASSERT(a.speed_kmh[HH_MODE_WALK] > 0 && a.speed_kmh[HH_MODE_CAR] == 0);
    /* reversible / alternating: closed to cars, two-way for walk and bike */
    static const char *const rev[] = {"reversible", "alternating"};
    for (int i = 0; i < 2; i++) {
        HH_ASSERT_EQ(hh__profile_way(&p, TAGS({"highway", "primary"}, {"oneway", rev[i]}), &a), 1);
        HH_ASSERT(a.speed_kmh[HH_MODE_CAR] == 0 && !a.fwd[HH_MODE_CAR] && !a.bwd[HH_MODE_CAR]);
        HH_ASSERT(a.fwd[HH_MODE_BIKE] && a.bwd[HH_MODE_BIKE] && a.fwd[HH_MODE_WALK] && a.bwd[HH_MODE_WALK]);
        HH_ASSERT_EQ(KMH(CAR, {"highway", "primary"}, {"oneway", rev[i]}, {"motorcar", "yes"}), 0);
    }
}

HH_TEST(profile_barrier_access)
{
    hh_profile p;
    hh_profile_default(&p);
    hh__node_attr a;
    const uint8_t W = 1u << HH_MODE_WALK, B = 1u << HH_MODE_BIKE, C = 1u << HH_MODE_CAR;
    HH_ASSERT_EQ(hh__profile_node(&p, TAGS({"barrier", "bollard"}), &a), 1);
    HH_ASSERT_EQ(a.closed, C);
    /* a generic access value may close a barrier but not open one */
    hh__profile_node(&p, TAGS({"barrier", "bollard"}, {"access", "yes"}), &a);
    HH_ASSERT_EQ(a.closed, C);
    hh__profile_node(&p, TAGS({"barrier", "gate"}, {"access", "private"}), &a);
    HH_ASSERT_EQ(a.closed, W | B | C);
    hh__profile_node(&p, TAGS({"barrier", "gate"}, {"access", "no"}, {"foot", "yes"}), &a);
    HH_ASSERT_EQ(a.closed, B | C);
    hh__profile_node(&p, TAGS({"barrier", "bollard"}, {"motorcar", "yes"}), &a);
    HH_ASSERT_EQ(a.closed, 0);
    hh__profile_node(&p, TAGS({"barrier", "bollard"}, {"access", "yes"}, {"motor_vehicle", "yes"}), &a);
    HH_ASSERT_EQ(a.closed, 0);
    hh__profile_node(&p, TAGS({"barrier", "gate"}, {"vehicle", "no"}), &a);
    HH_ASSERT_EQ(a.closed, B | C);
    hh__profile_node(&p, TAGS({"barrier", "wall"}, {"access", "yes"}), &a);
    HH_ASSERT_EQ(a.closed, W | B | C);
}
