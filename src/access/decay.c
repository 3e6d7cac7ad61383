/* decay.c: the weight of an opportunity at travel time t, for the decay
 * functions of R5 (Conveyal's engine, which r5r drives); the formulas and
 * parameter ranges are those of R5's com.conveyal.r5.analyst.decay classes.
 *
 * Where we differ from R5 it is only because our times are real seconds:
 * R5 keeps whole seconds and its linear ramp evaluates second s at s + 0.5
 * (an opportunity reached "at second s" is on average half a second later);
 * we take t as it is, so our linear weight at R5's integer t is R5's weight
 * plus 0.5 s / width.  R5 also truncates the exponential tails at two hours;
 * here every weight is 0 past the caller's search limit instead (the reach
 * below says how far a search must go). */
#include <math.h>
#include <string.h>

#include "access/access.h"

static const char *const decay_names[] = {"step", "linear", "logistic", "exponential",
                                          "fixed-exponential"};
#define N_DECAYS (sizeof decay_names / sizeof *decay_names)

/* s of the logistic curve 1 / (1 + exp((t - c) / s)), seconds: a logistic
 * distribution of standard deviation sd has scale sd * sqrt(3) / pi. */
static double logistic_scale_s(double sd_min)
{
    return sd_min * 60.0 * sqrt(3.0) / M_PI;
}

int hh_decay_parse(const char *s, hh_decay *out)
{
    if (!s)
        return HH_EINVAL;
    for (size_t d = 0; d < N_DECAYS; d++)
        if (!strcmp(s, decay_names[d])) {
            *out = (hh_decay)d;
            return 0;
        }
    if (!strcmp(s, "fixed_exponential")) { /* r5r's spelling */
        *out = HH_DECAY_FIXED_EXPONENTIAL;
        return 0;
    }
    return HH_EINVAL;
}

const char *hh_decay_name(hh_decay d)
{
    return (unsigned)d < N_DECAYS ? decay_names[d] : "?";
}

int hh_decay_check(hh_decay d, double v)
{
    switch (d) {
    case HH_DECAY_STEP:
    case HH_DECAY_EXPONENTIAL:
        return 0; /* v is not used */
    case HH_DECAY_LINEAR:
        return v > 0 && v < 60 ? 0 : HH_EINVAL;
    case HH_DECAY_LOGISTIC:
        return v > 0 && v < 120 ? 0 : HH_EINVAL;
    case HH_DECAY_FIXED_EXPONENTIAL:
        return v > 0 && v < 1 ? 0 : HH_EINVAL;
    }
    return HH_EINVAL;
}

double hh_decay_weight(hh_decay d, double v, double cutoff_s, double t_s)
{
    if (!(t_s < INFINITY)) /* NAN or +inf: not reached */
        return 0;
    if (t_s < 0)
        t_s = 0;
    switch (d) {
    case HH_DECAY_STEP:
        return t_s < cutoff_s ? 1 : 0;
    case HH_DECAY_LINEAR: {
        double w = v * 60, hi = cutoff_s + w / 2;
        if (t_s <= cutoff_s - w / 2)
            return 1;
        if (t_s >= hi)
            return 0;
        return (hi - t_s) / w;
    }
    case HH_DECAY_LOGISTIC: {
        /* R5's g(c, 0) / g(c, t) with g(c, t) = 1 + exp((t - c) / s): the
         * plain logistic scaled so that f(0) = 1 (Bauer & Groneberg 2016);
         * exp overflowing to inf gives 0, as it should */
        double s = logistic_scale_s(v);
        return (1 + exp(-cutoff_s / s)) / (1 + exp((t_s - cutoff_s) / s));
    }
    case HH_DECAY_EXPONENTIAL:
        if (t_s <= 0)
            return 1;
        return cutoff_s > 0 ? exp2(-t_s / cutoff_s) : 0;
    case HH_DECAY_FIXED_EXPONENTIAL:
        return exp(-v * t_s);
    }
    return 0;
}

double hh__decay_reach_s(hh_decay d, double v, double cutoff_s, double limit_s)
{
    double r = limit_s;
    switch (d) {
    case HH_DECAY_STEP:
        r = cutoff_s;
        break;
    case HH_DECAY_LINEAR:
        r = cutoff_s + v * 60 / 2;
        break;
    case HH_DECAY_LOGISTIC: {
        /* f(t) = eps  <=>  exp((t - c) / s) = (1 + exp(-c / s)) / eps - 1 */
        double s = logistic_scale_s(v);
        r = cutoff_s + s * log((1 + exp(-cutoff_s / s)) / HH__DECAY_EPS - 1);
        break;
    }
    case HH_DECAY_EXPONENTIAL:
    case HH_DECAY_FIXED_EXPONENTIAL:
        break;
    }
    if (r > limit_s)
        r = limit_s;
    return r > 0 ? r : 0;
}

double hh_decay_reach(hh_decay d, double v, double cutoff_s, double limit_s)
{
    return hh__decay_reach_s(d, v, cutoff_s, limit_s);
}
