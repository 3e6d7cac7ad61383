/* layers.h: the points-CSV row reader that hh_points_read (io/points.c) and
 * the CSV half of hh_layers_read (ingest/layers.c) share, so both find
 * lon/lat columns, parse coordinates and word their errors the same way.
 *
 * A hh__pcsv streams rows (hh__csv underneath): memory stays one row whatever
 * the file's size.  Memory: hh__pcsv_open allocates, hh__pcsv_close releases
 * (also after a failed hh__pcsv_next); a failed hh__pcsv_open leaves nothing
 * open.  One reader per thread.
 * Invariant: after a successful open, clon and clat are valid header columns. */
#ifndef HH_INGEST_LAYERS_H
#define HH_INGEST_LAYERS_H

#include <stddef.h>

#include "ingest/gtfs_csv.h"

typedef struct hh__pcsv {
    void *fp;         /* FILE * */
    const char *path; /* the caller's, for messages */
    hh__csv r;        /* header and current row */
    int clon, clat;   /* columns lon|lng|longitude|x and lat|latitude|y */
} hh__pcsv;

/* Opens path, reads the header and finds the coordinate columns (first of
 * lon, lng, longitude, x / lat, latitude, y, case-insensitive).  Returns 0,
 * or HH_EIO (cannot open), HH_EEMPTY (no header row), HH_EFORMAT (malformed,
 * no lon or lat column) with a message naming the file. */
int hh__pcsv_open(hh__pcsv *p, const char *path, char *err, size_t errlen);
/* Next data row: 1 with its coordinates (|lon| <= 180, |lat| <= 90), 0 at
 * the end, or a negative code with a message naming the file and line. */
int hh__pcsv_next(hh__pcsv *p, double *lon, double *lat, char *err, size_t errlen);
void hh__pcsv_close(hh__pcsv *p);

/* A whole cell as a number (spaces around it allowed): 0 with *out, 1 when
 * the cell is blank, -1 when it is not a number, -2 when it is one that is
 * not finite or overflows/underflows a double (inf, nan, 1e999). */
int hh__cell_number(const char *s, double *out);

#endif
