/* matrix_buf.c: matrix rows copied into the caller's arrays (see
 * hh_matrix_buf_row in halfhour.h).  One memcpy per row: a binding gets
 * the whole matrix without a call back into its own language per row. */
#include <math.h>
#include <string.h>

#include "halfhour.h"

int hh_matrix_buf_row(size_t origin, const double *time_s, const double *dist_m, void *ud)
{
    hh_matrix_buf *b = ud;
    if (!b || !b->time_s || origin >= b->n_orig || b->n_val == 0)
        return HH_EINVAL;
    size_t row = b->n_dest * b->n_val;
    memcpy(b->time_s + origin * row, time_s, row * sizeof *time_s);
    if (b->dist_m) {
        double *d = b->dist_m + origin * b->n_dest;
        if (dist_m)
            memcpy(d, dist_m, b->n_dest * sizeof *d);
        else
            for (size_t j = 0; j < b->n_dest; j++)
                d[j] = NAN;
    }
    b->rows++;
    return 0;
}
