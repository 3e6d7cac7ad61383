/* access.h: internals shared by the accessibility code (src/access/):
 * decay functions (decay.c), equity figures over residents (equity.c) and
 * district polygons (districts.c); the public side is the "accessibility"
 * and "equity figures" sections of halfhour.h.
 * Everything here is a pure function of its arguments: no state, safe to
 * call from any number of threads.
 * Invariant: for every decay d, value v accepted by hh_decay_check and
 * t >= hh__decay_reach_s(d, v, c, limit), hh_decay_weight(d, v, c, t) is 0
 * or below HH__DECAY_EPS, so a search may stop at the reach. */
#ifndef HH_ACCESS_ACCESS_H
#define HH_ACCESS_ACCESS_H
#include "halfhour.h"

/* ---- decay (decay.c) ---------------------------------------------------- */
/* The weight below which a decay curve that never reaches 0 (logistic) is
 * taken as 0 for the reach. */
#define HH__DECAY_EPS 1e-4

/* The travel time (seconds) at and beyond which the weight of d with value v
 * and cutoff cutoff_s is 0 or below HH__DECAY_EPS, capped at limit_s (the
 * search's limit, past which every weight is 0):
 *   step         cutoff_s                     (the weight is 0 from the cutoff)
 *   linear       cutoff_s + v * 60 / 2        (the end of the ramp)
 *   logistic     the t where f(t) = HH__DECAY_EPS
 *   exponential, fixed-exponential   limit_s  (no truncation of the tail)
 * Never below 0.  v must pass hh_decay_check. */
double hh__decay_reach_s(hh_decay d, double v, double cutoff_s, double limit_s);

#endif
