/* contour.h: travel-time samples -> valid, nested isochrone polygons.
 *
 * Input is a cloud of samples (x, y, t) in a local metric plane (metres),
 * taken along every reached street at most half a cell apart, with the exact
 * travel time at each sample.  A raster of cell_m is laid over the samples;
 * each lattice vertex gets t_min + d / offroad_mps over samples within
 * buffer_m (d = straight distance), infinity beyond; polygons are contours
 * of that field at each cutoff (marching squares, saddles resolved one
 * consistent way), so they are valid by construction, nested across cutoffs
 * (one field, several levels), keep enclosed unreached land as holes, and
 * never reach farther than buffer_m + one cell diagonal from a sample.
 *
 * Memory: a hh__contour_ws is owned by one thread (calls on different
 * workspaces may run concurrently), grows to the largest query seen and is
 * reused: once warm, a call allocates only its results, which the caller
 * owns (hh__mpoly_free).
 * Invariant: every output ring is closed (last point == first point), outer
 * rings counter-clockwise, holes clockwise, holes inside their outer ring,
 * and segments that are not neighbours on a ring stay at least cell_m / 150
 * apart, so rounding the output to ~1 cm keeps the polygons valid. */
#ifndef HH_REACH_CONTOUR_H
#define HH_REACH_CONTOUR_H

#include <stddef.h>

typedef struct hh__sample {
    float x, y; /* metres in the local plane */
    float t;    /* seconds */
} hh__sample;

typedef struct hh__contour_params {
    double cell_m;      /* raster cell size, > 0 */
    double buffer_m;    /* max straight distance from a sample, >= cell_m */
    double offroad_mps; /* speed over the last straight stretch, > 0 */
} hh__contour_params;

/* A multipolygon: polygons made of rings, rings made of points.  Empty (no
 * polygon) means n_polys == n_rings == 0 and NULL arrays.  Polygons come in
 * the order their lowest row is met scanning the raster bottom-up. */
typedef struct hh__mpoly {
    size_t n_polys;
    size_t *poly_first_ring; /* n_polys+1 entries; ring 0 of a poly = outer */
    size_t n_rings;
    size_t *ring_first;      /* n_rings+1 entries into xy (in points) */
    double *xy;              /* x,y pairs in metres */
    double area_m2;          /* outer areas minus hole areas */
} hh__mpoly;

typedef struct hh__contour_ws hh__contour_ws;

int hh__contour_ws_init(hh__contour_ws **out);
void hh__contour_ws_free(hh__contour_ws *ws);

/* Contours the samples at each cutoff (seconds, strictly increasing, > 0,
 * finite); out[i] receives the area reachable within cutoffs_s[i].  An empty
 * sample set or a cutoff nothing reaches gives an empty multipolygon
 * (n_polys 0), not an error; n_cut == 0 does nothing.  The raster covers only
 * samples with t <= the largest cutoff (plus buffer), so passing a whole
 * unbounded search costs splatting time but not raster size.
 * Returns 0, HH_EINVAL (bad params or cutoffs, a non-finite sample field),
 * HH_ERANGE (raster over 2^31 vertices: cell_m far too small for the extent)
 * or HH_ENOMEM; on failure out[] is untouched. */
int hh__contour(hh__contour_ws *ws, const hh__sample *s, size_t n,
                const double *cutoffs_s, size_t n_cut,
                const hh__contour_params *p, hh__mpoly *out);

void hh__mpoly_free(hh__mpoly *m);

#endif
