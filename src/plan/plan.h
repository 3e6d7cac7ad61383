/* plan.h: internals of the planning code (src/plan/).  Facility siting
 * (site.c) splits in two: the coverage relation, computed from the network
 * by hh_site_run, and the solvers on it (greedy, lazy greedy, GLPK's MILP),
 * reachable here without a network so that tests can hold them against
 * brute force on small instances.
 * Memory: the caller owns the coverage arrays; a result is the caller's
 * (hh_site_result_free).  Solves share nothing and may run in several
 * threads at once.
 * Invariant: a candidate's list names each demand index at most once, all
 * below n_dem, in increasing order (the sums are then the same for every
 * solver and every thread count). */
#ifndef HH_PLAN_PLAN_H
#define HH_PLAN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"

/* Which demand each candidate covers, as compressed rows (CSR). */
typedef struct hh__site_cov {
    size_t n_cand, n_dem;
    const double *w;          /* n_dem demand weights, finite, >= 0 */
    const unsigned char *pre; /* n_dem: 1 when the existing facilities cover it; NULL: none do */
    const size_t *first;      /* n_cand + 1 offsets into dem, first[0] = 0 */
    const uint32_t *dem;      /* first[n_cand] demand indices */
    double total;             /* the demand the shares and the cover target refer to;
                               * below sum w (e.g. 0): sum w */
} hh__site_cov;

/* Solves MCLP (o->k) or set covering (o->cover) on c, greedy (lazy: CELF;
 * lazy 0: the plain greedy that re-evaluates every candidate each round,
 * the reference the lazy one must equal exactly) or exact (o->exact).
 * Uses o->k, o->cover, o->exact, o->time_limit_s only.  Fills every field
 * of out but seconds and the snapping counts (0).  HH_EINVAL for bad
 * options, HH_ERANGE when the cover share cannot be reached, HH_ENOMEM. */
int hh__site_solve(const hh__site_cov *c, const hh_site_opts *o, int lazy, hh_site_result *out, char *err,
                   size_t errlen);

/* GEOS geometry of one isochrone band in a local plane (x = lon * kx,
 * y = lat * ky, metres), or NULL when it is empty or memory ran out; the
 * caller destroys it.  (report.c's circles, the isochrone comparison.) */
typedef struct GEOSContextHandle_HS *hh__geos_ctx;
struct GEOSGeom_t;
struct GEOSGeom_t *hh__band_geom(hh__geos_ctx g, const hh_isoband *b, double kx, double ky);

#endif
