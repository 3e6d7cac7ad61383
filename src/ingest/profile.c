/* profile.c: the default routing policy and OSM tag interpretation.
 * Defaults follow common practice of peer engines (OSRM's car/foot/bicycle
 * profiles, R5's walk 1.3 m/s) and are printed by `halfhour build --help`. */
#include "ingest/profile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[HH_N_CLASSES] = {
#define HH_CLASS_STR(name, str) str,
    HH_CLASS_MAP(HH_CLASS_STR)
#undef HH_CLASS_STR
};

static const char *const mode_names[HH_N_MODES] = {"walk", "bike", "car"};

const char *hh_class_name(int c)
{
    return (c >= 0 && c < HH_N_CLASSES) ? class_names[c] : "?";
}

const char *hh_mode_name(hh_mode m)
{
    return ((unsigned)m < HH_N_MODES) ? mode_names[m] : "?";
}

int hh_mode_parse(const char *s, hh_mode *out)
{
    for (int m = 0; m < HH_N_MODES; m++)
        if (s && !strcmp(s, mode_names[m])) {
            *out = (hh_mode)m;
            return 0;
        }
    return HH_EINVAL;
}

static int class_lookup(const char *s)
{
    for (int c = 0; c < HH_N_CLASSES; c++)
        if (!strcmp(s, class_names[c]))
            return c;
    return -1;
}

#define WALK_KMH 4.68 /* 1.3 m/s, R5's and r5py's default walking speed */
#define BIKE_KMH 15.0

void hh_profile_default(hh_profile *p)
{
    memset(p, 0, sizeof *p);
    for (int c = 0; c < HH_N_CLASSES; c++)
        p->speed_kmh[HH_MODE_WALK][c] = WALK_KMH;
    /* walking is not allowed on motorways or bus-only roads */
    p->speed_kmh[HH_MODE_WALK][HH_CLASS_MOTORWAY] = 0;
    p->speed_kmh[HH_MODE_WALK][HH_CLASS_MOTORWAY_LINK] = 0;
    p->speed_kmh[HH_MODE_WALK][HH_CLASS_BUSWAY] = 0;

    static const int bike_ok[] = {
        HH_CLASS_PRIMARY, HH_CLASS_PRIMARY_LINK, HH_CLASS_SECONDARY,
        HH_CLASS_SECONDARY_LINK, HH_CLASS_TERTIARY, HH_CLASS_TERTIARY_LINK,
        HH_CLASS_UNCLASSIFIED, HH_CLASS_RESIDENTIAL, HH_CLASS_LIVING_STREET,
        HH_CLASS_SERVICE, HH_CLASS_ROAD, HH_CLASS_CYCLEWAY};
    for (size_t i = 0; i < sizeof bike_ok / sizeof *bike_ok; i++)
        p->speed_kmh[HH_MODE_BIKE][bike_ok[i]] = BIKE_KMH;
    p->speed_kmh[HH_MODE_BIKE][HH_CLASS_TRACK] = 12.0;
    p->speed_kmh[HH_MODE_BIKE][HH_CLASS_PATH] = 12.0;
    p->speed_kmh[HH_MODE_BIKE][HH_CLASS_BRIDLEWAY] = 0;

    double *car = p->speed_kmh[HH_MODE_CAR];
    car[HH_CLASS_MOTORWAY] = 100;
    car[HH_CLASS_MOTORWAY_LINK] = 50;
    car[HH_CLASS_TRUNK] = 80;
    car[HH_CLASS_TRUNK_LINK] = 40;
    car[HH_CLASS_PRIMARY] = 60;
    car[HH_CLASS_PRIMARY_LINK] = 30;
    car[HH_CLASS_SECONDARY] = 50;
    car[HH_CLASS_SECONDARY_LINK] = 25;
    car[HH_CLASS_TERTIARY] = 40;
    car[HH_CLASS_TERTIARY_LINK] = 20;
    car[HH_CLASS_UNCLASSIFIED] = 30;
    car[HH_CLASS_RESIDENTIAL] = 25;
    car[HH_CLASS_LIVING_STREET] = 10;
    car[HH_CLASS_SERVICE] = 15;
    car[HH_CLASS_ROAD] = 25;

    p->car_maxspeed_factor = 0.8;
    p->car_speed_factor = 1.0;
    p->bike_push_on_footways = 1;
    p->connector_kmh[HH_MODE_WALK] = WALK_KMH;
    p->connector_kmh[HH_MODE_BIKE] = BIKE_KMH;
    p->connector_kmh[HH_MODE_CAR] = WALK_KMH;
    p->iso_cell_m = 50;
    p->iso_buffer_m = 100;
    p->iso_max_cells = 100000;
    p->transit_link_m = 300;
    p->transit_transfer_m = 1000; /* R5's default maximum transfer distance */
    p->transit_egress_m = 1600;   /* about 20 min at walking speed */
    /* R5 prunes islands under 40 vertices, OpenTripPlanner under 40 (5 with
     * a stop): a dozen dozen streets is a neighbourhood, not a fragment */
    p->island_min_vertices = 40;
    p->island_min_vertices_with_stop = 5;
    /* OSRM's stock car profile: turn_penalty 7.5 s, turn_bias 1.075,
     * u_turn_penalty 20 s, traffic_light_penalty 2 s */
    p->car_turn_costs = 1;
    p->car_turn_s = 7.5;
    p->car_turn_bias = 1.075;
    p->car_uturn_s = 20;
    p->car_signal_s = 2;
    /* barriers, after OSRM's stock profiles: cars pass gates and the like,
     * not bollards, blocks or kerbs; walking and cycling pass all but
     * fences and walls */
    static const struct {
        const char *name;
        uint8_t mask;
    } bar[] = {
#define W (1u << HH_MODE_WALK)
#define B (1u << HH_MODE_BIKE)
#define C (1u << HH_MODE_CAR)
        {"gate", W | B | C},          {"lift_gate", W | B | C},    {"swing_gate", W | B | C},
        {"cattle_grid", W | B | C},   {"border_control", W | B | C}, {"toll_booth", W | B | C},
        {"sally_port", W | B | C},    {"entrance", W | B | C},     {"height_restrictor", W | B | C},
        {"arch", W | B | C},          {"no", W | B | C},           {"bollard", W | B},
        {"block", W | B},             {"cycle_barrier", W | B},    {"kerb", W | B},
        {"chain", W | B},             {"kissing_gate", W | B},     {"stile", W | B},
        {"turnstile", W | B},         {"hampshire_gate", W | B},   {"motorcycle_barrier", W | B},
        {"fence", 0},                 {"wall", 0},                 {"yes", 0},
    };
    for (size_t i = 0; i < sizeof bar / sizeof *bar && i < HH_MAX_BARRIERS; i++) {
        snprintf(p->barriers[i].name, sizeof p->barriers[i].name, "%s", bar[i].name);
        p->barriers[i].pass_mask = bar[i].mask;
        p->n_barriers = (int)i + 1;
    }
    p->barrier_other_mask = W | B;
#undef W
#undef B
#undef C
}

/* "walk,bike" -> mode bits; "none" -> 0; -1 for anything else */
static int parse_modes(const char *v)
{
    if (!strcmp(v, "none"))
        return 0;
    int mask = 0;
    char buf[64];
    if (strlen(v) >= sizeof buf || !*v)
        return -1;
    strcpy(buf, v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        hh_mode m;
        while (*t == ' ')
            t++;
        char *e = t + strlen(t);
        while (e > t && e[-1] == ' ')
            *--e = 0;
        if (hh_mode_parse(t, &m))
            return -1;
        mask |= 1 << m;
    }
    return mask;
}

static void format_modes(int mask, char *out, size_t cap)
{
    out[0] = 0;
    for (int m = 0; m < HH_N_MODES; m++)
        if (mask & (1 << m))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", mode_names[m]);
    if (!out[0])
        snprintf(out, cap, "none");
}

/* ---- key = value settings -------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a, b);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static int parse_num(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

int hh_profile_set(hh_profile *p, const char *kv, char *err, size_t errlen)
{
    char buf[256];
    if (strlen(kv) >= sizeof buf) {
        set_err(err, errlen, "setting too long: %.40s%s", kv, "...");
        return HH_EINVAL;
    }
    strcpy(buf, kv);
    char *eq = strchr(buf, '=');
    if (!eq) {
        set_err(err, errlen, "setting \"%s\" is not key=value%s", kv, "");
        return HH_EINVAL;
    }
    *eq = 0;
    char *key = trim(buf), *val = trim(eq + 1);
    double d;
    double *target = NULL;
    double lo = 0, hi = 0;
    char *dot = strchr(key, '.');
    if (dot) {
        *dot = 0;
        const char *sub = dot + 1;
        hh_mode m;
        if (hh_mode_parse(key, &m) == 0) {
            int c = class_lookup(sub);
            if (c >= 0) {
                target = &p->speed_kmh[m][c];
                lo = 0, hi = 300;
            } else if (!strcmp(sub, "connector_kmh")) {
                target = &p->connector_kmh[m];
                lo = 0.1, hi = 300;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "maxspeed_factor")) {
                target = &p->car_maxspeed_factor;
                lo = 0.01, hi = 2;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "speed_factor")) {
                target = &p->car_speed_factor;
                lo = 0.01, hi = 2;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "turn_costs")) {
                if (parse_num(val, 0, 1, &d) || (d != 0 && d != 1)) {
                    set_err(err, errlen, "car.turn_costs must be 0 or 1, not \"%s\"%s", val, "");
                    return HH_EINVAL;
                }
                p->car_turn_costs = (int)d;
                return 0;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "turn_s")) {
                target = &p->car_turn_s, lo = 0, hi = 600;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "turn_bias")) {
                target = &p->car_turn_bias, lo = 0.1, hi = 10;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "uturn_s")) {
                target = &p->car_uturn_s, lo = 0, hi = 3600;
            } else if (m == HH_MODE_CAR && !strcmp(sub, "signal_s")) {
                target = &p->car_signal_s, lo = 0, hi = 600;
            } else if (m == HH_MODE_BIKE && !strcmp(sub, "push_on_footways")) {
                if (parse_num(val, 0, 1, &d) || (d != 0 && d != 1)) {
                    set_err(err, errlen, "bike.push_on_footways must be 0 or 1, not \"%s\"%s", val, "");
                    return HH_EINVAL;
                }
                p->bike_push_on_footways = (int)d;
                return 0;
            }
        } else if (!strcmp(key, "barrier")) {
            int mask = parse_modes(val);
            *dot = '.';
            if (mask < 0) {
                set_err(err, errlen, "%s must list the modes that may pass (walk,bike,car or none), not \"%s\"",
                        key, val);
                return HH_EINVAL;
            }
            if (!strcmp(sub, "other")) {
                p->barrier_other_mask = (uint8_t)mask;
                return 0;
            }
            if (!*sub || strlen(sub) >= sizeof p->barriers[0].name) {
                set_err(err, errlen, "barrier name \"%s\" is empty or too long%s", sub, "");
                return HH_EINVAL;
            }
            for (int i = 0; i < p->n_barriers; i++)
                if (!strcmp(p->barriers[i].name, sub)) {
                    p->barriers[i].pass_mask = (uint8_t)mask;
                    return 0;
                }
            if (p->n_barriers == HH_MAX_BARRIERS) {
                set_err(err, errlen, "too many barrier kinds (at most %s)%s", "32", "");
                return HH_EINVAL;
            }
            snprintf(p->barriers[p->n_barriers].name, sizeof p->barriers[0].name, "%s", sub);
            p->barriers[p->n_barriers++].pass_mask = (uint8_t)mask;
            return 0;
        } else if (!strcmp(key, "island")) {
            if (!strcmp(sub, "min_vertices"))
                target = &p->island_min_vertices, lo = 1, hi = 1e9;
            else if (!strcmp(sub, "min_vertices_with_stop"))
                target = &p->island_min_vertices_with_stop, lo = 1, hi = 1e9;
        } else if (!strcmp(key, "transit")) {
            if (!strcmp(sub, "link_m"))
                target = &p->transit_link_m, lo = 1, hi = 5000;
            else if (!strcmp(sub, "transfer_m"))
                target = &p->transit_transfer_m, lo = 0, hi = 5000;
            else if (!strcmp(sub, "egress_m"))
                target = &p->transit_egress_m, lo = 0, hi = 10000;
        } else if (!strcmp(key, "iso")) {
            if (!strcmp(sub, "cell_m"))
                target = &p->iso_cell_m, lo = 5, hi = 1000;
            else if (!strcmp(sub, "buffer_m"))
                target = &p->iso_buffer_m, lo = 5, hi = 5000;
            else if (!strcmp(sub, "max_cells"))
                target = &p->iso_max_cells, lo = 1000, hi = 1e8;
        }
        *dot = '.';
    }
    if (!target) {
        set_err(err, errlen, "unknown setting \"%s\"%s", key, "");
        return HH_EINVAL;
    }
    if (parse_num(val, lo, hi, &d)) {
        char range[64];
        snprintf(range, sizeof range, "a number in [%g, %g]", lo, hi);
        set_err(err, errlen, "%s must be %s", key, range);
        return HH_EINVAL;
    }
    *target = d;
    if (p->iso_buffer_m < p->iso_cell_m)
        p->iso_buffer_m = p->iso_cell_m;
    return 0;
}

int hh_profile_load(hh_profile *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        set_err(err, errlen, "cannot open profile %s: %s", path, strerror(errno));
        return HH_EIO;
    }
    hh_profile tmp = *p;
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        char *s = trim(line);
        if (!*s)
            continue;
        char e2[200];
        rc = hh_profile_set(&tmp, s, e2, sizeof e2);
        if (rc) {
            if (err && errlen)
                snprintf(err, errlen, "%s line %d: %s", path, lineno, e2);
            break;
        }
    }
    fclose(f);
    if (!rc)
        *p = tmp;
    return rc;
}

size_t hh_profile_format(const hh_profile *p, char *buf, size_t cap)
{
    size_t n = 0;
#define OUT(...)                                                            \
    do {                                                                    \
        int k_ = snprintf(buf ? buf + (n < cap ? n : cap) : NULL,           \
                          n < cap ? cap - n : 0, __VA_ARGS__);              \
        if (k_ > 0)                                                         \
            n += (size_t)k_;                                                \
    } while (0)
    for (int m = 0; m < HH_N_MODES; m++)
        for (int c = 0; c < HH_N_CLASSES; c++)
            OUT("%s.%s = %g\n", mode_names[m], class_names[c], p->speed_kmh[m][c]);
    for (int m = 0; m < HH_N_MODES; m++)
        OUT("%s.connector_kmh = %g\n", mode_names[m], p->connector_kmh[m]);
    OUT("car.maxspeed_factor = %g\n", p->car_maxspeed_factor);
    OUT("car.speed_factor = %g\n", p->car_speed_factor);
    OUT("car.turn_costs = %d\n", p->car_turn_costs);
    OUT("car.turn_s = %g\n", p->car_turn_s);
    OUT("car.turn_bias = %g\n", p->car_turn_bias);
    OUT("car.uturn_s = %g\n", p->car_uturn_s);
    OUT("car.signal_s = %g\n", p->car_signal_s);
    OUT("bike.push_on_footways = %d\n", p->bike_push_on_footways);
    OUT("iso.cell_m = %g\n", p->iso_cell_m);
    OUT("iso.buffer_m = %g\n", p->iso_buffer_m);
    OUT("iso.max_cells = %g\n", p->iso_max_cells);
    OUT("transit.link_m = %g\n", p->transit_link_m);
    OUT("transit.transfer_m = %g\n", p->transit_transfer_m);
    OUT("transit.egress_m = %g\n", p->transit_egress_m);
    OUT("island.min_vertices = %g\n", p->island_min_vertices);
    OUT("island.min_vertices_with_stop = %g\n", p->island_min_vertices_with_stop);
    for (int i = 0; i < p->n_barriers; i++) {
        char ms[32];
        format_modes(p->barriers[i].pass_mask, ms, sizeof ms);
        OUT("barrier.%s = %s\n", p->barriers[i].name, ms);
    }
    {
        char ms[32];
        format_modes(p->barrier_other_mask, ms, sizeof ms);
        OUT("barrier.other = %s\n", ms);
    }
#undef OUT
    return n;
}

/* ---- tags ------------------------------------------------------------ */

static const char *tag(const hh__tag *t, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].k, k))
            return t[i].v;
    return NULL;
}

/* 1 allow, 0 deny, -1 no opinion (look further up the hierarchy) */
static int access_value(const char *v)
{
    if (!v)
        return -1;
    static const char *const yes[] = {"yes", "designated", "permissive", "destination",
                                      "official", "customers", "delivery", "permit", "dismount"};
    static const char *const no[] = {"no", "private", "agricultural", "forestry",
                                     "use_sidepath", "discouraged", "emergency", "military"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!strcmp(v, yes[i]))
            return 1;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (!strcmp(v, no[i]))
            return 0;
    return -1;
}

/* The OSM access hierarchy of each mode, most specific key first, without
 * the generic `access` at its root: car motorcar < motor_vehicle < vehicle,
 * bike bicycle < vehicle, walk foot. */
static const char *const *mode_keys(hh_mode m)
{
    static const char *const walk[] = {"foot", NULL};
    static const char *const bike[] = {"bicycle", "vehicle", NULL};
    static const char *const car[] = {"motorcar", "motor_vehicle", "vehicle", NULL};
    return m == HH_MODE_WALK ? walk : m == HH_MODE_BIKE ? bike : car;
}

/* A way's or node's access for a mode: 1 open, 0 closed, -1 no answer
 * (the class or barrier table decides).  The most specific key of the
 * mode's hierarchy with a known value wins (access=no + foot=yes opens
 * walking, motor_vehicle=no + motorcar=yes opens cars, vehicle=no closes
 * bike and car).  A key outside the hierarchy never counts (foot=yes says
 * nothing about bikes), and the generic `access` may only close: access=yes
 * (permissive, destination...) opens nothing the profile or a barrier
 * closes to the mode. */
static int mode_access(const hh__tag *t, int n, hh_mode m)
{
    for (const char *const *k = mode_keys(m); *k; k++) {
        int a = access_value(tag(t, n, *k));
        if (a >= 0)
            return a;
    }
    return access_value(tag(t, n, "access")) == 0 ? 0 : -1;
}

int hh__parse_maxspeed(const char *v, double *kmh)
{
    if (!v)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || errno || !isfinite(d) || d <= 0 || d > 300)
        return -1;
    while (*end == ' ')
        end++;
    if (!*end || !strcmp(end, "km/h") || !strcmp(end, "kmh") || !strcmp(end, "kph"))
        *kmh = d;
    else if (!strcmp(end, "mph"))
        *kmh = d * 1.609344;
    else if (!strcmp(end, "knots"))
        *kmh = d * 1.852;
    else
        return -1;
    return 0;
}

static int is_yes(const char *v)
{
    return v && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"));
}
static int is_no(const char *v)
{
    return v && (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"));
}
static int is_rev(const char *v)
{
    return v && (!strcmp(v, "-1") || !strcmp(v, "reverse"));
}

static int is_value(const char *v, const char *a, const char *b)
{
    return v && (!strcmp(v, a) || (b && !strcmp(v, b)));
}

/* The speed a mode's own access key gives a way whose class (or motorroad)
 * closes it to the mode: footway speed for walking, cycleway for bikes,
 * service road for cars. */
static const int open_class[HH_N_MODES] = {HH_CLASS_FOOTWAY, HH_CLASS_CYCLEWAY, HH_CLASS_SERVICE};

int hh__profile_way(const hh_profile *p, const hh__tag *t, int n, hh__way_attr *a)
{
    /* highway=construction / proposed are no class: never routable, whatever
     * construction=* or proposed=* says the way will become; nor is a road
     * of a routable class tagged as being built (construction=* other than
     * no, minor or widening, as OSRM).  proposed=* on a road of a routable
     * class names a planned change of a road that exists (poa's built
     * Ipiranga cycleway carries proposed=cycleway): it stays. */
    const char *hw = tag(t, n, "highway");
    if (!hw)
        return 0; /* area=yes, area:highway=* ... without a highway: not a road */
    int c = class_lookup(hw);
    if (c < 0)
        return 0;
    const char *cons = tag(t, n, "construction");
    if (cons && !is_no(cons) && strcmp(cons, "minor") && strcmp(cons, "widening"))
        return 0;
    const char *area = tag(t, n, "area");
    if (is_yes(area) && c != HH_CLASS_PEDESTRIAN && c != HH_CLASS_FOOTWAY)
        return 0;
    memset(a, 0, sizeof *a);
    a->road_class = c;
    int any = 0;
    const char *ow = tag(t, n, "oneway");
    int motorroad = is_yes(tag(t, n, "motorroad"));
    double walk_kmh = p->speed_kmh[HH_MODE_WALK][c] > 0 ? p->speed_kmh[HH_MODE_WALK][c]
                                                        : p->connector_kmh[HH_MODE_WALK];
    for (int m = 0; m < HH_N_MODES; m++) {
        double v = p->speed_kmh[m][c];
        if (motorroad && m != HH_MODE_CAR)
            v = 0; /* motorroad=yes: no walking or cycling unless foot/bicycle say so */
        int acc = mode_access(t, n, (hh_mode)m);
        const char *bv = m == HH_MODE_BIKE ? tag(t, n, "bicycle") : NULL;
        if (m == HH_MODE_BIKE && c == HH_CLASS_STEPS) {
            /* steps: only with an explicit bicycle=yes|designated, and then
             * the bike is carried or pushed: walking speed */
            v = is_value(bv, "yes", "designated") ? (v > 0 ? v : walk_kmh) : 0;
            acc = -1;
        } else if (m == HH_MODE_BIKE && v == 0 &&
                   (c == HH_CLASS_FOOTWAY || c == HH_CLASS_PEDESTRIAN || c == HH_CLASS_CORRIDOR) && acc < 0 &&
                   p->bike_push_on_footways && !motorroad)
            v = p->speed_kmh[HH_MODE_WALK][c]; /* pushing the bike */
        else if (m == HH_MODE_BIKE && acc == 1 && is_value(bv, "dismount", NULL))
            v = walk_kmh;
        if (acc == 0)
            v = 0;
        else if (acc == 1 && v == 0) /* reopened: the class's speed, or the open class's */
            v = p->speed_kmh[m][c] > 0 ? p->speed_kmh[m][c] : p->speed_kmh[m][open_class[m]];
        if (m == HH_MODE_CAR && is_value(ow, "reversible", "alternating"))
            v = 0; /* its direction changes over the day: not routable by car */
        if (m == HH_MODE_CAR && v > 0) {
            double ms;
            if (hh__parse_maxspeed(tag(t, n, "maxspeed"), &ms) == 0)
                v = ms * p->car_maxspeed_factor;
            v *= p->car_speed_factor;
        }
        a->speed_kmh[m] = v;
        if (v <= 0)
            continue;
        int fwd = 1, bwd = 1;
        if (m != HH_MODE_WALK) {
            const char *junction = tag(t, n, "junction");
            int implied = (junction && (!strcmp(junction, "roundabout") || !strcmp(junction, "circular"))) ||
                          (m == HH_MODE_CAR && (c == HH_CLASS_MOTORWAY));
            if (is_rev(ow))
                fwd = 0;
            else if (is_yes(ow) || (implied && !is_no(ow)))
                bwd = 0;
            if (m == HH_MODE_BIKE) {
                const char *ob = tag(t, n, "oneway:bicycle");
                const char *cw = tag(t, n, "cycleway");
                if (is_no(ob) || (cw && !strncmp(cw, "opposite", 8)))
                    fwd = bwd = 1;
                else if (is_yes(ob))
                    fwd = 1, bwd = 0;
                else if (is_rev(ob))
                    fwd = 0, bwd = 1;
            }
        } else {
            const char *of = tag(t, n, "oneway:foot");
            if (is_yes(of))
                bwd = 0;
            else if (is_rev(of))
                fwd = 0;
        }
        a->fwd[m] = (uint8_t)fwd;
        a->bwd[m] = (uint8_t)bwd;
        any |= fwd | bwd;
    }
    return any;
}

int hh__profile_node(const hh_profile *p, const hh__tag *t, int n, hh__node_attr *a)
{
    memset(a, 0, sizeof *a);
    const char *hw = tag(t, n, "highway"), *cr = tag(t, n, "crossing");
    a->signals = (hw && !strcmp(hw, "traffic_signals")) || (cr && !strcmp(cr, "traffic_signals"));
    const char *bv = tag(t, n, "barrier");
    if (bv) {
        int pass = p->barrier_other_mask;
        for (int i = 0; i < p->n_barriers; i++)
            if (!strcmp(p->barriers[i].name, bv)) {
                pass = p->barriers[i].pass_mask;
                break;
            }
        for (int m = 0; m < HH_N_MODES; m++) {
            int acc = mode_access(t, n, (hh_mode)m);
            int open = acc == 1 ? 1 : acc == 0 ? 0 : (pass >> m) & 1;
            if (!open)
                a->closed |= (uint8_t)(1u << m);
        }
    }
    return a->closed || a->signals;
}
