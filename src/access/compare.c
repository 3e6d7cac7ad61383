/* compare.c: two access tables of the same run, on a base network and on
 * a scenario, side by side (hh_table_compare in halfhour.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "halfhour.h"
#include "util/alloc.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = hh__malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

int hh_table_compare(const hh_table *base, const hh_table *scen, hh_table *out)
{
    if (base->n_rows != scen->n_rows || base->n_cols != scen->n_cols || (base->grid == NULL) != (scen->grid == NULL))
        return HH_EINVAL;
    for (size_t c = 0; c < base->n_cols; c++)
        if (strcmp(base->col[c], scen->col[c]))
            return HH_EINVAL;
    for (size_t i = 0; i < base->n_rows; i++) {
        if ((base->id == NULL) != (scen->id == NULL) || (base->id && strcmp(base->id[i], scen->id[i])))
            return HH_EINVAL;
        if (base->lon && scen->lon && (base->lon[i] != scen->lon[i] || base->lat[i] != scen->lat[i]))
            return HH_EINVAL;
    }
    hh_table t;
    memset(&t, 0, sizeof t);
    size_t nr = scen->n_rows, nc = 3 * scen->n_cols;
    t.n_rows = nr, t.n_cols = nc, t.grid = scen->grid;
    t.col = hh__calloc(nc + 1, sizeof *t.col);
    t.v = hh__alloc_array(nr * nc + 1, sizeof *t.v);
    if (!t.col || !t.v)
        goto oom;
    for (size_t c = 0; c < scen->n_cols; c++) {
        static const char *const suf[3] = {"_base", "_scenario", "_diff"};
        for (int k = 0; k < 3; k++) {
            size_t n = strlen(scen->col[c]) + 12;
            if (!(t.col[3 * c + (size_t)k] = hh__malloc(n)))
                goto oom;
            snprintf(t.col[3 * c + (size_t)k], n, "%s%s", scen->col[c], suf[k]);
        }
    }
    for (size_t i = 0; i < nr; i++)
        for (size_t c = 0; c < scen->n_cols; c++) {
            double a = base->v[i * base->n_cols + c], b = scen->v[i * scen->n_cols + c];
            double *o = t.v + i * nc + 3 * c;
            o[0] = a, o[1] = b;
            o[2] = isnan(a) || isnan(b) ? NAN : b - a;
        }
    if (scen->id) {
        if (!(t.id = hh__calloc(nr + 1, sizeof *t.id)))
            goto oom;
        for (size_t i = 0; i < nr; i++)
            if (!(t.id[i] = dup_str(scen->id[i])))
                goto oom;
    }
    if (scen->lon) {
        t.lon = hh__alloc_array(nr + 1, sizeof *t.lon);
        t.lat = hh__alloc_array(nr + 1, sizeof *t.lat);
        if (!t.lon || !t.lat)
            goto oom;
        memcpy(t.lon, scen->lon, nr * sizeof *t.lon);
        memcpy(t.lat, scen->lat, nr * sizeof *t.lat);
    }
    *out = t;
    return 0;
oom:
    hh_table_free(&t);
    return HH_ENOMEM;
}
