/* options.c: the request options every front end reads the same way --
 * departure times, cutoff and percentile lists, modes, transit settings,
 * decay defaults -- so that `halfhour <verb>` flags and HTTP request fields
 * accept the same values and say the same thing about bad ones. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"

int hh_depart_parse(const char *s, int32_t *date, int32_t *secs)
{
    int y, mo, d, h, mi, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || s[n] != 0)
        return HH_EINVAL;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 47 || mi < 0 ||
        mi > 59)
        return HH_EINVAL;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return HH_EINVAL;
    *date = y * 10000 + mo * 100 + d;
    *secs = h * 3600 + mi * 60;
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int hh_list_check(double *v, int n, const char *what, double max, char *err, size_t errlen)
{
    char e1[1];
    if (!err)
        err = e1, errlen = sizeof e1;
    if (n <= 0) {
        snprintf(err, errlen, "no %s given", what);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!(v[i] > 0 && v[i] <= max)) { /* NAN fails too */
            snprintf(err, errlen, "%s %g out of range (0, %g]", what, v[i], max);
            return -1;
        }
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

int hh_list_parse(const char *s, const char *what, double *out, int cap, double max, char *err, size_t errlen)
{
    char e1[1];
    if (!err)
        err = e1, errlen = sizeof e1;
    int n = 0;
    const char *p = s ? s : "";
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char tok[64];
        if (len == 0 || len >= sizeof tok) {
            snprintf(err, errlen, "%s \"%.80s\": expected numbers separated by commas", what, s ? s : "");
            return -1;
        }
        memcpy(tok, p, len);
        tok[len] = 0;
        char *end;
        errno = 0;
        double d = strtod(tok, &end);
        if (end == tok || *end || errno || !isfinite(d)) {
            snprintf(err, errlen, "%s \"%s\" is not a number", what, tok);
            return -1;
        }
        if (d <= 0 || d > max) {
            snprintf(err, errlen, "%s %s out of range (0, %g]", what, tok, max);
            return -1;
        }
        if (n == cap) {
            snprintf(err, errlen, "at most %d cutoffs", cap);
            return -1;
        }
        out[n++] = d;
        if (!c)
            break;
        p = c + 1;
    }
    return hh_list_check(out, n, what, max, err, errlen);
}

int hh_travel_mode_parse(const char *s, hh_mode *mode, int *transit)
{
    if (!s)
        return HH_EINVAL;
    if (!strcmp(s, "transit")) {
        *mode = HH_MODE_WALK;
        *transit = 1;
        return 0;
    }
    hh_mode m;
    if (hh_mode_parse(s, &m))
        return HH_EINVAL;
    *mode = m;
    *transit = 0;
    return 0;
}

void hh_transit_opts_default(hh_transit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->window_min = 60;
    o->max_walk_s = 15 * 60;
    o->max_rides = 8;
    o->draws = 5;
}

int hh_transit_opt_set(hh_transit_opts *o, const char *name, double v, char *err, size_t errlen)
{
    char e1[1];
    if (!err)
        err = e1, errlen = sizeof e1;
    const char *want = NULL;
    if (!strcmp(name, "window")) {
        if (!(v >= 1 && v <= 1440) || v != floor(v))
            want = "expected whole minutes in [1, 1440]";
        else
            o->window_min = (int32_t)v;
    } else if (!strcmp(name, "max-walk")) {
        if (!(v >= 0 && v <= 120))
            want = "expected minutes in [0, 120]";
        else
            o->max_walk_s = v * 60;
    } else if (!strcmp(name, "max-rides")) {
        if (!(v >= 1 && v <= 64) || v != floor(v))
            want = "expected an integer in [1, 64]";
        else
            o->max_rides = (int)v;
    } else if (!strcmp(name, "walk-speed")) {
        if (!(v >= 1 && v <= 20))
            want = "expected km/h in [1, 20]";
        else
            o->walk_kmh = v;
    } else if (!strcmp(name, "draws")) {
        if (!(v >= 1 && v <= 1000) || v != floor(v))
            want = "expected an integer in [1, 1000]";
        else
            o->draws = (int)v;
    } else {
        return 1;
    }
    if (want) {
        snprintf(err, errlen, "%s", want);
        return HH_EINVAL;
    }
    return 0;
}

double hh_decay_default_value(hh_decay d)
{
    switch (d) {
    case HH_DECAY_LINEAR:
    case HH_DECAY_LOGISTIC:
        return 10;
    case HH_DECAY_FIXED_EXPONENTIAL:
        return 0.001;
    default:
        return 0;
    }
}

int hh_pct_of_parse(const char *s, hh_pct_of *out)
{
    if (s && !strcmp(s, "times"))
        *out = HH_PCT_OF_TIMES;
    else if (s && !strcmp(s, "access"))
        *out = HH_PCT_OF_ACCESS;
    else
        return HH_EINVAL;
    return 0;
}
