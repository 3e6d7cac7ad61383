/* seeds.h: how a point snapped onto an edge enters and leaves a search.
 * One rule for every search (Dijkstra, PHAST, bucket many-to-many), so they
 * agree to the decisecond: the partial edge between the snapped position and
 * each end vertex is rounded once to whole deciseconds (and decimetres), and
 * the straight connectors between the points and their streets are added in
 * seconds at the end, at the mode's connector speed.
 * Pure functions over the read-only network; any thread. */
#ifndef HH_STREET_SEEDS_H
#define HH_STREET_SEEDS_H

#include <stdint.h>

#include "halfhour.h"
#include "street/ch.h"

/* Up to two seeds for leaving `s` (to the edge's `to` going forward, to its
 * `from` going backward); returns how many. */
int hh__source_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed out[2]);
/* Up to two seeds for arriving at `s` (from `from` going forward, from `to`
 * going backward); returns how many. */
int hh__target_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed out[2]);
/* The path from o to t along their common edge passing no vertex: 0 with
 * its time and length, or -1 when they are on different edges or the
 * direction is closed. */
int hh__same_edge(const hh_net *net, hh_mode m, const hh_snap *o, const hh_snap *t, uint32_t *dur_ds,
                  uint32_t *len_dm);
/* Snaps every point; ok[i] says whether point i joined the network (points
 * too far away or out of range are not errors).  0 or the first other error. */
int hh__snap_all(const hh_net *net, hh_mode mode, double max_m, const hh_points *p, hh_snap *s,
                 unsigned char *ok);
/* Seconds over the straight connector of a snapped point. */
double hh__connector_s(const hh_net *net, hh_mode m, const hh_snap *s);

#endif
