/* equity.c: how evenly access is spread over residents.
 *
 * The n places are sorted once by access value x (then weight w, so the sums
 * run in one order whatever qsort does with ties); a place is w residents
 * who all have x, and every figure is over residents.  With B_i the weight
 * before place i in that order and W the total weight:
 *
 *  mean    sum w x / W.
 *  median  the smallest x whose cumulative weight (every place with value
 *          <= x) is >= W / 2: the lower weighted median, always a value
 *          that occurs (two equal halves at 1 and 2 give 1).
 *  Gini    sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean).  In sorted
 *          order the double sum is 2 sum_i w_i x_i (B_i - (W - B_i - w_i)),
 *          tied places cancelling, so
 *            G = sum_i w_i x_i (2 B_i + w_i - W) / (W sum_i w_i x_i),
 *          O(n log n) for the sort.  This is the population Gini of the
 *          residents (no n / (n - 1) correction), 0 when everyone has the
 *          same, (W - w_max) / W at most (1 - 1/10 when one of ten equal
 *          places has everything).  NAN when all access is 0.
 *  Palma   the access held by the top 10 % of residents (the residents in
 *          [0.9 W, W] along the sorted order) over that of the bottom 40 %
 *          ([0, 0.4 W]); a place straddling a boundary counts with the part
 *          of its weight inside.  Both shares have the same denominator,
 *          so the ratio is of the access sums.  Everyone equal gives
 *          0.1 / 0.4 = 0.25; INFINITY when the bottom 40 % hold nothing but
 *          the top does; NAN for 0 / 0.
 *  share_above[k]  weight of places with x >= threshold[k], over W.
 *
 * Against the IPEA `accessibility` R package (its gini_index, palma_ratio
 * and fgt_poverty):
 *  - gini_index sorts places by access and takes 1 - 2 * (area under the
 *    Lorenz curve by trapezoids), 1 - sum_k p_k (L_{k-1} + L_k): for grouped
 *    data that is exactly the pair formula above, so the numbers agree (up
 *    to rounding), all-zero access included (NaN there too).
 *  - palma_ratio differs in two ways, on purpose.  It ranks residents by a
 *    separate income column (whole places: income <= the weighted 40 %
 *    quantile are the poorest, > the 90 % quantile the wealthiest) and
 *    divides mean accesses, wealthiest over poorest.  We have no income and
 *    rank by access itself, as the Palma ratio of a distribution is defined
 *    (Cobham & Sumner: share of the top 10 % over share of the bottom 40 %),
 *    with boundary places split.  With groups of exactly 10 % and 40 % a
 *    ratio of means is 4 times ours (equal access: IPEA-style 1, ours 0.25).
 *  - fgt_poverty's FGT0 at poverty line t is the share with access < t,
 *    i.e. 1 - share_above for the same t.
 *  - the package has no median; R's weighted medians differ in how they
 *    split ties and halves, ours is the lower one defined above.
 *  - the package lets NA propagate; we skip NAN values (unreached places)
 *    and places without residents. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "util/alloc.h"

typedef struct place {
    double x, w;
} place;

static int by_value(const void *a, const void *b)
{
    const place *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->w > q->w) - (p->w < q->w);
}

/* The length of [lo, hi] inside [a, b]. */
static double overlap(double lo, double hi, double a, double b)
{
    double l = lo > a ? lo : a, h = hi < b ? hi : b;
    return h > l ? h - l : 0;
}

int hh_equity_compute(const double *acc, const double *w, size_t n, const double *thresholds,
                      size_t n_thresholds, hh_equity *out)
{
    if (n_thresholds > HH_EQUITY_MAX_THRESHOLDS || (n_thresholds && !thresholds))
        return HH_EINVAL;
    for (size_t k = 0; k < n_thresholds; k++)
        if (isnan(thresholds[k]))
            return HH_EINVAL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0) || isnan(acc[i]))
            continue;
        if (!isfinite(w[i]) || !isfinite(acc[i]) || acc[i] < 0)
            return HH_EINVAL;
        m++;
    }
    if (!m)
        return HH_EEMPTY;
    place *p = hh__alloc_array(m, sizeof *p);
    if (!p)
        return HH_ENOMEM;
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] > 0 && !isnan(acc[i]))
            p[m++] = (place){acc[i], w[i]};
    qsort(p, m, sizeof *p, by_value);

    /* W and S in sorted order, the order of the cumulative sums below, so
     * the last cumulative weight is W exactly */
    double W = 0, S = 0;
    for (size_t i = 0; i < m; i++) {
        W += p[i].w;
        S += p[i].w * p[i].x;
    }
    hh_equity e;
    memset(&e, 0, sizeof e);
    e.residents = W;
    e.places = m;
    e.mean = S / W;
    e.median = NAN;
    double B = 0, g = 0, top = 0, bottom = 0;
    const double bottom_end = 0.4 * W, top_start = 0.9 * W;
    for (size_t i = 0; i < m; i++) {
        double x = p[i].x, wi = p[i].w, next = B + wi;
        if (isnan(e.median) && 2 * next >= W)
            e.median = x;
        g += wi * x * (2 * B + wi - W);
        bottom += x * overlap(B, next, 0, bottom_end);
        top += x * overlap(B, next, top_start, W);
        B = next;
    }
    if (S > 0) {
        e.gini = g / (W * S);
        if (e.gini < 0) /* rounding when everyone is (nearly) equal */
            e.gini = 0;
    } else {
        e.gini = NAN;
    }
    e.palma = bottom > 0 ? top / bottom : top > 0 ? INFINITY : NAN;
    e.n_thresholds = n_thresholds;
    for (size_t k = 0; k < n_thresholds; k++) {
        double above = 0;
        for (size_t i = 0; i < m; i++)
            if (p[i].x >= thresholds[k])
                above += p[i].w;
        e.threshold[k] = thresholds[k];
        e.share_above[k] = above / W;
    }
    hh__free(p);
    *out = e;
    return 0;
}
