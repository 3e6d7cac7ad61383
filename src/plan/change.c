/* change.c: reading a scenario's change file (see change.h).
 * JSON is parsed by jansson (Debian's libjansson): it reports the line of
 * a syntax error and keeps numbers and arrays apart exactly, which the
 * property checks below rely on.  jansson allocates through its own
 * malloc (json_set_alloc_funcs would be process-wide state, which the
 * library does not set); every struct here goes through hh__ alloc. */
#include "plan/change.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static const struct {
    const char *name;
    hh__mod_kind kind;
} kinds[] = {{"add-street", HH__MOD_ADD_STREET},         {"modify-street", HH__MOD_MODIFY_STREET},
             {"road-congestion", HH__MOD_MODIFY_STREET}, {"add-line", HH__MOD_ADD_LINE},
             {"adjust-frequency", HH__MOD_ADJUST_FREQUENCY}, {"adjust-speed", HH__MOD_ADJUST_SPEED},
             {"adjust-dwell", HH__MOD_ADJUST_DWELL},     {"remove-trips", HH__MOD_REMOVE_TRIPS},
             {"remove-stops", HH__MOD_REMOVE_STOPS},     {"reroute", HH__MOD_REROUTE}};
#define N_KINDS (sizeof kinds / sizeof *kinds)

/* GTFS route_type by the names planners use */
static const struct {
    const char *name;
    int type;
} line_modes[] = {{"tram", 0}, {"light_rail", 0}, {"metro", 1}, {"subway", 1}, {"rail", 2}, {"train", 2},
                  {"bus", 3},  {"ferry", 4},      {"cable_tram", 5}, {"gondola", 6}, {"funicular", 7},
                  {"trolleybus", 11}, {"monorail", 12}};

typedef struct rd {
    const char *path;
    char *err;
    size_t errlen;
    hh__mod *m;
    json_t *wrap; /* a Point's position as a one-position list (freed with the document) */
} rd;

static int bad(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(rd *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->m)
        snprintf(r->err, r->errlen, "%s: %s: %s", r->path, r->m->label, msg);
    else
        snprintf(r->err, r->errlen, "%s: %s", r->path, msg);
    return HH_EFORMAT;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = hh__malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* "HH:MM" or "HH:MM:SS" (hours up to 47, GTFS style); -1 when bad */
static int32_t parse_clock(const char *s)
{
    int32_t part[3] = {0, 0, 0};
    int np = 0;
    while (np < 3) {
        int digits = 0;
        while (isdigit((unsigned char)*s) && digits < 3)
            part[np] = part[np] * 10 + (*s++ - '0'), digits++;
        if (!digits || (np && digits != 2) || digits > 2)
            return -1;
        np++;
        if (*s != ':')
            break;
        s++;
    }
    if (*s || np < 2 || part[0] > 47 || part[1] > 59 || part[2] > 59)
        return -1;
    return part[0] * 3600 + part[1] * 60 + part[2];
}

/* "YYYY-MM-DD" or "YYYYMMDD"; 0 when bad (the range is checked later) */
static int32_t parse_date(const char *s)
{
    int y, mo, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && !s[n])
        ;
    else if (strlen(s) == 8 && sscanf(s, "%4d%2d%2d%n", &y, &mo, &d, &n) == 3 && !s[n])
        ;
    else
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0)))
        return 0;
    return y * 10000 + mo * 100 + d;
}

/* A number property: 0 absent (*v untouched), 1 read, or an error. */
static int get_num(rd *r, json_t *props, const char *key, double lo, double hi, double *v)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_number(x))
        return bad(r, "%s must be a number", key);
    double d = json_number_value(x);
    if (!isfinite(d) || d < lo || d > hi)
        return bad(r, "%s %g is out of range [%g, %g]", key, d, lo, hi);
    *v = d;
    return 1;
}

static int get_bool(rd *r, json_t *props, const char *key, int *v)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_boolean(x))
        return bad(r, "%s must be true or false", key);
    *v = json_is_true(x);
    return 1;
}

static int get_str(rd *r, json_t *props, const char *key, char **v)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_string(x) || !*json_string_value(x))
        return bad(r, "%s must be a non-empty string", key);
    if (!(*v = dup_str(json_string_value(x))))
        return HH_ENOMEM;
    return 1;
}

/* An array of strings (a single string counts as one); nulls allowed
 * where null_ok, kept as NULL entries. */
static int get_strs(rd *r, json_t *props, const char *key, int null_ok, char ***v, size_t *n)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    size_t k = json_is_array(x) ? json_array_size(x) : 1;
    if (!json_is_array(x) && !json_is_string(x))
        return bad(r, "%s must be a string or an array of strings", key);
    if (k == 0)
        return bad(r, "%s is empty", key);
    char **a = hh__calloc(k, sizeof *a);
    if (!a)
        return HH_ENOMEM;
    *v = a, *n = k;
    for (size_t i = 0; i < k; i++) {
        json_t *e = json_is_array(x) ? json_array_get(x, i) : x;
        if (json_is_null(e) && null_ok)
            continue;
        if (!json_is_string(e) || !*json_string_value(e))
            return bad(r, "%s[%zu] must be a non-empty string%s", key, i, null_ok ? " or null" : "");
        if (!(a[i] = dup_str(json_string_value(e))))
            return HH_ENOMEM;
    }
    return 1;
}

static int get_modes(rd *r, json_t *props, const char *key, uint8_t *mask)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_array(x) || !json_array_size(x))
        return bad(r, "%s must be an array of modes (walk, bike, car)", key);
    uint8_t mk = 0;
    for (size_t i = 0; i < json_array_size(x); i++) {
        json_t *e = json_array_get(x, i);
        hh_mode md;
        if (!json_is_string(e) || hh_mode_parse(json_string_value(e), &md))
            return bad(r, "%s[%zu]: expected walk, bike or car", key, i);
        mk |= (uint8_t)(1u << md);
    }
    *mask = mk;
    return 1;
}

static int get_times(rd *r, json_t *props, const char *key, int32_t **v, size_t *n)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_array(x) || !json_array_size(x))
        return bad(r, "%s must be an array of times \"HH:MM\"", key);
    size_t k = json_array_size(x);
    if (!(*v = hh__alloc_array(k, sizeof **v)))
        return HH_ENOMEM;
    *n = k;
    for (size_t i = 0; i < k; i++) {
        json_t *e = json_array_get(x, i);
        int32_t t = json_is_string(e) ? parse_clock(json_string_value(e)) : -1;
        if (t < 0)
            return bad(r, "%s[%zu]: expected a time \"HH:MM\" or \"HH:MM:SS\"", key, i);
        if (i && t <= (*v)[i - 1])
            return bad(r, "%s: times must increase (%s after an earlier or equal one)", key,
                       json_string_value(e));
        (*v)[i] = t;
    }
    return 1;
}

static int get_clock(rd *r, json_t *props, const char *key, int32_t *v)
{
    json_t *x = json_object_get(props, key);
    if (!x || json_is_null(x))
        return 0;
    int32_t t = json_is_string(x) ? parse_clock(json_string_value(x)) : -1;
    if (t < 0)
        return bad(r, "%s: expected a time \"HH:MM\" or \"HH:MM:SS\"", key);
    *v = t;
    return 1;
}

/* LineString (or, polygon: Polygon / MultiPolygon rings) into m. */
static int read_geometry(rd *r, json_t *f, int want_line, int want_poly, int required)
{
    hh__mod *m = r->m;
    json_t *g = json_object_get(f, "geometry");
    if (!g || json_is_null(g)) {
        if (required)
            return bad(r, "needs a %s geometry", want_line ? "LineString" : "Polygon");
        return 0;
    }
    json_t *t = json_object_get(g, "type"), *c = json_object_get(g, "coordinates");
    const char *ts = json_is_string(t) ? json_string_value(t) : "";
    int line = !strcmp(ts, "LineString"), poly = !strcmp(ts, "Polygon"), mpoly = !strcmp(ts, "MultiPolygon");
    int point = !strcmp(ts, "Point"), mpoint = !strcmp(ts, "MultiPoint");
    if (want_line == 2 && (point || mpoint)) {
        /* reroute: the new stops may be points */
        line = 1;
    }
    if (!(line && want_line) && !((poly || mpoly) && want_poly))
        return bad(r, "geometry %s: expected %s", *ts ? ts : "(none)",
                   want_line && want_poly ? "a LineString or a Polygon"
                   : want_line            ? "a LineString (each vertex a point of the line)"
                                          : "a Polygon or MultiPolygon");
    if (!json_is_array(c))
        return bad(r, "geometry without coordinates");
    /* collect the rings as lists of positions */
    json_t *rings[4096];
    size_t nr = 0;
    if (point) {
        /* one position: as a one-position list */
        if (r->wrap)
            json_decref(r->wrap);
        if (!(r->wrap = json_array()) || json_array_append(r->wrap, c))
            return HH_ENOMEM;
        c = r->wrap;
    }
    if (line)
        rings[nr++] = c;
    else
        for (size_t p = 0; p < (mpoly ? json_array_size(c) : 1); p++) {
            json_t *pg = mpoly ? json_array_get(c, p) : c;
            if (!json_is_array(pg))
                return bad(r, "malformed polygon coordinates");
            for (size_t k = 0; k < json_array_size(pg); k++) {
                if (nr == 4096)
                    return bad(r, "more than 4096 rings");
                rings[nr++] = json_array_get(pg, k);
            }
        }
    size_t total = 0;
    for (size_t k = 0; k < nr; k++) {
        if (!json_is_array(rings[k]))
            return bad(r, "malformed coordinates");
        total += json_array_size(rings[k]);
    }
    m->lon = hh__alloc_array(total + 1, sizeof *m->lon);
    m->lat = hh__alloc_array(total + 1, sizeof *m->lat);
    m->ring_first = hh__alloc_array(nr + 1, sizeof *m->ring_first);
    if (!m->lon || !m->lat || !m->ring_first)
        return HH_ENOMEM;
    size_t at = 0;
    for (size_t k = 0; k < nr; k++) {
        m->ring_first[k] = at;
        for (size_t i = 0; i < json_array_size(rings[k]); i++) {
            json_t *pos = json_array_get(rings[k], i);
            json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
            if (!json_is_array(pos) || !json_is_number(x) || !json_is_number(y))
                return bad(r, "coordinate %zu is not [lon, lat]", i);
            double lo = json_number_value(x), la = json_number_value(y);
            if (!(lo >= -180 && lo <= 180 && la >= -90 && la <= 90))
                return bad(r, "coordinate %zu (%g, %g) is not a WGS-84 lon, lat", i, lo, la);
            m->lon[at] = lo, m->lat[at] = la;
            at++;
        }
        if (!line && at - m->ring_first[k] < 4)
            return bad(r, "a polygon ring needs at least 4 positions");
    }
    m->ring_first[nr] = at;
    m->n_pts = at;
    m->n_rings = line ? 0 : nr;
    if (line && at < 2 && want_line != 2)
        return bad(r, "a LineString needs at least 2 positions");
    return 1;
}

int hh__mod_contains(const hh__mod *m, double lon, double lat)
{
    int in = 0;
    for (size_t k = 0; k < m->n_rings; k++) {
        size_t a = m->ring_first[k], z = m->ring_first[k + 1];
        for (size_t i = a, j = z - 1; i < z; j = i++) {
            double xi = m->lon[i], yi = m->lat[i], xj = m->lon[j], yj = m->lat[j];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

/* Properties no modification type knows are most often misspellings. */
static int check_keys(rd *r, json_t *props, const char *const *ok)
{
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v)
    {
        int found = !strcmp(key, "type") || !strcmp(key, "name") || !strcmp(key, "description");
        for (const char *const *k = ok; *k && !found; k++)
            found = !strcmp(*k, key);
        if (!found)
            return bad(r, "unknown property \"%s\" for %s", key, r->m->type);
    }
    return 0;
}

#define TRY(x)                \
    do {                      \
        int rc_ = (x);        \
        if (rc_ < 0)          \
            return rc_;       \
    } while (0)

static int read_feature(rd *r, json_t *f)
{
    hh__mod *m = r->m;
    json_t *props = json_object_get(f, "properties");
    if (!json_is_object(props))
        return bad(r, "no properties object");
    json_t *t = json_object_get(props, "type");
    if (!json_is_string(t))
        return bad(r, "properties.type is missing (add-street, modify-street, road-congestion, add-line, "
                      "adjust-frequency, adjust-speed, adjust-dwell, remove-trips, remove-stops or reroute)");
    size_t k = 0;
    while (k < N_KINDS && strcmp(kinds[k].name, json_string_value(t)))
        k++;
    if (k == N_KINDS)
        return bad(r, "unknown type \"%s\" (add-street, modify-street, road-congestion, add-line, "
                      "adjust-frequency, adjust-speed, adjust-dwell, remove-trips, remove-stops or reroute)",
                   json_string_value(t));
    m->kind = kinds[k].kind, m->type = kinds[k].name;
    TRY(get_str(r, props, "name", &m->name));
    if (m->name)
        snprintf(m->label, sizeof m->label, "feature %d (%s \"%.100s\")", m->feature, m->type, m->name);
    else
        snprintf(m->label, sizeof m->label, "feature %d (%s)", m->feature, m->type);
    m->modes = (1u << HH_N_MODES) - 1;
    m->highway = -1;
    m->dwell_s = -1;
    m->start_s = m->end_s = HH__NOTIME;
    m->bidirectional = 1;
    m->tolerance_m = 50;
    m->route_type = 3;
    int got;
    switch (m->kind) {
    case HH__MOD_ADD_STREET: {
        static const char *const ok[] = {"modes", "highway", "speed_kmh", "oneway", "tolerance_m", NULL};
        TRY(check_keys(r, props, ok));
        TRY(read_geometry(r, f, 1, 0, 1));
        TRY(get_modes(r, props, "modes", &m->modes));
        TRY(get_num(r, props, "speed_kmh", 1, 300, &m->speed_kmh));
        TRY(get_bool(r, props, "oneway", &m->oneway));
        TRY(get_num(r, props, "tolerance_m", 0, 5000, &m->tolerance_m));
        char *hw = NULL;
        TRY(get_str(r, props, "highway", &hw));
        if (hw) {
            for (int c = 0; c < HH_N_CLASSES && m->highway < 0; c++)
                if (!strcmp(hh_class_name(c), hw))
                    m->highway = c;
            int unknown = m->highway < 0;
            if (unknown) {
                bad(r, "highway \"%s\" is not a road class (motorway, primary, residential, ...)", hw);
                hh__free(hw);
                return HH_EFORMAT;
            }
            hh__free(hw);
        }
        if (m->highway < 0 && !(m->speed_kmh > 0))
            return bad(r, "give \"highway\" (a road class) or \"speed_kmh\"");
        break;
    }
    case HH__MOD_MODIFY_STREET: {
        static const char *const ok[] = {"modes", "close", "speed_kmh", "speed_factor", "osm_way_ids", NULL};
        TRY(check_keys(r, props, ok));
        int road = !strcmp(m->type, "road-congestion");
        if (road)
            m->modes = 1u << HH_MODE_CAR;
        TRY(get_modes(r, props, "modes", &m->modes));
        TRY(get_modes(r, props, "close", &m->close));
        TRY(get_num(r, props, "speed_kmh", 1, 300, &m->speed_kmh));
        TRY(get_num(r, props, "speed_factor", 1e-3, 100, &m->speed_factor));
        json_t *ids = json_object_get(props, "osm_way_ids");
        if (ids && !json_is_null(ids)) {
            if (!json_is_array(ids) || !json_array_size(ids))
                return bad(r, "osm_way_ids must be an array of OSM way ids");
            m->n_way_ids = json_array_size(ids);
            if (!(m->way_ids = hh__alloc_array(m->n_way_ids, sizeof *m->way_ids)))
                return HH_ENOMEM;
            for (size_t i = 0; i < m->n_way_ids; i++) {
                json_t *e = json_array_get(ids, i);
                if (!json_is_integer(e) || json_integer_value(e) <= 0)
                    return bad(r, "osm_way_ids[%zu] is not a way id (a positive whole number)", i);
                m->way_ids[i] = (int64_t)json_integer_value(e);
            }
        }
        TRY(got = read_geometry(r, f, 0, 1, 0));
        if (!got && !m->n_way_ids)
            return bad(r, "give a Polygon (the streets inside) or \"osm_way_ids\"");
        if (!m->close && !(m->speed_kmh > 0) && !(m->speed_factor > 0))
            return bad(r, road ? "give \"speed_factor\"" : "give \"close\", \"speed_kmh\" or \"speed_factor\"");
        if ((m->speed_kmh > 0) + (m->speed_factor > 0) > 1)
            return bad(r, "\"speed_kmh\" and \"speed_factor\" exclude each other");
        break;
    }
    case HH__MOD_ADD_LINE: {
        static const char *const ok[] = {"mode", "headway_min", "departures", "speed_kmh", "run_times_s",
                                         "dwell_s", "start", "end", "bidirectional", "dates", "stop_ids",
                                         "exact_times", "timezone", "route_id", NULL};
        TRY(check_keys(r, props, ok));
        TRY(read_geometry(r, f, 1, 0, 1));
        char *mode = NULL;
        TRY(get_str(r, props, "mode", &mode));
        if (mode) {
            size_t i = 0;
            while (i < sizeof line_modes / sizeof *line_modes && strcmp(line_modes[i].name, mode))
                i++;
            int unknown = i == sizeof line_modes / sizeof *line_modes;
            if (!unknown)
                m->route_type = line_modes[i].type;
            hh__free(mode);
            if (unknown)
                return bad(r, "mode: expected bus, tram, metro, subway, rail, ferry, light_rail, trolleybus, "
                              "monorail, cable_tram, gondola or funicular");
        }
        TRY(got = get_num(r, props, "headway_min", -1e9, 1440, &m->headway_min));
        if (got && !(m->headway_min > 0))
            return bad(r, "headway_min must be above 0 (it is %g)", m->headway_min);
        TRY(get_times(r, props, "departures", &m->departures, &m->n_departures));
        if ((m->headway_min > 0) == (m->n_departures > 0))
            return bad(r, "give either \"headway_min\" or \"departures\"");
        TRY(got = get_num(r, props, "speed_kmh", -1e9, 1000, &m->speed_kmh));
        if (got && !(m->speed_kmh > 0))
            return bad(r, "speed_kmh must be above 0 (it is %g)", m->speed_kmh);
        json_t *rt = json_object_get(props, "run_times_s");
        if (rt && !json_is_null(rt)) {
            if (!json_is_array(rt) || json_array_size(rt) != m->n_pts - 1)
                return bad(r, "run_times_s must be an array of %zu numbers (one per segment between stops)",
                           m->n_pts - 1);
            m->n_run_times = m->n_pts - 1;
            if (!(m->run_times_s = hh__alloc_array(m->n_run_times, sizeof *m->run_times_s)))
                return HH_ENOMEM;
            for (size_t i = 0; i < m->n_run_times; i++) {
                json_t *e = json_array_get(rt, i);
                double v = json_is_number(e) ? json_number_value(e) : -1;
                if (!(v > 0) || v > 86400)
                    return bad(r, "run_times_s[%zu] must be seconds above 0", i);
                m->run_times_s[i] = v;
            }
        }
        if ((m->speed_kmh > 0) == (m->n_run_times > 0))
            return bad(r, "give either \"speed_kmh\" or \"run_times_s\"");
        TRY(get_num(r, props, "dwell_s", 0, 3600, &m->dwell_s));
        if (m->dwell_s < 0)
            m->dwell_s = 0;
        TRY(get_clock(r, props, "start", &m->start_s));
        TRY(get_clock(r, props, "end", &m->end_s));
        if (m->headway_min > 0) {
            if (m->start_s == HH__NOTIME || m->end_s == HH__NOTIME)
                return bad(r, "a line by headway_min needs \"start\" and \"end\" (the service span)");
            if (m->end_s <= m->start_s)
                return bad(r, "end must come after start");
        }
        TRY(get_bool(r, props, "bidirectional", &m->bidirectional));
        TRY(get_bool(r, props, "exact_times", &m->exact_times));
        TRY(get_str(r, props, "timezone", &m->timezone));
        TRY(get_strs(r, props, "route_id", 0, &m->route_ids, &m->n_route_ids));
        if (m->n_route_ids > 1)
            return bad(r, "route_id names the new line's one id");
        TRY(get_strs(r, props, "stop_ids", 1, &m->stop_ids, &m->n_stop_ids));
        if (m->stop_ids && m->n_stop_ids != m->n_pts)
            return bad(r, "stop_ids must have one entry (a GTFS stop id or null) per vertex: %zu, not %zu",
                       m->n_pts, m->n_stop_ids);
        json_t *ds = json_object_get(props, "dates");
        if (ds && !json_is_null(ds)) {
            if (!json_is_array(ds) || !json_array_size(ds))
                return bad(r, "dates must be an array of dates \"YYYY-MM-DD\"");
            m->n_dates = json_array_size(ds);
            if (!(m->dates = hh__alloc_array(m->n_dates, sizeof *m->dates)))
                return HH_ENOMEM;
            for (size_t i = 0; i < m->n_dates; i++) {
                json_t *e = json_array_get(ds, i);
                if (!json_is_string(e) || !(m->dates[i] = parse_date(json_string_value(e))))
                    return bad(r, "dates[%zu]: expected a date \"YYYY-MM-DD\"", i);
            }
        }
        break;
    }
    case HH__MOD_ADJUST_FREQUENCY:
    case HH__MOD_ADJUST_SPEED:
    case HH__MOD_ADJUST_DWELL:
    case HH__MOD_REMOVE_TRIPS:
    case HH__MOD_REMOVE_STOPS:
    case HH__MOD_REROUTE: {
        static const char *const ok[] = {"route_id", "route_ids", "trip_ids", "stop_ids", "from_stop", "to_stop",
                                         "headway_min", "speed_kmh", "speed_factor", "dwell_s", "dwell_factor",
                                         "start", "end", "exact_times", NULL};
        TRY(check_keys(r, props, ok));
        TRY(get_strs(r, props, "route_id", 0, &m->route_ids, &m->n_route_ids));
        if (!m->route_ids)
            TRY(get_strs(r, props, "route_ids", 0, &m->route_ids, &m->n_route_ids));
        if (!m->route_ids)
            return bad(r, "give \"route_id\" (a GTFS route id)");
        TRY(get_strs(r, props, "trip_ids", 0, &m->trip_ids, &m->n_trip_ids));
        TRY(get_strs(r, props, "stop_ids", m->kind == HH__MOD_REROUTE, &m->stop_ids, &m->n_stop_ids));
        TRY(get_str(r, props, "from_stop", &m->from_stop));
        TRY(get_str(r, props, "to_stop", &m->to_stop));
        TRY(get_clock(r, props, "start", &m->start_s));
        TRY(get_clock(r, props, "end", &m->end_s));
        TRY(get_bool(r, props, "exact_times", &m->exact_times));
        if (m->start_s != HH__NOTIME && m->end_s != HH__NOTIME && m->end_s <= m->start_s)
            return bad(r, "end must come after start");
        TRY(got = get_num(r, props, "headway_min", -1e9, 1440, &m->headway_min));
        if (got && !(m->headway_min > 0))
            return bad(r, "headway_min must be above 0 (it is %g)", m->headway_min);
        TRY(got = get_num(r, props, "speed_kmh", -1e9, 1000, &m->speed_kmh));
        if (got && !(m->speed_kmh > 0))
            return bad(r, "speed_kmh must be above 0 (it is %g)", m->speed_kmh);
        TRY(got = get_num(r, props, "speed_factor", -1e9, 100, &m->speed_factor));
        if (got && !(m->speed_factor > 0))
            return bad(r, "speed_factor must be above 0 (it is %g)", m->speed_factor);
        TRY(get_num(r, props, "dwell_s", 0, 3600, &m->dwell_s));
        TRY(got = get_num(r, props, "dwell_factor", -1e9, 100, &m->dwell_factor));
        if (got && !(m->dwell_factor >= 0))
            return bad(r, "dwell_factor must be 0 or more");
        if (m->kind == HH__MOD_ADJUST_FREQUENCY && !(m->headway_min > 0))
            return bad(r, "give \"headway_min\"");
        if (m->kind == HH__MOD_ADJUST_SPEED && !(m->speed_factor > 0))
            return bad(r, "give \"speed_factor\" (2: twice as fast)");
        if (m->kind == HH__MOD_ADJUST_DWELL && m->dwell_s < 0 && !got)
            return bad(r, "give \"dwell_s\" or \"dwell_factor\"");
        if (m->kind == HH__MOD_REMOVE_STOPS && !m->stop_ids)
            return bad(r, "give \"stop_ids\" (the stops the routes no longer call at)");
        if (m->kind == HH__MOD_REROUTE) {
            if (!m->from_stop && !m->to_stop)
                return bad(r, "give \"from_stop\" and/or \"to_stop\" (where the new section leaves and "
                              "rejoins the route)");
            TRY(read_geometry(r, f, 2, 0, 0));
            if (!m->n_pts && !m->stop_ids)
                return bad(r, "give the new stops: a LineString (each vertex a stop) or \"stop_ids\"");
            if (m->n_pts && m->stop_ids && m->n_stop_ids != m->n_pts)
                return bad(r, "stop_ids must have one entry per vertex of the LineString");
            if (!(m->speed_kmh > 0))
                m->speed_kmh = 20;
            if (m->dwell_s < 0)
                m->dwell_s = 0;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

static void mod_free(hh__mod *m)
{
    hh__free(m->name), hh__free(m->lon), hh__free(m->lat), hh__free(m->ring_first), hh__free(m->way_ids);
    char **lists[] = {m->route_ids, m->trip_ids, m->stop_ids};
    size_t ns[] = {m->n_route_ids, m->n_trip_ids, m->n_stop_ids};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; lists[k] && i < ns[k]; i++)
            hh__free(lists[k][i]);
        hh__free(lists[k]);
    }
    hh__free(m->from_stop), hh__free(m->to_stop), hh__free(m->departures), hh__free(m->run_times_s);
    hh__free(m->dates), hh__free(m->timezone);
}

void hh__change_free(hh__change *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->mods && i < c->n; i++)
        mod_free(&c->mods[i]);
    hh__free(c->mods), hh__free(c->path);
    memset(c, 0, sizeof *c);
}

static int hash_file(const char *path, char hex[65], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return HH_EIO;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int e = ferror(f);
    fclose(f);
    if (e) {
        snprintf(err, errlen, "%s: read error", path);
        return HH_EIO;
    }
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

int hh__change_read(const char *path, hh__change *out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    hh__change c;
    memset(&c, 0, sizeof c);
    int rc = hash_file(path, c.sha256, err, errlen);
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
        return HH_EFORMAT;
    }
    rd r = {path, err, errlen, NULL, NULL};
    json_t *t = json_object_get(root, "type"), *fs = json_object_get(root, "features");
    if (!json_is_object(root) || !json_is_string(t) || strcmp(json_string_value(t), "FeatureCollection") ||
        !json_is_array(fs)) {
        json_decref(root);
        bad(&r, "expected a GeoJSON FeatureCollection (one modification per Feature)");
        return HH_EFORMAT;
    }
    rc = HH_ENOMEM;
    c.n = json_array_size(fs);
    if (!(c.path = dup_str(path)) || !(c.mods = hh__calloc(c.n + 1, sizeof *c.mods)))
        goto fail;
    for (size_t i = 0; i < c.n; i++) {
        hh__mod *m = &c.mods[i];
        m->feature = (int)i + 1;
        snprintf(m->label, sizeof m->label, "feature %d", m->feature);
        r.m = m;
        json_t *f = json_array_get(fs, i);
        json_t *ft = json_object_get(f, "type");
        if (!json_is_object(f) || !json_is_string(ft) || strcmp(json_string_value(ft), "Feature")) {
            rc = bad(&r, "not a GeoJSON Feature");
            goto fail;
        }
        if ((rc = read_feature(&r, f)) < 0) {
            if (rc == HH_ENOMEM)
                snprintf(err, errlen, "%s: out of memory", path);
            goto fail;
        }
    }
    json_decref(root);
    if (r.wrap)
        json_decref(r.wrap);
    *out = c;
    return 0;
fail:
    json_decref(root);
    if (r.wrap)
        json_decref(r.wrap);
    hh__change_free(&c);
    return rc;
}

void hh__change_summary(const hh__change *c, char *buf, size_t n)
{
    size_t cnt[N_KINDS] = {0};
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < N_KINDS; k++)
            if (!strcmp(kinds[k].name, c->mods[i].type))
                cnt[k]++;
    size_t at = (size_t)snprintf(buf, n, "%zu modification%s", c->n, c->n == 1 ? "" : "s");
    int first = 1;
    for (size_t k = 0; k < N_KINDS && at < n; k++) {
        if (!cnt[k])
            continue;
        at += (size_t)snprintf(buf + at, n - at, "%s%zu %s", first ? ": " : ", ", cnt[k], kinds[k].name);
        first = 0;
    }
    int any = 0;
    for (size_t i = 0; i < c->n && at + 4 < n; i++)
        if (c->mods[i].name) {
            at += (size_t)snprintf(buf + at, n - at, "%s%s", any ? "; " : " (", c->mods[i].name);
            any = 1;
        }
    if (any && at + 2 < n)
        snprintf(buf + at, n - at, ")");
}
