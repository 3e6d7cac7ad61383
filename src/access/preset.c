/* preset.c: the 15-minute check's layers and its services columns
 * (hh_preset_15min_layers, hh_table_add_services in halfhour.h), shared by
 * `halfhour access --preset 15min` and the server's /access. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

size_t hh_preset_15min_layers(const hh_layers *l, size_t *sel, size_t cap, char *missing, size_t missing_len)
{
    static const char *const names[] = {"schools", "healthcare", "groceries", "pharmacies", "parks", "transit_stops"};
    size_t n = 0, ml = 0;
    if (missing && missing_len)
        missing[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int k = hh_layers_find(l, names[i]);
        double tot = 0;
        for (size_t p = 0; k >= 0 && p < l->n; p++)
            tot += l->value[p * l->n_layers + (size_t)k];
        if (k >= 0 && tot > 0 && n < cap) {
            sel[n++] = (size_t)k;
        } else if (missing && ml + 1 < missing_len) {
            int w = snprintf(missing + ml, missing_len - ml, "%s%s", ml ? ", " : "", names[i]);
            ml = w < 0 ? ml : ml + (size_t)w >= missing_len ? missing_len - 1 : ml + (size_t)w;
        }
    }
    return n;
}

int hh_table_add_services(hh_table *t, size_t n_layers, size_t n_cutoffs, const double *minutes)
{
    if (!t || !minutes || !n_layers || !n_cutoffs || t->n_cols < n_layers * n_cutoffs)
        return HH_EINVAL;
    size_t nc0 = t->n_cols, nc1 = nc0 + 2 * n_cutoffs;
    double *v = hh__alloc_array(t->n_rows * nc1 + 1, sizeof *v);
    char **col = hh__realloc_array(t->col, nc1 + 1, sizeof *col);
    if (!v || !col) {
        hh__free(v);
        if (col)
            t->col = col;
        return HH_ENOMEM;
    }
    t->col = col;
    for (size_t c = 0; c < 2 * n_cutoffs; c++)
        col[nc0 + c] = NULL;
    int bad = 0;
    for (size_t c = 0; c < n_cutoffs; c++) {
        char b[64];
        snprintf(b, sizeof b, "services_%g", minutes[c]);
        bad |= !(col[nc0 + c] = hh__strdup(b));
        snprintf(b, sizeof b, "all_services_%g", minutes[c]);
        bad |= !(col[nc0 + n_cutoffs + c] = hh__strdup(b));
    }
    if (bad) {
        for (size_t c = 0; c < 2 * n_cutoffs; c++)
            hh__free(col[nc0 + c]), col[nc0 + c] = NULL;
        hh__free(v);
        return HH_ENOMEM;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        const double *src = t->v + r * nc0;
        double *dst = v + r * nc1;
        memcpy(dst, src, nc0 * sizeof *dst);
        for (size_t c = 0; c < n_cutoffs; c++) {
            double cnt = 0;
            int nan = 0;
            for (size_t l = 0; l < n_layers; l++) {
                double a = src[l * n_cutoffs + c];
                nan |= isnan(a);
                cnt += a > 0;
            }
            dst[nc0 + c] = nan ? NAN : cnt;
            dst[nc0 + n_cutoffs + c] = nan ? NAN : cnt == (double)n_layers;
        }
    }
    hh__free(t->v);
    t->v = v;
    t->n_cols = nc1;
    return 0;
}
