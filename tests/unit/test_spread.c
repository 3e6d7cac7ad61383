/* test_spread.c: hh_spread in one process (the MPI side is
 * tests/e2e/mpi.sh): a run through a checkpoint gives bit for bit the rows
 * of the plain driver; a run stopped part-way keeps its finished blocks and
 * the next run with the same arguments reads them back and searches only
 * the rest, ending with the same rows; a damaged block file is searched
 * again; other arguments are refused; --mpi without MPI in the build is an
 * error (in the plain build). */
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hhtest.h"
#include "testnet.h"

typedef struct rows {
    size_t nd, n;
    double *t, *d;
} rows;

static int keep(size_t origin, const double *t, const double *d, void *ud)
{
    rows *r = ud;
    memcpy(r->t + origin * r->nd, t, r->nd * sizeof *t);
    memcpy(r->d + origin * r->nd, d, r->nd * sizeof *d);
    r->n++;
    return 0;
}

typedef struct stopper {
    atomic_long left;
} stopper;

static int stop_fn(void *ud)
{
    stopper *s = ud;
    return atomic_fetch_sub(&s->left, 1) <= 0;
}

static void fill(rows *r, size_t no)
{
    for (size_t k = 0; k < no * r->nd; k++)
        r->t[k] = r->d[k] = -1;
    r->n = 0;
}

HH_TEST(spread_checkpoint_resumes_with_the_plain_rows)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    enum { NO = 700, ND = 37 };
    static double olon[NO], olat[NO], dlon[ND], dlat[ND];
    uint64_t seed = 20251202;
    for (size_t i = 0; i < NO; i++)
        olon[i] = hh_test_uniform(&seed, -51.24, -51.18), olat[i] = hh_test_uniform(&seed, -30.06, -30.00);
    for (size_t j = 0; j < ND; j++)
        dlon[j] = hh_test_uniform(&seed, -51.24, -51.18), dlat[j] = hh_test_uniform(&seed, -30.06, -30.00);
    hh_points o = {NO, NULL, olon, olat}, d = {ND, NULL, dlon, dlat};
    rows want = {ND, 0, malloc(NO * ND * sizeof(double)), malloc(NO * ND * sizeof(double))};
    rows got = {ND, 0, malloc(NO * ND * sizeof(double)), malloc(NO * ND * sizeof(double))};
    fill(&want, NO);
    hh_matrix_opts mo = {HH_MODE_CAR, 1200, 500, 2, NULL, NULL, 0, NULL, NULL};
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep, &want, NULL, NULL), 0);
    HH_ASSERT_EQ(want.n, NO);

    char dir[512];
    snprintf(dir, sizeof dir, "%s/spread_ck", hh_test_tmpdir());
    const char *args[] = {"matrix", path, "car"};
    hh_spread_opts so = {0, dir, args, 3, NULL, NULL};
    hh_spread *sp;
    char err[512];
    /* stopped after about a third of the origins */
    stopper st;
    atomic_init(&st.left, NO / 3);
    hh_stop stop = {stop_fn, &st};
    HH_ASSERT_EQ(hh_spread_open(&so, &sp, err, sizeof err), 0);
    mo.spread = sp, mo.stop = &stop, mo.threads = 3;
    fill(&got, NO);
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep, &got, NULL, NULL), HH_ECANCELED);
    hh_spread_stats s1;
    hh_spread_get_stats(sp, &s1);
    hh_spread_close(sp, 1);
    HH_ASSERT(s1.blocks_computed > 2 && s1.blocks_computed < s1.blocks);
    HH_ASSERT_EQ(s1.blocks_resumed, 0);
    HH_ASSERT(got.n > 0 && got.n < NO);

    /* a block file damaged on disk */
    char blk[600];
    snprintf(blk, sizeof blk, "%s/run0-000001.blk", dir);
    int fd = open(blk, O_WRONLY);
    HH_ASSERT(fd >= 0);
    HH_ASSERT_EQ(pwrite(fd, "\x7f", 1, 100), 1);
    close(fd);

    /* what a run killed while writing a block leaves: removed on open */
    char tmpf[600];
    snprintf(tmpf, sizeof tmpf, "%s/run0-000009.blk.tmp-AbCdEf", dir);
    fd = open(tmpf, O_WRONLY | O_CREAT, 0644);
    HH_ASSERT(fd >= 0);
    close(fd);

    /* the same arguments again, to the end, on 1 thread */
    HH_ASSERT_EQ(hh_spread_open(&so, &sp, err, sizeof err), 0);
    HH_ASSERT(access(tmpf, F_OK) != 0);
    mo.spread = sp, mo.stop = NULL, mo.threads = 1;
    fill(&got, NO);
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep, &got, NULL, NULL), 0);
    hh_spread_stats s2;
    hh_spread_get_stats(sp, &s2);
    hh_spread_close(sp, 1);
    HH_ASSERT_EQ(got.n, NO);
    HH_ASSERT_EQ(s2.blocks, s1.blocks);
    /* every block finished before is read back, but the damaged one */
    HH_ASSERT_EQ(s2.blocks_resumed, s1.blocks_computed - 1);
    HH_ASSERT_EQ(s2.blocks_computed, s2.blocks - s2.blocks_resumed);
    HH_ASSERT(memcmp(got.t, want.t, NO * ND * sizeof(double)) == 0);
    HH_ASSERT(memcmp(got.d, want.d, NO * ND * sizeof(double)) == 0);

    /* all of it from the folder */
    HH_ASSERT_EQ(hh_spread_open(&so, &sp, err, sizeof err), 0);
    mo.spread = sp;
    fill(&got, NO);
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o, &d, keep, &got, NULL, NULL), 0);
    hh_spread_stats s3;
    hh_spread_get_stats(sp, &s3);
    hh_spread_close(sp, 1);
    HH_ASSERT_EQ(s3.blocks_computed, 0);
    HH_ASSERT(memcmp(got.t, want.t, NO * ND * sizeof(double)) == 0);

    /* other points, same arguments: the run's own fingerprint differs, so
     * no block of the folder fits; nothing wrong comes back */
    HH_ASSERT_EQ(hh_spread_open(&so, &sp, err, sizeof err), 0);
    mo.spread = sp;
    hh_points o2 = {NO - 5, NULL, olon + 5, olat + 5};
    fill(&got, NO);
    HH_ASSERT_EQ(hh_matrix_run(net, &mo, &o2, &d, keep, &got, NULL, NULL), 0);
    hh_spread_get_stats(sp, &s3);
    hh_spread_close(sp, 1);
    HH_ASSERT_EQ(s3.blocks_resumed, 0);
    HH_ASSERT(memcmp(got.t, want.t + 5 * ND, (NO - 5) * ND * sizeof(double)) == 0);

    /* other arguments: refused */
    const char *args2[] = {"matrix", path, "walk"};
    hh_spread_opts so2 = {0, dir, args2, 3, NULL, NULL};
    sp = NULL;
    HH_ASSERT_EQ(hh_spread_open(&so2, &sp, err, sizeof err), HH_EINVAL);
    HH_ASSERT(sp == NULL);
    HH_ASSERT(strstr(err, "another run") != NULL);

    /* --mpi in a build without MPI */
    if (!hh_mpi_available()) {
        hh_spread_opts so3 = {1, NULL, NULL, 0, NULL, NULL};
        HH_ASSERT_EQ(hh_spread_open(&so3, &sp, err, sizeof err), HH_EINVAL);
        HH_ASSERT(strstr(err, "without MPI") != NULL);
    }
    free(want.t), free(want.d), free(got.t), free(got.d);
    hh_net_close(net);
}

/* access (reduced rows, no times sent) and 2SFCA (two driver runs) through
 * a checkpoint: the plain run's table, bit for bit, and again read back */
HH_TEST(spread_checkpoint_access_2sfca)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    /* opportunity points of our own: two layers over the same places */
    enum { NP = 300, NO = 500 };
    static double plon[NP], plat[NP], val[NP * 2], olon[NO], olat[NO];
    uint64_t seed = 77;
    for (size_t i = 0; i < NP; i++) {
        plon[i] = hh_test_uniform(&seed, -51.24, -51.18), plat[i] = hh_test_uniform(&seed, -30.06, -30.00);
        val[2 * i] = (double)(hh_test_rand(&seed) % 5), val[2 * i + 1] = 1 + (double)(hh_test_rand(&seed) % 100);
    }
    for (size_t i = 0; i < NO; i++)
        olon[i] = hh_test_uniform(&seed, -51.24, -51.18), olat[i] = hh_test_uniform(&seed, -30.06, -30.00);
    char *names[2] = {"beds", "people"};
    hh_layers own;
    memset(&own, 0, sizeof own);
    own.n = NP, own.n_layers = 2, own.name = names, own.lon = plon, own.lat = plat, own.value = val;
    hh_points o = {NO, NULL, olon, olat};
    double minutes[2] = {10, 20};
    unsigned nearest[1] = {2};
    size_t sel[2] = {0, 1};
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.mode = HH_MODE_WALK, ao.minutes = minutes, ao.n_minutes = 2, ao.sfca_supply = 0, ao.sfca_demand = 1;
    ao.layers = sel, ao.n_layers = 2, ao.nearest = nearest, ao.n_nearest = 1;
    ao.snap_max_m = 500, ao.threads = 2;
    hh_table want, got;
    HH_ASSERT_EQ(hh_access_run(net, &ao, &own, &o, &want, NULL, NULL, 0), 0);
    char dir[512], err[512];
    snprintf(dir, sizeof dir, "%s/spread_acc", hh_test_tmpdir());
    const char *args[] = {"access", path};
    hh_spread_opts so = {0, dir, args, 2, NULL, NULL};
    for (int pass = 0; pass < 2; pass++) {
        hh_spread *sp;
        HH_ASSERT_EQ(hh_spread_open(&so, &sp, err, sizeof err), 0);
        ao.spread = sp, ao.threads = pass ? 1 : 3;
        HH_ASSERT_EQ(hh_access_run(net, &ao, &own, &o, &got, NULL, NULL, 0), 0);
        hh_spread_stats st;
        hh_spread_get_stats(sp, &st);
        hh_spread_close(sp, 1);
        HH_ASSERT_EQ(got.n_cols, want.n_cols);
        HH_ASSERT(memcmp(got.v, want.v, NO * want.n_cols * sizeof(double)) == 0);
        HH_ASSERT_EQ(pass ? st.blocks_resumed : st.blocks_computed, st.blocks);
        hh_table_free(&got);
    }
    hh_table_free(&want);
    hh_net_close(net);
}
