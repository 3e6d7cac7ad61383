/* transit.c (build stage): a loaded timetable and its links to the walk
 * network (stops snapped to walk edges, footpaths along the streets between
 * stops, egress lists) as sections of the network file being built. */
#include "net/transit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/stages.h"
#include "net/net.h"
#include "street/query.h"
#include "util/alloc.h"

static int cmp_egress(const void *a, const void *b)
{
    const hh__egress *x = a, *y = b;
    if (x->walk_ds != y->walk_ds)
        return x->walk_ds < y->walk_ds ? -1 : 1;
    return (x->vertex > y->vertex) - (x->vertex < y->vertex);
}

static int add_feeds(hh__net_parts *parts, const hh__timetable *tt)
{
    hh__tt_feed_rec *r = hh__calloc(tt->n_feeds ? tt->n_feeds : 1, sizeof *r);
    size_t len = 1;
    for (uint32_t i = 0; i < tt->n_feeds; i++)
        len += strlen(tt->feeds[i].name) + strlen(tt->feeds[i].timezone) + 3 +
               (tt->feeds[i].agencies ? strlen(tt->feeds[i].agencies) : 0);
    char *str = hh__malloc(len);
    if (!r || !str) {
        hh__free(r), hh__free(str);
        return HH_ENOMEM;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < tt->n_feeds; i++) {
        const hh__gtfs_feed *f = &tt->feeds[i];
        r[i] = (hh__tt_feed_rec){0};
        r[i].name_off = (uint32_t)at;
        at += (size_t)sprintf(str + at, "%s", f->name) + 1;
        r[i].tz_off = (uint32_t)at;
        at += (size_t)sprintf(str + at, "%s", f->timezone) + 1;
        r[i].agencies_off = (uint32_t)at;
        at += (size_t)sprintf(str + at, "%s", f->agencies ? f->agencies : "") + 1;
        r[i].first_date = f->first_date, r[i].last_date = f->last_date;
        r[i].stop_begin = f->stop_begin, r[i].stop_end = f->stop_end;
        r[i].route_begin = f->route_begin, r[i].route_end = f->route_end;
        r[i].service_begin = f->service_begin, r[i].service_end = f->service_end;
        r[i].trip_begin = f->trip_begin, r[i].trip_end = f->trip_end;
        r[i].n_stop_time_rows = f->n_stop_time_rows, r[i].n_interpolated = f->n_interpolated;
        r[i].n_trips_dropped = f->n_trips_dropped, r[i].n_freqs_dropped = f->n_freqs_dropped;
        r[i].n_xfers_skipped = f->n_xfers_skipped;
    }
    str[at++] = 0;
    int rc = hh__net_parts_add(parts, HH_SEC_TT_FEED, sizeof *r, r, tt->n_feeds, 1);
    if (rc) {
        hh__free(str);
        return rc;
    }
    return hh__net_parts_add(parts, HH_SEC_TT_FEED_STR, 1, str, at, 1);
}

/* Load warnings as text: per kind with a count, one line
 * "kind TAB count (TAB example)*" (tabs and line ends in examples become
 * blanks).  Always written, empty without warnings. */
static int add_warnings(hh__net_parts *parts, const hh__timetable *tt)
{
    size_t cap = 1;
    for (int k = 0; k < HH__GW_N; k++)
        cap += 64 + HH__GTFS_WARN_EXAMPLES * (HH__GTFS_WARN_TEXT + 1);
    char *str = hh__malloc(cap);
    if (!str)
        return HH_ENOMEM;
    size_t at = 0;
    for (int k = 0; k < HH__GW_N; k++) {
        const hh__gtfs_warn *w = &tt->warn[k];
        if (!w->count)
            continue;
        at += (size_t)snprintf(str + at, cap - at, "%s\t%lu", hh__gtfs_warn_name(k), (unsigned long)w->count);
        for (uint32_t i = 0; i < w->count && i < HH__GTFS_WARN_EXAMPLES; i++) {
            str[at++] = '\t';
            for (const char *c = w->ex[i]; *c && c < w->ex[i] + HH__GTFS_WARN_TEXT; c++)
                str[at++] = *c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c;
        }
        str[at++] = '\n';
    }
    str[at] = '\0';
    return hh__net_parts_add(parts, HH_SEC_TT_WARN, 1, str, at, 1);
}

/* Footpaths from platform s to the other platforms (location_type 0) of its
 * parent_station: their straight-line distance at walking speed, rounded up
 * to whole seconds, at least HH_STATION_MIN_S -- also when the streets
 * between them are long or missing (a station's own passages are rarely
 * mapped as streets).  Stops without a position are skipped. */
#define HH_STATION_MIN_S 30
static int station_footpaths(const hh__timetable *tt, uint32_t s, const uint32_t *kid_first, const uint32_t *kids,
                             double walk_mps, hh__foot **foot, size_t *n_foot, size_t *cap_foot)
{
    uint32_t par = tt->stop_parent[s];
    if (par == HH__GTFS_NONE || tt->stop_type[s] != 0 || isnan(tt->stop_lat[s]))
        return 0;
    for (uint32_t i = kid_first[par]; i < kid_first[par + 1]; i++) {
        uint32_t t = kids[i];
        if (t == s || isnan(tt->stop_lat[t]))
            continue;
        double d = hh__haversine_m(tt->stop_lon[s], tt->stop_lat[s], tt->stop_lon[t], tt->stop_lat[t]);
        double w = ceil(d / walk_mps);
        if (w < HH_STATION_MIN_S)
            w = HH_STATION_MIN_S;
        if (hh__grow(foot, cap_foot, *n_foot + 1, sizeof **foot))
            return HH_ENOMEM;
        (*foot)[(*n_foot)++] = (hh__foot){t, w > 86400 ? 86400 : (uint32_t)w};
    }
    return 0;
}

/* Whether a stop added after the first n_prev lies within reach_m (by the
 * footpaths' straight-line pre-filter) of stop s. */
static int near_new(const hh__timetable *tt, uint32_t s, uint32_t n_prev, double reach_m, double cos_lat)
{
    double dlat = reach_m / 111195.0, dlon = dlat / (cos_lat > 0.05 ? cos_lat : 0.05);
    for (uint32_t t = n_prev; t < tt->n_stops; t++)
        if (fabs(tt->stop_lat[t] - tt->stop_lat[s]) <= dlat && fabs(tt->stop_lon[t] - tt->stop_lon[s]) <= dlon)
            return 1;
    return 0;
}

/* Linked stops by cell of a lat/lon grid as large as the footpaths'
 * straight-line pre-filter (dlat x dlon), sorted by cell then stop: the
 * candidates of a stop are in the 3 x 3 cells around its own, found by three
 * binary searches, instead of a scan over every stop (quadratic: a feed of
 * 10^5 stops made 10^10 comparisons). */
typedef struct cell_stop {
    uint64_t cell;
    uint32_t stop;
} cell_stop;

typedef struct stop_index {
    cell_stop *a;
    size_t n;
    double lat0, lon0, dlat, dlon;
    uint64_t nx; /* cells per row, with one spare on each side */
} stop_index;

static int cmp_cell_stop(const void *x, const void *y)
{
    const cell_stop *a = x, *b = y;
    if (a->cell != b->cell)
        return a->cell < b->cell ? -1 : 1;
    return (a->stop > b->stop) - (a->stop < b->stop);
}

static void cell_of(const stop_index *ix, double lat, double lon, uint64_t *cy, uint64_t *cx)
{
    *cy = (uint64_t)floor((lat - ix->lat0) / ix->dlat) + 1;
    *cx = (uint64_t)floor((lon - ix->lon0) / ix->dlon) + 1;
}

static int stop_index_make(stop_index *ix, const hh__timetable *tt, const hh__stop_link *link, double dlat,
                           double dlon)
{
    memset(ix, 0, sizeof *ix);
    uint32_t n = tt->n_stops;
    double lat0 = INFINITY, lon0 = INFINITY, lon1 = -INFINITY;
    for (uint32_t t = 0; t < n; t++)
        if (link[t].edge != HH_STOP_UNLINKED) {
            lat0 = fmin(lat0, tt->stop_lat[t]);
            lon0 = fmin(lon0, tt->stop_lon[t]), lon1 = fmax(lon1, tt->stop_lon[t]);
        }
    ix->lat0 = lat0, ix->lon0 = lon0, ix->dlat = dlat, ix->dlon = dlon;
    ix->nx = isfinite(lon0) ? (uint64_t)floor((lon1 - lon0) / dlon) + 3 : 3;
    if (!(ix->a = hh__alloc_array(n ? n : 1, sizeof *ix->a)))
        return HH_ENOMEM;
    for (uint32_t t = 0; t < n; t++)
        if (link[t].edge != HH_STOP_UNLINKED) {
            uint64_t cy, cx;
            cell_of(ix, tt->stop_lat[t], tt->stop_lon[t], &cy, &cx);
            ix->a[ix->n++] = (cell_stop){cy * ix->nx + cx, t};
        }
    qsort(ix->a, ix->n, sizeof *ix->a, cmp_cell_stop);
    return 0;
}

/* first entry with cell >= c */
static size_t stop_index_lower(const stop_index *ix, uint64_t c)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->a[mid].cell < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* The linked stops in the 3 x 3 cells around stop s, ascending (the order
 * the scan over every stop had, so the footpath rows come out the same). */
static int stop_index_near(const stop_index *ix, const hh__timetable *tt, uint32_t s, uint32_t **out, size_t *n_out,
                           size_t *cap)
{
    uint64_t cy, cx;
    cell_of(ix, tt->stop_lat[s], tt->stop_lon[s], &cy, &cx);
    *n_out = 0;
    for (uint64_t y = cy - 1; y <= cy + 1; y++) {
        for (size_t i = stop_index_lower(ix, y * ix->nx + cx - 1); i < ix->n && ix->a[i].cell <= y * ix->nx + cx + 1;
             i++) {
            if (hh__grow(out, cap, *n_out + 1, sizeof **out))
                return HH_ENOMEM;
            (*out)[(*n_out)++] = ix->a[i].stop;
        }
    }
    qsort(*out, *n_out, sizeof **out, cmp_u32);
    return 0;
}

int hh__transit_build(const hh_net *streets, const hh__timetable *tt, const hh_profile *p,
                      hh__net_parts *parts, hh_build_stats *st, char *err, size_t errlen)
{
    return hh__transit_build_reuse(streets, tt, p, parts, st, NULL, 0, err, errlen);
}

int hh__transit_build_reuse(const hh_net *streets, const hh__timetable *tt, const hh_profile *p,
                            hh__net_parts *parts, hh_build_stats *st, const hh__transit *prev, uint32_t n_prev,
                            char *err, size_t errlen)
{
    if (!prev || n_prev > tt->n_stops)
        n_prev = 0;
    int rc = add_feeds(parts, tt);
    if (!rc)
        rc = add_warnings(parts, tt);
    uint32_t k = 0;
#define ADD_ARRAY(field, type, count)                                                        \
    if (!rc)                                                                                 \
        rc = hh__net_parts_add(parts, HH_SEC_TT_BASE + k, sizeof(type), tt->field, (count), 0); \
    k++;
    HH_TT_ARRAYS(ADD_ARRAY)
#undef ADD_ARRAY
    if (rc) {
        snprintf(err, errlen, "transit: %s", hh_strerror(rc));
        return rc;
    }
    uint32_t n = tt->n_stops;
    hh__stop_link *link = hh__alloc_array(n ? n : 1, sizeof *link);
    hh_snap *snap = hh__alloc_array(n ? n : 1, sizeof *snap);
    uint32_t *first = hh__calloc((size_t)n + 1, sizeof *first);
    hh__foot *foot = NULL;
    size_t n_foot = 0, cap_foot = 0;
    uint32_t *eg_first = hh__calloc((size_t)n + 1, sizeof *eg_first);
    hh__egress *eg = NULL;
    size_t n_eg = 0, cap_eg = 0;
    uint32_t *kid_first = NULL, *kids = NULL; /* platforms by parent station */
    hh_query *q = NULL;
    stop_index six = {0};
    uint32_t *near = NULL;
    size_t n_near = 0, cap_near = 0;
    rc = HH_ENOMEM;
    if (!link || !snap || !first || !eg_first || hh_query_init(streets, &q))
        goto fail;
    uint32_t linked = 0, unlinked = 0;
    size_t ul = 0;
    for (uint32_t s = 0; s < n; s++) {
        link[s] = (hh__stop_link){HH_STOP_UNLINKED, 0, 0};
        if (isnan(tt->stop_lon[s]) || isnan(tt->stop_lat[s]))
            continue;
        if (hh_snap_point(streets, HH_MODE_WALK, tt->stop_lon[s], tt->stop_lat[s], p->transit_link_m, &snap[s]) ==
            0) {
            link[s] = (hh__stop_link){snap[s].edge, (float)snap[s].along_m, (float)snap[s].off_m};
            linked++;
        } else if (tt->stop_type[s] == 0) {
            unlinked++;
            if (ul + 64 < sizeof st->unlinked_stops)
                ul += (size_t)snprintf(st->unlinked_stops + ul, sizeof st->unlinked_stops - ul, "%s%s",
                                       ul ? "," : "", hh__timetable_str(tt, tt->stop_id[s]));
        }
    }
    /* footpaths along the streets between linked stops within the bound
     * (candidates pre-filtered by straight-line distance), and each stop's
     * egress table: the walk to every vertex within transit.egress_m */
    double walk_mps = p->connector_kmh[HH_MODE_WALK] / 3.6;
    double max_s = p->transit_transfer_m / walk_mps;
    double egress_s = p->transit_egress_m / walk_mps;
    double run_s = max_s > egress_s ? max_s : egress_s;
    uint32_t egress_ds = (uint32_t)floor(egress_s * 10);
    double cos_lat = cos((streets->grid->lat0) * M_PI / 180);
    /* platforms (location_type 0) of one parent_station, grouped: they are
     * linked to each other on foot whatever the streets say */
    rc = HH_ENOMEM;
    kid_first = hh__calloc((size_t)n + 2, sizeof *kid_first);
    kids = hh__alloc_array(n ? n : 1, sizeof *kids);
    if (!kid_first || !kids)
        goto fail;
    for (uint32_t s = 0; s < n; s++)
        if (tt->stop_parent[s] != HH__GTFS_NONE && tt->stop_type[s] == 0)
            kid_first[tt->stop_parent[s] + 2]++;
    for (uint32_t s = 0; s < n; s++)
        kid_first[s + 2] += kid_first[s + 1];
    for (uint32_t s = 0; s < n; s++)
        if (tt->stop_parent[s] != HH__GTFS_NONE && tt->stop_type[s] == 0)
            kids[kid_first[tt->stop_parent[s] + 1]++] = s;
    /* now kids of station p are [kid_first[p], kid_first[p + 1]) */
    double dlat = p->transit_transfer_m / 111195.0, dlon = dlat / (cos_lat > 0.05 ? cos_lat : 0.05);
    if ((rc = stop_index_make(&six, tt, link, dlat, dlon)))
        goto fail;
    for (uint32_t s = 0; s < n; s++) {
        first[s] = (uint32_t)n_foot;
        eg_first[s] = (uint32_t)n_eg;
        if (s < n_prev && !near_new(tt, s, n_prev, p->transit_transfer_m, cos_lat)) {
            /* no new stop within a footpath's reach: the previous rows */
            uint32_t fa = prev->foot_first[s], fz = prev->foot_first[s + 1];
            uint32_t ea = prev->egress_first[s], ez = prev->egress_first[s + 1];
            rc = HH_ENOMEM;
            if (hh__grow(&foot, &cap_foot, n_foot + (fz - fa) + 1, sizeof *foot) ||
                hh__grow(&eg, &cap_eg, n_eg + (ez - ea) + 1, sizeof *eg))
                break;
            rc = 0;
            memcpy(foot + n_foot, prev->foot + fa, (fz - fa) * sizeof *foot);
            n_foot += fz - fa;
            memcpy(eg + n_eg, prev->egress + ea, (ez - ea) * sizeof *eg);
            n_eg += ez - ea;
            continue;
        }
        if ((rc = station_footpaths(tt, s, kid_first, kids, walk_mps, &foot, &n_foot, &cap_foot)))
            break;
        if (link[s].edge == HH_STOP_UNLINKED)
            continue;
        if ((rc = hh_query_run(q, HH_MODE_WALK, &snap[s], run_s)))
            break;
        uint32_t conn_ds = (uint32_t)llround(q->origin_conn_s * 10);
        size_t eg0 = n_eg;
        for (uint32_t i = 0; i < q->n_settled; i++) {
            uint32_t v = q->settled[i], d = q->vs[v].dist_ds + conn_ds;
            if (d > egress_ds)
                continue;
            rc = HH_ENOMEM;
            if (hh__grow(&eg, &cap_eg, n_eg + 1, sizeof *eg))
                goto fail;
            eg[n_eg++] = (hh__egress){v, d};
        }
        /* nearest first: a query stops reading at its walk limit */
        qsort(eg + eg0, n_eg - eg0, sizeof *eg, cmp_egress);
        if ((rc = stop_index_near(&six, tt, s, &near, &n_near, &cap_near)))
            break;
        for (size_t ni = 0; ni < n_near; ni++) {
            uint32_t t = near[ni];
            if (t == s || link[t].edge == HH_STOP_UNLINKED || fabs(tt->stop_lat[t] - tt->stop_lat[s]) > dlat ||
                fabs(tt->stop_lon[t] - tt->stop_lon[s]) > dlon)
                continue;
            double ts, ds;
            if (hh_query_time_to(q, &snap[t], &ts, &ds) || ts > max_s)
                continue;
            /* a sibling platform's row is there already: the shorter counts */
            uint32_t w = (uint32_t)ceil(ts), i = first[s];
            while (i < n_foot && foot[i].to != t)
                i++;
            if (i < n_foot) {
                if (w < foot[i].walk_s)
                    foot[i].walk_s = w;
                continue;
            }
            rc = HH_ENOMEM;
            if (hh__grow(&foot, &cap_foot, n_foot + 1, sizeof *foot))
                break;
            foot[n_foot++] = (hh__foot){t, w};
            rc = 0;
        }
        if (rc)
            break;
    }
    hh__free(kid_first), hh__free(kids);
    kid_first = kids = NULL;
    hh__free(six.a), hh__free(near);
    six.a = NULL, near = NULL;
    if (rc)
        goto fail;
    /* the offsets are uint32 in the file */
    if (n_foot >= UINT32_MAX || n_eg >= UINT32_MAX) {
        rc = HH_ERANGE;
        goto fail;
    }
    first[n] = (uint32_t)n_foot;
    eg_first[n] = (uint32_t)n_eg;
    hh_query_free(q);
    q = NULL;
    hh__free(snap);
    snap = NULL;
    /* the parts own these arrays from here on, also on failure */
    rc = 0;
    struct {
        uint32_t id, elem;
        void **data;
        uint64_t count;
    } secs[] = {{HH_SEC_STOP_LINK, sizeof *link, (void **)&link, n},
                {HH_SEC_FOOT_FIRST, sizeof *first, (void **)&first, (uint64_t)n + 1},
                {HH_SEC_FOOT, sizeof *foot, (void **)&foot, n_foot},
                {HH_SEC_EGRESS_FIRST, sizeof *eg_first, (void **)&eg_first, (uint64_t)n + 1},
                {HH_SEC_EGRESS, sizeof *eg, (void **)&eg, n_eg}};
    for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) {
        if (!rc)
            rc = hh__net_parts_add(parts, secs[i].id, secs[i].elem, *secs[i].data, secs[i].count, 1);
        else
            hh__free(*secs[i].data);
        *secs[i].data = NULL;
    }
    if (rc)
        goto fail;
    st->egress_entries = (uint32_t)(n_eg < UINT32_MAX ? n_eg : UINT32_MAX);
    st->n_stops = n;
    st->stops_linked = linked;
    st->stops_unlinked = unlinked;
    st->footpaths = (uint32_t)n_foot;
    return 0;
fail:
    snprintf(err, errlen, "transit: %s", hh_strerror(rc));
    hh_query_free(q);
    hh__free(link), hh__free(snap), hh__free(first), hh__free(foot), hh__free(eg_first), hh__free(eg);
    hh__free(kid_first), hh__free(kids);
    hh__free(six.a), hh__free(near);
    return rc;
}
