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
