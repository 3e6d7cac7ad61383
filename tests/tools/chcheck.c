/* chcheck.c: the speed-up index against plain Dijkstra on random pairs.
 *
 *   chcheck NET ORIGINS TARGETS SEED
 *
 * For walk, bike and car: ORIGINS and TARGETS points drawn uniformly in the
 * network's box by splitmix64 from SEED and snapped (200 m); from every
 * origin, the travel times to every target by
 *   - the engine's choice with no bound (the PHAST sweep over the
 *     contraction hierarchy, for the car on its turn graph),
 *   - the engine's choice bounded to 30 minutes (small searches stay plain,
 *     large ones switch to the sweep),
 *   - the CH bucket many-to-many (hh_matrix_run, 2 threads),
 * each against the plain Dijkstra (hh__query_force_dijkstra) on the same
 * workspace type, which the unit tests trust.  Times must agree to 0.05 s
 * (both are exact over the same integer deciseconds; the slack covers the
 * connectors' floating-point sums), reachability exactly.  Prints one
 * summary line per mode; exits 0 when all agree, 1 on a mismatch (each
 * printed on stderr), 2 on unusable input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "street/query.h"

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static double uniform01(uint64_t *s) { return (double)(splitmix64(s) >> 11) * 0x1p-53; }

static int pick(const hh_net *net, const hh_net_info *in, hh_mode m, uint64_t *s, size_t n, hh_snap *out,
                double *lon, double *lat)
{
    for (size_t i = 0; i < n; i++) {
        int rc, tries = 0;
        do {
            if (++tries > 100000)
                return -1;
            lon[i] = in->min_lon + uniform01(s) * (in->max_lon - in->min_lon);
            lat[i] = in->min_lat + uniform01(s) * (in->max_lat - in->min_lat);
            rc = hh_snap_point(net, m, lon[i], lat[i], 200, &out[i]);
        } while (rc == HH_ENOSNAP);
        if (rc)
            return -1;
    }
    return 0;
}

typedef struct rows {
    size_t nt;
    double *t; /* origins x targets */
} rows;

static int take_row(size_t o, const double *time_s, const double *dist_m, void *ud)
{
    (void)dist_m;
    rows *r = ud;
    memcpy(r->t + o * r->nt, time_s, r->nt * sizeof *time_s);
    return 0;
}

/* 1 when a and b disagree */
static int differ(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) != isnan(b);
    return fabs(a - b) > 0.05;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: chcheck NET ORIGINS TARGETS SEED\n");
        return 2;
    }
    size_t no = (size_t)atol(argv[2]), nt = (size_t)atol(argv[3]);
    uint64_t seed = strtoull(argv[4], NULL, 10);
    if (no < 1 || nt < 1 || no > 10000 || nt > 10000)
        return fprintf(stderr, "chcheck: ORIGINS and TARGETS must be 1..10000\n"), 2;
    hh_net *net;
    char err[512];
    if (hh_net_open(argv[1], &net, err, sizeof err))
        return fprintf(stderr, "chcheck: %s\n", err), 2;
    hh_net_info in;
    hh_net_get_info(net, &in);
    hh_snap *os = calloc(no, sizeof *os), *ts = calloc(nt, sizeof *ts);
    double *olon = calloc(no, sizeof *olon), *olat = calloc(no, sizeof *olat);
    double *tlon = calloc(nt, sizeof *tlon), *tlat = calloc(nt, sizeof *tlat);
    rows mat = {nt, calloc(no * nt, sizeof(double))};
    hh_query *q;
    if (!os || !ts || !olon || !olat || !tlon || !tlat || !mat.t || hh_query_init(net, &q))
        return fprintf(stderr, "chcheck: out of memory\n"), 2;
    int bad = 0;
    uint64_t s = seed;
    for (int m = 0; m < HH_N_MODES; m++) {
        if (pick(net, &in, (hh_mode)m, &s, no, os, olon, olat) || pick(net, &in, (hh_mode)m, &s, nt, ts, tlon, tlat))
            return fprintf(stderr, "chcheck: no %s street to snap to\n", hh_mode_name((hh_mode)m)), 2;
        /* the matrix over the same points, from their coordinates */
        hh_points po = {no, NULL, olon, olat}, pt = {nt, NULL, tlon, tlat};
        hh_matrix_opts mo = {0};
        mo.mode = (hh_mode)m, mo.max_s = INFINITY, mo.snap_max_m = 200, mo.threads = 2;
        int rc = hh_matrix_run(net, &mo, &po, &pt, take_row, &mat, NULL, NULL);
        if (rc)
            return fprintf(stderr, "chcheck: hh_matrix_run: %s\n", hh_strerror(rc)), 2;
        size_t pairs = 0, reached = 0, mism = 0;
        double maxd = 0;
        double *ref = malloc(nt * sizeof *ref);
        for (size_t i = 0; i < no && ref; i++) {
            hh__query_force_dijkstra(q, 1);
            if ((rc = hh_query_run(q, (hh_mode)m, &os[i], INFINITY)))
                return fprintf(stderr, "chcheck: %s\n", hh_strerror(rc)), 2;
            for (size_t j = 0; j < nt; j++) {
                double t, d;
                ref[j] = hh_query_time_to(q, &ts[j], &t, &d) == 0 ? t : NAN;
            }
            hh__query_force_dijkstra(q, 0);
            for (int pass = 0; pass < 2; pass++) {
                double bound = pass ? 1800 : INFINITY;
                if ((rc = hh_query_run(q, (hh_mode)m, &os[i], bound)))
                    return fprintf(stderr, "chcheck: %s\n", hh_strerror(rc)), 2;
                for (size_t j = 0; j < nt; j++) {
                    double t, d, want = ref[j];
                    double got = hh_query_time_to(q, &ts[j], &t, &d) == 0 ? t : NAN;
                    if (pass && !isnan(want) && want > 1800)
                        want = NAN;
                    if (pass && !isnan(got) && got > 1800)
                        got = NAN;
                    pairs++;
                    if (differ(got, want)) {
                        if (mism++ < 5)
                            fprintf(stderr, "chcheck: %s origin %zu target %zu (%s): %.2f s, Dijkstra %.2f s\n",
                                    hh_mode_name((hh_mode)m), i, j, pass ? "bounded" : "sweep", got, want);
                    } else if (!isnan(got)) {
                        reached++;
                        maxd = fmax(maxd, fabs(got - want));
                    }
                }
            }
            for (size_t j = 0; j < nt; j++) {
                double got = mat.t[i * nt + j];
                pairs++;
                if (differ(got, ref[j])) {
                    if (mism++ < 5)
                        fprintf(stderr, "chcheck: %s origin %zu target %zu (matrix): %.2f s, Dijkstra %.2f s\n",
                                hh_mode_name((hh_mode)m), i, j, got, ref[j]);
                } else if (!isnan(got)) {
                    reached++;
                    maxd = fmax(maxd, fabs(got - ref[j]));
                }
            }
        }
        free(ref);
        printf("chcheck %s: %zu comparisons, %zu reached, %zu mismatches, largest difference %.3f s\n",
               hh_mode_name((hh_mode)m), pairs, reached, mism, maxd);
        /* a check that compares nothing proves nothing */
        if (mism || reached < pairs / 4)
            bad = 1;
    }
    hh_query_free(q);
    hh_net_close(net);
    free(os), free(ts), free(olon), free(olat), free(tlon), free(tlat), free(mat.t);
    return bad;
}
