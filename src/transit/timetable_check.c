/* timetable_check.c: hh__timetable_check, the timetable's structural validator
 * (tests run it on every feed they load; RAPTOR relies on what it checks). */
#include <stdio.h>

#include "halfhour.h"
#include "transit/timetable.h"

#define NONE HH__GTFS_NONE

static int bad(char *err, size_t errlen, const char *what, uint32_t i)
{
    if (err && errlen)
        snprintf(err, errlen, "timetable check: %s (index %lu)", what, (unsigned long)i);
    return HH_EFORMAT;
}

/* CSR offsets: first[0] == 0, never decreasing, first[n] == total. */
static int csr_ok(const uint32_t *first, uint32_t n, uint32_t total)
{
    if (first[0] != 0 || first[n] != total)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (first[i] > first[i + 1])
            return 0;
    return 1;
}

int hh__timetable_check(const hh__timetable *tt, char *err, size_t errlen)
{
    for (uint32_t s = 0; s < tt->n_stops; s++)
        if (tt->stop_parent[s] != NONE && tt->stop_parent[s] >= tt->n_stops)
            return bad(err, errlen, "parent station out of range", s);
    if (!csr_ok(tt->service_exc_first, tt->n_services, tt->service_exc_first[tt->n_services]))
        return bad(err, errlen, "service_exc_first not monotone", 0);
    for (uint32_t s = 0; s < tt->n_services; s++)
        for (uint32_t e = tt->service_exc_first[s] + 1; e < tt->service_exc_first[s + 1]; e++)
            if (tt->exc_date[e - 1] > tt->exc_date[e])
                return bad(err, errlen, "exception dates not ascending", s);

    if (!csr_ok(tt->pat_trip_first, tt->n_patterns, tt->pat_trip_first[tt->n_patterns]) ||
        !csr_ok(tt->pat_stop_first, tt->n_patterns, tt->pat_stop_first[tt->n_patterns]))
        return bad(err, errlen, "pattern offsets not monotone", 0);
    uint32_t st = 0;
    for (uint32_t p = 0; p < tt->n_patterns; p++) {
        uint32_t n = tt->pat_stop_first[p + 1] - tt->pat_stop_first[p];
        const uint32_t *stops = tt->pat_stops + tt->pat_stop_first[p];
        if (n < 2 || tt->pat_trip_first[p] == tt->pat_trip_first[p + 1])
            return bad(err, errlen, "pattern with < 2 stops or no trip", p);
        if (tt->pat_st[p] != st || tt->pat_route[p] >= tt->n_routes)
            return bad(err, errlen, "pattern stop times not contiguous or route out of range", p);
        for (uint32_t i = 0; i < n; i++)
            if (stops[i] >= tt->n_stops)
                return bad(err, errlen, "pattern stop out of range", p);
        for (uint32_t k = tt->pat_trip_first[p]; k < tt->pat_trip_first[p + 1]; k++) {
            uint32_t t = tt->pat_trips[k], j = k - tt->pat_trip_first[p];
            if (t >= tt->n_trips || tt->trip_pattern[t] != p || tt->trip_st[t] != st + j * n ||
                tt->trip_route[t] != tt->pat_route[p])
                return bad(err, errlen, "trip does not point back at its pattern", t);
            const int32_t *a = tt->arr + tt->trip_st[t], *d = tt->dep + tt->trip_st[t];
            for (uint32_t i = 0; i < n; i++) {
                if (d[i] < a[i] || (i && a[i] < d[i - 1]))
                    return bad(err, errlen, "times decrease along a trip", t);
                if (k > tt->pat_trip_first[p] && !tt->pat_freq[p] && (a[i] < (a - n)[i] || d[i] < (d - n)[i]))
                    return bad(err, errlen, "trip overtakes the one before it", t);
            }
            if (tt->pat_freq[p] != (tt->trip_freq_first[t] < tt->trip_freq_first[t + 1]))
                return bad(err, errlen, "frequency flag disagrees with frequencies", t);
        }
        st += n * (tt->pat_trip_first[p + 1] - tt->pat_trip_first[p]);
    }
    if (st != tt->n_stop_times)
        return bad(err, errlen, "stop time count", st);
    uint32_t kept = 0;
    for (uint32_t t = 0; t < tt->n_trips; t++)
        kept += tt->trip_pattern[t] != NONE;
    if (kept != tt->pat_trip_first[tt->n_patterns])
        return bad(err, errlen, "trips in patterns", kept);

    if (!csr_ok(tt->stop_pat_first, tt->n_stops, tt->stop_pat_first[tt->n_stops]))
        return bad(err, errlen, "stop_pat_first not monotone", 0);
    for (uint32_t s = 0; s < tt->n_stops; s++)
        for (uint32_t k = tt->stop_pat_first[s]; k < tt->stop_pat_first[s + 1]; k++) {
            uint32_t p = tt->stop_pats[k];
            if (p >= tt->n_patterns || (k > tt->stop_pat_first[s] && tt->stop_pats[k - 1] >= p) ||
                tt->stop_pat_pos[k] >= tt->pat_stop_first[p + 1] - tt->pat_stop_first[p] ||
                tt->pat_stops[tt->pat_stop_first[p] + tt->stop_pat_pos[k]] != s)
                return bad(err, errlen, "stop's pattern list wrong", s);
        }

    if (!csr_ok(tt->trip_freq_first, tt->n_trips, tt->n_freqs))
        return bad(err, errlen, "trip_freq_first", 0);
    for (uint32_t t = 0; t < tt->n_trips; t++)
        for (uint32_t i = tt->trip_freq_first[t]; i < tt->trip_freq_first[t + 1]; i++)
            if (tt->freq_trip[i] != t || tt->freq_headway[i] <= 0 || tt->freq_end[i] <= tt->freq_start[i] ||
                (i > tt->trip_freq_first[t] && tt->freq_start[i - 1] > tt->freq_start[i]))
                return bad(err, errlen, "frequency rows", i);
    if (!csr_ok(tt->stop_xfer_first, tt->n_stops, tt->n_xfers))
        return bad(err, errlen, "stop_xfer_first", 0);
    for (uint32_t s = 0; s < tt->n_stops; s++)
        for (uint32_t i = tt->stop_xfer_first[s]; i < tt->stop_xfer_first[s + 1]; i++)
            if (tt->xfer_from[i] != s || tt->xfer_to[i] >= tt->n_stops || tt->xfer_type[i] > 3)
                return bad(err, errlen, "transfer rows", i);
    return 0;
}
