/* osm.c: OSM extract -> hh__osm.  The file is decoded by libosmium behind
 * osm_reader.h (the one C++ file, osm_reader.cpp); this side keeps what
 * routing and analyses use, in arrays allocated through hh__malloc: node
 * positions, routable ways (profile.c), routing nodes (barriers, signals),
 * car turn restrictions, areas and points of interest (nodes tagged as
 * amenities, shops, stops..., for opportunity layers). */
#include "ingest/osm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ingest/osm_reader.h"
#include "util/alloc.h"

typedef struct reader {
    hh__osm *o;
    const hh_profile *p;
    size_t cap_id, cap_lo, cap_la, cap_ways, cap_attr, cap_refs, cap_wfirst;
    size_t cap_restr, cap_via, cap_tagged;
    size_t cap_areas, cap_atag, cap_apoly, cap_aring, cap_all;
    size_t cap_pois, cap_ptag;
    int nodes_unsorted, tagged_unsorted;
} reader;

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcasecmp(s + a - b, suf);
}

static char *tag_string(const hh__tag *t)
{
    size_t a = strlen(t->k), b = strlen(t->v);
    char *s = hh__malloc(a + b + 2);
    if (s) {
        memcpy(s, t->k, a);
        s[a] = '=';
        memcpy(s + a + 1, t->v, b + 1);
    }
    return s;
}

/* A node that opportunity layers may count: its position and the tags of
 * the keys layers look at (hh__osm_poi_key), "key=value". */
static int add_poi(reader *r, int32_t lon, int32_t lat, const hh__tag *tags, int nt)
{
    hh__osm *o = r->o;
    size_t k = o->n_pois;
    if (hh__grow(&o->pois, &r->cap_pois, k + 1, sizeof *o->pois))
        return HH_ENOMEM;
    hh__poi *pp = &o->pois[k];
    pp->lon_e7 = lon, pp->lat_e7 = lat;
    pp->tag_first = (uint32_t)o->n_poi_tags, pp->n_tags = 0;
    for (int i = 0; i < nt; i++) {
        if (!hh__osm_poi_key(tags[i].k))
            continue;
        if (hh__grow(&o->poi_tag, &r->cap_ptag, o->n_poi_tags + 1, sizeof *o->poi_tag) ||
            !(o->poi_tag[o->n_poi_tags] = tag_string(&tags[i])))
            return HH_ENOMEM;
        o->n_poi_tags++, pp->n_tags++;
    }
    o->n_pois = k + 1;
    return 0;
}

static int on_node(void *ud, int64_t id, int valid, int32_t lon, int32_t lat, const hh__tag *tags, int nt)
{
    reader *r = ud;
    hh__osm *o = r->o;
    o->osm_nodes++;
    if (!valid)
        return 0; /* a node without a usable position cannot be routed over */
    size_t i = o->n_nodes;
    if (hh__grow(&o->node_id, &r->cap_id, i + 1, sizeof *o->node_id) ||
        hh__grow(&o->node_lon_e7, &r->cap_lo, i + 1, sizeof *o->node_lon_e7) ||
        hh__grow(&o->node_lat_e7, &r->cap_la, i + 1, sizeof *o->node_lat_e7))
        return HH_ENOMEM;
    if (i && id <= o->node_id[i - 1])
        r->nodes_unsorted = 1;
    o->node_id[i] = id;
    o->node_lon_e7[i] = lon;
    o->node_lat_e7[i] = lat;
    o->n_nodes = i + 1;
    hh__node_attr a;
    if (nt > 0 && hh__profile_node(r->p, tags, nt, &a)) {
        size_t k = o->n_tagged;
        if (hh__grow(&o->tagged, &r->cap_tagged, k + 1, sizeof *o->tagged))
            return HH_ENOMEM;
        if (k && id <= o->tagged[k - 1].id)
            r->tagged_unsorted = 1;
        o->tagged[k].id = id;
        o->tagged[k].a = a;
        o->n_tagged = k + 1;
    }
    if (nt > 0 && hh__osm_poi_wanted(tags, nt))
        return add_poi(r, lon, lat, tags, nt);
    return 0;
}

static int on_way(void *ud, int64_t id, const int64_t *refs, size_t nr, const hh__tag *tags, int nt)
{
    reader *r = ud;
    hh__osm *o = r->o;
    o->osm_ways++;
    if (nr < 2 || nt <= 0)
        return 0;
    hh__way_attr a;
    if (!hh__profile_way(r->p, tags, nt, &a))
        return 0;
    size_t i = o->n_ways;
    size_t have = i ? o->way_first[i] : 0;
    if (hh__grow(&o->way_id, &r->cap_ways, i + 1, sizeof *o->way_id) ||
        hh__grow(&o->way_attr, &r->cap_attr, i + 1, sizeof *o->way_attr) ||
        hh__grow(&o->way_first, &r->cap_wfirst, i + 2, sizeof *o->way_first) ||
        hh__grow(&o->refs, &r->cap_refs, have + nr, sizeof *o->refs))
        return HH_ENOMEM;
    if (i == 0)
        o->way_first[0] = 0;
    o->way_id[i] = id;
    o->way_attr[i] = a;
    memcpy(o->refs + have, refs, nr * sizeof *o->refs);
    o->way_first[i + 1] = have + nr;
    o->n_ways = i + 1;
    return 0;
}

static const char *tagv(const hh__tag *t, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].k, k))
            return t[i].v;
    return NULL;
}

/* Whether a semicolon-separated list (spaces around items allowed) holds word. */
static int lists(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *s = list; *s;) {
        while (*s == ' ' || *s == ';')
            s++;
        const char *e = s;
        while (*e && *e != ';')
            e++;
        const char *z = e;
        while (z > s && z[-1] == ' ')
            z--;
        if ((size_t)(z - s) == wl && !memcmp(s, word, wl))
            return 1;
        s = e;
    }
    return 0;
}

/* type=restriction relations for cars (see hh__restriction in osm.h). */
static int on_relation(void *ud, int64_t id, const hh__tag *tags, int nt, const hh__osmr_member *m, size_t nm)
{
    reader *r = ud;
    hh__osm *o = r->o;
    (void)id;
    o->osm_relations++;
    const char *type = tagv(tags, nt, "type");
    if (!type || strcmp(type, "restriction"))
        return 0;
    const char *kind = tagv(tags, nt, "restriction:motorcar");
    if (!kind)
        kind = tagv(tags, nt, "restriction");
    if (!kind)
        return 0; /* for other vehicles only */
    const char *except = tagv(tags, nt, "except");
    if (except && (lists(except, "motorcar") || lists(except, "motor_vehicle")))
        return 0;
    hh__restriction x;
    memset(&x, 0, sizeof x);
    x.kind = (uint8_t)hh__turn_kind(kind);
    int bad = 0;
    if (!strncmp(kind, "only_", 5) && kind[5])
        x.only = 1;
    else if (strncmp(kind, "no_", 3) || !kind[3])
        bad = 1; /* an unknown restriction value */
    size_t nf = 0, nto = 0, nvn = 0, nvw = 0;
    for (size_t i = 0; i < nm && !bad; i++) {
        const char *role = m[i].role;
        if (!strcmp(role, "from")) {
            bad = m[i].type != 'w';
            x.from_way = m[i].ref, nf++;
        } else if (!strcmp(role, "to")) {
            bad = m[i].type != 'w';
            x.to_way = m[i].ref, nto++;
        } else if (!strcmp(role, "via")) {
            if (m[i].type == 'n')
                x.via_node = m[i].ref, nvn++;
            else if (m[i].type == 'w')
                nvw++;
            else
                bad = 1;
        }
    }
    if (bad || nf != 1 || nto != 1 || nvn + nvw == 0 || (nvn && nvw) || nvn > 1 || nvw > UINT32_MAX ||
        o->n_restr_via > UINT32_MAX - nvw) {
        o->restr_skipped++;
        return 0;
    }
    if (hh__grow(&o->restr, &r->cap_restr, o->n_restr + 1, sizeof *o->restr) ||
        hh__grow(&o->restr_via, &r->cap_via, o->n_restr_via + nvw, sizeof *o->restr_via))
        return HH_ENOMEM;
    x.via_first = (uint32_t)o->n_restr_via;
    x.n_via = (uint32_t)nvw;
    for (size_t i = 0; i < nm && nvw; i++)
        if (m[i].type == 'w' && !strcmp(m[i].role, "via"))
            o->restr_via[o->n_restr_via++] = m[i].ref;
    o->restr[o->n_restr++] = x;
    return 0;
}

static int area_wanted(void *ud, const hh__tag *tags, int nt)
{
    (void)ud;
    return hh__osm_area_wanted(tags, nt);
}

static int locate(void *ud, int64_t id, int32_t *lon, int32_t *lat)
{
    const hh__osm *o = ((reader *)ud)->o;
    ptrdiff_t i = hh__osm_node_index(o, id);
    if (i < 0)
        return 0;
    *lon = o->node_lon_e7[i];
    *lat = o->node_lat_e7[i];
    return 1;
}

static int on_area(void *ud, const hh__osmr_area *a)
{
    reader *r = ud;
    hh__osm *o = r->o;
    size_t np = a->n_polys, nr = a->n_rings, nll = a->ring_first[nr];
    size_t p0 = o->n_area_polys, r0 = o->n_area_rings, l0 = r0 ? o->area_ring_first[r0] : 0;
    size_t t0 = o->n_area_tags, nt = a->n_tags > 0 ? (size_t)a->n_tags : 0;
    if (np == 0)
        return 0;
    if (p0 + np >= UINT32_MAX || r0 + nr >= UINT32_MAX || l0 + nll >= UINT32_MAX || t0 + nt >= UINT32_MAX)
        return HH_ERANGE;
    if (hh__grow(&o->areas, &r->cap_areas, o->n_areas + 1, sizeof *o->areas) ||
        hh__grow(&o->area_tag, &r->cap_atag, t0 + nt, sizeof *o->area_tag) ||
        hh__grow(&o->area_poly_first, &r->cap_apoly, p0 + np + 1, sizeof *o->area_poly_first) ||
        hh__grow(&o->area_ring_first, &r->cap_aring, r0 + nr + 1, sizeof *o->area_ring_first) ||
        hh__grow(&o->area_ll_e7, &r->cap_all, 2 * (l0 + nll), sizeof *o->area_ll_e7))
        return HH_ENOMEM;
    for (size_t i = 0; i < nt; i++) {
        size_t kl = strlen(a->tags[i].k), vl = strlen(a->tags[i].v);
        char *s = hh__malloc(kl + vl + 2);
        if (!s) {
            while (i--)
                hh__free(o->area_tag[t0 + i]);
            return HH_ENOMEM;
        }
        memcpy(s, a->tags[i].k, kl);
        s[kl] = '=';
        memcpy(s + kl + 1, a->tags[i].v, vl + 1);
        o->area_tag[t0 + i] = s;
    }
    for (size_t i = 0; i <= np; i++)
        o->area_poly_first[p0 + i] = (uint32_t)(r0 + a->poly_first[i]);
    for (size_t i = 0; i <= nr; i++)
        o->area_ring_first[r0 + i] = (uint32_t)(l0 + a->ring_first[i]);
    memcpy(o->area_ll_e7 + 2 * l0, a->ll_e7, 2 * nll * sizeof *a->ll_e7);
    hh__area *x = &o->areas[o->n_areas++];
    x->osm_id = a->osm_id;
    x->from_relation = (uint8_t)(a->from_relation != 0);
    x->tag_first = (uint32_t)t0, x->n_tags = (uint32_t)nt;
    x->poly_first = (uint32_t)p0, x->n_polys = (uint32_t)np;
    o->n_area_tags = t0 + nt;
    o->n_area_polys = p0 + np;
    o->n_area_rings = r0 + nr;
    return 0;
}

typedef struct sort_key {
    int64_t id;
    size_t idx;
} sort_key;

static int cmp_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* PBF extracts are sorted by id; other files may not be.  Sort once so that
 * lookups are binary searches, and drop duplicate ids (keep the last seen). */
static int sort_nodes(hh__osm *o)
{
    size_t n = o->n_nodes;
    sort_key *perm = hh__alloc_array(n, sizeof *perm);
    int64_t *id = hh__alloc_array(n, sizeof *id);
    int32_t *lo = hh__alloc_array(n, sizeof *lo), *la = hh__alloc_array(n, sizeof *la);
    if (!perm || !id || !lo || !la) {
        hh__free(perm), hh__free(id), hh__free(lo), hh__free(la);
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (sort_key){o->node_id[i], i};
    qsort(perm, n, sizeof *perm, cmp_key);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = perm[i].idx;
        if (k && id[k - 1] == o->node_id[j])
            k--;
        id[k] = o->node_id[j];
        lo[k] = o->node_lon_e7[j];
        la[k] = o->node_lat_e7[j];
        k++;
    }
    hh__free(perm);
    hh__free(o->node_id), hh__free(o->node_lon_e7), hh__free(o->node_lat_e7);
    o->node_id = id, o->node_lon_e7 = lo, o->node_lat_e7 = la;
    o->n_nodes = k;
    return 0;
}

static int sort_tagged(hh__osm *o)
{
    size_t n = o->n_tagged;
    sort_key *perm = hh__alloc_array(n, sizeof *perm);
    hh__node_tagged *t = hh__alloc_array(n, sizeof *t);
    if (!perm || !t) {
        hh__free(perm), hh__free(t);
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (sort_key){o->tagged[i].id, i};
    qsort(perm, n, sizeof *perm, cmp_key);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && t[k - 1].id == perm[i].id)
            k--;
        t[k++] = o->tagged[perm[i].idx];
    }
    hh__free(perm);
    hh__free(o->tagged);
    o->tagged = t;
    o->n_tagged = k;
    return 0;
}

static int pass_done(void *ud)
{
    reader *r = ud;
    int rc = 0;
    if (r->nodes_unsorted && !(rc = sort_nodes(r->o)))
        r->nodes_unsorted = 0, r->cap_id = r->cap_lo = r->cap_la = r->o->n_nodes;
    if (!rc && r->tagged_unsorted && !(rc = sort_tagged(r->o)))
        r->tagged_unsorted = 0, r->cap_tagged = r->o->n_tagged;
    return rc;
}

int hh__osm_read(const char *path, const hh_profile *p, hh__osm *out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    hh__osmr_format fmt;
    if (ends_with(path, ".bz2"))
        fmt = HH__OSMR_XML_BZ2;
    else if (ends_with(path, ".pbf"))
        fmt = HH__OSMR_PBF;
    else if (ends_with(path, ".osm"))
        fmt = HH__OSMR_XML;
    else {
        snprintf(err, errlen, "%s: unsupported file type (expected .osm.pbf, .pbf, .osm or .osm.bz2)", path);
        return HH_EFORMAT;
    }
    hh__osm o;
    memset(&o, 0, sizeof o);
    reader r;
    memset(&r, 0, sizeof r);
    r.o = &o, r.p = p;
    hh__osmr_sink sink = {&r, on_node, on_way, on_relation, area_wanted, pass_done, locate, on_area};
    hh__osmr_stats st;
    int rc = hh__osmr_read(path, fmt, &sink, &st, err, errlen);
    if (rc)
        goto fail;
    o.areas_invalid = st.areas_invalid;
    o.areas_incomplete = st.areas_incomplete;
    o.read_threads = st.threads;
    if (o.n_ways == 0) {
        snprintf(err, errlen, "%s: no routable ways (highway=*) in the file", path);
        rc = HH_EEMPTY;
        goto fail;
    }
    *out = o;
    return 0;
fail:
    hh__osm_free(&o);
    return rc;
}

ptrdiff_t hh__osm_node_index(const hh__osm *o, int64_t id)
{
    size_t lo = 0, hi = o->n_nodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->node_id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < o->n_nodes && o->node_id[lo] == id) ? (ptrdiff_t)lo : -1;
}

void hh__osm_free(hh__osm *o)
{
    if (!o)
        return;
    hh__free(o->node_id), hh__free(o->node_lon_e7), hh__free(o->node_lat_e7);
    hh__free(o->way_id), hh__free(o->way_attr), hh__free(o->way_first), hh__free(o->refs);
    hh__free(o->restr), hh__free(o->restr_via), hh__free(o->tagged);
    for (size_t i = 0; o->area_tag && i < o->n_area_tags; i++)
        hh__free(o->area_tag[i]);
    hh__free(o->areas), hh__free(o->area_tag), hh__free(o->area_poly_first);
    hh__free(o->area_ring_first), hh__free(o->area_ll_e7);
    for (size_t i = 0; o->poi_tag && i < o->n_poi_tags; i++)
        hh__free(o->poi_tag[i]);
    hh__free(o->pois), hh__free(o->poi_tag);
    memset(o, 0, sizeof *o);
}

const hh__node_attr *hh__osm_node_attr(const hh__osm *o, int64_t id)
{
    size_t lo = 0, hi = o->n_tagged;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->tagged[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < o->n_tagged && o->tagged[lo].id == id ? &o->tagged[lo].a : NULL;
}

/* Areas that analyses weigh (parks, campuses, hospitals, schools, shops,
 * land uses); buildings and everything else are left out to keep memory
 * proportional to what is used. */
/* The keys whose tags make areas and points of interest: what opportunity
 * layers (src/build/layers.c, the 15-minute preset) look at. */
static const char *const poi_keys[] = {"leisure", "amenity", "landuse", "healthcare", "shop", "tourism",
                                       "office", "public_transport", "railway", "highway", "craft", NULL};

int hh__osm_poi_key(const char *k)
{
    for (const char *const *q = poi_keys; *q; q++)
        if (!strcmp(k, *q))
            return 1;
    return 0;
}

int hh__osm_area_wanted(const hh__tag *t, int n)
{
    for (int i = 0; i < n; i++)
        if (hh__osm_poi_key(t[i].k) && strcmp(t[i].k, "highway") && strcmp(t[i].k, "railway"))
            return 1;
    return 0;
}

int hh__osm_poi_wanted(const hh__tag *t, int n)
{
    for (int i = 0; i < n; i++) {
        if (!hh__osm_poi_key(t[i].k))
            continue;
        if (!strcmp(t[i].k, "highway")) {
            if (!strcmp(t[i].v, "bus_stop"))
                return 1;
            continue; /* crossings, signals, turning circles... */
        }
        if (!strcmp(t[i].k, "railway")) {
            if (!strcmp(t[i].v, "station") || !strcmp(t[i].v, "halt") || !strcmp(t[i].v, "tram_stop"))
                return 1;
            continue; /* level crossings, switches... */
        }
        return 1;
    }
    return 0;
}

int hh__turn_kind(const char *v)
{
    const char *u = strchr(v, '_');
    u = u ? u + 1 : v;
    if (!strcmp(u, "left_turn"))
        return HH_TURN_KIND_LEFT;
    if (!strcmp(u, "right_turn"))
        return HH_TURN_KIND_RIGHT;
    if (!strcmp(u, "straight_on"))
        return HH_TURN_KIND_STRAIGHT;
    if (!strcmp(u, "u_turn"))
        return HH_TURN_KIND_UTURN;
    return HH_TURN_KIND_OTHER;
}
