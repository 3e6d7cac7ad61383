/* test_equity.c: decay weights against R5's formulas at chosen times, the
 * equity figures against distributions worked out by hand and against
 * their O(n^2) and one-resident-at-a-time definitions on fixed-seed data,
 * and districts read from a GeoJSON file written here (holes, borders,
 * skipped features, name fallbacks) and from the Changsha-Zhuzhou-Xiangtan
 * district files in ../shared/data. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "halfhour.h"
#include "hhtest.h"
#include "testalloc.h"
#include "testnet.h"

/* ---- decay ------------------------------------------------------------- */

HH_TEST(decay_step_counts_times_below_the_cutoff)
{
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, 0), 1);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, 1799.5), 1);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, 1800), 0); /* R5: t < c */
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, 1800.5), 0);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 0, 0), 0);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, -5), 1);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, NAN), 0);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_STEP, 0, 1800, INFINITY), 0);
}

HH_TEST(decay_linear_ramps_over_the_width)
{
    /* w = 10 min = 600 s around c = 1800 s: 1 up to 1500 s, 0 from 2100 s */
    const double c = 1800, v = 10;
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LINEAR, v, c, 0), 1);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LINEAR, v, c, 1499), 1);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LINEAR, v, c, 1500), 1);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LINEAR, v, c, 1650), 0.75, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LINEAR, v, c, 1800), 0.5, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LINEAR, v, c, 1950), 0.25, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LINEAR, v, c, 2099), 1.0 / 600, 1e-15);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LINEAR, v, c, 2100), 0);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LINEAR, v, c, 5000), 0);
    /* R5's table at integer second s is our value at s + 0.5 */
    for (int s = 1500; s < 2100; s += 37)
        HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LINEAR, v, c, s + 0.5), 1 - (s - 1500 + 0.5) / 600, 1e-12);
}

HH_TEST(decay_logistic_is_r5s_scaled_curve)
{
    const double c = 1800, v = 10, s = 600 * sqrt(3) / M_PI;
    const double k = 1 + exp(-c / s); /* R5's g(c, 0) */
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, 0), 1, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, -60), 1, 1e-15);
    /* at the cutoff: k / 2, a hair above 1/2 (exp(-c/s) = 0.0043 here) */
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, c), k / 2, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, c), 0.5, 0.003);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, c + s * log(3)), k / 4, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, c - s * log(3)), k * 3 / 4, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, 2400), k / (1 + exp(600 / s)), 1e-15);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_LOGISTIC, v, c, 1e9), 0); /* exp overflows: 0, not NAN */
    double prev = 2;
    for (double t = 0; t < 7200; t += 60) {
        double f = hh_decay_weight(HH_DECAY_LOGISTIC, v, c, t);
        HH_ASSERT(f < prev && f > 0);
        prev = f;
    }
}

HH_TEST(decay_exponentials)
{
    /* exponential: the cutoff is the half-life */
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 600, 0), 1);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 600, 600), 0.5, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 600, 1200), 0.25, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 600, 1800), 0.125, 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 600, 300), sqrt(0.5), 1e-15);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 0, 10), 0);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_EXPONENTIAL, 0, 0, 0), 1);
    /* fixed-exponential: per-second constant, the cutoff ignored */
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_FIXED_EXPONENTIAL, 0.001, 1800, 0), 1);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_FIXED_EXPONENTIAL, 0.001, 1800, 1000), exp(-1), 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_FIXED_EXPONENTIAL, 0.001, 60, 1000), exp(-1), 1e-15);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_FIXED_EXPONENTIAL, 0.5, 0, 2), exp(-1), 1e-15);
    HH_ASSERT_EQ(hh_decay_weight(HH_DECAY_FIXED_EXPONENTIAL, 0.5, 0, NAN), 0);
}

HH_TEST(decay_names_parse_and_check)
{
    static const char *const names[] = {"step", "linear", "logistic", "exponential", "fixed-exponential"};
    for (int d = 0; d < 5; d++) {
        hh_decay got = (hh_decay)99;
        HH_ASSERT_EQ(hh_decay_parse(names[d], &got), 0);
        HH_ASSERT_EQ(got, d);
        HH_ASSERT_STR(hh_decay_name((hh_decay)d), names[d]);
    }
    hh_decay got = HH_DECAY_STEP;
    HH_ASSERT_EQ(hh_decay_parse("fixed_exponential", &got), 0);
    HH_ASSERT_EQ(got, HH_DECAY_FIXED_EXPONENTIAL);
    got = HH_DECAY_LINEAR;
    HH_ASSERT_EQ(hh_decay_parse("Step", &got), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_parse("", &got), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_parse("gaussian", &got), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_parse(NULL, &got), HH_EINVAL);
    HH_ASSERT_EQ(got, HH_DECAY_LINEAR); /* untouched */
    HH_ASSERT_STR(hh_decay_name((hh_decay)99), "?");

    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_STEP, NAN), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_EXPONENTIAL, -1), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LINEAR, 10), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LINEAR, 59.5), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LINEAR, 0), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LINEAR, 60), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LINEAR, NAN), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LOGISTIC, 0.5), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LOGISTIC, 0), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LOGISTIC, -3), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_LOGISTIC, 120), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_FIXED_EXPONENTIAL, 0.001), 0);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_FIXED_EXPONENTIAL, 0), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_FIXED_EXPONENTIAL, 1), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check(HH_DECAY_FIXED_EXPONENTIAL, INFINITY), HH_EINVAL);
    HH_ASSERT_EQ(hh_decay_check((hh_decay)99, 1), HH_EINVAL);
}

HH_TEST(decay_reach_bounds_the_search)
{
    const double limit = 7200;
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_STEP, 0, 1800, limit), 1800);
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_STEP, 0, 1800, 1200), 1200);
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_LINEAR, 10, 1800, limit), 2100);
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_EXPONENTIAL, 0, 600, limit), limit);
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_FIXED_EXPONENTIAL, 0.01, 600, 3600), 3600);
    double r = hh__decay_reach_s(HH_DECAY_LOGISTIC, 10, 1800, limit);
    HH_ASSERT(r > 1800 && r < limit);
    HH_ASSERT_NEAR(hh_decay_weight(HH_DECAY_LOGISTIC, 10, 1800, r), HH__DECAY_EPS, 1e-12);
    HH_ASSERT(hh_decay_weight(HH_DECAY_LOGISTIC, 10, 1800, r - 1) > HH__DECAY_EPS);
    HH_ASSERT_EQ(hh__decay_reach_s(HH_DECAY_LOGISTIC, 30, 1800, 3000), 3000);
    /* the invariant of access.h over a range of cutoffs and values */
    for (int d = 0; d < 5; d++)
        for (double c = 0; c <= 3600; c += 450)
            for (double v = 0.25; v < 1; v += 0.25) {
                double vv = d == HH_DECAY_FIXED_EXPONENTIAL ? v / 100 : v * 40;
                double reach = hh__decay_reach_s((hh_decay)d, vv, c, limit);
                HH_ASSERT(reach >= 0 && reach <= limit);
                if (reach < limit)
                    HH_ASSERT(hh_decay_weight((hh_decay)d, vv, c, reach) < HH__DECAY_EPS * (1 + 1e-9));
            }
}

/* ---- equity ------------------------------------------------------------ */

HH_TEST(equity_everyone_equal)
{
    double acc[10], w[10];
    for (int i = 0; i < 10; i++)
        acc[i] = 5, w[i] = 1;
    const double th[] = {5, 5.0001, 0};
    hh_equity e;
    HH_ASSERT_EQ(hh_equity_compute(acc, w, 10, th, 3, &e), 0);
    HH_ASSERT_NEAR(e.residents, 10, 0);
    HH_ASSERT_EQ(e.places, 10);
    HH_ASSERT_NEAR(e.mean, 5, 1e-15);
    HH_ASSERT_NEAR(e.median, 5, 0);
    HH_ASSERT_NEAR(e.gini, 0, 1e-15);
    /* the top 10 % hold 10 % of the access, the bottom 40 % hold 40 % */
    HH_ASSERT_NEAR(e.palma, 0.25, 1e-15);
    HH_ASSERT_EQ(e.n_thresholds, 3);
    HH_ASSERT_NEAR(e.threshold[1], 5.0001, 0);
    HH_ASSERT_NEAR(e.share_above[0], 1, 0);
    HH_ASSERT_NEAR(e.share_above[1], 0, 0);
    HH_ASSERT_NEAR(e.share_above[2], 1, 0);
    /* one place holding everyone is the same distribution */
    HH_ASSERT_EQ(hh_equity_compute(acc, (double[]){123.5}, 1, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.gini, 0, 0);
    HH_ASSERT_NEAR(e.palma, 0.25, 1e-15);
    HH_ASSERT_NEAR(e.median, 5, 0);
    HH_ASSERT_EQ(e.n_thresholds, 0);
}

HH_TEST(equity_one_has_everything)
{
    double acc[10] = {0}, w[10];
    for (int i = 0; i < 10; i++)
        w[i] = 1;
    acc[6] = 100;
    hh_equity e;
    HH_ASSERT_EQ(hh_equity_compute(acc, w, 10, (double[]){1}, 1, &e), 0);
    HH_ASSERT_NEAR(e.mean, 10, 1e-15);
    HH_ASSERT_NEAR(e.median, 0, 0);
    /* 9 ordered pairs each way at distance 100: 18 * 100 / (2 * 100 * 10) */
    HH_ASSERT_NEAR(e.gini, 0.9, 1e-15);
    HH_ASSERT(isinf(e.palma) && e.palma > 0);
    HH_ASSERT_NEAR(e.share_above[0], 0.1, 1e-15);
    /* nobody has anything: 0 / 0 */
    acc[6] = 0;
    HH_ASSERT_EQ(hh_equity_compute(acc, w, 10, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.mean, 0, 0);
    HH_ASSERT(isnan(e.gini));
    HH_ASSERT(isnan(e.palma));
}

/* x = 1, 2, 4, 8 with w = 1, 2, 1, 1: W = 5, sum w x = 17, mean 3.4.
 * Residents in order: x=1 on [0,1], x=2 on [1,3], x=4 on [3,4], x=8 on [4,5].
 *  median: cumulative weights 1, 3: 2 * 3 >= 5 at x = 2.
 *  Gini: pairs i<j, w_i w_j |x_i - x_j|: (1,2) 2, (1,4) 3, (1,8) 7, (2,4) 4,
 *        (2,8) 12, (4,8) 4: 32; both orders 64; 64 / (2 * 25 * 3.4) = 32/85.
 *  Palma: bottom 40 % = [0,2]: 1*1 + 2*1 = 3; top 10 % = [4.5,5]: 8*0.5 = 4;
 *         4/3 (the x=2 place is split at 2, the x=8 place at 4.5).
 *  share_above: >= 2: 4/5; >= 4: 2/5; >= 8: 1/5; >= 9: 0. */
static const double small_acc[] = {4, 1, 8, 2}, small_w[] = {1, 1, 1, 2};

static int check_small(const hh_equity *e)
{
    return e->places == 4 && e->residents == 5 && fabs(e->mean - 3.4) < 1e-15 && e->median == 2 &&
           fabs(e->gini - 32.0 / 85) < 1e-15 && fabs(e->palma - 4.0 / 3) < 1e-15 && e->n_thresholds == 4 &&
           fabs(e->share_above[0] - 0.8) < 1e-15 && fabs(e->share_above[1] - 0.4) < 1e-15 &&
           fabs(e->share_above[2] - 0.2) < 1e-15 && e->share_above[3] == 0;
}

HH_TEST(equity_small_weighted_case_by_hand)
{
    const double th[] = {2, 4, 8, 9};
    hh_equity e;
    HH_ASSERT_EQ(hh_equity_compute(small_acc, small_w, 4, th, 4, &e), 0);
    HH_ASSERT_EQ(e.places, 4);
    HH_ASSERT_NEAR(e.mean, 3.4, 1e-15);
    HH_ASSERT_NEAR(e.median, 2, 0);
    HH_ASSERT_NEAR(e.gini, 32.0 / 85, 1e-15);
    HH_ASSERT_NEAR(e.palma, 4.0 / 3, 1e-15);
    HH_ASSERT(check_small(&e));

    /* places without residents or without a value do not count */
    const double acc[] = {NAN, 4, 100, 1, 100, 8, 100, 2, -50, NAN};
    const double w[] = {5, 1, 0, 1, -3, 1, NAN, 2, 0, 0};
    hh_equity f;
    HH_ASSERT_EQ(hh_equity_compute(acc, w, 10, th, 4, &f), 0);
    HH_ASSERT(check_small(&f));
}

HH_TEST(equity_weighted_median_with_ties)
{
    hh_equity e;
    /* 1, 3, 3, 5: the half is reached inside the tie */
    HH_ASSERT_EQ(hh_equity_compute((double[]){3, 1, 5, 3}, (double[]){1, 1, 1, 1}, 4, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.median, 3, 0);
    /* two equal halves: the lower */
    HH_ASSERT_EQ(hh_equity_compute((double[]){2, 1}, (double[]){1, 1}, 2, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.median, 1, 0);
    HH_ASSERT_EQ(hh_equity_compute((double[]){2, 1, 2}, (double[]){1, 2, 1}, 3, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.median, 1, 0);
    /* just short of half at 1 */
    HH_ASSERT_EQ(hh_equity_compute((double[]){2, 1, 2}, (double[]){1, 1.999, 1}, 3, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.median, 2, 0);
    /* one heavy place */
    HH_ASSERT_EQ(hh_equity_compute((double[]){9, 1, 2, 3}, (double[]){10, 1, 1, 1}, 4, NULL, 0, &e), 0);
    HH_ASSERT_NEAR(e.median, 9, 0);
}

HH_TEST(equity_errors_leave_out_untouched)
{
    hh_equity e, keep;
    memset(&e, 0x5a, sizeof e);
    keep = e;
    double th[HH_EQUITY_MAX_THRESHOLDS + 1] = {0};
    HH_ASSERT_EQ(hh_equity_compute(NULL, NULL, 0, NULL, 0, &e), HH_EEMPTY);
    HH_ASSERT_EQ(hh_equity_compute((double[]){1, 2}, (double[]){0, -1}, 2, NULL, 0, &e), HH_EEMPTY);
    HH_ASSERT_EQ(hh_equity_compute((double[]){NAN, NAN}, (double[]){1, 1}, 2, NULL, 0, &e), HH_EEMPTY);
    HH_ASSERT_EQ(hh_equity_compute(small_acc, small_w, 4, th, HH_EQUITY_MAX_THRESHOLDS + 1, &e), HH_EINVAL);
    HH_ASSERT_EQ(hh_equity_compute(small_acc, small_w, 4, (double[]){1, NAN}, 2, &e), HH_EINVAL);
    HH_ASSERT_EQ(hh_equity_compute((double[]){1, -1}, (double[]){1, 1}, 2, NULL, 0, &e), HH_EINVAL);
    HH_ASSERT_EQ(hh_equity_compute((double[]){1, INFINITY}, (double[]){1, 1}, 2, NULL, 0, &e), HH_EINVAL);
    HH_ASSERT_EQ(hh_equity_compute((double[]){1, 2}, (double[]){1, INFINITY}, 2, NULL, 0, &e), HH_EINVAL);
    hh_test_alloc_fail_from(0);
    int rc = hh_equity_compute(small_acc, small_w, 4, NULL, 0, &e);
    hh_test_alloc_restore();
    HH_ASSERT_EQ(rc, HH_ENOMEM);
    HH_ASSERT(!memcmp(&e, &keep, sizeof e));
    /* the maximum number of thresholds is fine */
    HH_ASSERT_EQ(hh_equity_compute(small_acc, small_w, 4, th, HH_EQUITY_MAX_THRESHOLDS, &e), 0);
    HH_ASSERT_EQ(e.n_thresholds, HH_EQUITY_MAX_THRESHOLDS);
}

/* Random places with integer weights 1..5 and values with many ties: the
 * Gini against the pair double sum and against IPEA's Lorenz trapezoids;
 * median and Palma against the list of single residents (W a multiple of
 * 10, so the 40 % and 90 % boundaries fall between residents). */
HH_TEST(equity_cross_checks_on_random_data)
{
    enum { N = 700 };
    static double acc[N], w[N], pair_x[N], pair_w[N];
    uint64_t seed = 20240611;
    for (int round = 0; round < 4; round++) {
        size_t n = 0;
        long W = 0;
        for (int i = 0; i < N; i++) {
            acc[i] = round & 1 ? floor(hh_test_uniform(&seed, 0, 30)) : hh_test_uniform(&seed, 0, 1e5);
            w[i] = 1 + (double)(hh_test_rand(&seed) % 5);
            W += (long)w[i];
            n++;
        }
        while (W % 10) { /* top up the last place */
            w[n - 1] += 1;
            W++;
        }
        hh_equity e;
        HH_ASSERT_EQ(hh_equity_compute(acc, w, n, (double[]){10, 20000}, 2, &e), 0);
        HH_ASSERT_NEAR(e.residents, (double)W, 0);

        double dbl = 0, S = 0;
        for (size_t i = 0; i < n; i++) {
            S += w[i] * acc[i];
            for (size_t j = 0; j < n; j++)
                dbl += w[i] * w[j] * fabs(acc[i] - acc[j]);
        }
        double mean = S / (double)W;
        HH_ASSERT_NEAR(e.mean, mean, 1e-9 * mean);
        double gini = dbl / (2.0 * (double)W * (double)W * mean);
        HH_ASSERT_NEAR(e.gini, gini, 1e-12);

        /* IPEA's gini_index: places sorted by access, 1 - sum p_k (L_{k-1} + L_k) */
        for (size_t i = 0; i < n; i++)
            pair_x[i] = acc[i], pair_w[i] = w[i];
        for (size_t i = 1; i < n; i++) /* insertion sort, keeping the weights along */
            for (size_t j = i; j > 0 && pair_x[j - 1] > pair_x[j]; j--) {
                double t = pair_x[j]; pair_x[j] = pair_x[j - 1]; pair_x[j - 1] = t;
                t = pair_w[j]; pair_w[j] = pair_w[j - 1]; pair_w[j - 1] = t;
            }
        double L = 0, area = 0;
        for (size_t i = 0; i < n; i++) {
            double Lk = L + pair_w[i] * pair_x[i] / S;
            area += pair_w[i] / (double)W * (L + Lk);
            L = Lk;
        }
        HH_ASSERT_NEAR(e.gini, 1 - area, 1e-12);

        /* one resident at a time */
        long r = 0, lo_end = W * 4 / 10, hi_start = W * 9 / 10, half = (W + 1) / 2;
        double bottom = 0, top = 0, median = NAN, above10 = 0;
        for (size_t i = 0; i < n; i++)
            for (long k = 0; k < (long)pair_w[i]; k++, r++) {
                if (r < lo_end)
                    bottom += pair_x[i];
                if (r >= hi_start)
                    top += pair_x[i];
                if (r == half - 1)
                    median = pair_x[i];
                if (pair_x[i] >= 10)
                    above10++;
            }
        HH_ASSERT_NEAR(e.median, median, 0);
        HH_ASSERT_NEAR(e.palma, top / bottom, 1e-12 * (top / bottom));
        HH_ASSERT_NEAR(e.share_above[0], above10 / (double)W, 1e-15);
    }
}

/* ---- districts --------------------------------------------------------- */

/* 1 a Point, 2 square A (0..10) with a hole (4..6), 3 square B (20..30)
 * named by NAME, 4 MultiPolygon C (40..41 and 50..51) named by district,
 * 5 square D (8..12, over A's corner) with an empty name and an id,
 * 6 a square (60..61) with no properties, 7 a LineString. */
static const char *synthetic_districts(void)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/districts.geojson", hh_test_tmpdir());
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs("{\"type\":\"FeatureCollection\",\"features\":[\n"
          "{\"type\":\"Feature\",\"properties\":{\"name\":\"pt\"},"
          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[5,5]}},\n"
          "{\"type\":\"Feature\",\"properties\":{\"name\":\"A\",\"NAME\":\"not this\"},"
          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
          "[[4,4],[4,6],[6,6],[6,4],[4,4]]]}},\n"
          "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"B-upper\",\"id\":\"b\"},"
          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[20,0],[30,0],[30,10],[20,10],[20,0]]]}},\n"
          "{\"type\":\"Feature\",\"properties\":{\"district\":\"C\",\"id\":7},"
          "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[40,0],[41,0],[41,1],[40,1],[40,0]]],"
          "[[[50,0],[51,0],[51,1],[50,1],[50,0]]]]}},\n"
          "{\"type\":\"Feature\",\"properties\":{\"name\":\"\",\"id\":\"d-id\"},"
          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[8,8],[12,8],[12,12],[8,12],[8,8]]]}},\n"
          "{\"type\":\"Feature\",\"properties\":{},"
          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[60,0],[61,0],[61,1],[60,1],[60,0]]]}},\n"
          "{\"type\":\"Feature\",\"properties\":{\"name\":\"line\"},"
          "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[70,70]]}}\n"
          "]}\n",
          f);
    return fclose(f) ? NULL : path;
}

HH_TEST(districts_synthetic_holes_borders_names)
{
    const char *path = synthetic_districts();
    HH_ASSERT(path);
    hh_districts *d = NULL;
    char err[256] = "";
    HH_ASSERT_EQ(hh_districts_read(path, &d, err, sizeof err), 0);
    HH_ASSERT_EQ(hh_districts_count(d), 5);
    HH_ASSERT_EQ(hh_districts_skipped(d), 2);
    HH_ASSERT_STR(hh_districts_name(d, 0), "A");
    HH_ASSERT_STR(hh_districts_name(d, 1), "B-upper");
    HH_ASSERT_STR(hh_districts_name(d, 2), "C");
    HH_ASSERT_STR(hh_districts_name(d, 3), "d-id");
    HH_ASSERT_STR(hh_districts_name(d, 4), "6");
    HH_ASSERT(!hh_districts_name(d, 5));

    static const struct {
        double lon, lat;
        int32_t want;
    } pts[] = {
        {2, 2, 0},       /* inside A */
        {5, 5, -1},      /* in A's hole */
        {4, 5, 0},       /* on the hole's edge: A's border */
        {10, 5, 0},      /* on A's outer edge */
        {9, 9, 0},       /* in A and D: the first in file order */
        {11, 11, 3},     /* in D only */
        {25, 5, 1},      /* B */
        {20, 5, 1},      /* B's edge */
        {40.5, 0.5, 2},  /* C, first part */
        {50.5, 0.5, 2},  /* C, second part */
        {45, 0.5, -1},   /* between C's parts, inside its box */
        {60.5, 0.5, 4},  /* the nameless one */
        {15, 5, -1},     /* between A and B */
        {100, 100, -1},  /* far away */
        {NAN, 0, -1},
        {0, INFINITY, -1},
    };
    enum { NP = sizeof pts / sizeof *pts };
    double lon[NP], lat[NP];
    int32_t of[NP];
    for (int i = 0; i < NP; i++)
        lon[i] = pts[i].lon, lat[i] = pts[i].lat, of[i] = 99;
    HH_ASSERT_EQ(hh_districts_assign(d, lon, lat, NP, of), 0);
    for (int i = 0; i < NP; i++)
        if (of[i] != pts[i].want)
            HH_FAIL_("point %d (%g, %g): district %d, want %d", i, lon[i], lat[i], (int)of[i], (int)pts[i].want);
    HH_ASSERT_EQ(hh_districts_assign(d, lon, lat, 0, of), 0);

    /* a failed allocation leaves of as it was */
    int32_t keep[NP];
    memcpy(keep, of, sizeof of);
    hh_test_alloc_fail_from(0);
    int rc = hh_districts_assign(d, lon, lat, NP, of);
    hh_test_alloc_restore();
    HH_ASSERT_EQ(rc, HH_ENOMEM);
    HH_ASSERT(!memcmp(keep, of, sizeof of));
    hh_districts_free(d);
    hh_districts_free(NULL);
    HH_ASSERT_EQ(hh_districts_count(NULL), 0);
}

HH_TEST(districts_read_errors_name_the_file)
{
    char path[512], err[512];
    hh_districts *d = (hh_districts *)&err; /* a sentinel: must stay */
    hh_districts *const sentinel = d;

    snprintf(path, sizeof path, "%s/no-such-districts.geojson", hh_test_tmpdir());
    HH_ASSERT_EQ(hh_districts_read(path, &d, err, sizeof err), HH_EIO);
    HH_ASSERT(strstr(err, path));
    HH_ASSERT(d == sentinel);

    snprintf(path, sizeof path, "%s/points-only.geojson", hh_test_tmpdir());
    FILE *f = fopen(path, "w");
    HH_ASSERT(f);
    fputs("{\"type\":\"FeatureCollection\",\"features\":["
          "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}},"
          "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}]}\n",
          f);
    HH_ASSERT_EQ(fclose(f), 0);
    HH_ASSERT_EQ(hh_districts_read(path, &d, err, sizeof err), HH_EEMPTY);
    HH_ASSERT(strstr(err, path) && strstr(err, "no Polygon") && strstr(err, "2 other features"));
    HH_ASSERT(!strchr(err, '\n'));
    HH_ASSERT(d == sentinel);

    snprintf(path, sizeof path, "%s/garbage.geojson", hh_test_tmpdir());
    f = fopen(path, "w");
    HH_ASSERT(f);
    fputs("this is { not json\n", f);
    HH_ASSERT_EQ(fclose(f), 0);
    HH_ASSERT_EQ(hh_districts_read(path, &d, err, sizeof err), HH_EFORMAT);
    HH_ASSERT(strstr(err, path));
    HH_ASSERT(!strchr(err, '\n'));
    HH_ASSERT(d == sentinel);
    /* NULL err is fine */
    HH_ASSERT_EQ(hh_districts_read(path, &d, NULL, 0), HH_EFORMAT);
}

HH_TEST(districts_read_fails_cleanly_at_every_allocation)
{
    const char *path = synthetic_districts();
    HH_ASSERT(path);
    int ok = 0;
    long k;
    for (k = 0; k < 200; k++) {
        hh_districts *d = NULL;
        char err[256] = "";
        hh_test_alloc_fail_from(k);
        int rc = hh_districts_read(path, &d, err, sizeof err);
        hh_test_alloc_restore();
        if (rc == 0) {
            HH_ASSERT_EQ(hh_districts_count(d), 5);
            hh_districts_free(d);
            ok = 1;
            break;
        }
        HH_ASSERT_EQ(rc, HH_ENOMEM);
        HH_ASSERT(strstr(err, "out of memory") && strstr(err, path));
        HH_ASSERT(!d);
    }
    HH_ASSERT(ok);
}

HH_TEST(districts_changzhutan_real_files)
{
    static const struct {
        const char *file;
        size_t n;
        const char *first, *last;
        double lon, lat; /* a city centre */
        const char *centre;
    } cities[] = {
        {"changzhutan/hu2_nan2_chang2_sha1.geojson", 9, "芙蓉区", "浏阳市", 112.94, 28.23, "岳麓区"},
        {"changzhutan/hu2_nan2_zhu1_zhou1.geojson", 9, "荷塘区", "醴陵市", 113.15, 27.83, "芦淞区"},
        {"changzhutan/hu2_nan2_xiang1_tan2.geojson", 5, "雨湖区", "韶山市", 112.91, 27.87, "雨湖区"},
    };
    for (size_t c = 0; c < sizeof cities / sizeof *cities; c++) {
        const char *path = hh_test_data(cities[c].file);
        if (access(path, R_OK))
            HH_SKIP_DATA("%s not found", path);
        hh_districts *d;
        char err[512];
        if (hh_districts_read(path, &d, err, sizeof err))
            HH_FAIL_("%s", err);
        size_t n = hh_districts_count(d);
        int ok = n == cities[c].n && hh_districts_skipped(d) == 0 &&
                 !strcmp(hh_districts_name(d, 0), cities[c].first) &&
                 !strcmp(hh_districts_name(d, n - 1), cities[c].last);
        int32_t of = -2;
        int rc = hh_districts_assign(d, &cities[c].lon, &cities[c].lat, 1, &of);
        char at[64];
        snprintf(at, sizeof at, "%s", rc == 0 && of >= 0 ? hh_districts_name(d, (size_t)of) : "(none)");
        /* a lattice over the region: every district gets points */
        enum { G = 150 }; /* 0.02 degrees, about 2 km */
        static double lon[G * G], lat[G * G];
        static int32_t in[G * G];
        for (int i = 0; i < G; i++)
            for (int j = 0; j < G; j++) {
                lon[i * G + j] = 111.5 + 3.0 * (j + 0.5) / G;
                lat[i * G + j] = 26.0 + 3.0 * (i + 0.5) / G;
            }
        int rc2 = hh_districts_assign(d, lon, lat, G * G, in);
        size_t hit[16] = {0}, outside = 0;
        for (int i = 0; i < G * G; i++) {
            if (in[i] < 0)
                outside++;
            else if ((size_t)in[i] < 16)
                hit[in[i]]++;
        }
        size_t empty = 0;
        for (size_t k = 0; k < n && k < 16; k++)
            empty += !hit[k];
        hh_districts_free(d);
        if (!ok)
            HH_FAIL_("%s: %zu districts, first/last names differ", path, n);
        HH_ASSERT_EQ(rc, 0);
        HH_ASSERT_EQ(rc2, 0);
        if (strcmp(at, cities[c].centre))
            HH_FAIL_("%s: centre (%g, %g) in %s, want %s", path, cities[c].lon, cities[c].lat, at,
                     cities[c].centre);
        HH_ASSERT_EQ(empty, 0);
        HH_ASSERT(outside > 0);
    }
}
