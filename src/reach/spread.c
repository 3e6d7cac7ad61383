/* spread.c: hh_spread (halfhour.h) and the block bookkeeping of
 * reach/spread.h.  The checkpoint folder belongs to rank 0 alone: it reads
 * the manifest and which blocks are there and broadcasts the verdict, so
 * the other ranks need no access to the folder (a node-local disk on rank
 * 0's node is enough). */
#include "reach/spread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "par/comm.h"
#include "util/alloc.h"
#include "util/outfile.h"

#define BLK_MAGIC "HHBLK001"
#define MANIFEST_HEAD "halfhour checkpoint 1\n"
/* block size: about this many bytes of rows, at most MAX_ROWS origins, and
 * at least MIN_BLOCKS blocks when the origins allow (ranks stay busy to
 * the end; a restart loses little) */
#define BLOCK_BYTES (4u << 20)
#define MAX_ROWS 256
#define MIN_BLOCKS 256

struct hh_spread {
    int rank, size, inited;
    int lock_fd;           /* rank 0: the folder's lock, held for the run */
    char *dir;
    uint8_t key[32];
    unsigned runs;
    hh_spread_stats st;
    void (*on_block)(void *ud, size_t n);
    void *ud;
    size_t written;
};

int hh_mpi_available(void) { return hh__comm_available(); }
int hh_spread_rank(const hh_spread *s) { return s ? s->rank : 0; }
int hh_spread_ranks(const hh_spread *s) { return s ? s->size : 1; }
int hh__spread_rank_of(const hh_spread *s) { return s ? s->rank : 0; }
int hh__spread_size_of(const hh_spread *s) { return s ? s->size : 1; }
int hh__spread_has_dir(const hh_spread *s) { return s && s->dir; }

void hh_spread_get_stats(const hh_spread *s, hh_spread_stats *st)
{
    memset(st, 0, sizeof *st);
    if (s)
        *st = s->st;
}

static void put_u64(struct sha256_ctx *c, uint64_t v) { sha256_update(c, sizeof v, (const uint8_t *)&v); }

/* The content of a regular file into the hash; 1 when path is none. */
static int hash_file(struct sha256_ctx *c, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) || !S_ISREG(sb.st_mode))
        return 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    static const char tag[] = "file";
    sha256_update(c, sizeof tag, (const uint8_t *)tag);
    put_u64(c, (uint64_t)sb.st_size);
    uint8_t *buf = hh__malloc(1u << 20);
    int rc = buf ? 0 : HH_ENOMEM;
    ssize_t n;
    while (!rc && (n = read(fd, buf, 1u << 20)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = HH_EIO;
            break;
        }
        sha256_update(c, (size_t)n, buf);
    }
    hh__free(buf);
    close(fd);
    return rc;
}

static int make_key(const hh_spread_opts *o, uint8_t key[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    static const char tag[] = "halfhour spread 1";
    sha256_update(&c, sizeof tag, (const uint8_t *)tag);
    for (size_t i = 0; i < o->n_args; i++) {
        const char *a = o->args[i];
        put_u64(&c, strlen(a));
        sha256_update(&c, strlen(a), (const uint8_t *)a);
        const char *eq = a[0] == '-' ? strchr(a, '=') : NULL;
        int rc = hash_file(&c, eq ? eq + 1 : a);
        if (rc < 0)
            return rc;
    }
    sha256_digest(&c, 32, key);
    return 0;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Rank 0: the folder and its manifest.  0, or an error with err set. */
static int open_dir(hh_spread *s, char *err, size_t errlen)
{
    const char *d = s->dir;
    struct stat sb;
    if (mkdir(d, 0777) && errno != EEXIST) {
        snprintf(err, errlen, "--checkpoint %s: cannot create the folder: %s", d, strerror(errno));
        return HH_EIO;
    }
    if (stat(d, &sb) || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--checkpoint %s: not a folder", d);
        return HH_EINVAL;
    }
    /* one run per folder at a time: flock(2) goes with the process, a
     * killed run's lock included */
    size_t dl0 = strlen(d) + 8;
    char *lp = hh__malloc(dl0);
    if (!lp) {
        snprintf(err, errlen, "out of memory");
        return HH_ENOMEM;
    }
    snprintf(lp, dl0, "%s/lock", d);
    s->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    hh__free(lp);
    if (s->lock_fd < 0) {
        snprintf(err, errlen, "--checkpoint %s: cannot create its lock file: %s", d, strerror(errno));
        return HH_EIO;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
        snprintf(err, errlen, "--checkpoint %s: another run is using the folder", d);
        return HH_EINVAL;
    }
    /* temporary block files of a run killed while writing one: never renamed,
     * never read; the lock says no run is writing them now */
    DIR *dp = opendir(d);
    for (struct dirent *de; dp && (de = readdir(dp));) {
        size_t nl = strlen(de->d_name);
        if (nl > 3 && !strncmp(de->d_name, "run", 3) && strstr(de->d_name, ".blk.tmp-")) {
            char *tp = hh__malloc(strlen(d) + nl + 2);
            if (tp) {
                snprintf(tp, strlen(d) + nl + 2, "%s/%s", d, de->d_name);
                unlink(tp);
                hh__free(tp);
            }
        }
    }
    if (dp)
        closedir(dp);
    char want[sizeof MANIFEST_HEAD + 80], have[sizeof want + 1];
    char kh[65];
    hex(s->key, 32, kh);
    snprintf(want, sizeof want, "%skey %s\n", MANIFEST_HEAD, kh);
    size_t dl = strlen(d);
    char *path = hh__malloc(dl + 16);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return HH_ENOMEM;
    }
    snprintf(path, dl + 16, "%s/manifest", d);
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(have, 1, sizeof have - 1, f);
        have[n] = 0;
        fclose(f);
        if (strcmp(have, want)) {
            snprintf(err, errlen,
                     "--checkpoint %s: the folder holds another run (different arguments, input files or "
                     "network); remove it or choose another folder", d);
            rc = HH_EINVAL;
        }
    } else if (errno != ENOENT) {
        snprintf(err, errlen, "--checkpoint %s: cannot read %s: %s", d, path, strerror(errno));
        rc = HH_EIO;
    } else {
        hh__outfile of;
        if ((rc = hh__outfile_open(&of, path, err, errlen)) == 0) {
            if (hh__write_all(of.fd, want, strlen(want))) {
                snprintf(err, errlen, "--checkpoint %s: cannot write the manifest: %s", d, strerror(errno));
                hh__outfile_abort(&of);
                rc = HH_EIO;
            } else {
                rc = hh__outfile_commit(&of, path, err, errlen);
            }
        }
    }
    hh__free(path);
    return rc;
}

int hh_spread_open(const hh_spread_opts *o, hh_spread **out, char *err, size_t errlen)
{
    char e[512] = "";
    if (o->mpi && !hh__comm_available()) {
        snprintf(err, errlen, "--mpi: this halfhour was built without MPI (build it with make MPI=1)");
        return HH_EINVAL;
    }
    hh_spread *s = hh__calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return HH_ENOMEM;
    }
    s->size = 1, s->lock_fd = -1;
    s->on_block = o->on_block, s->ud = o->ud;
    int rc = 0;
    if (o->mpi && (rc = hh__comm_begin(&s->rank, &s->size, &s->inited))) {
        snprintf(err, errlen, "--mpi: cannot join the MPI job (started by mpirun?)");
        hh__free(s);
        return rc;
    }
    if (o->checkpoint) {
        int32_t verdict = 0;
        if (s->rank == 0) {
            if (!(s->dir = hh__strdup(o->checkpoint)))
                verdict = HH_ENOMEM, snprintf(e, sizeof e, "out of memory");
            else if ((verdict = make_key(o, s->key)))
                snprintf(e, sizeof e, "--checkpoint: cannot read the inputs: %s", hh_strerror(verdict));
            else
                verdict = open_dir(s, e, sizeof e);
        }
        if (s->size > 1 && hh__spread_bcast(s, &verdict, sizeof verdict))
            verdict = HH_EIO, snprintf(e, sizeof e, "--mpi: a broadcast failed");
        if (verdict && s->rank != 0)
            snprintf(e, sizeof e, "--checkpoint %s: refused by rank 0", o->checkpoint);
        rc = verdict;
    }
    if (rc) {
        snprintf(err, errlen, "%s", e);
        hh__comm_end(s->inited, 1);
        if (s->lock_fd >= 0)
            close(s->lock_fd);
        hh__free(s->dir), hh__free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void hh_spread_close(hh_spread *s, int ok)
{
    if (!s)
        return;
    if (s->size > 1 || s->inited)
        hh__comm_end(s->inited, ok);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    hh__free(s->dir);
    hh__free(s);
}

int hh__spread_bcast(const hh_spread *s, void *buf, size_t n)
{
    return s && s->size > 1 ? hh__comm_bcast(buf, n) : 0;
}

static char *block_path(const hh__spread_run *r, size_t b)
{
    size_t n = strlen(r->s->dir) + 64;
    char *p = hh__malloc(n);
    if (p)
        snprintf(p, n, "%s/run%u-%06zu.blk", r->s->dir, r->run, b);
    return p;
}

int hh__spread_begin(hh_spread *s, const uint8_t req[32], size_t n_items, size_t row_vals, hh__spread_run *r)
{
    memset(r, 0, sizeof *r);
    r->s = s, r->run = s->runs++, r->n_items = n_items, r->row_vals = row_vals;
    size_t by_bytes = BLOCK_BYTES / (row_vals * sizeof(double));
    size_t by_count = (n_items + MIN_BLOCKS - 1) / MIN_BLOCKS;
    by_count = by_count < 8 ? 8 : by_count > MAX_ROWS ? MAX_ROWS : by_count;
    r->block_rows = by_bytes < by_count ? by_bytes : by_count;
    if (r->block_rows < 1)
        r->block_rows = 1;
    r->n_blocks = (n_items + r->block_rows - 1) / r->block_rows;
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, 32, s->key);
    sha256_update(&c, 32, req);
    put_u64(&c, r->run), put_u64(&c, n_items), put_u64(&c, row_vals), put_u64(&c, r->block_rows);
    sha256_digest(&c, 32, r->fp);
    if (!(r->done = hh__calloc(r->n_blocks + 1, 1)))
        return HH_ENOMEM;
    if (s->rank == 0 && s->dir)
        for (size_t b = 0; b < r->n_blocks; b++) {
            char *p = block_path(r, b);
            struct stat sb;
            if (!p)
                return HH_ENOMEM;
            r->done[b] = stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
            hh__free(p);
        }
    int rc = hh__spread_bcast(s, r->done, r->n_blocks);
    s->st.blocks += r->n_blocks;
    return rc;
}

void hh__spread_end(hh__spread_run *r)
{
    hh__free(r->done);
    r->done = NULL;
}

size_t hh__spread_buf_bytes(const hh__spread_run *r)
{
    return sizeof(hh__blk_hdr) + r->block_rows * r->row_vals * sizeof(double);
}

static size_t rows_of(const hh__spread_run *r, size_t b)
{
    size_t lo = b * r->block_rows, hi = lo + r->block_rows;
    return (hi < r->n_items ? hi : r->n_items) - lo;
}

void hh__spread_fill(const hh__spread_run *r, void *buf, size_t b, size_t n, int rc)
{
    hh__blk_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, BLK_MAGIC, 8);
    memcpy(h.fp, r->fp, 32);
    h.block = b, h.n_rows = n, h.row_vals = r->row_vals, h.rc = rc;
    memcpy(buf, &h, sizeof h);
}

int hh__spread_load(hh__spread_run *r, size_t b, void *buf)
{
    char *p = block_path(r, b);
    if (!p)
        return HH_ENOMEM;
    FILE *f = fopen(p, "rb");
    hh__free(p);
    if (!f)
        return 1;
    size_t n = rows_of(r, b), want = sizeof(hh__blk_hdr) + n * r->row_vals * sizeof(double);
    size_t got = fread(buf, 1, want, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    hh__blk_hdr h;
    if (got != want || extra)
        return 1;
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, BLK_MAGIC, 8) || memcmp(h.fp, r->fp, 32) || h.block != b || h.n_rows != n ||
        h.row_vals != r->row_vals || h.rc != 0 ||
        h.crc != libdeflate_crc32(0, (const char *)buf + sizeof h, want - sizeof h))
        return 1;
    return 0;
}

int hh__spread_save(hh__spread_run *r, void *buf)
{
    hh__blk_hdr h;
    memcpy(&h, buf, sizeof h);
    size_t bytes = (size_t)h.n_rows * r->row_vals * sizeof(double);
    memcpy(h.fp, r->fp, 32); /* a block from another rank: only rank 0 knows the key */
    h.crc = libdeflate_crc32(0, (const char *)buf + sizeof h, bytes);
    memcpy(buf, &h, sizeof h);
    char *p = block_path(r, (size_t)h.block);
    if (!p)
        return HH_ENOMEM;
    hh__outfile of;
    char e[256];
    int rc = hh__outfile_open(&of, p, e, sizeof e);
    if (!rc) {
        if (hh__write_all(of.fd, buf, sizeof h + bytes)) {
            hh__outfile_abort(&of);
            rc = HH_EIO;
        } else {
            rc = hh__outfile_commit(&of, p, e, sizeof e) ? HH_EIO : 0;
        }
    }
    hh__free(p);
    if (!rc && r->s->on_block)
        r->s->on_block(r->s->ud, ++r->s->written);
    return rc;
}

void hh__spread_count(hh__spread_run *r, int resumed)
{
    if (resumed)
        r->s->st.blocks_resumed++;
    else
        r->s->st.blocks_computed++;
}
