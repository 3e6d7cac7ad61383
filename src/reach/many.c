/* many.c: the many-origin driver (many.h).  Street rows come from the
 * network's contraction hierarchy when it has one for the mode -- buckets
 * from every destination once, then one small upward search per origin,
 * what OSRM's table does -- or else from one bounded Dijkstra per origin;
 * transit rows from one range-RAPTOR run per origin.  util/rows.c computes
 * rows in parallel and hands them over in origin order. */
#include "reach/many.h"

#include <math.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "par/comm.h"
#include "reach/spread.h"
#include "street/query.h"
#include "street/seeds.h"
#include "transit/raptor.h"
#include "util/alloc.h"
#include "util/rows.h"

typedef struct worker {
    hh_query *q;               /* street: Dijkstra (no CH) */
    hh__ch_ws ws;              /* street: CH upward searches */
    uint32_t *dur, *len;       /* street: one CH row */
    hh__ch_seed *seeds;        /* street: one origin's */
    hh_transit_query *tq;      /* transit */
    double *out;               /* n_out: reduce()'s scratch, one per worker */
} worker;

typedef struct job {
    const hh__many_req *r;
    const hh__many_fns *f;
    const hh_net *net;
    hh_mode mode;              /* the snapping mode (walk for transit) */
    size_t n_dest, n_val;
    hh_snap *so, *sd;
    unsigned char *oko, *okd;
    double *time, *dist;       /* window x n_dest x n_val (dist: street only) */
    double *red;               /* window x n_out */
    /* street with a CH */
    const hh__ch *ch;
    hh__ch_buckets buckets;
    double *conn_d;            /* connector seconds per destination */
    uint32_t *vert_d;          /* the vertex a destination sits on, or UINT32_MAX */
    /* transit: snapped destinations, compacted */
    hh_snap *targets;
    size_t *tindex;            /* destination of each target */
    size_t *tslot;             /* target of each destination, or SIZE_MAX */
    size_t n_targets;
    worker *ws;
    size_t block;
} job;

int hh__many_threads(int threads) { return hh__rows_threads(threads); }

/* ---- street ---------------------------------------------------------- */

static int street_ch(job *j, worker *w, size_t i, double *t, double *d)
{
    hh__ch_seed *seeds = w->seeds;
    hh_mode m = j->mode;
    const hh_snap *so = &j->so[i];
    int ns = hh__source_seeds(j->net, m, so, (uint32_t)i, seeds);
    int rc = hh__ch_many_to_many(j->ch, &j->buckets, &w->ws, seeds, (size_t)ns, (uint32_t)i, 1, w->dur, w->len);
    if (rc)
        return rc;
    double conn_o = hh__connector_s(j->net, m, so);
    const hh__edge *oe = &j->net->edges[so->edge];
    for (size_t k = 0; k < j->n_dest; k++) {
        if (!j->okd[k])
            continue;
        uint64_t best = w->dur[k] == HH_CH_UNREACHED ? UINT64_MAX : (uint64_t)w->dur[k] << 32 | w->len[k];
        uint32_t dd, dl;
        /* the paths the seeds do not see: along one edge, and (car) onto a
         * vertex of the origin's edge */
        int maybe = so->edge == j->sd[k].edge ||
                    (m == HH_MODE_CAR && j->vert_d[k] != UINT32_MAX &&
                     (j->vert_d[k] == oe->from || j->vert_d[k] == oe->to));
        if (maybe && hh__same_edge(j->net, m, so, &j->sd[k], &dd, &dl) == 0) {
            uint64_t key = (uint64_t)dd << 32 | dl;
            best = key < best ? key : best;
        }
        if (best == UINT64_MAX)
            continue;
        double tt = (double)(best >> 32) / 10.0 + conn_o + j->conn_d[k];
        if (tt > j->r->max_s)
            continue;
        t[k] = tt;
        d[k] = (double)(uint32_t)best / 10.0 + so->off_m + j->sd[k].off_m;
    }
    return 0;
}

static int street_row(job *j, worker *w, size_t i, double *t, double *d)
{
    if (j->ch)
        return street_ch(j, w, i, t, d);
    int rc = hh_query_run(w->q, j->mode, &j->so[i], j->r->max_s);
    if (rc)
        return rc;
    for (size_t k = 0; k < j->n_dest; k++) {
        double tt, dd;
        if (j->okd[k] && hh_query_time_to(w->q, &j->sd[k], &tt, &dd) == 0)
            t[k] = tt, d[k] = dd;
    }
    return 0;
}

/* Buckets of every snapped destination (CH only). */
static int street_prepare(job *j)
{
    const hh_net *net = j->net;
    hh_mode m = j->mode;
    size_t nd = j->n_dest;
    size_t ms = hh__max_seeds(net);
    hh__ch_seed *ts = nd < SIZE_MAX / ms - 1 ? hh__alloc_array(ms * nd + 1, sizeof *ts) : NULL;
    j->conn_d = hh__alloc_array(nd + 1, sizeof *j->conn_d);
    j->vert_d = hh__alloc_array(nd + 1, sizeof *j->vert_d);
    if (!ts || !j->conn_d || !j->vert_d) {
        hh__free(ts);
        return HH_ENOMEM;
    }
    size_t nts = 0;
    for (size_t k = 0; k < nd; k++) {
        j->conn_d[k] = j->okd[k] ? hh__connector_s(net, m, &j->sd[k]) : 0;
        j->vert_d[k] = j->okd[k] ? hh__point_vertex(net, &j->sd[k]) : UINT32_MAX;
        if (j->okd[k])
            nts += (size_t)hh__target_seeds(net, m, &j->sd[k], (uint32_t)k, ts + nts);
    }
    double mx = j->r->max_s * 10.0;
    uint32_t max_ds = isinf(j->r->max_s) || mx >= HH_CH_NO_BOUND - 1 ? HH_CH_NO_BOUND : (uint32_t)floor(mx);
    int rc = hh__ch_buckets_build(j->ch, &j->ws[0].ws, ts, nts, (uint32_t)nd, max_ds, &j->buckets);
    hh__free(ts);
    return rc;
}

/* ---- transit ----------------------------------------------------------- */

static const uint32_t *transit_samples(const hh__many_row *row, size_t dest)
{
    const job *j = ((const void *const *)row->priv)[0];
    const worker *w = ((const void *const *)row->priv)[1];
    size_t k = dest < j->n_dest ? j->tslot[dest] : SIZE_MAX;
    return k == SIZE_MAX ? NULL : hh__transit_query_samples(w->tq, k);
}

static int transit_row(job *j, worker *w, size_t i, double *t)
{
    int rc = hh_transit_query_run(w->tq, &j->so[i], j->targets, j->n_targets);
    if (rc)
        return rc;
    for (size_t k = 0; k < j->n_targets; k++)
        hh_transit_percentiles(w->tq, k, j->r->pct, j->r->n_pct, t + j->tindex[k] * j->n_val);
    return 0;
}

/* ---- the driver ---------------------------------------------------------- */

static int run_origin(void *ctx, int worker_id, size_t i, size_t slot)
{
    job *j = ctx;
    worker *w = &j->ws[worker_id];
    size_t nv = j->n_dest * j->n_val;
    double *t = j->time + slot * nv;
    double *d = j->dist ? j->dist + slot * j->n_dest : NULL;
    for (size_t k = 0; k < nv; k++)
        t[k] = NAN;
    for (size_t k = 0; d && k < j->n_dest; k++)
        d[k] = NAN;
    const hh_stop *stop = j->r->stop;
    if (stop && stop->fn && stop->fn(stop->ud))
        return HH_ECANCELED;
    int rc = 0;
    if (j->oko[i])
        rc = j->r->transit ? transit_row(j, w, i, t) : street_row(j, w, i, t, d);
    if (rc || !j->f->reduce)
        return rc;
    const void *priv[2] = {j, w};
    hh__many_row row = {i, j->oko[i], j->n_dest, j->n_val, t, d, 0, NULL, priv};
    if (j->r->transit && j->oko[i]) {
        row.n_samples = hh_transit_samples(j->r->transit);
        row.samples = transit_samples;
    }
    return j->f->reduce(j->f->ud, worker_id, &row, j->red + slot * j->f->n_out);
}

static int deliver(void *ctx, size_t i, size_t slot)
{
    job *j = ctx;
    size_t nv = j->n_dest * j->n_val;
    hh__many_row row = {i, j->oko[i], j->n_dest, j->n_val, j->time + slot * nv,
                        j->dist ? j->dist + slot * j->n_dest : NULL, 0, NULL, NULL};
    const double *out = j->f->reduce ? j->red + slot * j->f->n_out : NULL;
    return j->f->deliver ? j->f->deliver(j->f->ud, &row, out) : 0;
}

/* ---- spread runs: blocks of origins over ranks and a checkpoint ---------- */

/* Row layout in a block: snapped (1 or 0), then the time_s values, the
 * dist_m values and reduce()'s values that deliver() reads. */
typedef struct blk {
    job *j;
    size_t base;               /* first origin of the block */
    double *rows;
    size_t row_vals;
    int need_t, need_d;
} blk;

static int blk_work(void *ctx, int worker_id, size_t i, size_t slot)
{
    blk *b = ctx;
    return run_origin(b->j, worker_id, b->base + i, slot);
}

static int blk_put(void *ctx, size_t i, size_t slot)
{
    blk *b = ctx;
    job *j = b->j;
    size_t nv = j->n_dest * j->n_val, o = b->base + i;
    double *p = b->rows + i * b->row_vals;
    *p++ = j->oko[o] ? 1 : 0;
    if (b->need_t) {
        memcpy(p, j->time + slot * nv, nv * sizeof *p);
        p += nv;
    }
    if (b->need_d) {
        memcpy(p, j->dist + slot * j->n_dest, j->n_dest * sizeof *p);
        p += j->n_dest;
    }
    if (j->f->reduce)
        memcpy(p, j->red + slot * j->f->n_out, j->f->n_out * sizeof *p);
    return 0;
}

/* Block bi (n rows) computed here into buf's rows. */
static int blk_compute(blk *b, int nt, size_t bi, size_t block_rows, size_t n, void *buf)
{
    b->base = bi * block_rows;
    b->rows = (double *)((char *)buf + sizeof(hh__blk_hdr));
    return hh__rows_run(n, nt, b->j->block, blk_work, blk_put, b);
}

static int blk_deliver(blk *b, const void *buf, size_t bi, size_t block_rows, size_t n)
{
    job *j = b->j;
    const double *p = (const double *)((const char *)buf + sizeof(hh__blk_hdr));
    size_t nv = j->n_dest * j->n_val;
    for (size_t i = 0; i < n; i++, p += b->row_vals) {
        const double *q = p + 1;
        hh__many_row row = {bi * block_rows + i, p[0] != 0, j->n_dest, j->n_val, NULL, NULL, 0, NULL, NULL};
        if (b->need_t)
            row.time_s = q, q += nv;
        if (b->need_d)
            row.dist_m = q, q += j->n_dest;
        int rc = j->f->deliver ? j->f->deliver(j->f->ud, &row, j->f->reduce ? q : NULL) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static void digest_points(struct sha256_ctx *c, const hh_points *p)
{
    uint64_t n = p->n;
    sha256_update(c, sizeof n, (const uint8_t *)&n);
    if (p->n) {
        sha256_update(c, p->n * sizeof *p->lon, (const uint8_t *)p->lon);
        sha256_update(c, p->n * sizeof *p->lat, (const uint8_t *)p->lat);
    }
}

/* What makes one driver run's rows: the points and the search's settings
 * (the arguments behind them are in the spread's key). */
static void request_digest(const job *j, int need_t, int need_d, uint8_t out[32])
{
    const hh__many_req *r = j->r;
    struct sha256_ctx c;
    sha256_init(&c);
    digest_points(&c, r->orig);
    digest_points(&c, r->dest);
    double v[6] = {(double)r->mode, r->max_s, r->snap_max_m, (double)j->n_val, (double)j->f->n_out,
                   (double)(r->transit != NULL) + 2.0 * need_t + 4.0 * need_d};
    sha256_update(&c, sizeof v, (const uint8_t *)v);
    if (r->transit && r->pct)
        sha256_update(&c, r->n_pct * sizeof *r->pct, (const uint8_t *)r->pct);
    sha256_digest(&c, 32, out);
}

/* Every rank: its share of the blocks not in the checkpoint, computed with
 * its threads; rank 0 also receives the others' in block order and
 * delivers every block (and writes what it did not read to the checkpoint).
 * Ranks other than 0 keep two buffers: one in flight, one being filled. */
static int spread_rows(job *j, int nt)
{
    hh_spread *s = j->r->spread;
    int rank = hh__spread_rank_of(s), size = hh__spread_size_of(s);
    blk b = {j, 0, NULL, 1, !(j->f->skip & HH__MANY_SKIP_TIME), j->dist && !(j->f->skip & HH__MANY_SKIP_DIST)};
    b.row_vals += (b.need_t ? j->n_dest * j->n_val : 0) + (b.need_d ? j->n_dest : 0) +
                  (j->f->reduce ? j->f->n_out : 0);
    uint8_t dg[32];
    request_digest(j, b.need_t, b.need_d, dg);
    hh__spread_run sr;
    int rc = hh__spread_begin(s, dg, j->r->orig->n, b.row_vals, &sr);
    void *buf[2] = {NULL, NULL};
    hh__comm_req *req[2] = {NULL, NULL};
    size_t bytes = hh__spread_buf_bytes(&sr);
    if (!rc && (!(buf[0] = hh__malloc(bytes)) || (rank && !(buf[1] = hh__malloc(bytes)))))
        rc = HH_ENOMEM;
    size_t k = 0; /* blocks dealt so far */
    int cur = 0;
    for (size_t bi = 0; !rc && bi < sr.n_blocks; bi++) {
        size_t n = bi + 1 < sr.n_blocks ? sr.block_rows : sr.n_items - bi * sr.block_rows;
        if (rank != 0) {
            if (sr.done[bi] || k++ % (size_t)size != (size_t)rank)
                continue;
            if ((rc = hh__comm_wait(&req[cur])))
                break;
            int e = blk_compute(&b, nt, bi, sr.block_rows, n, buf[cur]);
            hh__spread_fill(&sr, buf[cur], bi, e ? 0 : n, e);
            rc = hh__comm_isend(0, buf[cur], sizeof(hh__blk_hdr) + (e ? 0 : n * sr.row_vals * sizeof(double)),
                                &req[cur]);
            if (!rc)
                rc = e;
            if (!e)
                hh__spread_count(&sr, 0);
            cur ^= 1;
            continue;
        }
        int from_file = 0;
        if (sr.done[bi]) {
            int l = hh__spread_load(&sr, bi, buf[0]);
            if (l < 0) {
                rc = l;
                break;
            }
            from_file = l == 0; /* a block file that fails its checks is searched again, here */
            if (!from_file && (rc = blk_compute(&b, nt, bi, sr.block_rows, n, buf[0])) == 0)
                hh__spread_fill(&sr, buf[0], bi, n, 0);
        } else {
            int owner = (int)(k++ % (size_t)size);
            if (owner == 0) {
                if ((rc = blk_compute(&b, nt, bi, sr.block_rows, n, buf[0])) == 0)
                    hh__spread_fill(&sr, buf[0], bi, n, 0);
            } else {
                size_t got;
                hh__blk_hdr h;
                if ((rc = hh__comm_recv(owner, buf[0], bytes, &got)))
                    break;
                memcpy(&h, buf[0], sizeof h);
                if (got < sizeof h || (h.rc == 0 && (h.block != bi || h.n_rows != n || got != sizeof h + n * sr.row_vals * sizeof(double))))
                    rc = HH_EIO;
                else
                    rc = (int)h.rc;
            }
        }
        if (rc)
            break;
        hh__spread_count(&sr, from_file);
        if (!from_file && s && hh__spread_has_dir(s) && (rc = hh__spread_save(&sr, buf[0])))
            break;
        rc = blk_deliver(&b, buf[0], bi, sr.block_rows, n);
    }
    for (int q = 0; q < 2; q++) {
        int e = hh__comm_wait(&req[q]);
        rc = rc ? rc : e;
    }
    hh__free(buf[0]), hh__free(buf[1]);
    hh__spread_end(&sr);
    return rc;
}

static int check(const hh__many_req *r, const hh__many_fns *f)
{
    if (!r->net || !r->orig || !r->dest || !f || (f->reduce && f->n_out == 0))
        return HH_EINVAL;
    if (r->transit) {
        if (r->n_pct == 0 || !r->pct)
            return HH_EINVAL;
        for (size_t p = 0; p < r->n_pct; p++)
            if (!(r->pct[p] > 0) || r->pct[p] > 100)
                return HH_EINVAL;
        return 0;
    }
    if ((unsigned)r->mode >= HH_N_MODES || isnan(r->max_s) || r->max_s < 0)
        return HH_EINVAL;
    return 0;
}

static void job_free(job *j, int nt)
{
    if (j->ws)
        for (int t = 0; t < nt; t++) {
            worker *w = &j->ws[t];
            hh_query_free(w->q);
            hh__ch_ws_free(&w->ws);
            hh__free(w->dur), hh__free(w->len), hh__free(w->seeds), hh__free(w->out);
            hh_transit_query_free(w->tq);
        }
    hh__ch_buckets_free(&j->buckets);
    hh__free(j->conn_d), hh__free(j->vert_d);
    hh__free(j->ws), hh__free(j->so), hh__free(j->sd), hh__free(j->oko), hh__free(j->okd);
    hh__free(j->time), hh__free(j->dist), hh__free(j->red);
    hh__free(j->targets), hh__free(j->tindex), hh__free(j->tslot);
}

static int workers_init(job *j, int nt)
{
    const hh_net *net = j->net;
    for (int t = 0; t < nt; t++) {
        worker *w = &j->ws[t];
        int rc;
        if (j->f->reduce && !(w->out = hh__alloc_array(j->f->n_out, sizeof *w->out)))
            return HH_ENOMEM;
        if (j->r->transit) {
            if ((rc = hh_transit_query_init(j->r->transit, &w->tq)))
                return rc;
            continue;
        }
        /* the hierarchy's path (street_ch) needs only the sweep workspace:
         * no plain-search workspace per thread then (it is 3/4 of the
         * bytes: 170 of 230 per vertex on a 10^5-vertex region) */
        if (!j->ch && (rc = hh_query_init(net, &w->q)))
            return rc;
        if (j->ch) {
            if (hh__ch_ws_init(&w->ws, hh__search_n(net, j->mode)))
                return HH_ENOMEM;
            w->dur = hh__alloc_array(j->n_dest + 1, sizeof *w->dur);
            w->len = hh__alloc_array(j->n_dest + 1, sizeof *w->len);
            w->seeds = hh__alloc_array(hh__max_seeds(net), sizeof *w->seeds);
            if (!w->dur || !w->len || !w->seeds)
                return HH_ENOMEM;
        }
    }
    return 0;
}

int hh__many_run(const hh__many_req *r, const hh__many_fns *f, unsigned char *snapped_o,
                 unsigned char *snapped_d)
{
    int rc = check(r, f);
    if (rc)
        return rc;
    const hh_net *net = r->net;
    size_t no = r->orig->n, nd = r->dest->n;
    job j;
    memset(&j, 0, sizeof j);
    j.r = r, j.f = f, j.net = net, j.n_dest = nd;
    j.mode = r->transit ? HH_MODE_WALK : r->mode;
    j.n_val = r->transit ? r->n_pct : 1;
    j.block = r->transit ? 4 : 8; /* origins per work item */
    int nt = hh__rows_threads(r->threads);
    size_t window = hh__rows_window(nt, j.block);
    rc = HH_ENOMEM;
    if (nd + 1 > SIZE_MAX / sizeof(double) / window / j.n_val)
        return rc;
    j.ws = hh__calloc((size_t)nt, sizeof *j.ws);
    j.so = hh__alloc_array(no + 1, sizeof *j.so);
    j.sd = hh__alloc_array(nd + 1, sizeof *j.sd);
    j.oko = hh__calloc(no + 1, 1);
    j.okd = hh__calloc(nd + 1, 1);
    j.time = hh__alloc_array(window * (nd + 1) * j.n_val, sizeof(double));
    if (!r->transit)
        j.dist = hh__alloc_array(window * (nd + 1), sizeof(double));
    if (f->reduce)
        j.red = hh__alloc_array(window * f->n_out, sizeof(double));
    if (!j.ws || !j.so || !j.sd || !j.oko || !j.okd || !j.time || (!r->transit && !j.dist) ||
        (f->reduce && !j.red))
        goto done;
    if ((rc = hh__snap_all(net, j.mode, r->snap_max_m, r->orig, j.so, j.oko)) ||
        (rc = hh__snap_all(net, j.mode, r->snap_max_m, r->dest, j.sd, j.okd)))
        goto done;
    if (r->transit) {
        rc = HH_ENOMEM;
        j.targets = hh__alloc_array(nd + 1, sizeof *j.targets);
        j.tindex = hh__alloc_array(nd + 1, sizeof *j.tindex);
        j.tslot = hh__alloc_array(nd + 1, sizeof *j.tslot);
        if (!j.targets || !j.tindex || !j.tslot)
            goto done;
        for (size_t k = 0; k < nd; k++) {
            j.tslot[k] = SIZE_MAX;
            if (j.okd[k]) {
                j.targets[j.n_targets] = j.sd[k];
                j.tslot[k] = j.n_targets;
                j.tindex[j.n_targets++] = k;
            }
        }
    } else {
        const hh__ch *ch = &net->ch[r->mode];
        uint32_t gn = hh__search_n(net, r->mode);
        j.ch = (ch->n == gn && gn && nd < UINT32_MAX && no < UINT32_MAX) ? ch : NULL;
    }
    if ((rc = workers_init(&j, nt)))
        goto done;
    if (j.ch && (rc = street_prepare(&j)))
        goto done;
    if (snapped_o)
        memcpy(snapped_o, j.oko, no);
    if (snapped_d)
        memcpy(snapped_d, j.okd, nd);
    rc = r->spread ? spread_rows(&j, nt) : hh__rows_run(no, nt, j.block, run_origin, deliver, &j);
done:
    job_free(&j, nt);
    return rc;
}

/* ---- the public matrix calls: the driver with a row callback ---------- */

typedef struct matrix_cb {
    hh_matrix_row_fn street;
    hh_transit_row_fn transit;
    void *ud;
} matrix_cb;

static int matrix_deliver(void *ud, const hh__many_row *row, const double *out)
{
    const matrix_cb *c = ud;
    (void)out;
    return (c->street ? c->street(row->origin, row->time_s, row->dist_m, c->ud)
                      : c->transit(row->origin, row->time_s, c->ud))
               ? HH_EIO
               : 0;
}

int hh_matrix_run(const hh_net *net, const hh_matrix_opts *o, const hh_points *orig,
                  const hh_points *dest, hh_matrix_row_fn row, void *ud, unsigned char *snapped_o,
                  unsigned char *snapped_d)
{
    if (o->transit && hh__transit_net(o->transit) != net)
        return HH_EINVAL;
    hh__many_req r = {net, o->transit, o->mode, o->transit ? INFINITY : o->max_s, o->snap_max_m, o->pct,
                      o->transit ? o->n_pct : 0, o->threads, orig, dest, o->stop, o->spread};
    matrix_cb c = {row, NULL, ud};
    hh__many_fns f = {NULL, 0, matrix_deliver, &c, 0};
    return hh__many_run(&r, &f, snapped_o, snapped_d);
}

int hh_transit_matrix_run(const hh_transit *t, const hh_points *orig, const hh_points *dest, double snap_max_m,
                          const double *pct, size_t n_pct, int threads, hh_transit_row_fn row, void *ud,
                          unsigned char *snapped_o, unsigned char *snapped_d)
{
    hh__many_req r = {hh__transit_net(t), t, HH_MODE_WALK, INFINITY, snap_max_m, pct, n_pct, threads, orig, dest, NULL, NULL};
    matrix_cb c = {NULL, row, ud};
    hh__many_fns f = {NULL, 0, matrix_deliver, &c, 0};
    return hh__many_run(&r, &f, snapped_o, snapped_d);
}
