/* calendar.c: day arithmetic and which services of a timetable run when. */
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "transit/timetable.h"

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int hh__date_valid(int32_t d)
{
    int y = d / 10000, m = d / 100 % 100, day = d % 100;
    return d > 0 && y >= 1 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 &&
           day <= days_in_month(y, m);
}

/* Day number (days since 1970-01-01) of a valid YYYYMMDD; H. Hinnant's
 * days_from_civil, exact for the proleptic Gregorian calendar. */
int32_t hh__day_number(int32_t date)
{
    int y = date / 10000, m = date / 100 % 100, d = date % 100;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int32_t hh__date_of_day(int32_t z)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    return (y + (m <= 2)) * 10000 + m * 100 + d;
}

/* 0 Monday .. 6 Sunday; day 0 (1970-01-01) was a Thursday. */
static int weekday(int32_t day) { return (int)(((day % 7) + 7 + 3) % 7); }

/* Index of date in the service's exceptions, or -1. */
static int64_t find_exc(const hh__timetable *tt, uint32_t s, int32_t date)
{
    uint32_t lo = tt->service_exc_first[s], hi = tt->service_exc_first[s + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tt->exc_date[mid] < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tt->service_exc_first[s + 1] && tt->exc_date[lo] == date ? (int64_t)lo : -1;
}

static int runs_weekly(const hh__timetable *tt, uint32_t s, int32_t date, int32_t day)
{
    return tt->service_start[s] && date >= tt->service_start[s] && date <= tt->service_end[s] &&
           (tt->service_days[s] >> weekday(day) & 1);
}

int hh__timetable_service_runs(const hh__timetable *tt, uint32_t service, int32_t date)
{
    if (service >= tt->n_services || !hh__date_valid(date))
        return 0;
    int64_t e = find_exc(tt, service, date);
    if (e >= 0)
        return tt->exc_added[e];
    return runs_weekly(tt, service, date, hh__day_number(date));
}

int hh__timetable_services_on(const hh__timetable *tt, int32_t date, uint8_t *active)
{
    if (!hh__date_valid(date))
        return HH_EINVAL;
    int32_t day = hh__day_number(date);
    for (uint32_t s = 0; s < tt->n_services; s++) {
        int64_t e = find_exc(tt, s, date);
        active[s] = (uint8_t)(e >= 0 ? tt->exc_added[e] : runs_weekly(tt, s, date, day));
    }
    return 0;
}

/* First (dir +1) or last (dir -1) day the weekly pattern runs and no
 * exception removes; 0 if none.  Each step past a candidate weekday is paid
 * for by one removal, so this takes at most 7 * (removals + 1) steps. */
static int32_t weekly_edge(const hh__timetable *tt, uint32_t s, int dir)
{
    if (!tt->service_start[s] || !tt->service_days[s])
        return 0;
    int32_t a = hh__day_number(tt->service_start[s]), b = hh__day_number(tt->service_end[s]);
    for (int32_t day = dir > 0 ? a : b; day >= a && day <= b; day += dir) {
        if (!(tt->service_days[s] >> weekday(day) & 1))
            continue;
        int32_t date = hh__date_of_day(day);
        int64_t e = find_exc(tt, s, date);
        if (e < 0 || tt->exc_added[e])
            return date;
    }
    return 0;
}

void hh__timetable_service_span(const hh__timetable *tt, uint32_t s, int32_t *first, int32_t *last)
{
    int32_t f = weekly_edge(tt, s, +1), l = weekly_edge(tt, s, -1);
    for (uint32_t e = tt->service_exc_first[s]; e < tt->service_exc_first[s + 1]; e++) {
        if (!tt->exc_added[e])
            continue;
        if (!f || tt->exc_date[e] < f)
            f = tt->exc_date[e];
        if (!l || tt->exc_date[e] > l)
            l = tt->exc_date[e];
    }
    *first = f;
    *last = l;
}

static void fmt_date(char *b, size_t n, int32_t d)
{
    snprintf(b, n, "%04d-%02d-%02d", (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
}

int hh__timetable_check_date(const hh__timetable *tt, int32_t date, char *err, size_t errlen)
{
    if (!hh__date_valid(date)) {
        if (err && errlen)
            snprintf(err, errlen, "%ld is not a date (YYYYMMDD)", (long)date);
        return HH_EINVAL;
    }
    for (uint32_t f = 0; f < tt->n_feeds; f++)
        if (tt->feeds[f].first_date && date >= tt->feeds[f].first_date &&
            date <= tt->feeds[f].last_date)
            return 0;
    if (err && errlen) {
        char a[16], b[16];
        fmt_date(a, sizeof a, date);
        size_t o = (size_t)snprintf(err, errlen, "date %s is outside every feed's service range:", a);
        for (uint32_t f = 0; f < tt->n_feeds && o < errlen; f++) {
            const hh__gtfs_feed *fd = &tt->feeds[f];
            if (fd->first_date) {
                fmt_date(a, sizeof a, fd->first_date);
                fmt_date(b, sizeof b, fd->last_date);
                o += (size_t)snprintf(err + o, errlen - o, "%s %s %s..%s", f ? "," : "", fd->name, a, b);
            } else {
                o += (size_t)snprintf(err + o, errlen - o, "%s %s no service day", f ? "," : "", fd->name);
            }
        }
    }
    return HH_ERANGE;
}
