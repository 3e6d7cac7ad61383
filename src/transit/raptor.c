/* raptor.c: range RAPTOR over a transit day (raptor.h).
 *
 * Labels, per round k and stop s, kept across the minutes of a window:
 *   ride[k][s]   earliest arrival at s stepping off a vehicle, <= k rides;
 *   ready[k][s]  earliest time a vehicle can be boarded at s, <= k rides:
 *                min(ride + self_s, walk), walk being an arrival on foot
 *                (access walk, or one footpath after a ride).
 * Rides are kept apart because footpaths start only from rides (one hop)
 * and a same-stop minimum transfer time applies only to rides.  The walk
 * itself needs no array: the earliest arrival is min(ride, ready) either
 * way (if ready < ride + self it is the walk; otherwise ride <= ready), and
 * a walk is worth keeping exactly when it lowers ready.
 * "<= k rides" holds because every label lowered in round k-1 during a
 * minute is copied up to round k at the start of round k (the "changed"
 * lists), so ride[K], ready[K] always hold the answer for K rides.
 * Only stops whose readiness a round genuinely lowered (not a copy) are
 * scanned from in the next round: a copied value was already boarded from
 * one round earlier, and everything that produced was copied up too.
 * Range: minutes run latest first; a label found for a later departure is
 * also reachable from an earlier one (wait at the origin), so it stays as a
 * bound, and each minute only pays for what leaving earlier improves.
 * With a travel-time limit T, arrivals later than t + T are not stored;
 * a later minute's label above the current limit is harmless: it prunes
 * nothing below the limit and boarding from it is skipped. */
#include <string.h>

#include "halfhour.h"
#include "transit/raptor.h"
#include "util/alloc.h"

#define INF HH__TRANSIT_UNREACHED
#define NONE UINT32_MAX
/* inputs are bounded so that every sum of a label and a walk fits int64
 * comfortably and stored labels stay below INF */
#define LIMIT (1 << 30)

/* stamp roles: membership of a stop in this round's lists */
enum { S_SCAN, S_CHG, S_RIDE, N_STAMPS };
/* list buffers */
enum { L_SCAN_A, L_SCAN_B, L_CHG_A, L_CHG_B, L_RIDE, L_OUT, N_LISTS };

int hh__raptor_ws_init(hh__raptor_ws *ws, const hh__transit_day *day, uint32_t max_rides)
{
    memset(ws, 0, sizeof *ws);
    if (!day || max_rides > HH__RAPTOR_MAX_RIDES)
        return HH_EINVAL;
    size_t n = day->n_stops ? day->n_stops : 1, rounds = (size_t)max_rides + 1;
    size_t nr = day->n_routes ? day->n_routes : 1;
    ws->day = day;
    ws->max_rides = max_rides;
    ws->n = day->n_stops;
    ws->ride = hh__alloc_array(rounds * n, sizeof *ws->ride);
    ws->ready = hh__alloc_array(rounds * n, sizeof *ws->ready);
    ws->out = hh__alloc_array(n, sizeof *ws->out);
    ws->stamp = hh__calloc(N_STAMPS * n, sizeof *ws->stamp);
    ws->lists = hh__alloc_array(N_LISTS * n, sizeof *ws->lists);
    ws->route_pos = hh__alloc_array(nr, sizeof *ws->route_pos);
    ws->routes = hh__alloc_array(nr, sizeof *ws->routes);
    if (!ws->ride || !ws->ready || !ws->out || !ws->stamp || !ws->lists || !ws->route_pos || !ws->routes) {
        hh__raptor_ws_free(ws);
        return HH_ENOMEM;
    }
    for (size_t r = 0; r < nr; r++)
        ws->route_pos[r] = NONE;
    if (day->n_froutes) {
        size_t nf = day->n_froutes, ne = day->n_fents ? day->n_fents : 1;
        ws->fride = hh__alloc_array(rounds * n, sizeof *ws->fride);
        ws->fready = hh__alloc_array(rounds * n, sizeof *ws->fready);
        ws->fout = hh__alloc_array(n, sizeof *ws->fout);
        ws->better = hh__alloc_array(n, sizeof *ws->better);
        ws->fphase = hh__alloc_array(ne, sizeof *ws->fphase);
        ws->froute_pos = hh__alloc_array(nf, sizeof *ws->froute_pos);
        ws->froutes = hh__alloc_array(nf, sizeof *ws->froutes);
        if (!ws->fride || !ws->fready || !ws->fout || !ws->better || !ws->fphase || !ws->froute_pos ||
            !ws->froutes) {
            hh__raptor_ws_free(ws);
            return HH_ENOMEM;
        }
        for (size_t r = 0; r < nf; r++)
            ws->froute_pos[r] = NONE;
    }
    return 0;
}

void hh__raptor_ws_free(hh__raptor_ws *ws)
{
    if (!ws)
        return;
    hh__free(ws->ride);
    hh__free(ws->ready);
    hh__free(ws->out);
    hh__free(ws->stamp);
    hh__free(ws->lists);
    hh__free(ws->route_pos);
    hh__free(ws->routes);
    hh__free(ws->fride), hh__free(ws->fready), hh__free(ws->fout), hh__free(ws->better);
    hh__free(ws->fphase), hh__free(ws->froute_pos), hh__free(ws->froutes);
    memset(ws, 0, sizeof *ws);
}

/* A fresh stamp value for the next round's lists. */
static void next_epoch(hh__raptor_ws *ws)
{
    if (++ws->epoch == 0) { /* wrapped after 2^32 rounds: forget old stamps */
        memset(ws->stamp, 0, (size_t)N_STAMPS * ws->n * sizeof *ws->stamp);
        ws->epoch = 1;
    }
}

/* a + b for a label a (maybe INF) and a non-negative time b, INF-saturated */
static inline int64_t plus(int32_t a, int32_t b)
{
    return a == INF || b == INF ? (int64_t)INF : (int64_t)a + b;
}

/* One round's state, passed to the helpers below. */
typedef struct rstate {
    hh__raptor_ws *ws;
    const int32_t *yp; /* ready, round k-1 */
    int32_t *rk, *yk;  /* ride and ready, round k */
    int32_t limit;     /* latest useful arrival */
    uint32_t epoch;
    uint32_t *scan, *chg, *rides; /* lists being filled */
    uint32_t n_scan, n_chg, n_rides;
    uint32_t *st_scan, *st_chg, *st_ride; /* their stamps */
} rstate;

static inline void push(uint32_t *list, uint32_t *n, uint32_t *stamp, uint32_t epoch, uint32_t s)
{
    if (stamp[s] != epoch) {
        stamp[s] = epoch;
        list[(*n)++] = s;
    }
}

/* Getting off at stop s at time a (seconds, the stop's self-transfer self
 * after it): 1 when it improves the round's arrival there, which then
 * queues the stop for the footpaths and the next round; 0 otherwise. */
static inline int alight(rstate *R, uint32_t s, int32_t a, int32_t self)
{
    if (a > R->limit || a >= R->rk[s])
        return 0;
    R->rk[s] = a;
    int64_t y = plus(a, self);
    if (y < R->yk[s]) {
        R->yk[s] = (int32_t)y;
        push(R->scan, &R->n_scan, R->st_scan, R->epoch, s);
    }
    push(R->rides, &R->n_rides, R->st_ride, R->epoch, s);
    push(R->chg, &R->n_chg, R->st_chg, R->epoch, s);
    return 1;
}

/* Scans route r from position i0: keep the earliest catchable trip, step
 * off it wherever that improves a ride label. */
static void scan_route(rstate *R, uint32_t r, uint32_t i0)
{
    const hh__transit_day *d = R->ws->day;
    uint32_t s0 = d->route_stop_first[r], n = d->route_stop_first[r + 1] - s0;
    uint32_t nt = d->route_trip_first[r + 1] - d->route_trip_first[r];
    const uint32_t *stops = d->route_stops + s0;
    const uint8_t *fl = d->route_flags + s0;
    const int32_t *A = d->arr + d->route_time_first[r], *D = d->dep + d->route_time_first[r];
    const int32_t *self = d->stop_self_s;
    const int32_t *ta = NULL; /* arrivals of the trip on board */
    uint32_t trip = nt, visits = 0, better = 0;
    for (uint32_t i = i0; i < n; i++) {
        uint32_t s = stops[i];
        visits++;
        if (ta && !(fl[i] & HH__GTFS_NO_ALIGHT)) {
            better += alight(R, s, ta[i], self[s]);
        }
        if (fl[i] & HH__GTFS_NO_BOARD)
            continue;
        int32_t rd = R->yp[s];
        if (rd > R->limit)
            continue;
        /* an earlier trip than the one on board? trips never overtake, so
         * departures at position i ascend with the trip index */
        uint32_t lo = 0, hi = trip;
        if (hi == 0 || D[(size_t)(hi - 1) * n + i] < rd)
            continue;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (D[(size_t)mid * n + i] < rd)
                lo = mid + 1;
            else
                hi = mid;
        }
        trip = lo;
        ta = A + (size_t)trip * n;
    }
    R->ws->stats.stop_visits += visits;
    R->ws->stats.improvements += better;
}

/* Scans frequency route r from position i0: the run on board is the one
 * with the earliest first departure (runs of one route share their running
 * times, so it is also the earliest everywhere downstream). */
static void scan_froute(rstate *R, uint32_t r, uint32_t i0)
{
    const hh__raptor_ws *ws = R->ws;
    const hh__transit_day *d = ws->day;
    uint32_t s0 = d->froute_stop_first[r], n = d->froute_stop_first[r + 1] - s0;
    const uint32_t *stops = d->froute_stops + s0;
    const uint8_t *fl = d->froute_flags + s0;
    const int32_t *A = d->farr + s0, *D = d->fdep + s0, *self = d->stop_self_s;
    uint32_t e0 = d->froute_ent_first[r], e1 = d->froute_ent_first[r + 1], visits = 0, better = 0;
    int64_t cur = INT64_MAX; /* first departure of the run on board */
    for (uint32_t i = i0; i < n; i++) {
        uint32_t s = stops[i];
        visits++;
        if (cur != INT64_MAX && !(fl[i] & HH__GTFS_NO_ALIGHT)) {
            int64_t a = cur + A[i];
            if (a <= R->limit)
                better += alight(R, s, (int32_t)a, self[s]);
        }
        if (fl[i] & HH__GTFS_NO_BOARD)
            continue;
        int32_t rd = R->yp[s];
        if (rd > R->limit)
            continue;
        int64_t need = (int64_t)rd - D[i]; /* first departure at or after this */
        if (cur == need)
            continue;
        for (uint32_t e = e0; e < e1; e++) {
            int64_t first = ws->fphase[e], h = d->fent_headway[e], c = first;
            if (need > first)
                c = first + (need - first + h - 1) / h * h;
            if (c < cur && c < d->fent_end[e] && c < d->to_s)
                cur = c;
        }
    }
    R->ws->stats.stop_visits += visits;
    R->ws->stats.improvements += better;
}

/* After the routes of round k: each stop reached by a ride walks its
 * footpaths once. */
static void relax_footpaths(rstate *R)
{
    const hh__transit_day *d = R->ws->day;
    uint32_t better = 0;
    for (uint32_t j = 0; j < R->n_rides; j++) {
        uint32_t s = R->rides[j];
        int32_t a = R->rk[s];
        for (uint32_t e = d->fp_first[s]; e < d->fp_first[s + 1]; e++) {
            uint32_t q = d->fp_to[e];
            int64_t v = (int64_t)a + d->fp_s[e];
            /* a walk that does not lower readiness helps nobody: the
             * arrival min(ride, ready) cannot drop either */
            if (v <= R->limit && v < R->yk[q]) {
                R->yk[q] = (int32_t)v;
                better++;
                push(R->chg, &R->n_chg, R->st_chg, R->epoch, q);
                push(R->scan, &R->n_scan, R->st_scan, R->epoch, q);
            }
        }
    }
    R->ws->stats.improvements += better;
}

static int check_query(const hh__raptor_ws *ws, const hh__raptor_query *q)
{
    if (!q->n_minutes || q->max_rides > ws->max_rides || (q->n_access && !q->access))
        return HH_EINVAL;
    int64_t last = (int64_t)q->dep_s + (int64_t)HH__RAPTOR_STEP_S * (q->n_minutes - 1);
    if (q->dep_s < -LIMIT || last > LIMIT || q->max_tt_s > LIMIT)
        return HH_EINVAL;
    for (size_t i = 0; i < q->n_access; i++)
        if (q->access[i].stop >= ws->n || q->access[i].walk_s < 0 || q->access[i].walk_s > LIMIT)
            return HH_EINVAL;
    return 0;
}

/* One (minute, draw) with the frequency routes: labels start from the
 * minute's scheduled ones (ws->ride/ready, valid whatever the phases), then
 * round by round frequency routes are scanned from every stop whose label
 * changed since the round before, scheduled routes from the stops whose
 * label the frequency routes lowered below the scheduled one (scheduled
 * scans from the others are in the scheduled labels already).  Result in
 * ws->fout, the stops where it beats ws->out in ws->better. */
static uint32_t freq_search(hh__raptor_ws *ws, uint32_t K, int32_t t, int32_t limit, uint32_t draw)
{
    const hh__transit_day *d = ws->day;
    uint32_t n = ws->n, *L = ws->lists;
    memcpy(ws->fride, ws->ride, (size_t)(K + 1) * n * sizeof *ws->fride);
    memcpy(ws->fready, ws->ready, (size_t)(K + 1) * n * sizeof *ws->fready);
    for (uint32_t e = 0; e < d->n_fents; e++)
        ws->fphase[e] = d->fent_start[e] +
                        hh__transit_freq_offset_at(d->seed, draw, t, d->fent_freq[e], d->fent_headway[e]);
    rstate R = {.ws = ws,
                .limit = limit,
                .scan = L + (size_t)L_SCAN_A * n,
                .chg = L + (size_t)L_CHG_A * n,
                .rides = L + (size_t)L_RIDE * n,
                .st_scan = ws->stamp + (size_t)S_SCAN * n,
                .st_chg = ws->stamp + (size_t)S_CHG * n,
                .st_ride = ws->stamp + (size_t)S_RIDE * n};
    for (uint32_t k = 1; k <= K; k++) {
        next_epoch(ws);
        R.epoch = ws->epoch;
        R.n_scan = R.n_chg = R.n_rides = 0;
        const int32_t *rp = ws->fride + (size_t)(k - 1) * n, *Yp = ws->ready + (size_t)(k - 1) * n;
        const int32_t *ypp = k >= 2 ? ws->fready + (size_t)(k - 2) * n : NULL;
        R.yp = ws->fready + (size_t)(k - 1) * n;
        R.rk = ws->fride + (size_t)k * n;
        R.yk = ws->fready + (size_t)k * n;
        uint32_t n_routes = 0, n_fr = 0;
        for (uint32_t s = 0; s < n; s++) {
            /* <= k rides includes <= k-1 */
            if (rp[s] < R.rk[s])
                R.rk[s] = rp[s];
            if (R.yp[s] < R.yk[s])
                R.yk[s] = R.yp[s];
            int32_t v = R.yp[s];
            if (v > limit || (ypp && v >= ypp[s]))
                continue;
            for (uint32_t e = d->stop_froute_first[s]; e < d->stop_froute_first[s + 1]; e++) {
                uint32_t r = d->stop_froutes[e], pos = d->stop_froute_pos[e];
                if (ws->froute_pos[r] == NONE)
                    ws->froutes[n_fr++] = r;
                if (pos < ws->froute_pos[r])
                    ws->froute_pos[r] = pos;
            }
            if (v >= Yp[s])
                continue;
            for (uint32_t e = d->stop_route_first[s]; e < d->stop_route_first[s + 1]; e++) {
                uint32_t r = d->stop_routes[e], pos = d->stop_route_pos[e];
                if (ws->route_pos[r] == NONE)
                    ws->routes[n_routes++] = r;
                if (pos < ws->route_pos[r])
                    ws->route_pos[r] = pos;
            }
        }
        if (!n_routes && !n_fr)
            continue;
        ws->stats.rounds++;
        for (uint32_t j = 0; j < n_routes; j++) {
            uint32_t r = ws->routes[j];
            scan_route(&R, r, ws->route_pos[r]);
            ws->route_pos[r] = NONE;
        }
        for (uint32_t j = 0; j < n_fr; j++) {
            uint32_t r = ws->froutes[j];
            scan_froute(&R, r, ws->froute_pos[r]);
            ws->froute_pos[r] = NONE;
        }
        ws->stats.route_scans += n_routes + n_fr;
        relax_footpaths(&R);
    }
    const int32_t *rK = ws->fride + (size_t)K * n, *yK = ws->fready + (size_t)K * n;
    uint32_t nb = 0;
    for (uint32_t s = 0; s < n; s++) {
        int32_t b = rK[s] < yK[s] ? rK[s] : yK[s];
        if (b > limit)
            b = INF;
        if (b < ws->out[s]) {
            ws->fout[s] = b;
            ws->better[nb++] = s;
        } else {
            ws->fout[s] = ws->out[s];
        }
    }
    return nb;
}

int hh__raptor_range(hh__raptor_ws *ws, const hh__raptor_query *q, hh__raptor_minute_fn fn, void *ud)
{
    return hh__raptor_range_draws(ws, q, fn, NULL, ud);
}

int hh__raptor_range_draws(hh__raptor_ws *ws, const hh__raptor_query *q, hh__raptor_minute_fn fn,
                           hh__raptor_draw_fn dfn, void *ud)
{
    int rc = check_query(ws, q);
    if (rc)
        return rc;
    const hh__transit_day *d = ws->day;
    uint32_t n = ws->n, K = q->max_rides;
    for (size_t i = 0; i < (size_t)(K + 1) * n; i++)
        ws->ride[i] = ws->ready[i] = INF;
    for (uint32_t s = 0; s < n; s++)
        ws->out[s] = INF;
    uint32_t *L = ws->lists;
    /* the lists of round k-1 (_prev) and k (R.scan, R.chg) trade buffers
     * every round; the two of a kind never share one */
    uint32_t *scan_prev = L + (size_t)L_SCAN_A * n, *chg_prev = L + (size_t)L_CHG_A * n;
    uint32_t *out_chg = L + (size_t)L_OUT * n;
    rstate R = {.ws = ws,
                .scan = L + (size_t)L_SCAN_B * n,
                .chg = L + (size_t)L_CHG_B * n,
                .rides = L + (size_t)L_RIDE * n,
                .st_scan = ws->stamp + (size_t)S_SCAN * n,
                .st_chg = ws->stamp + (size_t)S_CHG * n,
                .st_ride = ws->stamp + (size_t)S_RIDE * n};

    for (uint32_t m = q->n_minutes; m-- > 0;) {
        int32_t t = (int32_t)((int64_t)q->dep_s + (int64_t)HH__RAPTOR_STEP_S * m);
        int64_t lim = q->max_tt_s > 0 ? (int64_t)t + q->max_tt_s : (int64_t)INF - 1;
        R.limit = (int32_t)(lim < INF - 1 ? lim : INF - 1);

        /* round 0: the access walks */
        next_epoch(ws);
        R.epoch = ws->epoch;
        R.n_scan = R.n_chg = 0;
        for (size_t i = 0; i < q->n_access; i++) {
            uint32_t s = q->access[i].stop;
            int64_t v = (int64_t)t + q->access[i].walk_s;
            if (v <= R.limit && v < ws->ready[s]) {
                ws->ready[s] = (int32_t)v;
                push(R.scan, &R.n_scan, R.st_scan, R.epoch, s);
                push(R.chg, &R.n_chg, R.st_chg, R.epoch, s);
            }
        }

        for (uint32_t k = 1; k <= K && R.n_chg; k++) {
            /* this round's lists become the previous ones */
            uint32_t *tmp = scan_prev;
            scan_prev = R.scan;
            R.scan = tmp;
            tmp = chg_prev;
            chg_prev = R.chg;
            R.chg = tmp;
            uint32_t n_scan_prev = R.n_scan, n_chg_prev = R.n_chg;
            R.n_scan = R.n_chg = R.n_rides = 0;
            next_epoch(ws);
            R.epoch = ws->epoch;
            const int32_t *rp = ws->ride + (size_t)(k - 1) * n;
            R.yp = ws->ready + (size_t)(k - 1) * n;
            R.rk = ws->ride + (size_t)k * n;
            R.yk = ws->ready + (size_t)k * n;

            /* <= k rides includes <= k-1 */
            for (uint32_t j = 0; j < n_chg_prev; j++) {
                uint32_t s = chg_prev[j];
                int c = 0;
                if (rp[s] < R.rk[s]) {
                    R.rk[s] = rp[s];
                    c = 1;
                }
                if (R.yp[s] < R.yk[s]) {
                    R.yk[s] = R.yp[s];
                    c = 1;
                }
                if (c)
                    push(R.chg, &R.n_chg, R.st_chg, R.epoch, s);
            }
            if (!n_scan_prev)
                continue;
            ws->stats.rounds++;

            /* routes through the stops marked last round, each from the
             * earliest marked position */
            uint32_t n_routes = 0;
            for (uint32_t j = 0; j < n_scan_prev; j++) {
                uint32_t s = scan_prev[j];
                for (uint32_t e = d->stop_route_first[s]; e < d->stop_route_first[s + 1]; e++) {
                    uint32_t r = d->stop_routes[e], pos = d->stop_route_pos[e];
                    if (ws->route_pos[r] == NONE)
                        ws->routes[n_routes++] = r;
                    if (pos < ws->route_pos[r])
                        ws->route_pos[r] = pos;
                }
            }
            for (uint32_t j = 0; j < n_routes; j++) {
                uint32_t r = ws->routes[j];
                scan_route(&R, r, ws->route_pos[r]);
                ws->route_pos[r] = NONE;
            }
            ws->stats.route_scans += n_routes;
            relax_footpaths(&R);
        }

        /* the answer for this minute and what changed since the last */
        const int32_t *rK = ws->ride + (size_t)K * n, *yK = ws->ready + (size_t)K * n;
        uint32_t n_out = 0;
        for (uint32_t s = 0; s < n; s++) {
            int32_t b = rK[s] < yK[s] ? rK[s] : yK[s];
            if (b > R.limit)
                b = INF;
            if (b != ws->out[s]) {
                ws->out[s] = b;
                out_chg[n_out++] = s;
            }
        }
        if (fn && (rc = fn(ud, m, t, ws->out, out_chg, n_out)))
            return rc;
        if (!dfn || !d->n_froutes)
            continue;
        for (uint32_t draw = 0; draw < (q->n_draws ? q->n_draws : 1); draw++) {
            uint32_t nb = freq_search(ws, K, t, R.limit, draw);
            if ((rc = dfn(ud, m, draw, t, ws->fout, ws->better, nb)))
                return rc;
        }
    }
    return 0;
}
