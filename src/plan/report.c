/* report.c: the half-hour report's figures (hh_report_run): centre-to-
 * centre times, each centre's circle and their union, the residents inside,
 * per district.  Every count is what the many-origin driver's rows say (a
 * point is inside a circle when it is reached in less than T, as access's
 * cumulative measure counts it), so the report agrees with `matrix` and
 * `access` by construction; the polygons are the isochrones of the same
 * searches, their union GEOS's, in a local plane of metres. */
#include <geos_c.h>

#include "plan/plan.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/layers.h"
#include "reach/many.h"
#include "util/alloc.h"

/* ---- centres ------------------------------------------------------------ */

void hh_centres_free(hh_centres *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (c->id)
            hh__free(c->id[i]);
        if (c->name)
            hh__free(c->name[i]);
    }
    hh__free(c->id), hh__free(c->name), hh__free(c->lon), hh__free(c->lat);
    memset(c, 0, sizeof *c);
}

int hh_centres_read(const char *path, hh_centres *out, char *err, size_t errlen)
{
    hh__pcsv p;
    int rc = hh__pcsv_open(&p, path, err, errlen);
    if (rc)
        return rc;
    int cid = hh__csv_column(&p.r, "id"), cname = hh__csv_column(&p.r, "name");
    hh_centres c;
    memset(&c, 0, sizeof c);
    size_t cap = 0;
    double lon, lat;
    while ((rc = hh__pcsv_next(&p, &lon, &lat, err, errlen)) == 1) {
        if (c.n == cap) {
            size_t c2 = cap ? 2 * cap : 8;
            char **i2 = hh__realloc_array(c.id, c2, sizeof *i2);
            if (i2)
                c.id = i2;
            char **n2 = i2 ? hh__realloc_array(c.name, c2, sizeof *n2) : NULL;
            if (n2)
                c.name = n2;
            double *lo = n2 ? hh__realloc_array(c.lon, c2, sizeof *lo) : NULL;
            if (lo)
                c.lon = lo;
            double *la = lo ? hh__realloc_array(c.lat, c2, sizeof *la) : NULL;
            if (!la) {
                rc = HH_ENOMEM;
                break;
            }
            c.lat = la, cap = c2;
        }
        char num[32];
        snprintf(num, sizeof num, "%zu", c.n + 1);
        const char *id = cid >= 0 && *hh__csv_get(&p.r, cid) ? hh__csv_get(&p.r, cid) : num;
        const char *nm = cname >= 0 && *hh__csv_get(&p.r, cname) ? hh__csv_get(&p.r, cname) : id;
        c.id[c.n] = hh__strdup(id);
        c.name[c.n] = hh__strdup(nm);
        c.lon[c.n] = lon, c.lat[c.n] = lat;
        c.n++;
        if (!c.id[c.n - 1] || !c.name[c.n - 1]) {
            rc = HH_ENOMEM;
            break;
        }
        for (size_t k = 0; k + 1 < c.n; k++)
            if (!strcmp(c.id[k], id)) {
                snprintf(err, errlen, "%s: centre id \"%s\" appears twice", path, id);
                rc = HH_EFORMAT;
                break;
            }
        if (rc < 0)
            break;
    }
    hh__pcsv_close(&p);
    if (rc == 0 && c.n == 0) {
        snprintf(err, errlen, "%s: no centres", path);
        rc = HH_EEMPTY;
    }
    if (rc == 0 && c.n > 64) {
        snprintf(err, errlen, "%s: %zu centres; a report takes at most 64", path, c.n);
        rc = HH_ERANGE;
    }
    if (rc) {
        if (rc == HH_ENOMEM)
            snprintf(err, errlen, "%s: out of memory", path);
        hh_centres_free(&c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- the run ----------------------------------------------------------- */

typedef struct rctx {
    const hh_report_opts *o;
    hh_report_mode *m;
    size_t n_c;
    const hh_points *pts;   /* the layer's points with a value */
    const double *w;        /* their values */
    const int32_t *d_of;    /* their districts, or NULL */
    double *best;           /* per point: minutes to the nearest centre reached within T, or NAN */
} rctx;

static int times_deliver(void *ud, const hh__many_row *row, const double *out)
{
    rctx *c = ud;
    (void)out;
    memcpy(c->m->time_s + row->origin * c->n_c * c->m->n_val, row->time_s, c->n_c * c->m->n_val * sizeof(double));
    return 0;
}

/* One centre's row to the layer's points: who is inside its circle. */
static int inside_deliver(void *ud, const hh__many_row *row, const double *out)
{
    rctx *c = ud;
    (void)out;
    size_t i = row->origin, nd = c->o->districts ? hh_districts_count(c->o->districts) : 0;
    double T = c->o->minutes * 60;
    for (size_t k = 0; k < row->n_dest; k++) {
        double t = row->time_s[k * row->n_val];
        if (!(t < T))
            continue;
        c->m->inside[i] += c->w[k];
        if (c->d_of && c->d_of[k] >= 0 && (size_t)c->d_of[k] < nd)
            c->m->d_inside[(size_t)c->d_of[k] * (c->n_c + 1) + i] += c->w[k];
        if (isnan(c->best[k]) || t / 60 < c->best[k])
            c->best[k] = t / 60;
    }
    return 0;
}

static void mode_free(hh_report_mode *m, size_t n_c)
{
    if (m->circle)
        for (size_t i = 0; i < n_c; i++)
            hh_isochrone_free(&m->circle[i]);
    hh__free(m->circle), hh__free(m->time_s), hh__free(m->circle_km2), hh__free(m->union_geojson);
    hh__free(m->inside), hh__free(m->d_inside), hh__free(m->d_mean_min), hh__free(m->pt_inside);
    memset(m, 0, sizeof *m);
}

void hh_report_free(hh_report *r)
{
    if (!r)
        return;
    for (size_t k = 0; r->modes && k < r->n_modes; k++)
        mode_free(&r->modes[k], r->c ? r->c->n : 0);
    hh__free(r->modes), hh__free(r->snapped), hh__free(r->d_name), hh__free(r->d_total);
    hh__free(r->pt_w), hh__free(r->pt_d);
    memset(r, 0, sizeof *r);
}

/* The circles: every snapped centre's isochrone (the strict polygons, as
 * hh_isochrone_build draws them) on the report's threads, each moved into
 * m->circle[centre] as it arrives. */
typedef struct circles {
    hh_report_mode *m;
    const size_t *centre; /* of each searched one */
} circles;

static int circle_keep(const hh_iso_result *r, void *ud)
{
    circles *c = ud;
    size_t i = c->centre[r->origin];
    c->m->circle[i] = *r->iso;
    memset(r->iso, 0, sizeof *r->iso);
    c->m->circle_km2[i] = c->m->circle[i].bands[0].area_km2;
    return 0;
}

static int draw_circles(const hh_net *net, const hh_report_opts *o, const hh_report_mode_opts *mo,
                        const hh_centres *c, const unsigned char *snapped, hh_report_mode *m)
{
    hh_mode smode = mo->transit ? HH_MODE_WALK : mo->mode;
    hh_snap *s = hh__alloc_array(c->n + 1, sizeof *s);
    size_t *centre = hh__alloc_array(c->n + 1, sizeof *centre), n = 0;
    int rc = s && centre ? 0 : HH_ENOMEM;
    for (size_t i = 0; !rc && i < c->n; i++)
        if (snapped[i] && !hh_snap_point(net, smode, c->lon[i], c->lat[i], o->snap_max_m, &s[n]))
            centre[n++] = i;
    double T = o->minutes;
    const hh_iso_opts strict = {0, 0, HH_ISO_HOLES_ALL};
    hh_iso_many req = {net, mo->mode, mo->transit, o->circle_pct, s, n, &T, 1, &strict, o->threads, 0, NULL, NULL, NULL};
    circles ctx = {m, centre};
    if (!rc)
        rc = hh_isochrone_many(&req, circle_keep, &ctx, NULL);
    hh__free(s), hh__free(centre);
    return rc;
}

GEOSGeometry *hh__band_geom(GEOSContextHandle_t g, const hh_isoband *b, double kx, double ky)
{
    if (!b->n_polys)
        return NULL;
    GEOSGeometry **polys = hh__calloc(b->n_polys, sizeof *polys);
    if (!polys)
        return NULL;
    size_t np = 0;
    int bad = 0;
    for (size_t p = 0; p < b->n_polys && !bad; p++) {
        size_t r0 = b->poly_first_ring[p], r1 = b->poly_first_ring[p + 1];
        GEOSGeometry *shell = NULL, **holes = r1 - r0 > 1 ? hh__calloc(r1 - r0 - 1, sizeof *holes) : NULL;
        size_t nh = 0;
        for (size_t r = r0; r < r1 && !bad; r++) {
            size_t a = b->ring_first[r], z = b->ring_first[r + 1];
            GEOSCoordSequence *cs = GEOSCoordSeq_create_r(g, (unsigned)(z - a), 2);
            for (size_t k = a; cs && k < z; k++) {
                GEOSCoordSeq_setX_r(g, cs, (unsigned)(k - a), b->lonlat[2 * k] * kx);
                GEOSCoordSeq_setY_r(g, cs, (unsigned)(k - a), b->lonlat[2 * k + 1] * ky);
            }
            GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(g, cs) : NULL;
            if (!ring)
                bad = 1;
            else if (r == r0)
                shell = ring;
            else
                holes[nh++] = ring;
        }
        if (!bad && shell) {
            GEOSGeometry *poly = GEOSGeom_createPolygon_r(g, shell, holes, (unsigned)nh);
            if (poly)
                polys[np++] = poly;
            else
                bad = 1;
        } else {
            if (shell)
                GEOSGeom_destroy_r(g, shell);
            for (size_t h = 0; h < nh; h++)
                GEOSGeom_destroy_r(g, holes[h]);
        }
        hh__free(holes);
    }
    GEOSGeometry *mp = NULL;
    if (!bad && np)
        mp = GEOSGeom_createCollection_r(g, GEOS_MULTIPOLYGON, polys, (unsigned)np);
    else
        for (size_t p = 0; p < np; p++)
            GEOSGeom_destroy_r(g, polys[p]);
    hh__free(polys);
    return mp;
}

/* Appends s to a growing string; 0 or HH_ENOMEM. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static int sb_put(sbuf *b, const char *fmt, double x, double y)
{
    char tmp[64];
    int k = fmt ? snprintf(tmp, sizeof tmp, fmt, x, y) : 0;
    if (k < 0)
        return HH_EIO;
    if (b->n + (size_t)k + 1 > b->cap && hh__grow(&b->s, &b->cap, b->n + (size_t)k + 1, 1))
        return HH_ENOMEM;
    memcpy(b->s + b->n, tmp, (size_t)k);
    b->n += (size_t)k;
    b->s[b->n] = 0;
    return 0;
}

static int sb_str(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap && hh__grow(&b->s, &b->cap, b->n + k + 1, 1))
        return HH_ENOMEM;
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
    return 0;
}

static int ring_json(GEOSContextHandle_t g, const GEOSGeometry *ring, double kx, double ky, sbuf *b)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(g, cs, &n))
        return HH_ENOMEM;
    int rc = sb_str(b, "[");
    for (unsigned k = 0; !rc && k < n; k++) {
        double x, y;
        GEOSCoordSeq_getX_r(g, cs, k, &x), GEOSCoordSeq_getY_r(g, cs, k, &y);
        rc = sb_put(b, k ? ",[%.7f,%.7f]" : "[%.7f,%.7f]", x / kx, y / ky);
    }
    return rc ? rc : sb_str(b, "]");
}

/* The union as a GeoJSON MultiPolygon geometry (rings as GEOS orients them). */
static int geom_json(GEOSContextHandle_t g, const GEOSGeometry *u, double kx, double ky, char **out)
{
    sbuf b = {NULL, 0, 0};
    int rc = sb_str(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    int n = GEOSGetNumGeometries_r(g, u), first = 1;
    for (int i = 0; !rc && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(g, u, i);
        if (GEOSGeomTypeId_r(g, p) != GEOS_POLYGON || GEOSisEmpty_r(g, p))
            continue;
        rc = sb_str(&b, first ? "[" : ",[");
        first = 0;
        if (!rc)
            rc = ring_json(g, GEOSGetExteriorRing_r(g, p), kx, ky, &b);
        int nh = GEOSGetNumInteriorRings_r(g, p);
        for (int h = 0; !rc && h < nh; h++)
            if (!(rc = sb_str(&b, ",")))
                rc = ring_json(g, GEOSGetInteriorRingN_r(g, p, h), kx, ky, &b);
        if (!rc)
            rc = sb_str(&b, "]");
    }
    if (!rc)
        rc = sb_str(&b, "]}");
    if (rc) {
        hh__free(b.s);
        return rc;
    }
    *out = b.s;
    return 0;
}

static int union_of(const hh_report_mode *m, size_t n_c, double lat0, double *km2, char **json)
{
    const double ky = 111319.49079327357, kx = ky * cos(lat0 * M_PI / 180);
    GEOSContextHandle_t g = GEOS_init_r();
    if (!g)
        return HH_ENOMEM;
    GEOSGeometry **parts = hh__calloc(n_c + 1, sizeof *parts);
    int rc = parts ? 0 : HH_ENOMEM;
    size_t np = 0;
    for (size_t i = 0; !rc && i < n_c; i++)
        if (m->circle[i].n_bands && m->circle[i].bands[0].n_polys) {
            GEOSGeometry *x = hh__band_geom(g, &m->circle[i].bands[0], kx, ky);
            if (!x)
                rc = HH_ENOMEM;
            else
                parts[np++] = x;
        }
    *km2 = 0, *json = NULL;
    if (!rc && np) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(g, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
        np = 0; /* owned by coll now */
        GEOSGeometry *u = coll ? GEOSUnaryUnion_r(g, coll) : NULL;
        if (!u)
            rc = HH_ENOMEM;
        double a = 0;
        if (!rc && GEOSArea_r(g, u, &a))
            *km2 = a / 1e6;
        if (!rc)
            rc = geom_json(g, u, kx, ky, json);
        if (u)
            GEOSGeom_destroy_r(g, u);
        if (coll)
            GEOSGeom_destroy_r(g, coll);
    }
    for (size_t i = 0; i < np; i++)
        GEOSGeom_destroy_r(g, parts[i]);
    hh__free(parts);
    GEOS_finish_r(g);
    return rc;
}

static int run_mode(const hh_net *net, const hh_report_opts *o, const hh_centres *c, const hh_report_mode_opts *mo,
                    hh_report_mode *m, unsigned char *snapped, const hh_points *pts, const double *w,
                    const int32_t *d_of, size_t n_d)
{
    size_t n_c = c->n;
    snprintf(m->name, sizeof m->name, "%s", mo->transit ? "transit" : hh_mode_name(mo->mode));
    m->n_val = mo->transit ? o->n_pct : 1;
    m->time_s = hh__alloc_array(n_c * n_c * m->n_val, sizeof *m->time_s);
    m->circle = hh__calloc(n_c, sizeof *m->circle);
    m->circle_km2 = hh__calloc(n_c, sizeof *m->circle_km2);
    m->inside = hh__calloc(n_c, sizeof *m->inside);
    m->d_inside = hh__calloc(n_d * (n_c + 1) + 1, sizeof *m->d_inside);
    m->d_mean_min = hh__alloc_array(n_d + 1, sizeof *m->d_mean_min);
    double *best = pts ? hh__alloc_array(pts->n + 1, sizeof *best) : NULL;
    if (!m->time_s || !m->circle || !m->circle_km2 || !m->inside || !m->d_inside || !m->d_mean_min ||
        (pts && !best)) {
        hh__free(best);
        return HH_ENOMEM;
    }
    hh_points cp = {n_c, NULL, c->lon, c->lat};
    hh_mode smode = mo->transit ? HH_MODE_WALK : mo->mode;
    /* centre to centre */
    hh__many_req r = {net, mo->transit, smode, INFINITY, o->snap_max_m, o->pct, m->n_val, o->threads, &cp, &cp, o->stop, NULL};
    rctx ctx = {o, m, n_c, pts, w, d_of, best};
    hh__many_fns f = {NULL, 0, times_deliver, &ctx, 0};
    int rc = hh__many_run(&r, &f, snapped, NULL);
    /* the circles */
    if (!rc)
        rc = draw_circles(net, o, mo, c, snapped, m);
    double lat0 = 0;
    for (size_t i = 0; i < n_c; i++)
        lat0 += c->lat[i] / (double)n_c;
    if (!rc)
        rc = union_of(m, n_c, lat0, &m->union_km2, &m->union_geojson);
    /* who is inside: the layer's points reached within T */
    if (!rc && pts && pts->n) {
        for (size_t k = 0; k < pts->n; k++)
            best[k] = NAN;
        hh__many_req r2 = {net, mo->transit, smode, o->minutes * 60, o->snap_max_m, &o->circle_pct, 1, o->threads,
                           &cp, pts, o->stop, NULL};
        hh__many_fns f2 = {NULL, 0, inside_deliver, &ctx, 0};
        rc = hh__many_run(&r2, &f2, NULL, NULL);
        double *sw = hh__calloc(n_d + 1, sizeof *sw), *st = hh__calloc(n_d + 1, sizeof *st);
        if (!rc && (!sw || !st))
            rc = HH_ENOMEM;
        if (!rc && !(m->pt_inside = hh__calloc(pts->n + 1, 1)))
            rc = HH_ENOMEM;
        for (size_t k = 0; !rc && k < pts->n; k++) {
            if (isnan(best[k]))
                continue;
            m->pt_inside[k] = 1;
            m->union_inside += w[k];
            if (d_of && d_of[k] >= 0 && (size_t)d_of[k] < n_d) {
                size_t d = (size_t)d_of[k];
                m->d_inside[d * (n_c + 1) + n_c] += w[k];
                sw[d] += w[k], st[d] += w[k] * best[k];
            }
        }
        for (size_t d = 0; !rc && d < n_d; d++)
            m->d_mean_min[d] = sw[d] > 0 ? st[d] / sw[d] : NAN;
        hh__free(sw), hh__free(st);
    } else {
        for (size_t d = 0; d < n_d; d++)
            m->d_mean_min[d] = NAN;
    }
    hh__free(best);
    return rc;
}

int hh_report_run(const hh_net *net, const hh_report_opts *o, const hh_centres *c, hh_report *out, char *err,
                  size_t errlen)
{
    if (!(o->minutes > 0) || o->minutes > 1440 || o->n_modes == 0 || o->n_modes > 8 || !c || c->n == 0) {
        snprintf(err ? err : (char[1]){0}, err ? errlen : 1, "report: give T > 0 minutes, 1 to 8 modes and centres");
        return HH_EINVAL;
    }
    for (size_t k = 0; k < o->n_modes; k++)
        if (o->modes[k].transit && (o->n_pct == 0 || o->n_pct > 8 || !(o->circle_pct > 0) || o->circle_pct > 100)) {
            if (err)
                snprintf(err, errlen, "report: transit needs 1 to 8 percentiles");
            return HH_EINVAL;
        }
    hh_report r;
    memset(&r, 0, sizeof r);
    r.c = c, r.minutes = o->minutes, r.n_modes = o->n_modes;
    for (size_t p = 0; p < o->n_pct && p < 8; p++)
        r.pct[r.n_pct++] = o->pct[p];
    size_t n_c = c->n;
    hh_points pts = {0, NULL, NULL, NULL};
    double *w = NULL;
    int32_t *d_of = NULL;
    int rc = HH_ENOMEM;
    r.modes = hh__calloc(o->n_modes, sizeof *r.modes);
    r.snapped = hh__calloc(o->n_modes * n_c, 1);
    if (!r.modes || !r.snapped)
        goto done;
    /* the layer's points with a value, and their districts */
    const hh_layers *ls = o->layers;
    if (ls && o->weight_layer >= 0 && (size_t)o->weight_layer < ls->n_layers) {
        snprintf(r.weight_name, sizeof r.weight_name, "%s", ls->name[o->weight_layer]);
        pts.lon = hh__alloc_array(ls->n + 1, sizeof *pts.lon);
        pts.lat = hh__alloc_array(ls->n + 1, sizeof *pts.lat);
        w = hh__alloc_array(ls->n + 1, sizeof *w);
        if (!pts.lon || !pts.lat || !w)
            goto done;
        for (size_t i = 0; i < ls->n; i++) {
            double v = ls->value[i * ls->n_layers + (size_t)o->weight_layer];
            if (!(v > 0))
                continue;
            pts.lon[pts.n] = ls->lon[i], pts.lat[pts.n] = ls->lat[i], w[pts.n] = v;
            r.total += v;
            pts.n++;
        }
    }
    if (o->districts) {
        r.n_d = hh_districts_count(o->districts);
        r.d_name = hh__calloc(r.n_d + 1, sizeof *r.d_name);
        r.d_total = hh__calloc(r.n_d + 1, sizeof *r.d_total);
        d_of = hh__alloc_array(pts.n + 1, sizeof *d_of);
        if (!r.d_name || !r.d_total || !d_of)
            goto done;
        for (size_t d = 0; d < r.n_d; d++)
            r.d_name[d] = (char *)hh_districts_name(o->districts, d);
        if (pts.n && (rc = hh_districts_assign(o->districts, pts.lon, pts.lat, pts.n, d_of)))
            goto done;
        for (size_t k = 0; k < pts.n; k++) {
            if (d_of[k] >= 0 && (size_t)d_of[k] < r.n_d)
                r.d_total[d_of[k]] += w[k];
            else
                r.outside_districts += w[k];
        }
    }
    for (size_t k = 0; k < o->n_modes; k++)
        if ((rc = run_mode(net, o, c, &o->modes[k], &r.modes[k], r.snapped + k * n_c, pts.n ? &pts : NULL, w, d_of,
                           r.n_d)))
            goto done;
    rc = 0;
    r.n_pts = pts.n, r.pt_w = w, r.pt_d = d_of;
    w = NULL, d_of = NULL;
    *out = r;
    memset(&r, 0, sizeof r);
done:
    if (rc && err)
        snprintf(err, errlen, "report: %s", hh_strerror(rc));
    hh_report_free(&r);
    hh__free(pts.lon), hh__free(pts.lat), hh__free(w), hh__free(d_of);
    return rc;
}
