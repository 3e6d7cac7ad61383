/* ch.h: contraction hierarchy of one mode's graph, with bucket many-to-many
 * and PHAST one-to-all queries.
 *
 * hh__ch_build() contracts the graph (lazy edge-difference + deleted-
 * neighbour ordering, bounded witness searches) and returns flat arrays of
 * fixed-size records that can be stored in the network file verbatim:
 *   rank[n]          vertex -> CH id (its place in the stored order)
 *   fwd_first[n+1]   CSR over CH ids of the upward forward graph fwd[]:
 *                    for x, arcs x -> head with head > x
 *   bwd_first[n+1]   CSR over CH ids of the upward backward graph bwd[]:
 *                    for x, arcs head -> x of the graph with head > x
 * CH ids sort vertices by CH level (longest downward path, so every arc
 * climbs at least one level), then by vertex id, so the PHAST sweep reads
 * the arrays sequentially from id n-1 down to 0 and keeps the input's
 * spatial order inside a level.  The metric is lexicographic (dur_ds, then
 * len_dm): every answer is the fastest time, and among equally fast paths
 * the shortest length, so results never depend on search order.
 *
 * Memory: hh__ch_build() puts all arrays in one block, ch->owned, released
 * by hh__ch_free(); a hh__ch filled by hand with pointers into a mapped file
 * has owned == NULL and needs no free.  A hh__ch and a hh__ch_buckets are
 * read-only after they are made and may be shared by any number of threads;
 * a hh__ch_ws belongs to one thread at a time.  hh__ch_buckets_build
 * allocates the buckets of one matrix (the caller frees them); the per-source
 * calls hh__ch_many_to_many and hh__ch_phast allocate nothing, except that
 * the first grows ws->row to the largest target count seen, once.
 * Limits: arc weights and seed offsets below 2^31 ds and 2^31 dm, and path
 * lengths below 2^32 dm (429 000 km).
 * Invariant: every arc of fwd and bwd goes from a lower to a strictly higher
 * CH id, and fwd_first / bwd_first start at 0, never decrease and end at
 * n_fwd / n_bwd (hh__ch_check verifies this for data read from a file). */
#ifndef HH_STREET_CH_H
#define HH_STREET_CH_H

#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define HH_CH_UNREACHED UINT32_MAX /* dur_ds / len_dm of an unreached pair */
#define HH_CH_NO_BOUND UINT32_MAX  /* max_ds meaning "no bound" */

/* One arc of the upward graphs; the record stored in the file. */
/* hh__ch_arc and hh__ch are defined in net/net.h: they are part of the
 * network file. */

/* Fills tail[n_bwd] with the tail of each bwd arc (the sweep's flat loop). */
void hh__ch_tails(const hh__ch *ch, uint32_t *tail);

/* Contracts the graph `first_out[n+1]`, `arcs` (CSR sorted by tail; parallel
 * arcs, self-loops, zero weights, one-way arcs and disconnected parts are
 * all fine).  Deterministic: the same input gives the same arrays.
 * HH_EINVAL for a malformed CSR (head out of range, first_out decreasing),
 * HH_ERANGE for an arc weight >= 2^31 or a shortcut whose sum reaches 2^31,
 * HH_ENOMEM.  n == 0 gives an empty hierarchy. */
int hh__ch_build(uint32_t n, const uint32_t *first_out, const hh__arc *arcs, hh__ch *out);
/* The same contraction in a given order instead of by priority: vertices
 * are contracted by ascending key[v] (ties by vertex id), each with the
 * same witness searches as above, so the result is a hierarchy as correct
 * as hh__ch_build's (answers equal), only its size depends on how good the
 * order is for this graph.  Skipping the priority estimates and their
 * updates, which are most of hh__ch_build's work, it is how a scenario
 * recontracts a changed graph in the order of the base's hierarchy. */
int hh__ch_build_ordered(uint32_t n, const uint32_t *first_out, const hh__arc *arcs, const uint32_t *key,
                         hh__ch *out);
/* The hierarchy of a changed graph from the hierarchy `old` of the graph
 * old_fo/old_arcs it was made for: node v of the new graph (first_out,
 * arcs; n nodes) is old node old_of[v], or a node the change added
 * (UINT32_MAX).  When every old node is still there and every old arc has
 * a path at most as long in the new graph (itself, or two arcs through an
 * added node: an edge split in two), the old hierarchy stays valid and is
 * updated in place: added nodes go on top of the old order (CH ids
 * old->n ..), old nodes keep their CH ids, and each arc the change added or
 * made faster has its lower triangles closed upward, lowest node first (a
 * valley a -> x -> c over a changed arc gets, or lowers, the shortcut
 * a -> c: the customisation step of a customisable hierarchy, limited to
 * what changed).  Otherwise (a slower or closed arc, a node gone) every
 * node is contracted again in the old order (hh__ch_build_ordered), since
 * a witness anywhere near may have relied on what changed.  *how (may be
 * NULL): 0 updated in place, 1 contracted again.  Answers are exact either
 * way.  HH_EINVAL for a bad mapping, HH_ERANGE, HH_ENOMEM. */
int hh__ch_update(const hh__ch *old, const uint32_t *old_fo, const hh__arc *old_arcs, uint32_t n,
                  const uint32_t *first_out, const hh__arc *arcs, const uint32_t *old_of, hh__ch *out, int *how);
/* Releases what hh__ch_build made (NULL and views are fine). */
void hh__ch_free(hh__ch *ch);

/* Checks a hierarchy read from a file: rank a permutation, first arrays
 * monotone from 0 to the arc counts, heads in range and above their tail.
 * 0, HH_EFORMAT or HH_ENOMEM. */
int hh__ch_check(const hh__ch *ch);

/* ---- queries ---------------------------------------------------------- */

/* Where a search starts or ends: a point snapped onto an edge becomes up to
 * two seeds (one per end vertex it can reach or be reached from), each with
 * the time and length between the point and that vertex. */
typedef struct hh__ch_seed {
    uint32_t vertex; /* vertex id of the mode's graph (not a CH id) */
    uint32_t dur_ds; /* offset between the point and the vertex, < 2^31 */
    uint32_t len_dm; /* < 2^31 */
    uint32_t index;  /* source or target this seed belongs to */
} hh__ch_seed;

/* Per-thread workspace, sized for n vertices by hh__ch_ws_init. */
typedef struct hh__ch_ws {
    uint32_t n;
    uint32_t gen;      /* search generation */
    uint32_t *stamp;   /* generation that last touched a CH id */
    uint64_t *dist;    /* key (dur_ds << 32 | len_dm) per CH id */
    uint32_t *heap;    /* 4-ary min-heap of CH ids */
    uint32_t *pos;     /* heap position, UINT32_MAX once settled */
    uint32_t heap_n;
    uint32_t *settled; /* CH ids settled (and not stalled) by the last search */
    uint32_t n_settled;
    uint64_t *row;     /* many-to-many: best key per target of one source */
    size_t cap_row;
} hh__ch_ws;

/* 0 or HH_ENOMEM (ws then needs no free).  hh__ch_ws_free accepts NULL and
 * a zeroed struct. */
int hh__ch_ws_init(hh__ch_ws *ws, uint32_t n);
void hh__ch_ws_free(hh__ch_ws *ws);

/* Buckets of the backward searches from all targets of one matrix. */
typedef struct hh__ch_bucket_entry {
    uint64_t key;    /* dur_ds << 32 | len_dm from the CH id to the target */
    uint32_t target; /* target index */
    uint32_t pad;
} hh__ch_bucket_entry;

typedef struct hh__ch_buckets {
    uint32_t n_targets;
    uint32_t max_ds;             /* bound the buckets were made with */
    uint32_t *first;             /* [n+1] by CH id */
    hh__ch_bucket_entry *entry;  /* by CH id, then target */
    size_t n_entries;
} hh__ch_buckets;

/* Runs one backward upward search per target (all its seeds at once; seeds
 * are grouped by index in non-decreasing order, index < n_targets; a target
 * without seeds is never reached) and collects the buckets.  Searches stop
 * at max_ds (HH_CH_NO_BOUND: none).  HH_EINVAL for seeds out of order or
 * out of range (vertex >= n, offsets >= 2^31), HH_ENOMEM; out is untouched
 * on failure.  Free with hh__ch_buckets_free (NULL-safe). */
int hh__ch_buckets_build(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds,
                         size_t n_seeds, uint32_t n_targets, uint32_t max_ds,
                         hh__ch_buckets *out);
void hh__ch_buckets_free(hh__ch_buckets *b);

/* Rows of the matrix for the sources first_source .. first_source+n_sources-1:
 * seeds (grouped by index, non-decreasing, every index in that range) start
 * one forward upward search per source, which scans the buckets.
 * dur_ds[(i - first_source) * n_targets + j] receives the fastest time from
 * source i to target j, len_dm (may be NULL) the length of that path (the
 * shortest among equally fast ones); both HH_CH_UNREACHED when unreachable
 * or slower than the buckets' max_ds.  A source and a target at the same
 * vertex meet there at the sum of their offsets; a path along one edge that
 * passes no vertex is the caller's business.  Rows do not depend on how
 * the caller splits sources between calls or threads.  HH_EINVAL for bad
 * seeds, HH_ENOMEM only when ws->row must first grow. */
int hh__ch_many_to_many(const hh__ch *ch, const hh__ch_buckets *b, hh__ch_ws *ws,
                        const hh__ch_seed *seeds, size_t n_seeds, uint32_t first_source,
                        uint32_t n_sources, uint32_t *dur_ds, uint32_t *len_dm);

/* PHAST one-to-all: an upward search from the seeds (index ignored), then a
 * sweep over all CH ids from n-1 down to 0.  Writes dur_ds[v] and len_dm[v]
 * for every vertex v (either array may be NULL), HH_CH_UNREACHED beyond
 * max_ds or when unreachable; the results also stay in ws until its next
 * search (read them with hh__ch_phast_get).  HH_EINVAL for bad seeds. */
int hh__ch_phast(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds, size_t n_seeds,
                 uint32_t max_ds, uint32_t *dur_ds, uint32_t *len_dm);

/* PHAST as above, and in the same sweep each node x's arrival at node_head[x]
 * (by CH id): its time + node_key[x], the least kept in arrive[vertex]
 * (which the caller fills with UINT64_MAX first).  For the car's turn
 * graph, where a turn node stands for an arc and a vertex's time is the
 * earliest arrival by any of its arcs. */
int hh__ch_phast_arrivals(const hh__ch *ch, hh__ch_ws *ws, const hh__ch_seed *seeds, size_t n_seeds,
                          uint32_t max_ds, const uint32_t *node_head, const uint64_t *node_key,
                          uint64_t *arrive);

/* Result of the last hh__ch_phast for vertex v: 0, or HH_ERANGE when it was
 * not reached (outs untouched); len_dm may be NULL. */
static inline int hh__ch_phast_get(const hh__ch *ch, const hh__ch_ws *ws, uint32_t v,
                                   uint32_t *dur_ds, uint32_t *len_dm)
{
    uint64_t k = ws->dist[ch->rank[v]];
    if (k >> 32 == HH_CH_UNREACHED)
        return HH_ERANGE;
    *dur_ds = (uint32_t)(k >> 32);
    if (len_dm)
        *len_dm = (uint32_t)k;
    return 0;
}

#endif
