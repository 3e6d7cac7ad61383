/* gdal.h: the library's use of GDAL, in one place.
 *
 * GDAL's drivers are registered once per process (hh__gdal_init, safe from
 * any thread).  Around its calls a thread pushes a handler that drops
 * GDAL's messages -- the library never prints -- and afterwards turns
 * GDAL's last error (kept per thread) into our one-line message.
 * Process-wide state: GDAL keeps its drivers, configuration and SRS caches
 * (and PROJ its database handles) for the life of the process.  They stay
 * reachable from those libraries' globals and thread-local slots, which
 * LeakSanitizer scans, so they are not reported as leaks (checked with the
 * sanitizer build of the unit tests, no suppressions).  GDALDestroy() is
 * deliberately not called, not even from atexit: GDAL no longer calls it
 * on its own outside Windows because of its ordering against C++ static
 * destructors, no GDAL call may follow it, and a library cannot know that
 * the program (which may use GDAL itself) is done with GDAL. */
#ifndef HH_IO_GDAL_H
#define HH_IO_GDAL_H

#include <stddef.h>

/* GDAL's C headers, for the files that use them: cpl_port.h tests
 * __clang_major__ without defining it, which -Wundef (an error with
 * WERROR=1) would stop on. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

/* GDALAllRegister, once. */
void hh__gdal_init(void);
/* Silences this thread's GDAL messages and clears its last error; every
 * begin is paired with an end. */
void hh__gdal_quiet_begin(void);
void hh__gdal_quiet_end(void);
/* GDAL's last error on this thread as one line (newlines become spaces),
 * or `fallback` when GDAL recorded none. */
void hh__gdal_error(char *buf, size_t n, const char *fallback);

#endif
