/* iso_many.c: isochrones of many origins (hh_isochrone_many), computed in
 * parallel and handed over in origin order, so that the output is the same
 * for any thread count.  Each worker keeps its own street or transit query
 * (and one on the base network for a comparison); util/rows.c deals the
 * origins out and delivers the finished ones on the calling thread while
 * the workers compute the next ones. */
#include <pthread.h>
#include <stdint.h>

#include "halfhour.h"
#include "util/alloc.h"
#include "util/rows.h"

typedef struct slot {
    hh_isochrone iso, base, gained, lost; /* empty (zero) when not made or moved out */
    float *surface;
} slot;

typedef struct worker {
    hh_query *q, *bq;
    hh_transit_query *tq, *btq;
} worker;

typedef struct job {
    const hh_iso_many *r;
    hh_iso_many_fn fn;
    void *ud;
    worker *ws;
    slot *slots;
    size_t nv;
    size_t failed; /* the smallest origin whose isochrone failed (SIZE_MAX: none) */
    pthread_mutex_t mu;
} job;

/* hh_isochrone_free empties what it frees, and an empty one is a no-op */
static void slot_clear(slot *s)
{
    hh_isochrone_free(&s->iso);
    hh_isochrone_free(&s->base), hh_isochrone_free(&s->gained), hh_isochrone_free(&s->lost);
}

/* One origin's isochrone on net (street query q or transit query tq). */
static int one(const hh_iso_many *r, hh_query *q, hh_transit_query *tq, const hh_snap *from, hh_isochrone *out)
{
    double max_s = r->minutes[r->n_minutes - 1] * 60.0;
    int e = tq ? hh_transit_query_run(tq, from, NULL, 0) : hh_query_run(q, r->mode, from, max_s);
    if (e)
        return e;
    return tq ? hh_transit_isochrone_opts(tq, r->pct, r->minutes, r->n_minutes, r->opts, out)
              : hh_isochrone_build_opts(q, r->minutes, r->n_minutes, r->opts, out);
}

static int work(void *ctx, int wi, size_t i, size_t si)
{
    job *j = ctx;
    const hh_iso_many *r = j->r;
    worker *w = &j->ws[wi];
    slot *s = &j->slots[si];
    slot_clear(s);
    int e = one(r, w->q, w->tq, &r->origins[i], &s->iso);
    if (!e && s->surface)
        e = w->tq ? hh_transit_surface(w->tq, r->pct, s->surface, j->nv) : hh_query_surface(w->q, s->surface, j->nv);
    if (!e && r->base_net) {
        e = one(r, w->bq, w->btq, &r->base_origins[i], &s->base);
        if (!e)
            e = hh_isochrone_compare(&s->base, &s->iso, &s->gained, &s->lost);
    }
    if (e) {
        slot_clear(s);
        pthread_mutex_lock(&j->mu);
        if (i < j->failed)
            j->failed = i;
        pthread_mutex_unlock(&j->mu);
        return e;
    }
    return 0;
}

static int deliver(void *ctx, size_t i, size_t si)
{
    job *j = ctx;
    slot *s = &j->slots[si];
    int base = j->r->base_net != NULL;
    hh_iso_result res = {i, &s->iso, base ? &s->base : NULL, base ? &s->gained : NULL, base ? &s->lost : NULL,
                         s->surface, s->surface ? j->nv : 0};
    int e = j->fn ? j->fn(&res, j->ud) : 0;
    slot_clear(s);
    return e;
}

static int check(const hh_iso_many *r)
{
    if (!r->net || (!r->origins && r->n_origins) || !r->minutes || r->n_minutes == 0)
        return HH_EINVAL;
    if (!r->transit && (unsigned)r->mode >= HH_N_MODES)
        return HH_EINVAL;
    if (r->transit && !(r->pct > 0 && r->pct <= 100))
        return HH_EINVAL;
    if (r->base_net && (!r->base_origins && r->n_origins))
        return HH_EINVAL;
    if (r->base_net && (r->transit != NULL) != (r->base_transit != NULL))
        return HH_EINVAL;
    for (size_t k = 0; k < r->n_minutes; k++)
        if (!(r->minutes[k] > 0) || (k && !(r->minutes[k] > r->minutes[k - 1])))
            return HH_EINVAL;
    if (r->opts && hh_iso_opts_check(r->opts))
        return HH_EINVAL;
    return 0;
}

int hh_isochrone_many(const hh_iso_many *r, hh_iso_many_fn fn, void *ud, size_t *failed)
{
    if (failed)
        *failed = SIZE_MAX;
    int rc = check(r);
    if (rc)
        return rc;
    if (r->n_origins == 0)
        return 0;
    int nt = hh__rows_threads(r->threads);
    if ((size_t)nt > r->n_origins)
        nt = (int)r->n_origins;
    /* one origin per hand-out with a surface (a vertex count of floats per
     * slot), else four: rounds long enough that starting threads is noise */
    size_t block = r->surface ? 1 : 4;
    size_t window = hh__rows_window(nt, block);
    job j = {r, fn, ud, NULL, NULL, hh_net_n_vertices(r->net), SIZE_MAX, PTHREAD_MUTEX_INITIALIZER};
    rc = HH_ENOMEM;
    j.ws = hh__calloc((size_t)nt, sizeof *j.ws);
    j.slots = hh__calloc(window, sizeof *j.slots);
    if (!j.ws || !j.slots)
        goto done;
    if (r->surface)
        for (size_t k = 0; k < window; k++)
            if (!(j.slots[k].surface = hh__alloc_array(j.nv + 1, sizeof(float))))
                goto done;
    for (int t = 0; t < nt; t++) {
        worker *w = &j.ws[t];
        if ((rc = r->transit ? hh_transit_query_init(r->transit, &w->tq) : hh_query_init(r->net, &w->q)))
            goto done;
        if (r->base_net && (rc = r->base_transit ? hh_transit_query_init(r->base_transit, &w->btq)
                                                 : hh_query_init(r->base_net, &w->bq)))
            goto done;
    }
    rc = hh__rows_run(r->n_origins, nt, block, work, deliver, &j);
    if (failed)
        *failed = j.failed;
done:
    if (j.slots)
        for (size_t k = 0; k < window; k++) {
            slot_clear(&j.slots[k]);
            hh__free(j.slots[k].surface);
        }
    if (j.ws)
        for (int t = 0; t < nt; t++) {
            hh_query_free(j.ws[t].q), hh_query_free(j.ws[t].bq);
            hh_transit_query_free(j.ws[t].tq), hh_transit_query_free(j.ws[t].btq);
        }
    hh__free(j.slots), hh__free(j.ws);
    pthread_mutex_destroy(&j.mu);
    return rc;
}
