/* turns.h: the car's turn graph, built once with the network.
 *
 * Cars cannot be routed on vertices alone: a turn restriction forbids a
 * move from one street onto another, a bollard lets a car reach it but not
 * pass, and a left turn costs more than going straight.  So car searches
 * run on the edge-expanded graph that OSRM, Valhalla and GraphHopper use:
 * its nodes ("turn nodes") are the car arcs (a street piece in one
 * direction), and its arcs are the allowed moves from one car arc onto an
 * arc that leaves its head.  A turn node's time is the time at the START of
 * its arc, having turned onto it; the move i -> j weighs the whole of arc i
 * plus the cost of the turn from i onto j.  Starting times make a snapped
 * target a plain offset on one turn node (time at the start + the part of
 * the arc up to the point), so contraction, PHAST and bucket many-to-many
 * work on it unchanged.
 *
 * Turn nodes 0 .. n_arcs[car]-1 are the car arcs themselves.  A restriction
 * via one or more ways forbids (or, only_*, imposes) a whole path; its via
 * arcs get copies (turn nodes n_arcs[car] .. n_tnodes-1, tdup[] names the
 * arc each copies) that are entered only from the restriction's `from` arc
 * and lack the forbidden last move, the classic node-splitting construction.
 *
 * Build-time only; the result lands in the parts' turn_* arrays. */
#ifndef HH_BUILD_TURNS_H
#define HH_BUILD_TURNS_H

#include <stdint.h>

#include "halfhour.h"
#include "net/net.h"

#define HH_VFLAG_CAR_BARRIER 1u /* no car passes through the vertex (u-turns allowed) */
#define HH_VFLAG_SIGNALS 2u     /* traffic signals: every move through costs car_signal_s */

/* A restriction via ways as a path of car arcs: arcs[0] the `from` arc,
 * arcs[n-1] the `to` arc, the via arcs between (n >= 3). */
typedef struct hh__turn_path {
    uint32_t first, n; /* into the arcs array passed alongside */
    uint8_t only;
} hh__turn_path;

typedef struct hh__turn_stats {
    uint32_t moves;          /* allowed moves (turn graph arcs) */
    uint32_t banned_node;    /* moves removed by via-node restrictions */
    uint32_t banned_barrier; /* moves removed by car barriers */
    uint32_t via_way_applied, via_way_skipped; /* skipped: overlapping another */
    uint32_t copies;         /* turn nodes copied for via-way restrictions */
} hh__turn_stats;

/* Builds P's car turn graph from its car arcs (first_out/arcs[car]), edges,
 * geometry, via-node restrictions P->turns, the via-way paths, vertex flags
 * vflags[n_nodes] (HH_VFLAG_*) and the profile's turn costs.  HH_ENOMEM or
 * HH_ERANGE (a weight past 2^31 ds). */
int hh__turns_build(hh__net_parts *P, const hh_profile *p, const uint8_t *vflags,
                    const hh__turn_path *paths, uint32_t n_paths, const uint32_t *path_arcs,
                    hh__turn_stats *st);

/* Turn angle from car arc i onto car arc j at their common vertex, degrees,
 * > 0 to the right, 0 when either has no length to take a direction from. */
double hh__turns_angle(const hh__net_parts *P, uint32_t i, uint32_t j);

/* Seconds a car loses turning by angle_deg (-180 .. 180, > 0 a right turn,
 * 0 straight on) under the profile: the logistic curve of OSRM's stock car
 * profile (right-hand traffic: left turns cross the oncoming lane). */
double hh__turn_angle_cost(const hh_profile *p, double angle_deg);

#endif
