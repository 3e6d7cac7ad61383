/* points.c: read a points CSV (see hh_points_read in halfhour.h).  The
 * coordinate columns and their parsing are the points-CSV reader's of
 * ingest/layers.h, shared with the opportunity layers. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "ingest/layers.h"
#include "util/alloc.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void hh_points_free(hh_points *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        hh__free(p->id[i]);
    hh__free(p->id), hh__free(p->lon), hh__free(p->lat);
    memset(p, 0, sizeof *p);
}

int hh_points_read(const char *path, hh_points *out, char *err, size_t errlen)
{
    hh__pcsv pc;
    int rc = hh__pcsv_open(&pc, path, err, errlen);
    if (rc)
        return rc;
    hh_points p;
    memset(&p, 0, sizeof p);
    size_t cap = 0;
    char **sorted = NULL;
    int cid = hh__csv_column(&pc.r, "id");
    double lon, lat;
    while ((rc = hh__pcsv_next(&pc, &lon, &lat, err, errlen)) == 1) {
        long line = (long)hh__csv_line(&pc.r);
        char idbuf[32];
        const char *id = cid >= 0 ? hh__csv_get(&pc.r, cid) : idbuf;
        if (cid < 0)
            snprintf(idbuf, sizeof idbuf, "%zu", p.n + 1);
        if (!*id) {
            snprintf(err, errlen, "%s line %ld: empty id", path, line);
            rc = HH_EFORMAT;
            goto fail;
        }
        if (p.n == cap) {
            /* the three arrays share one capacity */
            size_t ncap = cap ? cap * 2 : 256;
            char **ni = hh__realloc_array(p.id, ncap, sizeof *ni);
            if (ni)
                p.id = ni;
            double *nlo = ni ? hh__realloc_array(p.lon, ncap, sizeof *nlo) : NULL;
            if (nlo)
                p.lon = nlo;
            double *nla = nlo ? hh__realloc_array(p.lat, ncap, sizeof *nla) : NULL;
            if (nla)
                p.lat = nla;
            if (!nla) {
                rc = HH_ENOMEM;
                goto nomem;
            }
            cap = ncap;
        }
        size_t idl = strlen(id);
        char *idc = hh__malloc(idl + 1);
        if (!idc) {
            rc = HH_ENOMEM;
            goto nomem;
        }
        memcpy(idc, id, idl + 1);
        p.id[p.n] = idc;
        p.lon[p.n] = lon, p.lat[p.n] = lat;
        p.n++;
    }
    if (rc < 0)
        goto fail;
    if (p.n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        rc = HH_EEMPTY;
        goto fail;
    }
    sorted = hh__alloc_array(p.n, sizeof *sorted);
    if (!sorted) {
        rc = HH_ENOMEM;
        goto nomem;
    }
    memcpy(sorted, p.id, p.n * sizeof *sorted);
    qsort(sorted, p.n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < p.n; i++)
        if (!strcmp(sorted[i], sorted[i - 1])) {
            snprintf(err, errlen, "%s: duplicate id \"%.60s\"", path, sorted[i]);
            rc = HH_EFORMAT;
            goto fail;
        }
    hh__free(sorted);
    hh__pcsv_close(&pc);
    *out = p;
    return 0;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
fail:
    hh__free(sorted);
    hh__pcsv_close(&pc);
    hh_points_free(&p);
    return rc;
}
