/* stages.h: the steps of the build stage (src/build/) that build.c strings
 * together and that a scenario (src/plan/scenario.c) reruns on a network
 * read back from its file: per mode the arcs and islands, the spatial
 * index, the car's turn graph (turns.h) and the contraction hierarchies
 * (street/ch.c), then the timetable and its links to the walk network
 * (transit.c).  Each step reads and writes hh__net_parts only.
 * Build-time only: nothing here is used once the network file is written. */
#ifndef HH_BUILD_STAGES_H
#define HH_BUILD_STAGES_H

#include "halfhour.h"
#include "build/turns.h"
#include "street/ch.h"
#include "transit/timetable.h"

struct hh__net_parts;

/* Mode m's arcs from the edges' per-mode durations (HH_DUR_NONE: closed),
 * its strongly connected components and the islands rule: fills
 * first_out[m], arcs[m], n_arcs[m], the edges' mode_mask bit m (cleared
 * first, as are old arrays, so the step can run again), st->comps[m],
 * arcs, scc_nodes and dropped_arcs.  tt: the stops the walk islands rule
 * looks at (NULL: none). */
int hh__build_mode(hh__net_parts *P, const hh_profile *p, int m, const hh__timetable *tt, hh_build_stats *st);

/* The spatial index over the edges some mode keeps (P->grid's bbox and
 * plane must be set); replaces an old one. */
int hh__build_grid(hh__net_parts *P);

/* How one mode's hierarchy is made by hh__build_ch. */
typedef struct hh__ch_plan {
    int keep;                  /* 1: ch[m] is given (e.g. the base file's): added as it is */
    const uint32_t *order_key; /* non-NULL: contract in this order (hh__ch_build_ordered),
                                * else from scratch (hh__ch_build) */
} hh__ch_plan;
/* Contraction hierarchies of the three modes (walk and bike on one thread,
 * car on another) into ch[], and their sections into P (referencing ch's
 * arrays: free them after the write).  plan: NULL, or one per mode. */
int hh__build_ch(struct hh__net_parts *P, hh__ch ch[HH_N_MODES], const hh__ch_plan *plan);

/* Adds sections VFLAGS, TURN_PATH and TURN_PATH_ARC: what hh__turns_build
 * was given, the via-way paths by edge_dir, so that the turn graph can be
 * built again from a file. */
int hh__build_store_turn_inputs(struct hh__net_parts *P, const uint8_t *vflags, const hh__turn_path *paths,
                                uint32_t n_paths, const uint32_t *path_arcs);

/* Adds the timetable, stop links and footpaths to `parts`; `streets` is the
 * street network the same parts were written to (links use its walk mode).
 * The timetable must outlive the parts (arrays are referenced, not copied). */
int hh__transit_build(const hh_net *streets, const hh__timetable *tt, const hh_profile *p,
                      struct hh__net_parts *parts, hh_build_stats *st, char *err, size_t errlen);

/* The same, reusing a previous build's stop links, footpaths and egress
 * tables: stops 0 .. n_prev-1 of tt are prev's stops and `streets` is the
 * walk network prev was linked to, so those stops keep their link and,
 * unless a stop after n_prev lies within a footpath's reach, their rows;
 * the others are computed (as a scenario adds stops). */
struct hh__transit;
int hh__transit_build_reuse(const hh_net *streets, const hh__timetable *tt, const hh_profile *p,
                            struct hh__net_parts *parts, hh_build_stats *st, const struct hh__transit *prev,
                            uint32_t n_prev, char *err, size_t errlen);

/* The streets of `parts` written to a temporary file and opened, then
 * hh__transit_build on them: stops are linked and footpaths found with the
 * very searches queries will use. */
int hh__build_add_transit(struct hh__net_parts *parts, const hh__timetable *tt, const hh_profile *p,
                          hh_build_stats *st, char *err, size_t errlen);

#endif
