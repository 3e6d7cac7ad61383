/* matrix.c: many-to-many travel times, spread over threads.  With the
 * network's contraction hierarchy: buckets from every destination once, then
 * one small upward search per origin (what OSRM's table does); without it,
 * one bounded Dijkstra per origin.  Rows are computed in parallel and
 * delivered in origin order by util/rows.c, so memory stays bounded
 * (threads x block x destinations) and output never depends on scheduling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "street/query.h"
#include "street/seeds.h"
#include "util/alloc.h"
#include "util/rows.h"

#define BLOCK 8 /* origins per work item */

typedef struct mjob {
    const hh_net *net;
    const hh_matrix_opts *o;
    const hh_points *orig, *dest;
    hh_snap *so, *sd;
    unsigned char *oko, *okd;
    size_t n_dest;
    double *time, *dist; /* window x n_dest: rows in flight */
    const hh__ch *ch;       /* NULL: Dijkstra per origin */
    hh__ch_buckets buckets;
    double *conn_d;         /* connector seconds per destination */
    uint32_t *vert_d;       /* the vertex a destination sits on, or UINT32_MAX */
    struct worker *ws;
    hh_matrix_row_fn row;
    void *ud;
} mjob;

typedef struct worker {
    hh_query *q;
    hh__ch_ws ws;
    uint32_t *dur, *len; /* one row */
    hh__ch_seed *seeds;  /* one origin's */
} worker;

static int run_origin_ch(mjob *j, worker *w, size_t i, double *t, double *d)
{
    hh__ch_seed *seeds = w->seeds;
    hh_mode m = j->o->mode;
    int ns = hh__source_seeds(j->net, m, &j->so[i], (uint32_t)i, seeds);
    int rc = hh__ch_many_to_many(j->ch, &j->buckets, &w->ws, seeds, (size_t)ns, (uint32_t)i, 1, w->dur, w->len);
    if (rc)
        return rc;
    double conn_o = hh__connector_s(j->net, m, &j->so[i]);
    for (size_t k = 0; k < j->n_dest; k++) {
        if (!j->okd[k])
            continue;
        uint64_t best = w->dur[k] == HH_CH_UNREACHED ? UINT64_MAX : (uint64_t)w->dur[k] << 32 | w->len[k];
        uint32_t dd, dl;
        /* the paths the seeds do not see: along one edge, and (car) onto a
         * vertex of the origin's edge */
        int maybe = j->so[i].edge == j->sd[k].edge ||
                    (m == HH_MODE_CAR && j->vert_d[k] != UINT32_MAX &&
                     (j->vert_d[k] == j->net->edges[j->so[i].edge].from || j->vert_d[k] == j->net->edges[j->so[i].edge].to));
        if (maybe && hh__same_edge(j->net, m, &j->so[i], &j->sd[k], &dd, &dl) == 0) {
            uint64_t key = (uint64_t)dd << 32 | dl;
            best = key < best ? key : best;
        }
        if (best == UINT64_MAX)
            continue;
        double tt = (double)(best >> 32) / 10.0 + conn_o + j->conn_d[k];
        if (tt > j->o->max_s)
            continue;
        t[k] = tt;
        d[k] = (double)(uint32_t)best / 10.0 + j->so[i].off_m + j->sd[k].off_m;
    }
    return 0;
}

static int run_origin(void *ctx, int worker_id, size_t i, size_t slot)
{
    mjob *j = ctx;
    worker *w = &j->ws[worker_id];
    double *t = j->time + slot * j->n_dest, *d = j->dist + slot * j->n_dest;
    for (size_t k = 0; k < j->n_dest; k++)
        t[k] = d[k] = NAN;
    if (!j->oko[i])
        return 0;
    if (j->ch)
        return run_origin_ch(j, w, i, t, d);
    int rc = hh_query_run(w->q, j->o->mode, &j->so[i], j->o->max_s);
    if (rc)
        return rc;
    for (size_t k = 0; k < j->n_dest; k++) {
        if (!j->okd[k])
            continue;
        double tt, dd;
        if (hh_query_time_to(w->q, &j->sd[k], &tt, &dd) == 0)
            t[k] = tt, d[k] = dd;
    }
    return 0;
}

static int deliver(void *ctx, size_t i, size_t slot)
{
    mjob *j = ctx;
    return j->row(i, j->time + slot * j->n_dest, j->dist + slot * j->n_dest, j->ud) ? HH_EIO : 0;
}

int hh_matrix_run(const hh_net *net, const hh_matrix_opts *o, const hh_points *orig,
                  const hh_points *dest, hh_matrix_row_fn row, void *ud, unsigned char *snapped_o,
                  unsigned char *snapped_d)
{
    if ((unsigned)o->mode >= HH_N_MODES || isnan(o->max_s) || o->max_s < 0)
        return HH_EINVAL;
    int nt = hh__rows_threads(o->threads);
    size_t window = hh__rows_window(nt, BLOCK);
    mjob j;
    memset(&j, 0, sizeof j);
    j.net = net, j.o = o, j.orig = orig, j.dest = dest, j.n_dest = dest->n;
    j.row = row, j.ud = ud;
    int rc = HH_ENOMEM;
    worker *ws = j.ws = hh__calloc((size_t)nt, sizeof *ws);
    j.so = hh__alloc_array(orig->n + 1, sizeof *j.so);
    j.sd = hh__alloc_array(dest->n + 1, sizeof *j.sd);
    j.oko = hh__calloc(orig->n + 1, 1);
    j.okd = hh__calloc(dest->n + 1, 1);
    j.time = hh__alloc_array(window, (dest->n + 1) * sizeof(double));
    j.dist = hh__alloc_array(window, (dest->n + 1) * sizeof(double));
    if (!ws || !j.so || !j.sd || !j.oko || !j.okd || !j.time || !j.dist)
        goto done;
    const hh__ch *ch = &net->ch[o->mode];
    uint32_t gn = hh__search_n(net, o->mode);
    j.ch = (ch->n == gn && gn && dest->n < UINT32_MAX && orig->n < UINT32_MAX) ? ch : NULL;
    for (int t = 0; t < nt; t++) {
        if ((rc = hh_query_init(net, &ws[t].q)))
            goto done;
        if (j.ch) {
            rc = HH_ENOMEM;
            if (hh__ch_ws_init(&ws[t].ws, hh__search_n(net, o->mode)))
                goto done;
            ws[t].dur = hh__alloc_array(dest->n + 1, sizeof *ws[t].dur);
            ws[t].len = hh__alloc_array(dest->n + 1, sizeof *ws[t].len);
            ws[t].seeds = hh__alloc_array(hh__max_seeds(net), sizeof *ws[t].seeds);
            if (!ws[t].dur || !ws[t].len || !ws[t].seeds)
                goto done;
        }
    }
    if ((rc = hh__snap_all(net, o->mode, o->snap_max_m, orig, j.so, j.oko)) ||
        (rc = hh__snap_all(net, o->mode, o->snap_max_m, dest, j.sd, j.okd)))
        goto done;
    if (j.ch) {
        /* target seeds of every snapped destination, grouped by index */
        rc = HH_ENOMEM;
        hh__ch_seed *ts = dest->n < SIZE_MAX / hh__max_seeds(net) - 1
                              ? hh__alloc_array(hh__max_seeds(net) * dest->n + 1, sizeof *ts)
                              : NULL;
        j.conn_d = hh__alloc_array(dest->n + 1, sizeof *j.conn_d);
        j.vert_d = hh__alloc_array(dest->n + 1, sizeof *j.vert_d);
        if (!ts || !j.conn_d || !j.vert_d) {
            hh__free(ts);
            goto done;
        }
        size_t nts = 0;
        for (size_t k = 0; k < dest->n; k++) {
            j.conn_d[k] = j.okd[k] ? hh__connector_s(net, o->mode, &j.sd[k]) : 0;
            j.vert_d[k] = j.okd[k] ? hh__point_vertex(net, &j.sd[k]) : UINT32_MAX;
            if (j.okd[k])
                nts += (size_t)hh__target_seeds(net, o->mode, &j.sd[k], (uint32_t)k, ts + nts);
        }
        double mx = o->max_s * 10.0;
        uint32_t max_ds = isinf(o->max_s) || mx >= HH_CH_NO_BOUND - 1 ? HH_CH_NO_BOUND : (uint32_t)floor(mx);
        rc = hh__ch_buckets_build(j.ch, &ws[0].ws, ts, nts, (uint32_t)dest->n, max_ds, &j.buckets);
        hh__free(ts);
        if (rc)
            goto done;
    }
    if (snapped_o)
        memcpy(snapped_o, j.oko, orig->n);
    if (snapped_d)
        memcpy(snapped_d, j.okd, dest->n);
    rc = hh__rows_run(orig->n, nt, BLOCK, run_origin, deliver, &j);
done:
    if (ws)
        for (int t = 0; t < nt; t++) {
            hh_query_free(ws[t].q);
            hh__ch_ws_free(&ws[t].ws);
            hh__free(ws[t].dur), hh__free(ws[t].len), hh__free(ws[t].seeds);
        }
    hh__ch_buckets_free(&j.buckets);
    hh__free(j.conn_d), hh__free(j.vert_d);
    hh__free(ws), hh__free(j.so), hh__free(j.sd), hh__free(j.oko), hh__free(j.okd);
    hh__free(j.time), hh__free(j.dist);
    return rc;
}
