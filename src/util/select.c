/* select.c: quickselect with a median-of-three pivot (select.h).
 * Hoare's partition keeps runs of equal values (samples that never arrive
 * are all UINT32_MAX) from going quadratic: equal keys stop both scans, so
 * they split evenly.  Written here rather than taken from a library: the C
 * library has qsort but no selection. */
#include "util/select.h"

static inline void swap(uint32_t *a, uint32_t *b)
{
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

uint32_t hh__nth_u32(uint32_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        if (hi - lo < 16) {
            /* insertion sort of the short remainder */
            for (size_t i = lo + 1; i <= hi; i++) {
                uint32_t v = a[i];
                size_t j = i;
                for (; j > lo && a[j - 1] > v; j--)
                    a[j] = a[j - 1];
                a[j] = v;
            }
            break;
        }
        size_t mid = lo + (hi - lo) / 2;
        /* median of three into a[lo]: a[mid] <= a[lo] <= a[hi] */
        if (a[mid] > a[hi])
            swap(&a[mid], &a[hi]);
        if (a[lo] > a[hi])
            swap(&a[lo], &a[hi]);
        if (a[mid] > a[lo])
            swap(&a[mid], &a[lo]);
        const uint32_t p = a[lo];
        size_t i = lo, j = hi + 1;
        for (;;) {
            do
                i++;
            while (a[i] < p);
            do
                j--;
            while (a[j] > p);
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
        }
        swap(&a[lo], &a[j]);
        /* a[lo..j-1] <= p == a[j] <= a[j+1..hi] */
        if (k == j)
            break;
        if (k < j)
            hi = j - 1;
        else
            lo = j + 1;
    }
    return a[k];
}
