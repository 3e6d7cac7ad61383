/* tz.c: see tz.h.  TZif layout (RFC 8536): a 44-byte header with six
 * big-endian counts, then transition times, their type indices, the types
 * (int32 utoff, uint8 isdst, uint8 abbreviation index), abbreviations, leap
 * seconds and two indicator arrays; version 2+ repeats the block with 64-bit
 * times, which is the one read here when present. */
#include "transit/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "ingest/gtfs.h"
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

/* Offset at `utc` from one data block; 64-bit times when wide. */
static int from_block(const uint8_t *p, size_t len, int wide, int64_t utc, int32_t *off)
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
            rc = v1 < len ? from_block(buf + v1, len - (size_t)v1, 1, utc, &off) : HH_EFORMAT;
        } else {
            rc = from_block(buf, len, 0, utc, &off);
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
