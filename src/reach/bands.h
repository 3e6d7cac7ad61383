/* bands.h: isochrone bands made fit for a map, after contouring.
 *
 * Takes the bands of one isochrone (hh__mpoly in the network's local plane,
 * metres, one per cutoff, nested) and, by the options: with generalize_m
 * != 0, drops parts (and in fill mode holes) under HH_ISO_SPECK_CELLS raster
 * cells; drops parts below denoise x the band's largest part (never the part
 * holding the origin); simplifies every band
 * with GEOS's topology-preserving simplifier (generalize_m > 0) and clips
 * each band to the next larger band's result, so the bands stay nested
 * however each was simplified.  GEOS works on the output lattice (1e-7
 * degree) and its result is snapped to it, so what is printed is what was
 * checked valid.  Strict options ({0, 0, HH_ISO_HOLES_ALL}) change nothing.
 * Memory: replaces the arrays of mp[] in place (the caller still frees
 * them); no state is kept, calls may run concurrently.
 * Invariant: each band stays within the next larger one. */
#ifndef HH_REACH_BANDS_H
#define HH_REACH_BANDS_H

#include "halfhour.h"
#include "net/net.h"
#include "reach/contour.h"

/* Returns 0, HH_ENOMEM, or HH_EFORMAT when a GEOS call fails for another
 * reason; on failure mp[] holds valid bands the caller frees (some maybe
 * unfinished: the caller returns the error, not them). */
int hh__bands_finish(const hh_net *net, hh__mpoly *mp, size_t n, const hh_iso_opts *o, double cell_m,
                     double origin_x, double origin_y);

/* The plain path the fast one is checked against (isochrone.c): today's
 * sample cloud and hh__contour, strict polygons. */
int hh__surface_isochrone_oracle(const hh_surface *sf, const double *minutes, size_t n_minutes,
                                 hh_isochrone *out);

#endif
