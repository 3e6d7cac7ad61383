/* spread.h: the many-origin driver's side of hh_spread (halfhour.h): the
 * blocks of one driver run, where each comes from (the checkpoint, this
 * rank, another rank) and the block files.  reach/many.c runs the blocks;
 * this file keeps their bookkeeping, the checkpoint folder and the
 * messages.  A block travels as one buffer, the same bytes in a message
 * and in a checkpoint file: a header, then per row the values the run's
 * deliver() reads (many.c decides which). */
#ifndef HH_REACH_SPREAD_H
#define HH_REACH_SPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"

typedef struct hh__blk_hdr {
    char magic[8];
    uint8_t fp[32];      /* the run's fingerprint */
    uint64_t block, n_rows, row_vals;
    int64_t rc;          /* a message: 0, or the sender's error (then no rows) */
    uint32_t crc;        /* CRC-32 of the rows (checkpoint files) */
    uint32_t pad;
} hh__blk_hdr;

typedef struct hh__spread_run {
    hh_spread *s;
    uint8_t fp[32];
    unsigned run;           /* the spread's driver runs so far */
    size_t n_items, n_blocks, block_rows, row_vals;
    unsigned char *done;    /* per block: in the checkpoint (every rank has it) */
} hh__spread_run;

int hh__spread_rank_of(const hh_spread *s);
int hh__spread_size_of(const hh_spread *s);
/* Starts a driver run of n_items rows of row_vals doubles; req is the
 * digest of the request (points, mode, limits).  Collective. */
int hh__spread_begin(hh_spread *s, const uint8_t req[32], size_t n_items, size_t row_vals, hh__spread_run *r);
void hh__spread_end(hh__spread_run *r);
/* The buffer for one block: header + rows; bytes of a full one. */
size_t hh__spread_buf_bytes(const hh__spread_run *r);
/* Rank 0: block b from the checkpoint into buf; 0 when it is there and sound. */
int hh__spread_load(hh__spread_run *r, size_t b, void *buf);
/* Rank 0: buf (block b, its header filled by hh__spread_fill) into the checkpoint. */
int hh__spread_save(hh__spread_run *r, void *buf);
/* Header of block b with n rows (rc: an error message instead). */
void hh__spread_fill(const hh__spread_run *r, void *buf, size_t b, size_t n, int rc);
/* Counts (rank 0's view). */
void hh__spread_count(hh__spread_run *r, int resumed);
/* 1 when rank 0 keeps a checkpoint. */
int hh__spread_has_dir(const hh_spread *s);
/* Broadcasts n bytes from rank 0 (every rank calls it; no-op alone). */
int hh__spread_bcast(const hh_spread *s, void *buf, size_t n);

#endif
