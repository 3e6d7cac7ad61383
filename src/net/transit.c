/* transit.c: mapping a stored timetable and its links to the walk network
 * back on open (see transit.h); src/build/transit.c writes them. */
#include "net/transit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/alloc.h"

/* ---- open -------------------------------------------------------------- */

void hh__transit_close(hh__transit *t)
{
    if (!t)
        return;
    hh__free(t->tt.feeds);
    hh__free(t);
}

#define TFAIL(...)                           \
    do {                                     \
        snprintf(err, errlen, __VA_ARGS__);  \
        hh__transit_close(t);                \
        return HH_EFORMAT;                   \
    } while (0)

int hh__transit_open(hh_net *net, const char *path, char *err, size_t errlen)
{
    uint64_t nf, nstr;
    const hh__tt_feed_rec *fr = hh__net_section(net, HH_SEC_TT_FEED, sizeof *fr, &nf);
    if (!fr)
        return 0; /* streets only */
    hh__transit *t = hh__calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    const char *fstr = hh__net_section(net, HH_SEC_TT_FEED_STR, 1, &nstr);
    if (!fstr || nstr == 0 || fstr[nstr - 1] != 0 || nf > 1000)
        TFAIL("%s: bad transit feed table", path);
    hh__timetable *tt = &t->tt;
    tt->n_feeds = (uint32_t)nf;
    tt->feeds = hh__calloc(nf ? nf : 1, sizeof *tt->feeds);
    if (!tt->feeds) {
        hh__transit_close(t);
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    for (uint32_t i = 0; i < nf; i++) {
        if (fr[i].name_off >= nstr || fr[i].tz_off >= nstr || fr[i].agencies_off >= nstr)
            TFAIL("%s: bad transit feed table", path);
        hh__gtfs_feed *f = &tt->feeds[i];
        f->name = (char *)fstr + fr[i].name_off;
        f->timezone = (char *)fstr + fr[i].tz_off;
        f->agencies = (char *)fstr + fr[i].agencies_off;
        f->first_date = fr[i].first_date, f->last_date = fr[i].last_date;
        f->stop_begin = fr[i].stop_begin, f->stop_end = fr[i].stop_end;
        f->route_begin = fr[i].route_begin, f->route_end = fr[i].route_end;
        f->service_begin = fr[i].service_begin, f->service_end = fr[i].service_end;
        f->trip_begin = fr[i].trip_begin, f->trip_end = fr[i].trip_end;
        f->n_stop_time_rows = fr[i].n_stop_time_rows, f->n_interpolated = fr[i].n_interpolated;
        f->n_trips_dropped = fr[i].n_trips_dropped, f->n_freqs_dropped = fr[i].n_freqs_dropped;
        f->n_xfers_skipped = fr[i].n_xfers_skipped;
    }
    /* sizes come from the sections themselves, then every array's count is
     * checked against what the timetable's own offsets say */
    uint64_t c;
    uint32_t k = 0;
#define MAP_ARRAY(field, type, count)                                                        \
    {                                                                                        \
        tt->field = (void *)hh__net_section(net, HH_SEC_TT_BASE + k, sizeof(type), &c);      \
        if (!tt->field)                                                                      \
            TFAIL("%s: transit section %s missing", path, #field);                           \
        if (c >= UINT32_MAX)                                                                 \
            TFAIL("%s: transit section %s too large", path, #field);                         \
    }                                                                                        \
    k++;
    HH_TT_ARRAYS(MAP_ARRAY)
#undef MAP_ARRAY
    /* counts: first the base counts, then every dependent one */
    tt->n_stops = (uint32_t)(hh__net_section(net, HH_SEC_TT_BASE + 0, sizeof(double), &c) ? c : 0);
#define COUNT_OF(idx, type) (hh__net_section(net, HH_SEC_TT_BASE + (idx), sizeof(type), &c) ? c : 0)
    k = 0;
    uint32_t idx_route = 0, idx_service = 0, idx_trip = 0, idx_pat = 0, idx_arr = 0, idx_freq = 0, idx_xfer = 0,
             idx_strs = 0;
#define FIND_IDX(field, type, count)                                      \
    if (!strcmp(#field, "route_id")) idx_route = k;                       \
    if (!strcmp(#field, "service_id")) idx_service = k;                   \
    if (!strcmp(#field, "trip_id")) idx_trip = k;                         \
    if (!strcmp(#field, "pat_route")) idx_pat = k;                        \
    if (!strcmp(#field, "arr")) idx_arr = k;                              \
    if (!strcmp(#field, "freq_trip")) idx_freq = k;                       \
    if (!strcmp(#field, "xfer_from")) idx_xfer = k;                       \
    if (!strcmp(#field, "strs")) idx_strs = k;                            \
    k++;
    HH_TT_ARRAYS(FIND_IDX)
#undef FIND_IDX
    tt->n_routes = (uint32_t)COUNT_OF(idx_route, uint32_t);
    tt->n_services = (uint32_t)COUNT_OF(idx_service, uint32_t);
    tt->n_trips = (uint32_t)COUNT_OF(idx_trip, uint32_t);
    tt->n_patterns = (uint32_t)COUNT_OF(idx_pat, uint32_t);
    tt->n_stop_times = (uint32_t)COUNT_OF(idx_arr, int32_t);
    tt->n_freqs = (uint32_t)COUNT_OF(idx_freq, uint32_t);
    tt->n_xfers = (uint32_t)COUNT_OF(idx_xfer, uint32_t);
    tt->strs_len = (size_t)COUNT_OF(idx_strs, char);
#undef COUNT_OF
    if (tt->strs_len == 0 || tt->strs[tt->strs_len - 1] != 0)
        TFAIL("%s: bad transit string table", path);
    /* the "first" arrays' last entries bound the dependent arrays: check
     * each declared count against the section's record count, in order, so
     * no count is trusted before the array it comes from was checked */
    k = 0;
#define CHECK_COUNT(field, type, count)                                                       \
    {                                                                                         \
        hh__net_section(net, HH_SEC_TT_BASE + k, sizeof(type), &c);                           \
        if (c != (uint64_t)(count))                                                           \
            TFAIL("%s: transit section %s has %llu records, expected %llu", path, #field,     \
                  (unsigned long long)c, (unsigned long long)(count));                        \
    }                                                                                         \
    k++;
    HH_TT_ARRAYS(CHECK_COUNT)
#undef CHECK_COUNT
    char e2[256];
    if (hh__timetable_check(tt, e2, sizeof e2))
        TFAIL("%s: transit timetable invalid: %s", path, e2);
    t->stop_link = hh__net_section(net, HH_SEC_STOP_LINK, sizeof *t->stop_link, &c);
    if (!t->stop_link || c != tt->n_stops)
        TFAIL("%s: bad stop links", path);
    for (uint32_t s = 0; s < tt->n_stops; s++)
        if (t->stop_link[s].edge != HH_STOP_UNLINKED &&
            (t->stop_link[s].edge >= net->n_edges ||
             !(net->edges[t->stop_link[s].edge].mode_mask & (1u << HH_MODE_WALK)) ||
             !(t->stop_link[s].along_m >= 0) || !(t->stop_link[s].off_m >= 0)))
            TFAIL("%s: bad stop link %u", path, s);
    t->foot_first = hh__net_section(net, HH_SEC_FOOT_FIRST, sizeof *t->foot_first, &c);
    if (!t->foot_first || c != (uint64_t)tt->n_stops + 1)
        TFAIL("%s: bad footpath index", path);
    t->foot = hh__net_section(net, HH_SEC_FOOT, sizeof *t->foot, &c);
    if (!t->foot || t->foot_first[0] != 0 || t->foot_first[tt->n_stops] != c)
        TFAIL("%s: bad footpaths", path);
    t->n_foot = (uint32_t)c;
    for (uint32_t s = 0; s < tt->n_stops; s++)
        if (t->foot_first[s + 1] < t->foot_first[s])
            TFAIL("%s: bad footpath index", path);
    for (uint32_t i = 0; i < t->n_foot; i++)
        if (t->foot[i].to >= tt->n_stops)
            TFAIL("%s: bad footpath", path);
    t->egress_first = hh__net_section(net, HH_SEC_EGRESS_FIRST, sizeof *t->egress_first, &c);
    if (!t->egress_first || c != (uint64_t)tt->n_stops + 1)
        TFAIL("%s: bad egress index", path);
    t->egress = hh__net_section(net, HH_SEC_EGRESS, sizeof *t->egress, &c);
    if (!t->egress || t->egress_first[0] != 0 || t->egress_first[tt->n_stops] != c)
        TFAIL("%s: bad egress tables", path);
    for (uint32_t s = 0; s < tt->n_stops; s++)
        if (t->egress_first[s + 1] < t->egress_first[s])
            TFAIL("%s: bad egress index", path);
    for (uint32_t s = 0; s < tt->n_stops; s++)
        for (uint32_t i = t->egress_first[s]; i < t->egress_first[s + 1]; i++)
            if (t->egress[i].vertex >= net->n_nodes ||
                (i > t->egress_first[s] && t->egress[i].walk_ds < t->egress[i - 1].walk_ds))
                TFAIL("%s: bad egress table entry", path);
    /* load warnings (absent in files of older builds: none) */
    const char *wt = hh__net_section(net, HH_SEC_TT_WARN, 1, &c);
    for (uint64_t i = 0; wt && i < c;) {
        uint64_t e = i;
        while (e < c && wt[e] != '\n')
            e++;
        /* fields of the line [i, e) */
        char name[64];
        uint64_t f = i, fi = 0;
        int kind = -1;
        hh__gtfs_warn *w = NULL;
        while (f <= e) {
            uint64_t g = f;
            while (g < e && wt[g] != '\t')
                g++;
            size_t len = (size_t)(g - f);
            if (fi == 0) {
                if (len >= sizeof name)
                    TFAIL("%s: bad GTFS warning table", path);
                memcpy(name, wt + f, len);
                name[len] = 0;
                for (int wk = 0; wk < HH__GW_N; wk++)
                    if (!strcmp(name, hh__gtfs_warn_name(wk)))
                        kind = wk;
                if (kind < 0)
                    break; /* a kind of a later version: skipped */
                w = &tt->warn[kind];
            } else if (fi == 1) {
                char num[16];
                if (len == 0 || len >= sizeof num)
                    TFAIL("%s: bad GTFS warning table", path);
                memcpy(num, wt + f, len);
                num[len] = 0;
                char *end;
                unsigned long v = strtoul(num, &end, 10);
                if (*end || v > UINT32_MAX)
                    TFAIL("%s: bad GTFS warning table", path);
                w->count = (uint32_t)v;
            } else if (fi - 2 < HH__GTFS_WARN_EXAMPLES) {
                size_t n = len < HH__GTFS_WARN_TEXT - 1 ? len : HH__GTFS_WARN_TEXT - 1;
                memcpy(w->ex[fi - 2], wt + f, n);
                w->ex[fi - 2][n] = 0;
            }
            fi++;
            f = g + 1;
        }
        i = e + 1;
    }
    net->transit = t;
    return 0;
}

uint32_t hh_net_n_gtfs_warnings(const hh_net *net)
{
    uint32_t n = 0;
    for (int k = 0; net->transit && k < HH__GW_N; k++)
        n += net->transit->tt.warn[k].count > 0;
    return n;
}

int hh_net_gtfs_warning(const hh_net *net, uint32_t i, hh_gtfs_warning *out)
{
    for (int k = 0; net->transit && k < HH__GW_N; k++) {
        const hh__gtfs_warn *w = &net->transit->tt.warn[k];
        if (!w->count || i--)
            continue;
        hh_gtfs_warning o = {hh__gtfs_warn_name(k), w->count, 0, {NULL, NULL, NULL}};
        for (uint32_t j = 0; j < w->count && j < HH__GTFS_WARN_EXAMPLES && j < 3; j++)
            o.examples[o.n_examples++] = w->ex[j];
        *out = o;
        return 0;
    }
    return HH_ERANGE;
}

/* ---- summaries for `info` --------------------------------------------- */

uint32_t hh_net_n_feeds(const hh_net *net) { return net->transit ? net->transit->tt.n_feeds : 0; }

int hh_net_feed_info(const hh_net *net, uint32_t feed, hh_feed_info *out)
{
    if (!net->transit || feed >= net->transit->tt.n_feeds)
        return HH_ERANGE;
    const hh__timetable *tt = &net->transit->tt;
    const hh__gtfs_feed *f = &tt->feeds[feed];
    hh_feed_info in = {f->name, f->timezone, f->agencies ? f->agencies : "", f->first_date, f->last_date, f->stop_end - f->stop_begin,
                       f->route_end - f->route_begin, f->trip_end - f->trip_begin, 0, 0, 0};
    for (uint32_t s = f->stop_begin; s < f->stop_end; s++)
        in.stops_linked += tt->stop_type[s] == 0 && net->transit->stop_link[s].edge != HH_STOP_UNLINKED;
    uint8_t *active = hh__calloc(tt->n_services ? tt->n_services : 1, 1);
    if (!active)
        return HH_ENOMEM;
    /* departures per day over the feed's range (capped at ten years) */
    int days = 0;
    for (int32_t d = f->first_date; d && d <= f->last_date && days < 3660; d = hh__date_of_day(hh__day_number(d) + 1), days++) {
        if (hh__timetable_services_on(tt, d, active))
            break;
        uint64_t n = 0; /* frequencies may claim billions of runs: no wrap */
        for (uint32_t t = f->trip_begin; t < f->trip_end; t++) {
            if (!active[tt->trip_service[t]] || tt->trip_pattern[t] == HH__GTFS_NONE)
                continue;
            uint32_t nf = tt->trip_freq_first[t + 1] - tt->trip_freq_first[t];
            if (!nf) {
                n++;
                continue;
            }
            for (uint32_t k = tt->trip_freq_first[t]; k < tt->trip_freq_first[t + 1]; k++)
                n += (uint64_t)(((int64_t)tt->freq_end[k] - tt->freq_start[k] + tt->freq_headway[k] - 1) /
                                tt->freq_headway[k]);
        }
        if (n > UINT32_MAX)
            n = UINT32_MAX; /* the count saturates */
        if (n > in.trips_busiest)
            in.trips_busiest = (uint32_t)n, in.busiest_date = d;
    }
    hh__free(active);
    *out = in;
    return 0;
}
