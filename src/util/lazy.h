/* lazy.h: derived data made on first use and kept until its owner closes.
 * A network file holds what every query needs; some queries also want a
 * form of it that depends on a parameter (the isochrone's samples on a
 * lattice of a given cell size) and is worth making once rather than per
 * query.  The table keeps such blobs by key, each built once however many
 * threads ask, and immutable after; it is bounded (entries and bytes), and
 * a caller that gets NULL does the work without it. */
#ifndef HH_UTIL_LAZY_H
#define HH_UTIL_LAZY_H

#include <stddef.h>
#include <stdint.h>

typedef struct hh__lazy hh__lazy;

/* Makes the blob for ctx: 0 and *blob, *bytes set, or an error. */
typedef int (*hh__lazy_build_fn)(void *ctx, void **blob, size_t *bytes);

/* The blob under key in *table (the table made on first call), built by
 * build(ctx) if absent; freed with hh__free when the table is.  NULL when
 * the build fails or the table is full: the caller goes without. */
const void *hh__lazy_get(hh__lazy **table, uint64_t key, hh__lazy_build_fn build, void *ctx);
void hh__lazy_free(hh__lazy *t);

#endif
