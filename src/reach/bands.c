/* bands.c: specks, denoise and simplification of isochrone bands (bands.h).
 *
 * Dropping works on the contour output directly (ring areas by shoelace).
 * Simplification is GEOS's: GEOS 3.11 has no coverage simplifier (3.12), and
 * a topology-preserving simplification of each band alone would let a
 * smaller band's simplified boundary cross a larger one's where the two
 * share their course (along the buffer's edge, deep inside the time
 * budget).  So the largest band is simplified first, and each smaller band
 * is simplified, then intersected with the larger band's result: nested by
 * construction, valid because overlay output is.  Every GEOS result is
 * snapped to the output lattice (1e-7 degree: what the GeoJSON writer
 * prints) with GEOS's precision reducer, which keeps it valid, so rounding
 * on output cannot make two rings touch. */
#include "reach/bands.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "util/alloc.h"

static double ring_area(const hh__mpoly *m, size_t r)
{
    const double *p = m->xy + 2 * m->ring_first[r];
    size_t n = m->ring_first[r + 1] - m->ring_first[r];
    double a2 = 0;
    for (size_t k = 1; k + 1 < n; k++)
        a2 += (p[2 * k] - p[0]) * (p[2 * k + 3] - p[1]) - (p[2 * k + 2] - p[0]) * (p[2 * k + 1] - p[1]);
    return a2 / 2;
}

/* Rebuilds m from the rings with keep[r] set (a polygon whose outer ring is
 * dropped loses its holes too). */
static int compact(hh__mpoly *m, const uint8_t *keep)
{
    size_t np = 0, nr = 0, npts = 0;
    for (size_t p = 0; p < m->n_polys; p++) {
        size_t r0 = m->poly_first_ring[p];
        if (!keep[r0])
            continue;
        np++;
        for (size_t r = r0; r < m->poly_first_ring[p + 1]; r++)
            if (keep[r])
                nr++, npts += m->ring_first[r + 1] - m->ring_first[r];
    }
    hh__mpoly out = {0};
    if (np) {
        out.poly_first_ring = hh__alloc_array(np + 1, sizeof(size_t));
        out.ring_first = hh__alloc_array(nr + 1, sizeof(size_t));
        out.xy = hh__alloc_array(npts, 2 * sizeof(double));
        if (!out.poly_first_ring || !out.ring_first || !out.xy) {
            hh__mpoly_free(&out);
            return HH_ENOMEM;
        }
    }
    size_t ip = 0, ir = 0, ipt = 0;
    double area = 0;
    for (size_t p = 0; p < m->n_polys; p++) {
        size_t r0 = m->poly_first_ring[p];
        if (!keep[r0])
            continue;
        out.poly_first_ring[ip++] = ir;
        for (size_t r = r0; r < m->poly_first_ring[p + 1]; r++) {
            if (!keep[r])
                continue;
            size_t a = m->ring_first[r], n = m->ring_first[r + 1] - a;
            out.ring_first[ir++] = ipt;
            memcpy(out.xy + 2 * ipt, m->xy + 2 * a, n * 2 * sizeof(double));
            ipt += n;
            area += ring_area(m, r);
        }
    }
    if (np) {
        out.poly_first_ring[np] = nr;
        out.ring_first[nr] = npts;
    }
    out.n_polys = np, out.n_rings = nr, out.area_m2 = area;
    hh__mpoly_free(m);
    *m = out;
    return 0;
}

static int ring_has(const hh__mpoly *m, size_t r, double px, double py)
{
    int in = 0;
    for (size_t k = m->ring_first[r]; k + 1 < m->ring_first[r + 1]; k++) {
        double xa = m->xy[2 * k], ya = m->xy[2 * k + 1], xb = m->xy[2 * k + 2], yb = m->xy[2 * k + 3];
        if ((ya > py) != (yb > py) && px < xa + (py - ya) * (xb - xa) / (yb - ya))
            in = !in;
    }
    return in;
}

/* Holes below hole_m2 are filled; parts whose area (holes kept deducted)
 * is below part_m2 or below rel x the largest part's are dropped, but for
 * one whose outer ring holds (ox, oy). */
static int drop_small(hh__mpoly *m, double hole_m2, double part_m2, double rel, double ox, double oy)
{
    if (m->n_rings == 0)
        return 0;
    uint8_t *keep = hh__alloc_array(m->n_rings, 1);
    double *net = hh__alloc_array(m->n_polys, sizeof *net);
    if (!keep || !net) {
        hh__free(keep), hh__free(net);
        return HH_ENOMEM;
    }
    double largest = 0;
    for (size_t p = 0; p < m->n_polys; p++) {
        size_t r0 = m->poly_first_ring[p];
        net[p] = ring_area(m, r0);
        keep[r0] = 1;
        for (size_t r = r0 + 1; r < m->poly_first_ring[p + 1]; r++) {
            double a = -ring_area(m, r);
            keep[r] = !(a < hole_m2);
            if (keep[r])
                net[p] -= a;
        }
        largest = net[p] > largest ? net[p] : largest;
    }
    int changed = 0;
    for (size_t p = 0; p < m->n_polys; p++) {
        size_t r0 = m->poly_first_ring[p];
        if ((net[p] < part_m2 || net[p] < rel * largest) && !ring_has(m, r0, ox, oy))
            keep[r0] = 0;
    }
    for (size_t r = 0; r < m->n_rings; r++)
        changed |= !keep[r];
    int rc = changed ? compact(m, keep) : 0;
    hh__free(keep), hh__free(net);
    return rc;
}

/* ---- GEOS, on the output lattice ---------------------------------------- */

typedef struct lattice {
    GEOSContextHandle_t h;
    double lon0, lat0, mx, my; /* the network's local plane */
    double L0, A0;             /* lattice origin: round(lon0 * 1e7), round(lat0 * 1e7) */
    double *buf;               /* coordinate scratch */
    size_t buf_cap;
    uint8_t *keep;             /* Douglas-Peucker scratch */
    size_t keep_cap;
    size_t *stack;
    size_t stack_cap;
} lattice;

/* plane metres <-> lattice units (1e-7 degree, relative to L0, A0) */
static inline double to_X(const lattice *L, double x) { return L->lon0 * 1e7 - L->L0 + x * (1e7 / L->mx); }
static inline double to_Y(const lattice *L, double y) { return L->lat0 * 1e7 - L->A0 + y * (1e7 / L->my); }
static inline double from_X(const lattice *L, double X) { return ((X + L->L0) / 1e7 - L->lon0) * L->mx; }
static inline double from_Y(const lattice *L, double Y) { return ((Y + L->A0) / 1e7 - L->lat0) * L->my; }

static GEOSGeometry *ring_geom(lattice *L, const hh__mpoly *m, size_t r)
{
    size_t a = m->ring_first[r], n = m->ring_first[r + 1] - a;
    if (hh__grow(&L->buf, &L->buf_cap, 2 * n, sizeof *L->buf))
        return NULL;
    for (size_t k = 0; k < n; k++) {
        L->buf[2 * k] = to_X(L, m->xy[2 * (a + k)]);
        L->buf[2 * k + 1] = to_Y(L, m->xy[2 * (a + k) + 1]);
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(L->h, L->buf, (unsigned)n, 0, 0);
    return cs ? GEOSGeom_createLinearRing_r(L->h, cs) : NULL;
}

static GEOSGeometry *to_geos(lattice *L, const hh__mpoly *m)
{
    GEOSGeometry **polys = hh__alloc_array(m->n_polys ? m->n_polys : 1, sizeof *polys);
    if (!polys)
        return NULL;
    size_t made = 0;
    int ok = 1;
    for (size_t p = 0; p < m->n_polys && ok; p++) {
        size_t r0 = m->poly_first_ring[p], nh = m->poly_first_ring[p + 1] - r0 - 1;
        GEOSGeometry *shell = ring_geom(L, m, r0);
        GEOSGeometry **holes = nh ? hh__alloc_array(nh, sizeof *holes) : NULL;
        size_t got = 0;
        ok = shell && (!nh || holes);
        for (; ok && got < nh; got++)
            ok = (holes[got] = ring_geom(L, m, r0 + 1 + got)) != NULL;
        GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(L->h, shell, holes, (unsigned)nh) : NULL;
        if (!poly) {
            ok = 0;
            if (shell)
                GEOSGeom_destroy_r(L->h, shell);
            for (size_t k = 0; k < got; k++)
                if (holes[k])
                    GEOSGeom_destroy_r(L->h, holes[k]);
        } else
            polys[made++] = poly;
        hh__free(holes);
    }
    GEOSGeometry *mp = ok ? GEOSGeom_createCollection_r(L->h, GEOS_MULTIPOLYGON, polys, (unsigned)made) : NULL;
    if (!mp)
        for (size_t k = 0; k < made; k++)
            GEOSGeom_destroy_r(L->h, polys[k]);
    hh__free(polys);
    return mp;
}

/* The polygons of g (any nesting of collections), appended to list. */
static int collect(lattice *L, const GEOSGeometry *g, const GEOSGeometry ***list, size_t *n, size_t *cap)
{
    int t = GEOSGeomTypeId_r(L->h, g);
    if (t == GEOS_POLYGON) {
        if (GEOSisEmpty_r(L->h, g) == 1)
            return 0;
        if (*n == *cap && hh__grow(list, cap, *n + 1, sizeof **list))
            return HH_ENOMEM;
        (*list)[(*n)++] = g;
    } else if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(L->h, g);
        for (int i = 0; i < k; i++) {
            int rc = collect(L, GEOSGetGeometryN_r(L->h, g, i), list, n, cap);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Appends ring rg (a GEOS linear ring) to out's arrays, oriented outer
 * counter-clockwise or hole clockwise. */
static int put_ring(lattice *L, const GEOSGeometry *rg, int outer, hh__mpoly *out, size_t *cap_r,
                    size_t *cap_xy, size_t *n_pts)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(L->h, rg);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(L->h, cs, &n))
        return HH_EFORMAT;
    if (n < 4)
        return 0;
    if (hh__grow(&L->buf, &L->buf_cap, 2 * (size_t)n, sizeof *L->buf) ||
        hh__grow(&out->xy, cap_xy, 2 * (*n_pts + n), sizeof *out->xy) ||
        hh__grow(&out->ring_first, cap_r, out->n_rings + 2, sizeof *out->ring_first))
        return HH_ENOMEM;
    if (!GEOSCoordSeq_copyToBuffer_r(L->h, cs, L->buf, 0, 0))
        return HH_EFORMAT;
    double a2 = 0;
    for (unsigned k = 1; k + 1 < n; k++)
        a2 += (L->buf[2 * k] - L->buf[0]) * (L->buf[2 * k + 3] - L->buf[1]) -
              (L->buf[2 * k + 2] - L->buf[0]) * (L->buf[2 * k + 1] - L->buf[1]);
    int flip = outer ? a2 < 0 : a2 > 0;
    double *xy = out->xy + 2 * *n_pts;
    for (unsigned k = 0; k < n; k++) {
        unsigned s = flip ? n - 1 - k : k;
        xy[2 * k] = from_X(L, L->buf[2 * s]);
        xy[2 * k + 1] = from_Y(L, L->buf[2 * s + 1]);
    }
    out->ring_first[out->n_rings++] = *n_pts;
    *n_pts += n;
    out->ring_first[out->n_rings] = *n_pts;
    return 0;
}

/* GEOS result -> a fresh hh__mpoly. */
static int from_geos(lattice *L, const GEOSGeometry *g, hh__mpoly *out)
{
    const GEOSGeometry **list = NULL;
    size_t n = 0, cap = 0, cap_r = 0, cap_xy = 0, n_pts = 0;
    hh__mpoly m = {0};
    int rc = collect(L, g, &list, &n, &cap);
    if (!rc && n && !(m.poly_first_ring = hh__alloc_array(n + 1, sizeof(size_t))))
        rc = HH_ENOMEM;
    for (size_t p = 0; p < n && !rc; p++) {
        size_t r_before = m.n_rings;
        rc = put_ring(L, GEOSGetExteriorRing_r(L->h, list[p]), 1, &m, &cap_r, &cap_xy, &n_pts);
        if (rc || m.n_rings == r_before)
            continue; /* a degenerate shell: the polygon has no area */
        m.poly_first_ring[m.n_polys++] = r_before;
        int nh = GEOSGetNumInteriorRings_r(L->h, list[p]);
        for (int h = 0; h < nh && !rc; h++)
            rc = put_ring(L, GEOSGetInteriorRingN_r(L->h, list[p], h), 0, &m, &cap_r, &cap_xy, &n_pts);
    }
    hh__free(list);
    if (rc) {
        hh__mpoly_free(&m);
        return rc;
    }
    if (m.n_polys == 0)
        hh__mpoly_free(&m);
    else {
        m.poly_first_ring[m.n_polys] = m.n_rings;
        for (size_t r = 0; r < m.n_rings; r++)
            m.area_m2 += ring_area(&m, r);
    }
    *out = m;
    return 0;
}

/* Douglas-Peucker of ring r of m into out (appended), its points rounded to
 * the lattice; returns 0 with *kept 0 when fewer than three corners
 * survive (the ring is dropped). */
static int dp_ring(lattice *L, const hh__mpoly *m, size_t r, double tol, hh__mpoly *out, size_t *cap_xy,
                   size_t *n_pts, size_t *kept)
{
    const double *p = m->xy + 2 * m->ring_first[r];
    const size_t n = m->ring_first[r + 1] - m->ring_first[r];
    *kept = 0;
    if (hh__grow(&L->keep, &L->keep_cap, n, 1) || hh__grow(&L->stack, &L->stack_cap, 2 * n, sizeof *L->stack) ||
        hh__grow(&out->xy, cap_xy, 2 * (*n_pts + n), sizeof *out->xy))
        return HH_ENOMEM;
    uint8_t *keep = L->keep;
    memset(keep, 0, n);
    /* anchors: the first point and the one farthest from it */
    size_t far = 0;
    double best = -1;
    for (size_t k = 1; k + 1 < n; k++) {
        double d = (p[2 * k] - p[0]) * (p[2 * k] - p[0]) + (p[2 * k + 1] - p[1]) * (p[2 * k + 1] - p[1]);
        if (d > best)
            best = d, far = k;
    }
    keep[0] = keep[n - 1] = keep[far] = 1;
    size_t top = 0;
    L->stack[top++] = 0, L->stack[top++] = far;
    L->stack[top++] = far, L->stack[top++] = n - 1;
    const double tol2 = tol * tol;
    while (top) {
        size_t b = L->stack[--top], a = L->stack[--top];
        if (b <= a + 1)
            continue;
        double ax = p[2 * a], ay = p[2 * a + 1], dx = p[2 * b] - ax, dy = p[2 * b + 1] - ay;
        double l2 = dx * dx + dy * dy, worst = -1;
        size_t wk = a;
        for (size_t k = a + 1; k < b; k++) {
            double qx = p[2 * k] - ax, qy = p[2 * k + 1] - ay, d2;
            if (l2 > 0) {
                double cr = qx * dy - qy * dx;
                d2 = cr * cr / l2;
            } else
                d2 = qx * qx + qy * qy;
            if (d2 > worst)
                worst = d2, wk = k;
        }
        if (worst > tol2) {
            keep[wk] = 1;
            L->stack[top++] = a, L->stack[top++] = wk;
            L->stack[top++] = wk, L->stack[top++] = b;
        }
    }
    double *q = out->xy + 2 * *n_pts;
    size_t w = 0;
    for (size_t k = 0; k < n; k++) {
        if (!keep[k])
            continue;
        double X = round(to_X(L, p[2 * k])), Y = round(to_Y(L, p[2 * k + 1]));
        double x = from_X(L, X), y = from_Y(L, Y);
        if (w && q[2 * w - 2] == x && q[2 * w - 1] == y)
            continue;
        q[2 * w] = x, q[2 * w + 1] = y;
        w++;
    }
    if (w < 4)
        return 0;
    *kept = w;
    *n_pts += w;
    return 0;
}

/* m simplified ring by ring into *out (rings that collapse are dropped,
 * a polygon with its outer ring). */
static int dp_band(lattice *L, const hh__mpoly *m, double tol, hh__mpoly *out)
{
    hh__mpoly s = {0};
    size_t cap_xy = 0, n_pts = 0;
    int rc = 0;
    if (m->n_polys && (!(s.poly_first_ring = hh__alloc_array(m->n_polys + 1, sizeof(size_t))) ||
                       !(s.ring_first = hh__alloc_array(m->n_rings + 1, sizeof(size_t)))))
        rc = HH_ENOMEM;
    for (size_t p = 0; p < m->n_polys && !rc; p++) {
        size_t r0 = m->poly_first_ring[p], first = s.n_rings, kept;
        for (size_t r = r0; r < m->poly_first_ring[p + 1] && !rc; r++) {
            size_t at = n_pts;
            if ((rc = dp_ring(L, m, r, tol, &s, &cap_xy, &n_pts, &kept)))
                break;
            if (!kept && r == r0)
                break; /* the outer ring collapsed: the polygon goes */
            if (kept)
                s.ring_first[s.n_rings++] = at;
        }
        if (!rc && s.n_rings > first)
            s.poly_first_ring[s.n_polys++] = first;
    }
    if (rc) {
        hh__mpoly_free(&s);
        return rc;
    }
    if (s.n_polys) {
        s.poly_first_ring[s.n_polys] = s.n_rings;
        s.ring_first[s.n_rings] = n_pts;
        for (size_t r = 0; r < s.n_rings; r++)
            s.area_m2 += ring_area(&s, r);
    } else
        hh__mpoly_free(&s);
    *out = s;
    return 0;
}

/* m's coordinates are all on the lattice (1: yes). */
static int on_lattice(const lattice *L, const hh__mpoly *m)
{
    size_t np = m->n_rings ? m->ring_first[m->n_rings] : 0;
    for (size_t k = 0; k < np; k++) {
        double X = to_X(L, m->xy[2 * k]), Y = to_Y(L, m->xy[2 * k + 1]);
        if (fabs(X - round(X)) > 1e-3 || fabs(Y - round(Y)) > 1e-3)
            return 0;
    }
    return 1;
}

static void geos_quiet(const char *msg, void *ud)
{
    (void)msg, (void)ud;
}

int hh__bands_finish(const hh_net *net, hh__mpoly *mp, size_t n, const hh_iso_opts *o, double cell_m,
                     double origin_x, double origin_y)
{
    const int fill = o->holes == HH_ISO_HOLES_FILL;
    const double tol = o->generalize_m == HH_ISO_GENERALIZE_AUTO ? cell_m / 2 : o->generalize_m;
    const double speck = tol > 0 ? HH_ISO_SPECK_CELLS * cell_m * cell_m : 0;
    int rc = 0;
    if (speck > 0 || o->denoise > 0)
        for (size_t i = 0; i < n && !rc; i++)
            rc = drop_small(&mp[i], fill ? speck : 0, speck, o->denoise, origin_x, origin_y);
    /* denoise is relative to each band's largest part: a part kept in a
     * smaller band may lie in one dropped from a larger band, so several
     * bands go through the clip as well */
    if (rc || !(tol > 0 || (o->denoise > 0 && n > 1)))
        return rc;
    const hh__grid_hdr *gh = net->grid;
    lattice L = {GEOS_init_r(), gh->lon0, gh->lat0, gh->mx, gh->my, round(gh->lon0 * 1e7),
                 round(gh->lat0 * 1e7), NULL, 0, NULL, 0, NULL, 0};
    if (!L.h)
        return HH_ENOMEM;
    GEOSContext_setErrorMessageHandler_r(L.h, geos_quiet, NULL);
    GEOSContext_setNoticeMessageHandler_r(L.h, geos_quiet, NULL);
    /* GEOS's tolerance in lattice units: a degree of longitude is the
     * shorter, so no point moves farther than generalize_m */
    const double tol_l = tol * 1e7 / (L.mx > L.my ? L.mx : L.my);
    GEOSGeometry *larger = NULL;
    for (size_t k = n; k-- > 0 && !rc;) {
        GEOSGeometry *g = NULL, *t;
        hh__mpoly m = {0};
        /* Douglas-Peucker ring by ring on the lattice, kept when GEOS finds
         * the result valid (nearly always: the contours' rings are far
         * apart compared with their wiggles); else GEOS's own
         * topology-preserving simplifier, snapped to the lattice */
        if (tol > 0) {
            if ((rc = dp_band(&L, &mp[k], tol, &m)))
                break;
            if (!(g = to_geos(&L, &m))) {
                hh__mpoly_free(&m);
                rc = HH_ENOMEM;
                break;
            }
            if (GEOSisValid_r(L.h, g) != 1) {
                GEOSGeom_destroy_r(L.h, g);
                hh__mpoly_free(&m);
                g = NULL;
            }
        }
        if (!g) {
            if (!(g = to_geos(&L, &mp[k]))) {
                rc = HH_ENOMEM;
                break;
            }
            if (tol > 0 && (t = GEOSTopologyPreserveSimplify_r(L.h, g, tol_l))) {
                GEOSGeom_destroy_r(L.h, g);
                g = t;
            }
        }
        int own = m.n_rings > 0 || (tol > 0 && m.n_polys == 0 && g && GEOSisEmpty_r(L.h, g) == 1);
        if (larger) {
            /* nested by construction; the overlay's new points are rounded
             * and checked like the rest */
            if (!(t = GEOSIntersection_r(L.h, g, larger)))
                rc = HH_EFORMAT;
            else {
                GEOSGeom_destroy_r(L.h, g);
                g = t;
                own = 0;
            }
        }
        if (!rc && !own) {
            hh__mpoly_free(&m);
            rc = from_geos(&L, g, &m);
            if (!rc && !on_lattice(&L, &m)) {
                /* snap to the lattice the way GEOS keeps valid */
                hh__mpoly_free(&m);
                if (!(t = GEOSGeom_setPrecision_r(L.h, g, 1.0, 0)))
                    rc = HH_EFORMAT;
                else {
                    GEOSGeom_destroy_r(L.h, g);
                    g = t;
                    if (GEOSisValid_r(L.h, g) != 1 && (t = GEOSMakeValid_r(L.h, g))) {
                        GEOSGeom_destroy_r(L.h, g);
                        g = t;
                    }
                    rc = from_geos(&L, g, &m);
                }
            }
        }
        if (!rc) {
            hh__mpoly_free(&mp[k]);
            mp[k] = m;
            /* slivers an intersection may leave along a shared course */
            if (speck > 0)
                rc = drop_small(&mp[k], 0, speck, 0, origin_x, origin_y);
        } else
            hh__mpoly_free(&m);
        if (larger)
            GEOSGeom_destroy_r(L.h, larger);
        larger = g;
    }
    if (larger)
        GEOSGeom_destroy_r(L.h, larger);
    hh__free(L.buf), hh__free(L.keep), hh__free(L.stack);
    GEOS_finish_r(L.h);
    return rc;
}
