/* handlers.c: one parsed request -> one library call -> a response.
 * Workspaces: each worker thread makes its street query (hh_query) on its
 * first request and keeps it; transit queries are tied to a prepared
 * service day (hh_transit), so prepared days are cached (shared,
 * reference-counted, by their options) and a worker keeps the query of
 * the last day it used.  Many-origin work (table, access, report, site)
 * runs on the request's own worker thread (threads = 1: the pool is sized
 * to the cores, so requests in parallel fill them) with the request's
 * deadline as the driver's stop hook. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/internal.h"

#define ATTRIBUTION "\u00a9 OpenStreetMap contributors"
#define TCACHE_MAX 8

double sv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- responses ---------------------------------------------------------- */

void sv_resp_json(sv_resp *out, int status, json_t *j)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    out->ctype = "application/json";
    out->body = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(j);
    if (!out->body) {
        static const char oom[] = "{\"error\":\"out of memory\",\"code\":500}";
        out->status = 500;
        out->body = malloc(sizeof oom);
        if (out->body)
            memcpy(out->body, oom, sizeof oom);
    }
    out->len = out->body ? strlen(out->body) : 0;
}

void sv_resp_error(sv_resp *out, const sv_error *e)
{
    json_t *j = json_object();
    /* messages quote request text: keep only valid UTF-8 in the answer */
    json_t *msg = json_string(e->msg);
    if (!msg)
        msg = json_string("invalid request (the message would quote text that is not UTF-8)");
    json_object_set_new(j, "error", msg);
    json_object_set_new(j, "code", json_integer(e->status));
    if (*e->limit)
        json_object_set_new(j, "limit", json_string(e->limit));
    sv_resp_json(out, e->status, j);
}

static void resp_error(sv_resp *out, int status, const char *limit, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void resp_error(sv_resp *out, int status, const char *limit, const char *fmt, ...)
{
    sv_error e;
    va_list ap;
    va_start(ap, fmt);
    e.status = status;
    snprintf(e.limit, sizeof e.limit, "%s", limit ? limit : "");
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    sv_resp_error(out, &e);
}

/* A library error: HH_ECANCELED is the time budget, HH_ENOMEM a 500. */
static void resp_lib(sv_resp *out, const sv_server *s, int rc, const char *what, const char *err)
{
    if (rc == HH_ECANCELED)
        resp_error(out, 413, "time_budget", "%s: more than the time budget of %g s", what, s->cfg.lim.time_budget_s);
    else if (rc == HH_ENOMEM || rc == HH_EIO)
        resp_error(out, 500, NULL, "%s: %s", what, err && *err ? err : hh_strerror(rc));
    else
        resp_error(out, 400, NULL, "%s: %s", what, err && *err ? err : hh_strerror(rc));
}

/* A memory stream for bodies written by the library's writers. */
typedef struct mbuf {
    FILE *f;
    char *buf;
    size_t len;
} mbuf;
static int mb_open(mbuf *m)
{
    m->buf = NULL, m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    return m->f ? 0 : -1;
}
static void mb_done(mbuf *m, sv_resp *out, int status, const char *ctype)
{
    int bad = ferror(m->f);
    fclose(m->f);
    memset(out, 0, sizeof *out);
    if (bad) {
        free(m->buf);
        resp_error(out, 500, NULL, "cannot write the answer (out of memory)");
        return;
    }
    out->status = status, out->ctype = ctype, out->body = m->buf, out->len = m->len;
}
static void mb_abort(mbuf *m)
{
    fclose(m->f);
    free(m->buf);
}

static void add_header(sv_resp *out, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_header(sv_resp *out, const char *name, const char *fmt, ...)
{
    if (out->n_hdr == 3)
        return;
    va_list ap;
    va_start(ap, fmt);
    snprintf(out->hdr[out->n_hdr][0], sizeof out->hdr[0][0], "%s", name);
    vsnprintf(out->hdr[out->n_hdr][1], sizeof out->hdr[0][1], fmt, ap);
    va_end(ap);
    out->n_hdr++;
}

/* ---- prepared transit days, shared ------------------------------------ */

typedef struct tentry {
    hh_transit_opts key;
    hh_transit *t;
    int refs;     /* the cache's own, plus one per user */
    uint64_t used;
    struct tentry *next;
} tentry;

struct sv_transit_cache {
    pthread_mutex_t mu;
    tentry *head;
    int n;
    uint64_t clock;
};

static int key_eq(const hh_transit_opts *a, const hh_transit_opts *b)
{
    return a->date == b->date && a->depart_s == b->depart_s && a->window_min == b->window_min &&
           a->max_walk_s == b->max_walk_s && a->max_rides == b->max_rides && a->draws == b->draws &&
           a->max_s == b->max_s && a->walk_kmh == b->walk_kmh;
}

/* The count is atomic so that a reference outlives its cache: a worker
 * keeps the day of an older network (SIGHUP) until its next request, when
 * that network's server state may be gone.  A cache finds only entries on
 * its list, which hold the cache's reference, so no count found there is 0. */
static void tentry_release(tentry *te)
{
    if (te && __atomic_sub_fetch(&te->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        hh_transit_free(te->t);
        free(te);
    }
}

/* A prepared day for o (a reference the caller releases), or NULL with err. */
static tentry *tentry_get(sv_server *s, const hh_transit_opts *o, char *err, size_t errlen, int *rc)
{
    struct sv_transit_cache *c = s->tcache;
    pthread_mutex_lock(&c->mu);
    for (tentry *t = c->head; t; t = t->next)
        if (key_eq(&t->key, o)) {
            __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
            t->used = ++c->clock;
            pthread_mutex_unlock(&c->mu);
            return t;
        }
    pthread_mutex_unlock(&c->mu);
    /* prepared outside the lock: other requests go on meanwhile */
    hh_transit *tp = NULL;
    if ((*rc = hh_transit_prepare(s->net, o, &tp, err, errlen)))
        return NULL;
    tentry *ne = calloc(1, sizeof *ne);
    if (!ne) {
        hh_transit_free(tp);
        *rc = HH_ENOMEM;
        return NULL;
    }
    ne->key = *o, ne->t = tp, ne->refs = 2;
    tentry *evict = NULL;
    pthread_mutex_lock(&c->mu);
    for (tentry *t = c->head; t; t = t->next)
        if (key_eq(&t->key, o)) { /* another request prepared it first */
            __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
            t->used = ++c->clock;
            pthread_mutex_unlock(&c->mu);
            hh_transit_free(tp);
            free(ne);
            return t;
        }
    ne->used = ++c->clock;
    ne->next = c->head, c->head = ne, c->n++;
    if (c->n > TCACHE_MAX) {
        tentry **pp = &c->head, **old = NULL;
        for (; *pp; pp = &(*pp)->next)
            if (!old || (*pp)->used < (*old)->used)
                old = pp;
        evict = *old;
        *old = evict->next;
        c->n--;
    }
    pthread_mutex_unlock(&c->mu);
    tentry_release(evict); /* the cache's reference */
    return ne;
}

/* ---- per-thread workspaces -------------------------------------------- */

struct sv_worker {
    sv_server *s;         /* the request's server state (set on every request) */
    uint64_t gen;         /* the state (network) q and te were made for */
    hh_query *q;          /* street searches, made once per network */
    tentry *te;           /* the day tq belongs to */
    hh_transit_query *tq;
};

static pthread_key_t worker_key;
static pthread_once_t worker_once = PTHREAD_ONCE_INIT;

/* Frees the workspaces (they only point into their network's mapping,
 * never read it when freed, so an older network may be gone already). */
static void worker_clear(sv_worker *w)
{
    hh_query_free(w->q);
    hh_transit_query_free(w->tq);
    tentry_release(w->te);
    w->q = NULL, w->tq = NULL, w->te = NULL;
}

static void worker_free(void *p)
{
    sv_worker *w = p;
    if (!w)
        return;
    worker_clear(w);
    free(w);
}
static void worker_key_make(void) { pthread_key_create(&worker_key, worker_free); }

sv_worker *sv_worker_get(sv_server *s)
{
    pthread_once(&worker_once, worker_key_make);
    sv_worker *w = pthread_getspecific(worker_key);
    if (!w) {
        if (!(w = calloc(1, sizeof *w)))
            return NULL;
        if (pthread_setspecific(worker_key, w)) {
            free(w);
            return NULL;
        }
    }
    w->s = s;
    if (w->q && w->gen == s->gen)
        return w;
    worker_clear(w); /* first request, or a network loaded since (SIGHUP) */
    if (hh_query_init(s->net, &w->q))
        return NULL;
    w->gen = s->gen;
    return w;
}

/* The worker's transit query for the day o (prepared or cached). */
static int worker_transit(sv_worker *w, const hh_transit_opts *o, char *err, size_t errlen)
{
    if (w->te && key_eq(&w->te->key, o))
        return 0;
    int rc = 0;
    tentry *te = tentry_get(w->s, o, err, errlen, &rc);
    if (!te)
        return rc;
    hh_transit_query *tq = NULL;
    if ((rc = hh_transit_query_init(te->t, &tq))) {
        tentry_release(te);
        return rc;
    }
    hh_transit_query_free(w->tq);
    tentry_release(w->te);
    w->te = te, w->tq = tq;
    return 0;
}

/* ---- the server's shared state ----------------------------------------- */

int sv_server_init(sv_server *s, const hh_net *net, const hh_layers *layers, const hh_serve_limits *lim,
                   const char *net_path, const char *tmpdir, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->net = net, s->layers = layers, s->tmpdir = tmpdir, s->net_path = net_path;
    s->cfg.lim = *lim, s->cfg.layers = layers, s->cfg.has_transit = hh_net_n_feeds(net) > 0;
    s->tcache = calloc(1, sizeof *s->tcache);
    if (!s->tcache) {
        snprintf(err, errlen, "out of memory");
        return HH_ENOMEM;
    }
    pthread_mutex_init(&s->tcache->mu, NULL);
    /* the layers' points, snapped once per mode for the isochrones'
     * opportunity sums (access snaps them the same way) */
    for (int m = 0; m < HH_N_MODES; m++) {
        s->opp_snap[m] = calloc(layers->n + 1, sizeof *s->opp_snap[m]);
        s->opp_ok[m] = calloc(layers->n + 1, 1);
        if (!s->opp_snap[m] || !s->opp_ok[m]) {
            snprintf(err, errlen, "out of memory");
            return HH_ENOMEM;
        }
        for (size_t i = 0; i < layers->n; i++)
            s->opp_ok[m][i] = hh_snap_point(net, (hh_mode)m, layers->lon[i], layers->lat[i], HH_DEFAULT_SNAP_M,
                                            &s->opp_snap[m][i]) == 0;
    }
    return 0;
}

void sv_server_free(sv_server *s)
{
    if (s->tcache) {
        for (tentry *t = s->tcache->head, *n; t; t = n) {
            n = t->next;
            tentry_release(t);
        }
        pthread_mutex_destroy(&s->tcache->mu);
        free(s->tcache);
    }
    for (int m = 0; m < HH_N_MODES; m++)
        free(s->opp_snap[m]), free(s->opp_ok[m]);
    memset(s, 0, sizeof *s);
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct deadline {
    double at;
} deadline;
static int past_deadline(void *ud) { return sv_now() > ((const deadline *)ud)->at; }

static const char *mode_label(const sv_req *r) { return r->transit ? "transit" : hh_mode_name(r->mode); }

/* The reason a point does not snap, for a 400. */
static void snap_fail(sv_server *s, sv_resp *out, const char *what, hh_mode m, int transit, double lon, double lat,
                      double snap_max)
{
    hh_snap_why w;
    if (hh_snap_explain(s->net, m, lon, lat, snap_max, &w))
        w.reason = HH_SNAP_TOO_FAR, w.nearest_m = INFINITY;
    const char *mn = transit ? "walk" : hh_mode_name(m);
    double x0, y0, x1, y1;
    hh_net_bbox(s->net, &x0, &y0, &x1, &y1);
    switch (w.reason) {
    case HH_SNAP_OUTSIDE:
        resp_error(out, 400, NULL, "%s %.6f,%.6f is outside the network's area (%.4f,%.4f .. %.4f,%.4f)", what, lon,
                   lat, x0, y0, x1, y1);
        break;
    case HH_SNAP_SWAPPED:
        resp_error(out, 400, NULL, "%s %.6f,%.6f is outside the network's area; lon/lat look swapped", what, lon,
                   lat);
        break;
    case HH_SNAP_INVALID:
        resp_error(out, 400, NULL, "%s: invalid coordinates", what);
        break;
    default:
        if (isfinite(w.nearest_m))
            resp_error(out, 400, NULL, "%s %.6f,%.6f: no %s street within %g m (nearest %.0f m; see snap_max)", what,
                       lon, lat, mn, snap_max, w.nearest_m);
        else
            resp_error(out, 400, NULL, "%s %.6f,%.6f: no %s street within %g m", what, lon, lat, mn, snap_max);
    }
}

static void transit_opts(const sv_req *r, double max_s, hh_transit_opts *o)
{
    *o = r->topt;
    o->max_s = max_s;
}

/* ---- /isochrone ----------------------------------------------------------- */

/* The polygon step: the one place the request's shape options (denoise,
 * generalize, holes) meet the library.  hh_isochrone_build and
 * hh_transit_isochrone draw polygons with the network's settings and take
 * no per-request shape yet, so the validated options stop here. */
static int iso_polygons(sv_worker *w, const sv_req *r, const hh_serve_shape *shape, hh_isochrone *iso)
{
    hh_iso_opts o = {shape->generalize, shape->denoise, shape->holes_fill ? HH_ISO_HOLES_FILL : HH_ISO_HOLES_ALL};
    if (r->transit)
        return hh_transit_isochrone_opts(w->tq, r->pct[0], r->minutes, (size_t)r->n_minutes, &o, iso);
    return hh_isochrone_build_opts(w->q, r->minutes, (size_t)r->n_minutes, &o, iso);
}


/* A transit isochrone's Feature properties (percentile, departure, window)
 * after `lead`; "" for the other modes. */
static void transit_props(const sv_req *r, const char *lead, char *out, size_t n)
{
    out[0] = 0;
    if (r->transit)
        snprintf(out, n, "%s\"percentile\":%g,\"depart\":\"%04d-%02d-%02dT%02d:%02d\",\"window_min\":%d", lead,
                 r->pct[0], r->topt.date / 10000, r->topt.date / 100 % 100, r->topt.date % 100, r->topt.depart_s / 3600,
                 r->topt.depart_s / 60 % 60, r->topt.window_min);
}
static void handle_isochrone(sv_server *s, sv_worker *w, const sv_req *r, sv_resp *out)
{
    hh_mode sm = r->transit ? HH_MODE_WALK : r->mode;
    hh_snap origin;
    if (hh_snap_point(s->net, sm, r->lon, r->lat, r->snap_max, &origin)) {
        snap_fail(s, out, "location", sm, r->transit, r->lon, r->lat, r->snap_max);
        return;
    }
    double max_s = r->minutes[r->n_minutes - 1] * 60.0;
    size_t nb = (size_t)r->n_minutes, nl = r->n_layers, LN = s->layers->n_layers;
    double *sum = calloc(nb * (nl ? nl : 1), sizeof *sum);
    hh_snap *targets = NULL;
    size_t *tpoint = NULL;
    char err[512] = "";
    int rc;
    if (!sum) {
        resp_error(out, 500, NULL, "out of memory");
        return;
    }
    if (r->transit) {
        hh_transit_opts o;
        transit_opts(r, max_s, &o);
        if ((rc = worker_transit(w, &o, err, sizeof err))) {
            free(sum);
            resp_lib(out, s, rc, "transit", err);
            return;
        }
        if (nl) {
            /* the opportunities' times at the percentile: one run to them */
            size_t n = 0;
            targets = malloc((s->layers->n + 1) * sizeof *targets);
            tpoint = malloc((s->layers->n + 1) * sizeof *tpoint);
            if (!targets || !tpoint) {
                free(sum), free(targets), free(tpoint);
                resp_error(out, 500, NULL, "out of memory");
                return;
            }
            for (size_t i = 0; i < s->layers->n; i++)
                if (s->opp_ok[HH_MODE_WALK][i])
                    targets[n] = s->opp_snap[HH_MODE_WALK][i], tpoint[n++] = i;
            rc = hh_transit_query_run(w->tq, &origin, targets, n);
            for (size_t k = 0; !rc && k < n; k++) {
                double t = hh_transit_percentile(w->tq, k, r->pct[0]);
                const double *v = s->layers->value + tpoint[k] * LN;
                for (size_t b = 0; !isnan(t) && b < nb; b++)
                    if (t < r->minutes[b] * 60)
                        for (size_t l = 0; l < nl; l++)
                            sum[b * nl + l] += v[r->layers[l]];
            }
            free(targets), free(tpoint);
            if (rc) {
                free(sum);
                resp_lib(out, s, rc, "transit search", NULL);
                return;
            }
        }
        rc = hh_transit_query_run(w->tq, &origin, NULL, 0);
    } else {
        rc = hh_query_run(w->q, r->mode, &origin, max_s);
        for (size_t i = 0; !rc && nl && i < s->layers->n; i++) {
            double t, d;
            if (!s->opp_ok[r->mode][i] || hh_query_time_to(w->q, &s->opp_snap[r->mode][i], &t, &d))
                continue;
            const double *v = s->layers->value + i * LN;
            for (size_t b = 0; b < nb; b++)
                if (t < r->minutes[b] * 60)
                    for (size_t l = 0; l < nl; l++)
                        sum[b * nl + l] += v[r->layers[l]];
        }
    }
    hh_isochrone iso = {0, NULL};
    if (!rc)
        rc = iso_polygons(w, r, &r->shape, &iso);
    if (rc) {
        free(sum);
        resp_lib(out, s, rc, "isochrone", NULL);
        return;
    }
    /* per band: the opportunities reached */
    char **be = calloc(nb, sizeof *be);
    int bad = !be;
    for (size_t b = 0; !bad && nl && b < nb; b++) {
        size_t cap = 64 + nl * 96;
        if (!(be[b] = malloc(cap))) {
            bad = 1;
            break;
        }
        size_t k = (size_t)snprintf(be[b], cap, "\"opportunities\":{");
        for (size_t l = 0; l < nl && k < cap; l++) {
            json_t *name = json_string(s->layers->name[r->layers[l]]);
            char *q = name ? json_dumps(name, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
            k += (size_t)snprintf(be[b] + k, cap - k, "%s%.80s:%.10g", l ? "," : "", q ? q : "\"?\"",
                                  sum[b * nl + l]);
            free(q);
            json_decref(name);
        }
        if (k < cap)
            snprintf(be[b] + k, cap - k, "}");
    }
    mbuf m;
    if (bad || mb_open(&m)) {
        for (size_t b = 0; be && b < nb; b++)
            free(be[b]);
        free(be), free(sum);
        hh_isochrone_free(&iso);
        resp_error(out, 500, NULL, "out of memory");
        return;
    }
    char extra[160];
    transit_props(r, "", extra, sizeof extra);
    fprintf(m.f,
            "{\"type\":\"FeatureCollection\",\"origin\":{\"lon\":%.7f,\"lat\":%.7f,\"snapped\":[%.7f,%.7f]},"
            "\"attribution\":\"\\u00a9 OpenStreetMap contributors\",\"features\":[",
            r->lon, r->lat, origin.lon, origin.lat);
    hh_isochrone_geojson go = {mode_label(r), *extra ? extra : NULL, nl ? (const char *const *)be : NULL, 1, 1,
                               !r->polygons};
    int first = 1;
    rc = hh_isochrone_write_geojson(m.f, &iso, &go, &first);
    fputs("\n]}\n", m.f);
    for (size_t b = 0; b < nb; b++)
        free(be[b]);
    free(be), free(sum);
    hh_isochrone_free(&iso);
    if (rc) {
        mb_abort(&m);
        resp_error(out, 500, NULL, "cannot write the isochrone");
        return;
    }
    mb_done(&m, out, 200, "application/geo+json");
}

/* ---- /table -------------------------------------------------------------- */

typedef struct table_ctx {
    size_t nd;
    double *t, *d;
} table_ctx;

static int table_row(size_t i, const double *t, const double *d, void *ud)
{
    table_ctx *c = ud;
    memcpy(c->t + i * c->nd, t, c->nd * sizeof *t);
    if (d)
        memcpy(c->d + i * c->nd, d, c->nd * sizeof *d);
    return 0;
}

static void put_matrix(FILE *f, const char *name, const double *v, size_t no, size_t nd)
{
    fprintf(f, ",\"%s\":[", name);
    for (size_t i = 0; i < no; i++) {
        fputs(i ? ",[" : "[", f);
        for (size_t j = 0; j < nd; j++) {
            double x = v[i * nd + j];
            if (j)
                fputc(',', f);
            if (isnan(x))
                fputs("null", f);
            else
                fprintf(f, "%.10g", x);
        }
        fputc(']', f);
    }
    fputc(']', f);
}

static void put_waypoints(FILE *f, const char *name, const sv_points *p, const unsigned char *ok)
{
    fprintf(f, ",\"%s\":[", name);
    for (size_t i = 0; i < p->n; i++)
        fprintf(f, "%s{\"location\":[%.7f,%.7f],\"snapped\":%s}", i ? "," : "", p->lon[i], p->lat[i],
                ok[i] ? "true" : "false");
    fputc(']', f);
}

static void handle_table(sv_server *s, sv_worker *w, const sv_req *r, double dl, sv_resp *out)
{
    (void)w;
    size_t no = r->src.n, nd = r->dst.n;
    hh_points po = {no, NULL, r->src.lon, r->src.lat}, pd = {nd, NULL, r->dst.lon, r->dst.lat};
    table_ctx c = {nd, malloc((no * nd + 1) * sizeof(double)), malloc((no * nd + 1) * sizeof(double))};
    unsigned char *oko = calloc(no + 1, 1), *okd = calloc(nd + 1, 1);
    char err[512] = "";
    tentry *te = NULL;
    if (!c.t || !c.d || !oko || !okd) {
        resp_error(out, 500, NULL, "out of memory");
        goto done;
    }
    deadline d = {dl};
    hh_stop stop = {past_deadline, &d};
    hh_matrix_opts mo = {r->mode, r->max_minutes > 0 ? r->max_minutes * 60 : INFINITY, r->snap_max, 1, NULL, NULL,
                         0, &stop, NULL};
    int rc = 0;
    if (r->transit) {
        hh_transit_opts o;
        transit_opts(r, (r->max_minutes > 0 ? r->max_minutes : 120) * 60, &o);
        if (!(te = tentry_get(s, &o, err, sizeof err, &rc))) {
            resp_lib(out, s, rc, "transit", err);
            goto done;
        }
        mo.transit = te->t, mo.pct = r->pct, mo.n_pct = 1;
    }
    rc = hh_matrix_run(s->net, &mo, &po, &pd, table_row, &c, oko, okd);
    if (rc) {
        resp_lib(out, s, rc, "table", NULL);
        goto done;
    }
    mbuf m;
    if (mb_open(&m)) {
        resp_error(out, 500, NULL, "out of memory");
        goto done;
    }
    fputs("{\"code\":\"Ok\"", m.f);
    if (r->want_duration)
        put_matrix(m.f, "durations", c.t, no, nd);
    if (r->want_distance)
        put_matrix(m.f, "distances", c.d, no, nd);
    put_waypoints(m.f, "sources", &r->src, oko);
    put_waypoints(m.f, "destinations", &r->dst, okd);
    fprintf(m.f, ",\"mode\":\"%s\"}\n", mode_label(r));
    mb_done(&m, out, 200, "application/json");
done:
    tentry_release(te);
    free(c.t), free(c.d), free(oko), free(okd);
}

/* ---- /access ----------------------------------------------------------- */

static int read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                return -1;
            }
            b = nb;
        }
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return -1;
    }
    *buf = b, *len = n;
    return 0;
}

/* A table through the library's writer into a file of the server's
 * temporary folder, then into the body. */
static void table_body(sv_server *s, const hh_table *t, hh_table_format f, const char *ext, const char *ctype,
                       sv_resp *out)
{
    static unsigned long counter;
    char path[4096], err[512];
    unsigned long k = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    snprintf(path, sizeof path, "%s/r%lu-%lu.%s", s->tmpdir, (unsigned long)getpid(), k, ext);
    int rc = hh_table_write(t, f, path, "access", err, sizeof err);
    if (rc) {
        unlink(path);
        resp_lib(out, s, rc, "access", err);
        return;
    }
    memset(out, 0, sizeof *out);
    if (read_file(path, &out->body, &out->len)) {
        unlink(path);
        resp_error(out, 500, NULL, "cannot read the answer back");
        return;
    }
    unlink(path);
    out->status = 200, out->ctype = ctype;
}

/* The layers an access request sums: 0, or -1 with out set. */
static int access_select(const sv_server *s, const sv_req *r, size_t *sel, size_t *n_out, sv_resp *out)
{
    const hh_layers *ls = s->layers;
    size_t n_sel = 0;
    if (r->preset && !r->n_layers) {
        /* the daily-service layers the network has opportunities of */
        n_sel = hh_preset_15min_layers(ls, sel, SV_MAX_LAYERS, NULL, 0);
        if (!n_sel) {
            resp_error(out, 400, NULL, "preset 15min: none of its layers has an opportunity in this network");
            return -1;
        }
    } else if (r->n_layers) {
        memcpy(sel, r->layers, r->n_layers * sizeof *sel);
        n_sel = r->n_layers;
    } else if (r->sfca_supply < 0) {
        for (size_t j = 0; j < ls->n_layers && n_sel < SV_MAX_LAYERS; j++)
            sel[n_sel++] = j;
    }
    if (!ls->n_layers || (!n_sel && r->sfca_supply < 0)) {
        resp_error(out, 400, NULL, "the network has no opportunity layers");
        return -1;
    }
    *n_out = n_sel;
    return 0;
}

/* The origins: the request's grid (grid is filled) or its point. */
static int access_points(const sv_server *s, const sv_req *r, hh_grid *grid, hh_points *pts, sv_resp *out)
{
    char err[512] = "";
    memset(grid, 0, sizeof *grid);
    pts->n = 1, pts->id = NULL, pts->lon = (double *)&r->lon, pts->lat = (double *)&r->lat;
    if (!r->grid)
        return 0;
    int rc = hh_grid_make_bbox(r->bbox[0], r->bbox[1], r->bbox[2], r->bbox[3], r->cell_m, s->cfg.lim.grid_cells,
                               grid, err, sizeof err);
    if (rc) {
        if (rc == HH_ERANGE)
            resp_error(out, 413, "grid_cells", "%s", err);
        else
            resp_lib(out, s, rc, "grid", err);
        return -1;
    }
    pts->n = grid->n, pts->lon = grid->lon, pts->lat = grid->lat;
    return 0;
}

static double access_max_min(const sv_req *r) { return r->max_minutes > 0 ? r->max_minutes : 120; }

/* The transit options of an access request: searches as far as its decay
 * reaches. */
static void access_transit_opts(const sv_req *r, hh_transit_opts *o)
{
    double max_min = access_max_min(r), reach = 0;
    for (int c = 0; c < r->n_minutes; c++)
        reach = fmax(reach, hh_decay_reach(r->decay, r->decay_value, r->minutes[c] * 60, max_min * 60));
    transit_opts(r, r->n_nearest ? max_min * 60 : ceil(reach), o);
}

/* One access run on net (transit: over the prepared day tp), the 15-minute
 * check's counts added as `halfhour access --preset 15min` does. */
static int access_run_on(const sv_server *s, const hh_net *net, const hh_transit *tp, const sv_req *r, double dl,
                         const size_t *sel, size_t n_sel, const hh_points *pts, hh_table *t, hh_access_stats *st,
                         char *err, size_t errlen)
{
    deadline d = {dl};
    hh_stop stop = {past_deadline, &d};
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.mode = r->mode, ao.transit = tp, ao.pct = r->pct, ao.n_pct = (size_t)r->n_pct;
    ao.pct_of = r->pct_of, ao.minutes = r->minutes, ao.n_minutes = (size_t)r->n_minutes;
    ao.decay = r->decay, ao.decay_value = r->decay_value, ao.layers = sel, ao.n_layers = n_sel;
    ao.nearest = r->nearest, ao.n_nearest = r->n_nearest, ao.sfca_supply = r->sfca_supply;
    ao.sfca_demand = r->sfca_demand, ao.max_s = access_max_min(r) * 60, ao.snap_max_m = r->snap_max, ao.threads = 1;
    ao.stop = &stop;
    memset(t, 0, sizeof *t);
    int rc = hh_access_run(net, &ao, s->layers, pts, t, st, err, errlen);
    if (!rc && r->preset && r->n_pct <= 1)
        rc = hh_table_add_services(t, n_sel, (size_t)r->n_minutes, r->minutes);
    if (rc)
        hh_table_free(t);
    return rc;
}

/* The answer of an access run: the point's values as JSON (with `extra`
 * members, stolen), or the grid in the request's format. */
static void access_answer(sv_server *s, const sv_req *r, hh_table *t, hh_grid *grid, int snapped, json_t *extra,
                          sv_resp *out)
{
    int rc;
    char err[512] = "";
    if (!r->grid) {
        json_t *a = json_object();
        for (size_t c = 0; c < t->n_cols; c++) {
            double v = t->v[c];
            json_object_set_new(a, t->col[c], isfinite(v) ? json_real(v) : json_null());
        }
        json_t *j = json_object();
        json_object_set_new(j, "access", a);
        json_object_set_new(j, "snapped", json_boolean(snapped));
        json_object_set_new(j, "mode", json_string(mode_label(r)));
        if (extra)
            json_object_update(j, extra);
        json_decref(extra);
        sv_resp_json(out, 200, j);
        return;
    }
    json_decref(extra);
    t->grid = grid;
    if (r->format == SV_FMT_GEOJSON) {
        table_body(s, t, HH_TABLE_GEOJSON, "geojson", "application/geo+json", out);
    } else if (r->format == SV_FMT_TIF) {
        table_body(s, t, HH_TABLE_GTIFF, "tif", "image/tiff", out);
    } else {
        size_t col = 0;
        int found = !*r->column;
        for (size_t c = 0; *r->column && c < t->n_cols; c++)
            if (!strcmp(t->col[c], r->column))
                col = c, found = 1;
        unsigned char *png = NULL;
        size_t len = 0;
        double bb[4], range[2];
        if (!found) {
            char cols[400] = "";
            for (size_t c = 0; c < t->n_cols; c++)
                snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", c ? ", " : "", t->col[c]);
            resp_error(out, 400, NULL, "column \"%.60s\": not among the columns (%s)", r->column, cols);
        } else if ((rc = hh_table_png(t, col, r->have_range ? r->range : NULL, &png, &len, bb, range, err,
                                      sizeof err))) {
            if (rc == HH_ERANGE)
                resp_error(out, 413, "grid_cells", "%s", err);
            else
                resp_lib(out, s, rc, "png", err);
        } else {
            memset(out, 0, sizeof *out);
            out->body = malloc(len + 1);
            if (!out->body) {
                resp_error(out, 500, NULL, "out of memory");
            } else {
                memcpy(out->body, png, len);
                out->len = len, out->status = 200, out->ctype = "image/png";
                add_header(out, "X-Bbox", "%.7f,%.7f,%.7f,%.7f", bb[0], bb[1], bb[2], bb[3]);
                add_header(out, "X-Range", "%.10g,%.10g", range[0], range[1]);
                add_header(out, "X-Column", "%s", t->col[col]);
            }
            hh_buffer_free(png);
        }
    }
}

static void handle_access(sv_server *s, sv_worker *w, const sv_req *r, double dl, sv_resp *out)
{
    (void)w;
    size_t sel[SV_MAX_LAYERS], n_sel = 0;
    char err[512] = "";
    if (access_select(s, r, sel, &n_sel, out))
        return;
    hh_grid grid;
    hh_points pts;
    if (access_points(s, r, &grid, &pts, out))
        return;
    tentry *te = NULL;
    int rc;
    if (r->transit) {
        hh_transit_opts o;
        access_transit_opts(r, &o);
        if (!(te = tentry_get(s, &o, err, sizeof err, &rc))) {
            hh_grid_free(&grid);
            resp_lib(out, s, rc, "transit", err);
            return;
        }
    }
    hh_table t;
    hh_access_stats st;
    rc = access_run_on(s, s->net, te ? te->t : NULL, r, dl, sel, n_sel, &pts, &t, &st, err, sizeof err);
    tentry_release(te);
    if (rc) {
        hh_grid_free(&grid);
        resp_lib(out, s, rc, "access", err);
        return;
    }
    access_answer(s, r, &t, &grid, st.origins_snapped == 1, NULL, out);
    hh_table_free(&t);
    hh_grid_free(&grid);
}

/* ---- /report ------------------------------------------------------------- */

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static void handle_report(sv_server *s, sv_worker *w, const sv_req *r, double dl, sv_resp *out)
{
    (void)w;
    char err[512] = "";
    hh_centres c = {r->centres.n, r->centres.id, r->centres.name, r->centres.lon, r->centres.lat};
    hh_report_mode_opts modes[8];
    tentry *te = NULL;
    int rc = 0;
    double T = r->minutes[0];
    for (size_t k = 0; k < r->n_modes; k++) {
        modes[k].mode = r->modes[k].mode, modes[k].transit = NULL;
        if (r->modes[k].transit) {
            if (!te) {
                hh_transit_opts o;
                transit_opts(r, fmax(2 * T, 60) * 60, &o);
                if (!(te = tentry_get(s, &o, err, sizeof err, &rc))) {
                    resp_lib(out, s, rc, "transit", err);
                    return;
                }
            }
            modes[k].transit = te->t;
        }
    }
    deadline d = {dl};
    hh_stop stop = {past_deadline, &d};
    hh_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.minutes = T, ro.modes = modes, ro.n_modes = r->n_modes, ro.pct = r->pct, ro.n_pct = (size_t)r->n_pct;
    ro.circle_pct = r->circle_pct, ro.layers = s->layers, ro.weight_layer = r->weight_layer;
    ro.snap_max_m = r->snap_max, ro.threads = 1, ro.stop = &stop;
    hh_report rep;
    memset(&rep, 0, sizeof rep);
    rc = hh_report_run(s->net, &ro, &c, &rep, err, sizeof err);
    tentry_release(te);
    if (rc) {
        hh_report_free(&rep);
        resp_lib(out, s, rc, "report", err);
        return;
    }
    size_t n = c.n;
    json_t *j = json_object(), *jm = json_array();
    json_object_set_new(j, "minutes", json_real(T));
    json_object_set_new(j, "layer", *rep.weight_name ? json_string(rep.weight_name) : json_null());
    json_object_set_new(j, "total", json_real(rep.total));
    json_t *cs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(c.id[i]));
        json_object_set_new(o, "name", json_string(c.name[i]));
        json_object_set_new(o, "lon", json_real(c.lon[i]));
        json_object_set_new(o, "lat", json_real(c.lat[i]));
        json_array_append_new(cs, o);
    }
    json_object_set_new(j, "centres", cs);
    for (size_t k = 0; k < rep.n_modes; k++) {
        const hh_report_mode *m = &rep.modes[k];
        json_t *o = json_object(), *pairs = json_array(), *circles = json_array(), *snapped = json_array();
        json_object_set_new(o, "mode", json_string(m->name));
        json_t *pc = json_array();
        for (size_t p = 0; p < m->n_val; p++)
            json_array_append_new(pc, json_real(m->n_val > 1 || r->modes[k].transit ? rep.pct[p] : 0));
        if (r->modes[k].transit)
            json_object_set_new(o, "percentiles", pc);
        else
            json_decref(pc);
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(snapped, json_boolean(rep.snapped[k * n + i]));
            for (size_t jj = 0; jj < n; jj++) {
                if (i == jj)
                    continue;
                json_t *pr = json_object(), *mins = json_array();
                int within = 0;
                for (size_t p = 0; p < m->n_val; p++) {
                    double t = m->time_s[(i * n + jj) * m->n_val + p] / 60;
                    json_array_append_new(mins, num_or_null(t));
                    if (p == 0)
                        within = !isnan(t) && t < T;
                }
                json_object_set_new(pr, "from", json_string(c.id[i]));
                json_object_set_new(pr, "to", json_string(c.id[jj]));
                json_object_set_new(pr, "minutes", mins);
                json_object_set_new(pr, "within", json_boolean(within));
                json_array_append_new(pairs, pr);
            }
            json_t *ci = json_object();
            json_object_set_new(ci, "centre", json_string(c.id[i]));
            json_object_set_new(ci, "area_km2", json_real(m->circle_km2[i]));
            json_object_set_new(ci, "inside", m->inside ? num_or_null(m->inside[i]) : json_null());
            json_array_append_new(circles, ci);
        }
        json_object_set_new(o, "snapped", snapped);
        json_object_set_new(o, "pairs", pairs);
        json_object_set_new(o, "circles", circles);
        json_t *u = json_object();
        json_object_set_new(u, "area_km2", json_real(m->union_km2));
        json_object_set_new(u, "inside", num_or_null(m->union_inside));
        json_t *geom = m->union_geojson ? json_loads(m->union_geojson, 0, NULL) : NULL;
        json_object_set_new(u, "geometry", geom ? geom : json_null());
        json_object_set_new(o, "union", u);
        json_array_append_new(jm, o);
    }
    json_object_set_new(j, "modes", jm);
    json_object_set_new(j, "attribution", json_string(ATTRIBUTION));
    hh_report_free(&rep);
    sv_resp_json(out, 200, j);
}

/* ---- /site ---------------------------------------------------------------- */

static void handle_site(sv_server *s, sv_worker *w, const sv_req *r, double dl, sv_resp *out)
{
    (void)w;
    char err[512] = "";
    hh_grid grid;
    memset(&grid, 0, sizeof grid);
    hh_points cand = {r->cand.n, NULL, r->cand.lon, r->cand.lat};
    hh_points ex = {r->existing.n, NULL, r->existing.lon, r->existing.lat};
    int rc;
    if (r->site_grid_m > 0) {
        double x0, y0, x1, y1;
        hh_net_bbox(s->net, &x0, &y0, &x1, &y1);
        if ((rc = hh_grid_make_bbox(x0, y0, x1, y1, r->site_grid_m, s->cfg.lim.grid_cells, &grid, err, sizeof err))) {
            if (rc == HH_ERANGE)
                resp_error(out, 413, "grid_cells", "%s", err);
            else
                resp_lib(out, s, rc, "grid", err);
            return;
        }
        cand.n = grid.n, cand.lon = grid.lon, cand.lat = grid.lat;
    }
    tentry *te = NULL;
    if (r->transit) {
        hh_transit_opts o;
        transit_opts(r, ceil(r->minutes[0] * 60), &o);
        if (!(te = tentry_get(s, &o, err, sizeof err, &rc))) {
            hh_grid_free(&grid);
            resp_lib(out, s, rc, "transit", err);
            return;
        }
    }
    deadline d = {dl};
    hh_stop stop = {past_deadline, &d};
    double left = dl - sv_now();
    hh_site_opts so;
    memset(&so, 0, sizeof so);
    so.mode = r->mode, so.transit = te ? te->t : NULL, so.percentile = r->pct[0], so.minutes = r->minutes[0];
    so.k = r->k, so.cover = r->cover, so.exact = r->exact;
    so.time_limit_s = fmax(0.001, fmin(r->time_limit_s, left)), so.snap_max_m = r->snap_max, so.threads = 1;
    so.stop = &stop;
    hh_site_result res;
    memset(&res, 0, sizeof res);
    rc = hh_site_run(s->net, &so, s->layers, (size_t)r->weight_layer, &cand, ex.n ? &ex : NULL, &res, err,
                     sizeof err);
    tentry_release(te);
    if (rc) {
        hh_grid_free(&grid);
        hh_site_result_free(&res);
        resp_lib(out, s, rc, "site", err);
        return;
    }
    json_t *j = json_object(), *ch = json_array();
    for (size_t i = 0; i < res.n_chosen; i++) {
        size_t c = res.chosen[i];
        json_t *o = json_object();
        char id[32];
        snprintf(id, sizeof id, "%zu", grid.n ? c : c + 1);
        json_object_set_new(o, "rank", json_integer((json_int_t)i + 1));
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "lon", json_real(cand.lon[c]));
        json_object_set_new(o, "lat", json_real(cand.lat[c]));
        json_object_set_new(o, "marginal", json_real(res.marginal[i]));
        json_object_set_new(o, "covered", json_real(res.covered[i]));
        json_object_set_new(o, "covered_share",
                            json_real(res.demand_total > 0 ? res.covered[i] / res.demand_total : 0));
        json_array_append_new(ch, o);
    }
    json_object_set_new(j, "chosen", ch);
    json_object_set_new(j, "demand_total", json_real(res.demand_total));
    json_object_set_new(j, "covered_before", json_real(res.covered_before));
    json_object_set_new(j, "covered_after", json_real(res.covered_after));
    json_object_set_new(j, "coverable", json_real(res.coverable));
    json_object_set_new(j, "exact", json_boolean(res.exact));
    json_object_set_new(j, "optimal", json_boolean(res.optimal));
    json_object_set_new(j, "time_limit_reached", json_boolean(res.time_limit));
    json_object_set_new(j, "gap", num_or_null(res.gap));
    json_object_set_new(j, "seconds", json_real(res.seconds));
    json_object_set_new(j, "mode", json_string(mode_label(r)));
    hh_site_result_free(&res);
    hh_grid_free(&grid);
    sv_resp_json(out, 200, j);
}

/* ---- /network --------------------------------------------------------------- */

/* Road classes shown from a zoom on (a map's base layer thins out). */
static double class_zoom(int c)
{
    switch (c) {
    case HH_CLASS_MOTORWAY:
    case HH_CLASS_MOTORWAY_LINK:
    case HH_CLASS_TRUNK:
    case HH_CLASS_TRUNK_LINK:
    case HH_CLASS_PRIMARY:
    case HH_CLASS_PRIMARY_LINK:
        return 0;
    case HH_CLASS_SECONDARY:
    case HH_CLASS_SECONDARY_LINK:
    case HH_CLASS_TERTIARY:
    case HH_CLASS_TERTIARY_LINK:
        return 12;
    case HH_CLASS_UNCLASSIFIED:
    case HH_CLASS_RESIDENTIAL:
    case HH_CLASS_LIVING_STREET:
    case HH_CLASS_ROAD:
        return 14;
    default:
        return 15;
    }
}

static void handle_network(sv_server *s, const sv_req *r, sv_resp *out)
{
    mbuf m;
    size_t cap = 4096;
    double *ll = malloc(2 * cap * sizeof *ll);
    if (!ll || mb_open(&m)) {
        free(ll);
        resp_error(out, 500, NULL, "out of memory");
        return;
    }
    fprintf(m.f, "{\"type\":\"FeatureCollection\",\"attribution\":\"\\u00a9 OpenStreetMap contributors\","
                 "\"features\":[");
    size_t nf = 0, lim = s->cfg.lim.network_features;
    int truncated = 0;
    /* the edges through the box, from the spatial index, ids ascending */
    uint32_t *ids = NULL;
    size_t n_ids = 0;
    if (hh_net_edges_in_bbox(s->net, r->bbox[0], r->bbox[1], r->bbox[2], r->bbox[3], &ids, &n_ids)) {
        free(ll);
        mb_abort(&m);
        resp_error(out, 500, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n_ids; i++) {
        uint32_t e = ids[i];
        hh_edge_view ev;
        if (hh_net_edge(s->net, r->mode, e, &ev) || class_zoom(ev.road_class) > r->zoom)
            continue;
        int n = hh_net_edge_shape(s->net, e, ll, cap);
        if (n < 0)
            continue;
        if ((size_t)n > cap) {
            double *nl = realloc(ll, 2 * (size_t)n * sizeof *ll);
            if (!nl)
                continue;
            ll = nl, cap = (size_t)n;
            n = hh_net_edge_shape(s->net, e, ll, cap);
        }
        if (nf == lim) {
            truncated = 1;
            break;
        }
        fprintf(m.f, "%s\n{\"type\":\"Feature\",\"properties\":{\"class\":\"%s\"},\"geometry\":{\"type\":"
                     "\"LineString\",\"coordinates\":[",
                nf ? "," : "", hh_class_name(ev.road_class));
        for (int k = 0; k < n; k++)
            fprintf(m.f, "%s[%.6f,%.6f]", k ? "," : "", ll[2 * k], ll[2 * k + 1]);
        fputs("]}}", m.f);
        nf++;
    }
    fprintf(m.f, "\n],\"truncated\":%s,\"mode\":\"%s\"}\n", truncated ? "true" : "false", hh_mode_name(r->mode));
    hh_buffer_free(ids);
    free(ll);
    mb_done(&m, out, 200, "application/geo+json");
}

/* ---- /info ------------------------------------------------------------- */

static json_t *ymd(int32_t d)
{
    char b[16];
    snprintf(b, sizeof b, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    return json_string(b);
}

void sv_handle_info(sv_server *s, sv_resp *out)
{
    double x0, y0, x1, y1;
    hh_net_bbox(s->net, &x0, &y0, &x1, &y1);
    json_t *j = json_object();
    json_object_set_new(j, "bbox", json_pack("[ffff]", x0, y0, x1, y1));
    json_object_set_new(j, "center", json_pack("[ff]", (x0 + x1) / 2, (y0 + y1) / 2));
    json_t *modes = json_pack("[sss]", "walk", "bike", "car");
    uint32_t nf = hh_net_n_feeds(s->net);
    if (nf)
        json_array_append_new(modes, json_string("transit"));
    json_object_set_new(j, "modes", modes);
    if (nf) {
        json_t *t = json_object(), *feeds = json_array();
        hh_feed_info first;
        memset(&first, 0, sizeof first);
        for (uint32_t f = 0; f < nf; f++) {
            hh_feed_info fi;
            if (hh_net_feed_info(s->net, f, &fi))
                continue;
            if (f == 0)
                first = fi;
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(fi.name ? fi.name : ""));
            json_object_set_new(o, "agency_timezone", json_string(fi.timezone ? fi.timezone : ""));
            json_object_set_new(o, "agencies", json_string(fi.agencies ? fi.agencies : ""));
            json_object_set_new(o, "first_date", ymd(fi.first_date));
            json_object_set_new(o, "last_date", ymd(fi.last_date));
            json_array_append_new(feeds, o);
        }
        json_object_set_new(t, "feeds", feeds);
        json_object_set_new(t, "timezone", json_string(first.timezone ? first.timezone : ""));
        char dep[32];
        int32_t d = first.busiest_date ? first.busiest_date : first.first_date;
        snprintf(dep, sizeof dep, "%04d-%02d-%02dT12:00", d / 10000, d / 100 % 100, d % 100);
        json_object_set_new(t, "default_depart", json_string(dep));
        json_object_set_new(j, "transit", t);
    } else {
        json_object_set_new(j, "transit", json_null());
    }
    json_t *layers = json_array();
    for (size_t l = 0; l < s->layers->n_layers; l++) {
        double tot = 0;
        for (size_t i = 0; i < s->layers->n; i++)
            tot += s->layers->value[i * s->layers->n_layers + l];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(s->layers->name[l]));
        json_object_set_new(o, "total", json_real(tot));
        json_array_append_new(layers, o);
    }
    json_object_set_new(j, "layers", layers);
    const hh_serve_limits *L = &s->cfg.lim;
    json_t *lim = json_object();
    json_object_set_new(lim, "body_bytes", json_integer((json_int_t)L->body_bytes));
    json_object_set_new(lim, "locations", json_integer((json_int_t)L->locations));
    json_object_set_new(lim, "contours", json_integer((json_int_t)L->contours));
    json_object_set_new(lim, "matrix_cells", json_integer((json_int_t)L->matrix_cells));
    json_object_set_new(lim, "grid_cells", json_integer((json_int_t)L->grid_cells));
    json_object_set_new(lim, "network_features", json_integer((json_int_t)L->network_features));
    json_object_set_new(lim, "time_budget_s", json_real(L->time_budget_s));
    json_object_set_new(lim, "scenario_features", json_integer((json_int_t)L->scenario_features));
    json_object_set_new(lim, "scenarios", json_integer((json_int_t)L->scenarios));
    json_object_set_new(lim, "minutes", json_real(SV_STREET_MINUTES));
    json_object_set_new(lim, "transit_minutes", json_real(SV_TRANSIT_MINUTES));
    json_object_set_new(j, "limits", lim);
    json_object_set_new(j, "attribution", json_string(ATTRIBUTION));
    json_object_set_new(j, "version", json_string(HH_VERSION_STRING));
    sv_resp_json(out, 200, j);
}

/* ---- /scenario ---------------------------------------------------------- */

/* The library applies a change only into a network file (hh_scenario_apply
 * takes paths), so the request's change is written into a private folder
 * of the server's temporary folder (mkdtemp), applied there, the new file
 * mapped (hh_net_open) and both files unlinked at once: the mapping lives
 * until the network is closed, nothing of the request stays on disk, and
 * the served file is only read. */
static void strip_prefix(char *msg, const char *prefix)
{
    size_t n = strlen(prefix);
    for (char *p = strstr(msg, prefix); p; p = strstr(p, prefix))
        memmove(p, p + n, strlen(p + n) + 1);
}

static int scenario_open(sv_server *s, const sv_req *r, hh_net **out, hh_scenario_stats *st, sv_resp *resp)
{
    char dir[2048], chg[2200], hh[2200], err[600] = "";
    snprintf(dir, sizeof dir, "%s/scenario.XXXXXX", s->tmpdir);
    if (!mkdtemp(dir)) {
        resp_error(resp, 500, NULL, "cannot make a temporary folder for the scenario: %s", strerror(errno));
        return -1;
    }
    snprintf(chg, sizeof chg, "%s/change.geojson", dir);
    snprintf(hh, sizeof hh, "%s/scenario.hh", dir);
    int rc = 0;
    if (json_dump_file(r->change, chg, JSON_COMPACT)) {
        snprintf(err, sizeof err, "cannot write the change into the temporary folder");
        rc = HH_EIO;
    }
    if (!rc)
        rc = hh_scenario_apply(s->net_path, chg, hh, st, err, sizeof err);
    if (!rc)
        rc = hh_net_open(hh, out, err, sizeof err);
    unlink(chg);
    unlink(hh);
    rmdir(dir);
    if (rc) {
        /* the library names the file: the request's is "change.geojson" */
        char pre[2100];
        snprintf(pre, sizeof pre, "%s/", dir);
        strip_prefix(err, pre);
        resp_lib(resp, s, rc, "change", err);
        return -1;
    }
    return 0;
}

static const char *index_how(int how) { return how < 0 ? "kept" : how == 0 ? "updated" : "contracted"; }

/* What the scenario did, for the answer's "scenario" member. */
static json_t *scenario_json(const hh_scenario_stats *st)
{
    json_t *j = json_object(), *ix = json_object();
    json_object_set_new(j, "modifications", json_integer((json_int_t)st->n_mods));
    json_object_set_new(j, "summary", json_string(st->summary));
    json_object_set_new(j, "sha256", json_string(st->sha256));
    json_object_set_new(j, "seconds", json_real(st->seconds));
    json_object_set_new(j, "streets_added", json_integer(st->streets_added));
    json_object_set_new(j, "edges_split", json_integer(st->edges_split));
    json_object_set_new(j, "edges_changed", json_integer(st->edges_changed));
    json_object_set_new(j, "stops_added", json_integer(st->stops_added));
    json_object_set_new(j, "routes_added", json_integer(st->routes_added));
    json_object_set_new(j, "trips_added", json_integer(st->trips_added));
    json_object_set_new(j, "trips_removed", json_integer(st->trips_removed));
    json_object_set_new(j, "trips_changed", json_integer(st->trips_changed));
    for (int m = 0; m < HH_N_MODES; m++)
        json_object_set_new(ix, hh_mode_name((hh_mode)m), json_string(index_how(st->ch_how[m])));
    json_object_set_new(j, "index", ix);
    return j;
}

/* The isochrones of one origin on the base and on the scenario, and per
 * cutoff what is gained and lost (hh_isochrone_compare), as `halfhour
 * isochrone --compare` writes them: per cutoff four Features, "part" base,
 * scenario, gained, lost. */
static void scenario_isochrone(sv_server *s, sv_worker *w, const sv_req *r, const hh_net *sn, json_t *info,
                               sv_resp *out)
{
    hh_mode sm = r->transit ? HH_MODE_WALK : r->mode;
    hh_snap bo, so;
    if (hh_snap_point(s->net, sm, r->lon, r->lat, r->snap_max, &bo)) {
        json_decref(info);
        snap_fail(s, out, "location", sm, r->transit, r->lon, r->lat, r->snap_max);
        return;
    }
    if (hh_snap_point(sn, sm, r->lon, r->lat, r->snap_max, &so)) {
        json_decref(info);
        resp_error(out, 400, NULL, "location %.6f,%.6f: no %s street of the scenario within %g m", r->lon, r->lat,
                   r->transit ? "walk" : hh_mode_name(sm), r->snap_max);
        return;
    }
    size_t nb = (size_t)r->n_minutes;
    double max_s = r->minutes[nb - 1] * 60.0;
    hh_iso_opts io = {r->shape.generalize, r->shape.denoise, r->shape.holes_fill ? HH_ISO_HOLES_FILL : HH_ISO_HOLES_ALL};
    hh_isochrone biso = {0, NULL}, siso = {0, NULL}, gained = {0, NULL}, lost = {0, NULL};
    hh_query *q = NULL;
    hh_transit *tp = NULL;
    hh_transit_query *tq = NULL;
    char err[512] = "";
    int rc;
    if (r->transit) {
        hh_transit_opts o;
        transit_opts(r, max_s, &o);
        rc = worker_transit(w, &o, err, sizeof err);
        if (!rc && !(rc = hh_transit_query_run(w->tq, &bo, NULL, 0)))
            rc = hh_transit_isochrone_opts(w->tq, r->pct[0], r->minutes, nb, &io, &biso);
        if (!rc)
            rc = hh_transit_prepare(sn, &o, &tp, err, sizeof err);
        if (!rc && !(rc = hh_transit_query_init(tp, &tq)) && !(rc = hh_transit_query_run(tq, &so, NULL, 0)))
            rc = hh_transit_isochrone_opts(tq, r->pct[0], r->minutes, nb, &io, &siso);
    } else {
        rc = hh_query_run(w->q, r->mode, &bo, max_s);
        if (!rc)
            rc = hh_isochrone_build_opts(w->q, r->minutes, nb, &io, &biso);
        if (!rc && !(rc = hh_query_init(sn, &q)) && !(rc = hh_query_run(q, r->mode, &so, max_s)))
            rc = hh_isochrone_build_opts(q, r->minutes, nb, &io, &siso);
    }
    hh_query_free(q);
    hh_transit_query_free(tq);
    hh_transit_free(tp);
    if (!rc)
        rc = hh_isochrone_compare(&biso, &siso, &gained, &lost);
    mbuf m;
    if (rc || mb_open(&m)) {
        hh_isochrone_free(&biso), hh_isochrone_free(&siso), hh_isochrone_free(&gained), hh_isochrone_free(&lost);
        json_decref(info);
        if (rc)
            resp_lib(out, s, rc, "isochrone", err);
        else
            resp_error(out, 500, NULL, "out of memory");
        return;
    }
    const hh_isochrone *sets[4] = {&biso, &siso, &gained, &lost};
    static const char *const part[4] = {"base", "scenario", "gained", "lost"};
    json_t *cmp = json_array();
    for (size_t b = 0; b < nb; b++) {
        json_t *c = json_object();
        json_object_set_new(c, "minutes", json_real(r->minutes[b]));
        json_object_set_new(c, "area_km2_base", json_real(biso.bands[b].area_km2));
        json_object_set_new(c, "area_km2_scenario", json_real(siso.bands[b].area_km2));
        json_object_set_new(c, "gained_km2", json_real(gained.bands[b].area_km2));
        json_object_set_new(c, "lost_km2", json_real(lost.bands[b].area_km2));
        json_array_append_new(cmp, c);
    }
    char *ij = json_dumps(info, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    char *cj = json_dumps(cmp, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    json_decref(info), json_decref(cmp);
    char extra[160];
    transit_props(r, ",", extra, sizeof extra);
    fprintf(m.f,
            "{\"type\":\"FeatureCollection\",\"origin\":{\"lon\":%.7f,\"lat\":%.7f,\"snapped\":[%.7f,%.7f],"
            "\"snapped_scenario\":[%.7f,%.7f]},\"attribution\":\"\\u00a9 OpenStreetMap contributors\","
            "\"scenario\":%s,\"compare\":%s,\"features\":[",
            r->lon, r->lat, bo.lon, bo.lat, so.lon, so.lat, ij ? ij : "null", cj ? cj : "[]");
    free(ij), free(cj);
    int first = 1;
    for (size_t b = 0; b < nb && !rc; b++)
        for (int k = 0; k < 4 && !rc; k++) {
            char x[240];
            snprintf(x, sizeof x, "\"part\":\"%s\"%s", part[k], extra);
            hh_isochrone one = {1, &sets[k]->bands[b]};
            hh_isochrone_geojson go = {mode_label(r), x, NULL, 0, 1, !r->polygons};
            rc = hh_isochrone_write_geojson(m.f, &one, &go, &first);
        }
    fputs("\n]}\n", m.f);
    hh_isochrone_free(&biso), hh_isochrone_free(&siso), hh_isochrone_free(&gained), hh_isochrone_free(&lost);
    if (rc) {
        mb_abort(&m);
        resp_error(out, 500, NULL, "cannot write the isochrones");
        return;
    }
    mb_done(&m, out, 200, "application/geo+json");
}

/* The access run on the base and on the scenario, side by side
 * (hh_table_compare: per column c, c_base, c_scenario, c_diff), as
 * `halfhour access --compare` writes them. */
static void scenario_access(sv_server *s, const sv_req *r, const hh_net *sn, double dl, json_t *info, sv_resp *out)
{
    size_t sel[SV_MAX_LAYERS], n_sel = 0;
    char err[512] = "";
    hh_grid grid;
    hh_points pts;
    if (access_select(s, r, sel, &n_sel, out) || access_points(s, r, &grid, &pts, out)) {
        json_decref(info);
        return;
    }
    tentry *te = NULL;
    hh_transit *tp = NULL;
    int rc = 0;
    if (r->transit) {
        hh_transit_opts o;
        access_transit_opts(r, &o);
        if ((te = tentry_get(s, &o, err, sizeof err, &rc)))
            rc = hh_transit_prepare(sn, &o, &tp, err, sizeof err);
    }
    hh_table bt, st_, both;
    memset(&bt, 0, sizeof bt), memset(&st_, 0, sizeof st_), memset(&both, 0, sizeof both);
    hh_access_stats bst, sst;
    const char *what = r->transit ? "transit" : "access";
    if (!rc) {
        what = "access on the base";
        rc = access_run_on(s, s->net, te ? te->t : NULL, r, dl, sel, n_sel, &pts, &bt, &bst, err, sizeof err);
    }
    if (!rc) {
        what = "access on the scenario";
        rc = access_run_on(s, sn, tp, r, dl, sel, n_sel, &pts, &st_, &sst, err, sizeof err);
    }
    if (!rc) {
        what = "access compare";
        rc = hh_table_compare(&bt, &st_, &both);
    }
    tentry_release(te);
    hh_transit_free(tp);
    hh_table_free(&bt), hh_table_free(&st_);
    if (rc) {
        json_decref(info);
        hh_grid_free(&grid);
        resp_lib(out, s, rc, what, err);
        return;
    }
    json_t *extra = json_object();
    json_object_set_new(extra, "scenario", info);
    json_object_set_new(extra, "attribution", json_string(ATTRIBUTION));
    access_answer(s, r, &both, &grid, sst.origins_snapped == 1, extra, out);
    hh_table_free(&both);
    hh_grid_free(&grid);
}

static void handle_scenario(sv_server *s, sv_worker *w, const sv_req *r, double dl, sv_resp *out)
{
    /* each scenario maps a network of its own: only so many at once */
    int n = __atomic_add_fetch(&s->scenarios, 1, __ATOMIC_RELAXED);
    if ((size_t)n > s->cfg.lim.scenarios) {
        __atomic_sub_fetch(&s->scenarios, 1, __ATOMIC_RELAXED);
        resp_error(out, 503, "scenarios", "%zu scenarios are being computed already (the limit); try again",
                   s->cfg.lim.scenarios);
        return;
    }
    hh_net *sn = NULL;
    hh_scenario_stats st;
    memset(&st, 0, sizeof st);
    if (scenario_open(s, r, &sn, &st, out) == 0) {
        if (sv_now() > dl) {
            resp_error(out, 413, "time_budget", "applying the change: more than the time budget of %g s",
                       s->cfg.lim.time_budget_s);
        } else if (r->analysis == SV_ISOCHRONE) {
            scenario_isochrone(s, w, r, sn, scenario_json(&st), out);
        } else {
            scenario_access(s, r, sn, dl, scenario_json(&st), out);
        }
        hh_net_close(sn);
    }
    __atomic_sub_fetch(&s->scenarios, 1, __ATOMIC_RELAXED);
}

void sv_handle(sv_server *s, const sv_req *r, double deadline_at, sv_resp *out)
{
    sv_worker *w = sv_worker_get(s);
    if (!w) {
        resp_error(out, 500, NULL, "out of memory (worker)");
        return;
    }
    switch (r->ep) {
    case SV_ISOCHRONE:
        handle_isochrone(s, w, r, out);
        break;
    case SV_TABLE:
        handle_table(s, w, r, deadline_at, out);
        break;
    case SV_ACCESS:
        handle_access(s, w, r, deadline_at, out);
        break;
    case SV_REPORT:
        handle_report(s, w, r, deadline_at, out);
        break;
    case SV_SITE:
        handle_site(s, w, r, deadline_at, out);
        break;
    case SV_NETWORK:
        handle_network(s, r, out);
        break;
    case SV_SCENARIO:
        handle_scenario(s, w, r, deadline_at, out);
        break;
    default:
        resp_error(out, 404, NULL, "no such endpoint");
    }
}
