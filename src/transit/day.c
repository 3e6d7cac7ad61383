/* day.c: a timetable reduced to one service day for RAPTOR (raptor.h).
 * Three passes: collect the concrete trips of each timetable pattern (three
 * service days, frequencies expanded), sort and split them into routes
 * without overtaking, then index stops and footpaths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "ingest/gtfs_index.h"
#include "transit/raptor.h"
#include "util/alloc.h"

/* Times beyond this are dropped rather than risk int32 overflow in sums
 * (2^30 s is 34 years; no real trip gets near it). */
#define TIME_MAX (1 << 30)
#define DAY_S 86400
#define COL(a) ((void **)&(a))

/* ---- frequencies ---------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

int32_t hh__transit_freq_offset(uint64_t seed, uint32_t draw, uint32_t freq, int32_t headway_s)
{
    /* hashing (seed, draw, entry) rather than stepping one generator keeps
     * an entry's offset independent of how many entries come before it, so
     * adding a feed does not reshuffle the others */
    uint64_t x = splitmix64(seed ^ splitmix64(((uint64_t)draw << 32) | freq));
    return (int32_t)(x % (uint64_t)headway_s);
}

int32_t hh__transit_freq_offset_at(uint64_t seed, uint32_t draw, int32_t key, uint32_t freq, int32_t headway_s)
{
    uint64_t x = splitmix64(seed ^ splitmix64(((uint64_t)draw << 32) | freq) ^
                            splitmix64(0x6d696e757465ull ^ ((uint64_t)(uint32_t)key << 16)));
    return (int32_t)(x % (uint64_t)headway_s);
}

/* ---- building ------------------------------------------------------- */

/* One concrete run of a timetable trip: its stop times plus delta. */
typedef struct ctrip {
    int32_t dep0, arr_last; /* on D's clock (sort keys) */
    uint32_t src;
    int32_t delta;
} ctrip;

static int cmp_ctrip(const void *a, const void *b)
{
    const ctrip *x = a, *y = b;
    if (x->dep0 != y->dep0)
        return x->dep0 < y->dep0 ? -1 : 1;
    if (x->arr_last != y->arr_last)
        return x->arr_last < y->arr_last ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return (x->delta > y->delta) - (x->delta < y->delta);
}

typedef struct builder {
    const hh__timetable *tt;
    const hh__transit_day_opts *o;
    hh__transit_day *d;
    const uint8_t *act[3]; /* services of D-1, D, D+1 */
    size_t cap_rstops, cap_routes, cap_trips, cap_times;
    ctrip *ct;             /* the current pattern's runs */
    size_t n_ct, cap_ct;
    uint32_t *sub_of;      /* per run: its route among the pattern's */
    size_t cap_sub_of;
    uint32_t *sub_last;    /* per route of the pattern: its last run */
    size_t cap_sub_last;
    int64_t shift;         /* the current pattern's feed clock -> the day's clock */
    /* the current pattern's exact_times=0 entries kept as rules */
    struct frule {
        uint32_t t, f;
        int32_t start, end, h; /* day's clock */
        uint32_t group;
    } *fr;
    size_t n_fr, cap_fr;
    uint32_t *grp_rep; /* per group of the pattern: its first template trip */
    size_t cap_grp;
    size_t cap_fstops, cap_froutes, cap_fents;
} builder;

static int add_run(builder *b, uint32_t t, uint32_t n, int64_t delta)
{
    const hh__timetable *tt = b->tt;
    uint32_t st = tt->trip_st[t];
    int64_t dep0 = (int64_t)tt->dep[st] + delta, arrl = (int64_t)tt->arr[st + n - 1] + delta;
    if (dep0 >= b->o->to_s || arrl < b->o->from_s || arrl > TIME_MAX || dep0 < -TIME_MAX)
        return 0;
    if (hh__grow(&b->ct, &b->cap_ct, b->n_ct + 1, sizeof *b->ct))
        return HH_ENOMEM;
    b->ct[b->n_ct++] = (ctrip){(int32_t)dep0, (int32_t)arrl, t, (int32_t)delta};
    return 0;
}

/* Runs of frequency entry f of template trip t on day `day` (-1, 0, 1). */
static int add_freq_runs(builder *b, uint32_t t, uint32_t n, uint32_t f, int day)
{
    const hh__timetable *tt = b->tt;
    uint32_t st = tt->trip_st[t];
    int64_t h = tt->freq_headway[f], shift = (int64_t)day * DAY_S + b->shift;
    int64_t first = tt->freq_start[f];
    uint64_t seed = b->o->seed ? b->o->seed : HH__TRANSIT_SEED;
    if (!tt->freq_exact[f])
        first += b->o->has_phase_key
                     ? hh__transit_freq_offset_at(seed, b->o->draw, b->o->phase_key, f, tt->freq_headway[f])
                     : hh__transit_freq_offset(seed, b->o->draw, f, tt->freq_headway[f]);
    /* only departures whose run meets [from_s, to_s): skip to the first */
    int64_t dur = (int64_t)tt->arr[st + n - 1] - tt->dep[st];
    int64_t lo = (int64_t)b->o->from_s - shift - dur; /* departure >= lo */
    int64_t hi = (int64_t)b->o->to_s - shift;         /* departure < hi */
    if (hi > tt->freq_end[f])
        hi = tt->freq_end[f];
    if (first < lo)
        first += (lo - first + h - 1) / h * h;
    for (int64_t dep = first; dep < hi; dep += h) {
        int rc = add_run(b, t, n, dep - tt->dep[st] + shift);
        if (rc)
            return rc;
    }
    return 0;
}

/* Keeps exact_times=0 entry f of template trip t (n stops) on day `day` as a
 * rule, when its runs can meet [from_s, to_s). */
static int add_freq_rule(builder *b, uint32_t t, uint32_t n, uint32_t f, int day)
{
    const hh__timetable *tt = b->tt;
    uint32_t st = tt->trip_st[t];
    int64_t shift = (int64_t)day * DAY_S + b->shift;
    int64_t start = tt->freq_start[f] + shift, end = tt->freq_end[f] + shift;
    int64_t dur = (int64_t)tt->arr[st + n - 1] - tt->dep[st];
    if (start >= b->o->to_s || end + dur < b->o->from_s || start < -TIME_MAX || end > TIME_MAX)
        return 0;
    if (hh__grow(&b->fr, &b->cap_fr, b->n_fr + 1, sizeof *b->fr))
        return HH_ENOMEM;
    b->fr[b->n_fr++] = (struct frule){t, f, (int32_t)start, (int32_t)end, tt->freq_headway[f], 0};
    return 0;
}

/* Whether template trips x and y (n stops) have the same running times. */
static int same_shape(const hh__timetable *tt, uint32_t x, uint32_t y, uint32_t n)
{
    const int32_t *ax = tt->arr + tt->trip_st[x], *dx = tt->dep + tt->trip_st[x];
    const int32_t *ay = tt->arr + tt->trip_st[y], *dy = tt->dep + tt->trip_st[y];
    for (uint32_t i = 0; i < n; i++)
        if (ax[i] - dx[0] != ay[i] - dy[0] || dx[i] - dx[0] != dy[i] - dy[0])
            return 0;
    return 1;
}

/* Emits pattern p's rules as frequency routes, one per running-time shape. */
static int emit_froutes(builder *b, uint32_t p)
{
    const hh__timetable *tt = b->tt;
    hh__transit_day *d = b->d;
    uint32_t s0 = tt->pat_stop_first[p], n = tt->pat_stop_first[p + 1] - s0;
    uint32_t n_grp = 0;
    for (size_t j = 0; j < b->n_fr; j++) {
        uint32_t g = 0;
        while (g < n_grp && !same_shape(tt, b->grp_rep[g], b->fr[j].t, n))
            g++;
        if (g == n_grp) {
            if (hh__grow(&b->grp_rep, &b->cap_grp, (size_t)n_grp + 1, sizeof *b->grp_rep))
                return HH_ENOMEM;
            b->grp_rep[n_grp++] = b->fr[j].t;
        }
        b->fr[j].group = g;
    }
    for (uint32_t g = 0; g < n_grp; g++) {
        size_t nr = d->n_froutes, ns = d->froute_stop_first[nr], ne = d->froute_ent_first[nr];
        size_t k = 0;
        for (size_t j = 0; j < b->n_fr; j++)
            k += b->fr[j].group == g;
        if (ns + n > UINT32_MAX - 1 || ne + k > UINT32_MAX - 1)
            return HH_ERANGE;
        void **const rcols[] = {COL(d->froute_stop_first), COL(d->froute_ent_first)};
        const size_t rsizes[] = {4, 4};
        void **const scols[] = {COL(d->froute_stops), COL(d->froute_flags), COL(d->farr), COL(d->fdep)};
        const size_t ssizes[] = {4, 1, 4, 4};
        void **const ecols[] = {COL(d->fent_freq), COL(d->fent_start), COL(d->fent_end), COL(d->fent_headway)};
        const size_t esizes[] = {4, 4, 4, 4};
        if (hh__gtfs_grow_cols(&b->cap_froutes, nr + 2, rcols, rsizes, 2) ||
            hh__gtfs_grow_cols(&b->cap_fstops, ns + n, scols, ssizes, 4) ||
            hh__gtfs_grow_cols(&b->cap_fents, ne + k, ecols, esizes, 4))
            return HH_ENOMEM;
        uint32_t rep_st = tt->trip_st[b->grp_rep[g]];
        for (uint32_t i = 0; i < n; i++) {
            d->froute_stops[ns + i] = tt->pat_stops[s0 + i];
            d->froute_flags[ns + i] = tt->pat_stop_flags[s0 + i];
            d->farr[ns + i] = tt->arr[rep_st + i] - tt->dep[rep_st];
            d->fdep[ns + i] = tt->dep[rep_st + i] - tt->dep[rep_st];
        }
        for (size_t j = 0; j < b->n_fr; j++) {
            if (b->fr[j].group != g)
                continue;
            d->fent_freq[ne] = b->fr[j].f;
            d->fent_start[ne] = b->fr[j].start;
            d->fent_end[ne] = b->fr[j].end;
            d->fent_headway[ne] = b->fr[j].h;
            ne++;
        }
        d->n_froutes++;
        d->froute_stop_first[d->n_froutes] = (uint32_t)(ns + n);
        d->froute_ent_first[d->n_froutes] = (uint32_t)ne;
        d->n_fents = (uint32_t)ne;
    }
    return 0;
}

/* Whether run y may not follow run x in one route: y arrives or departs
 * earlier than x at some position, so binary search would miss one. */
static int runs_before(const hh__timetable *tt, const ctrip *x, const ctrip *y, uint32_t n)
{
    const int32_t *ax = tt->arr + tt->trip_st[x->src], *dx = tt->dep + tt->trip_st[x->src];
    const int32_t *ay = tt->arr + tt->trip_st[y->src], *dy = tt->dep + tt->trip_st[y->src];
    for (uint32_t i = 0; i < n; i++)
        if ((int64_t)ay[i] + y->delta < (int64_t)ax[i] + x->delta ||
            (int64_t)dy[i] + y->delta < (int64_t)dx[i] + x->delta)
            return 1;
    return 0;
}

/* Appends one route: pattern p's stops with the runs of sub-route s. */
static int emit_route(builder *b, uint32_t p, uint32_t s)
{
    const hh__timetable *tt = b->tt;
    hh__transit_day *d = b->d;
    uint32_t s0 = tt->pat_stop_first[p], n = tt->pat_stop_first[p + 1] - s0;
    size_t nr = d->n_routes;
    uint32_t k = 0;
    for (size_t j = 0; j < b->n_ct; j++)
        k += b->sub_of[j] == s;
    if ((size_t)d->n_trips + k > UINT32_MAX - 1 || d->n_times + (size_t)k * n > UINT32_MAX - 1 ||
        (size_t)d->route_stop_first[nr] + n > UINT32_MAX - 1)
        return HH_ERANGE;
    void **const rcols[] = {COL(d->route_stop_first), COL(d->route_trip_first), COL(d->route_time_first),
                            COL(d->route_pattern)};
    const size_t rsizes[] = {4, 4, 4, 4};
    void **const scols[] = {COL(d->route_stops), COL(d->route_flags)};
    const size_t ssizes[] = {4, 1};
    void **const tcols[] = {COL(d->trip_src), COL(d->trip_delta_s)};
    const size_t tsizes[] = {4, 4};
    void **const xcols[] = {COL(d->arr), COL(d->dep)};
    const size_t xsizes[] = {4, 4};
    if (hh__gtfs_grow_cols(&b->cap_routes, nr + 2, rcols, rsizes, 4) ||
        hh__gtfs_grow_cols(&b->cap_rstops, (size_t)d->route_stop_first[nr] + n, scols, ssizes, 2) ||
        hh__gtfs_grow_cols(&b->cap_trips, (size_t)d->n_trips + k, tcols, tsizes, 2) ||
        hh__gtfs_grow_cols(&b->cap_times, d->n_times + (size_t)k * n, xcols, xsizes, 2))
        return HH_ENOMEM;

    uint32_t rs = d->route_stop_first[nr];
    memcpy(d->route_stops + rs, tt->pat_stops + s0, n * sizeof *d->route_stops);
    memcpy(d->route_flags + rs, tt->pat_stop_flags + s0, n);
    d->route_stop_first[nr + 1] = rs + n;
    d->route_trip_first[nr] = d->n_trips;
    d->route_time_first[nr] = (uint32_t)d->n_times;
    d->route_pattern[nr] = p;
    for (size_t j = 0; j < b->n_ct; j++) {
        if (b->sub_of[j] != s)
            continue;
        const ctrip *c = &b->ct[j];
        uint32_t st = tt->trip_st[c->src];
        d->trip_src[d->n_trips] = c->src;
        d->trip_delta_s[d->n_trips] = c->delta;
        d->n_trips++;
        for (uint32_t i = 0; i < n; i++) {
            d->arr[d->n_times + i] = tt->arr[st + i] + c->delta;
            d->dep[d->n_times + i] = tt->dep[st + i] + c->delta;
        }
        d->n_times += n;
    }
    d->n_routes++;
    d->route_trip_first[d->n_routes] = d->n_trips;
    return 0;
}

static int build_pattern(builder *b, uint32_t p)
{
    const hh__timetable *tt = b->tt;
    b->shift = 0;
    if (b->o->feed_shift_s) {
        uint32_t r = tt->pat_route[p];
        for (uint32_t f = 0; f < tt->n_feeds; f++)
            if (r >= tt->feeds[f].route_begin && r < tt->feeds[f].route_end)
                b->shift = b->o->feed_shift_s[f];
    }
    uint32_t n = tt->pat_stop_first[p + 1] - tt->pat_stop_first[p];
    int rc;
    b->n_ct = 0;
    b->n_fr = 0;
    for (uint32_t k = tt->pat_trip_first[p]; k < tt->pat_trip_first[p + 1]; k++) {
        uint32_t t = tt->pat_trips[k], svc = tt->trip_service[t];
        if (!tt->pat_freq[p]) {
            size_t before = b->n_ct;
            for (int day = -1; day <= 1; day++)
                if (b->act[day + 1][svc] && (rc = add_run(b, t, n, (int64_t)day * DAY_S + b->shift)))
                    return rc;
            b->d->n_sched_trips += (uint32_t)(b->n_ct - before);
            continue;
        }
        for (uint32_t f = tt->trip_freq_first[t]; f < tt->trip_freq_first[t + 1]; f++) {
            if (b->o->freq_rules && !tt->freq_exact[f]) {
                size_t before_fr = b->n_fr;
                for (int day = -1; day <= 1; day++)
                    if (b->act[day + 1][svc] && (rc = add_freq_rule(b, t, n, f, day)))
                        return rc;
                b->d->n_random_freqs += b->n_fr > before_fr;
                continue;
            }
            size_t before = b->n_ct;
            for (int day = -1; day <= 1; day++)
                if (b->act[day + 1][svc] && (rc = add_freq_runs(b, t, n, f, day)))
                    return rc;
            b->d->n_freq_trips += (uint32_t)(b->n_ct - before);
            b->d->n_random_freqs += !tt->freq_exact[f] && b->n_ct > before;
        }
    }
    if (b->n_fr && (rc = emit_froutes(b, p)))
        return rc;
    if (!b->n_ct)
        return 0;
    qsort(b->ct, b->n_ct, sizeof *b->ct, cmp_ctrip);
    /* first fit: each run joins the first route whose last run it does not
     * overtake; sorted input keeps the count at one in almost every case */
    if (hh__grow(&b->sub_of, &b->cap_sub_of, b->n_ct, sizeof *b->sub_of))
        return HH_ENOMEM;
    uint32_t n_sub = 0;
    for (size_t j = 0; j < b->n_ct; j++) {
        uint32_t s = 0;
        while (s < n_sub && runs_before(tt, &b->ct[b->sub_last[s]], &b->ct[j], n))
            s++;
        if (s == n_sub) {
            if (hh__grow(&b->sub_last, &b->cap_sub_last, (size_t)n_sub + 1, sizeof *b->sub_last))
                return HH_ENOMEM;
            n_sub++;
        }
        b->sub_last[s] = (uint32_t)j;
        b->sub_of[j] = s;
    }
    for (uint32_t s = 0; s < n_sub; s++)
        if ((rc = emit_route(b, p, s)))
            return rc;
    return 0;
}

/* stop -> the routes calling there (of n_routes, each route's stops at
 * stops[first[r] .. first[r+1])), with the stop's first position on each:
 * *out_first gets n_stops+1 entries, *out_routes and *out_pos one per pair.
 * Serves the scheduled routes and the frequency routes alike. */
static int index_route_stops(uint32_t ns, uint32_t n_routes, const uint32_t *first, const uint32_t *stops,
                             uint32_t **out_first, uint32_t **out_routes, uint32_t **out_pos)
{
    uint32_t *seen = hh__alloc_array((size_t)ns + 1, sizeof *seen);
    uint32_t *sf = hh__calloc((size_t)ns + 1, sizeof *sf), *routes = NULL, *pos = NULL;
    *out_first = sf;
    if (!seen || !sf)
        goto fail;
    for (uint32_t s = 0; s < ns; s++)
        seen[s] = UINT32_MAX;
    size_t total = 0;
    for (uint32_t r = 0; r < n_routes; r++)
        for (uint32_t i = first[r]; i < first[r + 1]; i++) {
            uint32_t s = stops[i];
            if (seen[s] != r) {
                seen[s] = r;
                sf[s + 1]++;
                total++;
            }
        }
    for (uint32_t s = 0; s < ns; s++)
        sf[s + 1] += sf[s];
    *out_routes = routes = hh__alloc_array(total ? total : 1, sizeof *routes);
    *out_pos = pos = hh__alloc_array(total ? total : 1, sizeof *pos);
    if (!routes || !pos)
        goto fail;
    /* seen[] doubles as the fill cursor once every route was counted */
    for (uint32_t s = 0; s < ns; s++)
        seen[s] = sf[s];
    for (uint32_t r = 0; r < n_routes; r++) {
        uint32_t r0 = first[r];
        for (uint32_t i = r0; i < first[r + 1]; i++) {
            uint32_t s = stops[i], c = seen[s];
            if (c > sf[s] && routes[c - 1] == r)
                continue; /* the stop again later in a loop route */
            routes[c] = r;
            pos[c] = i - r0;
            seen[s] = c + 1;
        }
    }
    hh__free(seen);
    return 0;
fail:
    hh__free(seen);
    return HH_ENOMEM;
}

typedef struct fprow {
    uint32_t from, to;
    int32_t s;    /* walk or min_transfer_time; -1: transfers.txt forbids */
    uint32_t tag; /* 0 caller's row, 1 + i for transfers.txt row i */
} fprow;

static int cmp_fprow(const void *a, const void *b)
{
    const fprow *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return (x->s > y->s) - (x->s < y->s);
}

static int build_footpaths(const hh__timetable *tt, const hh__transit_day_opts *o, hh__transit_day *d)
{
    uint32_t ns = d->n_stops;
    size_t nrow = 0, cap = o->n_fp + tt->n_xfers;
    fprow *rows = hh__alloc_array(cap ? cap : 1, sizeof *rows);
    d->stop_self_s = hh__calloc(ns ? ns : 1, sizeof *d->stop_self_s);
    d->fp_first = hh__calloc((size_t)ns + 1, sizeof *d->fp_first);
    uint8_t *self_set = hh__calloc(ns ? ns : 1, 1);
    if (!rows || !d->stop_self_s || !d->fp_first || !self_set)
        goto fail;
    for (size_t i = 0; i < o->n_fp; i++)
        if (o->fp_from[i] != o->fp_to[i])
            rows[nrow++] = (fprow){o->fp_from[i], o->fp_to[i], o->fp_walk_s[i], 0};
    for (uint32_t x = 0; x < tt->n_xfers; x++) {
        uint8_t type = tt->xfer_type[x];
        int32_t s = type == 3 ? -1 : type == 2 ? tt->xfer_min_s[x] : -2;
        if (s == -2 || (type == 2 && s < 0))
            continue; /* types 0 and 1, or type 2 without a time: nothing */
        if (s > TIME_MAX)
            s = TIME_MAX;
        uint32_t a = tt->xfer_from[x], c = tt->xfer_to[x];
        if (a == c) {
            if (!self_set[a]) { /* the first row in file order wins */
                self_set[a] = 1;
                d->stop_self_s[a] = s < 0 ? HH__TRANSIT_UNREACHED : s;
                d->n_xfer_applied++;
            }
            continue;
        }
        rows[nrow++] = (fprow){a, c, s, 1 + x};
    }
    qsort(rows, nrow, sizeof *rows, cmp_fprow);
    /* one row per (from, to): transfers.txt's first row, else the caller's
     * shortest; compacted in place */
    size_t kept = 0;
    for (size_t i = 0; i < nrow;) {
        size_t j = i;
        fprow best = rows[i];
        int from_feed = 0;
        while (j < nrow && rows[j].from == rows[i].from && rows[j].to == rows[i].to) {
            if (rows[j].tag && !from_feed) {
                best = rows[j];
                from_feed = 1;
            }
            j++;
        }
        /* the caller's rows sort first (tag 0), the shortest of them first */
        if (from_feed)
            d->n_xfer_applied++;
        if (best.s >= 0)
            rows[kept++] = best;
        i = j;
    }
    if (kept > UINT32_MAX - 1)
        goto range;
    d->n_fp = (uint32_t)kept;
    d->fp_to = hh__alloc_array(kept ? kept : 1, sizeof *d->fp_to);
    d->fp_s = hh__alloc_array(kept ? kept : 1, sizeof *d->fp_s);
    if (!d->fp_to || !d->fp_s)
        goto fail;
    for (size_t i = 0; i < kept; i++) {
        d->fp_first[rows[i].from + 1]++;
        d->fp_to[i] = rows[i].to;
        d->fp_s[i] = rows[i].s;
    }
    for (uint32_t s = 0; s < ns; s++)
        d->fp_first[s + 1] += d->fp_first[s];
    hh__free(rows);
    hh__free(self_set);
    return 0;
range:
    hh__free(rows);
    hh__free(self_set);
    return HH_ERANGE;
fail:
    hh__free(rows);
    hh__free(self_set);
    return HH_ENOMEM;
}

void hh__transit_day_free(hh__transit_day *d)
{
    if (!d)
        return;
    hh__free(d->route_stop_first);
    hh__free(d->route_stops);
    hh__free(d->route_flags);
    hh__free(d->route_trip_first);
    hh__free(d->route_time_first);
    hh__free(d->route_pattern);
    hh__free(d->trip_src);
    hh__free(d->trip_delta_s);
    hh__free(d->arr);
    hh__free(d->dep);
    hh__free(d->stop_route_first);
    hh__free(d->stop_routes);
    hh__free(d->stop_route_pos);
    hh__free(d->stop_self_s);
    hh__free(d->fp_first);
    hh__free(d->fp_to);
    hh__free(d->fp_s);
    void *fa[] = {d->froute_stop_first, d->froute_stops, d->froute_flags, d->farr, d->fdep, d->froute_ent_first,
                  d->fent_freq, d->fent_start, d->fent_end, d->fent_headway, d->stop_froute_first,
                  d->stop_froutes, d->stop_froute_pos};
    for (size_t i = 0; i < sizeof fa / sizeof *fa; i++)
        hh__free(fa[i]);
    hh__free(d);
}

static int check_opts(const hh__timetable *tt, const hh__transit_day_opts *o, char *err, size_t errlen)
{
    if (o->from_s < -DAY_S || o->to_s > 2 * DAY_S || o->from_s >= o->to_s) {
        snprintf(err, errlen, "transit day: span [%d, %d) is empty or outside [-86400, 172800]",
                 (int)o->from_s, (int)o->to_s);
        return HH_EINVAL;
    }
    if (o->n_fp && (!o->fp_from || !o->fp_to || !o->fp_walk_s)) {
        snprintf(err, errlen, "transit day: %zu footpaths but no arrays", o->n_fp);
        return HH_EINVAL;
    }
    for (size_t i = 0; i < o->n_fp; i++) {
        if (o->fp_from[i] >= tt->n_stops || o->fp_to[i] >= tt->n_stops) {
            snprintf(err, errlen, "transit day: footpath %zu: stop %u -> %u, but there are %u stops", i,
                     o->fp_from[i], o->fp_to[i], tt->n_stops);
            return HH_EINVAL;
        }
        if (o->fp_walk_s[i] < 0 || o->fp_walk_s[i] > TIME_MAX) {
            snprintf(err, errlen, "transit day: footpath %zu: walking time %d s out of range", i,
                     (int)o->fp_walk_s[i]);
            return HH_EINVAL;
        }
    }
    return 0;
}

int hh__transit_day_build(const hh__timetable *tt, const hh__transit_day_opts *o, hh__transit_day **out,
                          char *err, size_t errlen)
{
    char dummy[1];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    if (errlen)
        *err = '\0';
    int rc = check_opts(tt, o, err, errlen);
    if (rc)
        return rc;
    size_t nsv = tt->n_services ? tt->n_services : 1;
    uint8_t *act = hh__calloc(3 * nsv, 1);
    builder b = {.tt = tt, .o = o};
    if (!act)
        return HH_ENOMEM;
    if (hh__timetable_services_on(tt, o->date, act + nsv)) {
        hh__free(act);
        snprintf(err, errlen, "transit day: %d is not a date (YYYYMMDD)", (int)o->date);
        return HH_EINVAL;
    }
    int32_t dn = hh__day_number(o->date);
    /* valid D implies valid neighbours */
    hh__timetable_services_on(tt, hh__date_of_day(dn - 1), act);
    hh__timetable_services_on(tt, hh__date_of_day(dn + 1), act + 2 * nsv);
    for (int i = 0; i < 3; i++)
        b.act[i] = act + (size_t)i * nsv;

    hh__transit_day *d = hh__calloc(1, sizeof *d);
    if (!d)
        goto nomem;
    b.d = d;
    d->date = o->date;
    d->from_s = o->from_s;
    d->to_s = o->to_s;
    d->draw = o->draw;
    d->seed = o->seed ? o->seed : HH__TRANSIT_SEED;
    d->n_stops = tt->n_stops;
    /* the offset arrays exist even for a day without routes */
    void **const rcols[] = {COL(d->route_stop_first), COL(d->route_trip_first), COL(d->route_time_first),
                            COL(d->route_pattern)};
    const size_t rsizes[] = {4, 4, 4, 4};
    if (hh__gtfs_grow_cols(&b.cap_routes, 2, rcols, rsizes, 4))
        goto nomem;
    d->route_trip_first[0] = 0;
    d->route_stop_first[0] = 0;
    void **const frcols[] = {COL(d->froute_stop_first), COL(d->froute_ent_first)};
    const size_t frsizes[] = {4, 4};
    if (hh__gtfs_grow_cols(&b.cap_froutes, 2, frcols, frsizes, 2))
        goto nomem;
    d->froute_stop_first[0] = d->froute_ent_first[0] = 0;
    for (uint32_t p = 0; p < tt->n_patterns; p++)
        if ((rc = build_pattern(&b, p)))
            goto fail;
    /* never NULL, even when empty */
    if (!d->route_stops && !(d->route_stops = hh__malloc(1)))
        goto nomem;
    if (!d->route_flags && !(d->route_flags = hh__malloc(1)))
        goto nomem;
    if (!d->trip_src && !(d->trip_src = hh__malloc(1)))
        goto nomem;
    if (!d->trip_delta_s && !(d->trip_delta_s = hh__malloc(1)))
        goto nomem;
    if (!d->arr && !(d->arr = hh__malloc(1)))
        goto nomem;
    if (!d->dep && !(d->dep = hh__malloc(1)))
        goto nomem;
    if ((rc = index_route_stops(d->n_stops, d->n_routes, d->route_stop_first, d->route_stops, &d->stop_route_first,
                                &d->stop_routes, &d->stop_route_pos)) ||
        (rc = index_route_stops(d->n_stops, d->n_froutes, d->froute_stop_first, d->froute_stops,
                                &d->stop_froute_first, &d->stop_froutes, &d->stop_froute_pos)) ||
        (rc = build_footpaths(tt, o, d)))
        goto fail;
    hh__free(b.fr);
    hh__free(b.grp_rep);
    hh__free(b.ct);
    hh__free(b.sub_of);
    hh__free(b.sub_last);
    hh__free(act);
    *out = d;
    return 0;
nomem:
    rc = HH_ENOMEM;
fail:
    if (rc == HH_ERANGE)
        snprintf(err, errlen, "transit day: more than 2^32-1 trips, stop times or footpaths");
    hh__free(b.fr);
    hh__free(b.grp_rep);
    hh__free(b.ct);
    hh__free(b.sub_of);
    hh__free(b.sub_last);
    hh__free(act);
    hh__transit_day_free(d);
    return rc;
}
