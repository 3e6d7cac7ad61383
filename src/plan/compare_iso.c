/* compare_iso.c: isochrone polygons gained and lost between a base network
 * and a scenario (hh_isochrone_compare in halfhour.h), by GEOS's overlay.
 * The overlay runs on the grid the GeoJSON writer prints, 1e-7 degrees
 * (units of 1e-7 degrees, snapped by GEOS's fixed-precision overlay): a
 * difference leaves slivers a few centimetres wide where two boundaries
 * nearly agree, which would turn invalid once rounded to the printed
 * digits; on that grid they are valid as written, or vanish.  (An overlay
 * does not mind the unequal metres of a degree east and north; areas are
 * scaled to the local plane afterwards.) */
#include <geos_c.h>
#include <math.h>
#include <string.h>

#include "halfhour.h"
#include "plan/plan.h"
#include "util/alloc.h"

#define KY 111319.49079327357 /* metres per degree of latitude, as the report's union */
#define UNIT 1e7             /* overlay units per degree: the printed precision */

typedef struct rbuf {
    size_t n_polys, n_rings, n_pts, cap_p, cap_r, cap_x;
    size_t *poly_first_ring, *ring_first;
    double *lonlat;
} rbuf;

/* Appends a GEOS ring as lon/lat, turned counter-clockwise (outer) or
 * clockwise (hole), as the isochrone bands have them. */
static int put_ring(GEOSContextHandle_t g, const GEOSGeometry *ring, int hole, rbuf *b)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(g, cs, &n) || n < 4)
        return 0;
    double area2 = 0, px = 0, py = 0;
    for (unsigned k = 0; k < n; k++) {
        double x, y;
        GEOSCoordSeq_getX_r(g, cs, k, &x), GEOSCoordSeq_getY_r(g, cs, k, &y);
        if (k)
            area2 += px * y - x * py;
        px = x, py = y;
    }
    int ccw = area2 > 0, flip = hole ? ccw : !ccw;
    if (hh__grow(&b->ring_first, &b->cap_r, b->n_rings + 2, sizeof *b->ring_first) ||
        hh__grow(&b->lonlat, &b->cap_x, 2 * (b->n_pts + n), sizeof *b->lonlat))
        return HH_ENOMEM;
    b->ring_first[b->n_rings++] = b->n_pts;
    for (unsigned k = 0; k < n; k++) {
        unsigned at = flip ? n - 1 - k : k;
        double x, y;
        GEOSCoordSeq_getX_r(g, cs, at, &x), GEOSCoordSeq_getY_r(g, cs, at, &y);
        b->lonlat[2 * b->n_pts] = x / UNIT, b->lonlat[2 * b->n_pts + 1] = y / UNIT;
        b->n_pts++;
    }
    return 0;
}

static int put_geom(GEOSContextHandle_t g, const GEOSGeometry *x, rbuf *b)
{
    int t = GEOSGeomTypeId_r(g, x);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(g, x);
        for (int i = 0; i < n; i++) {
            int rc = put_geom(g, GEOSGetGeometryN_r(g, x, i), b);
            if (rc)
                return rc;
        }
        return 0;
    }
    double a = 0;
    if (t != GEOS_POLYGON || GEOSisEmpty_r(g, x) || !GEOSArea_r(g, x, &a) || !(a > 0))
        return 0;
    if (hh__grow(&b->poly_first_ring, &b->cap_p, b->n_polys + 2, sizeof *b->poly_first_ring))
        return HH_ENOMEM;
    size_t r0 = b->n_rings;
    int rc = put_ring(g, GEOSGetExteriorRing_r(g, x), 0, b);
    if (rc || b->n_rings == r0)
        return rc;
    b->poly_first_ring[b->n_polys++] = r0;
    int nh = GEOSGetNumInteriorRings_r(g, x);
    for (int h = 0; h < nh && !rc; h++)
        rc = put_ring(g, GEOSGetInteriorRingN_r(g, x, h), 1, b);
    return rc;
}

/* The latitude of a geometry's centre (for its area in metres). */
static double lat_of(const GEOSGeometry *d, GEOSContextHandle_t g)
{
    double y0 = 0, y1 = 0;
    if (GEOSGeom_getYMin_r(g, d, &y0) && GEOSGeom_getYMax_r(g, d, &y1))
        return (y0 + y1) / 2 / UNIT;
    return 0;
}

/* a minus b (either may be NULL: empty) as a band of `minutes` */
static int difference(GEOSContextHandle_t g, GEOSGeometry *a, GEOSGeometry *b, double minutes, hh_isoband *out)
{
    memset(out, 0, sizeof *out);
    out->minutes = minutes;
    rbuf r;
    memset(&r, 0, sizeof r);
    int rc = 0;
    GEOSGeometry *d = a && b ? GEOSDifferencePrec_r(g, a, b, 1.0) : a ? GEOSGeom_setPrecision_r(g, a, 1.0, 0) : NULL;
    if (a && !d)
        rc = HH_ENOMEM;
    double m2 = 0;
    if (d) {
        rc = put_geom(g, d, &r);
        if (!rc && GEOSArea_r(g, d, &m2))
            m2 *= (KY / UNIT) * (KY * cos(lat_of(d, g) * M_PI / 180) / UNIT);
        else
            m2 = 0;
        GEOSGeom_destroy_r(g, d);
    }
    if (!rc && (hh__grow(&r.poly_first_ring, &r.cap_p, r.n_polys + 1, sizeof *r.poly_first_ring) ||
                hh__grow(&r.ring_first, &r.cap_r, r.n_rings + 1, sizeof *r.ring_first) ||
                hh__grow(&r.lonlat, &r.cap_x, 2, sizeof *r.lonlat)))
        rc = HH_ENOMEM;
    if (rc) {
        hh__free(r.poly_first_ring), hh__free(r.ring_first), hh__free(r.lonlat);
        return rc;
    }
    r.poly_first_ring[r.n_polys] = r.n_rings;
    r.ring_first[r.n_rings] = r.n_pts;
    out->n_polys = r.n_polys;
    out->poly_first_ring = r.poly_first_ring, out->ring_first = r.ring_first, out->lonlat = r.lonlat;
    out->area_km2 = m2 / 1e6;
    return 0;
}

int hh_isochrone_compare(const hh_isochrone *base, const hh_isochrone *scen, hh_isochrone *gained,
                         hh_isochrone *lost)
{
    if (base->n_bands != scen->n_bands)
        return HH_EINVAL;
    for (size_t i = 0; i < base->n_bands; i++)
        if (base->bands[i].minutes != scen->bands[i].minutes)
            return HH_EINVAL;
    size_t nb = scen->n_bands;
    hh_isoband *gb = hh__calloc(nb + 1, sizeof(hh_isoband)), *lb = hh__calloc(nb + 1, sizeof(hh_isoband));
    /* a band count only with its array: hh_isochrone_free walks them */
    hh_isochrone g_out = {gb ? nb : 0, gb}, l_out = {lb ? nb : 0, lb};
    GEOSContextHandle_t g = GEOS_init_r();
    int rc = g && g_out.bands && l_out.bands ? 0 : HH_ENOMEM;
    for (size_t i = 0; !rc && i < nb; i++) {
        GEOSGeometry *a = hh__band_geom(g, &base->bands[i], UNIT, UNIT);
        GEOSGeometry *s = hh__band_geom(g, &scen->bands[i], UNIT, UNIT);
        if ((base->bands[i].n_polys && !a) || (scen->bands[i].n_polys && !s))
            rc = HH_ENOMEM;
        if (!rc)
            rc = difference(g, s, a, scen->bands[i].minutes, &g_out.bands[i]);
        if (!rc)
            rc = difference(g, a, s, scen->bands[i].minutes, &l_out.bands[i]);
        if (a)
            GEOSGeom_destroy_r(g, a);
        if (s)
            GEOSGeom_destroy_r(g, s);
    }
    if (g)
        GEOS_finish_r(g);
    if (rc) {
        hh_isochrone_free(&g_out), hh_isochrone_free(&l_out);
        return rc;
    }
    *gained = g_out, *lost = l_out;
    return 0;
}
