/* file.c: writing the network file atomically and opening it with mmap.
 * Checksums are CRC-32 from libdeflate (hardware-accelerated): one over the
 * whole body and one per section (in the section table's reserved word).
 * Opening checks the header's, the structure (every offset, count and
 * stored index in range, so searches need no bounds checks) and, for files
 * up to HH_NET_OPEN_CRC_MAX, the body CRC too; a larger file is opened
 * without reading it all (a 10^7-vertex network is gigabytes and must open
 * in milliseconds), and hh_net_verify (`halfhour verify`) checks every
 * section's CRC and names the damaged one. */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net.h"
#include "net/transit.h"
#include "street/ch.h"
#include "util/alloc.h"
#include "util/lazy.h"
#include "util/outfile.h"

/* header layout (see docs/format.md) */
#define OFF_VERSION 8
#define OFF_HDRSIZE 12
#define OFF_FILESIZE 16
#define OFF_NSECT 24
#define OFF_SECTOFF 32
#define OFF_BODYCRC 40
#define OFF_HDRCRC 44

/* the section table's reserved word: HH_SEC_CRC_SET | CRC-32 of the
 * section's bytes (files written before it was introduced have 0 there) */
#define HH_SEC_CRC_SET (UINT64_C(1) << 63)

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

double hh__haversine_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

typedef struct wsec {
    uint32_t id, elem;
    const void *data;
    uint64_t count;
} wsec;

/* Writes the file in one forward pass (a FIFO cannot seek): the body CRC is
 * computed first, then header, section table and sections go out in order.
 * A regular file (or a symlink's regular target) is replaced atomically via
 * a temporary file beside it; anything else is written through
 * (util/outfile.h).  On failure nothing is left at a regular path. */
int hh__net_write(const hh__net_parts *p, const char *path, uint64_t *bytes, char *err, size_t errlen)
{
    wsec s[32 + 128];
    int ns = 0;
    s[ns++] = (wsec){HH_SEC_META, 1, p->meta, strlen(p->meta)};
    s[ns++] = (wsec){HH_SEC_NODE_LL, sizeof(hh__ll), p->node_ll, p->n_nodes};
    s[ns++] = (wsec){HH_SEC_EDGE, sizeof(hh__edge), p->edges, p->n_edges};
    s[ns++] = (wsec){HH_SEC_SHAPE_FIRST, 4, p->shape_first, (uint64_t)p->n_edges + 1};
    s[ns++] = (wsec){HH_SEC_SHAPE_LL, sizeof(hh__ll), p->shape_ll, p->n_shape};
    for (int m = 0; m < HH_N_MODES; m++) {
        s[ns++] = (wsec){HH_SEC_FIRST_OUT + (uint32_t)m, 4, p->first_out[m], (uint64_t)p->n_nodes + 1};
        s[ns++] = (wsec){HH_SEC_ARC + (uint32_t)m, sizeof(hh__arc), p->arcs[m], p->n_arcs[m]};
    }
    s[ns++] = (wsec){HH_SEC_GRID, sizeof(hh__grid_hdr), &p->grid, 1};
    s[ns++] = (wsec){HH_SEC_GRID_FIRST, 4, p->grid_first, (uint64_t)p->grid.nx * p->grid.ny + 1};
    s[ns++] = (wsec){HH_SEC_GRID_ITEM, 4, p->grid_item, p->n_grid_items};
    s[ns++] = (wsec){HH_SEC_RESTRICTION, sizeof(hh__turn), p->turns, p->n_turns};
    s[ns++] = (wsec){HH_SEC_TURN_FIRST, 4, p->turn_first, (uint64_t)p->n_tnodes + 1};
    s[ns++] = (wsec){HH_SEC_TURN_ARC, sizeof(hh__arc), p->turn_arcs, p->n_tarcs};
    s[ns++] = (wsec){HH_SEC_TURN_DUP, 4, p->tdup, p->n_tdup};
    s[ns++] = (wsec){HH_SEC_CAR_IN_FIRST, 4, p->car_in_first, (uint64_t)p->n_nodes + 1};
    s[ns++] = (wsec){HH_SEC_CAR_IN, 4, p->car_in, p->n_arcs[HH_MODE_CAR]};
    for (uint32_t i = 0; i < p->n_extra; i++)
        s[ns++] = (wsec){p->extra[i].id, p->extra[i].elem, p->extra[i].data, p->extra[i].count};

    hh__section table[sizeof s / sizeof *s];
    memset(table, 0, sizeof table); /* gcc -fsanitize cannot see the loop fill it */
    uint64_t off = HH_NET_HEADER_SIZE + (uint64_t)ns * sizeof(hh__section);
    for (int i = 0; i < ns; i++) {
        off = (off + 7) & ~(uint64_t)7;
        size_t n = (size_t)(s[i].count * s[i].elem);
        uint32_t scrc = n ? libdeflate_crc32(0, s[i].data, n) : libdeflate_crc32(0, NULL, 0);
        table[i] = (hh__section){s[i].id, s[i].elem, off, s[i].count, HH_SEC_CRC_SET | scrc};
        off += s[i].count * s[i].elem;
    }
    uint64_t file_size = (off + 7) & ~(uint64_t)7;
    size_t table_len = (size_t)ns * sizeof(hh__section);
    static const uint8_t zeros[8] = {0};

    /* body CRC covers everything after the header, padding included */
    uint32_t crc = libdeflate_crc32(0, table, table_len);
    uint64_t pos = HH_NET_HEADER_SIZE + table_len;
    for (int i = 0; i < ns; i++) {
        crc = libdeflate_crc32(crc, zeros, (size_t)(table[i].offset - pos));
        size_t n = (size_t)(s[i].count * s[i].elem);
        if (n)
            crc = libdeflate_crc32(crc, s[i].data, n);
        pos = table[i].offset + n;
    }
    crc = libdeflate_crc32(crc, zeros, (size_t)(file_size - pos));
    uint8_t hdr[HH_NET_HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, HH_NET_MAGIC, 8);
    put32(hdr + OFF_VERSION, HH_NET_VERSION);
    put32(hdr + OFF_HDRSIZE, HH_NET_HEADER_SIZE);
    put64(hdr + OFF_FILESIZE, file_size);
    put32(hdr + OFF_NSECT, (uint32_t)ns);
    put64(hdr + OFF_SECTOFF, HH_NET_HEADER_SIZE);
    put32(hdr + OFF_BODYCRC, crc);
    put32(hdr + OFF_HDRCRC, libdeflate_crc32(0, hdr, OFF_HDRCRC));

    hh__outfile of;
    int rc = hh__outfile_open(&of, path, err, errlen);
    if (rc)
        return rc;
    if (hh__write_all(of.fd, hdr, sizeof hdr) || hh__write_all(of.fd, table, table_len))
        goto io_fail;
    pos = HH_NET_HEADER_SIZE + table_len;
    for (int i = 0; i < ns; i++) {
        if (hh__write_all(of.fd, zeros, (size_t)(table[i].offset - pos)))
            goto io_fail;
        size_t n = (size_t)(s[i].count * s[i].elem);
        if (n && hh__write_all(of.fd, s[i].data, n))
            goto io_fail;
        pos = table[i].offset + n;
    }
    if (hh__write_all(of.fd, zeros, (size_t)(file_size - pos)))
        goto io_fail;
    if ((rc = hh__outfile_commit(&of, path, err, errlen)))
        return rc;
    if (bytes)
        *bytes = file_size;
    return 0;
io_fail:
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    hh__outfile_abort(&of);
    return HH_EIO;
}

void hh__net_parts_free(hh__net_parts *p)
{
    if (!p)
        return;
    hh__free(p->node_ll), hh__free(p->edges), hh__free(p->shape_first), hh__free(p->shape_ll);
    for (int m = 0; m < HH_N_MODES; m++)
        hh__free(p->first_out[m]), hh__free(p->arcs[m]);
    hh__free(p->grid_first), hh__free(p->grid_item), hh__free(p->turns), hh__free(p->meta);
    hh__free(p->turn_first), hh__free(p->turn_arcs), hh__free(p->tdup);
    hh__free(p->car_in_first), hh__free(p->car_in);
    for (uint32_t i = 0; i < p->n_owned; i++)
        hh__free(p->owned[i]);
    memset(p, 0, sizeof *p);
}

int hh__net_parts_add(hh__net_parts *p, uint32_t id, uint32_t elem, const void *data, uint64_t count, int own)
{
    if (p->n_extra == 128 || (own && p->n_owned == 128)) {
        if (own)
            hh__free((void *)data);
        return HH_ERANGE;
    }
    p->extra[p->n_extra].id = id;
    p->extra[p->n_extra].elem = elem;
    p->extra[p->n_extra].data = data;
    p->extra[p->n_extra].count = count;
    p->n_extra++;
    if (own)
        p->owned[p->n_owned++] = (void *)data;
    return 0;
}

/* ---- open & validate ------------------------------------------------- */

#define FAIL(code, ...)                                  \
    do {                                                 \
        snprintf(err, errlen, __VA_ARGS__);              \
        return (code);                                   \
    } while (0)

static const void *find_sec(const uint8_t *map, const hh__section *tab, uint32_t ns, uint32_t id,
                            uint32_t elem, uint64_t *count)
{
    (void)map;
    for (uint32_t i = 0; i < ns; i++)
        if (tab[i].id == id) {
            if (tab[i].elem_size != elem)
                return NULL;
            *count = tab[i].count;
            return map + tab[i].offset;
        }
    return NULL;
}

static int check_first(const uint32_t *f, uint64_t n, uint64_t total)
{
    if (f[0] != 0 || f[n - 1] != total)
        return -1;
    for (uint64_t i = 1; i < n; i++)
        if (f[i] < f[i - 1])
            return -1;
    return 0;
}

/* HH_NET_OPEN_CRC_MAX, or the environment's HALFHOUR_OPEN_CRC_MAX (bytes;
 * 0 never checks the body on open: how the tests reach the large-file path
 * with a small file) */
static size_t open_crc_max(void)
{
    const char *v = getenv("HALFHOUR_OPEN_CRC_MAX");
    if (v && *v) {
        char *end;
        unsigned long long x = strtoull(v, &end, 10);
        if (!*end)
            return (size_t)x;
    }
    return HH_NET_OPEN_CRC_MAX;
}

static int validate(hh_net *net, const char *path, int body_crc, char *err, size_t errlen)
{
    const uint8_t *m = net->map;
    size_t len = net->map_len;
    if (len < HH_NET_HEADER_SIZE) {
        if (len >= 8 && memcmp(m, HH_NET_MAGIC, 8) == 0)
            FAIL(HH_ETRUNCATED, "%s: network file truncated (%zu bytes)", path, len);
        FAIL(HH_EFORMAT, "%s: not a halfhour network file", path);
    }
    if (memcmp(m, HH_NET_MAGIC, 8))
        FAIL(HH_EFORMAT, "%s: not a halfhour network file (bad magic)", path);
    if (get32(m + OFF_HDRCRC) != libdeflate_crc32(0, m, OFF_HDRCRC))
        FAIL(HH_ECHECKSUM, "%s: network file header corrupted (checksum mismatch)", path);
    uint32_t ver = get32(m + OFF_VERSION);
    if (ver != HH_NET_VERSION)
        FAIL(HH_EVERSION, "%s: network format version %u, this halfhour reads version %u: rebuild it",
             path, ver, HH_NET_VERSION);
    uint64_t fsz = get64(m + OFF_FILESIZE);
    if (fsz > len)
        FAIL(HH_ETRUNCATED, "%s: network file truncated (%zu of %llu bytes)", path, len,
             (unsigned long long)fsz);
    if (fsz < len)
        FAIL(HH_EFORMAT, "%s: network file has %llu trailing bytes", path,
             (unsigned long long)(len - fsz));
    if (body_crc && len <= open_crc_max() &&
        get32(m + OFF_BODYCRC) != libdeflate_crc32(0, m + HH_NET_HEADER_SIZE, len - HH_NET_HEADER_SIZE))
        FAIL(HH_ECHECKSUM, "%s: network file corrupted (checksum mismatch)", path);
    uint32_t ns = get32(m + OFF_NSECT);
    uint64_t toff = get64(m + OFF_SECTOFF);
    if (ns > 256 || toff != HH_NET_HEADER_SIZE || toff + (uint64_t)ns * sizeof(hh__section) > len)
        FAIL(HH_EFORMAT, "%s: bad section table", path);
    const hh__section *tab = (const hh__section *)(m + toff);
    for (uint32_t i = 0; i < ns; i++) {
        if (tab[i].offset % 8 || tab[i].offset > len || tab[i].elem_size == 0 ||
            tab[i].count > (len - tab[i].offset) / tab[i].elem_size)
            FAIL(HH_EFORMAT, "%s: section %u out of bounds", path, tab[i].id);
    }
    uint64_t c;
#define SEC(ptr, id, type, need_count)                                                  \
    do {                                                                                \
        ptr = find_sec(m, tab, ns, (id), sizeof(type), &c);                             \
        if (!ptr)                                                                       \
            FAIL(HH_EFORMAT, "%s: section %u missing or malformed", path, (unsigned)(id)); \
        if ((need_count) != UINT64_MAX && c != (need_count))                            \
            FAIL(HH_EFORMAT, "%s: section %u has a wrong size", path, (unsigned)(id));  \
    } while (0)
    const char *meta;
    SEC(meta, HH_SEC_META, char, UINT64_MAX);
    net->meta = meta;
    net->meta_len = (size_t)c;
    SEC(net->node_ll, HH_SEC_NODE_LL, hh__ll, UINT64_MAX);
    if (c >= UINT32_MAX)
        FAIL(HH_EFORMAT, "%s: too many nodes", path);
    net->n_nodes = (uint32_t)c;
    SEC(net->edges, HH_SEC_EDGE, hh__edge, UINT64_MAX);
    if (c >= UINT32_MAX / 2)
        FAIL(HH_EFORMAT, "%s: too many edges", path);
    net->n_edges = (uint32_t)c;
    SEC(net->shape_first, HH_SEC_SHAPE_FIRST, uint32_t, (uint64_t)net->n_edges + 1);
    SEC(net->shape_ll, HH_SEC_SHAPE_LL, hh__ll, UINT64_MAX);
    if (c >= UINT32_MAX)
        FAIL(HH_EFORMAT, "%s: section too large for 32-bit ids", path);
    net->n_shape = (uint32_t)c;
    for (int md = 0; md < HH_N_MODES; md++) {
        SEC(net->first_out[md], HH_SEC_FIRST_OUT + (uint32_t)md, uint32_t, (uint64_t)net->n_nodes + 1);
        SEC(net->arcs[md], HH_SEC_ARC + (uint32_t)md, hh__arc, UINT64_MAX);
        if (c >= UINT32_MAX)
            FAIL(HH_EFORMAT, "%s: section too large for 32-bit ids", path);
        net->n_arcs[md] = (uint32_t)c;
    }
    SEC(net->grid, HH_SEC_GRID, hh__grid_hdr, 1);
    const hh__grid_hdr *g = net->grid;
    /* the builder's cells are 200 m and up; the plane's scales and origin
     * finite (snapping does cell arithmetic on them) */
    if (g->nx == 0 || g->ny == 0 || g->nx > 100000 || g->ny > 100000 || !(g->cell_m >= 1 && g->cell_m <= 1e7) ||
        !(g->mx > 0 && g->mx < 1e9) || !(g->my > 0 && g->my < 1e9) || !isfinite(g->x0) || !isfinite(g->y0) ||
        !isfinite(g->lon0) || !isfinite(g->lat0))
        FAIL(HH_EFORMAT, "%s: bad spatial index header", path);
    SEC(net->grid_first, HH_SEC_GRID_FIRST, uint32_t, (uint64_t)g->nx * g->ny + 1);
    SEC(net->grid_item, HH_SEC_GRID_ITEM, uint32_t, UINT64_MAX);
    if (c >= UINT32_MAX)
        FAIL(HH_EFORMAT, "%s: section too large for 32-bit ids", path);
    net->n_grid_items = (uint32_t)c;
    SEC(net->turns, HH_SEC_RESTRICTION, hh__turn, UINT64_MAX);
    if (c >= UINT32_MAX)
        FAIL(HH_EFORMAT, "%s: section too large for 32-bit ids", path);
    net->n_turns = (uint32_t)c;
    const uint32_t na = net->n_arcs[HH_MODE_CAR];
    SEC(net->tdup, HH_SEC_TURN_DUP, uint32_t, UINT64_MAX);
    if (c >= UINT32_MAX - na)
        FAIL(HH_EFORMAT, "%s: too many turn nodes", path);
    net->n_tdup = (uint32_t)c;
    net->n_tnodes = na + net->n_tdup;
    SEC(net->turn_first, HH_SEC_TURN_FIRST, uint32_t, (uint64_t)net->n_tnodes + 1);
    SEC(net->turn_arcs, HH_SEC_TURN_ARC, hh__arc, UINT64_MAX);
    if (c >= UINT32_MAX)
        FAIL(HH_EFORMAT, "%s: too many turns", path);
    net->n_tarcs = (uint32_t)c;
    SEC(net->car_in_first, HH_SEC_CAR_IN_FIRST, uint32_t, (uint64_t)net->n_nodes + 1);
    SEC(net->car_in, HH_SEC_CAR_IN, uint32_t, UINT64_MAX);
    if (c != na)
        FAIL(HH_EFORMAT, "%s: section %u has a wrong size", path, (unsigned)HH_SEC_CAR_IN);
#undef SEC
    net->sections = tab;
    net->n_sections = ns;
    /* every stored index in range: searches rely on it */
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (ed->from >= net->n_nodes || ed->to >= net->n_nodes || ed->road_class >= HH_N_CLASSES)
            FAIL(HH_EFORMAT, "%s: edge %u refers to a missing node", path, e);
    }
    if (check_first(net->shape_first, (uint64_t)net->n_edges + 1, net->n_shape))
        FAIL(HH_EFORMAT, "%s: bad shape index", path);
    for (int md = 0; md < HH_N_MODES; md++) {
        if (check_first(net->first_out[md], (uint64_t)net->n_nodes + 1, net->n_arcs[md]))
            FAIL(HH_EFORMAT, "%s: bad adjacency index (%s)", path, hh_mode_name((hh_mode)md));
        for (uint32_t a = 0; a < net->n_arcs[md]; a++) {
            const hh__arc *arc = &net->arcs[md][a];
            if (arc->head >= net->n_nodes || (arc->edge_dir >> 1) >= net->n_edges ||
                arc->dur_ds == HH_DUR_NONE)
                FAIL(HH_EFORMAT, "%s: bad arc %u (%s)", path, a, hh_mode_name((hh_mode)md));
        }
    }
    if (check_first(net->grid_first, (uint64_t)g->nx * g->ny + 1, net->n_grid_items))
        FAIL(HH_EFORMAT, "%s: bad spatial index", path);
    for (uint32_t i = 0; i < net->n_grid_items; i++)
        if (net->grid_item[i] >= net->n_edges)
            FAIL(HH_EFORMAT, "%s: bad spatial index item", path);
    for (uint32_t i = 0; i < net->n_turns; i++) {
        const hh__turn *t = &net->turns[i];
        if (t->from_edge >= net->n_edges || t->to_edge >= net->n_edges || t->via_node >= net->n_nodes)
            FAIL(HH_EFORMAT, "%s: bad turn restriction", path);
    }
    /* the turn graph: copies name car arcs, moves join an arc to one that
     * leaves its head, arcs by head list each car arc once */
    const hh__arc *ca = net->arcs[HH_MODE_CAR];
    const uint32_t *cfo = net->first_out[HH_MODE_CAR];
    for (uint32_t i = 0; i < net->n_tdup; i++)
        if (net->tdup[i] >= na)
            FAIL(HH_EFORMAT, "%s: bad turn node copy", path);
    if (check_first(net->turn_first, (uint64_t)net->n_tnodes + 1, net->n_tarcs) ||
        check_first(net->car_in_first, (uint64_t)net->n_nodes + 1, na))
        FAIL(HH_EFORMAT, "%s: bad turn graph index", path);
    uint32_t maxdeg = 0;
    for (uint32_t t = 0; t < net->n_tnodes; t++) {
        uint32_t a = hh__tnode_arc(net, t), v = ca[a].head;
        uint32_t deg = net->turn_first[t + 1] - net->turn_first[t];
        maxdeg = deg > maxdeg ? deg : maxdeg;
        for (uint32_t k = net->turn_first[t]; k < net->turn_first[t + 1]; k++) {
            const hh__arc *ta = &net->turn_arcs[k];
            if (ta->head >= net->n_tnodes || ta->dur_ds == HH_DUR_NONE)
                FAIL(HH_EFORMAT, "%s: bad turn %u", path, k);
            uint32_t b = hh__tnode_arc(net, ta->head);
            if (b < cfo[v] || b >= cfo[v + 1])
                FAIL(HH_EFORMAT, "%s: turn %u does not leave where it arrives", path, k);
        }
    }
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        uint32_t deg = net->car_in_first[v + 1] - net->car_in_first[v];
        maxdeg = deg > maxdeg ? deg : maxdeg;
        uint32_t out = cfo[v + 1] - cfo[v];
        maxdeg = out > maxdeg ? out : maxdeg;
        for (uint32_t k = net->car_in_first[v]; k < net->car_in_first[v + 1]; k++)
            if (net->car_in[k] >= na || ca[net->car_in[k]].head != v)
                FAIL(HH_EFORMAT, "%s: bad car arc index", path);
    }
    /* a point's seeds: every move out of both directions of its edge, or
     * every arc at a vertex, plus the copies of those arcs */
    uint32_t maxcopies = 0;
    if (net->n_tdup) {
        uint32_t *copies = hh__calloc(na, sizeof *copies);
        if (!copies)
            FAIL(HH_ENOMEM, "%s: out of memory", path);
        for (uint32_t i = 0; i < net->n_tdup; i++)
            if (++copies[net->tdup[i]] > maxcopies)
                maxcopies = copies[net->tdup[i]];
        hh__free(copies);
    }
    net->max_seeds = 2 * (maxdeg + 1) * (1 + maxcopies);
    for (int md = 0; md < HH_N_MODES; md++) {
        double sum_len = 0, sum_dur = 0;
        for (uint32_t a = 0; a < net->n_arcs[md]; a++)
            sum_len += net->arcs[md][a].len_dm, sum_dur += net->arcs[md][a].dur_ds;
        net->mean_mps[md] = sum_dur > 0 ? sum_len / sum_dur : 0;
    }
    return 0;
}

/* meta is "key=value\n" lines; meta_copy holds them NUL-separated. */
static const char *meta_get(const hh_net *net, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = net->meta_copy; p < net->meta_copy + net->meta_len; p += strlen(p) + 1)
        if (!strncmp(p, key, kl) && p[kl] == '=')
            return p + kl + 1;
    return "";
}

static void fill_info(hh_net *net)
{
    hh_net_info *in = &net->info;
    memset(in, 0, sizeof *in);
    in->format_version = HH_NET_VERSION;
    in->n_nodes = net->n_nodes;
    in->n_edges = net->n_edges;
    in->restrictions = net->n_turns;
    in->file_bytes = net->map_len;
    for (int m = 0; m < HH_N_MODES; m++) {
        in->arcs[m] = net->n_arcs[m];
        uint32_t k = 0;
        for (uint32_t v = 0; v < net->n_nodes; v++)
            k += net->first_out[m][v + 1] != net->first_out[m][v];
        in->scc_nodes[m] = k;
    }
    in->min_lon = net->grid->min_lon, in->min_lat = net->grid->min_lat;
    in->max_lon = net->grid->max_lon, in->max_lat = net->grid->max_lat;
    for (size_t i = 0; i < net->meta_len; i++)
        if (net->meta_copy[i] == '\n')
            net->meta_copy[i] = 0;
    /* the profile lines restore the settings the file was built with */
    hh_profile_default(&in->profile);
    for (const char *p = net->meta_copy; p < net->meta_copy + net->meta_len; p += strlen(p) + 1)
        if (!strncmp(p, "profile.", 8))
            hh_profile_set(&in->profile, p + 8, NULL, 0);
    in->restrictions_via_way = (uint32_t)strtoul(meta_get(net, "turns.restrictions_via_way"), NULL, 10);
    in->restrictions_skipped = (uint32_t)strtoul(meta_get(net, "turns.restrictions_skipped"), NULL, 10);
    in->car_barriers = (uint32_t)strtoul(meta_get(net, "turns.car_barriers"), NULL, 10);
    in->barrier_copies = (uint32_t)strtoul(meta_get(net, "turns.barrier_copies"), NULL, 10);
    in->signals = (uint32_t)strtoul(meta_get(net, "turns.signals"), NULL, 10);
    in->turn_moves = net->n_tarcs;
    in->source = meta_get(net, "source");
    in->built_at = meta_get(net, "built_at");
    /* components.<mode>.<field> lines: the islands the build kept and dropped */
    for (int m = 0; m < HH_N_MODES; m++) {
        hh_components *c = &in->comps[m];
        char key[64];
        const char *mn = hh_mode_name((hh_mode)m);
#define COMP_FIELD(field, name)                                        \
    snprintf(key, sizeof key, "components.%s." name, mn);              \
    c->field = (uint32_t)strtoul(meta_get(net, key), NULL, 10);
        COMP_FIELD(kept, "kept")
        COMP_FIELD(kept_for_stop, "kept_for_stop")
        COMP_FIELD(dropped, "dropped")
        COMP_FIELD(dropped_nodes, "dropped_vertices")
        COMP_FIELD(dropped_largest, "dropped_largest")
#undef COMP_FIELD
        snprintf(key, sizeof key, "components.%s.sizes", mn);
        const char *v = meta_get(net, key);
        for (int k = 0; k < HH_COMP_SIZES && *v; k++) {
            char *end;
            c->sizes[k] = (uint32_t)strtoul(v, &end, 10);
            if (end == v)
                break;
            v = *end == ',' ? end + 1 : end;
        }
    }
    /* shape points may lie outside the vertices' bbox */
    int32_t x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        hh__ll p = net->node_ll[v];
        x0 = p.lon_e7 < x0 ? p.lon_e7 : x0, x1 = p.lon_e7 > x1 ? p.lon_e7 : x1;
        y0 = p.lat_e7 < y0 ? p.lat_e7 : y0, y1 = p.lat_e7 > y1 ? p.lat_e7 : y1;
    }
    for (uint32_t s = 0; s < net->n_shape; s++) {
        hh__ll p = net->shape_ll[s];
        x0 = p.lon_e7 < x0 ? p.lon_e7 : x0, x1 = p.lon_e7 > x1 ? p.lon_e7 : x1;
        y0 = p.lat_e7 < y0 ? p.lat_e7 : y0, y1 = p.lat_e7 > y1 ? p.lat_e7 : y1;
    }
    if (x0 > x1) { /* no vertices: the grid's bbox */
        net->ext_min_lon = in->min_lon, net->ext_min_lat = in->min_lat;
        net->ext_max_lon = in->max_lon, net->ext_max_lat = in->max_lat;
    } else {
        net->ext_min_lon = x0 * 1e-7, net->ext_min_lat = y0 * 1e-7;
        net->ext_max_lon = x1 * 1e-7, net->ext_max_lat = y1 * 1e-7;
    }
}

/* The speed-up index is optional: without it searches use Dijkstra. */
static int open_ch(hh_net *net, const char *path, char *err, size_t errlen)
{
    for (int m = 0; m < HH_N_MODES; m++) {
        uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0;
        uint32_t id = (uint32_t)m;
        hh__ch ch = {0};
        ch.rank = hh__net_section(net, HH_SEC_CH_RANK + id, 4, &c0);
        if (!ch.rank)
            continue;
        ch.fwd_first = hh__net_section(net, HH_SEC_CH_FWD_FIRST + id, 4, &c1);
        ch.fwd = hh__net_section(net, HH_SEC_CH_FWD + id, sizeof(hh__ch_arc), &c2);
        ch.bwd_first = hh__net_section(net, HH_SEC_CH_BWD_FIRST + id, 4, &c3);
        ch.bwd = hh__net_section(net, HH_SEC_CH_BWD + id, sizeof(hh__ch_arc), &c4);
        uint32_t n = hh__search_n(net, m);
        if (!ch.fwd_first || !ch.fwd || !ch.bwd_first || !ch.bwd || c0 != n ||
            c1 != (uint64_t)n + 1 || c3 != c1 || c2 >= UINT32_MAX || c4 >= UINT32_MAX)
            FAIL(HH_EFORMAT, "%s: bad speed-up index (%s)", path, hh_mode_name((hh_mode)m));
        ch.n = n;
        ch.n_fwd = (uint32_t)c2, ch.n_bwd = (uint32_t)c4;
        int rc = hh__ch_check(&ch);
        if (rc == HH_ENOMEM)
            FAIL(HH_ENOMEM, "%s: out of memory", path);
        if (rc)
            FAIL(HH_EFORMAT, "%s: bad speed-up index (%s)", path, hh_mode_name((hh_mode)m));
        if (!(ch.owned_tail = hh__alloc_array(ch.n_bwd ? ch.n_bwd : 1, sizeof *ch.owned_tail)))
            FAIL(HH_ENOMEM, "%s: out of memory", path);
        hh__ch_tails(&ch, ch.owned_tail);
        ch.bwd_tail = ch.owned_tail;
        net->ch[m] = ch;
        if (m == HH_MODE_CAR && n) {
            net->car_x_head = hh__alloc_array(n, sizeof *net->car_x_head);
            net->car_x_key = hh__alloc_array(n, sizeof *net->car_x_key);
            if (!net->car_x_head || !net->car_x_key)
                FAIL(HH_ENOMEM, "%s: out of memory", path);
            const hh__arc *A = net->arcs[HH_MODE_CAR];
            for (uint32_t t = 0; t < n; t++) {
                const hh__arc *a = &A[hh__tnode_arc(net, t)];
                net->car_x_head[ch.rank[t]] = a->head;
                net->car_x_key[ch.rank[t]] = (uint64_t)a->dur_ds << 32 | a->len_dm;
            }
        }
    }
    return 0;
}

static int net_open(const char *path, int body_crc, hh_net **out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        FAIL(HH_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        FAIL(HH_EIO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        FAIL(HH_EFORMAT, "%s: empty file, not a halfhour network", path);
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        FAIL(HH_EIO, "%s: cannot map: %s", path, strerror(errno));
    hh_net *net = hh__calloc(1, sizeof *net);
    if (!net) {
        munmap(map, (size_t)st.st_size);
        FAIL(HH_ENOMEM, "%s: out of memory", path);
    }
    net->map = map;
    net->map_len = (size_t)st.st_size;
    int rc = validate(net, path, body_crc, err, errlen);
    if (!rc) {
        net->meta_copy = hh__malloc(net->meta_len + 1);
        if (!net->meta_copy) {
            rc = HH_ENOMEM;
            snprintf(err, errlen, "%s: out of memory", path);
        } else {
            memcpy(net->meta_copy, net->meta, net->meta_len);
            net->meta_copy[net->meta_len] = 0;
            fill_info(net);
            rc = open_ch(net, path, err, errlen);
            if (!rc)
                rc = hh__transit_open(net, path, err, errlen);
        }
    }
    if (rc) {
        hh_net_close(net);
        return rc;
    }
    *out = net;
    return 0;
}

int hh_net_open(const char *path, hh_net **out, char *err, size_t errlen)
{
    return net_open(path, 1, out, err, errlen);
}

int hh_net_verify(const char *path, hh_net_verify_info *out, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    hh_net_verify_info vi = {0};
    hh_net *net;
    /* the structure first (a table out of bounds names no section), then
     * the sections' checksums, so that the message can name the section */
    int rc = net_open(path, 0, &net, err, errlen);
    if (rc)
        return rc;
    const uint8_t *m = net->map;
    size_t len = net->map_len;
    for (uint32_t i = 0; i < net->n_sections; i++) {
        const hh__section *t = &net->sections[i];
        if (!(t->reserved & HH_SEC_CRC_SET))
            continue;
        size_t n = (size_t)(t->count * t->elem_size);
        uint32_t want = (uint32_t)t->reserved, got = libdeflate_crc32(0, m + t->offset, n);
        vi.sections_checked++;
        vi.bytes_checked += n;
        if (got != want) {
            unsigned id = t->id;
            unsigned long long at = t->offset;
            hh_net_close(net); /* t pointed into the mapping */
            FAIL(HH_ECHECKSUM, "%s: network file corrupted: section %u (%llu bytes at offset %llu) fails its checksum",
                 path, id, (unsigned long long)n, at);
        }
    }
    vi.n_sections = net->n_sections;
    /* then the whole body: the table itself and the padding between sections */
    uint32_t body = libdeflate_crc32(0, m + HH_NET_HEADER_SIZE, len - HH_NET_HEADER_SIZE);
    uint32_t want = get32(m + OFF_BODYCRC);
    hh_net_close(net);
    if (body != want)
        FAIL(HH_ECHECKSUM, "%s: network file corrupted (body checksum mismatch: section table or padding)", path);
    vi.file_bytes = len;
    if (out)
        *out = vi;
    return 0;
}

void hh_net_close(hh_net *net)
{
    if (!net)
        return;
    if (net->map)
        munmap((void *)net->map, net->map_len);
    hh__free(net->meta_copy);
    hh__transit_close(net->transit);
    hh__free(net->car_x_head), hh__free(net->car_x_key);
    hh__lazy_free(net->lazy);
    for (int m = 0; m < HH_N_MODES; m++)
        hh__free(net->ch[m].owned_tail);
    hh__free(net);
}

void hh_net_get_info(const hh_net *net, hh_net_info *out) { *out = net->info; }

const void *hh__net_section(const hh_net *net, uint32_t id, uint32_t elem, uint64_t *count)
{
    return find_sec(net->map, net->sections, net->n_sections, id, elem, count);
}

uint32_t hh_net_n_edges(const hh_net *net) { return net->n_edges; }

int hh_net_edge(const hh_net *net, hh_mode mode, uint32_t e, hh_edge_view *out)
{
    if (e >= net->n_edges || (unsigned)mode >= HH_N_MODES || !(net->edges[e].mode_mask & (1u << mode)))
        return HH_ERANGE;
    const hh__edge *ed = &net->edges[e];
    out->from = ed->from, out->to = ed->to;
    out->len_m = ed->len_mm / 1000.0;
    out->fwd_s = ed->dur_ds[mode][0] == HH_DUR_NONE ? -1 : ed->dur_ds[mode][0] / 10.0;
    out->bwd_s = ed->dur_ds[mode][1] == HH_DUR_NONE ? -1 : ed->dur_ds[mode][1] / 10.0;
    out->from_lon = net->node_ll[ed->from].lon_e7 * 1e-7;
    out->from_lat = net->node_ll[ed->from].lat_e7 * 1e-7;
    out->to_lon = net->node_ll[ed->to].lon_e7 * 1e-7;
    out->to_lat = net->node_ll[ed->to].lat_e7 * 1e-7;
    out->road_class = ed->road_class;
    out->way_id = (int64_t)((uint64_t)ed->way_id_hi << 32 | ed->way_id_lo);
    return 0;
}

int hh_net_edge_shape(const hh_net *net, uint32_t e, double *lonlat, size_t cap)
{
    if (e >= net->n_edges)
        return HH_ERANGE;
    const hh__edge *ed = &net->edges[e];
    uint32_t s0 = net->shape_first[e], s1 = net->shape_first[e + 1];
    size_t n = (size_t)(s1 - s0) + 2;
    if (n > (size_t)INT32_MAX)
        return HH_ERANGE;
    for (size_t k = 0; k < n && k < cap; k++) {
        hh__ll p = k == 0 ? net->node_ll[ed->from] : k == n - 1 ? net->node_ll[ed->to] : net->shape_ll[s0 + k - 1];
        lonlat[2 * k] = p.lon_e7 * 1e-7, lonlat[2 * k + 1] = p.lat_e7 * 1e-7;
    }
    return (int)n;
}

int hh_net_vertex(const hh_net *net, uint32_t v, double *lon, double *lat)
{
    if (v >= net->n_nodes)
        return HH_ERANGE;
    *lon = net->node_ll[v].lon_e7 * 1e-7;
    *lat = net->node_ll[v].lat_e7 * 1e-7;
    return 0;
}

int hh_net_vertices(const hh_net *net, uint32_t first, size_t n, double *lon, double *lat)
{
    if (first > net->n_nodes || n > net->n_nodes - first)
        return HH_ERANGE;
    for (size_t i = 0; i < n; i++) {
        if (lon)
            lon[i] = net->node_ll[first + i].lon_e7 * 1e-7;
        if (lat)
            lat[i] = net->node_ll[first + i].lat_e7 * 1e-7;
    }
    return 0;
}

int hh_net_scenario(const hh_net *net, hh_net_scenario_info *out)
{
    const char *sha = meta_get(net, "scenario.sha256");
    if (!*sha)
        return 0;
    out->change = meta_get(net, "scenario.change");
    out->sha256 = sha;
    out->summary = meta_get(net, "scenario.summary");
    out->base = meta_get(net, "scenario.base");
    out->applied_at = meta_get(net, "scenario.applied_at");
    return 1;
}
