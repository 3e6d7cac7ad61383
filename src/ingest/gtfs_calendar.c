/* gtfs_calendar.c: GTFS time ("25:10:00") and date ("20190513") fields. */
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "ingest/gtfs.h"

/* Hours beyond this are typos, not trips: 999 h is already six weeks. */
#define MAX_HOURS 999

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int hh__gtfs_parse_time(const char *s, int32_t *out)
{
    s = skip_blank(s);
    if (!*s)
        return 1;
    int32_t h = 0, m, sec;
    int nd = 0;
    while (is_digit(*s)) {
        if (++nd > 3)
            return HH_EFORMAT;
        h = h * 10 + (*s++ - '0');
    }
    if (!nd || h > MAX_HOURS || *s++ != ':')
        return HH_EFORMAT;
    if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':')
        return HH_EFORMAT;
    m = (s[0] - '0') * 10 + (s[1] - '0');
    s += 3;
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return HH_EFORMAT;
    sec = (s[0] - '0') * 10 + (s[1] - '0');
    s = skip_blank(s + 2);
    if (*s || m > 59 || sec > 59)
        return HH_EFORMAT;
    *out = h * 3600 + m * 60 + sec;
    return 0;
}

int hh__gtfs_parse_date(const char *s, int32_t *out)
{
    s = skip_blank(s);
    int32_t d = 0;
    for (int i = 0; i < 8; i++) {
        if (!is_digit(s[i]))
            return HH_EFORMAT;
        d = d * 10 + (s[i] - '0');
    }
    if (*skip_blank(s + 8) || !hh__date_valid(d))
        return HH_EFORMAT;
    *out = d;
    return 0;
}
