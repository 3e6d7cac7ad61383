/* tz.c: see tz.h.  TZif layout (RFC 8536): a 44-byte header with six
 * big-endian counts, then transition times, their type indices, the types
 * (int32 utoff, uint8 isdst, uint8 abbreviation index), abbreviations, leap
 * seconds and two indicator arrays; version 2+ repeats the block with 64-bit
 * times, which is the one read here when present, and ends in a footer: a
 * POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") that rules every instant
 * after the last transition (RFC 8536 3.3).  Files may stop listing
 * transitions in 2037 (or, "slim" ones, much earlier), so the footer is what
 * keeps a 2040 summer date on summer time. */
#include "transit/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "transit/timetable.h"
#include "util/alloc.h"

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int64_t be64(const uint8_t *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

static int valid_name(const char *s)
{
    if (!*s || *s == '/' || strlen(s) > 200 || strstr(s, ".."))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '/' ||
              *s == '_' || *s == '-' || *s == '+'))
            return 0;
    return 1;
}

/* ---- POSIX TZ strings (the footer) ------------------------------------ */

typedef struct tz_rule {
    char kind;    /* 'M' month.week.day, 'J' Julian day 1..365 without Feb 29, 'D' day 0..365 */
    int m, w, d;  /* for 'M'; d is the weekday (0 Sunday) or the day number */
    int32_t time; /* local time of day of the change, s (may be < 0 or > 24 h) */
} tz_rule;

typedef struct posix_tz {
    int32_t std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    tz_rule start, end; /* DST begins (standard time) and ends (DST time) */
} posix_tz;

static const char *tz_name(const char *p)
{
    if (*p == '<') {
        while (*p && *p != '>')
            p++;
        return *p ? p + 1 : NULL;
    }
    const char *q = p;
    while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]h[h[h]][:mm[:ss]] -> seconds (sign as written) */
static const char *tz_hms(const char *p, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!(*p >= '0' && *p <= '9'))
        return NULL;
    int32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        int nd = 0;
        while (*p >= '0' && *p <= '9' && nd < 3)
            v[i] = v[i] * 10 + (*p++ - '0'), nd++;
        if (!nd)
            return NULL;
        if (*p != ':' || i == 2)
            break;
        p++;
    }
    if (v[0] > 167 || v[1] > 59 || v[2] > 59)
        return NULL;
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *tz_int(const char *p, int lo, int hi, int *out)
{
    int v = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 4)
        v = v * 10 + (*p++ - '0'), nd++;
    if (!nd || v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *tz_rule_parse(const char *p, tz_rule *r)
{
    r->time = 7200;
    if (*p == 'M') {
        r->kind = 'M';
        if (!(p = tz_int(p + 1, 1, 12, &r->m)) || *p++ != '.' || !(p = tz_int(p, 1, 5, &r->w)) || *p++ != '.' ||
            !(p = tz_int(p, 0, 6, &r->d)))
            return NULL;
    } else if (*p == 'J') {
        r->kind = 'J';
        if (!(p = tz_int(p + 1, 1, 365, &r->d)))
            return NULL;
    } else {
        r->kind = 'D';
        if (!(p = tz_int(p, 0, 365, &r->d)))
            return NULL;
    }
    if (*p == '/' && !(p = tz_hms(p + 1, &r->time)))
        return NULL;
    return p;
}

/* Parses "std offset [dst [offset] [,start[/time],end[/time]]]"; 0 or -1. */
static int posix_tz_parse(const char *p, posix_tz *z)
{
    int32_t o;
    memset(z, 0, sizeof *z);
    if (!(p = tz_name(p)) || !(p = tz_hms(p, &o)))
        return -1;
    z->std_off = -o; /* POSIX offsets count west */
    if (!*p)
        return 0;
    if (!(p = tz_name(p)))
        return -1;
    z->has_dst = 1;
    z->dst_off = z->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = tz_hms(p, &o)))
            return -1;
        z->dst_off = -o;
    }
    if (!*p) {
        /* no rule: POSIX leaves it to the implementation; the US rules of
         * 2007 are what glibc uses ("M3.2.0,M11.1.0") */
        z->start = (tz_rule){'M', 3, 2, 0, 7200};
        z->end = (tz_rule){'M', 11, 1, 0, 7200};
        return 0;
    }
    if (*p++ != ',' || !(p = tz_rule_parse(p, &z->start)) || *p++ != ',' || !(p = tz_rule_parse(p, &z->end)) ||
        *p)
        return -1;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Local seconds since 1970 (as if UTC) at which rule r fires in year y. */
static int64_t rule_local(const tz_rule *r, int y)
{
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int64_t jan1 = hh__day_number(y * 10000 + 101), day;
    if (r->kind == 'J') {
        day = jan1 + r->d - 1 + (leap && r->d >= 60);
    } else if (r->kind == 'D') {
        day = jan1 + r->d;
    } else {
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t first = hh__day_number(y * 10000 + r->m * 100 + 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        day = first + (r->d - wd + 7) % 7 + (int64_t)(r->w - 1) * 7;
        int len = mdays[r->m - 1] + (r->m == 2 && leap);
        while (day >= first + len)
            day -= 7;
    }
    return day * 86400 + r->time;
}

static int32_t posix_tz_offset(const posix_tz *z, int64_t utc)
{
    if (!z->has_dst)
        return z->std_off;
    int32_t date = hh__date_of_day((int32_t)floor_div(utc + z->std_off, 86400));
    int y = date / 10000;
    int64_t s = rule_local(&z->start, y) - z->std_off, e = rule_local(&z->end, y) - z->dst_off;
    int dst = s < e ? (utc >= s && utc < e) : !(utc >= e && utc < s);
    return dst ? z->dst_off : z->std_off;
}

/* Offset at `utc` from one data block; 64-bit times when wide.  *past is
 * set when utc lies after the block's last transition (or it has none),
 * *used to the block's length. */
static int from_block(const uint8_t *p, size_t len, int wide, int64_t utc, int32_t *off, int *past, size_t *used)
{
    if (len < 44 || memcmp(p, "TZif", 4))
        return HH_EFORMAT;
    uint32_t isutcnt = be32(p + 20), isstdcnt = be32(p + 24), leapcnt = be32(p + 28);
    uint32_t timecnt = be32(p + 32), typecnt = be32(p + 36), charcnt = be32(p + 40);
    size_t tsz = wide ? 8 : 4;
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || charcnt > 100000 || leapcnt > 100000 ||
        isutcnt > 256 || isstdcnt > 256)
        return HH_EFORMAT;
    size_t need = 44 + timecnt * tsz + timecnt + typecnt * 6 + charcnt + leapcnt * (tsz + 4) + isstdcnt + isutcnt;
    if (need > len)
        return HH_EFORMAT;
    const uint8_t *times = p + 44, *idx = times + timecnt * tsz, *types = idx + timecnt;
    /* last transition at or before utc; before the first, the first
     * standard-time type (RFC 8536 3.2) or type 0 */
    uint32_t type = 0;
    for (uint32_t i = 0; i < typecnt; i++)
        if (!types[i * 6 + 4]) {
            type = i;
            break;
        }
    size_t lo = 0, hi = timecnt;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t tm = wide ? be64(times + mid * 8) : (int32_t)be32(times + mid * 4);
        if (tm <= utc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0)
        type = idx[lo - 1];
    if (type >= typecnt)
        return HH_EFORMAT;
    *off = (int32_t)be32(types + type * 6);
    *past = lo == timecnt;
    *used = need;
    return 0;
}

int hh__tz_offset(const char *name, int64_t utc, int32_t *off_s)
{
    if (!name || !valid_name(name))
        return HH_EINVAL;
    if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC") || !strcmp(name, "GMT") || !strcmp(name, "Etc/GMT")) {
        *off_s = 0;
        return 0;
    }
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return HH_EIO;
    uint8_t *buf = hh__malloc(1 << 20);
    if (!buf) {
        fclose(f);
        return HH_ENOMEM;
    }
    size_t len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    int rc = HH_EFORMAT;
    int32_t off = 0;
    if (len >= 44 && !memcmp(buf, "TZif", 4)) {
        if (buf[4] >= '2') {
            /* skip the 32-bit block to the 64-bit one */
            uint32_t isutcnt = be32(buf + 20), isstdcnt = be32(buf + 24), leapcnt = be32(buf + 28);
            uint32_t timecnt = be32(buf + 32), typecnt = be32(buf + 36), charcnt = be32(buf + 40);
            uint64_t v1 = 44 + (uint64_t)timecnt * 5 + (uint64_t)typecnt * 6 + charcnt + (uint64_t)leapcnt * 8 +
                          isstdcnt + isutcnt;
            int past = 0;
            size_t used = 0;
            rc = v1 < len ? from_block(buf + v1, len - (size_t)v1, 1, utc, &off, &past, &used) : HH_EFORMAT;
            /* the footer "\nTZ\n" rules instants after the last transition */
            size_t f0 = (size_t)v1 + used;
            if (!rc && past && f0 + 1 < len && buf[f0] == '\n') {
                char tzs[128];
                size_t n = 0;
                while (f0 + 1 + n < len && buf[f0 + 1 + n] != '\n' && n + 1 < sizeof tzs)
                    tzs[n] = (char)buf[f0 + 1 + n], n++;
                tzs[n] = '\0';
                posix_tz z;
                if (n && f0 + 1 + n < len && posix_tz_parse(tzs, &z) == 0)
                    off = posix_tz_offset(&z, utc);
            }
        } else {
            int past;
            size_t used;
            rc = from_block(buf, len, 0, utc, &off, &past, &used);
        }
    }
    hh__free(buf);
    if (!rc)
        *off_s = off;
    return rc;
}

int hh__tz_noon_offset(const char *name, int32_t date, int32_t *off_s)
{
    /* local noon = UTC noon - offset; the offset at that instant, found by
     * iterating once more (offsets change at night, never at noon) */
    int64_t noon_utc = (int64_t)hh__day_number(date) * 86400 + 43200;
    int32_t off;
    int rc = hh__tz_offset(name, noon_utc, &off);
    if (!rc)
        rc = hh__tz_offset(name, noon_utc - off, &off);
    if (!rc)
        *off_s = off;
    return rc;
}
