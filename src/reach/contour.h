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

/* ---- the same contours from a field filled by the caller ---------------
 * hh__contour above takes a sample cloud; a caller that can produce the
 * samples in one pass over its own data (isochrone.c, straight from a
 * surface) lays the lattice first, splats each sample as it is made, and
 * contours the field: no sample array and no pass to find the extent.
 * The field is the one hh__contour makes from the same samples (the
 * four-corner splat used when buffer <= cell gives the disc's values up to
 * float rounding, at exactly buffer_m from a sample). */

/* The lattice: vertex (i, j) sits at (ox + i*cell, oy + j*cell), value at
 * grid[j*nx+i]; cell (i, j) has corners (i..i+1, j..j+1). */
typedef struct hh__raster {
    size_t nx, ny, nv;
    double ox, oy, cell;
    double cell_s; /* seconds to cross one cell off-road */
} hh__raster;

/* Lays the lattice over the extent [x0, x1] x [y0, y1] (metres) of every
 * sample that will be splatted, with the margin hh__contour keeps, sets
 * every vertex to +inf and, with marks, every street mark to "none".
 * HH_EINVAL (bad params or extent), HH_ERANGE (too many vertices), HH_ENOMEM. */
int hh__contour_lay(hh__contour_ws *ws, double x0, double y0, double x1, double y1,
                    const hh__contour_params *p, int marks, hh__raster *r);
/* Lowers the field around one sample (x, y in metres, t seconds), as
 * hh__contour does.  Returns 1, having written nothing, when the sample's
 * footprint leaves the lattice's inner vertices (the extent given to
 * hh__contour_lay did not hold it), else 0. */
int hh__contour_splat(hh__contour_ws *ws, const hh__raster *r, double x, double y, float t);
/* Records a point of a street of the mode reached at t (+inf: not reached)
 * on the lattice vertex nearest to it; a vertex keeps the latest time of
 * its points.  Points off the lattice are ignored. */
void hh__contour_mark(hh__contour_ws *ws, const hh__raster *r, double x, double y, float t);
/* The same two at lattice coordinates: fx = (x - ox) / cell, fy likewise. */
int hh__contour_splat_at(hh__contour_ws *ws, const hh__raster *r, double fx, double fy, float t);
void hh__contour_mark_at(hh__contour_ws *ws, const hh__raster *r, double fx, double fy, float t);
/* Contours the field at each cutoff (as hh__contour).  fill_holes (the
 * lattice laid with marks): a hole whose unreached lattice vertices carry no
 * street mark later than the cutoff -- no street of the mode, or only
 * streets reached in time -- is filled, with whatever lies inside it; a hole
 * holding such a mark is kept.  The filled areas nest across cutoffs like
 * the field's (a hole of a larger cutoff lies inside one of the smaller's
 * and carries a subset of its marks).  Returns 0, HH_EINVAL, HH_ENOMEM; on
 * failure out[] is untouched. */
int hh__contour_levels(hh__contour_ws *ws, const hh__raster *r, int fill_holes,
                       const double *cutoffs_s, size_t n_cut, hh__mpoly *out);

#endif
