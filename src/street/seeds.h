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
#include "net/net.h"

/* Seeds for leaving `s`; returns how many, at most hh__max_seeds(net).
 * Walk and bike: up to two vertices (the edge's `to` going forward, its
 * `from` going backward).  Car: turn nodes (build/turns.h), the arcs that
 * each allowed turn at the edge's ends leads onto, with the turn's cost;
 * a point on a vertex starts on every arc leaving it. */
int hh__source_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed *out);
/* Seeds for arriving at `s`; returns how many, at most hh__max_seeds(net).
 * Walk and bike: up to two vertices (from `from` going forward, from `to`
 * going backward).  Car: the turn nodes of the edge's two arcs (and their
 * copies) with the part of the arc up to the point; a point on a vertex is
 * reached at the end of every arc arriving there. */
int hh__target_seeds(const hh_net *net, hh_mode m, const hh_snap *s, uint32_t index, hh__ch_seed *out);
/* Room a caller needs for one point's seeds. */
static inline uint32_t hh__max_seeds(const hh_net *net) { return net->max_seeds > 2 ? net->max_seeds : 2; }
/* The path from o to t along their common edge passing no vertex: 0 with
 * its time and length, or -1 when they are on different edges or the
 * direction is closed.  Car also: t on an end vertex of o's edge, or both
 * on one vertex (paths the turn-node seeds do not see). */
int hh__same_edge(const hh_net *net, hh_mode m, const hh_snap *o, const hh_snap *t, uint32_t *dur_ds,
                  uint32_t *len_dm);
/* The vertex a snapped point sits on (fraction 0 or 1 of its edge), or
 * UINT32_MAX. */
uint32_t hh__point_vertex(const hh_net *net, const hh_snap *s);
/* Snaps every point; ok[i] says whether point i joined the network (points
 * too far away or out of range are not errors).  0 or the first other error. */
int hh__snap_all(const hh_net *net, hh_mode mode, double max_m, const hh_points *p, hh_snap *s,
                 unsigned char *ok);
/* Seconds over the straight connector of a snapped point. */
double hh__connector_s(const hh_net *net, hh_mode m, const hh_snap *s);

#endif
