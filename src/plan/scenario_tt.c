/* scenario_tt.c: a scenario's timetable (scenario.h).
 *
 * The base timetable is taken apart into what the GTFS reader hands the
 * indexer -- entities, and per trip its stop times in calling order --, the
 * modifications edit that, and the reader's own indexer (hh__gtfs_index)
 * groups the trips into patterns again, so a changed timetable obeys the
 * same invariants as a loaded one (hh__timetable_check runs on it).
 * Entities keep their indices; a removed trip keeps its place with no stop
 * times (as the reader keeps a trip it dropped), so frequency draws and
 * every other index of the untouched routes stay what they were. */
#include "plan/scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/gtfs_index.h"
#include "net/net.h"
#include "util/alloc.h"

#define NONE HH__GTFS_NONE

int hh__change_has_transit(const hh__change *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->mods[i].kind >= HH__MOD_ADD_LINE)
            return 1;
    return 0;
}

/* The editable timetable: entity columns with room to grow, and per trip
 * a run of stop times in the flat st_* columns. */
typedef struct ed {
    hh__timetable *tt;
    size_t cap_stop, cap_route, cap_svc, cap_exc, cap_trip, cap_freq, cap_str, cap_st;
    uint32_t *t_first, *t_n; /* per trip: its stop times */
    uint32_t *st_stop;
    int32_t *st_arr, *st_dep;
    uint8_t *st_flags;
    size_t n_st;
    uint8_t *freq_gone; /* per frequency row: dropped with its trip */
    const hh__change *c;
    const hh__mod *m;
    char *err;
    size_t errlen;
    hh_scenario_stats *stats;
    double walk_kmh;
} ed;

static int bad(ed *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(ed *e, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(e->err, e->errlen, "%s: %s: %s", e->c->path, e->m->label, msg);
    return HH_EINVAL;
}

static void *dup_arr(const void *src, size_t n, size_t elem, size_t *cap)
{
    size_t c = n + 16;
    void *d = hh__alloc_array(c, elem);
    if (d && n)
        memcpy(d, src, n * elem);
    if (cap)
        *cap = c;
    return d;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = hh__malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static int add_str(ed *e, const char *s, uint32_t *off)
{
    hh__timetable *tt = e->tt;
    size_t n = strlen(s) + 1;
    if (tt->strs_len + n >= UINT32_MAX || hh__grow(&tt->strs, &e->cap_str, tt->strs_len + n, 1))
        return HH_ENOMEM;
    memcpy(tt->strs + tt->strs_len, s, n);
    *off = (uint32_t)tt->strs_len;
    tt->strs_len += n;
    return 0;
}

/* ---- taking the base apart ---------------------------------------------- */

static int take_apart(ed *e, const hh__timetable *b)
{
    hh__timetable *tt = e->tt;
    tt->n_feeds = b->n_feeds;
    tt->feeds = hh__calloc((size_t)b->n_feeds + 1, sizeof *tt->feeds);
    if (!tt->feeds)
        return HH_ENOMEM;
    for (uint32_t f = 0; f < b->n_feeds; f++) {
        tt->feeds[f] = b->feeds[f];
        tt->feeds[f].name = dup_str(b->feeds[f].name);
        tt->feeds[f].timezone = dup_str(b->feeds[f].timezone);
        tt->feeds[f].agencies = b->feeds[f].agencies ? dup_str(b->feeds[f].agencies) : NULL;
        if (!tt->feeds[f].name || !tt->feeds[f].timezone || (b->feeds[f].agencies && !tt->feeds[f].agencies))
            return HH_ENOMEM;
    }
    size_t ns = b->n_stops, nr = b->n_routes, nv = b->n_services, nt = b->n_trips, nq = b->n_freqs;
    size_t nx = b->service_exc_first[b->n_services], nxf = b->n_xfers;
    tt->n_stops = b->n_stops, tt->n_routes = b->n_routes, tt->n_services = b->n_services;
    tt->n_trips = b->n_trips, tt->n_freqs = b->n_freqs, tt->n_xfers = b->n_xfers;
    size_t c;
#define DUP(f, n, capv) (tt->f = dup_arr(b->f, (n), sizeof *b->f, (capv)))
    if (!DUP(stop_lon, ns, &e->cap_stop) || !DUP(stop_lat, ns, &c) || !DUP(stop_type, ns, &c) ||
        !DUP(stop_parent, ns, &c) || !DUP(stop_id, ns, &c) || !DUP(stop_name, ns, &c) ||
        !DUP(route_id, nr, &e->cap_route) || !DUP(route_short_name, nr, &c) || !DUP(route_long_name, nr, &c) ||
        !DUP(route_type, nr, &c) || !DUP(service_id, nv, &e->cap_svc) || !DUP(service_days, nv, &c) ||
        !DUP(service_start, nv, &c) || !DUP(service_end, nv, &c) || !DUP(service_exc_first, nv + 1, &c) ||
        !DUP(exc_date, nx, &e->cap_exc) || !DUP(exc_added, nx, &c) || !DUP(trip_id, nt, &e->cap_trip) ||
        !DUP(trip_route, nt, &c) || !DUP(trip_service, nt, &c) || !DUP(freq_trip, nq, &e->cap_freq) ||
        !DUP(freq_start, nq, &c) || !DUP(freq_end, nq, &c) || !DUP(freq_headway, nq, &c) ||
        !DUP(freq_exact, nq, &c) || !DUP(xfer_from, nxf, &c) || !DUP(xfer_to, nxf, &c) || !DUP(xfer_type, nxf, &c) ||
        !DUP(xfer_min_s, nxf, &c) || !DUP(strs, b->strs_len, &e->cap_str))
        return HH_ENOMEM;
#undef DUP
    tt->strs_len = b->strs_len;
    memcpy(tt->warn, b->warn, sizeof tt->warn);
    e->cap_freq = nq + 16;
    e->freq_gone = hh__calloc(e->cap_freq, 1);
    e->t_first = hh__alloc_array(nt + 16, sizeof *e->t_first);
    e->t_n = hh__alloc_array(nt + 16, sizeof *e->t_n);
    e->cap_trip = nt + 16;
    e->cap_st = (size_t)b->n_stop_times + 1024;
    e->st_stop = hh__alloc_array(e->cap_st, 4), e->st_arr = hh__alloc_array(e->cap_st, 4);
    e->st_dep = hh__alloc_array(e->cap_st, 4), e->st_flags = hh__alloc_array(e->cap_st, 1);
    if (!e->freq_gone || !e->t_first || !e->t_n || !e->st_stop || !e->st_arr || !e->st_dep || !e->st_flags)
        return HH_ENOMEM;
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t p = b->trip_pattern[t];
        e->t_first[t] = (uint32_t)e->n_st, e->t_n[t] = 0;
        if (p == NONE)
            continue;
        uint32_t a = b->pat_stop_first[p], n = b->pat_stop_first[p + 1] - a, st = b->trip_st[t];
        for (uint32_t i = 0; i < n; i++) {
            e->st_stop[e->n_st] = b->pat_stops[a + i];
            e->st_flags[e->n_st] = b->pat_stop_flags[a + i];
            e->st_arr[e->n_st] = b->arr[st + i];
            e->st_dep[e->n_st] = b->dep[st + i];
            e->n_st++;
        }
        e->t_n[t] = n;
    }
    return 0;
}

/* ---- growing ----------------------------------------------------------- */

static int grow_stops(ed *e, size_t need)
{
    hh__timetable *tt = e->tt;
    size_t c = e->cap_stop;
#define G(f) (c = e->cap_stop, hh__grow(&tt->f, &c, need, sizeof *tt->f))
    if (need <= e->cap_stop)
        return 0;
    if (G(stop_lon) || G(stop_lat) || G(stop_type) || G(stop_parent) || G(stop_id) || G(stop_name))
        return HH_ENOMEM;
    e->cap_stop = c;
    return 0;
}
static int grow_routes(ed *e, size_t need)
{
    hh__timetable *tt = e->tt;
    size_t c;
    if (need <= e->cap_route)
        return 0;
#undef G
#define G(f) (c = e->cap_route, hh__grow(&tt->f, &c, need, sizeof *tt->f))
    if (G(route_id) || G(route_short_name) || G(route_long_name) || G(route_type))
        return HH_ENOMEM;
    e->cap_route = c;
    return 0;
}
static int grow_svcs(ed *e, size_t need)
{
    hh__timetable *tt = e->tt;
    size_t c;
    if (need <= e->cap_svc)
        return 0;
#undef G
#define G(f) (c = e->cap_svc, hh__grow(&tt->f, &c, need, sizeof *tt->f))
    if (G(service_id) || G(service_days) || G(service_start) || G(service_end))
        return HH_ENOMEM;
    c = e->cap_svc + 1;
    if (hh__grow(&tt->service_exc_first, &c, need + 1, sizeof *tt->service_exc_first))
        return HH_ENOMEM;
    e->cap_svc = c - 1 > need ? c - 1 : need;
    return 0;
}
static int grow_trips(ed *e, size_t need)
{
    hh__timetable *tt = e->tt;
    size_t c;
    if (need <= e->cap_trip)
        return 0;
#undef G
#define G(f) (c = e->cap_trip, hh__grow(&tt->f, &c, need, sizeof *tt->f))
    if (G(trip_id) || G(trip_route) || G(trip_service))
        return HH_ENOMEM;
    c = e->cap_trip;
    if (hh__grow(&e->t_first, &c, need, sizeof *e->t_first))
        return HH_ENOMEM;
    c = e->cap_trip;
    if (hh__grow(&e->t_n, &c, need, sizeof *e->t_n))
        return HH_ENOMEM;
    e->cap_trip = c;
    return 0;
}
static int grow_st(ed *e, size_t need)
{
    size_t c;
    if (need <= e->cap_st)
        return 0;
#undef G
#define G(f) (c = e->cap_st, hh__grow(&e->f, &c, need, sizeof *e->f))
    if (G(st_stop) || G(st_arr) || G(st_dep) || G(st_flags))
        return HH_ENOMEM;
    e->cap_st = c;
    return 0;
}
static int add_freq(ed *e, uint32_t trip, int32_t start, int32_t end, int32_t headway, uint8_t exact)
{
    hh__timetable *tt = e->tt;
    size_t need = (size_t)tt->n_freqs + 1, c;
    if (need > e->cap_freq) {
#undef G
#define G(f) (c = e->cap_freq, hh__grow(&tt->f, &c, need, sizeof *tt->f))
        if (G(freq_trip) || G(freq_start) || G(freq_end) || G(freq_headway) || G(freq_exact))
            return HH_ENOMEM;
        size_t c2 = e->cap_freq;
        if (hh__grow(&e->freq_gone, &c2, need, 1))
            return HH_ENOMEM;
        e->cap_freq = c < c2 ? c : c2;
#undef G
    }
    uint32_t i = tt->n_freqs++;
    tt->freq_trip[i] = trip, tt->freq_start[i] = start, tt->freq_end[i] = end;
    tt->freq_headway[i] = headway, tt->freq_exact[i] = exact;
    e->freq_gone[i] = 0;
    return 0;
}

/* A trip's stop times replaced by n new ones (copied first: they may
 * point into the flat columns, which grow). */
static int set_times(ed *e, uint32_t t, const uint32_t *stop, const int32_t *arr, const int32_t *dep,
                     const uint8_t *flags, uint32_t n)
{
    uint32_t *s2 = hh__alloc_array(n + 1, 4);
    int32_t *a2 = hh__alloc_array(n + 1, 4), *d2 = hh__alloc_array(n + 1, 4);
    uint8_t *f2 = hh__alloc_array(n + 1, 1);
    int rc = HH_ENOMEM;
    if (s2 && a2 && d2 && f2 && !grow_st(e, e->n_st + n)) {
        memcpy(s2, stop, n * 4), memcpy(a2, arr, n * 4), memcpy(d2, dep, n * 4), memcpy(f2, flags, n);
        e->t_first[t] = (uint32_t)e->n_st, e->t_n[t] = n;
        memcpy(e->st_stop + e->n_st, s2, n * 4), memcpy(e->st_arr + e->n_st, a2, n * 4);
        memcpy(e->st_dep + e->n_st, d2, n * 4), memcpy(e->st_flags + e->n_st, f2, n);
        e->n_st += n;
        rc = 0;
    }
    hh__free(s2), hh__free(a2), hh__free(d2), hh__free(f2);
    return rc;
}

static int new_trip(ed *e, uint32_t route, uint32_t svc, const char *id, uint32_t *out)
{
    hh__timetable *tt = e->tt;
    if (grow_trips(e, (size_t)tt->n_trips + 1))
        return HH_ENOMEM;
    uint32_t t = tt->n_trips;
    if (add_str(e, id, &tt->trip_id[t]))
        return HH_ENOMEM;
    tt->trip_route[t] = route, tt->trip_service[t] = svc;
    e->t_first[t] = (uint32_t)e->n_st, e->t_n[t] = 0;
    tt->n_trips++;
    e->stats->trips_added++;
    *out = t;
    return 0;
}

static void drop_trip(ed *e, uint32_t t)
{
    hh__timetable *tt = e->tt;
    if (e->t_n[t])
        e->stats->trips_removed++;
    e->t_n[t] = 0;
    for (uint32_t i = 0; i < tt->n_freqs; i++)
        if (tt->freq_trip[i] == t)
            e->freq_gone[i] = 1;
}

/* ---- ids ------------------------------------------------------------------- */

/* Entity by GTFS id in any feed; "FEED:ID" (FEED the zip's name) picks
 * one feed.  NONE with a message when absent or in several feeds. */
static uint32_t find_id(ed *e, hh__gtfs_kind k, const char *id, const char *what)
{
    const hh__timetable *tt = e->tt;
    uint32_t found = NONE, hits = 0;
    const char *colon = strchr(id, ':');
    for (uint32_t f = 0; f < tt->n_feeds; f++) {
        const char *want = id;
        if (colon && (size_t)(colon - id) == strlen(tt->feeds[f].name) &&
            !strncmp(id, tt->feeds[f].name, (size_t)(colon - id)))
            want = colon + 1;
        uint32_t x = hh__timetable_find(tt, k, f, want);
        if (x == NONE) {
            /* entities the change added live in the last feed, which the reader's tables do not know */
            const hh__gtfs_feed *fd = &tt->feeds[f];
            const uint32_t *ids = k == HH__GTFS_STOP ? tt->stop_id : k == HH__GTFS_ROUTE ? tt->route_id : tt->trip_id;
            uint32_t b0 = k == HH__GTFS_STOP ? fd->stop_begin : k == HH__GTFS_ROUTE ? fd->route_begin : fd->trip_begin;
            uint32_t b1 = k == HH__GTFS_STOP ? tt->n_stops : k == HH__GTFS_ROUTE ? tt->n_routes : tt->n_trips;
            if (f + 1 == tt->n_feeds)
                for (uint32_t i = b0; i < b1 && x == NONE; i++)
                    if (!strcmp(tt->strs + ids[i], want))
                        x = i;
        }
        if (x != NONE)
            found = x, hits++;
    }
    if (hits == 1)
        return found;
    if (hits > 1)
        bad(e, "%s \"%s\" is in %u feeds: write it as FEED:ID (e.g. %s:%s)", what, id, hits, tt->feeds[0].name, id);
    else
        bad(e, "no %s \"%s\" in the network's feeds", what, id);
    return NONE;
}

/* The routes a modification names. */
static int mod_routes(ed *e, uint8_t *sel)
{
    memset(sel, 0, e->tt->n_routes);
    for (size_t i = 0; i < e->m->n_route_ids; i++) {
        uint32_t r = find_id(e, HH__GTFS_ROUTE, e->m->route_ids[i], "route");
        if (r == NONE)
            return HH_EINVAL;
        sel[r] = 1;
    }
    return 0;
}

/* Whether trip t is one the modification is about: its route, its trip_ids
 * (when given), and its first departure inside [start, end) (when given). */
static int trip_selected(ed *e, const uint8_t *routes, const uint8_t *trips, uint32_t t)
{
    const hh__timetable *tt = e->tt;
    if (!routes[tt->trip_route[t]] || !e->t_n[t] || (trips && !trips[t]))
        return 0;
    int32_t d0 = e->st_dep[e->t_first[t]];
    if (e->m->start_s != HH__NOTIME && d0 < e->m->start_s)
        return 0;
    if (e->m->end_s != HH__NOTIME && d0 >= e->m->end_s)
        return 0;
    return 1;
}

static int mod_trips(ed *e, const uint8_t *routes, uint8_t **out)
{
    *out = NULL;
    if (!e->m->n_trip_ids)
        return 0;
    uint8_t *sel = hh__calloc(e->tt->n_trips + 1, 1);
    if (!sel)
        return HH_ENOMEM;
    for (size_t i = 0; i < e->m->n_trip_ids; i++) {
        uint32_t t = find_id(e, HH__GTFS_TRIP, e->m->trip_ids[i], "trip");
        if (t == NONE || !routes[e->tt->trip_route[t]]) {
            if (t != NONE)
                bad(e, "trip \"%s\" is not on the routes named", e->m->trip_ids[i]);
            hh__free(sel);
            return HH_EINVAL;
        }
        sel[t] = 1;
    }
    *out = sel;
    return 0;
}

/* ---- new stops, routes, services ------------------------------------------ */

static int new_stop(ed *e, double lon, double lat, const char *id, const char *name, uint32_t *out)
{
    hh__timetable *tt = e->tt;
    if (grow_stops(e, (size_t)tt->n_stops + 1))
        return HH_ENOMEM;
    uint32_t s = tt->n_stops;
    tt->stop_lon[s] = lon, tt->stop_lat[s] = lat, tt->stop_type[s] = 0, tt->stop_parent[s] = NONE;
    if (add_str(e, id, &tt->stop_id[s]) || add_str(e, name, &tt->stop_name[s]))
        return HH_ENOMEM;
    tt->n_stops++;
    e->stats->stops_added++;
    *out = s;
    return 0;
}

/* The stops of a LineString (each vertex a stop; stop_ids names existing
 * ones) into idx[n_pts]. */
static int line_stops(ed *e, uint32_t *idx)
{
    const hh__mod *m = e->m;
    for (size_t k = 0; k < m->n_pts; k++) {
        if (m->stop_ids && m->stop_ids[k]) {
            if ((idx[k] = find_id(e, HH__GTFS_STOP, m->stop_ids[k], "stop")) == NONE)
                return HH_EINVAL;
            if (isnan(e->tt->stop_lat[idx[k]]))
                return bad(e, "stop \"%s\" has no position", m->stop_ids[k]);
            continue;
        }
        char id[96], name[256];
        snprintf(id, sizeof id, "f%d-%zu", m->feature, k + 1);
        snprintf(name, sizeof name, "%s %zu", m->name ? m->name : m->type, k + 1);
        if (new_stop(e, m->lon[k], m->lat[k], id, name, &idx[k]))
            return HH_ENOMEM;
    }
    return 0;
}

/* The scenario's own feed (for new routes, services and stops), made on
 * first use: the first feed's clock, or m's "timezone" (else UTC) on a
 * network without feeds. */
static int scenario_feed(ed *e)
{
    hh__timetable *tt = e->tt;
    if (tt->n_feeds && !strcmp(tt->feeds[tt->n_feeds - 1].agencies ? tt->feeds[tt->n_feeds - 1].agencies : "",
                               "halfhour scenario"))
        return 0;
    hh__gtfs_feed *nf = hh__realloc_array(tt->feeds, (size_t)tt->n_feeds + 1, sizeof *nf);
    if (!nf)
        return HH_ENOMEM;
    tt->feeds = nf;
    hh__gtfs_feed *f = &tt->feeds[tt->n_feeds];
    memset(f, 0, sizeof *f);
    const char *b = strrchr(e->c->path, '/');
    f->stop_begin = f->stop_end = tt->n_stops;
    f->route_begin = f->route_end = tt->n_routes;
    f->service_begin = f->service_end = tt->n_services;
    f->trip_begin = f->trip_end = tt->n_trips;
    const char *tz = tt->n_feeds ? tt->feeds[0].timezone : e->m->timezone ? e->m->timezone : "UTC";
    tt->n_feeds++; /* counted first: hh__timetable_free frees what is made below, also on failure */
    f->name = dup_str(b ? b + 1 : e->c->path);
    f->timezone = dup_str(tz);
    f->agencies = dup_str("halfhour scenario");
    if (!f->name || !f->timezone || !f->agencies)
        return HH_ENOMEM;
    return 0;
}

static int new_route(ed *e, uint32_t *out)
{
    hh__timetable *tt = e->tt;
    const hh__mod *m = e->m;
    if (grow_routes(e, (size_t)tt->n_routes + 1))
        return HH_ENOMEM;
    uint32_t r = tt->n_routes;
    char id[96];
    snprintf(id, sizeof id, "f%d", m->feature);
    const char *rid = m->n_route_ids ? m->route_ids[0] : id;
    for (uint32_t x = 0; x < tt->n_routes; x++)
        if (!strcmp(tt->strs + tt->route_id[x], rid) && x >= tt->feeds[tt->n_feeds - 1].route_begin)
            return bad(e, "route_id \"%s\" is already a new line's", rid);
    if (add_str(e, rid, &tt->route_id[r]) || add_str(e, m->name ? m->name : rid, &tt->route_short_name[r]) ||
        add_str(e, m->name ? m->name : "", &tt->route_long_name[r]))
        return HH_ENOMEM;
    tt->route_type[r] = m->route_type;
    tt->n_routes++;
    e->stats->routes_added++;
    *out = r;
    return 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* A service on every day of the feeds (or on the listed dates). */
static int new_service(ed *e, int32_t lo, int32_t hi, uint32_t *out)
{
    hh__timetable *tt = e->tt;
    const hh__mod *m = e->m;
    if (grow_svcs(e, (size_t)tt->n_services + 1))
        return HH_ENOMEM;
    uint32_t v = tt->n_services;
    char id[96];
    snprintf(id, sizeof id, "f%d", m->feature);
    if (add_str(e, id, &tt->service_id[v]))
        return HH_ENOMEM;
    uint32_t x0 = tt->service_exc_first[v];
    if (m->n_dates) {
        tt->service_days[v] = 0, tt->service_start[v] = 0, tt->service_end[v] = 0;
        int32_t *d = hh__alloc_array(m->n_dates, sizeof *d);
        if (!d)
            return HH_ENOMEM;
        memcpy(d, m->dates, m->n_dates * sizeof *d);
        qsort(d, m->n_dates, sizeof *d, cmp_i32);
        uint32_t n = 0;
        int rc = 0;
        for (size_t i = 0; i < m->n_dates && !rc; i++) {
            if (i && d[i] == d[i - 1])
                continue;
            size_t c2 = e->cap_exc;
            if (hh__grow(&tt->exc_date, &e->cap_exc, (size_t)x0 + n + 1, sizeof *tt->exc_date) ||
                hh__grow(&tt->exc_added, &c2, (size_t)x0 + n + 1, 1))
                rc = HH_ENOMEM;
            else
                tt->exc_date[x0 + n] = d[i], tt->exc_added[x0 + n] = 1, n++;
        }
        hh__free(d);
        if (rc)
            return rc;
        tt->service_exc_first[v + 1] = x0 + n;
    } else {
        tt->service_days[v] = 0x7f, tt->service_start[v] = lo, tt->service_end[v] = hi;
        tt->service_exc_first[v + 1] = x0;
    }
    tt->n_services++;
    *out = v;
    return 0;
}

/* ---- times ------------------------------------------------------------------- */

static double stop_dist_m(const hh__timetable *tt, uint32_t a, uint32_t b)
{
    return hh__haversine_m(tt->stop_lon[a], tt->stop_lat[a], tt->stop_lon[b], tt->stop_lat[b]);
}

/* ---- the modifications ------------------------------------------------------ */

static int add_line(ed *e, int32_t lo, int32_t hi)
{
    const hh__mod *m = e->m;
    hh__timetable *tt = e->tt;
    int rc;
    if ((rc = scenario_feed(e)))
        return rc;
    size_t n = m->n_pts;
    uint32_t *idx = hh__alloc_array(n, sizeof *idx), *sq = hh__alloc_array(n, sizeof *sq);
    int32_t *arr = hh__alloc_array(n, 4), *dep = hh__alloc_array(n, 4);
    uint8_t *fl = hh__calloc(n, 1);
    uint32_t route = NONE, svc = NONE;
    if (!idx || !sq || !arr || !dep || !fl) {
        rc = HH_ENOMEM;
        goto done;
    }
    if ((rc = line_stops(e, idx)) || (rc = new_route(e, &route)) || (rc = new_service(e, lo, hi, &svc)))
        goto done;
    for (size_t k = 1; k < n; k++)
        if (idx[k] == idx[k - 1]) {
            rc = bad(e, "vertices %zu and %zu are the same stop", k, k + 1);
            goto done;
        }
    for (int dir = 0; dir < (m->bidirectional ? 2 : 1); dir++) {
        /* stops in this direction, times from 0 at the first */
        double t = 0;
        for (size_t k = 0; k < n; k++) {
            size_t at = dir ? n - 1 - k : k;
            sq[k] = idx[at];
            if (k) {
                size_t seg = dir ? at : at - 1; /* segment between at and its predecessor */
                double run = m->n_run_times ? m->run_times_s[seg]
                                            : stop_dist_m(tt, sq[k - 1], sq[k]) / (m->speed_kmh / 3.6);
                t += run;
            }
            arr[k] = (int32_t)llround(t);
            if (k && k + 1 < n)
                t += m->dwell_s;
            dep[k] = (int32_t)llround(t);
        }
        size_t runs = m->n_departures ? m->n_departures : 1;
        for (size_t j = 0; j < runs; j++) {
            int32_t d0 = m->n_departures ? m->departures[j] : m->start_s;
            char id[96];
            snprintf(id, sizeof id, "f%d-%s-%zu", m->feature, dir ? "b" : "a", j + 1);
            uint32_t trip;
            if ((rc = new_trip(e, route, svc, id, &trip)))
                goto done;
            int32_t *a2 = hh__alloc_array(n, 4), *d2 = hh__alloc_array(n, 4);
            if (!a2 || !d2) {
                hh__free(a2), hh__free(d2);
                rc = HH_ENOMEM;
                goto done;
            }
            for (size_t k = 0; k < n; k++)
                a2[k] = arr[k] + d0, d2[k] = dep[k] + d0;
            rc = set_times(e, trip, sq, a2, d2, fl, (uint32_t)n);
            hh__free(a2), hh__free(d2);
            if (!rc && !m->n_departures)
                rc = add_freq(e, trip, m->start_s, m->end_s, (int32_t)llround(m->headway_min * 60),
                              (uint8_t)m->exact_times);
            if (rc)
                goto done;
        }
    }
done:
    hh__free(idx), hh__free(sq), hh__free(arr), hh__free(dep), hh__free(fl);
    return rc;
}

/* Position of stop s in trip t from position `from`, or -1. */
static long pos_of(const ed *e, uint32_t t, uint32_t s, uint32_t from)
{
    for (uint32_t i = from; i < e->t_n[t]; i++)
        if (e->st_stop[e->t_first[t] + i] == s)
            return (long)i;
    return -1;
}

/* A section [i0, i1] of trip t between the modification's from_stop and
 * to_stop (the whole trip without them); 0, or 1 when t does not run
 * through it. */
static int section(const ed *e, uint32_t t, uint32_t fs, uint32_t ts, uint32_t *i0, uint32_t *i1)
{
    long a = fs == NONE ? 0 : pos_of(e, t, fs, 0);
    if (a < 0)
        return 1;
    long b = ts == NONE ? (long)e->t_n[t] - 1 : pos_of(e, t, ts, (uint32_t)a);
    if (b < 0 || b < a)
        return 1;
    *i0 = (uint32_t)a, *i1 = (uint32_t)b;
    return 0;
}

/* Rewrites trip t's times: run times scaled by 1 / speed (in [i0, i1]),
 * dwell at stops in [i0, i1] set or scaled; later times follow. */
static int retime(ed *e, uint32_t t, uint32_t i0, uint32_t i1, double speed, double dwell_s, double dwell_factor,
                  const uint8_t *at_stop)
{
    uint32_t n = e->t_n[t], f = e->t_first[t];
    int32_t *arr = hh__alloc_array(n, 4), *dep = hh__alloc_array(n, 4);
    if (!arr || !dep) {
        hh__free(arr), hh__free(dep);
        return HH_ENOMEM;
    }
    arr[0] = e->st_arr[f], dep[0] = e->st_dep[f];
    double now = dep[0];
    for (uint32_t i = 0; i < n; i++) {
        if (i) {
            double run = e->st_arr[f + i] - e->st_dep[f + i - 1];
            if (speed > 0 && i > i0 && i <= i1)
                run /= speed;
            now += run;
            arr[i] = (int32_t)llround(now);
        }
        double dw = e->st_dep[f + i] - e->st_arr[f + i];
        int here = i >= i0 && i <= i1 && i > 0 && i + 1 < n && (!at_stop || at_stop[e->st_stop[f + i]]);
        if (here && dwell_s >= 0)
            dw = dwell_s;
        else if (here && dwell_factor > 0)
            dw *= dwell_factor;
        if (i == 0)
            dep[0] = (int32_t)llround(arr[0] + dw), now = dep[0];
        else
            now += dw, dep[i] = (int32_t)llround(now);
        if (dep[i] < arr[i])
            dep[i] = arr[i];
        if (i && arr[i] < dep[i - 1])
            arr[i] = dep[i - 1];
    }
    memcpy(e->st_arr + f, arr, n * 4), memcpy(e->st_dep + f, dep, n * 4);
    hh__free(arr), hh__free(dep);
    e->stats->trips_changed++;
    return 0;
}

static int route_mod(ed *e, int32_t lo, int32_t hi)
{
    const hh__mod *m = e->m;
    hh__timetable *tt = e->tt;
    uint8_t *routes = hh__calloc(tt->n_routes + 1, 1), *trips = NULL, *at_stop = NULL;
    uint32_t fs = NONE, ts = NONE;
    int rc = routes ? mod_routes(e, routes) : HH_ENOMEM;
    if (!rc)
        rc = mod_trips(e, routes, &trips);
    if (!rc && m->from_stop && (fs = find_id(e, HH__GTFS_STOP, m->from_stop, "stop")) == NONE)
        rc = HH_EINVAL;
    if (!rc && m->to_stop && (ts = find_id(e, HH__GTFS_STOP, m->to_stop, "stop")) == NONE)
        rc = HH_EINVAL;
    if (!rc && m->stop_ids && m->kind != HH__MOD_REROUTE) {
        if (!(at_stop = hh__calloc(tt->n_stops + 1, 1)))
            rc = HH_ENOMEM;
        for (size_t i = 0; !rc && i < m->n_stop_ids; i++) {
            uint32_t s = find_id(e, HH__GTFS_STOP, m->stop_ids[i], "stop");
            if (s == NONE)
                rc = HH_EINVAL;
            else
                at_stop[s] = 1;
        }
    }
    uint32_t n_trips0 = tt->n_trips, touched = 0;
    uint32_t *newst = NULL;
    size_t n_new = 0;
    if (!rc && m->kind == HH__MOD_REROUTE) {
        /* the new stops, shared by every trip rerouted */
        n_new = m->n_pts ? m->n_pts : m->n_stop_ids;
        hh__mod mm = *m;
        if (!m->n_pts) {
            /* existing stops only: positions from the feed */
            newst = hh__alloc_array(n_new, sizeof *newst);
            for (size_t k = 0; newst && k < n_new && !rc; k++)
                if (!m->stop_ids[k] || (newst[k] = find_id(e, HH__GTFS_STOP, m->stop_ids[k], "stop")) == NONE)
                    rc = m->stop_ids[k] ? HH_EINVAL : bad(e, "stop_ids[%zu] is null and there is no LineString", k);
            if (!newst)
                rc = HH_ENOMEM;
        } else {
            (void)mm;
            if (!(rc = scenario_feed(e))) {
                newst = hh__alloc_array(n_new, sizeof *newst);
                rc = newst ? line_stops(e, newst) : HH_ENOMEM;
            }
        }
    }
    if (m->kind == HH__MOD_ADJUST_FREQUENCY && !rc) {
        /* per stop sequence of the route (pattern): the earliest selected
         * trip becomes the template of one frequency-based trip over the
         * window, and the selected scheduled trips go; frequency-based
         * trips just get the new headway */
        int32_t hw = (int32_t)llround(m->headway_min * 60);
        for (uint32_t i = 0; i < tt->n_freqs; i++)
            if (!e->freq_gone[i] && routes[tt->trip_route[tt->freq_trip[i]]] &&
                (!trips || trips[tt->freq_trip[i]])) {
                tt->freq_headway[i] = hw;
                touched++;
            }
        uint8_t *isfreq = hh__calloc(n_trips0 + 1, 1), *done = hh__calloc(n_trips0 + 1, 1);
        if (!isfreq || !done)
            rc = HH_ENOMEM;
        for (uint32_t i = 0; !rc && i < tt->n_freqs; i++)
            isfreq[tt->freq_trip[i]] = 1;
        for (uint32_t t = 0; !rc && t < n_trips0; t++) {
            if (done[t] || isfreq[t] || !trip_selected(e, routes, trips, t))
                continue;
            /* the trips of t's stop sequence and service */
            uint32_t tmpl = t;
            int32_t first = e->st_dep[e->t_first[t]], last = first;
            for (uint32_t u = t; u < n_trips0; u++) {
                if (done[u] || isfreq[u] || !trip_selected(e, routes, trips, u) || e->t_n[u] != e->t_n[t] ||
                    tt->trip_route[u] != tt->trip_route[t] || tt->trip_service[u] != tt->trip_service[t] ||
                    memcmp(e->st_stop + e->t_first[u], e->st_stop + e->t_first[t], e->t_n[t] * 4))
                    continue;
                int32_t d = e->st_dep[e->t_first[u]];
                if (d < first)
                    first = d, tmpl = u;
                last = d > last ? d : last;
                done[u] = 1;
            }
            int32_t ws = m->start_s != HH__NOTIME ? m->start_s : first;
            int32_t we = m->end_s != HH__NOTIME ? m->end_s : last + 1;
            char id[128];
            snprintf(id, sizeof id, "%s-f%d", tt->strs + tt->trip_id[tmpl], m->feature);
            uint32_t nt;
            uint32_t n = e->t_n[tmpl], f0 = e->t_first[tmpl];
            int32_t *a2 = hh__alloc_array(n, 4), *d2 = hh__alloc_array(n, 4);
            if (!a2 || !d2 || (rc = new_trip(e, tt->trip_route[tmpl], tt->trip_service[tmpl], id, &nt))) {
                rc = rc ? rc : HH_ENOMEM;
                hh__free(a2), hh__free(d2);
                break;
            }
            int32_t shift = ws - e->st_dep[f0];
            for (uint32_t k = 0; k < n; k++)
                a2[k] = e->st_arr[f0 + k] + shift, d2[k] = e->st_dep[f0 + k] + shift;
            rc = set_times(e, nt, e->st_stop + f0, a2, d2, e->st_flags + f0, n);
            hh__free(a2), hh__free(d2);
            if (!rc)
                rc = add_freq(e, nt, ws, we, hw, (uint8_t)m->exact_times);
            for (uint32_t u = 0; !rc && u < n_trips0; u++)
                if (done[u] == 1 && tt->trip_route[u] == tt->trip_route[tmpl]) {
                    drop_trip(e, u);
                    done[u] = 2;
                }
            touched++;
        }
        hh__free(isfreq), hh__free(done);
    }
    for (uint32_t t = 0; !rc && t < n_trips0 && m->kind != HH__MOD_ADJUST_FREQUENCY; t++) {
        if (!trip_selected(e, routes, trips, t))
            continue;
        uint32_t i0, i1;
        switch (m->kind) {
        case HH__MOD_REMOVE_TRIPS:
            drop_trip(e, t);
            touched++;
            break;
        case HH__MOD_REMOVE_STOPS: {
            uint32_t n = e->t_n[t], f = e->t_first[t], k = 0;
            for (uint32_t i = 0; i < n; i++)
                if (!at_stop[e->st_stop[f + i]]) {
                    e->st_stop[f + k] = e->st_stop[f + i], e->st_arr[f + k] = e->st_arr[f + i];
                    e->st_dep[f + k] = e->st_dep[f + i], e->st_flags[f + k] = e->st_flags[f + i];
                    k++;
                }
            if (k == n)
                break;
            touched++;
            e->stats->trips_changed++;
            e->t_n[t] = k;
            if (k < 2)
                drop_trip(e, t);
            break;
        }
        case HH__MOD_ADJUST_SPEED:
        case HH__MOD_ADJUST_DWELL:
            if (section(e, t, fs, ts, &i0, &i1))
                break;
            rc = m->kind == HH__MOD_ADJUST_SPEED ? retime(e, t, i0, i1, m->speed_factor, -1, 0, NULL)
                                                 : retime(e, t, i0, i1, 0, m->dwell_s, m->dwell_factor, at_stop);
            touched++;
            break;
        case HH__MOD_REROUTE: {
            if (section(e, t, fs, ts, &i0, &i1))
                break;
            /* keep [0, i0] (when from_stop is given) and [i1, n) (when
             * to_stop is), the new stops between */
            uint32_t n = e->t_n[t], f = e->t_first[t];
            uint32_t keep_a = fs == NONE ? 0 : i0 + 1, keep_b = ts == NONE ? n : i1;
            uint32_t nn = keep_a + (uint32_t)n_new + (n - keep_b);
            uint32_t *s2 = hh__alloc_array(nn + 1, 4);
            int32_t *a2 = hh__alloc_array(nn + 1, 4), *d2 = hh__alloc_array(nn + 1, 4);
            uint8_t *f2 = hh__calloc(nn + 1, 1);
            if (!s2 || !a2 || !d2 || !f2) {
                hh__free(s2), hh__free(a2), hh__free(d2), hh__free(f2);
                rc = HH_ENOMEM;
                break;
            }
            uint32_t k = 0;
            for (uint32_t i = 0; i < keep_a; i++, k++)
                s2[k] = e->st_stop[f + i], a2[k] = e->st_arr[f + i], d2[k] = e->st_dep[f + i],
                f2[k] = e->st_flags[f + i];
            double v = m->speed_kmh / 3.6;
            if (keep_a) {
                double now = d2[k - 1];
                for (size_t j = 0; j < n_new; j++, k++) {
                    now += stop_dist_m(tt, s2[k - 1], newst[j]) / v;
                    s2[k] = newst[j], a2[k] = (int32_t)llround(now);
                    now += m->dwell_s;
                    d2[k] = (int32_t)llround(now);
                }
                if (keep_b < n) {
                    now += stop_dist_m(tt, s2[k - 1], e->st_stop[f + keep_b]) / v;
                    int32_t shift = (int32_t)llround(now) - e->st_arr[f + keep_b];
                    for (uint32_t i = keep_b; i < n; i++, k++)
                        s2[k] = e->st_stop[f + i], a2[k] = e->st_arr[f + i] + shift,
                        d2[k] = e->st_dep[f + i] + shift, f2[k] = e->st_flags[f + i];
                }
            } else {
                /* the head replaced: times run backwards from the first kept stop */
                double now = e->st_arr[f + keep_b];
                uint32_t prev = e->st_stop[f + keep_b];
                for (size_t j = n_new; j-- > 0;) {
                    now -= stop_dist_m(tt, newst[j], prev) / v;
                    d2[j] = (int32_t)llround(now);
                    now -= j ? m->dwell_s : 0;
                    a2[j] = (int32_t)llround(now);
                    s2[j] = newst[j];
                    prev = newst[j];
                }
                k = (uint32_t)n_new;
                for (uint32_t i = keep_b; i < n; i++, k++)
                    s2[k] = e->st_stop[f + i], a2[k] = e->st_arr[f + i], d2[k] = e->st_dep[f + i],
                    f2[k] = e->st_flags[f + i];
            }
            rc = set_times(e, t, s2, a2, d2, f2, k);
            hh__free(s2), hh__free(a2), hh__free(d2), hh__free(f2);
            touched++;
            e->stats->trips_changed++;
            break;
        }
        default:
            break;
        }
    }
    if (!rc && !touched)
        rc = bad(e, "no trip of the routes named%s", m->from_stop || m->to_stop || m->stop_ids ? " runs through the stops named" : " is selected");
    hh__free(routes), hh__free(trips), hh__free(at_stop), hh__free(newst);
    (void)lo, (void)hi;
    return rc;
}

/* ---- the whole ------------------------------------------------------------------ */

int hh__scenario_timetable(const hh__timetable *base, const hh__change *c, double walk_kmh, hh__timetable **out,
                           uint32_t *n_new_stops, hh_scenario_stats *st, char *err, size_t errlen)
{
    ed e;
    memset(&e, 0, sizeof e);
    e.c = c, e.err = err, e.errlen = errlen, e.stats = st, e.walk_kmh = walk_kmh;
    hh__timetable empty;
    memset(&empty, 0, sizeof empty);
    uint32_t zero = 0;
    if (!base) {
        empty.service_exc_first = &zero;
        base = &empty;
    }
    int rc = HH_ENOMEM;
    if (!(e.tt = hh__calloc(1, sizeof *e.tt)) || (rc = take_apart(&e, base)))
        goto oom;
    uint32_t n_stops0 = base->n_stops;
    /* every day any feed runs */
    int32_t lo = 0, hi = 0;
    for (uint32_t f = 0; f < base->n_feeds; f++) {
        if (base->feeds[f].first_date && (!lo || base->feeds[f].first_date < lo))
            lo = base->feeds[f].first_date;
        if (base->feeds[f].last_date > hi)
            hi = base->feeds[f].last_date;
    }
    if (!lo)
        lo = 19000101, hi = 29991231; /* no feeds: every day */
    for (size_t i = 0; i < c->n; i++) {
        e.m = &c->mods[i];
        if (e.m->kind < HH__MOD_ADD_LINE)
            continue;
        if (e.m->kind == HH__MOD_ADD_LINE)
            rc = add_line(&e, lo, hi);
        else if (!base->n_feeds)
            rc = bad(&e, "the network has no timetable (build it with --gtfs)");
        else
            rc = route_mod(&e, lo, hi);
        if (rc == HH_ENOMEM)
            goto oom;
        if (rc)
            goto fail;
    }
    hh__timetable *tt = e.tt;
    /* the scenario feed's ranges and dates */
    if (tt->n_feeds) {
        /* whatever the change added comes last: the last feed's (the
         * scenario's own, or for trips added to existing routes alone the
         * last of the base) */
        hh__gtfs_feed *f = &tt->feeds[tt->n_feeds - 1];
        f->stop_end = tt->n_stops, f->route_end = tt->n_routes, f->service_end = tt->n_services;
        f->trip_end = tt->n_trips;
    }
    /* dropped frequency rows out */
    uint32_t k = 0;
    for (uint32_t i = 0; i < tt->n_freqs; i++) {
        if (e.freq_gone[i])
            continue;
        tt->freq_trip[k] = tt->freq_trip[i], tt->freq_start[k] = tt->freq_start[i];
        tt->freq_end[k] = tt->freq_end[i], tt->freq_headway[k] = tt->freq_headway[i];
        tt->freq_exact[k] = tt->freq_exact[i];
        k++;
    }
    tt->n_freqs = k;
    /* trip runs into the indexer's hand-over form */
    uint32_t *first = hh__alloc_array((size_t)tt->n_trips + 1, 4);
    size_t total = 0;
    for (uint32_t t = 0; t < tt->n_trips; t++)
        total += e.t_n[t] >= 2 ? e.t_n[t] : 0;
    uint32_t *sstop = hh__alloc_array(total + 1, 4);
    int32_t *sarr = hh__alloc_array(total + 1, 4), *sdep = hh__alloc_array(total + 1, 4);
    uint8_t *sfl = hh__alloc_array(total + 1, 1);
    if (!first || !sstop || !sarr || !sdep || !sfl) {
        hh__free(first), hh__free(sstop), hh__free(sarr), hh__free(sdep), hh__free(sfl);
        goto oom;
    }
    size_t at = 0;
    for (uint32_t t = 0; t < tt->n_trips; t++) {
        first[t] = (uint32_t)at;
        if (e.t_n[t] < 2)
            continue;
        uint32_t f = e.t_first[t];
        memcpy(sstop + at, e.st_stop + f, e.t_n[t] * 4), memcpy(sarr + at, e.st_arr + f, e.t_n[t] * 4);
        memcpy(sdep + at, e.st_dep + f, e.t_n[t] * 4), memcpy(sfl + at, e.st_flags + f, e.t_n[t]);
        at += e.t_n[t];
    }
    first[tt->n_trips] = (uint32_t)at;
    hh__gtfs_trip_times tts = {first, sstop, sarr, sdep, sfl};
    rc = hh__gtfs_index(tt, &tts);
    hh__free(first), hh__free(sstop), hh__free(sarr), hh__free(sdep), hh__free(sfl);
    if (rc)
        goto oom;
    for (uint32_t f = base->n_feeds; f < tt->n_feeds; f++) {
        hh__gtfs_feed *fd = &tt->feeds[f];
        fd->first_date = fd->last_date = 0;
        for (uint32_t s = fd->service_begin; s < fd->service_end; s++) {
            int32_t a, b;
            hh__timetable_service_span(tt, s, &a, &b);
            if (a && (!fd->first_date || a < fd->first_date))
                fd->first_date = a;
            if (b > fd->last_date)
                fd->last_date = b;
        }
    }
    char cerr[256];
    if (hh__timetable_check(tt, cerr, sizeof cerr)) {
        snprintf(err, errlen, "%s: the changed timetable is not consistent: %s", c->path, cerr);
        rc = HH_EFORMAT;
        goto fail;
    }
    *n_new_stops = tt->n_stops - n_stops0;
    *out = tt;
    e.tt = NULL;
    rc = 0;
    goto done;
oom:
    rc = HH_ENOMEM;
    snprintf(err, errlen, "%s: out of memory", c->path);
fail:
done:
    hh__timetable_free(e.tt);
    hh__free(e.t_first), hh__free(e.t_n), hh__free(e.st_stop), hh__free(e.st_arr), hh__free(e.st_dep);
    hh__free(e.st_flags), hh__free(e.freq_gone);
    return rc;
}
