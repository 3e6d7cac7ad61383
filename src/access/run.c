/* run.c: access runs (hh_access_run): the many-origin driver's rows to the
 * opportunity points, reduced per origin into access figures.  Every figure
 * is a sum over the row, so an origin's access equals what `matrix` gives
 * for the same points (the tests check exactly that).  The reduction runs
 * in the worker that searched the origin (reach/many.h), per-departure
 * samples of transit included, so no row is kept longer than its origin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "reach/many.h"
#include "reach/spread.h"
#include "util/alloc.h"

typedef struct entry {
    uint32_t slot; /* reported layer index */
    double v;
} entry;

typedef struct wscratch {
    double *acc;      /* n_l * n_c (one percentile or one sample) */
    double *near;     /* n_l * n_n */
    double *sfca;     /* n_c */
    double *per_s;    /* samples x per-sample values (HH_PCT_OF_ACCESS) */
    double *tv;       /* (t, v) pairs for nearest, 2 per entry */
    double *col;      /* samples, one column's, for percentiles */
} wscratch;

typedef struct actx {
    const hh_access_opts *o;
    size_t n_l, n_c, n_p, n_n, n_cols, per_sample;
    double cut_s[64];
    size_t n_t;          /* targets */
    uint32_t *first;     /* n_t + 1 into ent */
    entry *ent;
    double *supply;      /* per target: supply value (2SFCA) */
    double *demand_w;    /* per target: demand reaching it, [k * n_c * n_p + c * n_p + p] */
    double *ratio;       /* supply / demand, same layout */
    const double *demand_o; /* step 1: demand of each origin */
    wscratch *ws;
    int nw;
    hh_table *out;
} actx;

static double weight(const actx *a, double t, size_t c)
{
    return hh_decay_weight(a->o->decay, a->o->decay_value, a->cut_s[c], t);
}

/* n-th nearest from (t, v) pairs of one layer: the smallest t at which the
 * values reached add up to n (a point worth 3 jobs is 3 opportunities). */
static int cmp_tv(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Access figures of one set of times: times[k * stride] = seconds to target k or NAN.
 * Fills acc (n_l x n_c), near (n_l x n_n) and sfca (n_c) at percentile p
 * (only for the 2SFCA ratios). */
static void figures(const actx *a, wscratch *w, const double *times, size_t stride, size_t p)
{
    size_t nl = a->n_l, nc = a->n_c;
    memset(w->acc, 0, nl * nc * sizeof *w->acc);
    memset(w->sfca, 0, (nc ? nc : 1) * sizeof *w->sfca);
    size_t ntv = 0;
    for (size_t k = 0; k < a->n_t; k++) {
        double t = times[k * stride];
        if (isnan(t))
            continue;
        for (size_t c = 0; c < nc; c++) {
            double f = weight(a, t, c);
            if (f == 0)
                continue;
            for (uint32_t e = a->first[k]; e < a->first[k + 1]; e++)
                w->acc[a->ent[e].slot * nc + c] += a->ent[e].v * f;
            if (a->ratio)
                w->sfca[c] += a->ratio[(k * nc + c) * a->n_p + p] * f;
        }
        if (a->n_n)
            for (uint32_t e = a->first[k]; e < a->first[k + 1]; e++) {
                w->tv[2 * ntv] = a->ent[e].slot + t / 1e6; /* layer, then time: one sort */
                w->tv[2 * ntv + 1] = a->ent[e].v;
                ntv++;
            }
    }
    if (!a->n_n)
        return;
    for (size_t i = 0; i < nl * a->n_n; i++)
        w->near[i] = NAN;
    qsort(w->tv, ntv, 2 * sizeof *w->tv, cmp_tv);
    size_t i = 0;
    while (i < ntv) {
        size_t l = (size_t)floor(w->tv[2 * i]);
        double cum = 0;
        for (; i < ntv && (size_t)floor(w->tv[2 * i]) == l; i++) {
            double t = (w->tv[2 * i] - (double)l) * 1e6;
            double before = cum;
            cum += w->tv[2 * i + 1];
            for (size_t n = 0; n < a->n_n; n++)
                if (before < a->o->nearest[n] && cum >= a->o->nearest[n] - 1e-9)
                    w->near[l * a->n_n + n] = t / 60.0;
        }
    }
}

/* Column index of figure kind for layer l, cutoff/nth c, percentile p. */
static size_t col_acc(const actx *a, size_t l, size_t c, size_t p) { return (l * a->n_c + c) * a->n_p + p; }
static size_t col_near(const actx *a, size_t l, size_t n, size_t p)
{
    return a->n_l * a->n_c * a->n_p + (l * a->n_n + n) * a->n_p + p;
}
static size_t col_sfca(const actx *a, size_t c, size_t p)
{
    return a->n_l * (a->n_c + a->n_n) * a->n_p + c * a->n_p + p;
}

static void put(const actx *a, const wscratch *w, size_t p, double *out)
{
    for (size_t l = 0; l < a->n_l; l++) {
        for (size_t c = 0; c < a->n_c; c++)
            out[col_acc(a, l, c, p)] = w->acc[l * a->n_c + c];
        for (size_t n = 0; n < a->n_n; n++)
            out[col_near(a, l, n, p)] = w->near[l * a->n_n + n];
    }
    if (a->ratio)
        for (size_t c = 0; c < a->n_c; c++)
            out[col_sfca(a, c, p)] = w->sfca[c];
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    /* NAN (not reached) after every number */
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return a < b ? -1 : a > b;
}

static int reduce(void *ud, int worker, const hh__many_row *row, double *out)
{
    actx *a = ud;
    wscratch *w = &a->ws[worker];
    if (!row->snapped) {
        for (size_t i = 0; i < a->n_cols; i++)
            out[i] = NAN;
        return 0;
    }
    if (!(a->o->transit && a->o->pct_of == HH_PCT_OF_ACCESS)) {
        for (size_t p = 0; p < a->n_p; p++) {
            figures(a, w, row->time_s + p, row->n_val, p);
            put(a, w, p, out);
        }
        return 0;
    }
    /* the percentile, over departures, of each departure's access */
    uint32_t S = row->n_samples;
    size_t nf = a->per_sample; /* figures per sample: n_l * (n_c + n_n) */
    for (uint32_t s = 0; s < S; s++) {
        /* sample s's time to every target */
        for (size_t k = 0; k < a->n_t; k++) {
            const uint32_t *sv = row->samples(row, k);
            w->col[k] = sv && sv[s] != UINT32_MAX ? (double)sv[s] : NAN;
        }
        figures(a, w, w->col, 1, 0);
        double *dst = w->per_s + (size_t)s * nf;
        memcpy(dst, w->acc, a->n_l * a->n_c * sizeof *dst);
        if (a->n_n)
            memcpy(dst + a->n_l * a->n_c, w->near, a->n_l * a->n_n * sizeof *dst);
    }
    /* per figure: sort its S values, take the nearest-rank percentiles */
    for (size_t f = 0; f < nf; f++) {
        for (uint32_t s = 0; s < S; s++)
            w->col[s] = w->per_s[(size_t)s * nf + f];
        qsort(w->col, S, sizeof *w->col, cmp_d);
        for (size_t p = 0; p < a->n_p; p++) {
            size_t rank = (size_t)ceil(a->o->pct[p] / 100.0 * S);
            double v = w->col[(rank < 1 ? 1 : rank) - 1];
            size_t col = f < a->n_l * a->n_c ? col_acc(a, f / a->n_c, f % a->n_c, p)
                                             : col_near(a, (f - a->n_l * a->n_c) / a->n_n,
                                                        (f - a->n_l * a->n_c) % a->n_n, p);
            out[col] = v;
        }
    }
    /* 2SFCA from percentile times */
    if (a->ratio)
        for (size_t p = 0; p < a->n_p; p++) {
            figures(a, w, row->time_s + p, row->n_val, p);
            for (size_t c = 0; c < a->n_c; c++)
                out[col_sfca(a, c, p)] = w->sfca[c];
        }
    return 0;
}

static int deliver(void *ud, const hh__many_row *row, const double *out)
{
    actx *a = ud;
    memcpy(a->out->v + row->origin * a->n_cols, out, a->n_cols * sizeof *out);
    return 0;
}

/* 2SFCA step 1: the demand reaching each supply target (in origin order,
 * so the sums do not depend on threads). */
static int demand_deliver(void *ud, const hh__many_row *row, const double *out)
{
    actx *a = ud;
    (void)out;
    double d = a->demand_o[row->origin];
    if (!row->snapped || !(d > 0))
        return 0;
    for (size_t k = 0; k < a->n_t; k++) {
        if (!(a->supply[k] > 0))
            continue;
        for (size_t p = 0; p < a->n_p; p++) {
            double t = row->time_s[k * row->n_val + p];
            if (isnan(t))
                continue;
            for (size_t c = 0; c < a->n_c; c++)
                a->demand_w[(k * a->n_c + c) * a->n_p + p] += d * weight(a, t, c);
        }
    }
    return 0;
}

static int fail(char *err, size_t errlen, const char *msg, const char *arg)
{
    if (err)
        snprintf(err, errlen, "access: %s%s%s", msg, arg ? " " : "", arg ? arg : "");
    return HH_EINVAL;
}

static char *col_name(const char *layer, const char *what, double mins, int with_min, const actx *a, size_t p)
{
    char b[256];
    int n = with_min ? snprintf(b, sizeof b, "%s_%s%g", layer, what, mins) : snprintf(b, sizeof b, "%s_%s", layer, what);
    if (a->o->transit && n > 0 && (size_t)n < sizeof b)
        snprintf(b + n, sizeof b - (size_t)n, "_p%g", a->o->pct[p]);
    return hh__strdup(b);
}

static int make_columns(actx *a, const hh_layers *ls, hh_table *t)
{
    t->col = hh__calloc(a->n_cols + 1, sizeof *t->col);
    if (!t->col)
        return HH_ENOMEM;
    t->n_cols = a->n_cols;
    for (size_t l = 0; l < a->n_l; l++) {
        const char *ln = ls->name[a->o->layers[l]];
        for (size_t p = 0; p < a->n_p; p++) {
            for (size_t c = 0; c < a->n_c; c++)
                if (!(t->col[col_acc(a, l, c, p)] = col_name(ln, "", a->o->minutes[c], 1, a, p)))
                    return HH_ENOMEM;
            for (size_t n = 0; n < a->n_n; n++) {
                char what[32];
                if (a->o->nearest[n] == 1)
                    snprintf(what, sizeof what, "nearest_min");
                else
                    snprintf(what, sizeof what, "nearest%u_min", a->o->nearest[n]);
                if (!(t->col[col_near(a, l, n, p)] = col_name(ln, what, 0, 0, a, p)))
                    return HH_ENOMEM;
            }
        }
    }
    if (a->ratio)
        for (size_t p = 0; p < a->n_p; p++)
            for (size_t c = 0; c < a->n_c; c++)
                if (!(t->col[col_sfca(a, c, p)] = col_name(ls->name[a->o->sfca_supply], "2sfca_", a->o->minutes[c], 1, a, p)))
                    return HH_ENOMEM;
    /* "jobs__30" from the empty `what`: one underscore */
    for (size_t i = 0; i < a->n_cols; i++) {
        char *s = t->col[i], *d = strstr(s, "__");
        if (d)
            memmove(d, d + 1, strlen(d));
    }
    return 0;
}

static int check_opts(const hh_access_opts *o, const hh_layers *ls, char *err, size_t errlen)
{
    if (o->n_minutes == 0 || o->n_minutes > 64)
        return fail(err, errlen, "give 1 to 64 cutoffs", NULL);
    for (size_t c = 0; c < o->n_minutes; c++)
        if (!(o->minutes[c] > 0) || (c && o->minutes[c] <= o->minutes[c - 1]))
            return fail(err, errlen, "cutoffs must be > 0 and increasing", NULL);
    if (hh_decay_check(o->decay, o->decay_value))
        return fail(err, errlen, "decay value out of range for", hh_decay_name(o->decay));
    if (o->n_layers == 0 && o->sfca_supply < 0)
        return fail(err, errlen, "no opportunity layer chosen", NULL);
    if (o->n_layers > 64)
        return fail(err, errlen, "at most 64 layers", NULL);
    for (size_t l = 0; l < o->n_layers; l++)
        if (o->layers[l] >= ls->n_layers)
            return fail(err, errlen, "layer index out of range", NULL);
    for (size_t n = 0; n < o->n_nearest; n++)
        if (o->nearest[n] < 1)
            return fail(err, errlen, "nearest counts start at 1", NULL);
    if ((o->sfca_supply >= 0) != (o->sfca_demand >= 0) || o->sfca_supply >= (int)ls->n_layers ||
        o->sfca_demand >= (int)ls->n_layers)
        return fail(err, errlen, "2SFCA needs a supply and a demand layer", NULL);
    if (o->transit) {
        if (o->n_pct == 0 || o->n_pct > 16)
            return fail(err, errlen, "give 1 to 16 percentiles", NULL);
        for (size_t p = 0; p < o->n_pct; p++)
            if (!(o->pct[p] > 0) || o->pct[p] > 100)
                return fail(err, errlen, "percentiles are in (0, 100]", NULL);
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int hh_access_run(const hh_net *net, const hh_access_opts *o, const hh_layers *ls, const hh_points *orig,
                  hh_table *out, hh_access_stats *st, char *err, size_t errlen)
{
    int rc = check_opts(o, ls, err, errlen);
    if (rc)
        return rc;
    double t0 = now_s();
    actx a;
    memset(&a, 0, sizeof a);
    a.o = o;
    a.n_l = o->n_layers, a.n_c = o->n_minutes, a.n_n = o->n_nearest;
    a.n_p = o->transit ? o->n_pct : 1;
    int sfca = o->sfca_supply >= 0;
    a.n_cols = (a.n_l * (a.n_c + a.n_n) + (sfca ? a.n_c : 0)) * a.n_p;
    a.per_sample = a.n_l * (a.n_c + a.n_n);
    for (size_t c = 0; c < a.n_c; c++)
        a.cut_s[c] = o->minutes[c] * 60.0;
    /* the targets: points with a value in a reported layer, or supply or demand */
    size_t nl = ls->n_layers;
    hh_points dest = {0, NULL, NULL, NULL};
    hh_table t;
    memset(&t, 0, sizeof t);
    double *demand_t = NULL;
    unsigned char *okd = NULL;
    rc = HH_ENOMEM;
    dest.lon = hh__alloc_array(ls->n + 1, sizeof *dest.lon);
    dest.lat = hh__alloc_array(ls->n + 1, sizeof *dest.lat);
    a.first = hh__alloc_array(ls->n + 2, sizeof *a.first);
    a.ent = hh__alloc_array(ls->n * (a.n_l ? a.n_l : 1) + 1, sizeof *a.ent);
    a.supply = hh__calloc(ls->n + 1, sizeof *a.supply);
    demand_t = hh__calloc(ls->n + 1, sizeof *demand_t);
    if (!dest.lon || !dest.lat || !a.first || !a.ent || !a.supply || !demand_t)
        goto done;
    size_t ne = 0;
    a.first[0] = 0;
    for (size_t i = 0; i < ls->n; i++) {
        const double *row = ls->value + i * nl;
        size_t e0 = ne;
        for (size_t l = 0; l < a.n_l; l++)
            if (row[o->layers[l]] > 0)
                a.ent[ne++] = (entry){(uint32_t)l, row[o->layers[l]]};
        double sv = sfca ? row[o->sfca_supply] : 0, dv = sfca ? row[o->sfca_demand] : 0;
        if (ne == e0 && !(sv > 0) && !(dv > 0))
            continue;
        dest.lon[a.n_t] = ls->lon[i], dest.lat[a.n_t] = ls->lat[i];
        a.supply[a.n_t] = sv > 0 ? sv : 0;
        demand_t[a.n_t] = dv > 0 ? dv : 0;
        a.first[++a.n_t] = (uint32_t)ne;
    }
    dest.n = a.n_t;
    okd = hh__calloc(a.n_t + 1, 1);
    a.nw = hh__many_threads(o->threads);
    a.ws = hh__calloc((size_t)a.nw, sizeof *a.ws);
    if (!okd || !a.ws)
        goto done;
    uint32_t S = o->transit ? hh_transit_samples(o->transit) : 1;
    for (int w = 0; w < a.nw; w++) {
        wscratch *s = &a.ws[w];
        s->acc = hh__alloc_array(a.n_l * a.n_c + 1, sizeof(double));
        s->near = hh__alloc_array(a.n_l * a.n_n + 1, sizeof(double));
        s->sfca = hh__alloc_array(a.n_c + 1, sizeof(double));
        s->tv = hh__alloc_array(2 * (ne + 1), sizeof(double));
        s->col = hh__alloc_array((a.n_t > S ? a.n_t : S) + 1, sizeof(double));
        if (o->transit && o->pct_of == HH_PCT_OF_ACCESS)
            s->per_s = hh__alloc_array((size_t)S * (a.per_sample + 1), sizeof(double));
        if (!s->acc || !s->near || !s->sfca || !s->tv || !s->col ||
            (o->transit && o->pct_of == HH_PCT_OF_ACCESS && !s->per_s))
            goto done;
    }
    double max_s = o->max_s > 0 ? o->max_s : 7200;
    double reach = 0;
    for (size_t c = 0; c < a.n_c; c++) {
        double r = hh__decay_reach_s(o->decay, o->decay_value, a.cut_s[c], max_s);
        reach = r > reach ? r : reach;
    }
    if (a.n_n)
        reach = max_s;
    hh__many_req req = {net, o->transit, o->mode, reach, o->snap_max_m, o->pct, a.n_p, o->threads, orig, &dest, o->stop, o->spread};
    if (sfca) {
        /* step 1: from every demand point to the supply points */
        a.demand_w = hh__calloc(a.n_t * a.n_c * a.n_p + 1, sizeof *a.demand_w);
        a.ratio = hh__calloc(a.n_t * a.n_c * a.n_p + 1, sizeof *a.ratio);
        if (!a.demand_w || !a.ratio)
            goto done;
        hh__many_req r1 = req;
        r1.orig = &dest;
        a.demand_o = demand_t;
        hh__many_fns f1 = {NULL, 0, demand_deliver, &a, HH__MANY_SKIP_DIST};
        if ((rc = hh__many_run(&r1, &f1, NULL, NULL)))
            goto done;
        /* spread over ranks, only rank 0 summed the demand: every rank's
         * step 2 needs it */
        if ((rc = hh__spread_bcast(o->spread, a.demand_w, a.n_t * a.n_c * a.n_p * sizeof *a.demand_w)))
            goto done;
        for (size_t i = 0; i < a.n_t * a.n_c * a.n_p; i++) {
            size_t k = i / (a.n_c * a.n_p);
            a.ratio[i] = a.demand_w[i] > 0 ? a.supply[k] / a.demand_w[i] : 0;
        }
        rc = HH_ENOMEM;
    }
    /* the result table */
    t.n_rows = orig->n;
    t.v = hh__alloc_array(orig->n * a.n_cols + 1, sizeof *t.v);
    t.lon = hh__alloc_array(orig->n + 1, sizeof *t.lon);
    t.lat = hh__alloc_array(orig->n + 1, sizeof *t.lat);
    if (!t.v || !t.lon || !t.lat || (rc = make_columns(&a, ls, &t)))
        goto done;
    if (hh__spread_rank_of(o->spread) != 0) /* rows are rank 0's: the table stays zero here */
        memset(t.v, 0, orig->n * a.n_cols * sizeof *t.v);
    rc = HH_ENOMEM;
    if (orig->n) {
        memcpy(t.lon, orig->lon, orig->n * sizeof *t.lon);
        memcpy(t.lat, orig->lat, orig->n * sizeof *t.lat);
    }
    if (orig->id) {
        if (!(t.id = hh__calloc(orig->n + 1, sizeof *t.id)))
            goto done;
        for (size_t i = 0; i < orig->n; i++)
            if (!(t.id[i] = hh__strdup(orig->id[i])))
                goto done;
    }
    a.out = &t;
    unsigned char *oko = hh__calloc(orig->n + 1, 1);
    if (!oko)
        goto done;
    hh__many_fns f = {reduce, a.n_cols, deliver, &a, HH__MANY_SKIP_TIME | HH__MANY_SKIP_DIST};
    rc = hh__many_run(&req, &f, oko, okd);
    if (!rc && st) {
        memset(st, 0, sizeof *st);
        st->origins = orig->n;
        for (size_t i = 0; i < orig->n; i++)
            st->origins_snapped += oko[i];
        st->opp_points = a.n_t;
        for (size_t k = 0; k < a.n_t; k++) {
            if (okd[k])
                continue;
            st->opp_unsnapped++;
            for (uint32_t e = a.first[k]; e < a.first[k + 1]; e++)
                st->opp_lost[a.ent[e].slot] += a.ent[e].v;
        }
        st->seconds = now_s() - t0;
    }
    hh__free(oko);
    if (!rc) {
        *out = t;
        memset(&t, 0, sizeof t);
    } else if (err && rc != HH_EINVAL) {
        snprintf(err, errlen, "access: %s", hh_strerror(rc));
    }
done:
    if (rc == HH_ENOMEM && err)
        snprintf(err, errlen, "access: %s", hh_strerror(rc));
    hh_table_free(&t);
    for (int w = 0; a.ws && w < a.nw; w++) {
        wscratch *s = &a.ws[w];
        hh__free(s->acc), hh__free(s->near), hh__free(s->sfca), hh__free(s->tv), hh__free(s->col), hh__free(s->per_s);
    }
    hh__free(a.ws), hh__free(a.first), hh__free(a.ent), hh__free(a.supply), hh__free(a.demand_w), hh__free(a.ratio);
    hh__free(dest.lon), hh__free(dest.lat), hh__free(demand_t), hh__free(okd);
    return rc;
}
