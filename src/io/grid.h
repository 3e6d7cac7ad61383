/* grid.h: a grid's projection, for library code that works in metres
 * (the table writers here; catchments and districts in the access code).
 *
 * The PROJ string in hh_grid.proj is the only definition of a grid's CRS:
 * the transforms and the WKT below are all made from it.  A hh__grid_proj
 * is a transform between WGS-84 lon/lat (degrees, lon first) and the grid's
 * projected metres (x east, y north); it holds its own PROJ context, so it
 * belongs to one thread at a time -- open one per thread and reuse it for
 * many points (opening costs about 0.1 ms, a point about a microsecond). */
#ifndef HH_IO_GRID_H
#define HH_IO_GRID_H

#include <stddef.h>

#include "halfhour.h"

/* hh_grid_make for a lon/lat box instead of a network's streets (tests,
 * callers that know their area).  HH_EINVAL for a box that is not one
 * (non-finite, min > max, latitude beyond +-90, longitude beyond +-180). */
int hh__grid_make_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double cell_m,
                       hh_grid *out, char *err, size_t errlen);

typedef struct hh__grid_proj hh__grid_proj;
/* A transform for the CRS of `proj` (a grid's proj string).  HH_EINVAL when
 * PROJ rejects the string, HH_ENOMEM. */
int hh__grid_proj_open(const char *proj, hh__grid_proj **out, char *err, size_t errlen);
void hh__grid_proj_close(hh__grid_proj *p); /* NULL-safe */
/* One point each way; HH_ERANGE when PROJ cannot transform it (out
 * untouched). */
int hh__grid_to_lonlat(hh__grid_proj *p, double x, double y, double *lon, double *lat);
int hh__grid_from_lonlat(hh__grid_proj *p, double lon, double lat, double *x, double *y);
/* hh_grid_cell_ring through an open transform of g's CRS. */
int hh__grid_cell_ring_p(const hh_grid *g, hh__grid_proj *p, size_t cell, double ring[10]);
/* The grid's CRS as one-line WKT2 (2019), for GDAL and other readers;
 * *out is allocated with hh__malloc (hh__free it). */
int hh__grid_wkt(const hh_grid *g, char **out, char *err, size_t errlen);

#endif
