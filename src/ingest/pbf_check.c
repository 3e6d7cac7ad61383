/* pbf_check.c: validates the framing of an OSM PBF file before libreadosm
 * sees it.  readosm trusts the sizes written in the file: a 700-byte file
 * can make it allocate 4 GB (found by fuzzing).  The PBF format caps a
 * BlobHeader at 64 KiB and a Blob (and its uncompressed content) at 32 MiB,
 * so every size is checked against those caps and against the file before
 * parsing starts.  Only the outer framing is read here (a few bytes per
 * block), not the compressed data. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "ingest/osm.h"
#include "util/alloc.h"

#define MAX_HEADER (64u * 1024)
#define MAX_BLOB (32u * 1024 * 1024)

/* Reads a protobuf varint from p[*i..n); -1 when malformed. */
static int varint(const uint8_t *p, size_t n, size_t *i, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*i >= n)
            return -1;
        uint8_t b = p[(*i)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Walks one message's fields; reports field `want` (varint or length).
 * Returns 0 when well formed. */
static int scan_fields(const uint8_t *p, size_t n, uint32_t want, uint64_t *val, int *found)
{
    size_t i = 0;
    *found = 0;
    while (i < n) {
        uint64_t key, v;
        if (varint(p, n, &i, &key))
            return -1;
        uint32_t field = (uint32_t)(key >> 3), wt = (uint32_t)(key & 7);
        if (wt == 0) {
            if (varint(p, n, &i, &v))
                return -1;
        } else if (wt == 2) {
            if (varint(p, n, &i, &v) || v > n - i)
                return -1;
            i += (size_t)v;
        } else if (wt == 1) {
            if (n - i < 8)
                return -1;
            i += 8, v = 0;
        } else if (wt == 5) {
            if (n - i < 4)
                return -1;
            i += 4, v = 0;
        } else {
            return -1;
        }
        if (field == want) {
            *val = v;
            *found = 1;
        }
    }
    return 0;
}

int hh__pbf_check(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    uint8_t *hdr = hh__malloc(MAX_HEADER), *blob = NULL;
    size_t blob_cap = 0;
    uint8_t lenb[4];
    if (!hdr) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    int rc = 0;
    long blocks = 0;
    size_t got;
    while ((got = fread(lenb, 1, 4, f)) == 4) {
        uint32_t hl = (uint32_t)lenb[0] << 24 | (uint32_t)lenb[1] << 16 | (uint32_t)lenb[2] << 8 | lenb[3];
        uint64_t datasize = 0;
        int found;
        if (hl == 0 || hl > MAX_HEADER || fread(hdr, 1, hl, f) != hl ||
            scan_fields(hdr, hl, 3, &datasize, &found) || !found || datasize == 0 || datasize > MAX_BLOB) {
            rc = HH_EFORMAT;
            break;
        }
        /* the Blob: raw_size (field 2) must respect the cap too */
        if (hh__grow(&blob, &blob_cap, (size_t)datasize, 1)) {
            rc = HH_ENOMEM;
            break;
        }
        if (fread(blob, 1, (size_t)datasize, f) != datasize) {
            rc = HH_ETRUNCATED;
            break;
        }
        uint64_t raw_size = 0;
        if (scan_fields(blob, (size_t)datasize, 2, &raw_size, &found) || raw_size > MAX_BLOB) {
            rc = HH_EFORMAT;
            break;
        }
        blocks++;
    }
    if (!rc && (got != 0 || ferror(f)))
        rc = HH_ETRUNCATED;
    if (!rc && blocks == 0)
        rc = HH_EFORMAT;
    fclose(f);
    hh__free(hdr), hh__free(blob);
    if (rc == HH_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (rc == HH_ETRUNCATED)
        snprintf(err, errlen, "%s: truncated OSM PBF file (block %ld incomplete)", path, blocks + 1);
    else if (rc)
        snprintf(err, errlen, "%s: not a valid OSM PBF file (bad block %ld framing)", path, blocks + 1);
    return rc;
}
