/* test_site.c: facility siting.  On small random coverage relations
 * (fixed seeds) the solvers are held against brute force over every set
 * of candidates: greedy reaches at least 1 - 1/e of the optimum (and the
 * optimum where greedy is known to be optimal: k = 1, disjoint coverage),
 * the lazy greedy equals the plain one bit for bit, the exact MILP (GLPK)
 * finds the optimum, set covering's exact count is the fewest sites that
 * reach the share; existing facilities' demand counts as before and never
 * as a marginal.  On Porto Alegre (hexagons' population as demand, a
 * seeded subset of hexagons as candidates, walking 15 minutes) the
 * coverage hh_site_run reports equals what hh_matrix_run gives for the
 * chosen sites, exact is at least greedy, and thread counts do not matter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "hhtest.h"
#include "plan/plan.h"
#include "testalloc.h"
#include "testnet.h"

/* ---- synthetic instances ------------------------------------------------------ */

#define MAXC 12
#define MAXD 40

typedef struct inst {
    size_t nc, nd;
    double w[MAXD];
    unsigned char pre[MAXD];
    unsigned char a[MAXC][MAXD]; /* a[j][i]: candidate j covers demand i */
    size_t first[MAXC + 1];
    uint32_t dem[MAXC * MAXD];
    hh__site_cov cov;
} inst;

static void finish(inst *s)
{
    size_t q = 0;
    s->first[0] = 0;
    for (size_t j = 0; j < s->nc; j++) {
        for (size_t i = 0; i < s->nd; i++)
            if (s->a[j][i] && !s->pre[i])
                s->dem[q++] = (uint32_t)i;
        s->first[j + 1] = q;
    }
    s->cov = (hh__site_cov){s->nc, s->nd, s->w, s->pre, s->first, s->dem, 0};
}

static void random_inst(inst *s, uint64_t *seed, size_t nc, size_t nd, double p, double p_pre)
{
    memset(s, 0, sizeof *s);
    s->nc = nc, s->nd = nd;
    for (size_t i = 0; i < nd; i++) {
        s->w[i] = (double)(1 + hh_test_rand(seed) % 100);
        s->pre[i] = hh_test_uniform(seed, 0, 1) < p_pre;
    }
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nd; i++)
            s->a[j][i] = hh_test_uniform(seed, 0, 1) < p;
    finish(s);
}

/* demand covered by the set (bit mask over candidates), existing included */
static double cover_of(const inst *s, unsigned mask)
{
    double c = 0;
    for (size_t i = 0; i < s->nd; i++) {
        int in = s->pre[i];
        for (size_t j = 0; j < s->nc && !in; j++)
            in = (mask >> j & 1) && s->a[j][i];
        if (in)
            c += s->w[i];
    }
    return c;
}

static double before_of(const inst *s) { return cover_of(s, 0); }

/* the best coverage with at most k sites */
static double brute_mclp(const inst *s, size_t k)
{
    double best = 0;
    for (unsigned m = 0; m < 1u << s->nc; m++)
        if ((size_t)__builtin_popcount(m) <= k) {
            double c = cover_of(s, m);
            best = c > best ? c : best;
        }
    return best;
}

/* the fewest sites reaching share f of the demand; -1 when none does */
static int brute_cover(const inst *s, double f)
{
    double total = 0;
    for (size_t i = 0; i < s->nd; i++)
        total += s->w[i];
    int best = -1;
    for (unsigned m = 0; m < 1u << s->nc; m++)
        if (cover_of(s, m) >= f * total - 1e-9 * total &&
            (best < 0 || __builtin_popcount(m) < best))
            best = __builtin_popcount(m);
    return best;
}

static hh_site_opts mclp_opts(size_t k, int exact)
{
    hh_site_opts o;
    memset(&o, 0, sizeof o);
    o.k = k, o.exact = exact, o.time_limit_s = 30;
    return o;
}

/* the result's own consistency: marginals add up, the set covers what it says */
static int consistent(const inst *s, const hh_site_result *r)
{
    unsigned mask = 0;
    double c = r->covered_before;
    for (size_t n = 0; n < r->n_chosen; n++) {
        if (r->chosen[n] >= s->nc || (mask >> r->chosen[n] & 1) || !(r->marginal[n] > 0))
            return 0;
        mask |= 1u << r->chosen[n];
        c += r->marginal[n];
        if (fabs(cover_of(s, mask) - c) > 1e-9 || fabs(r->covered[n] - c) > 1e-9)
            return 0;
    }
    return fabs(r->covered_after - c) < 1e-9 && fabs(r->covered_before - before_of(s)) < 1e-9;
}

HH_TEST(site_greedy_exact_vs_brute_force)
{
    uint64_t seed = 20250601;
    const double bound = 1 - exp(-1);
    size_t equal = 0, runs = 0;
    for (int t = 0; t < 60; t++) {
        inst s;
        size_t nc = 6 + (size_t)(t % 6), nd = 15 + (size_t)(t % 5) * 5;
        random_inst(&s, &seed, nc, nd, 0.15 + 0.05 * (t % 4), t % 3 ? 0.1 : 0);
        for (size_t k = 1; k <= 4; k++) {
            hh_site_opts o = mclp_opts(k, 0);
            hh_site_result g, gp, e;
            HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, NULL, 0), 0);
            HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 0, &gp, NULL, 0), 0);
            o.exact = 1;
            HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &e, NULL, 0), 0);
            HH_ASSERT(consistent(&s, &g) && consistent(&s, &e));
            HH_ASSERT(g.n_chosen <= k && e.n_chosen <= k);
            /* lazy == plain, bit for bit */
            HH_ASSERT_EQ(g.n_chosen, gp.n_chosen);
            for (size_t n = 0; n < g.n_chosen; n++) {
                HH_ASSERT_EQ(g.chosen[n], gp.chosen[n]);
                HH_ASSERT(memcmp(&g.marginal[n], &gp.marginal[n], sizeof(double)) == 0);
            }
            double opt = brute_mclp(&s, k), before = before_of(&s);
            HH_ASSERT_NEAR(e.covered_after, opt, 1e-9);
            HH_ASSERT(e.optimal && e.exact && e.gap == 0);
            HH_ASSERT(g.covered_after - before >= bound * (opt - before) - 1e-9);
            HH_ASSERT(g.covered_after <= opt + 1e-9);
            HH_ASSERT(isnan(g.gap) && !g.exact);
            if (k == 1) /* one site: greedy is the best single site */
                HH_ASSERT_NEAR(g.covered_after, opt, 1e-9);
            equal += g.covered_after == opt;
            runs++;
            hh_site_result_free(&g), hh_site_result_free(&gp), hh_site_result_free(&e);
        }
    }
    fprintf(stderr, "  greedy optimal in %zu of %zu random instances\n", equal, runs);
    HH_ASSERT(equal < runs); /* the instances are not all easy */
}

/* disjoint coverage: greedy takes the k heaviest, which is optimal */
HH_TEST(site_greedy_optimal_when_disjoint)
{
    uint64_t seed = 7;
    inst s;
    memset(&s, 0, sizeof s);
    s.nc = 8, s.nd = 32;
    for (size_t i = 0; i < s.nd; i++) {
        s.w[i] = (double)(1 + hh_test_rand(&seed) % 50);
        s.a[i % s.nc][i] = hh_test_uniform(&seed, 0, 1) < 0.7;
    }
    finish(&s);
    for (size_t k = 1; k <= s.nc; k++) {
        hh_site_opts o = mclp_opts(k, 0);
        hh_site_result g;
        HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, NULL, 0), 0);
        HH_ASSERT_NEAR(g.covered_after, brute_mclp(&s, k), 1e-9);
        for (size_t n = 1; n < g.n_chosen; n++)
            HH_ASSERT(g.marginal[n] <= g.marginal[n - 1]);
        hh_site_result_free(&g);
    }
}

HH_TEST(site_cover_vs_brute_force)
{
    uint64_t seed = 20250602;
    for (int t = 0; t < 40; t++) {
        inst s;
        random_inst(&s, &seed, 6 + (size_t)(t % 5), 20, 0.25, t % 2 ? 0.15 : 0);
        double f = 0.3 + 0.1 * (t % 7);
        int want = brute_cover(&s, f);
        hh_site_opts o;
        memset(&o, 0, sizeof o);
        o.cover = f, o.time_limit_s = 30;
        hh_site_result g, e;
        char err[256] = "";
        int rg = hh__site_solve(&s.cov, &o, 1, &g, err, sizeof err);
        o.exact = 1;
        int re = hh__site_solve(&s.cov, &o, 1, &e, NULL, 0);
        if (want < 0) { /* out of reach */
            HH_ASSERT_EQ(rg, HH_ERANGE);
            HH_ASSERT_EQ(re, HH_ERANGE);
            HH_ASSERT(strstr(err, "out of reach"));
            continue;
        }
        HH_ASSERT_EQ(rg, 0);
        HH_ASSERT_EQ(re, 0);
        HH_ASSERT(consistent(&s, &g) && consistent(&s, &e));
        HH_ASSERT_EQ(e.n_chosen, want);
        HH_ASSERT(e.optimal && e.gap == 0);
        HH_ASSERT(g.n_chosen >= e.n_chosen);
        HH_ASSERT(g.covered_after >= f * g.demand_total - 1e-9 * g.demand_total);
        HH_ASSERT(e.covered_after >= f * e.demand_total - 1e-9 * e.demand_total);
        /* greedy stops as soon as the share is reached */
        if (g.n_chosen)
            HH_ASSERT(g.covered[g.n_chosen - 1] - g.marginal[g.n_chosen - 1] < f * g.demand_total);
        hh_site_result_free(&g), hh_site_result_free(&e);
    }
}

/* existing facilities: their demand is covered before and adds no marginal;
 * ties go to the lowest candidate index; nothing adds -> fewer sites */
HH_TEST(site_existing_and_ties)
{
    inst s;
    memset(&s, 0, sizeof s);
    s.nc = 4, s.nd = 5;
    double w[5] = {10, 20, 30, 40, 50};
    memcpy(s.w, w, sizeof w);
    s.pre[4] = 1; /* 50 covered by an existing facility */
    /* 0 covers {0,4}; 1 and 2 cover {1,2} (a tie); 3 covers {4} only */
    s.a[0][0] = s.a[0][4] = 1;
    s.a[1][1] = s.a[1][2] = 1;
    s.a[2][1] = s.a[2][2] = 1;
    s.a[3][4] = 1;
    finish(&s);
    hh_site_opts o = mclp_opts(4, 0);
    hh_site_result g;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, NULL, 0), 0);
    HH_ASSERT_NEAR(g.covered_before, 50, 0);
    HH_ASSERT_NEAR(g.demand_total, 150, 0);
    HH_ASSERT_NEAR(g.coverable, 110, 0);
    HH_ASSERT_EQ(g.n_chosen, 2); /* 2 and 3 add nothing after 1 and 0 */
    HH_ASSERT_EQ(g.chosen[0], 1);
    HH_ASSERT_NEAR(g.marginal[0], 50, 0);
    HH_ASSERT_EQ(g.chosen[1], 0);
    HH_ASSERT_NEAR(g.marginal[1], 10, 0); /* not 60: demand 4 was covered before */
    HH_ASSERT_NEAR(g.covered_after, 110, 0);
    hh_site_result_free(&g);
    o.exact = 1;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, NULL, 0), 0);
    HH_ASSERT_NEAR(g.covered_after, 110, 0);
    HH_ASSERT(g.n_chosen == 2 && g.optimal);
    hh_site_result_free(&g);
    /* the existing alone already reach a third: no site needed */
    memset(&o, 0, sizeof o);
    o.cover = 1.0 / 3;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, NULL, 0), 0);
    HH_ASSERT_EQ(g.n_chosen, 0);
    HH_ASSERT_NEAR(g.covered_after, 50, 0);
    hh_site_result_free(&g);
    /* bad options */
    char err[256];
    memset(&o, 0, sizeof o);
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, err, sizeof err), HH_EINVAL);
    o.k = 2, o.cover = 0.5;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, err, sizeof err), HH_EINVAL);
    o.k = 0, o.cover = 1.5;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &g, err, sizeof err), HH_EINVAL);
}

/* every allocation fails in turn (GLPK's own are not ours to fail) */
HH_TEST(site_oom_fails_cleanly)
{
    uint64_t seed = 99;
    inst s;
    random_inst(&s, &seed, 10, 30, 0.2, 0.1);
    for (int exact = 0; exact < 2; exact++) {
        hh_site_opts o = mclp_opts(3, exact);
        int ok = 0;
        for (long k = 0; k < 200 && !ok; k++) {
            hh_site_result r;
            char err[128] = "";
            hh_test_alloc_fail_from(k);
            int rc = hh__site_solve(&s.cov, &o, 1, &r, err, sizeof err);
            hh_test_alloc_restore();
            if (rc == 0) {
                ok = 1;
                hh_site_result_free(&r);
            } else {
                HH_ASSERT_EQ(rc, HH_ENOMEM);
                HH_ASSERT(strstr(err, "out of memory"));
            }
        }
        HH_ASSERT(ok);
    }
}

/* ---- Porto Alegre ------------------------------------------------------------ */

typedef struct mrows {
    size_t n_dest;
    double *t;
} mrows;

static int keep_row(size_t o, const double *t, const double *d, void *ud)
{
    (void)d;
    mrows *m = ud;
    memcpy(m->t + o * m->n_dest, t, m->n_dest * sizeof *t);
    return 0;
}

/* demand covered by the destinations (time < T), by the matrix */
static double matrix_cover(const hh_net *net, const hh_points *dem, const double *w, const hh_points *sites,
                           double T)
{
    if (sites->n == 0)
        return 0;
    mrows m = {sites->n, malloc(dem->n * sites->n * sizeof(double))};
    hh_matrix_opts mo = {HH_MODE_WALK, T, 500, 2, NULL, NULL, 0, NULL, NULL};
    double c = NAN;
    if (hh_matrix_run(net, &mo, dem, sites, keep_row, &m, NULL, NULL) == 0) {
        c = 0;
        for (size_t i = 0; i < dem->n; i++) {
            int in = 0;
            for (size_t j = 0; j < sites->n && !in; j++)
                in = m.t[i * sites->n + j] < T;
            c += in ? w[i] : 0;
        }
    }
    free(m.t);
    return c;
}

HH_TEST(site_poa_matches_matrix)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_layers ls;
    HH_ASSERT_EQ(hh_layers_read(hh_test_data("poa/poa_hexgrid.csv"), NULL, &ls, NULL, 0), 0);
    int pl = hh_layers_find(&ls, "population");
    HH_ASSERT(pl >= 0);
    /* candidates: 80 hexagons, existing: 3 others (seeded draws without repeats) */
    uint64_t seed = 20250603;
    size_t nc = 80, ne = 3;
    unsigned char *used = calloc(ls.n, 1);
    hh_points cand = {nc, NULL, malloc(nc * sizeof(double)), malloc(nc * sizeof(double))};
    hh_points ex = {ne, NULL, malloc(ne * sizeof(double)), malloc(ne * sizeof(double))};
    for (size_t q = 0; q < nc + ne; q++) {
        size_t i;
        do
            i = (size_t)(hh_test_rand(&seed) % ls.n);
        while (used[i]);
        used[i] = 1;
        hh_points *p = q < nc ? &cand : &ex;
        size_t at = q < nc ? q : q - nc;
        p->lon[at] = ls.lon[i], p->lat[at] = ls.lat[i];
    }
    /* the demand points the run uses: population > 0 */
    hh_points dem = {0, NULL, malloc(ls.n * sizeof(double)), malloc(ls.n * sizeof(double))};
    double *w = malloc(ls.n * sizeof *w), total = 0;
    for (size_t i = 0; i < ls.n; i++) {
        double v = ls.value[i * ls.n_layers + (size_t)pl];
        if (v > 0) {
            dem.lon[dem.n] = ls.lon[i], dem.lat[dem.n] = ls.lat[i], w[dem.n++] = v;
            total += v;
        }
    }
    hh_site_opts o;
    memset(&o, 0, sizeof o);
    o.mode = HH_MODE_WALK, o.minutes = 15, o.k = 6, o.snap_max_m = 500, o.threads = 2, o.time_limit_s = 60;
    hh_site_result g, g1, e;
    char err[256] = "";
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &g, err, sizeof err), 0);
    o.threads = 1;
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &g1, NULL, 0), 0);
    o.threads = 2, o.exact = 1;
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &e, err, sizeof err), 0);
    /* thread counts: the same choice, the same bits */
    HH_ASSERT_EQ(g.n_chosen, g1.n_chosen);
    for (size_t n = 0; n < g.n_chosen; n++) {
        HH_ASSERT_EQ(g.chosen[n], g1.chosen[n]);
        HH_ASSERT(memcmp(&g.marginal[n], &g1.marginal[n], sizeof(double)) == 0);
    }
    HH_ASSERT_EQ(g.n_chosen, 6);
    HH_ASSERT_EQ(g.demand_points, dem.n);
    HH_ASSERT_NEAR(g.demand_total, total, 1e-9 * total);
    /* before: the existing; after: existing + chosen, as the matrix says */
    double T = 15 * 60.0;
    HH_ASSERT_NEAR(g.covered_before, matrix_cover(net, &dem, w, &ex, T), 1e-9 * total);
    HH_ASSERT(g.covered_before > 0);
    const hh_site_result *rs[2] = {&g, &e};
    for (int v = 0; v < 2; v++) {
        const hh_site_result *r = rs[v];
        size_t n = r->n_chosen + ne;
        hh_points s = {n, NULL, malloc(n * sizeof(double)), malloc(n * sizeof(double))};
        for (size_t q = 0; q < n; q++) {
            s.lon[q] = q < ne ? ex.lon[q] : cand.lon[r->chosen[q - ne]];
            s.lat[q] = q < ne ? ex.lat[q] : cand.lat[r->chosen[q - ne]];
        }
        HH_ASSERT_NEAR(r->covered_after, matrix_cover(net, &dem, w, &s, T), 1e-9 * total);
        /* each prefix too: cumulative coverage after each site */
        for (size_t k = 1; k < r->n_chosen; k++) {
            s.n = ne + k;
            HH_ASSERT_NEAR(r->covered[k - 1], matrix_cover(net, &dem, w, &s, T), 1e-9 * total);
        }
        free(s.lon), free(s.lat);
    }
    /* exact >= greedy, with a gap */
    HH_ASSERT(e.exact && !g.exact);
    HH_ASSERT(e.covered_after >= g.covered_after);
    HH_ASSERT(e.optimal ? e.gap == 0 : (e.gap >= 0 || isnan(e.gap)));
    HH_ASSERT(!(e.bound < e.covered_after - 1e-6));
    fprintf(stderr, "  poa: greedy %.0f, exact %.0f (%s, gap %g) of %.0f, %.2f s / %.2f s\n", g.covered_after,
            e.covered_after, e.optimal ? "optimal" : "time limit", e.gap, total, g.seconds, e.seconds);
    /* set covering: half of what every candidate reaches; exact needs no more than greedy */
    double share = 0.5 * g.coverable / g.demand_total;
    hh_site_result cg, ce;
    memset(&o, 0, sizeof o);
    o.mode = HH_MODE_WALK, o.minutes = 15, o.cover = share, o.snap_max_m = 500, o.threads = 2, o.time_limit_s = 60;
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &cg, NULL, 0), 0);
    o.exact = 1;
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &ce, NULL, 0), 0);
    HH_ASSERT(cg.covered_after >= share * total * (1 - 1e-9));
    HH_ASSERT(ce.covered_after >= share * total * (1 - 1e-9));
    HH_ASSERT(ce.n_chosen <= cg.n_chosen && ce.n_chosen >= 1);
    hh_site_result_free(&cg);
    /* out of reach */
    o.cover = 1, o.exact = 0;
    HH_ASSERT_EQ(hh_site_run(net, &o, &ls, (size_t)pl, &cand, &ex, &cg, err, sizeof err), HH_ERANGE);
    HH_ASSERT(strstr(err, "out of reach"));
    hh_site_result_free(&g), hh_site_result_free(&g1), hh_site_result_free(&e);
    hh_site_result_free(&ce);
    free(used), free(cand.lon), free(cand.lat), free(ex.lon), free(ex.lat), free(dem.lon), free(dem.lat), free(w);
    hh_layers_free(&ls);
    hh_net_close(net);
}

/* a time limit too short to prove anything: the best found (at least
 * greedy's), the limit reported, the gap to the bound when one is known */
HH_TEST(site_exact_time_limit)
{
    uint64_t seed = 20250604;
    size_t nc = 200, nd = 1500;
    double *w = malloc(nd * sizeof *w);
    size_t *first = malloc((nc + 1) * sizeof *first);
    uint32_t *dem = malloc(nc * nd * sizeof *dem);
    for (size_t i = 0; i < nd; i++)
        w[i] = (double)(1 + hh_test_rand(&seed) % 1000);
    first[0] = 0;
    for (size_t j = 0, q = 0; j < nc; j++) {
        for (size_t i = 0; i < nd; i++)
            if (hh_test_uniform(&seed, 0, 1) < 0.02)
                dem[q++] = (uint32_t)i;
        first[j + 1] = q;
    }
    hh__site_cov c = {nc, nd, w, NULL, first, dem, 0};
    hh_site_opts o = mclp_opts(15, 0);
    hh_site_result g, e;
    HH_ASSERT_EQ(hh__site_solve(&c, &o, 1, &g, NULL, 0), 0);
    o.exact = 1, o.time_limit_s = 1;
    HH_ASSERT_EQ(hh__site_solve(&c, &o, 1, &e, NULL, 0), 0);
    fprintf(stderr, "  greedy %.0f, exact %.0f, optimal %d, time limit %d, bound %.1f, gap %.4f\n", g.covered_after,
            e.covered_after, e.optimal, e.time_limit, e.bound, e.gap);
    HH_ASSERT(e.exact && !e.optimal && e.time_limit);
    HH_ASSERT(e.covered_after >= g.covered_after);
    HH_ASSERT(isnan(e.gap) || (e.gap >= 0 && e.bound >= e.covered_after - 1e-6));
    hh_site_result_free(&g), hh_site_result_free(&e);
    free(w), free(first), free(dem);
}

/* a caller's own GLPK problem in the same thread survives an exact run
 * (the run frees GLPK's environment only when it created it), and its
 * terminal output setting comes back as it was */
HH_TEST(site_exact_leaves_callers_glpk_alone)
{
    HH_ASSERT_EQ(glp_init_env(), 0);
    glp_prob *mine = glp_create_prob();
    glp_add_rows(mine, 3);
    glp_term_out(GLP_ON);
    uint64_t seed = 5;
    inst s;
    random_inst(&s, &seed, 8, 20, 0.2, 0);
    hh_site_opts o = mclp_opts(2, 1);
    hh_site_result r;
    HH_ASSERT_EQ(hh__site_solve(&s.cov, &o, 1, &r, NULL, 0), 0);
    HH_ASSERT(r.optimal);
    hh_site_result_free(&r);
    HH_ASSERT_EQ(glp_get_num_rows(mine), 3);
    HH_ASSERT_EQ(glp_term_out(GLP_ON), GLP_ON);
    HH_ASSERT_EQ(glp_init_env(), 1); /* still there */
    glp_delete_prob(mine);
    HH_ASSERT_EQ(glp_free_env(), 0);
}
