/* tz.h: UTC offsets of IANA time zones, read from the system's compiled
 * tz database (TZif files under $TZDIR or /usr/share/zoneinfo, Debian's
 * tzdata).  Read directly rather than through localtime_r, whose only way
 * to select a zone is the process-wide TZ variable.  Pure functions; any
 * thread. */
#ifndef HH_TRANSIT_TZ_H
#define HH_TRANSIT_TZ_H

#include <stddef.h>
#include <stdint.h>

/* Offset from UTC (seconds east) in effect at the UTC instant `utc` (seconds
 * since 1970) in zone `name` (e.g. "Europe/Berlin").  "UTC", "Etc/UTC" and
 * "GMT" need no file.  Returns 0, HH_EINVAL for a name that is not a zone
 * name (empty, "..", odd characters), HH_EIO when the zone file is missing,
 * HH_EFORMAT when it is not TZif.  Instants past the file's last transition
 * follow the file's footer rule (a POSIX TZ string, TZif version 2+), so a
 * date in 2040 still switches to summer time; a version-1 file, or one
 * without a footer, keeps the last transition's offset. */
int hh__tz_offset(const char *name, int64_t utc, int32_t *off_s);

/* Offset of zone `name` at local noon of date YYYYMMDD (the instant GTFS's
 * "noon minus 12 h" is measured from). */
int hh__tz_noon_offset(const char *name, int32_t date, int32_t *off_s);

#endif
