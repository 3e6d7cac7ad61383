/* query.c: walk + transit travel times over a departure window.
 *
 * For one origin: a walk search gives the direct walk (up to max_s) and the
 * access walk to every linked stop (up to max_walk); range RAPTOR then gives,
 * for each departure minute (latest first) and draw, the earliest arrival at
 * every stop.  Arrivals only get earlier as the departure does, so each
 * vertex keeps its earliest arrival by "ride + egress walk" and is updated
 * from the egress tables of the stops whose arrival changed -- the work per
 * minute follows the changes, not the network.  Each target's time for a
 * minute is the best of walking alone and that arrival minus the departure.
 * Times are kept per (target, sample) as 32-bit whole seconds (a 16-bit
 * store would cap them at 18.2 h, below a 24 h --max-minutes); percentiles are
 * taken over the samples (minutes x draws) on demand.
 *
 * A minute whose arrivals got later (which the RAPTOR contract rules out, but
 * which a future change might allow) is handled by rebuilding the vertex
 * arrivals from every stop, so correctness never rests on monotonicity. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/transit.h"
#include "street/query.h"
#include "street/seeds.h"
#include "transit/raptor.h"
#include "transit/tz.h"
#include "util/alloc.h"
#include "util/rows.h"
#include "util/select.h"

#define UNREACHED_T UINT32_MAX /* a sample that did not arrive within max_s */
#define INF_S INT32_MAX

struct hh_transit {
    const hh_net *net;
    const hh__transit *tr;
    hh_transit_opts o;
    uint32_t n_days; /* 1: one day; its frequency routes are drawn per minute */
    uint32_t n_draws; /* draws actually used: o.draws with frequency routes, else 1 */
    hh__transit_day **days;
    int32_t max_walk_ds; /* egress entries read up to this (network speed) */
    double wf;           /* walk time factor: network speed / query speed */
    uint64_t wf_q16;     /* wf in 1/65536: integer scaling in the hot loop */
    /* linked stops by walk edge: (edge << 32 | stop), ascending, so a
     * target finds the stops on its own street */
    uint64_t *edge_stop;
    uint32_t n_edge_stop;
};

struct hh_transit_query {
    const hh_transit *t;
    hh_query *walk;            /* origin's walk search, later isochrone state */
    hh__raptor_ws *ws;         /* one per day */
    hh__raptor_access *access;
    int32_t *v_arr;            /* per vertex: earliest arrival by ride + egress, s */
    int32_t *stop_arr;         /* per stop: arrival last applied */
    float *direct;             /* per target: walking alone, s (NAN beyond max_s) */
    /* whole seconds (no 16-bit cap: max_s may be 24 h): with targets, per
     * target its samples (a row each, for the reductions that read them);
     * for every vertex (a surface), per sample its vertices -- each minute
     * writes one column, and vertex by vertex those writes were strided by
     * the row, a cache line each -- and the percentile gathers a vertex's
     * samples from the columns, which neighbouring vertices share */
    uint32_t *vals;
    size_t cap_vals, cap_direct;
    /* a surface's stops, by column like vals: the arrival on the stop's
     * street (its connector walked), so polygons count the street around a
     * stop from the stop; stop_conn: that connector (NAN: unlinked) */
    uint32_t *stop_vals;
    size_t cap_stop_vals;
    double *stop_conn;
    const hh_snap *targets;    /* last run's (NULL: vertices) */
    size_t n_targets;
    hh__ch_seed *tseeds;       /* 2 per target */
    double *tseed_s;           /* 2 per target: walk from the seed vertex, s */
    size_t cap_tseeds, cap_tseed_s;
    /* per target: stops on the target's own edge and the walk along it from
     * the stop's snapped position (egress tables only know vertices, which
     * would send a walk to a street's end and back) */
    uint32_t *tsame_first, *tsame_stop;
    double *tsame_s;
    size_t cap_tsame_first, cap_tsame, cap_tsame_s, n_tsame;
    uint32_t *scratch;         /* samples, for percentiles */
    int32_t *v_ovl;            /* per vertex: arrival via a draw's better stops, INF_S elsewhere */
    uint32_t *ovl_touched;     /* vertices where v_ovl is set */
    uint32_t n_touched;
    int32_t t_conn_scale;
    /* egress as applied: per vertex (surfaces), or per target seed slot
     * (2 per target) when targets are given and that is less work -- the
     * stops' egress lists cut down to the vertices targets hang on, so a
     * run to a thousand targets does not keep every vertex's arrival */
    int tmode;
    const uint32_t *eg_first;  /* n_stops + 1 */
    const hh__egress *eg;      /* .vertex: a vertex (tmode 0) or a slot (tmode 1) */
    int32_t *e_arr, *e_ovl;    /* v_arr / v_ovl, or the slots' */
    uint32_t *e_touched;
    uint32_t n_e;              /* vertices or slots */
    uint32_t *te_first;        /* n_stops + 1: target egress lists */
    hh__egress *te;
    size_t cap_te, n_te;
    int32_t *s_arr, *s_ovl;    /* per slot */
    uint32_t *s_touched, *te_key; /* te_key: the seed vertices te was built for */
    size_t cap_slots, te_slots;
    int te_vertex;             /* te_key's targets are cheaper by vertex */
    hh_snap *tg_key;           /* the targets tseeds, tseed_s and tsame are for */
    size_t tg_n, cap_tg_key;
    uint32_t *vslot_first, *vslot; /* per vertex: the slots on it (build scratch) */
    size_t cap_vslot;
};

uint32_t hh_net_n_vertices(const hh_net *net) { return net->n_nodes; }

uint32_t hh_transit_samples(const hh_transit *t) { return t->n_draws * (uint32_t)t->o.window_min; }

void hh_transit_free(hh_transit *t)
{
    if (!t)
        return;
    for (uint32_t d = 0; d < t->n_days; d++)
        hh__transit_day_free(t->days[d]);
    hh__free(t->days);
    hh__free(t->edge_stop);
    hh__free(t);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int hh_transit_prepare(const hh_net *net, const hh_transit_opts *o, hh_transit **out, char *err, size_t errlen)
{
    char e1[1];
    if (!err)
        err = e1, errlen = sizeof e1;
    if (!net->transit) {
        snprintf(err, errlen, "the network has no transit (build it with --gtfs)");
        return HH_EINVAL;
    }
    const hh__transit *tr = net->transit;
    double walk_mps = net->info.profile.connector_kmh[HH_MODE_WALK] / 3.6;
    double table_s = net->info.profile.transit_egress_m / walk_mps;
    if (o->window_min < 1 || o->window_min > 24 * 60 || o->max_rides < 1 || o->max_rides > HH__RAPTOR_MAX_RIDES ||
        o->draws < 1 || o->draws > 1000 || !(o->max_s > 0) || o->max_s > 86400 || !(o->max_walk_s >= 0) ||
        o->depart_s < 0 || o->depart_s >= 86400 * 2) {
        snprintf(err, errlen, "invalid transit options");
        return HH_EINVAL;
    }
    double wf = o->walk_kmh > 0 ? net->info.profile.connector_kmh[HH_MODE_WALK] / o->walk_kmh : 1.0;
    if (!(wf > 0.05 && wf < 20)) {
        snprintf(err, errlen, "walking speed %g km/h is out of range", o->walk_kmh);
        return HH_EINVAL;
    }
    if (o->max_walk_s / wf > table_s + 1e-9) {
        snprintf(err, errlen,
                 "max walk %.0f min exceeds the network's walking tables (%.0f min, transit.egress_m = %g m); "
                 "rebuild with a larger transit.egress_m",
                 o->max_walk_s / 60, floor(table_s * wf / 60), net->info.profile.transit_egress_m);
        return HH_EINVAL;
    }
    int rc = hh__timetable_check_date(&tr->tt, o->date, err, errlen);
    if (rc)
        return rc;
    hh_transit *t = hh__calloc(1, sizeof *t);
    uint32_t *fp_from = hh__alloc_array(tr->n_foot + 1, sizeof *fp_from);
    uint32_t *fp_to = hh__alloc_array(tr->n_foot + 1, sizeof *fp_to);
    int32_t *fp_s = hh__alloc_array(tr->n_foot + 1, sizeof *fp_s);
    rc = HH_ENOMEM;
    if (!t || !fp_from || !fp_to || !fp_s)
        goto fail;
    t->net = net, t->tr = tr, t->o = *o;
    t->wf = wf;
    t->wf_q16 = (uint64_t)llround(wf * 65536.0);
    t->max_walk_ds = (int32_t)floor(o->max_walk_s / wf * 10);
    if (!(t->edge_stop = hh__alloc_array(tr->tt.n_stops + 1, sizeof *t->edge_stop)))
        goto fail;
    for (uint32_t s = 0; s < tr->tt.n_stops; s++)
        if (tr->stop_link[s].edge != HH_STOP_UNLINKED)
            t->edge_stop[t->n_edge_stop++] = (uint64_t)tr->stop_link[s].edge << 32 | s;
    qsort(t->edge_stop, t->n_edge_stop, sizeof *t->edge_stop, cmp_u64);
    /* footpaths longer than the walk limit are not offered either */
    size_t k = 0;
    for (uint32_t s = 0; s < tr->tt.n_stops; s++)
        for (uint32_t i = tr->foot_first[s]; i < tr->foot_first[s + 1]; i++)
            if (tr->foot[i].walk_s * wf <= o->max_walk_s)
                fp_from[k] = s, fp_to[k] = tr->foot[i].to, fp_s[k] = (int32_t)ceil(tr->foot[i].walk_s * wf), k++;
    int32_t end = o->depart_s + o->window_min * 60 + (int32_t)ceil(o->max_s);
    if (end > 172800)
        end = 172800;
    t->days = hh__calloc((size_t)o->draws, sizeof *t->days);
    if (!t->days)
        goto fail;
    /* feeds in other time zones than the first move onto its clock: a time
     * of feed f is seconds after its own local noon - 12 h on the date */
    int32_t *shift = NULL;
    int zones = 0;
    for (uint32_t f = 1; f < tr->tt.n_feeds; f++)
        zones |= strcmp(tr->tt.feeds[f].timezone, tr->tt.feeds[0].timezone) != 0;
    if (zones) {
        rc = HH_ENOMEM;
        if (!(shift = hh__calloc(tr->tt.n_feeds, sizeof *shift)))
            goto fail;
        rc = 0;
        for (uint32_t f = 0; f < tr->tt.n_feeds && !rc; f++) {
            int32_t off;
            rc = hh__tz_noon_offset(tr->tt.feeds[f].timezone, o->date, &off);
            shift[f] = off; /* the feed's offset for now; made relative below */
            if (rc && rc != HH_ENOMEM) {
                snprintf(err, errlen, "feed %s: time zone \"%s\" is not in the system's tz database",
                         tr->tt.feeds[f].name, tr->tt.feeds[f].timezone);
                rc = HH_EINVAL;
                hh__free(shift);
                goto fail_msg;
            }
        }
        for (uint32_t f = tr->tt.n_feeds; f-- > 0;)
            shift[f] = shift[0] - shift[f];
        if (rc) {
            hh__free(shift);
            goto fail;
        }
    }
    /* one day: scheduled and exact-times runs concrete, exact_times=0
     * frequencies as rules whose phases each departure minute and draw
     * draw anew (hh__raptor_range_draws) */
    hh__transit_day_opts dopt = {o->date, o->depart_s, end, 0, 0, fp_from, fp_to, fp_s, k, shift, 1, 0, 0};
    if ((rc = hh__transit_day_build(&tr->tt, &dopt, &t->days[0], err, errlen))) {
        hh__free(shift);
        goto fail;
    }
    t->n_days = 1;
    t->n_draws = t->days[0]->n_froutes ? (uint32_t)o->draws : 1;
    hh__free(fp_from), hh__free(fp_to), hh__free(fp_s), hh__free(shift);
    *out = t;
    return 0;
fail:
    if (rc == HH_ENOMEM)
        snprintf(err, errlen, "out of memory");
fail_msg:
    hh__free(fp_from), hh__free(fp_to), hh__free(fp_s);
    hh_transit_free(t);
    return rc;
}

void hh_transit_query_free(hh_transit_query *q)
{
    if (!q)
        return;
    if (q->ws)
        for (uint32_t d = 0; d < q->t->n_days; d++)
            hh__raptor_ws_free(&q->ws[d]);
    hh__free(q->ws);
    hh_query_free(q->walk);
    hh__free(q->access), hh__free(q->v_arr), hh__free(q->stop_arr), hh__free(q->direct);
    hh__free(q->stop_vals), hh__free(q->stop_conn);
    hh__free(q->vals), hh__free(q->tseeds), hh__free(q->tseed_s), hh__free(q->scratch);
    hh__free(q->tsame_first), hh__free(q->tsame_stop), hh__free(q->tsame_s);
    hh__free(q->v_ovl), hh__free(q->ovl_touched);
    hh__free(q->te_first), hh__free(q->te), hh__free(q->s_arr), hh__free(q->s_ovl), hh__free(q->s_touched);
    hh__free(q->te_key), hh__free(q->vslot_first), hh__free(q->vslot), hh__free(q->tg_key);
    hh__free(q);
}

int hh_transit_query_init(const hh_transit *t, hh_transit_query **out)
{
    const hh_net *net = t->net;
    uint32_t ns = t->tr->tt.n_stops;
    hh_transit_query *q = hh__calloc(1, sizeof *q);
    if (!q)
        return HH_ENOMEM;
    q->t = t;
    q->ws = hh__calloc(t->n_days, sizeof *q->ws);
    q->access = hh__alloc_array(ns + 1, sizeof *q->access);
    q->v_arr = hh__alloc_array(net->n_nodes + 1, sizeof *q->v_arr);
    q->stop_arr = hh__alloc_array(ns + 1, sizeof *q->stop_arr);
    q->scratch = hh__alloc_array(hh_transit_samples(t), sizeof *q->scratch);
    q->v_ovl = hh__alloc_array(net->n_nodes + 1, sizeof *q->v_ovl);
    q->ovl_touched = hh__alloc_array(net->n_nodes + 1, sizeof *q->ovl_touched);
    if (!q->ws || !q->access || !q->v_arr || !q->stop_arr || !q->scratch || !q->v_ovl ||
        !q->ovl_touched || hh_query_init(net, &q->walk)) {
        hh_transit_query_free(q);
        return HH_ENOMEM;
    }
    for (uint32_t d = 0; d < t->n_days; d++)
        if (hh__raptor_ws_init(&q->ws[d], t->days[d], (uint32_t)t->o.max_rides)) {
            hh_transit_query_free(q);
            return HH_ENOMEM;
        }
    for (uint32_t v = 0; v < net->n_nodes; v++)
        q->v_ovl[v] = INF_S;
    if (!(q->stop_conn = hh__alloc_array(ns + 1, sizeof *q->stop_conn))) {
        hh_transit_query_free(q);
        return HH_ENOMEM;
    }
    for (uint32_t s = 0; s < ns; s++) {
        const hh__stop_link *l = &t->tr->stop_link[s];
        hh_snap ss = {l->edge, l->along_m, l->off_m, 0, 0};
        q->stop_conn[s] = l->edge == HH_STOP_UNLINKED ? NAN : hh__connector_s(net, HH_MODE_WALK, &ss) * t->wf;
    }
    *out = q;
    return 0;
}

/* Applies stop s's egress table after its arrival became `a`.  Entries are
 * sorted by walk: reading stops at the walk limit, or where the arrival
 * would exceed `latest` (this minute's departure + max_s; earlier minutes
 * have smaller bounds, so nothing skipped is needed later either). */
static void apply_egress(hh_transit_query *q, uint32_t s, int32_t a, int64_t latest, int ovl)
{
    const uint64_t wf_q16 = q->t->wf_q16;
    int64_t lim = q->t->max_walk_ds;
    double room = (double)(latest - a) / q->t->wf * 10.0 + 9;
    if (room < lim)
        lim = (int64_t)room;
    int32_t *arr = q->e_arr, *vo = q->e_ovl;
    for (uint32_t i = q->eg_first[s]; i < q->eg_first[s + 1]; i++) {
        const hh__egress *e = &q->eg[i];
        if ((int64_t)e->walk_ds > lim)
            break;
        /* ceil(walk_ds * wf / 10) in integers (exact for wf = 1) */
        int32_t c = a + (int32_t)((e->walk_ds * wf_q16 + 655359) / 655360);
        if (c >= arr[e->vertex])
            continue;
        if (!ovl) {
            arr[e->vertex] = c;
        } else if (c < vo[e->vertex]) {
            /* a draw's arrival: kept apart, the minute's stay for the next draw */
            if (vo[e->vertex] == INF_S)
                q->e_touched[q->n_touched++] = e->vertex;
            vo[e->vertex] = c;
        }
    }
}

static void rebuild_v_arr(hh_transit_query *q, const int32_t *arr, int64_t latest)
{
    for (uint32_t v = 0; v < q->n_e; v++)
        q->e_arr[v] = INF_S;
    for (uint32_t s = 0; s < q->t->tr->tt.n_stops; s++) {
        q->stop_arr[s] = arr[s];
        if (arr[s] != HH__TRANSIT_UNREACHED)
            apply_egress(q, s, arr[s], latest, 0);
    }
}

/* Egress per target seed slot (slot 2k + j: seed j of target k): each
 * stop's egress entries to the vertices seeds sit on, in the same order
 * (by walk), so applying them gives each slot exactly the arrival its
 * vertex would get.  Built once per set of targets and kept while the
 * targets' seeds stay the same (a matrix runs one set for every origin);
 * not used when it would hold more entries than the vertex lists. */
static int target_egress(hh_transit_query *q, size_t nt)
{
    const hh__transit *tr = q->t->tr;
    const hh_net *net = q->t->net;
    uint32_t ns = tr->tt.n_stops, nv = net->n_nodes;
    size_t slots = 2 * nt;
    q->tmode = 0;
    q->eg_first = tr->egress_first, q->eg = tr->egress;
    q->e_arr = q->v_arr, q->e_ovl = q->v_ovl, q->e_touched = q->ovl_touched, q->n_e = nv;
    if (slots == 0 || slots >= UINT32_MAX)
        return 0;
    if (hh__grow(&q->te_key, &q->cap_slots, slots, sizeof *q->te_key))
        return HH_ENOMEM;
    int same = q->te_slots == slots;
    for (size_t i = 0; i < slots && same; i++)
        same = q->te_key[i] == q->tseeds[i].vertex;
    if (same && q->te_vertex)
        return 0;
    if (!same) {
        q->te_slots = 0;
        /* grow the per-slot arrays alongside te_key (one capacity) */
        hh__free(q->s_arr), hh__free(q->s_ovl), hh__free(q->s_touched);
        q->s_arr = hh__alloc_array(slots, sizeof *q->s_arr);
        q->s_ovl = hh__alloc_array(slots, sizeof *q->s_ovl);
        q->s_touched = hh__alloc_array(slots, sizeof *q->s_touched);
        if (!q->s_arr || !q->s_ovl || !q->s_touched)
            return HH_ENOMEM;
        if (!q->te_first && !(q->te_first = hh__alloc_array((size_t)ns + 1, sizeof *q->te_first)))
            return HH_ENOMEM;
        if (!q->vslot_first && !(q->vslot_first = hh__alloc_array((size_t)nv + 2, sizeof *q->vslot_first)))
            return HH_ENOMEM;
        if (hh__grow(&q->vslot, &q->cap_vslot, slots, sizeof *q->vslot))
            return HH_ENOMEM;
        /* slots by vertex */
        uint32_t *vf = q->vslot_first;
        memset(vf, 0, ((size_t)nv + 2) * sizeof *vf);
        for (size_t i = 0; i < slots; i++)
            if (q->tseeds[i].vertex < nv)
                vf[q->tseeds[i].vertex + 2]++;
        for (uint32_t v = 0; v < nv; v++)
            vf[v + 2] += vf[v + 1];
        for (size_t i = 0; i < slots; i++)
            if (q->tseeds[i].vertex < nv)
                q->vslot[vf[q->tseeds[i].vertex + 1]++] = (uint32_t)i;
        /* vf[v] .. vf[v+1]: the slots on v */
        size_t cnt = 0, total = tr->egress_first[ns];
        for (size_t i = 0; i < total; i++)
            cnt += vf[tr->egress[i].vertex + 1] - vf[tr->egress[i].vertex];
        if (cnt >= total) {
            /* the vertex lists are no more work */
            for (size_t i = 0; i < slots; i++)
                q->te_key[i] = q->tseeds[i].vertex;
            q->te_slots = slots, q->te_vertex = 1;
            return 0;
        }
        if (hh__grow(&q->te, &q->cap_te, cnt + 1, sizeof *q->te))
            return HH_ENOMEM;
        size_t k = 0;
        for (uint32_t st = 0; st < ns; st++) {
            q->te_first[st] = (uint32_t)k;
            for (uint32_t i = tr->egress_first[st]; i < tr->egress_first[st + 1]; i++) {
                uint32_t v = tr->egress[i].vertex;
                for (uint32_t j = vf[v]; j < vf[v + 1]; j++)
                    q->te[k++] = (hh__egress){q->vslot[j], tr->egress[i].walk_ds};
            }
        }
        q->te_first[ns] = (uint32_t)k;
        q->n_te = k;
        for (size_t i = 0; i < slots; i++)
            q->te_key[i] = q->tseeds[i].vertex, q->s_ovl[i] = INF_S;
        q->te_slots = slots, q->te_vertex = 0;
    }
    q->tmode = 1;
    q->eg_first = q->te_first, q->eg = q->te;
    q->e_arr = q->s_arr, q->e_ovl = q->s_ovl, q->e_touched = q->s_touched, q->n_e = (uint32_t)slots;
    return 0;
}

static inline uint32_t to_sample(double t, double max_s)
{
    if (!(t <= max_s))
        return UNREACHED_T;
    long r = lround(t); /* max_s <= 86400: far below UNREACHED_T */
    return (uint32_t)r;
}

static void write_column(hh_transit_query *q, uint32_t col, int32_t dep_s, const int32_t *arr);

static int on_minute(void *ud, uint32_t m, int32_t dep_s, const int32_t *arr, const uint32_t *changed,
                     uint32_t n_changed)
{
    hh_transit_query *q = ud;
    int later = 0;
    for (uint32_t i = 0; i < n_changed; i++)
        later |= (uint32_t)arr[changed[i]] > (uint32_t)q->stop_arr[changed[i]];
    int64_t latest = (int64_t)dep_s + (int64_t)ceil(q->t->o.max_s);
    if (later) {
        rebuild_v_arr(q, arr, latest);
    } else {
        for (uint32_t i = 0; i < n_changed; i++) {
            uint32_t s = changed[i];
            q->stop_arr[s] = arr[s];
            if (arr[s] != HH__TRANSIT_UNREACHED)
                apply_egress(q, s, arr[s], latest, 0);
        }
    }
    if (q->t->days[0]->n_froutes)
        return 0; /* the draws write the samples */
    write_column(q, m, dep_s, arr);
    return 0;
}

/* One (minute, draw) with frequency routes: the minute's vertex arrivals,
 * lowered where the draw's better stops walk to. */
static int on_draw(void *ud, uint32_t m, uint32_t draw, int32_t dep_s, const int32_t *arr, const uint32_t *better,
                   uint32_t n_better)
{
    hh_transit_query *q = ud;
    int64_t latest = (int64_t)dep_s + (int64_t)ceil(q->t->o.max_s);
    for (uint32_t i = 0; i < n_better; i++)
        apply_egress(q, better[i], arr[better[i]], latest, 1);
    write_column(q, draw * (uint32_t)q->t->o.window_min + m, dep_s, arr);
    for (uint32_t i = 0; i < q->n_touched; i++)
        q->e_ovl[q->e_touched[i]] = INF_S;
    q->n_touched = 0;
    return 0;
}

/* The samples of column col (a departure minute of a draw) for every
 * target: walking alone or the earliest arrival minus the departure. */
static void write_column(hh_transit_query *q, uint32_t col, int32_t dep_s, const int32_t *arr)
{
    const hh_net *net = q->t->net;
    double max_s = q->t->o.max_s;
    uint32_t S = hh_transit_samples(q->t);
    if (!q->targets) {
        uint32_t *cv = q->vals + (size_t)col * net->n_nodes;
        for (uint32_t v = 0; v < net->n_nodes; v++) {
            double t = q->direct[v];
            int32_t va = q->v_arr[v] < q->v_ovl[v] ? q->v_arr[v] : q->v_ovl[v];
            if (va != INF_S) {
                double tr = (double)va - dep_s;
                t = (isnan(t) || tr < t) ? tr : t;
            }
            cv[v] = to_sample(t, max_s);
        }
        const uint32_t ns = q->t->tr->tt.n_stops;
        uint32_t *cs = q->stop_vals + (size_t)col * ns;
        for (uint32_t st = 0; st < ns; st++)
            cs[st] = arr[st] == HH__TRANSIT_UNREACHED || isnan(q->stop_conn[st])
                         ? UNREACHED_T
                         : to_sample((double)arr[st] - dep_s + q->stop_conn[st], max_s);
        return;
    }
    for (size_t k = 0; k < q->n_targets; k++) {
        double t = q->direct[k];
        const hh__ch_seed *sd = &q->tseeds[2 * k];
        for (int j = 0; j < 2; j++) {
            if (sd[j].vertex == UINT32_MAX)
                continue;
            /* the seed's slot, or its vertex */
            size_t e = q->tmode ? 2 * k + (size_t)j : sd[j].vertex;
            int32_t va = q->e_arr[e] < q->e_ovl[e] ? q->e_arr[e] : q->e_ovl[e];
            if (va == INF_S)
                continue;
            double tr = (double)va + q->tseed_s[2 * k + j] - dep_s;
            t = (isnan(t) || tr < t) ? tr : t;
        }
        for (uint32_t j = q->tsame_first[k]; j < q->tsame_first[k + 1]; j++) {
            int32_t a = arr[q->tsame_stop[j]];
            if (a == HH__TRANSIT_UNREACHED)
                continue;
            double tr = (double)a + q->tsame_s[j] - dep_s;
            t = (isnan(t) || tr < t) ? tr : t;
        }
        q->vals[k * S + col] = to_sample(t, max_s);
    }
}

/* The stops linked to target k's own edge, with the walk from each along
 * the edge (both connectors included, at the query's speed) where it is
 * within max_walk: the egress rule for a stop and a target on one street. */
static int same_edge_stops(hh_transit_query *q, const hh_snap *tg, size_t k)
{
    const hh_transit *t = q->t;
    const hh_net *net = t->net;
    const hh__transit *tr = t->tr;
    q->tsame_first[k] = (uint32_t)q->n_tsame;
    uint64_t key = (uint64_t)tg->edge << 32;
    size_t lo = 0, hi = t->n_edge_stop;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->edge_stop[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    double conn_t = hh__connector_s(net, HH_MODE_WALK, tg);
    for (size_t i = lo; i < t->n_edge_stop && (t->edge_stop[i] >> 32) == tg->edge; i++) {
        uint32_t s = (uint32_t)t->edge_stop[i];
        const hh__stop_link *l = &tr->stop_link[s];
        hh_snap ss = {l->edge, l->along_m, l->off_m, 0, 0};
        uint32_t dd, dl;
        if (hh__same_edge(net, HH_MODE_WALK, &ss, tg, &dd, &dl))
            continue;
        double w = (dd / 10.0 + hh__connector_s(net, HH_MODE_WALK, &ss) + conn_t) * t->wf;
        if (w > t->o.max_walk_s)
            continue;
        if (hh__grow(&q->tsame_stop, &q->cap_tsame, q->n_tsame + 1, sizeof *q->tsame_stop) ||
            hh__grow(&q->tsame_s, &q->cap_tsame_s, q->n_tsame + 1, sizeof *q->tsame_s))
            return HH_ENOMEM;
        q->tsame_stop[q->n_tsame] = s;
        q->tsame_s[q->n_tsame] = w;
        q->n_tsame++;
    }
    return 0;
}

int hh_transit_query_run(hh_transit_query *q, const hh_snap *origin, const hh_snap *targets, size_t n_targets)
{
    const hh_transit *t = q->t;
    const hh_net *net = t->net;
    const hh__transit *tr = t->tr;
    size_t nt = targets ? n_targets : net->n_nodes;
    uint32_t S = hh_transit_samples(t);
    if (nt && S > SIZE_MAX / sizeof *q->vals / nt)
        return HH_ENOMEM;
    if (hh__grow(&q->vals, &q->cap_vals, nt * S, sizeof *q->vals) ||
        hh__grow(&q->direct, &q->cap_direct, nt ? nt : 1, sizeof *q->direct) ||
        (targets && (hh__grow(&q->tseeds, &q->cap_tseeds, 2 * nt + 1, sizeof *q->tseeds) ||
                     hh__grow(&q->tseed_s, &q->cap_tseed_s, 2 * nt + 1, sizeof *q->tseed_s))))
        return HH_ENOMEM;
    if (!targets && hh__grow(&q->stop_vals, &q->cap_stop_vals, (size_t)tr->tt.n_stops * S + 1, sizeof *q->stop_vals))
        return HH_ENOMEM;
    q->targets = targets;
    q->n_targets = nt;
    if (targets && hh__grow(&q->tsame_first, &q->cap_tsame_first, nt + 1, sizeof *q->tsame_first))
        return HH_ENOMEM;
    /* walking alone, up to the travel-time limit */
    double wf = t->wf;
    int rc = hh_query_run(q->walk, HH_MODE_WALK, origin, t->o.max_s / wf);
    if (rc)
        return rc;
    if (targets) {
        for (size_t k = 0; k < nt; k++) {
            double ts;
            q->direct[k] = hh_query_time_to(q->walk, &targets[k], &ts, NULL) == 0 ? (float)(ts * wf) : NAN;
        }
        /* the targets' seeds and same-street stops do not depend on the
         * origin: kept while the targets stay the same (a matrix row after
         * row) */
        if (q->tg_n == nt && !memcmp(q->tg_key, targets, nt * sizeof *targets))
            goto targets_ready;
        q->tg_n = 0, q->n_tsame = 0;
        if (hh__grow(&q->tg_key, &q->cap_tg_key, nt + 1, sizeof *q->tg_key))
            return HH_ENOMEM;
        for (size_t k = 0; k < nt; k++) {
            hh__ch_seed *sd = &q->tseeds[2 * k];
            sd[0].vertex = sd[1].vertex = UINT32_MAX;
            hh__target_seeds(net, HH_MODE_WALK, &targets[k], (uint32_t)k, sd);
            /* the per-minute loop only adds these: computed once per run */
            double conn = hh__connector_s(net, HH_MODE_WALK, &targets[k]);
            for (int j = 0; j < 2; j++)
                q->tseed_s[2 * k + j] = (sd[j].dur_ds / 10.0 + conn) * wf;
            if ((rc = same_edge_stops(q, &targets[k], k)))
                return rc;
        }
        q->tsame_first[nt] = (uint32_t)q->n_tsame;
        memcpy(q->tg_key, targets, nt * sizeof *targets);
        q->tg_n = nt;
    targets_ready:
        if ((rc = target_egress(q, nt)))
            return rc;
    } else {
        target_egress(q, 0); /* the vertex lists */
        for (uint32_t v = 0; v < net->n_nodes; v++)
            q->direct[v] = NAN;
        for (uint32_t i = 0; i < q->walk->n_settled; i++) {
            uint32_t v = q->walk->settled[i];
            q->direct[v] = (float)((q->walk->vs[v].dist_ds / 10.0 + q->walk->origin_conn_s) * wf);
        }
    }
    /* access: the walk to every linked stop within max_walk */
    size_t na = 0;
    for (uint32_t s = 0; s < tr->tt.n_stops; s++) {
        const hh__stop_link *l = &tr->stop_link[s];
        if (l->edge == HH_STOP_UNLINKED)
            continue;
        hh_snap ss = {l->edge, l->along_m, l->off_m, 0, 0};
        double ts;
        if (hh_query_time_to(q->walk, &ss, &ts, NULL) == 0 && ts * wf <= t->o.max_walk_s)
            /* whole seconds, rounded up but for the last 50 ms: a point
             * placed on a stop is a few millimetres of connector from it and
             * must not miss a departure at the very minute it asks for */
            q->access[na++] = (hh__raptor_access){s, (int32_t)ceil(ts * wf - 0.05)};
    }
    for (uint32_t v = 0; v < q->n_e; v++)
        q->e_arr[v] = INF_S;
    for (uint32_t s = 0; s < tr->tt.n_stops; s++)
        q->stop_arr[s] = HH__TRANSIT_UNREACHED;
    q->n_touched = 0;
    hh__raptor_query rq = {q->access, na, t->o.depart_s, (uint32_t)t->o.window_min, (uint32_t)t->o.max_rides, 0,
                           t->n_draws};
    if (na == 0) {
        /* no stop in reach: every minute of every draw is the walk alone */
        for (uint32_t m = 0; m < (uint32_t)t->o.window_min; m++)
            for (uint32_t d = 0; d < t->n_draws; d++)
                write_column(q, d * (uint32_t)t->o.window_min + m, t->o.depart_s + (int32_t)m * 60, q->stop_arr);
        return 0;
    }
    return hh__raptor_range_draws(&q->ws[0], &rq, on_minute, on_draw, q);
}

/* The S samples of a target (or vertex) into scratch. */
static void gather(hh_transit_query *q, size_t target, uint32_t S)
{
    if (q->targets) {
        memcpy(q->scratch, q->vals + target * S, S * sizeof *q->scratch);
        return;
    }
    const size_t n = q->n_targets;
    for (uint32_t i = 0; i < S; i++)
        q->scratch[i] = q->vals[(size_t)i * n + target];
}

int hh_transit_percentiles(hh_transit_query *q, size_t target, const double *pct, size_t n_pct, double *out)
{
    uint32_t S = hh_transit_samples(q->t);
    if (target >= q->n_targets || S == 0)
        return HH_EINVAL;
    for (size_t i = 0; i < n_pct; i++)
        if (!(pct[i] > 0) || pct[i] > 100)
            return HH_EINVAL;
    gather(q, target, S);
    /* one selection per percentile, in rank order, each over what lies at
     * or above the previous rank (selection leaves the larger values
     * there): no sort per vertex; the percentiles given are a handful */
    size_t order[16], done = 0, lo = 0;
    while (done < n_pct) {
        size_t batch = n_pct - done < 16 ? n_pct - done : 16;
        for (size_t i = 0; i < batch; i++)
            order[i] = done + i;
        for (size_t i = 1; i < batch; i++) /* by percentile: insertion */
            for (size_t j = i; j > 0 && pct[order[j - 1]] > pct[order[j]]; j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (size_t i = 0; i < batch; i++) {
            /* nearest rank: the smallest value with at least p % of samples <= it */
            size_t rank = (size_t)ceil(pct[order[i]] / 100.0 * S);
            size_t k = (rank < 1 ? 1 : rank) - 1;
            uint32_t v = hh__nth_u32(q->scratch + lo, S - lo, k - lo); /* k >= lo: in rank order */
            lo = k;
            out[order[i]] = v == UNREACHED_T ? NAN : (double)v;
        }
        done += batch;
        lo = 0; /* the next batch starts over (more than 16 percentiles: rare) */
        if (done < n_pct)
            gather(q, target, S);
    }
    return 0;
}

double hh_transit_percentile(hh_transit_query *q, size_t target, double p)
{
    double v;
    return hh_transit_percentiles(q, target, &p, 1, &v) ? NAN : v;
}

int hh_transit_surface(hh_transit_query *q, double p, float *out, size_t n)
{
    if (q->targets || n != q->t->net->n_nodes || !(p > 0) || p > 100)
        return HH_EINVAL;
    for (size_t v = 0; v < n; v++)
        out[v] = (float)hh_transit_percentile(q, v, p);
    return 0;
}

static int cmp_point(const void *a, const void *b)
{
    const hh_surface_point *x = a, *y = b;
    if (x->edge != y->edge)
        return x->edge < y->edge ? -1 : 1;
    return (x->along_m > y->along_m) - (x->along_m < y->along_m);
}

int hh_transit_get_surface(hh_transit_query *q, double p, hh_surface *out)
{
    const hh_net *net = q->t->net;
    if (q->targets || !(p > 0) || p > 100 || !out)
        return HH_EINVAL;
    hh_surface s;
    memset(&s, 0, sizeof s);
    s.net = net, s.mode = HH_MODE_WALK, s.transit = 1, s.percentile = p;
    s.origin = q->walk->origin, s.origin_conn_s = q->walk->origin_conn_s * q->t->wf;
    s.max_s = q->t->o.max_s, s.n = net->n_nodes;
    if (!(s.time_s = hh__alloc_array(s.n + 1, sizeof *s.time_s)))
        return HH_ENOMEM;
    for (size_t v = 0; v < s.n; v++)
        s.time_s[v] = hh_transit_percentile(q, v, p);
    /* the stops reached, at the percentile of their own samples (the same
     * nearest rank): an upper bound of the percentile of the earliest of the
     * two ways onto their street, never reaching farther than the samples */
    const hh__transit *tr = q->t->tr;
    const uint32_t ns = tr->tt.n_stops, S = hh_transit_samples(q->t);
    if (!(s.points = hh__alloc_array((size_t)ns + 1, sizeof *s.points))) {
        hh_surface_free(&s);
        return HH_ENOMEM;
    }
    size_t rank = (size_t)ceil(p / 100.0 * S), k = (rank < 1 ? 1 : rank) - 1;
    for (uint32_t st = 0; st < ns && S; st++) {
        if (isnan(q->stop_conn[st]))
            continue;
        for (uint32_t i = 0; i < S; i++)
            q->scratch[i] = q->stop_vals[(size_t)i * ns + st];
        uint32_t v = hh__nth_u32(q->scratch, S, k);
        if (v == UNREACHED_T)
            continue;
        const hh__stop_link *l = &tr->stop_link[st];
        s.points[s.n_points++] = (hh_surface_point){l->edge, l->along_m, (double)v};
    }
    qsort(s.points, s.n_points, sizeof *s.points, cmp_point);
    *out = s;
    return 0;
}

int hh_transit_isochrone(hh_transit_query *q, double p, const double *minutes, size_t n_minutes,
                         hh_isochrone *out)
{
    const hh_iso_opts strict = {0, 0, HH_ISO_HOLES_ALL};
    return hh_transit_isochrone_opts(q, p, minutes, n_minutes, &strict, out);
}

int hh_transit_isochrone_opts(hh_transit_query *q, double p, const double *minutes, size_t n_minutes,
                              const hh_iso_opts *o, hh_isochrone *out)
{
    for (size_t i = 0; i < n_minutes; i++)
        if (minutes[i] * 60 > q->t->o.max_s + 1e-9)
            return HH_EINVAL;
    /* the polygons interpolate along edges at the network's walking speed:
     * with another --walk-speed, times between two vertices are approximate */
    hh_surface s;
    int rc = hh_transit_get_surface(q, p, &s);
    if (rc)
        return rc;
    rc = hh_surface_isochrone_opts(&s, minutes, n_minutes, o, out);
    hh_surface_free(&s);
    return rc;
}

const hh_net *hh__transit_net(const hh_transit *t) { return t->net; }

const uint32_t *hh__transit_query_samples(const hh_transit_query *q, size_t target)
{
    /* a row per target: with targets only (a surface keeps columns) */
    return q->targets && target < q->n_targets ? q->vals + target * hh_transit_samples(q->t) : NULL;
}

int hh__transit_query_copy_samples(const hh_transit_query *q, size_t target, uint32_t *out)
{
    uint32_t S = hh_transit_samples(q->t);
    if (target >= q->n_targets)
        return HH_EINVAL;
    for (uint32_t i = 0; i < S; i++)
        out[i] = q->targets ? q->vals[target * S + i] : q->vals[(size_t)i * q->n_targets + target];
    return 0;
}
