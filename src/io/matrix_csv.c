/* matrix_csv.c: matrix rows as CSV (hh_matrix_csv in halfhour.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "halfhour.h"

static int row_done(hh_matrix_csv *w)
{
    FILE *f = w->fp;
    if (!ferror(f))
        return 0;
    if (!w->werr)
        w->werr = errno ? errno : EIO;
    return -1;
}

int hh_matrix_csv_header(hh_matrix_csv *w)
{
    FILE *f = w->fp;
    if (w->pct) {
        fprintf(f, "from_id,to_id");
        for (size_t p = 0; p < w->n_pct; p++)
            fprintf(f, ",travel_time_p%g", w->pct[p]);
        fprintf(f, "\n");
    } else {
        fprintf(f, "from_id,to_id,travel_time_s,distance_m\n");
    }
    return row_done(w);
}

/* Rows are written with a hand-rolled integer formatter: printf's "%.0f"
 * took two thirds of a 1000x1000 car matrix's time. */
static char *put_uint(char *p, unsigned long long v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *p++ = tmp[--n];
    return p;
}

static int transit_row(hh_matrix_csv *w, size_t i, const double *t)
{
    FILE *f = w->fp;
    for (size_t k = 0; k < w->dest->n; k++) {
        fprintf(f, "%s,%s", w->orig->id[i], w->dest->id[k]);
        for (size_t j = 0; j < w->n_pct; j++) {
            double v = t[k * w->n_pct + j];
            if (isnan(v))
                fputc(',', f);
            else
                fprintf(f, ",%.0f", v);
        }
        fputc('\n', f);
    }
    return row_done(w);
}

int hh_matrix_csv_row(size_t i, const double *t, const double *dist, void *ud)
{
    hh_matrix_csv *w = ud;
    if (w->pct)
        return transit_row(w, i, t);
    FILE *f = w->fp;
    const char *oid = w->orig->id[i];
    size_t ol = strlen(oid);
    char line[512];
    for (size_t k = 0; k < w->dest->n; k++) {
        const char *did = w->dest->id[k];
        size_t dl = strlen(did);
        if (ol + dl + 64 > sizeof line) {
            /* very long ids: the plain way */
            if (isnan(t[k]))
                fprintf(f, "%s,%s,,\n", oid, did);
            else
                fprintf(f, "%s,%s,%.0f,%.0f\n", oid, did, floor(t[k] + 0.5), floor(dist[k] + 0.5));
            continue;
        }
        char *p = line;
        memcpy(p, oid, ol), p += ol, *p++ = ',';
        memcpy(p, did, dl), p += dl, *p++ = ',';
        if (isnan(t[k])) {
            *p++ = ',';
        } else {
            p = put_uint(p, (unsigned long long)floor(t[k] + 0.5));
            *p++ = ',';
            p = put_uint(p, (unsigned long long)floor(dist[k] + 0.5));
        }
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), f);
    }
    return row_done(w);
}
