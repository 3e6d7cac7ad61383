/* site.c: facility siting (hh_site_run): maximal covering location and set
 * covering over the coverage the many-origin driver gives.
 *
 * Coverage.  One driver run from every demand point (weight > 0) to the
 * candidates followed by the existing facilities; demand point i is covered
 * by destination j when t(i -> j) < T, access's step rule.  Rows arrive in
 * demand order, so the pairs land demand-major; a counting pass turns them
 * into candidate-major CSR (each candidate's demand indices increasing),
 * leaving out the demand the existing facilities already cover: such
 * demand adds nothing to any candidate (it is counted in covered_before).
 *
 * Greedy.  Coverage is monotone submodular: a site's marginal gain only
 * falls as others are chosen.  The lazy greedy (Minoux's accelerated
 * greedy, "CELF" in Leskovec et al. 2007) keeps every candidate in a
 * max-heap keyed by its last computed gain, an upper bound of the current
 * one, with the round it was computed in; the top is re-evaluated until it
 * is fresh, and a fresh top is the plain greedy's choice: every candidate
 * above it in heap order would have a larger bound, and ties are ordered by
 * candidate index, so the lowest index among equal gains wins as in the
 * plain scan.  Gains are sums over a candidate's list in index order, so a
 * recomputed gain is bit for bit the plain greedy's, and a sum over fewer
 * of the same positive terms never exceeds the full one under rounding
 * (rounding is monotone): stale bounds stay bounds.
 *
 * Exact.  A MILP handed to GLPK: x_j binary for the candidates that cover
 * some uncovered demand, y_i in [0, 1] for that demand (continuous: for
 * integer x an optimal y is min(1, sum x_j), integer anyway), rows
 * y_i - sum_{j covers i} x_j <= 0 and either sum x_j <= k with max sum w_i
 * y_i (MCLP) or sum w_i y_i >= target with min sum x_j (set covering).
 * Why GLPK: it is a Debian package (libglpk-dev) linked as a plain C
 * library, its branch and cut takes a time limit (tm_lim) and its search
 * tree reports the best bound, hence the gap; its state lives in a
 * problem object plus one environment per thread (thread-local storage in
 * Debian's 5.0 build), so separate runs in separate threads do not meet.
 * GLPK allocates through its own allocator, not hh_set_allocator's hook,
 * and aborts on running out of memory.  The environment is freed only when
 * this run created it (glp_init_env() == 0): glp_free_env() would destroy
 * every GLPK object of the calling thread, a host program's included, so
 * an environment found in place is left alone, its terminal output setting
 * restored.  The greedy solution is computed first and kept when the solver
 * stops at its time limit with nothing better, so exact is never worse.
 * The chosen set is then ordered greedily, which gives the marginals. */
#include <glpk.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan/plan.h"
#include "reach/many.h"
#include "reach/spread.h"
#include "util/alloc.h"

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "site: ");
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && (size_t)n < errlen)
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- greedy ------------------------------------------------------------ */

static double gain(const hh__site_cov *c, const unsigned char *cov, size_t j)
{
    double g = 0;
    for (size_t e = c->first[j]; e < c->first[j + 1]; e++)
        if (!cov[c->dem[e]])
            g += c->w[c->dem[e]];
    return g;
}

static void take(const hh__site_cov *c, unsigned char *cov, size_t j)
{
    for (size_t e = c->first[j]; e < c->first[j + 1]; e++)
        cov[c->dem[e]] = 1;
}

typedef struct hent {
    double b;     /* gain when last computed: an upper bound of the current one */
    size_t j;     /* candidate */
    size_t round; /* sites chosen when b was computed */
} hent;

/* heap order: larger bound first, then the lower candidate index */
static int above(const hent *x, const hent *y) { return x->b > y->b || (x->b == y->b && x->j < y->j); }

static void sift_down(hent *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && above(&h[l], &h[m]))
            m = l;
        if (r < n && above(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        hent t = h[i];
        h[i] = h[m], h[m] = t;
        i = m;
    }
}

/* A greedy run from the coverage state cov (covered: its demand): picks
 * candidates of `allowed` (NULL: all) until `limit` are chosen, coverage
 * reaches `target` (< 0: no target) or no candidate adds demand.  Appends
 * to chosen/marg/cum (capacity n_cand), *n counts them. */
static int greedy(const hh__site_cov *c, const unsigned char *allowed, size_t limit, double target, int lazy,
                  unsigned char *cov, double *covered, size_t *chosen, double *marg, double *cum, size_t *n)
{
    hent *h = NULL;
    size_t nh = 0;
    unsigned char *used = NULL;
    if (lazy) {
        if (!(h = hh__alloc_array(c->n_cand + 1, sizeof *h)))
            return HH_ENOMEM;
        for (size_t j = 0; j < c->n_cand; j++)
            if (!allowed || allowed[j])
                h[nh++] = (hent){gain(c, cov, j), j, 0};
        for (size_t i = nh / 2; i-- > 0;)
            sift_down(h, nh, i);
    } else if (!(used = hh__calloc(c->n_cand + 1, 1))) {
        return HH_ENOMEM;
    }
    size_t round = 0;
    while (*n < limit && !(target >= 0 && *covered >= target)) {
        size_t best = SIZE_MAX;
        double g = 0;
        if (lazy) {
            while (nh && h[0].round != round) {
                h[0].b = gain(c, cov, h[0].j);
                h[0].round = round;
                sift_down(h, nh, 0);
            }
            if (nh && h[0].b > 0) {
                best = h[0].j, g = h[0].b;
                h[0] = h[--nh];
                sift_down(h, nh, 0);
            }
        } else {
            for (size_t j = 0; j < c->n_cand; j++) {
                if (used[j] || (allowed && !allowed[j]))
                    continue;
                double gj = gain(c, cov, j);
                if (gj > g)
                    g = gj, best = j;
            }
            if (best != SIZE_MAX)
                used[best] = 1;
        }
        if (best == SIZE_MAX)
            break; /* nothing adds demand */
        take(c, cov, best);
        *covered += g;
        chosen[*n] = best, marg[*n] = g, cum[*n] = *covered;
        ++*n;
        round++;
    }
    hh__free(h);
    hh__free(used);
    return 0;
}

/* ---- exact: the MILP through GLPK ------------------------------------------ */

typedef struct cbinfo {
    double bound; /* the best active node's bound, NAN before any */
} cbinfo;

static void on_tree(glp_tree *t, void *info)
{
    cbinfo *b = info;
    int best = glp_ios_best_node(t);
    double v = best ? glp_ios_node_bound(t, best) : NAN;
    if (fabs(v) < DBL_MAX) /* a node whose LP is not solved yet has +-DBL_MAX */
        b->bound = v;
}

typedef struct milp_out {
    unsigned char *set; /* n_cand: 1 when x_j = 1 in the solution (none: all 0) */
    int have;           /* a solution was found */
    int optimal, time_limit;
    double bound;       /* on the model's objective (new demand covered, or sites); NAN unknown */
} milp_out;

/* cover_target < 0: MCLP with budget k; else set covering to add at least
 * cover_target demand to what cov (the existing facilities') holds. */
static int milp(const hh__site_cov *c, const unsigned char *cov, size_t k, double cover_target, double time_limit_s,
                milp_out *mo, char *err, size_t errlen)
{
    int is_cover = cover_target >= 0;
    size_t *yrow = hh__calloc(c->n_dem + 1, sizeof *yrow); /* row (1-based) of demand i, 0: not in the model */
    size_t *xcol = hh__calloc(c->n_cand + 1, sizeof *xcol); /* column (1-based) of candidate j */
    uint32_t *ydem = NULL;
    int *ia = NULL, *ja = NULL;
    double *ar = NULL;
    int rc = HH_ENOMEM;
    if (!yrow || !xcol)
        goto done;
    size_t ny = 0, nx = 0, nnz = 0;
    for (size_t j = 0; j < c->n_cand; j++)
        for (size_t e = c->first[j]; e < c->first[j + 1]; e++) {
            uint32_t i = c->dem[e];
            if (cov[i] || !(c->w[i] > 0))
                continue;
            if (!yrow[i])
                yrow[i] = ++ny;
            if (!xcol[j])
                xcol[j] = ++nx;
            nnz++;
        }
    mo->have = 1, mo->optimal = 1, mo->time_limit = 0, mo->bound = 0;
    if (nx == 0) { /* no candidate adds anything: the empty set is optimal */
        rc = 0;
        goto done;
    }
    /* columns 1..nx are the x, nx+1..nx+ny the y; rows 1..ny the y_i, ny+1 the budget or target */
    nnz += ny + (is_cover ? ny : nx);
    if (nx + ny + 1 >= INT_MAX || nnz + 1 >= INT_MAX || k > INT_MAX) {
        rc = fail(err, errlen, HH_ERANGE, "too large for the exact solver (%zu sites x %zu demand points)", nx, ny);
        goto done;
    }
    ydem = hh__alloc_array(ny + 1, sizeof *ydem);
    ia = hh__alloc_array(nnz + 1, sizeof *ia);
    ja = hh__alloc_array(nnz + 1, sizeof *ja);
    ar = hh__alloc_array(nnz + 1, sizeof *ar);
    if (!ydem || !ia || !ja || !ar)
        goto done;
    for (size_t i = 0; i < c->n_dem; i++)
        if (yrow[i])
            ydem[yrow[i] - 1] = (uint32_t)i;
    int env = glp_init_env(); /* 0: created now, 1: there already, 2, 3: failed */
    if (env != 0 && env != 1)
        goto done;
    int created = env == 0;
    int term = glp_term_out(GLP_OFF);
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, is_cover ? GLP_MIN : GLP_MAX);
    glp_add_rows(P, (int)ny + 1);
    glp_add_cols(P, (int)(nx + ny));
    size_t q = 0;
    for (size_t j = 0; j < c->n_cand; j++) {
        if (!xcol[j])
            continue;
        int col = (int)xcol[j];
        glp_set_col_kind(P, col, GLP_BV);
        glp_set_obj_coef(P, col, is_cover ? 1.0 : 0.0);
        for (size_t e = c->first[j]; e < c->first[j + 1]; e++)
            if (yrow[c->dem[e]]) {
                q++;
                ia[q] = (int)yrow[c->dem[e]], ja[q] = col, ar[q] = -1.0;
            }
        if (!is_cover) {
            q++;
            ia[q] = (int)ny + 1, ja[q] = col, ar[q] = 1.0;
        }
    }
    for (size_t r = 1; r <= ny; r++) {
        int col = (int)(nx + r);
        double w = c->w[ydem[r - 1]];
        glp_set_row_bnds(P, (int)r, GLP_UP, 0.0, 0.0);
        glp_set_col_bnds(P, col, GLP_DB, 0.0, 1.0);
        glp_set_obj_coef(P, col, is_cover ? 0.0 : w);
        q++;
        ia[q] = (int)r, ja[q] = col, ar[q] = 1.0;
        if (is_cover) {
            q++;
            ia[q] = (int)ny + 1, ja[q] = col, ar[q] = w;
        }
    }
    if (is_cover)
        glp_set_row_bnds(P, (int)ny + 1, GLP_LO, cover_target, 0.0);
    else
        glp_set_row_bnds(P, (int)ny + 1, GLP_UP, 0.0, (double)k);
    glp_load_matrix(P, (int)q, ia, ja, ar);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    double ms = (time_limit_s > 0 ? time_limit_s : 60) * 1000.0;
    parm.tm_lim = ms >= INT_MAX ? INT_MAX : ms < 1 ? 1 : (int)ms;
    cbinfo cb = {NAN};
    parm.cb_func = on_tree;
    parm.cb_info = &cb;
    int ret = glp_intopt(P, &parm);
    int st = glp_mip_status(P);
    rc = 0;
    if (ret == 0 || ret == GLP_ETMLIM) {
        mo->time_limit = ret == GLP_ETMLIM;
        mo->have = st == GLP_OPT || st == GLP_FEAS;
        mo->optimal = ret == 0 && st == GLP_OPT;
        mo->bound = mo->optimal ? glp_mip_obj_val(P) : cb.bound;
        for (size_t j = 0; mo->have && j < c->n_cand; j++)
            mo->set[j] = xcol[j] && glp_mip_col_val(P, (int)xcol[j]) > 0.5;
    } else {
        rc = fail(err, errlen, HH_EINVAL, "the exact solver (GLPK) failed: glp_intopt code %d, status %d", ret, st);
    }
    glp_delete_prob(P);
    if (created)
        glp_free_env();
    else
        glp_term_out(term);
done:
    if (rc == HH_ENOMEM)
        fail(err, errlen, rc, "%s", hh_strerror(rc));
    hh__free(yrow), hh__free(xcol), hh__free(ydem), hh__free(ia), hh__free(ja), hh__free(ar);
    return rc;
}

/* ---- the solve ------------------------------------------------------------ */

void hh_site_result_free(hh_site_result *r)
{
    if (!r)
        return;
    hh__free(r->chosen), hh__free(r->marginal), hh__free(r->covered);
    r->chosen = NULL, r->marginal = NULL, r->covered = NULL;
    r->n_chosen = 0;
}

static int check_opts(const hh_site_opts *o, char *err, size_t errlen)
{
    if (o->cover != 0 && o->k != 0)
        return fail(err, errlen, HH_EINVAL, "give either k (sites to choose) or a cover share, not both");
    if (o->cover == 0 && o->k == 0)
        return fail(err, errlen, HH_EINVAL, "give k >= 1 sites to choose or a cover share in (0, 1]");
    if (o->cover != 0 && !(o->cover > 0 && o->cover <= 1))
        return fail(err, errlen, HH_EINVAL, "the cover share must be in (0, 1], not %g", o->cover);
    if (isnan(o->time_limit_s))
        return fail(err, errlen, HH_EINVAL, "the time limit is not a number");
    return 0;
}

int hh__site_solve(const hh__site_cov *c, const hh_site_opts *o, int lazy, hh_site_result *out, char *err,
                   size_t errlen)
{
    int rc = check_opts(o, err, errlen);
    if (rc)
        return rc;
    hh_site_result r;
    memset(&r, 0, sizeof r);
    r.bound = NAN, r.gap = NAN;
    unsigned char *cov = hh__calloc(c->n_dem + 1, 1), *reach = hh__calloc(c->n_dem + 1, 1);
    unsigned char *set = hh__calloc(c->n_cand + 1, 1);
    size_t *gj = hh__alloc_array(c->n_cand + 1, sizeof *gj);
    double *gm = hh__alloc_array(c->n_cand + 1, sizeof *gm), *gc = hh__alloc_array(c->n_cand + 1, sizeof *gc);
    r.chosen = hh__alloc_array(c->n_cand + 1, sizeof *r.chosen);
    r.marginal = hh__alloc_array(c->n_cand + 1, sizeof *r.marginal);
    r.covered = hh__alloc_array(c->n_cand + 1, sizeof *r.covered);
    rc = HH_ENOMEM;
    if (!cov || !reach || !set || !gj || !gm || !gc || !r.chosen || !r.marginal || !r.covered)
        goto done;
    /* before, the total, and the most any choice covers */
    double sum_w = 0;
    for (size_t i = 0; i < c->n_dem; i++) {
        sum_w += c->w[i];
        if (c->pre && c->pre[i]) {
            cov[i] = 1;
            r.covered_before += c->w[i];
        }
    }
    for (size_t e = 0; e < c->first[c->n_cand]; e++)
        reach[c->dem[e]] = 1;
    r.coverable = r.covered_before;
    for (size_t i = 0; i < c->n_dem; i++)
        if (reach[i] && !cov[i])
            r.coverable += c->w[i];
    r.demand_total = c->total < sum_w ? sum_w : c->total;
    double tol = 1e-9 * r.demand_total, target = -1;
    if (o->cover > 0) {
        target = o->cover * r.demand_total - tol;
        if (r.coverable < target) {
            rc = fail(err, errlen, HH_ERANGE,
                      "covering %.4g %% of the demand is out of reach: the existing facilities and every "
                      "candidate together cover %.4g %%",
                      100 * o->cover, r.demand_total > 0 ? 100 * r.coverable / r.demand_total : 0.0);
            goto done;
        }
    }
    size_t limit = o->cover > 0 ? c->n_cand : o->k;
    double covered = r.covered_before;
    size_t ng = 0;
    if ((rc = greedy(c, NULL, limit, target, lazy, cov, &covered, gj, gm, gc, &ng)))
        goto done;
    const size_t *pick = gj;
    const double *pm = gm, *pc = gc;
    size_t np = ng;
    if (o->exact) {
        r.exact = 1;
        for (size_t i = 0; i < c->n_dem; i++)
            cov[i] = c->pre && c->pre[i];
        milp_out mo = {set, 0, 0, 0, NAN};
        double need = o->cover > 0 ? fmax(0, target - r.covered_before) : -1;
        if ((rc = milp(c, cov, o->k, need, o->time_limit_s, &mo, err, errlen)))
            goto done;
        r.optimal = mo.optimal, r.time_limit = mo.time_limit;
        /* the solver's set in greedy order (its marginals); kept unless greedy's is better */
        double cv = r.covered_before;
        size_t ne = 0;
        if (mo.have && (rc = greedy(c, set, c->n_cand, -1, 0, cov, &cv, r.chosen, r.marginal, r.covered, &ne)))
            goto done;
        int better = mo.have && (o->cover > 0 ? cv >= target && ne <= ng : cv >= covered);
        if (better) {
            pick = r.chosen, pm = r.marginal, pc = r.covered, np = ne, covered = cv;
        } else {
            r.optimal = 0;
        }
        double found = o->cover > 0 ? (double)np : covered - r.covered_before;
        if (r.optimal) {
            r.gap = 0, r.bound = o->cover > 0 ? found : covered;
        } else if (!isnan(mo.bound)) {
            if (o->cover > 0) {
                double lb = ceil(mo.bound - 1e-6);
                r.bound = mo.bound;
                r.gap = found > 0 ? fmax(0, (found - lb) / found) : 0;
            } else {
                r.bound = r.covered_before + mo.bound;
                r.gap = found > 0 ? fmax(0, (mo.bound - found) / found) : mo.bound > 0 ? INFINITY : 0;
            }
        }
    }
    /* the chosen sites into r (pick may already be r's arrays) */
    memmove(r.chosen, pick, np * sizeof *pick);
    memmove(r.marginal, pm, np * sizeof *pm);
    memmove(r.covered, pc, np * sizeof *pc);
    r.n_chosen = np;
    r.covered_after = covered;
    *out = r;
    memset(&r, 0, sizeof r);
    rc = 0;
done:
    if (rc == HH_ENOMEM)
        fail(err, errlen, rc, "%s", hh_strerror(rc));
    hh_site_result_free(&r);
    hh__free(cov), hh__free(reach), hh__free(set), hh__free(gj), hh__free(gm), hh__free(gc);
    return rc;
}

/* ---- the coverage relation from the network ----------------------------------- */

typedef struct sctx {
    double T;            /* seconds: covered when below */
    size_t n_cand;       /* destinations below it are candidates, the rest existing */
    unsigned char *pre;  /* per demand point: an existing facility covers it */
    size_t *rfirst;      /* per demand point: start of its pairs; n_dem + 1 */
    size_t next;         /* next demand row whose start is not yet set */
    uint32_t *pc;        /* candidate of each pair, demand-major */
    size_t n, cap;
} sctx;

static int deliver(void *ud, const hh__many_row *row, const double *out)
{
    (void)out;
    sctx *s = ud;
    for (; s->next <= row->origin; s->next++)
        s->rfirst[s->next] = s->n;
    if (!row->snapped)
        return 0;
    for (size_t j = 0; j < row->n_dest; j++) {
        double t = row->time_s[j * row->n_val];
        if (!(t < s->T)) /* NAN: not reached */
            continue;
        if (j >= s->n_cand) {
            s->pre[row->origin] = 1;
            continue;
        }
        if (hh__grow(&s->pc, &s->cap, s->n + 1, sizeof *s->pc))
            return HH_ENOMEM;
        s->pc[s->n++] = (uint32_t)j;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int hh_site_run(const hh_net *net, const hh_site_opts *o, const hh_layers *demand, size_t demand_layer,
                const hh_points *cand, const hh_points *existing, hh_site_result *out, char *err, size_t errlen)
{
    int rc = check_opts(o, err, errlen);
    if (rc)
        return rc;
    if (!(o->minutes > 0) || isinf(o->minutes))
        return fail(err, errlen, HH_EINVAL, "the time limit T must be > 0 minutes");
    if (o->transit && !(o->percentile > 0 && o->percentile <= 100))
        return fail(err, errlen, HH_EINVAL, "the transit percentile must be in (0, 100]");
    if (demand_layer >= demand->n_layers)
        return fail(err, errlen, HH_EINVAL, "demand layer index out of range");
    if (!cand || cand->n == 0)
        return fail(err, errlen, HH_EINVAL, "no candidate sites");
    size_t n_ex = existing ? existing->n : 0, n_dest = cand->n + n_ex;
    if (n_dest >= UINT32_MAX || demand->n >= UINT32_MAX)
        return fail(err, errlen, HH_ERANGE, "more than 2^32 points");
    double t0 = now_s();
    size_t nl = demand->n_layers, nd = 0;
    double unsnapped_w_all = 0;
    for (size_t i = 0; i < demand->n; i++)
        nd += demand->value[i * nl + demand_layer] > 0;
    if (nd == 0)
        return fail(err, errlen, HH_EEMPTY, "the demand layer \"%s\" has no point with a value above 0",
                    demand->name[demand_layer]);
    hh_points orig = {nd, NULL, hh__alloc_array(nd, sizeof(double)), hh__alloc_array(nd, sizeof(double))};
    hh_points dest = {n_dest, NULL, hh__alloc_array(n_dest, sizeof(double)), hh__alloc_array(n_dest, sizeof(double))};
    double *w = hh__alloc_array(nd, sizeof *w);
    unsigned char *oko = hh__calloc(nd, 1), *okd = hh__calloc(n_dest, 1);
    sctx s;
    memset(&s, 0, sizeof s);
    s.T = o->minutes * 60.0, s.n_cand = cand->n;
    s.pre = hh__calloc(nd, 1);
    s.rfirst = hh__alloc_array(nd + 1, sizeof *s.rfirst);
    size_t *first = hh__calloc(cand->n + 1, sizeof *first);
    uint32_t *dem = NULL;
    rc = HH_ENOMEM;
    if (!orig.lon || !orig.lat || !dest.lon || !dest.lat || !w || !oko || !okd || !s.pre || !s.rfirst || !first)
        goto done;
    for (size_t i = 0, q = 0; i < demand->n; i++) {
        double v = demand->value[i * nl + demand_layer];
        if (!(v > 0))
            continue;
        orig.lon[q] = demand->lon[i], orig.lat[q] = demand->lat[i], w[q] = v;
        q++;
    }
    memcpy(dest.lon, cand->lon, cand->n * sizeof *dest.lon);
    memcpy(dest.lat, cand->lat, cand->n * sizeof *dest.lat);
    if (n_ex) {
        memcpy(dest.lon + cand->n, existing->lon, n_ex * sizeof *dest.lon);
        memcpy(dest.lat + cand->n, existing->lat, n_ex * sizeof *dest.lat);
    }
    double pct = o->percentile;
    hh__many_req req = {net, o->transit, o->mode, s.T, o->snap_max_m, o->transit ? &pct : NULL,
                        o->transit ? 1 : 0, o->threads, &orig, &dest, o->stop, o->spread};
    hh__many_fns f = {NULL, 0, deliver, &s, HH__MANY_SKIP_DIST};
    if ((rc = hh__many_run(&req, &f, oko, okd))) {
        if (rc == HH_EINVAL)
            fail(err, errlen, rc, "bad options for the travel-time search");
        else if (rc != HH_ENOMEM)
            fail(err, errlen, rc, "%s", hh_strerror(rc));
        goto done;
    }
    if (hh__spread_rank_of(o->spread) != 0) { /* the coverage is rank 0's: nothing to choose here */
        memset(out, 0, sizeof *out);
        rc = 0;
        goto done;
    }
    rc = HH_ENOMEM;
    for (; s.next <= nd; s.next++)
        s.rfirst[s.next] = s.n;
    /* candidate-major, without the demand already covered */
    for (size_t i = 0; i < nd; i++)
        if (!s.pre[i])
            for (size_t e = s.rfirst[i]; e < s.rfirst[i + 1]; e++)
                first[s.pc[e] + 1]++;
    for (size_t j = 0; j < cand->n; j++)
        first[j + 1] += first[j];
    if (!(dem = hh__alloc_array(first[cand->n] + 1, sizeof *dem)))
        goto done;
    for (size_t i = 0; i < nd; i++)
        if (!s.pre[i])
            for (size_t e = s.rfirst[i]; e < s.rfirst[i + 1]; e++)
                dem[first[s.pc[e]]++] = (uint32_t)i;
    for (size_t j = cand->n; j > 0; j--)
        first[j] = first[j - 1];
    first[0] = 0;
    double total = 0;
    size_t dun = 0;
    for (size_t i = 0; i < nd; i++) {
        total += w[i];
        if (!oko[i])
            dun++, unsnapped_w_all += w[i];
    }
    hh__site_cov c = {cand->n, nd, w, s.pre, first, dem, total};
    hh_site_result r;
    if ((rc = hh__site_solve(&c, o, 1, &r, err, errlen)))
        goto done;
    r.demand_points = nd, r.demand_unsnapped = dun, r.demand_unsnapped_w = unsnapped_w_all;
    for (size_t j = 0; j < n_dest; j++) {
        if (okd[j])
            continue;
        if (j < cand->n)
            r.candidates_unsnapped++;
        else
            r.existing_unsnapped++;
    }
    r.seconds = now_s() - t0;
    *out = r;
done:
    if (rc == HH_ENOMEM)
        fail(err, errlen, rc, "%s", hh_strerror(rc));
    hh__free(orig.lon), hh__free(orig.lat), hh__free(dest.lon), hh__free(dest.lat), hh__free(w);
    hh__free(oko), hh__free(okd), hh__free(s.pre), hh__free(s.rfirst), hh__free(s.pc);
    hh__free(first), hh__free(dem);
    return rc;
}
