/* scenario.h: the pieces of `halfhour scenario` (src/plan/scenario.c for
 * the streets, the hierarchies and the file; scenario_tt.c for the
 * timetable).  A scenario reads the base network file, applies a change
 * file (change.h) and writes a new network file through the build stage's
 * own steps (build/stages.h); the base is never written.
 * Memory: everything is owned by the caller's structs and freed by the
 * functions named here; nothing global. */
#ifndef HH_PLAN_SCENARIO_H
#define HH_PLAN_SCENARIO_H

#include "halfhour.h"
#include "plan/change.h"
#include "transit/timetable.h"

/* The base timetable with the transit modifications of c applied, as a
 * new heap timetable (hh__timetable_free): stops, routes, services and
 * trips keep their indices (removed trips keep theirs, with no stop
 * times), new ones come after them in a feed of their own named after the
 * change file.  base may be NULL (a network without feeds: add-line only).
 * Every id a modification names must exist (one-line error naming the
 * Feature).  *n_new_stops: stops the change added (the last ones). */
int hh__scenario_timetable(const hh__timetable *base, const hh__change *c, double walk_kmh,
                           hh__timetable **out, uint32_t *n_new_stops, hh_scenario_stats *st, char *err,
                           size_t errlen);

/* 1 when c has a modification of the timetable. */
int hh__change_has_transit(const hh__change *c);

#endif
