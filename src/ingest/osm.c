/* osm.c: OSM extract -> hh__osm via libreadosm. */
#include "ingest/osm.h"

#include <bzlib.h>
#include <errno.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/alloc.h"

#define MAX_TAGS 256

typedef struct reader {
    hh__osm *o;
    const hh_profile *p;
    size_t cap_nodes, cap_ways, cap_attr, cap_refs, cap_restr, cap_wfirst;
    int unsorted;
    int rc;
} reader;

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcasecmp(s + a - b, suf);
}

static int collect_tags(const readosm_tag *in, int n, hh__tag *out)
{
    int nt = n < MAX_TAGS ? n : MAX_TAGS;
    for (int i = 0; i < nt; i++) {
        out[i].k = in[i].key ? in[i].key : "";
        out[i].v = in[i].value ? in[i].value : "";
    }
    return nt > 0 ? nt : 0;
}

static int on_node(const void *ud, const readosm_node *n)
{
    reader *r = (reader *)ud;
    hh__osm *o = r->o;
    o->osm_nodes++;
    if (!isfinite(n->longitude) || !isfinite(n->latitude) || fabs(n->longitude) > 180 ||
        fabs(n->latitude) > 90)
        return READOSM_OK; /* a node without a usable position cannot be routed over */
    size_t i = o->n_nodes;
    if (i + 1 > r->cap_nodes) {
        size_t cap = r->cap_nodes ? r->cap_nodes * 2 : 4096;
        int64_t *id = hh__realloc_array(o->node_id, cap, sizeof *id);
        if (id)
            o->node_id = id;
        int32_t *lo = id ? hh__realloc_array(o->node_lon_e7, cap, sizeof *lo) : NULL;
        if (lo)
            o->node_lon_e7 = lo;
        int32_t *la = lo ? hh__realloc_array(o->node_lat_e7, cap, sizeof *la) : NULL;
        if (la)
            o->node_lat_e7 = la;
        if (!la) {
            r->rc = HH_ENOMEM;
            return READOSM_ABORT;
        }
        r->cap_nodes = cap;
    }
    if (i && n->id <= o->node_id[i - 1])
        r->unsorted = 1;
    o->node_id[i] = n->id;
    o->node_lon_e7[i] = (int32_t)lround(n->longitude * 1e7);
    o->node_lat_e7[i] = (int32_t)lround(n->latitude * 1e7);
    o->n_nodes = i + 1;
    return READOSM_OK;
}

static int on_way(const void *ud, const readosm_way *w)
{
    reader *r = (reader *)ud;
    hh__osm *o = r->o;
    o->osm_ways++;
    if (w->node_ref_count < 2 || w->tag_count <= 0 || !w->tags || !w->node_refs)
        return READOSM_OK;
    hh__tag tags[MAX_TAGS];
    int nt = collect_tags(w->tags, w->tag_count, tags);
    hh__way_attr a;
    if (!hh__profile_way(r->p, tags, nt, &a))
        return READOSM_OK;
    size_t i = o->n_ways, nr = (size_t)w->node_ref_count;
    size_t have = i ? o->way_first[i] : 0;
    if (hh__grow(&o->way_id, &r->cap_ways, i + 1, sizeof *o->way_id) ||
        hh__grow(&o->way_attr, &r->cap_attr, i + 1, sizeof *o->way_attr) ||
        hh__grow(&o->way_first, &r->cap_wfirst, i + 2, sizeof *o->way_first) ||
        hh__grow(&o->refs, &r->cap_refs, have + nr, sizeof *o->refs)) {
        r->rc = HH_ENOMEM;
        return READOSM_ABORT;
    }
    if (i == 0)
        o->way_first[0] = 0;
    o->way_id[i] = w->id;
    o->way_attr[i] = a;
    memcpy(o->refs + have, w->node_refs, nr * sizeof *o->refs);
    o->way_first[i + 1] = have + nr;
    o->n_ways = i + 1;
    return READOSM_OK;
}

static const char *tagv(const hh__tag *t, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].k, k))
            return t[i].v;
    return NULL;
}

static int on_relation(const void *ud, const readosm_relation *rel)
{
    reader *r = (reader *)ud;
    hh__osm *o = r->o;
    o->osm_relations++;
    if (rel->tag_count <= 0 || !rel->tags || rel->member_count <= 0 || !rel->members)
        return READOSM_OK;
    hh__tag tags[MAX_TAGS];
    int nt = collect_tags(rel->tags, rel->tag_count, tags);
    const char *type = tagv(tags, nt, "type");
    if (!type || strcmp(type, "restriction"))
        return READOSM_OK;
    const char *kind = tagv(tags, nt, "restriction");
    if (!kind)
        kind = tagv(tags, nt, "restriction:motorcar");
    const char *except = tagv(tags, nt, "except");
    if (!kind || (except && strstr(except, "motorcar")))
        return READOSM_OK;
    hh__restriction x;
    memset(&x, 0, sizeof x);
    x.kind = (uint8_t)hh__turn_kind(kind);
    if (!strncmp(kind, "only_", 5))
        x.only = 1;
    else if (strncmp(kind, "no_", 3))
        return READOSM_OK;
    int nf = 0, nv = 0, nto = 0;
    for (int i = 0; i < rel->member_count; i++) {
        const readosm_member *m = &rel->members[i];
        const char *role = m->role ? m->role : "";
        if (!strcmp(role, "from") && m->member_type == READOSM_MEMBER_WAY)
            x.from_way = m->id, nf++;
        else if (!strcmp(role, "to") && m->member_type == READOSM_MEMBER_WAY)
            x.to_way = m->id, nto++;
        else if (!strcmp(role, "via"))
            nv += m->member_type == READOSM_MEMBER_NODE ? 1 : 100, x.via_node = m->id;
    }
    /* via-way restrictions are rare and need path-based search; skipped */
    if (nf != 1 || nto != 1 || nv != 1)
        return READOSM_OK;
    if (hh__grow(&o->restr, &r->cap_restr, o->n_restr + 1, sizeof *o->restr)) {
        r->rc = HH_ENOMEM;
        return READOSM_ABORT;
    }
    o->restr[o->n_restr++] = x;
    return READOSM_OK;
}

static const char *readosm_msg(int rc)
{
    switch (rc) {
    case READOSM_INVALID_SUFFIX:
        return "unsupported file type (expected .osm.pbf, .pbf, .osm or .osm.bz2)";
    case READOSM_FILE_NOT_FOUND:
        return "file not found";
    case READOSM_INSUFFICIENT_MEMORY:
        return "out of memory";
    case READOSM_INVALID_PBF_HEADER:
        return "not a valid OSM PBF file (bad header)";
    case READOSM_UNZIP_ERROR:
        return "corrupt compressed block";
    default:
        return "corrupt or truncated OSM data";
    }
}

/* Inflates a .bz2 into a temporary .osm file; returns its path in tmp. */
static int inflate_bz2(const char *path, char *tmp, size_t tmplen, char *err, size_t errlen)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, tmplen, "%s/halfhour-XXXXXX.osm", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(tmp, 4);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create temporary file: %s", strerror(errno));
        fclose(in);
        return HH_EIO;
    }
    FILE *out = fdopen(fd, "wb");
    int bzerr = BZ_OK, rc = 0;
    BZFILE *bz = BZ2_bzReadOpen(&bzerr, in, 0, 0, NULL, 0);
    char buf[1 << 16];
    while (bz && bzerr == BZ_OK) {
        int n = BZ2_bzRead(&bzerr, bz, buf, sizeof buf);
        if ((bzerr == BZ_OK || bzerr == BZ_STREAM_END) && n > 0 && out &&
            fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
            rc = HH_EIO;
            break;
        }
    }
    if (!rc && bzerr != BZ_STREAM_END) {
        snprintf(err, errlen, "%s: corrupt or truncated bzip2 data", path);
        rc = HH_EFORMAT;
    } else if (rc) {
        snprintf(err, errlen, "cannot write temporary file: %s", strerror(errno));
    }
    if (bz)
        BZ2_bzReadClose(&bzerr, bz);
    fclose(in);
    if (!out || fclose(out)) {
        if (!rc) {
            snprintf(err, errlen, "cannot write temporary file");
            rc = HH_EIO;
        }
    }
    if (!out)
        close(fd);
    if (rc)
        unlink(tmp);
    return rc;
}

static int cmp_idx_by_id(const void *a, const void *b, void *ud)
{
    const int64_t *id = ud;
    int64_t x = id[*(const size_t *)a], y = id[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* PBF extracts are sorted by id; other files may not be.  Sort once so that
 * lookups are binary searches, and drop duplicate ids (keep the last seen). */
static int sort_nodes(hh__osm *o)
{
    size_t n = o->n_nodes;
    size_t *perm = hh__alloc_array(n, sizeof *perm);
    int64_t *id = hh__alloc_array(n, sizeof *id);
    int32_t *lo = hh__alloc_array(n, sizeof *lo), *la = hh__alloc_array(n, sizeof *la);
    if (!perm || !id || !lo || !la) {
        hh__free(perm), hh__free(id), hh__free(lo), hh__free(la);
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    qsort_r(perm, n, sizeof *perm, cmp_idx_by_id, o->node_id);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = perm[i];
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

int hh__osm_read(const char *path, const hh_profile *p, hh__osm *out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    char tmp[4096] = "";
    const char *src = path;
    int rc;
    if (ends_with(path, ".bz2")) {
        rc = inflate_bz2(path, tmp, sizeof tmp, err, errlen);
        if (rc)
            return rc;
        src = tmp;
    } else if (!ends_with(path, ".pbf") && !ends_with(path, ".osm")) {
        snprintf(err, errlen, "%s: %s", path, readosm_msg(READOSM_INVALID_SUFFIX));
        return HH_EFORMAT;
    }
    if (ends_with(src, ".pbf") && (rc = hh__pbf_check(src, err, errlen)))
        return rc;
    hh__osm o;
    memset(&o, 0, sizeof o);
    reader r = {.o = &o, .p = p};
    const void *h = NULL;
    int orc = readosm_open(src, &h);
    if (orc == READOSM_OK)
        orc = readosm_parse(h, &r, on_node, on_way, on_relation);
    readosm_close(h);
    if (*tmp)
        unlink(tmp);
    if (r.rc) {
        rc = r.rc;
        snprintf(err, errlen, "%s: %s", path, hh_strerror(rc));
        goto fail;
    }
    if (orc != READOSM_OK) {
        snprintf(err, errlen, "%s: %s", path, readosm_msg(orc));
        rc = orc == READOSM_INSUFFICIENT_MEMORY ? HH_ENOMEM : HH_EFORMAT;
        goto fail;
    }
    if (r.unsorted && (rc = sort_nodes(&o))) {
        snprintf(err, errlen, "%s: %s", path, hh_strerror(rc));
        goto fail;
    }
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
    for (size_t i = 0; o->area_tag && i < o->n_areas && o->areas; i++)
        for (uint32_t k = 0; k < o->areas[i].n_tags; k++)
            hh__free(o->area_tag[o->areas[i].tag_first + k]);
    hh__free(o->areas), hh__free(o->area_tag), hh__free(o->area_poly_first);
    hh__free(o->area_ring_first), hh__free(o->area_ll_e7);
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
int hh__osm_area_wanted(const hh__tag *t, int n)
{
    static const char *const keys[] = {"leisure", "amenity", "landuse", "healthcare", "shop",
                                       "tourism", "office", "public_transport", NULL};
    for (int i = 0; i < n; i++)
        for (const char *const *k = keys; *k; k++)
            if (!strcmp(t[i].k, *k))
                return 1;
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
