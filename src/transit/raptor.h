/* raptor.h: transit search -- one service day prepared from a timetable, and
 * range RAPTOR (Delling, Pajor, Werneck 2012) over a departure window.
 *
 * A transit day is the timetable (transit/timetable.h) reduced to one service date
 * D: the trips whose service runs on D, plus those of D-1 and D+1 moved onto
 * D's clock (a trip of D-1 at 25:10 runs at 01:10 = 4200 s; one of D+1 at
 * 00:20 at 24:20 = 87600 s), frequency-based trips expanded into concrete
 * departures, trips regrouped into routes whose trips never overtake, and
 * the footpaths between stops.  It is independent of the street network:
 * footpaths and the origin's access times come from the caller.
 * Clock: every time is in seconds since "noon minus 12 h" of D on one
 * reference clock; a feed in another time zone is moved onto it by its
 * feed_shift_s (the caller computes it from the zones' offsets on D).
 *
 * Frequencies (frequencies.txt): exact_times=1 runs depart exactly at start,
 * start+headway, ... while < end.  exact_times=0 runs follow R5's Monte-Carlo
 * method: for draw d, entry f (index into tt->freq_*) departs at
 * start + o, start + o + headway, ... while < end, with a phase offset
 * o = hh__transit_freq_offset(seed, d, f, headway) in [0, headway), a
 * splitmix64 hash -- the same feeds, seed and draw always give the same
 * departures on every machine.  Two ways to use them:
 *   - expanded (freq_rules 0): the day holds concrete runs of ONE draw for
 *     the whole window (offsets of hh__transit_freq_offset, or of
 *     hh__transit_freq_offset_at with phase_key when has_phase_key);
 *   - rules (freq_rules 1), as R5 does: exact_times=0 entries stay rules
 *     (froute_*), and hh__raptor_range_draws gives every departure minute t
 *     and draw d its own phases, o = hh__transit_freq_offset_at(seed, d, t,
 *     f, headway), so waits at transfers between two frequency lines are
 *     sampled too instead of being fixed for the window.
 * An entry's runs of D-1, D and D+1 share its offset.
 *
 * Footpaths: the caller's (from, to, walk_s) rows, then transfers.txt
 * stop-to-stop rows: type 2 with a min_transfer_time sets the time of
 * from->to (replacing or adding the caller's walk), type 3 removes it; on one
 * stop (from == to) they set the minimum time between alighting and
 * boarding there (type 3: no transfer there at all).  Types 0 and 1 change
 * nothing; a row naming a station applies to that stop index only, not to
 * its platforms.  The search walks ONE footpath after each ride and none after
 * the access walk; it does not chain footpaths, so a caller who wants
 * walk-walk transfers must supply them closed (a bounded street search from
 * every stop gives exactly that).
 *
 * Memory: a day is one heap object owned by the caller (hh__transit_day_free,
 * NULL-safe); it copies what it needs, so the timetable and the footpath
 * arrays may be freed after the build.  A hh__raptor_ws is a caller-owned
 * struct sized once by hh__raptor_ws_init for one day; searches make no
 * allocation.  The workspace keeps a pointer to the day, which must outlive it.
 * Concurrency: a day is read-only after the build and may be shared by any
 * number of threads, each with its own workspace.
 * Invariant: within a route, trips are sorted so that for trips j < k both
 * arr and dep of j are <= those of k at every position (no overtaking); the
 * search finds the first catchable trip by binary search and relies on it. */
#ifndef HH_TRANSIT_RAPTOR_H
#define HH_TRANSIT_RAPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "transit/timetable.h"

/* arrival time of a stop not reached (within the limits) */
#define HH__TRANSIT_UNREACHED INT32_MAX
/* seed used when hh__transit_day_opts.seed is 0 */
#define HH__TRANSIT_SEED 0x68616c66686f7572ull /* "halfhour" */
/* one departure minute of a range search */
#define HH__RAPTOR_STEP_S 60
/* most rides a workspace can be sized for */
#define HH__RAPTOR_MAX_RIDES 64

typedef struct hh__transit_day_opts {
    int32_t date; /* YYYYMMDD, the service date D */
    /* Keep only trips running (some part) within [from_s, to_s) on D's
     * clock; [0, 86400) keeps the day, [0, 172800) also tomorrow's early
     * trips.  A search departing in [t0, t0 + w) with a travel-time limit T
     * needs [t0, t0 + w + T).  Must satisfy -86400 <= from_s < to_s <= 172800. */
    int32_t from_s, to_s;
    uint32_t draw; /* Monte-Carlo draw for exact_times=0 frequencies */
    uint64_t seed; /* 0: HH__TRANSIT_SEED */
    /* footpaths, n_fp rows; rows from a stop to itself are ignored, and of
     * duplicate rows the shortest counts.  May be NULL when n_fp is 0. */
    const uint32_t *fp_from, *fp_to; /* stop indices of the timetable */
    const int32_t *fp_walk_s;        /* walking time, s, >= 0 */
    size_t n_fp;
    /* per feed (n_feeds entries), seconds added to its times to put them on
     * the day's clock: feeds in other time zones than the reference one
     * (see transit/tz.h); NULL: every feed already is on it */
    const int32_t *feed_shift_s;
    /* exact_times=0 frequencies: 0 expanded with draw's phases, 1 kept as
     * rules for hh__raptor_range_draws (see above) */
    int freq_rules;
    /* expanded only: phases of hh__transit_freq_offset_at(seed, draw,
     * phase_key, ...), the ones the rules give departure minute phase_key */
    int has_phase_key;
    int32_t phase_key;
} hh__transit_day_opts;

typedef struct hh__transit_day {
    int32_t date, from_s, to_s; /* as built */
    uint32_t draw;
    uint64_t seed;
    uint32_t n_stops; /* == the timetable's; stop indices are the same */

    /* routes: stop sequences whose trips never overtake (several per
     * timetable pattern when yesterday's, today's and expanded frequency
     * trips would) */
    uint32_t n_routes;
    uint32_t *route_stop_first; /* n_routes+1 entries into route_stops/_flags */
    uint32_t *route_stops;      /* stop indices in calling order */
    uint8_t *route_flags;       /* HH__GTFS_NO_BOARD | HH__GTFS_NO_ALIGHT */
    uint32_t *route_trip_first; /* n_routes+1 entries into trip_* */
    uint32_t *route_time_first; /* arr/dep index of the route's first trip */
    uint32_t *route_pattern;    /* timetable pattern it comes from */

    /* concrete trips; trip k of route r at position i has times at
     * route_time_first[r] + (k - route_trip_first[r]) * n + i, n = the
     * route's stop count */
    uint32_t n_trips;
    uint32_t *trip_src;    /* timetable trip (for frequencies: the template) */
    int32_t *trip_delta_s; /* times = the timetable's stop times + this */
    size_t n_times;
    int32_t *arr, *dep; /* s on D's clock */

    /* per stop */
    uint32_t *stop_route_first; /* n_stops+1 entries into stop_routes/_pos */
    uint32_t *stop_routes;      /* routes calling at the stop, ascending */
    uint32_t *stop_route_pos;   /* first position of the stop in that route */
    int32_t *stop_self_s;       /* min s from alighting to boarding at this
                                 * stop: 0, or transfers.txt's; UNREACHED
                                 * when transfer_type 3 forbids it */
    uint32_t *fp_first;         /* n_stops+1 entries into fp_to/fp_s */
    uint32_t *fp_to;            /* footpath target stop, ascending per stop */
    int32_t *fp_s;              /* walking time, s */

    /* frequency routes (freq_rules): the exact_times=0 runs of timetable
     * trips of one pattern with the same running times.  Route r's stops
     * are froute_stops[froute_stop_first[r] ..], its times relative to a
     * run's first departure farr/fdep[froute_stop_first[r] + i], its
     * entries fent_*[froute_ent_first[r] ..]: a run departs the first stop
     * at fent_start + phase + k * fent_headway (k >= 0), before fent_end
     * and the day's to_s, on the day's clock. */
    uint32_t n_froutes, n_fents;
    uint32_t *froute_stop_first, *froute_stops;
    uint8_t *froute_flags;
    int32_t *farr, *fdep;
    uint32_t *froute_ent_first;
    uint32_t *fent_freq; /* frequencies.txt entry (for its phase) */
    int32_t *fent_start, *fent_end, *fent_headway;
    uint32_t *stop_froute_first, *stop_froutes, *stop_froute_pos;

    /* what the build did, for reports */
    uint32_t n_sched_trips;  /* scheduled trips kept (all three days) */
    uint32_t n_freq_trips;   /* departures expanded from frequencies.txt */
    uint32_t n_random_freqs; /* exact_times=0 entries that produced some */
    uint32_t n_fp;           /* footpaths kept */
    uint32_t n_xfer_applied; /* transfers.txt rows that changed something */
} hh__transit_day;

/* Builds the day.  Returns 0, HH_EINVAL (bad date, span, or footpath row,
 * with a message in err naming it), HH_ERANGE (more than 2^32-1 trips or
 * times), or HH_ENOMEM; on failure *out is untouched.  A date on which
 * nothing runs gives a valid day without trips (check n_sched_trips +
 * n_freq_trips; hh__timetable_check_date words the reason). */
int hh__transit_day_build(const hh__timetable *tt, const hh__transit_day_opts *opts,
                          hh__transit_day **out, char *err, size_t errlen);

void hh__transit_day_free(hh__transit_day *day);

/* The phase offset, in [0, headway_s), of frequency entry `freq` in draw
 * `draw` (headway_s > 0). */
int32_t hh__transit_freq_offset(uint64_t seed, uint32_t draw, uint32_t freq, int32_t headway_s);
/* The phase of entry `freq` at departure minute `key` (s on the day's
 * clock) of draw `draw`, in [0, headway_s). */
int32_t hh__transit_freq_offset_at(uint64_t seed, uint32_t draw, int32_t key, uint32_t freq, int32_t headway_s);

/* ---- range RAPTOR ------------------------------------------------------ */

typedef struct hh__raptor_access {
    uint32_t stop;  /* stop index */
    int32_t walk_s; /* time from the origin to the stop, s, >= 0 */
} hh__raptor_access;

typedef struct hh__raptor_query {
    const hh__raptor_access *access; /* duplicates allowed: the least counts */
    size_t n_access;
    int32_t dep_s;      /* first departure, s on the day's clock */
    uint32_t n_minutes; /* departures dep_s + 60 m, m = 0 .. n_minutes-1 (>= 1) */
    uint32_t max_rides; /* rides at most, 0 .. the workspace's max_rides */
    int32_t max_tt_s;   /* arrivals later than departure + this count as
                         * unreached; <= 0 means no limit */
    uint32_t n_draws;   /* hh__raptor_range_draws: draws per minute (0 is 1) */
} hh__raptor_query;

/* Called once per departure minute, latest first (m = n_minutes-1 .. 0).
 * arr[s] (n_stops entries) is the earliest arrival at stop s for someone
 * leaving the origin at dep_s (waiting anywhere allowed): an access walk,
 * then up to max_rides rides, each followed by at most one footpath; or
 * HH__TRANSIT_UNREACHED, also when later than dep_s + max_tt_s.  An access
 * walk alone counts (0 rides).  changed lists, in no particular order, the
 * stops whose arr differs from the previous call (from all UNREACHED for
 * the first).  Both arrays belong to the workspace and are valid during
 * the call only.  A non-zero return stops the search and is returned. */
typedef int (*hh__raptor_minute_fn)(void *ud, uint32_t m, int32_t dep_s, const int32_t *arr,
                                    const uint32_t *changed, uint32_t n_changed);

/* hh__raptor_range_draws: after minute m's callback (which got the
 * arrivals by scheduled and expanded routes only), once per draw d: arr the
 * earliest arrivals with the frequency routes too, at (m, d)'s phases;
 * better lists the stops where arr is earlier than in the minute callback
 * (arr equals it at every other stop).  Both arrays are the workspace's,
 * valid during the call. */
typedef int (*hh__raptor_draw_fn)(void *ud, uint32_t m, uint32_t draw, int32_t dep_s, const int32_t *arr,
                                  const uint32_t *better, uint32_t n_better);

typedef struct hh__raptor_stats {
    uint64_t rounds;       /* rounds with something to scan */
    uint64_t route_scans;  /* routes scanned */
    uint64_t stop_visits;  /* route positions visited */
    uint64_t improvements; /* labels lowered */
} hh__raptor_stats;

typedef struct hh__raptor_ws {
    const hh__transit_day *day;
    uint32_t max_rides; /* rounds the labels are sized for */
    hh__raptor_stats stats; /* summed over searches; the caller may zero it */
    /* private */
    uint32_t n;         /* stops */
    int32_t *ride;      /* (max_rides+1) x n: arrival by a ride, <= k rides */
    int32_t *ready;     /* (max_rides+1) x n: earliest boarding, <= k rides */
    int32_t *out;       /* n: what the last callback got */
    uint32_t *stamp;    /* n x 3: list membership by epoch (see raptor.c) */
    uint32_t epoch;
    uint32_t *lists;    /* n x 6: scan/changed lists for two rounds, rides, out */
    uint32_t *route_pos; /* n_routes: earliest marked position or UINT32_MAX */
    uint32_t *routes;    /* n_routes: marked routes */
    /* frequency routes (days with n_froutes > 0) */
    int32_t *fride, *fready; /* (max_rides+1) x n: labels of one (minute, draw) */
    int32_t *fout;           /* n: what the last draw callback got */
    uint32_t *better;        /* n */
    int32_t *fphase;         /* n_fents: first departure of each entry, this draw */
    uint32_t *froute_pos, *froutes; /* n_froutes: marks, as route_pos/routes */
} hh__raptor_ws;

/* Sizes the workspace for `day` and up to max_rides rides (<=
 * HH__RAPTOR_MAX_RIDES).  Returns 0, HH_EINVAL or HH_ENOMEM (then *ws is
 * left as hh__raptor_ws_free accepts). */
int hh__raptor_ws_init(hh__raptor_ws *ws, const hh__transit_day *day, uint32_t max_rides);

void hh__raptor_ws_free(hh__raptor_ws *ws);

/* Range RAPTOR over the window: labels of each round are kept from one
 * minute to the next (earlier) one, which is exact because leaving earlier
 * can only help; the answers equal n_minutes separate searches.  A fn of
 * NULL runs the search for its statistics only.  Returns 0, the
 * callback's non-zero value, or HH_EINVAL (no minutes, more rides than the
 * workspace holds, an access row with a bad stop or a negative walk, or a
 * time -- dep_s, the last departure, a walk, max_tt_s -- beyond +-2^30 s). */
int hh__raptor_range(hh__raptor_ws *ws, const hh__raptor_query *q, hh__raptor_minute_fn fn,
                     void *ud);
/* The same, and for a day with frequency routes (freq_rules) every minute's
 * n_draws searches with them (dfn, see above): each starts from the
 * minute's scheduled labels, which stay valid bounds whatever the phases,
 * and scans frequency routes from every stop that changed in a round and
 * scheduled ones from the stops the frequency routes improved -- equal to
 * a plain search on the day expanded with (m, d)'s phases
 * (has_phase_key; tests compare them). */
int hh__raptor_range_draws(hh__raptor_ws *ws, const hh__raptor_query *q, hh__raptor_minute_fn fn,
                           hh__raptor_draw_fn dfn, void *ud);

/* The network a prepared transit day belongs to. */
const hh_net *hh__transit_net(const hh_transit *t);
/* After hh_transit_query_run with targets: target's travel time in whole
 * seconds for each of the hh_transit_samples() departures (minutes x
 * draws), UINT32_MAX where it was not reached within max_s; NULL for a
 * target out of range or a run without targets. */
const uint32_t *hh__transit_query_samples(const hh_transit_query *q, size_t target);
/* The same samples copied into out[hh_transit_samples()], with targets or
 * without (a surface keeps them by column); HH_EINVAL out of range. */
int hh__transit_query_copy_samples(const hh_transit_query *q, size_t target, uint32_t *out);
#endif
