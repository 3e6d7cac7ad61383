/* request.c: a request's fields -> sv_req.  POST bodies are JSON objects
 * (jansson parses them); GET query parameters become an object of strings
 * first, so both go through one mapping: every numeric field takes a
 * number or a string, every list an array or a comma-separated string,
 * every point list an array of [lon,lat] / {"lon","lat"} or "lon,lat;...".
 * Values are checked by the library's own option readers (depart times,
 * cutoff lists, transit settings, decay functions) so the CLI and the API
 * say the same about them.  Unknown fields are ignored, as Valhalla and
 * OSRM do. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

int sv_fail(sv_error *e, int status, const char *limit, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = status;
    snprintf(e->limit, sizeof e->limit, "%s", limit ? limit : "");
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *const ep_names[SV_N_ENDPOINTS] = {"health", "info",   "network", "isochrone", "table", "access",
                                                     "report", "site",   "scenario", "metrics", "static", "other"};
const char *sv_endpoint_name(sv_endpoint ep) { return (unsigned)ep < SV_N_ENDPOINTS ? ep_names[ep] : "other"; }

/* ---- the body --------------------------------------------------------- */

/* jansson recurses once per level (its own cap is 2048); a scan of the
 * brackets outside strings refuses deep nesting before it starts. */
static int too_deep(const char *s, size_t n)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > SV_MAX_DEPTH)
                return 1;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

json_t *sv_body_parse(const char *body, size_t len, sv_error *e)
{
    if (!len) {
        sv_fail(e, 400, NULL, "empty request body: expected a JSON object");
        return NULL;
    }
    if (too_deep(body, len)) {
        sv_fail(e, 400, "json_depth", "request JSON nested deeper than %d levels", SV_MAX_DEPTH);
        return NULL;
    }
    json_error_t je;
    /* jansson checks UTF-8 and refuses NaN/Infinity, which JSON lacks */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        sv_fail(e, 400, NULL, "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        sv_fail(e, 400, NULL, "the request body must be a JSON object");
        return NULL;
    }
    return j;
}

static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4))
            return 0;
        unsigned cp = n == 0 ? c : c & (0x3Fu >> n);
        for (int k = 1; k <= n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[k] & 0x3Fu);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        p += n + 1;
    }
    return 1;
}

int sv_query_add(json_t *fields, const char *key, const char *value, sv_error *e)
{
    if (!value)
        value = "";
    if (!utf8_ok(key) || !utf8_ok(value))
        return sv_fail(e, 400, NULL, "query parameter %s: not UTF-8", utf8_ok(key) ? key : "(name)");
    json_t *v = json_string(value);
    if (!v || json_object_set_new(fields, key, v))
        return sv_fail(e, 500, NULL, "out of memory");
    return 0;
}

/* ---- field readers ---------------------------------------------------- */

/* 0 absent, 1 read, -1 bad (e set) */
static int num_of(json_t *v, const char *what, double *out, sv_error *e)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        if (!isfinite(*out))
            return sv_fail(e, 400, NULL, "%s: not a finite number", what);
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (end == s || *end || errno || !isfinite(d))
            return sv_fail(e, 400, NULL, "%s \"%.40s\": not a finite number", what, s);
        *out = d;
        return 1;
    }
    return sv_fail(e, 400, NULL, "%s: expected a number", what);
}

static int get_num(json_t *o, const char *key, double lo, double hi, double *out, sv_error *e)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    double d;
    if (num_of(v, key, &d, e) < 0)
        return -1;
    if (!(d >= lo && d <= hi))
        return sv_fail(e, 400, NULL, "%s %g out of range [%g, %g]", key, d, lo, hi);
    *out = d;
    return 1;
}

static const char *get_str(json_t *o, const char *key, sv_error *e, int *bad)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        sv_fail(e, 400, NULL, "%s: expected a string", key);
        return NULL;
    }
    return json_string_value(v);
}

static int get_bool(json_t *o, const char *key, int *out, sv_error *e)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (s && (!strcmp(s, "true") || !strcmp(s, "1")))
        *out = 1;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "0")))
        *out = 0;
    else
        return sv_fail(e, 400, NULL, "%s: expected true or false", key);
    return 1;
}

/* A list of numbers: an array, one number, or "a,b,c".  The count read
 * (before any check), 0 absent, -1 bad. */
static int get_list(json_t *o, const char *key, double *out, int cap, const char *limit, sv_error *e)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    int n = 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        if (json_array_size(v) > (size_t)cap)
            return sv_fail(e, limit ? 413 : 400, limit, "%s: at most %d values", key, cap);
        json_array_foreach(v, i, x)
        {
            char what[64];
            snprintf(what, sizeof what, "%s[%zu]", key, i);
            if (num_of(x, what, &out[n++], e) < 0)
                return -1;
        }
        if (!n)
            return sv_fail(e, 400, NULL, "%s: empty list", key);
        return n;
    }
    if (json_is_number(v))
        return num_of(v, key, &out[0], e) < 0 ? -1 : 1;
    if (!json_is_string(v))
        return sv_fail(e, 400, NULL, "%s: expected a number or a list of numbers", key);
    const char *s = json_string_value(v);
    for (const char *p = s;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char tok[64];
        if (len == 0 || len >= sizeof tok)
            return sv_fail(e, 400, NULL, "%s \"%.60s\": expected numbers separated by commas", key, s);
        if (n == cap)
            return sv_fail(e, limit ? 413 : 400, limit, "%s: at most %d values", key, cap);
        memcpy(tok, p, len);
        tok[len] = 0;
        json_t *t = json_string(tok);
        int r = t ? num_of(t, key, &out[n++], e) : sv_fail(e, 500, NULL, "out of memory");
        json_decref(t);
        if (r < 0)
            return -1;
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

static int check_lonlat(double lon, double lat, const char *what, sv_error *e)
{
    if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90)
        return sv_fail(e, 400, NULL, "%s: coordinates out of range (lon in [-180,180], lat in [-90,90])", what);
    return 0;
}

static int pts_alloc(sv_points *p, size_t n, int named, sv_error *e)
{
    p->lon = calloc(n + 1, sizeof *p->lon);
    p->lat = calloc(n + 1, sizeof *p->lat);
    if (named) {
        p->id = calloc(n + 1, sizeof *p->id);
        p->name = calloc(n + 1, sizeof *p->name);
    }
    if (!p->lon || !p->lat || (named && (!p->id || !p->name)))
        return sv_fail(e, 500, NULL, "out of memory");
    return 0;
}

static int one_point(json_t *x, const char *what, double *lon, double *lat, sv_error *e)
{
    if (json_is_array(x) && json_array_size(x) >= 2) {
        char w[80];
        snprintf(w, sizeof w, "%s lon", what);
        if (num_of(json_array_get(x, 0), w, lon, e) < 0)
            return -1;
        snprintf(w, sizeof w, "%s lat", what);
        if (num_of(json_array_get(x, 1), w, lat, e) < 0)
            return -1;
    } else if (json_is_object(x) && json_object_get(x, "lon") && json_object_get(x, "lat")) {
        char w[80];
        snprintf(w, sizeof w, "%s.lon", what);
        if (num_of(json_object_get(x, "lon"), w, lon, e) < 0)
            return -1;
        snprintf(w, sizeof w, "%s.lat", what);
        if (num_of(json_object_get(x, "lat"), w, lat, e) < 0)
            return -1;
    } else {
        return sv_fail(e, 400, NULL, "%s: expected [lon, lat] or {\"lon\": .., \"lat\": ..}", what);
    }
    return check_lonlat(*lon, *lat, what, e);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* Points: 0 absent, 1 read, -1 bad.  named: each may carry "id"/"name". */
static int get_points(const sv_config *cfg, json_t *o, const char *key, sv_points *p, int named, sv_error *e)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    size_t lim = cfg->lim.locations;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = 1;
        for (const char *c = s; *c; c++)
            n += *c == ';';
        if (n > lim)
            return sv_fail(e, 413, "locations", "%s: %zu points, more than the limit of %zu", key, n, lim);
        if (pts_alloc(p, n, named, e))
            return -1;
        const char *q = s;
        for (size_t i = 0; i < n; i++) {
            const char *c = strchr(q, ';');
            size_t len = c ? (size_t)(c - q) : strlen(q);
            char tok[128];
            char what[64];
            snprintf(what, sizeof what, "%s[%zu]", key, i);
            if (len == 0 || len >= sizeof tok)
                return sv_fail(e, 400, NULL, "%s: expected LON,LAT", what);
            memcpy(tok, q, len);
            tok[len] = 0;
            char *comma = strchr(tok, ',');
            if (!comma)
                return sv_fail(e, 400, NULL, "%s: expected LON,LAT", what);
            *comma = 0;
            json_t *a = json_string(tok), *b = json_string(comma + 1);
            int r = (!a || !b) ? sv_fail(e, 500, NULL, "out of memory")
                    : num_of(a, what, &p->lon[i], e) < 0 || num_of(b, what, &p->lat[i], e) < 0 ? -1
                                                                                              : 0;
            json_decref(a), json_decref(b);
            if (r || check_lonlat(p->lon[i], p->lat[i], what, e))
                return -1;
            p->n = i + 1;
            if (named) {
                char idb[32];
                snprintf(idb, sizeof idb, "%zu", i + 1);
                if (!(p->id[i] = dup_str(idb)) || !(p->name[i] = dup_str(idb)))
                    return sv_fail(e, 500, NULL, "out of memory");
            }
            q = c ? c + 1 : q + len;
        }
        return 1;
    }
    if (!json_is_array(v))
        return sv_fail(e, 400, NULL, "%s: expected a list of points", key);
    size_t n = json_array_size(v);
    if (!n)
        return sv_fail(e, 400, NULL, "%s: no points", key);
    if (n > lim)
        return sv_fail(e, 413, "locations", "%s: %zu points, more than the limit of %zu", key, n, lim);
    if (pts_alloc(p, n, named, e))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(v, i);
        char what[64];
        snprintf(what, sizeof what, "%s[%zu]", key, i);
        if (one_point(x, what, &p->lon[i], &p->lat[i], e))
            return -1;
        p->n = i + 1;
        if (named) {
            char idb[32];
            snprintf(idb, sizeof idb, "%zu", i + 1);
            const char *id = idb, *name = NULL;
            json_t *jid = json_is_object(x) ? json_object_get(x, "id") : NULL;
            json_t *jn = json_is_object(x) ? json_object_get(x, "name") : NULL;
            if (json_is_string(jid) && *json_string_value(jid))
                id = json_string_value(jid);
            if (json_is_string(jn) && *json_string_value(jn))
                name = json_string_value(jn);
            if (!(p->id[i] = dup_str(id)) || !(p->name[i] = dup_str(name ? name : id)))
                return sv_fail(e, 500, NULL, "out of memory");
        }
    }
    return 1;
}

static void pts_free(sv_points *p)
{
    for (size_t i = 0; p->id && i < p->n; i++)
        free(p->id[i]);
    for (size_t i = 0; p->name && i < p->n; i++)
        free(p->name[i]);
    free(p->id), free(p->name), free(p->lon), free(p->lat);
    memset(p, 0, sizeof *p);
}

void sv_req_free(sv_req *r)
{
    pts_free(&r->src), pts_free(&r->dst), pts_free(&r->centres), pts_free(&r->cand), pts_free(&r->existing);
    json_decref(r->change);
    r->change = NULL;
}

/* ---- shared groups of fields ------------------------------------------ */

static int layer_index(const sv_config *cfg, const char *name, const char *key, sv_error *e)
{
    int k = cfg->layers ? hh_layers_find(cfg->layers, name) : -1;
    if (k >= 0)
        return k;
    char names[256] = "";
    for (size_t j = 0; cfg->layers && j < cfg->layers->n_layers; j++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "", cfg->layers->name[j]);
    return sv_fail(e, 400, NULL, "%s: no layer \"%.60s\" (the layers: %s)", key, name, *names ? names : "none");
}

/* "layer": "a" or "layers": ["a","b"] / "a,b" */
static int get_layers(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    int bad = 0;
    const char *one = get_str(o, "layer", e, &bad);
    if (bad)
        return -1;
    json_t *v = json_object_get(o, "layers");
    if (one) {
        int k = layer_index(cfg, one, "layer", e);
        if (k < 0)
            return -1;
        r->layers[r->n_layers++] = (size_t)k;
    }
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", json_string_value(v));
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (r->n_layers == SV_MAX_LAYERS)
                return sv_fail(e, 400, NULL, "layers: at most %d", SV_MAX_LAYERS);
            int k = layer_index(cfg, t, "layers", e);
            if (k < 0)
                return -1;
            r->layers[r->n_layers++] = (size_t)k;
        }
        return 0;
    }
    if (!json_is_array(v))
        return sv_fail(e, 400, NULL, "layers: expected a list of layer names");
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return sv_fail(e, 400, NULL, "layers[%zu]: expected a layer name", i);
        if (r->n_layers == SV_MAX_LAYERS)
            return sv_fail(e, 400, NULL, "layers: at most %d", SV_MAX_LAYERS);
        int k = layer_index(cfg, json_string_value(x), "layers", e);
        if (k < 0)
            return -1;
        r->layers[r->n_layers++] = (size_t)k;
    }
    return 0;
}

/* Valhalla's costing names, and ours */
static int costing_mode(const char *s, hh_mode *m, int *transit)
{
    static const struct {
        const char *name;
        hh_mode mode;
        int transit;
    } c[] = {{"auto", HH_MODE_CAR, 0}, {"bicycle", HH_MODE_BIKE, 0}, {"pedestrian", HH_MODE_WALK, 0},
             {"multimodal", HH_MODE_WALK, 1}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        if (!strcmp(s, c[i].name)) {
            *m = c[i].mode, *transit = c[i].transit;
            return 0;
        }
    return hh_travel_mode_parse(s, m, transit);
}

/* mode or costing (required unless def), then the transit fields */
static int get_mode(const sv_config *cfg, json_t *o, sv_req *r, const char *def, sv_error *e)
{
    int bad = 0;
    const char *mode = get_str(o, "mode", e, &bad), *costing = bad ? NULL : get_str(o, "costing", e, &bad);
    if (bad)
        return -1;
    if (mode && hh_travel_mode_parse(mode, &r->mode, &r->transit))
        return sv_fail(e, 400, NULL, "unknown mode \"%.40s\" (expected walk, bike, car or transit)", mode);
    if (!mode && costing && costing_mode(costing, &r->mode, &r->transit))
        return sv_fail(e, 400, NULL,
                       "unknown costing \"%.40s\" (expected auto, bicycle, pedestrian, multimodal or a mode)",
                       costing);
    if (!mode && !costing) {
        if (!def)
            return sv_fail(e, 400, NULL, "missing mode (walk, bike, car, transit) or costing (auto, bicycle, "
                                         "pedestrian, multimodal)");
        hh_travel_mode_parse(def, &r->mode, &r->transit);
    }
    return 0;
}

/* depart, window, max_walk, max_rides, walk_speed, draws; checked even
 * for street modes only when given */
static int get_transit(const sv_config *cfg, json_t *o, sv_req *r, int needed, sv_error *e)
{
    int bad = 0;
    const char *dep = get_str(o, "depart", e, &bad);
    if (bad)
        return -1;
    static const char *const keys[][2] = {{"window", "window"},
                                          {"max_walk", "max-walk"},
                                          {"max_rides", "max-rides"},
                                          {"walk_speed", "walk-speed"},
                                          {"draws", "draws"}};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        json_t *v = json_object_get(o, keys[k][0]);
        if (!v || json_is_null(v))
            continue;
        double d;
        if (num_of(v, keys[k][0], &d, e) < 0)
            return -1;
        char want[128];
        if (hh_transit_opt_set(&r->topt, keys[k][1], d, want, sizeof want))
            return sv_fail(e, 400, NULL, "%s %g: %s", keys[k][0], d, want);
    }
    if (dep && hh_depart_parse(dep, &r->topt.date, &r->topt.depart_s))
        return sv_fail(e, 400, NULL, "depart \"%.40s\": expected YYYY-MM-DDTHH:MM (feed local time)", dep);
    if (needed) {
        if (!cfg->has_transit)
            return sv_fail(e, 400, NULL, "transit: the network has no transit (built without --gtfs)");
        if (!dep)
            return sv_fail(e, 400, NULL, "transit needs depart (YYYY-MM-DDTHH:MM, feed local time)");
    }
    return 0;
}

static int get_pcts(json_t *o, const char *key, sv_req *r, sv_error *e)
{
    double v[SV_MAX_PCT];
    int n = get_list(o, key, v, SV_MAX_PCT, NULL, e);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    char err[200];
    n = hh_list_check(v, n, key, 100, err, sizeof err);
    if (n < 0)
        return sv_fail(e, 400, NULL, "%s", err);
    memcpy(r->pct, v, (size_t)n * sizeof *v);
    r->n_pct = n;
    return 0;
}

static int get_minutes(const sv_config *cfg, json_t *o, const char *key, double max, sv_req *r, sv_error *e)
{
    int cap = cfg->lim.contours < SV_MAX_CUTOFFS ? (int)cfg->lim.contours : SV_MAX_CUTOFFS;
    int n = get_list(o, key, r->minutes, cap, "contours", e);
    if (n <= 0)
        return n;
    char err[200];
    for (int i = 0; i < n; i++)
        if (r->minutes[i] > max)
            return sv_fail(e, 400, "minutes", "%s %g: more than %g minutes", key, r->minutes[i], max);
    n = hh_list_check(r->minutes, n, "minutes", max, err, sizeof err);
    if (n < 0)
        return sv_fail(e, 400, NULL, "%s", err);
    r->n_minutes = n;
    return 1;
}

static int get_bbox(json_t *o, const char *key, double b[4], sv_error *e)
{
    double v[4];
    int n = get_list(o, key, v, 4, NULL, e);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    if (n != 4)
        return sv_fail(e, 400, NULL, "%s: expected west,south,east,north", key);
    if (check_lonlat(v[0], v[1], key, e) || check_lonlat(v[2], v[3], key, e))
        return -1;
    if (!(v[0] < v[2] && v[1] < v[3]))
        return sv_fail(e, 400, NULL, "%s: expected west < east and south < north", key);
    memcpy(b, v, sizeof v);
    return 1;
}

/* ---- per endpoint ------------------------------------------------------- */

static int parse_isochrone(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    if (get_mode(cfg, o, r, NULL, e) || get_transit(cfg, o, r, r->transit, e))
        return -1;
    json_t *loc = json_object_get(o, "locations");
    if (loc && !json_is_null(loc)) {
        if (json_is_array(loc) && json_array_size(loc) > cfg->lim.locations)
            return sv_fail(e, 413, "locations", "locations: more than the limit of %zu", cfg->lim.locations);
        if (!json_is_array(loc) || json_array_size(loc) != 1)
            return sv_fail(e, 400, NULL, "locations: /isochrone takes exactly one location");
        if (one_point(json_array_get(loc, 0), "locations[0]", &r->lon, &r->lat, e))
            return -1;
    } else {
        double lon = NAN, lat = NAN;
        int a = get_num(o, "lon", -INFINITY, INFINITY, &lon, e);
        int b = a < 0 ? -1 : get_num(o, "lat", -INFINITY, INFINITY, &lat, e);
        if (a < 0 || b < 0)
            return -1;
        if (!a || !b)
            return sv_fail(e, 400, NULL, "missing locations (or lon and lat)");
        if (check_lonlat(lon, lat, "lon/lat", e))
            return -1;
        r->lon = lon, r->lat = lat;
    }
    double max = r->transit ? SV_TRANSIT_MINUTES : SV_STREET_MINUTES;
    json_t *c = json_object_get(o, "contours");
    if (c && !json_is_null(c)) {
        if (!json_is_array(c) || !json_array_size(c))
            return sv_fail(e, 400, NULL, "contours: expected a list of {\"time\": minutes}");
        if (json_array_size(c) > cfg->lim.contours || json_array_size(c) > SV_MAX_CUTOFFS)
            return sv_fail(e, 413, "contours", "contours: %zu, more than the limit of %zu", json_array_size(c),
                           cfg->lim.contours);
        size_t i;
        json_t *x;
        int n = 0;
        json_array_foreach(c, i, x)
        {
            char what[48];
            snprintf(what, sizeof what, "contours[%zu].time", i);
            json_t *t = json_is_object(x) ? json_object_get(x, "time") : NULL;
            if (!t)
                return sv_fail(e, 400, NULL, "%s: missing", what);
            if (num_of(t, what, &r->minutes[n], e) < 0)
                return -1;
            if (r->minutes[n] > max)
                return sv_fail(e, 400, "minutes", "%s %g: more than %g minutes", what, r->minutes[n], max);
            n++;
        }
        char err[200];
        if ((n = hh_list_check(r->minutes, n, "contour time", max, err, sizeof err)) < 0)
            return sv_fail(e, 400, NULL, "%s", err);
        r->n_minutes = n;
    } else {
        int m = get_minutes(cfg, o, "minutes", max, r, e);
        if (m < 0)
            return -1;
        if (m == 0)
            return sv_fail(e, 400, NULL, "missing contours (or minutes)");
    }
    r->polygons = 1;
    /* the library's drawing defaults, as `halfhour isochrone` uses them */
    hh_iso_opts dflt;
    hh_iso_opts_default(&dflt);
    r->shape.denoise = dflt.denoise, r->shape.generalize = dflt.generalize_m;
    r->shape.holes_fill = dflt.holes == HH_ISO_HOLES_FILL;
    if (get_bool(o, "polygons", &r->polygons, e) < 0 || get_num(o, "denoise", 0, 1, &r->shape.denoise, e) < 0 ||
        get_num(o, "generalize", 0, 100000, &r->shape.generalize, e) < 0)
        return -1;
    int bad = 0;
    const char *holes = get_str(o, "holes", e, &bad);
    if (bad)
        return -1;
    if (holes && strcmp(holes, "all") && strcmp(holes, "fill"))
        return sv_fail(e, 400, NULL, "holes \"%.20s\": expected all or fill", holes);
    if (holes)
        r->shape.holes_fill = !strcmp(holes, "fill");
    r->pct[0] = 50, r->n_pct = 1;
    double p;
    int g = get_num(o, "percentile", 1e-9, 100, &p, e);
    if (g < 0)
        return -1;
    if (g)
        r->pct[0] = p;
    return get_layers(cfg, o, r, e);
}

static int parse_table(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    if (get_mode(cfg, o, r, NULL, e) || get_transit(cfg, o, r, r->transit, e))
        return -1;
    int s = get_points(cfg, o, "sources", &r->src, 0, e);
    if (s < 0)
        return -1;
    if (!s)
        return sv_fail(e, 400, NULL, "missing sources");
    int d = get_points(cfg, o, "destinations", &r->dst, 0, e);
    if (d < 0)
        return -1;
    size_t nd = d ? r->dst.n : r->src.n;
    if ((double)r->src.n * (double)nd > (double)cfg->lim.matrix_cells)
        return sv_fail(e, 413, "matrix_cells", "%zu x %zu = %.0f cells, more than the limit of %zu", r->src.n, nd,
                       (double)r->src.n * (double)nd, cfg->lim.matrix_cells);
    if (!d) {
        if (pts_alloc(&r->dst, r->src.n, 0, e))
            return -1;
        memcpy(r->dst.lon, r->src.lon, r->src.n * sizeof *r->dst.lon);
        memcpy(r->dst.lat, r->src.lat, r->src.n * sizeof *r->dst.lat);
        r->dst.n = r->src.n;
    }
    r->want_duration = 1;
    json_t *a = json_object_get(o, "annotations");
    if (a && !json_is_null(a)) {
        char buf[256] = "";
        if (json_is_string(a)) {
            snprintf(buf, sizeof buf, "%s", json_string_value(a));
        } else if (json_is_array(a)) {
            size_t i;
            json_t *x;
            json_array_foreach(a, i, x)
            {
                if (!json_is_string(x))
                    return sv_fail(e, 400, NULL, "annotations[%zu]: expected duration or distance", i);
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", json_string_value(x));
            }
        } else {
            return sv_fail(e, 400, NULL, "annotations: expected \"duration,distance\"");
        }
        r->want_duration = r->want_distance = 0;
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (!strcmp(t, "duration"))
                r->want_duration = 1;
            else if (!strcmp(t, "distance"))
                r->want_distance = 1;
            else
                return sv_fail(e, 400, NULL, "annotations: unknown \"%.30s\" (expected duration, distance)", t);
        }
        if (!r->want_duration && !r->want_distance)
            return sv_fail(e, 400, NULL, "annotations: expected duration and/or distance");
    }
    if (r->transit && r->want_distance)
        return sv_fail(e, 400, NULL, "annotations: no distances for transit (durations only)");
    r->pct[0] = 50, r->n_pct = 1;
    double p;
    int g = get_num(o, "percentile", 1e-9, 100, &p, e);
    if (g < 0)
        return -1;
    if (g)
        r->pct[0] = p;
    return get_num(o, "max_minutes", 1e-9, 1440, &r->max_minutes, e) < 0 ? -1 : 0;
}

static int parse_access(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    if (get_mode(cfg, o, r, NULL, e) || get_transit(cfg, o, r, r->transit, e))
        return -1;
    int b = get_bbox(o, "bbox", r->bbox, e);
    if (b < 0)
        return -1;
    r->grid = b;
    r->cell_m = 250;
    if (b) {
        if (get_num(o, "cell", 10, 100000, &r->cell_m, e) < 0)
            return -1;
    } else {
        double lon = NAN, lat = NAN;
        int x = get_num(o, "lon", -INFINITY, INFINITY, &lon, e);
        int y = x < 0 ? -1 : get_num(o, "lat", -INFINITY, INFINITY, &lat, e);
        if (x < 0 || y < 0)
            return -1;
        if (!x || !y)
            return sv_fail(e, 400, NULL, "missing lon and lat (a point) or bbox (a grid)");
        if (check_lonlat(lon, lat, "lon/lat", e))
            return -1;
        r->lon = lon, r->lat = lat;
    }
    int bad = 0;
    const char *preset = get_str(o, "preset", e, &bad);
    if (bad)
        return -1;
    if (preset && strcmp(preset, "15min"))
        return sv_fail(e, 400, NULL, "preset \"%.20s\": the preset is 15min", preset);
    r->preset = preset != NULL;
    if (get_layers(cfg, o, r, e))
        return -1;
    int m = get_minutes(cfg, o, "minutes", 1440, r, e);
    if (m < 0)
        return -1;
    if (!m)
        r->minutes[0] = r->preset ? 15 : 30, r->n_minutes = 1;
    const char *decay = get_str(o, "decay", e, &bad);
    if (bad)
        return -1;
    r->decay = HH_DECAY_STEP;
    if (decay && hh_decay_parse(decay, &r->decay))
        return sv_fail(e, 400, NULL,
                       "decay \"%.30s\": expected step, linear, logistic, exponential or fixed-exponential", decay);
    r->decay_value = hh_decay_default_value(r->decay);
    if (get_num(o, "decay_value", 0, 1e6, &r->decay_value, e) < 0)
        return -1;
    if (hh_decay_check(r->decay, r->decay_value))
        return sv_fail(e, 400, NULL, "decay_value %g is out of range for %s decay", r->decay_value,
                       hh_decay_name(r->decay));
    double nd[16];
    int nn = get_list(o, "nearest", nd, 16, NULL, e);
    if (nn < 0)
        return -1;
    for (int i = 0; i < nn; i++) {
        if (!(nd[i] >= 1 && nd[i] <= 1e9) || nd[i] != floor(nd[i]))
            return sv_fail(e, 400, NULL, "nearest %g: expected whole numbers >= 1", nd[i]);
        int dup = 0;
        for (size_t k = 0; k < r->n_nearest; k++)
            dup |= r->nearest[k] == (unsigned)nd[i];
        if (!dup)
            r->nearest[r->n_nearest++] = (unsigned)nd[i];
    }
    r->sfca_supply = r->sfca_demand = -1;
    const char *sf = get_str(o, "2sfca", e, &bad);
    if (bad)
        return -1;
    if (sf) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", sf);
        char *colon = strchr(buf, ':');
        if (!colon)
            return sv_fail(e, 400, NULL, "2sfca \"%.60s\": expected SUPPLY:DEMAND layer names", sf);
        *colon = 0;
        if ((r->sfca_supply = layer_index(cfg, buf, "2sfca", e)) < 0 ||
            (r->sfca_demand = layer_index(cfg, colon + 1, "2sfca", e)) < 0)
            return -1;
    }
    if (r->preset && sf)
        return sv_fail(e, 400, NULL, "preset 15min is about daily services reached, not 2sfca");
    r->pct[0] = 50, r->n_pct = 1;
    if (get_pcts(o, "percentiles", r, e))
        return -1;
    const char *po = get_str(o, "percentile_of", e, &bad);
    if (bad)
        return -1;
    if (po && hh_pct_of_parse(po, &r->pct_of))
        return sv_fail(e, 400, NULL, "percentile_of \"%.20s\": expected times or access", po);
    const char *fmt = get_str(o, "format", e, &bad);
    if (bad)
        return -1;
    r->format = SV_FMT_GEOJSON;
    if (fmt && !strcmp(fmt, "png"))
        r->format = SV_FMT_PNG;
    else if (fmt && (!strcmp(fmt, "tif") || !strcmp(fmt, "tiff") || !strcmp(fmt, "geotiff")))
        r->format = SV_FMT_TIF;
    else if (fmt && strcmp(fmt, "json") && strcmp(fmt, "geojson"))
        return sv_fail(e, 400, NULL, "format \"%.20s\": expected json, geojson, png or tif", fmt);
    if (r->format != SV_FMT_GEOJSON && !r->grid)
        return sv_fail(e, 400, NULL, "format %s needs a grid (bbox), not a point", fmt);
    const char *col = get_str(o, "column", e, &bad);
    if (bad)
        return -1;
    if (col)
        snprintf(r->column, sizeof r->column, "%s", col);
    double rg[2];
    int nr = get_list(o, "range", rg, 2, NULL, e);
    if (nr < 0)
        return -1;
    if (nr) {
        if (nr != 2 || !(rg[0] <= rg[1]))
            return sv_fail(e, 400, NULL, "range: expected min,max with min <= max");
        r->have_range = 1, r->range[0] = rg[0], r->range[1] = rg[1];
    }
    return get_num(o, "max_minutes", 1e-9, 1440, &r->max_minutes, e) < 0 ? -1 : 0;
}

static int parse_report(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    int c = get_points(cfg, o, "centres", &r->centres, 1, e);
    if (c < 0)
        return -1;
    if (!c)
        return sv_fail(e, 400, NULL, "missing centres");
    if (r->centres.n > 64)
        return sv_fail(e, 413, "locations", "centres: %zu, more than the report's 64", r->centres.n);
    json_t *m = json_object_get(o, "modes");
    char buf[256] = "car";
    if (json_is_string(m)) {
        snprintf(buf, sizeof buf, "%s", json_string_value(m));
    } else if (json_is_array(m)) {
        buf[0] = 0;
        size_t i;
        json_t *x;
        json_array_foreach(m, i, x)
        {
            if (!json_is_string(x))
                return sv_fail(e, 400, NULL, "modes[%zu]: expected a mode name", i);
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", json_string_value(x));
        }
    } else if (m && !json_is_null(m)) {
        return sv_fail(e, 400, NULL, "modes: expected a list of modes");
    }
    int want_transit = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (r->n_modes == 8)
            return sv_fail(e, 400, NULL, "modes: at most 8");
        hh_mode mm;
        int tr;
        if (costing_mode(t, &mm, &tr))
            return sv_fail(e, 400, NULL, "modes: unknown mode \"%.30s\" (expected walk, bike, car or transit)", t);
        for (size_t k = 0; k < r->n_modes; k++)
            if (r->modes[k].transit == tr && (tr || r->modes[k].mode == mm))
                return sv_fail(e, 400, NULL, "modes: \"%s\" given twice", t);
        r->modes[r->n_modes].mode = mm, r->modes[r->n_modes].transit = tr;
        r->n_modes++;
        want_transit |= tr;
    }
    if (!r->n_modes)
        return sv_fail(e, 400, NULL, "modes: no mode");
    if (get_transit(cfg, o, r, want_transit, e))
        return -1;
    r->minutes[0] = 30, r->n_minutes = 1;
    if (get_num(o, "minutes", 1e-9, 1440, &r->minutes[0], e) < 0)
        return -1;
    r->pct[0] = 50, r->n_pct = 1, r->circle_pct = 50;
    if (get_pcts(o, "percentiles", r, e) || get_num(o, "percentile", 1e-9, 100, &r->circle_pct, e) < 0)
        return -1;
    int bad = 0;
    const char *layer = get_str(o, "layer", e, &bad);
    if (bad)
        return -1;
    r->weight_layer = cfg->layers ? hh_layers_find(cfg->layers, layer ? layer : "population") : -1;
    if (layer && r->weight_layer < 0)
        return layer_index(cfg, layer, "layer", e);
    return 0;
}

static int parse_site(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    if (get_mode(cfg, o, r, NULL, e) || get_transit(cfg, o, r, r->transit, e))
        return -1;
    int g = get_num(o, "minutes", 1e-9, 1440, &r->minutes[0], e);
    if (g < 0)
        return -1;
    if (!g)
        return sv_fail(e, 400, NULL, "missing minutes");
    r->n_minutes = 1;
    int bad = 0;
    const char *demand = get_str(o, "demand", e, &bad);
    if (bad)
        return -1;
    if (!demand)
        return sv_fail(e, 400, NULL, "missing demand (a layer name)");
    if ((r->weight_layer = layer_index(cfg, demand, "demand", e)) < 0)
        return -1;
    int c = get_points(cfg, o, "candidates", &r->cand, 0, e);
    if (c < 0)
        return -1;
    int gg = get_num(o, "grid", 10, 100000, &r->site_grid_m, e);
    if (gg < 0)
        return -1;
    if (!c == !gg)
        return sv_fail(e, 400, NULL, "give candidates (points) or grid (metres), one of them");
    if (get_points(cfg, o, "existing", &r->existing, 0, e) < 0)
        return -1;
    double k = 0;
    int hk = get_num(o, "k", 1, 1e6, &k, e);
    if (hk < 0)
        return -1;
    if (hk && k != floor(k))
        return sv_fail(e, 400, NULL, "k %g: expected a whole number", k);
    int hc = get_num(o, "cover", 1e-9, 1, &r->cover, e);
    if (hc < 0)
        return -1;
    if (!hk == !hc)
        return sv_fail(e, 400, NULL, "give k (sites to choose) or cover (a demand share), one of them");
    r->k = (size_t)k;
    if (get_bool(o, "exact", &r->exact, e) < 0)
        return -1;
    r->time_limit_s = 60;
    if (get_num(o, "time_limit", 1e-3, 86400, &r->time_limit_s, e) < 0)
        return -1;
    r->pct[0] = 50, r->n_pct = 1;
    return get_num(o, "percentile", 1e-9, 100, &r->pct[0], e) < 0 ? -1 : 0;
}

static int parse_network(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    if (get_mode(cfg, o, r, "car", e))
        return -1;
    if (r->transit)
        return sv_fail(e, 400, NULL, "mode: the network layer shows walk, bike or car streets");
    int b = get_bbox(o, "bbox", r->bbox, e);
    if (b < 0)
        return -1;
    if (!b)
        return sv_fail(e, 400, NULL, "missing bbox (west,south,east,north)");
    r->zoom = 14;
    return get_num(o, "zoom", 0, 24, &r->zoom, e) < 0 ? -1 : 0;
}

/* POST /scenario: {"change": FeatureCollection, "analysis": "access" |
 * "isochrone", and that endpoint's fields}.  Only the change's shape and
 * size are checked here; each modification is the library's to validate
 * (hh_scenario_apply), against the network. */
static int parse_scenario(const sv_config *cfg, json_t *o, sv_req *r, sv_error *e)
{
    json_t *ch = json_object_get(o, "change");
    if (!ch || json_is_null(ch))
        return sv_fail(e, 400, NULL, "missing change (a GeoJSON FeatureCollection of modifications)");
    if (!json_is_object(ch))
        return sv_fail(e, 400, NULL, "change: must be a GeoJSON FeatureCollection (a JSON object)");
    json_t *ty = json_object_get(ch, "type");
    if (!json_is_string(ty) || strcmp(json_string_value(ty), "FeatureCollection"))
        return sv_fail(e, 400, NULL, "change: type must be \"FeatureCollection\"");
    json_t *f = json_object_get(ch, "features");
    if (!json_is_array(f))
        return sv_fail(e, 400, NULL, "change: features must be an array");
    if (json_array_size(f) > cfg->lim.scenario_features)
        return sv_fail(e, 413, "scenario_features", "change: %zu features, more than the limit of %zu",
                       json_array_size(f), cfg->lim.scenario_features);
    const char *an = "access";
    json_t *a = json_object_get(o, "analysis");
    if (a && !json_is_null(a)) {
        if (!json_is_string(a))
            return sv_fail(e, 400, NULL, "analysis: expected \"access\" or \"isochrone\"");
        an = json_string_value(a);
    }
    int rc;
    if (!strcmp(an, "access"))
        r->analysis = SV_ACCESS, rc = parse_access(cfg, o, r, e);
    else if (!strcmp(an, "isochrone"))
        r->analysis = SV_ISOCHRONE, rc = parse_isochrone(cfg, o, r, e);
    else
        return sv_fail(e, 400, NULL, "analysis: unknown \"%.30s\" (expected access or isochrone)", an);
    if (rc)
        return rc;
    r->change = json_incref(ch);
    return 0;
}

int sv_req_parse(const sv_config *cfg, sv_endpoint ep, json_t *fields, sv_req *r, sv_error *e)
{
    memset(r, 0, sizeof *r);
    r->ep = ep;
    r->weight_layer = -1;
    r->snap_max = HH_DEFAULT_SNAP_M;
    hh_transit_opts_default(&r->topt);
    if (!json_is_object(fields))
        return sv_fail(e, 400, NULL, "the request must be a JSON object");
    if (get_num(fields, "snap_max", 0, 100000, &r->snap_max, e) < 0)
        return -1;
    switch (ep) {
    case SV_ISOCHRONE:
        return parse_isochrone(cfg, fields, r, e);
    case SV_TABLE:
        return parse_table(cfg, fields, r, e);
    case SV_ACCESS:
        return parse_access(cfg, fields, r, e);
    case SV_REPORT:
        return parse_report(cfg, fields, r, e);
    case SV_SITE:
        return parse_site(cfg, fields, r, e);
    case SV_NETWORK:
        return parse_network(cfg, fields, r, e);
    case SV_SCENARIO:
        return parse_scenario(cfg, fields, r, e);
    default:
        return sv_fail(e, 404, NULL, "no such endpoint");
    }
}
