/* snap.c: join a point to the nearest usable edge of a mode.
 * Distances are measured in the network's local plane (equirectangular at
 * the region's centre latitude: < 0.5 % error across a metropolitan region),
 * positions along the edge in the same haversine metres as edge lengths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/alloc.h"

typedef struct best {
    double d2;
    uint32_t edge, seg;
    double t;
} best;

static void scan_edge(const hh_net *net, uint32_t e, double px, double py, best *b)
{
    const hh__grid_hdr *g = net->grid;
    const hh__edge *ed = &net->edges[e];
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    hh__ll prev = net->node_ll[ed->from];
    double ax = hh__x_of(g, prev.lon_e7), ay = hh__y_of(g, prev.lat_e7);
    for (uint32_t s = s0; s <= s1; s++) {
        hh__ll cur = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
        double bx = hh__x_of(g, cur.lon_e7), by = hh__y_of(g, cur.lat_e7);
        double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
        double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double qx = ax + t * dx - px, qy = ay + t * dy - py;
        double d2 = qx * qx + qy * qy;
        /* ties go to the lower edge id so results never depend on scan order */
        if (d2 < b->d2 || (d2 == b->d2 && e < b->edge)) {
            b->d2 = d2, b->edge = e, b->seg = s - s0, b->t = t;
        }
        ax = bx, ay = by;
    }
}

int hh_snap_point(const hh_net *net, hh_mode mode, double lon, double lat, double max_m, hh_snap *out)
{
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return HH_ERANGE;
    if ((unsigned)mode >= HH_N_MODES || !(max_m >= 0))
        return HH_EINVAL;
    const hh__grid_hdr *g = net->grid;
    /* far outside the plane the projection is meaningless: check degrees first */
    double pad_deg = max_m / g->my + 0.05;
    if (lat < g->min_lat - pad_deg || lat > g->max_lat + pad_deg ||
        lon < g->min_lon - pad_deg * g->my / g->mx || lon > g->max_lon + pad_deg * g->my / g->mx)
        return HH_ENOSNAP;
    double px = (lon - g->lon0) * g->mx, py = (lat - g->lat0) * g->my;
    double fx = (px - g->x0) / g->cell_m, fy = (py - g->y0) / g->cell_m;
    /* a point more rings away from the grid than max_m reaches finds
     * nothing, and rings past the grid's far side find nothing more: both
     * bounded here, so the cell arithmetic below stays in range */
    double mr = ceil(max_m / g->cell_m) + 1, nx = (double)g->nx, ny = (double)g->ny;
    double near = fmax(fmax(-fx, fx - nx), fmax(-fy, fy - ny));
    if (!(near <= mr))
        return HH_ENOSNAP; /* NaN too */
    double far = fmax(fmax(fabs(fx), fabs(fx - nx)), fmax(fabs(fy), fabs(fy - ny))) + 1;
    if (mr > far)
        mr = far;
    long cx = (long)floor(fx), cy = (long)floor(fy);
    best b = {INFINITY, UINT32_MAX, 0, 0};
    uint8_t bit = (uint8_t)(1u << mode);
    long max_r = (long)mr;
    for (long r = 0; r <= max_r; r++) {
        /* everything in rings beyond r is at least (r) cells away minus the
         * point's offset inside its cell: stop once the best beats that */
        double ring_min = (r - 1) * g->cell_m;
        if (r > 0 && ring_min > 0 && b.d2 <= ring_min * ring_min)
            break;
        for (long y = cy - r; y <= cy + r; y++) {
            if (y < 0 || y >= (long)g->ny)
                continue;
            int edge_row = (y == cy - r || y == cy + r);
            for (long x = cx - r; x <= cx + r; x += (edge_row || r == 0) ? 1 : 2 * r) {
                if (x < 0 || x >= (long)g->nx)
                    continue;
                size_t c = (size_t)y * g->nx + (size_t)x;
                for (uint32_t i = net->grid_first[c]; i < net->grid_first[c + 1]; i++) {
                    uint32_t e = net->grid_item[i];
                    if (net->edges[e].mode_mask & bit)
                        scan_edge(net, e, px, py, &b);
                }
            }
        }
    }
    if (b.edge == UINT32_MAX || b.d2 > max_m * max_m)
        return HH_ENOSNAP;
    /* position along the edge in haversine metres */
    const hh__edge *ed = &net->edges[b.edge];
    uint32_t s0 = net->shape_first[b.edge], s1 = net->shape_first[b.edge + 1];
    double along = 0;
    hh__ll prev = net->node_ll[ed->from];
    double slon = 0, slat = 0;
    for (uint32_t s = s0; s <= s1; s++) {
        hh__ll cur = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
        double seg = hh__haversine_m(prev.lon_e7 * 1e-7, prev.lat_e7 * 1e-7, cur.lon_e7 * 1e-7,
                                     cur.lat_e7 * 1e-7);
        if (s - s0 == b.seg) {
            along += b.t * seg;
            slon = (prev.lon_e7 + b.t * ((double)cur.lon_e7 - prev.lon_e7)) * 1e-7;
            slat = (prev.lat_e7 + b.t * ((double)cur.lat_e7 - prev.lat_e7)) * 1e-7;
            break;
        }
        along += seg;
        prev = cur;
    }
    double len_m = ed->len_mm / 1000.0;
    out->edge = b.edge;
    out->along_m = along > len_m ? len_m : along;
    /* on an end vertex (within 5 cm: OSM stores 1e-7 degrees, and haversine
     * sums and the rounded length differ in the last millimetres): say so
     * exactly, so the point may leave or arrive by every edge of that vertex */
    if (out->along_m < 0.05)
        out->along_m = 0;
    else if (out->along_m > len_m - 0.05)
        out->along_m = len_m;
    out->off_m = sqrt(b.d2);
    out->lon = slon;
    out->lat = slat;
    return 0;
}

/* inside the bbox of the street geometry widened by max_m (degrees from
 * the local plane's scale) */
static int in_area(const hh_net *net, double lon, double lat, double max_m)
{
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return 0;
    const hh__grid_hdr *g = net->grid;
    double plat = max_m / g->my, plon = max_m / g->mx;
    return lat >= net->ext_min_lat - plat && lat <= net->ext_max_lat + plat && lon >= net->ext_min_lon - plon &&
           lon <= net->ext_max_lon + plon;
}

/* metres from (lon, lat) to the area (0 inside), in the local plane */
static double area_dist_m(const hh_net *net, double lon, double lat)
{
    const hh__grid_hdr *g = net->grid;
    double dx = lon < net->ext_min_lon ? net->ext_min_lon - lon : lon > net->ext_max_lon ? lon - net->ext_max_lon : 0;
    double dy = lat < net->ext_min_lat ? net->ext_min_lat - lat : lat > net->ext_max_lat ? lat - net->ext_max_lat : 0;
    return hypot(dx * g->mx, dy * g->my);
}

int hh_snap_explain(const hh_net *net, hh_mode mode, double lon, double lat, double max_m, hh_snap_why *out)
{
    if ((unsigned)mode >= HH_N_MODES || !(max_m >= 0))
        return HH_EINVAL;
    hh_snap s;
    hh_snap_why w = {HH_SNAP_OK, INFINITY};
    int rc = hh_snap_point(net, mode, lon, lat, max_m, &s);
    if (rc == 0) {
        w.nearest_m = s.off_m;
    } else if (rc == HH_ERANGE) {
        w.reason = in_area(net, lat, lon, max_m) ? HH_SNAP_SWAPPED : HH_SNAP_INVALID;
    } else if (!in_area(net, lon, lat, max_m)) {
        /* swapped only when exchanging moves the point from well outside
         * (HH_SNAP_SWAP_M) to inside: near a network at 0,0 a point just
         * off its edge may land inside when exchanged by chance */
        w.reason = in_area(net, lat, lon, max_m) && area_dist_m(net, lon, lat) > HH_SNAP_SWAP_M ? HH_SNAP_SWAPPED
                                                                                              : HH_SNAP_OUTSIDE;
    } else {
        w.reason = HH_SNAP_TOO_FAR;
    }
    if (w.reason == HH_SNAP_TOO_FAR || w.reason == HH_SNAP_OUTSIDE) {
        /* one wider search: the ring scan stops as soon as it finds the
         * nearest edge, so this costs about (distance / cell)^2 cells, and
         * a point farther than that from the grid is refused at once */
        double far = max_m > HH_SNAP_EXPLAIN_M ? max_m : HH_SNAP_EXPLAIN_M;
        if (hh_snap_point(net, mode, lon, lat, far, &s) == 0)
            w.nearest_m = s.off_m;
    }
    *out = w;
    return 0;
}

void hh_net_bbox(const hh_net *net, double *min_lon, double *min_lat, double *max_lon, double *max_lat)
{
    *min_lon = net->ext_min_lon, *min_lat = net->ext_min_lat;
    *max_lon = net->ext_max_lon, *max_lat = net->ext_max_lat;
}

/* ---- edges through a box ---------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Whether one of edge e's segments has a bounding box overlapping the box
 * (1e-7 degrees, as stored). */
static int edge_meets_box(const hh_net *net, uint32_t e, int64_t x0, int64_t y0, int64_t x1, int64_t y1)
{
    const hh__edge *ed = &net->edges[e];
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    hh__ll a = net->node_ll[ed->from];
    for (uint32_t s = s0; s <= s1; s++) {
        hh__ll b = s < s1 ? net->shape_ll[s] : net->node_ll[ed->to];
        int64_t ax = a.lon_e7, bx = b.lon_e7, ay = a.lat_e7, by = b.lat_e7;
        if ((ax < bx ? ax : bx) <= x1 && (ax > bx ? ax : bx) >= x0 && (ay < by ? ay : by) <= y1 &&
            (ay > by ? ay : by) >= y0)
            return 1;
        a = b;
    }
    return 0;
}

/* Appends e to the list (grown as needed); HH_ENOMEM frees it. */
static int keep_edge(uint32_t **list, size_t *len, size_t *cap, uint32_t e)
{
    if (*len == *cap && hh__grow(list, cap, *len + 1, sizeof **list)) {
        hh__free(*list), *list = NULL;
        return HH_ENOMEM;
    }
    (*list)[(*len)++] = e;
    return 0;
}

int hh_net_edges_in_bbox(const hh_net *net, double min_lon, double min_lat, double max_lon, double max_lat,
                         uint32_t **out, size_t *n)
{
    *out = NULL, *n = 0;
    if (!isfinite(min_lon) || !isfinite(min_lat) || !isfinite(max_lon) || !isfinite(max_lat) ||
        min_lon > max_lon || min_lat > max_lat)
        return HH_EINVAL;
    const hh__grid_hdr *g = net->grid;
    if (!net->n_edges || !g->nx || !g->ny)
        return 0;
    /* the box in stored units, outward; then the index's cells over it, one
     * more on each side for rounding, clamped (the build lists an edge that
     * runs past the grid in its border cells) */
    double lo_x = floor(min_lon * 1e7), hi_x = ceil(max_lon * 1e7);
    double lo_y = floor(min_lat * 1e7), hi_y = ceil(max_lat * 1e7);
    int64_t x0 = lo_x < -2e9 ? (int64_t)-2e9 : (int64_t)lo_x, x1 = hi_x > 2e9 ? (int64_t)2e9 : (int64_t)hi_x;
    int64_t y0 = lo_y < -2e9 ? (int64_t)-2e9 : (int64_t)lo_y, y1 = hi_y > 2e9 ? (int64_t)2e9 : (int64_t)hi_y;
    double fx0 = floor(((min_lon - g->lon0) * g->mx - g->x0) / g->cell_m) - 1;
    double fx1 = floor(((max_lon - g->lon0) * g->mx - g->x0) / g->cell_m) + 1;
    double fy0 = floor(((min_lat - g->lat0) * g->my - g->y0) / g->cell_m) - 1;
    double fy1 = floor(((max_lat - g->lat0) * g->my - g->y0) / g->cell_m) + 1;
    double mx = (double)g->nx - 1, my = (double)g->ny - 1;
    fx0 = fx0 < 0 ? 0 : fx0 > mx ? mx : fx0, fx1 = fx1 < 0 ? 0 : fx1 > mx ? mx : fx1;
    fy0 = fy0 < 0 ? 0 : fy0 > my ? my : fy0, fy1 = fy1 < 0 ? 0 : fy1 > my ? my : fy1;
    size_t cx0 = (size_t)fx0, cx1 = (size_t)fx1, cy0 = (size_t)fy0, cy1 = (size_t)fy1;
    uint32_t *list = NULL;
    size_t len = 0, cap = 0, items = 0;
    for (size_t cy = cy0; cy <= cy1; cy++)
        items += net->grid_first[cy * g->nx + cx1 + 1] - net->grid_first[cy * g->nx + cx0];
    if (items >= net->n_edges / 2) {
        /* most of the network: every edge in order is cheaper than the
         * index's lists (an edge sits in several) and a sort */
        for (uint32_t e = 0; e < net->n_edges; e++)
            if (net->edges[e].mode_mask && edge_meets_box(net, e, x0, y0, x1, y1) &&
                keep_edge(&list, &len, &cap, e))
                return HH_ENOMEM;
        *out = list, *n = len;
        return 0;
    }
    uint8_t *seen = hh__calloc(((size_t)net->n_edges + 7) / 8, 1);
    if (!seen)
        return HH_ENOMEM;
    for (size_t cy = cy0; cy <= cy1; cy++)
        for (uint32_t i = net->grid_first[cy * g->nx + cx0]; i < net->grid_first[cy * g->nx + cx1 + 1]; i++) {
            uint32_t e = net->grid_item[i];
            uint8_t bit = (uint8_t)(1u << (e & 7));
            if (seen[e >> 3] & bit)
                continue;
            seen[e >> 3] |= bit;
            if (edge_meets_box(net, e, x0, y0, x1, y1) && keep_edge(&list, &len, &cap, e)) {
                hh__free(seen);
                return HH_ENOMEM;
            }
        }
    hh__free(seen);
    if (len > 1) /* (list is NULL when nothing was found: qsort must not see it) */
        qsort(list, len, sizeof *list, cmp_u32);
    *out = list, *n = len;
    return 0;
}
