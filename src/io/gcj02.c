/* gcj02.c: GCJ-02 <-> WGS-84, the datum of Chinese map sources.
 *
 * Maps published in mainland China (Amap/Gaode, Tencent, the boundary files
 * made from them, most station lists) are in GCJ-02: WGS-84 moved by a
 * deliberately non-linear offset of a few hundred metres (about 550 m east,
 * 350 m south around Changsha).  OpenStreetMap and everything halfhour
 * computes are WGS-84, so such sources are converted once, on the way in.
 *
 * Why by hand: no Debian package does it.  PROJ has no GCJ-02 definition
 * (it is not a geodetic datum that a Helmert or grid shift describes) and
 * GDAL inherits that; the libraries that do it (eviltransform,
 * coordtransform, ...) are not packaged.  The forward transform is the one
 * published polynomial everybody uses: offsets in metres from two
 * trigonometric series in (lon - 105, lat - 35), turned into degrees on
 * the Krasovsky 1940 ellipsoid (a = 6378245 m, e^2 = 0.00669342162296594323).
 *
 * The inverse has no closed form.  It is found by fixed-point iteration
 * w <- w - (F(w) - g), started at g: F is WGS -> GCJ, whose offset changes
 * by less than 1e-4 of a degree per degree, so each step gains about four
 * decimal places; we stop when F(w) is within 1e-9 degrees of g (well below
 * the 1e-7 degrees, 1 cm, the network stores), at most 20 steps.
 *
 * "Outside China" the offset is 0.  The box is the one eviltransform and
 * coordtransform use: lon 72.004 .. 137.8347, lat 0.8293 .. 55.8271 (it
 * holds all of mainland China, also Taiwan and parts of its neighbours,
 * as those libraries do).  Sources differ only at the box's edges, far
 * from any region halfhour serves in China. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "halfhour.h"

#define KRASOVSKY_A 6378245.0
#define KRASOVSKY_EE 0.00669342162296594323

int hh_gcj02_in_china(double lon, double lat)
{
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

/* The published series, in metres-like units before the ellipsoid scaling. */
static double series_lat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double series_lon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    return r;
}

/* The GCJ-02 offset (degrees) at a WGS-84 point inside the box. */
static void offset(double lon, double lat, double *dlon, double *dlat)
{
    double x = lon - 105.0, y = lat - 35.0;
    double rad = lat / 180.0 * M_PI;
    double s = sin(rad);
    double magic = 1.0 - KRASOVSKY_EE * s * s;
    double sq = sqrt(magic);
    *dlat = series_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sq) * M_PI);
    *dlon = series_lon(x, y) * 180.0 / (KRASOVSKY_A / sq * cos(rad) * M_PI);
}

static int bad_coord(double lon, double lat)
{
    return !isfinite(lon) || !isfinite(lat) || fabs(lon) > 180.0 || fabs(lat) > 90.0;
}

int hh_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat)
{
    if (bad_coord(lon, lat))
        return HH_ERANGE;
    double dlon = 0, dlat = 0;
    if (hh_gcj02_in_china(lon, lat))
        offset(lon, lat, &dlon, &dlat);
    *glon = lon + dlon, *glat = lat + dlat;
    return 0;
}

int hh_gcj02_to_wgs84(double lon, double lat, double *wlon, double *wlat)
{
    if (bad_coord(lon, lat))
        return HH_ERANGE;
    if (!hh_gcj02_in_china(lon, lat)) {
        *wlon = lon, *wlat = lat;
        return 0;
    }
    double x = lon, y = lat;
    for (int i = 0; i < 20; i++) {
        double gx, gy;
        hh_wgs84_to_gcj02(x, y, &gx, &gy);
        double ex = gx - lon, ey = gy - lat;
        /* within the offset (< 0.01 degrees) of the box's edge, where the
         * transform itself jumps, this may not settle: the 20th step's
         * estimate is then as good as any */
        if (fabs(ex) < 1e-9 && fabs(ey) < 1e-9)
            break;
        x -= ex, y -= ey;
    }
    *wlon = x, *wlat = y;
    return 0;
}

int hh_datum_parse(const char *s, hh_datum *out)
{
    if (!s)
        return HH_EINVAL;
    if (!strcasecmp(s, "wgs84") || !strcasecmp(s, "wgs-84") || !strcasecmp(s, "epsg:4326")) {
        *out = HH_DATUM_WGS84;
        return 0;
    }
    if (!strcasecmp(s, "gcj02") || !strcasecmp(s, "gcj-02")) {
        *out = HH_DATUM_GCJ02;
        return 0;
    }
    return HH_EINVAL;
}

int hh_datum_convert(hh_datum from, hh_datum to, double lon, double lat, double *olon, double *olat)
{
    if (from == to) {
        if (bad_coord(lon, lat))
            return HH_ERANGE;
        *olon = lon, *olat = lat;
        return 0;
    }
    return from == HH_DATUM_GCJ02 ? hh_gcj02_to_wgs84(lon, lat, olon, olat)
                                  : hh_wgs84_to_gcj02(lon, lat, olon, olat);
}
