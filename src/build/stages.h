/* stages.h: the parts of the build stage (src/build/) that build.c
 * strings together: OSM + profile -> street graph, islands, turn graph and
 * contraction hierarchies (build.c, turns.c, street/ch.c's contraction),
 * then the timetable and its links to the walk network (transit.c).
 * Build-time only: nothing here is used once the network file is written. */
#ifndef HH_BUILD_STAGES_H
#define HH_BUILD_STAGES_H

#include "halfhour.h"
#include "transit/timetable.h"

struct hh__net_parts;
struct hh__net_parts;
/* Adds the timetable, stop links and footpaths to `parts`; `streets` is the
 * street network the same parts were written to (links use its walk mode).
 * The timetable must outlive the parts (arrays are referenced, not copied). */
int hh__transit_build(const hh_net *streets, const hh__timetable *tt, const hh_profile *p,
                      struct hh__net_parts *parts, hh_build_stats *st, char *err, size_t errlen);

#endif
