/* layers.c (build stage): opportunity layers from OSM tags and GTFS stops,
 * and their sections in the network file (see layers.h). */
#include "build/layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/alloc.h"

const char *const hh__preset_15min[] = {
    "schools=amenity=school",
    "healthcare=amenity=hospital,clinic,doctors;healthcare=hospital,clinic,doctor,centre",
    "groceries=shop=supermarket,convenience,greengrocer,grocery",
    "pharmacies=amenity=pharmacy;healthcare=pharmacy",
    "parks=leisure=park,garden@area",
    "transit_stops=highway=bus_stop;railway=station,halt,tram_stop;public_transport=station",
    NULL};
const char *const hh__preset_15min_names[] = {"schools",  "healthcare", "groceries", "pharmacies",
                                              "parks",    "transit_stops", NULL};

const char *hh_preset_15min_rule(size_t i)
{
    return i < sizeof hh__preset_15min / sizeof *hh__preset_15min ? hh__preset_15min[i] : NULL;
}

static int bad_rule(const char *spec, const char *why, char *err, size_t errlen)
{
    snprintf(err, errlen, "layer rule \"%s\": %s (want NAME=KEY=V1,V2[;KEY=V...][@area])", spec, why);
    return HH_EINVAL;
}

int hh__layer_rule_parse(const char *spec, hh__layer_rule *out, char *err, size_t errlen)
{
    hh__layer_rule r;
    memset(&r, 0, sizeof r);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return bad_rule(spec, "no layer name", err, errlen);
    if ((size_t)(eq - spec) > HH__LAYER_NAME_MAX)
        return bad_rule(spec, "layer name too long", err, errlen);
    memcpy(r.name, spec, (size_t)(eq - spec));
    for (const char *c = r.name; *c; c++)
        if (!(*c == '_' || *c == '-' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
              (*c >= 'A' && *c <= 'Z')))
            return bad_rule(spec, "a layer name is letters, digits, '_' and '-'", err, errlen);
    const char *s = eq + 1;
    size_t len = strlen(s);
    if (len >= 5 && !strcmp(s + len - 5, "@area"))
        r.by_area = 1, len -= 5;
    while (len) {
        const char *semi = memchr(s, ';', len);
        size_t n = semi ? (size_t)(semi - s) : len;
        const char *e2 = memchr(s, '=', n);
        if (!e2 || e2 == s || e2 + 1 == s + n)
            return bad_rule(spec, "each alternative is KEY=VALUES", err, errlen);
        if (r.n_alts == HH__LAYER_ALTS)
            return bad_rule(spec, "too many alternatives", err, errlen);
        size_t kl = (size_t)(e2 - s), vl = n - kl - 1;
        if (kl >= sizeof r.alt[0].key || vl + 3 >= sizeof r.alt[0].values)
            return bad_rule(spec, "key or values too long", err, errlen);
        memcpy(r.alt[r.n_alts].key, s, kl);
        if (vl == 1 && e2[1] == '*')
            strcpy(r.alt[r.n_alts].values, "*");
        else
            snprintf(r.alt[r.n_alts].values, sizeof r.alt[0].values, ",%.*s,", (int)vl, e2 + 1);
        r.n_alts++;
        s += n + (semi != NULL);
        len -= n + (semi != NULL);
    }
    if (r.n_alts == 0)
        return bad_rule(spec, "no KEY=VALUES", err, errlen);
    *out = r;
    return 0;
}

/* Whether one "key=value" tag matches a rule. */
static int tag_matches(const hh__layer_rule *r, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return 0;
    size_t kl = (size_t)(eq - kv);
    for (int a = 0; a < r->n_alts; a++) {
        if (strlen(r->alt[a].key) != kl || memcmp(r->alt[a].key, kv, kl))
            continue;
        if (!strcmp(r->alt[a].values, "*"))
            return 1;
        /* ",v," inside ",v1,v2," */
        const char *v = eq + 1;
        size_t vl = strlen(v);
        for (const char *p = strstr(r->alt[a].values, v); p; p = strstr(p + 1, v))
            if (p[-1] == ',' && p[vl] == ',')
                return 1;
    }
    return 0;
}

static int matches(const hh__layer_rule *r, char *const *tags, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (tag_matches(r, tags[i]))
            return 1;
    return 0;
}

/* Area (m^2, holes subtracted) and a point inside an area: the centroid of
 * its largest outer ring, or, when that falls outside the ring (a crescent),
 * the ring's vertex nearest to it.  Local equirectangular plane: areas of a
 * campus or a park, where that is exact to well under 1 %. */
static double ring_area(const int32_t *ll, uint32_t a, uint32_t b, double lat0, double *cx, double *cy)
{
    const double m = 111319.49079327357 / 1e7, mx = m * cos(lat0 * M_PI / 180);
    double s = 0, sx = 0, sy = 0;
    for (uint32_t i = a; i + 1 < b; i++) {
        double x0 = ll[2 * i] * mx, y0 = ll[2 * i + 1] * m, x1 = ll[2 * i + 2] * mx, y1 = ll[2 * i + 3] * m;
        double c = x0 * y1 - x1 * y0;
        s += c, sx += (x0 + x1) * c, sy += (y0 + y1) * c;
    }
    if (cx && s != 0)
        *cx = sx / (3 * s) / mx, *cy = sy / (3 * s) / m;
    return s / 2;
}

static int inside(const int32_t *ll, uint32_t a, uint32_t b, double x, double y)
{
    int in = 0;
    for (uint32_t i = a, j = b - 1; i < b; j = i++) {
        double xi = ll[2 * i], yi = ll[2 * i + 1], xj = ll[2 * j], yj = ll[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

static double area_point(const hh__osm *o, const hh__area *ar, int32_t *lon, int32_t *lat)
{
    double total = 0, best = -1;
    uint32_t pf0 = ar->poly_first;
    double lat0 = o->area_ll_e7[2 * o->area_ring_first[o->area_poly_first[pf0]] + 1] / 1e7;
    for (uint32_t p = pf0; p < pf0 + ar->n_polys; p++) {
        for (uint32_t r = o->area_poly_first[p]; r < o->area_poly_first[p + 1]; r++) {
            uint32_t a = o->area_ring_first[r], b = o->area_ring_first[r + 1];
            double cx = 0, cy = 0;
            double s = fabs(ring_area(o->area_ll_e7, a, b, lat0, &cx, &cy));
            int outer = r == o->area_poly_first[p];
            total += outer ? s : -s;
            if (outer && s > best) {
                best = s;
                if (!(s > 0) || !inside(o->area_ll_e7, a, b, cx, cy)) {
                    /* the ring's vertex nearest the centroid (or its first) */
                    double bd = INFINITY;
                    cx = s > 0 ? cx : o->area_ll_e7[2 * a], cy = s > 0 ? cy : o->area_ll_e7[2 * a + 1];
                    double qx = cx, qy = cy;
                    for (uint32_t i = a; i < b; i++) {
                        double dx = o->area_ll_e7[2 * i] - qx, dy = o->area_ll_e7[2 * i + 1] - qy;
                        if (dx * dx + dy * dy < bd)
                            bd = dx * dx + dy * dy, cx = o->area_ll_e7[2 * i], cy = o->area_ll_e7[2 * i + 1];
                    }
                }
                *lon = (int32_t)lround(cx), *lat = (int32_t)lround(cy);
            }
        }
    }
    return total > 0 ? total : 0;
}

typedef struct acc {
    hh_layers *l;
    size_t cap;
} acc;

static int acc_init(acc *a, hh_layers *l, size_t n_layers)
{
    memset(l, 0, sizeof *l);
    a->l = l, a->cap = 0;
    l->n_layers = n_layers;
    l->name = hh__calloc(n_layers ? n_layers : 1, sizeof *l->name);
    l->n_blank = hh__calloc(n_layers ? n_layers : 1, sizeof *l->n_blank);
    return l->name && l->n_blank ? 0 : HH_ENOMEM;
}

/* A point with row[0 .. n_layers) values. */
static int acc_push(acc *a, double lon, double lat, const double *row)
{
    hh_layers *l = a->l;
    size_t cap = a->cap, nl = l->n_layers;
    if (l->n == cap) {
        size_t c2 = cap ? 2 * cap : 256;
        double *lo = hh__realloc_array(l->lon, c2, sizeof *lo);
        if (lo)
            l->lon = lo;
        double *la = lo ? hh__realloc_array(l->lat, c2, sizeof *la) : NULL;
        if (la)
            l->lat = la;
        double *v = la ? hh__realloc_array(l->value, c2 * nl + 1, sizeof *v) : NULL;
        if (!v)
            return HH_ENOMEM;
        l->value = v;
        a->cap = c2;
    }
    l->lon[l->n] = lon, l->lat[l->n] = lat;
    memcpy(l->value + l->n * nl, row, nl * sizeof *row);
    l->n++;
    return 0;
}

int hh__layers_from_osm(const hh__osm *o, const hh__layer_rule *rules, size_t n_rules, hh_layers *out)
{
    hh_layers l;
    acc a;
    double *row = hh__calloc(n_rules + 1, sizeof *row);
    int rc = acc_init(&a, &l, n_rules);
    if (!row)
        rc = HH_ENOMEM;
    for (size_t r = 0; !rc && r < n_rules; r++)
        if (!(l.name[r] = hh__strdup(rules[r].name)))
            rc = HH_ENOMEM;
    for (size_t i = 0; !rc && i < o->n_pois; i++) {
        const hh__poi *p = &o->pois[i];
        int any = 0;
        for (size_t r = 0; r < n_rules; r++) {
            row[r] = !rules[r].by_area && matches(&rules[r], o->poi_tag + p->tag_first, p->n_tags);
            any |= row[r] > 0;
        }
        if (any)
            rc = acc_push(&a, p->lon_e7 / 1e7, p->lat_e7 / 1e7, row);
    }
    for (size_t i = 0; !rc && i < o->n_areas; i++) {
        const hh__area *ar = &o->areas[i];
        int any = 0;
        for (size_t r = 0; r < n_rules; r++) {
            row[r] = matches(&rules[r], o->area_tag + ar->tag_first, ar->n_tags);
            any |= row[r] > 0;
        }
        if (!any || ar->n_polys == 0)
            continue;
        int32_t lon = 0, lat = 0;
        double m2 = area_point(o, ar, &lon, &lat);
        for (size_t r = 0; r < n_rules; r++)
            if (rules[r].by_area && row[r] > 0)
                row[r] = m2 / 1e4;
        rc = acc_push(&a, lon / 1e7, lat / 1e7, row);
    }
    hh__free(row);
    if (rc) {
        hh_layers_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int hh__layers_from_stops(const hh__timetable *tt, const char *name, hh_layers *out)
{
    hh_layers l;
    acc a;
    int rc = acc_init(&a, &l, 1);
    if (!rc && !(l.name[0] = hh__strdup(name)))
        rc = HH_ENOMEM;
    double one = 1;
    for (uint32_t s = 0; !rc && s < tt->n_stops; s++)
        if (tt->stop_type[s] == 0 && !isnan(tt->stop_lon[s]) && !isnan(tt->stop_lat[s]))
            rc = acc_push(&a, tt->stop_lon[s], tt->stop_lat[s], &one);
    if (rc) {
        hh_layers_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}

void hh__layers_drop(hh_layers *ls, size_t l)
{
    size_t nl = ls->n_layers, k = 0;
    if (l >= nl)
        return;
    for (size_t i = 0; i < ls->n; i++) {
        const double *src = ls->value + i * nl;
        int any = 0;
        for (size_t j = 0; j < nl; j++)
            any |= j != l && src[j] != 0;
        if (!any)
            continue;
        /* in place: the destination never passes what is still to be read */
        double *dst = ls->value + k * (nl - 1);
        for (size_t j = 0, d = 0; j < nl; j++)
            if (j != l)
                dst[d++] = src[j];
        ls->lon[k] = ls->lon[i], ls->lat[k] = ls->lat[i];
        k++;
    }
    ls->n = k;
    hh__free(ls->name[l]);
    memmove(ls->name + l, ls->name + l + 1, (nl - 1 - l) * sizeof *ls->name);
    memmove(ls->n_blank + l, ls->n_blank + l + 1, (nl - 1 - l) * sizeof *ls->n_blank);
    ls->n_layers = nl - 1;
}

int hh__layers_store(struct hh__net_parts *parts, const hh_layers *l)
{
    if (l->n_layers == 0)
        return 0;
    size_t cap = 1;
    for (size_t j = 0; j < l->n_layers; j++)
        cap += strlen(l->name[j]) + 32;
    char *names = hh__malloc(cap);
    hh__ll *ll = hh__alloc_array(l->n + 1, sizeof *ll);
    double *v = hh__alloc_array(l->n * l->n_layers + 1, sizeof *v);
    if (!names || !ll || !v) {
        hh__free(names), hh__free(ll), hh__free(v);
        return HH_ENOMEM;
    }
    size_t off = 0;
    for (size_t j = 0; j < l->n_layers; j++)
        off += (size_t)snprintf(names + off, cap - off, "%s\t%llu\n", l->name[j],
                                (unsigned long long)l->n_blank[j]);
    for (size_t i = 0; i < l->n; i++)
        ll[i] = (hh__ll){(int32_t)lround(l->lon[i] * 1e7), (int32_t)lround(l->lat[i] * 1e7)};
    if (l->n)
        memcpy(v, l->value, l->n * l->n_layers * sizeof *v);
    /* hh__net_parts_add frees an owned buffer itself when it fails */
    int rc = hh__net_parts_add(parts, HH_SEC_LAYER_NAMES, 1, names, off, 1);
    if (rc) {
        hh__free(ll), hh__free(v);
        return rc;
    }
    if ((rc = hh__net_parts_add(parts, HH_SEC_LAYER_LL, sizeof *ll, ll, l->n, 1))) {
        hh__free(v);
        return rc;
    }
    rc = hh__net_parts_add(parts, HH_SEC_LAYER_VAL, sizeof *v, v, l->n * l->n_layers, 1);
    return rc;
}
