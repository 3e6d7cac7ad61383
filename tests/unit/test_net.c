/* test_net.c: the network file refuses every kind of damage with the right
 * code, and the build keeps what the profile says. */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hhtest.h"
#include "net/net.h"
#include "testnet.h"

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static int open_code(const char *path)
{
    hh_net *net = NULL;
    char err[256] = "";
    int rc = hh_net_open(path, &net, err, sizeof err);
    if (rc == 0)
        hh_net_close(net);
    else if (!*err || strchr(err, '\n'))
        return 999; /* every failure must come with a one-line message */
    return rc;
}

HH_TEST(net_file_damage_is_refused)
{
    const char *path = hh_test_net_path("poa");
    if (!path)
        return;
    size_t n;
    unsigned char *b = slurp(path, &n);
    HH_ASSERT(b && n > 4096);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/damaged.hh", hh_test_tmpdir());
    HH_ASSERT_EQ(open_code(path), 0);
    /* truncated anywhere */
    size_t cuts[] = {0, 5, 64, 127, 128, 1000, n / 2, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        spit(bad, b, cuts[i]);
        int rc = open_code(bad);
        HH_ASSERT(rc == HH_ETRUNCATED || rc == HH_EFORMAT);
    }
    /* one flipped bit anywhere in the body or header */
    uint64_t rng = 3;
    for (int i = 0; i < 40; i++) {
        size_t at = (size_t)(hh_test_rand(&rng) % n);
        b[at] ^= (unsigned char)(1u << (i % 8));
        spit(bad, b, n);
        int rc = open_code(bad);
        b[at] ^= (unsigned char)(1u << (i % 8));
        HH_ASSERT(rc == HH_ECHECKSUM || rc == HH_EFORMAT || rc == HH_EVERSION || rc == HH_ETRUNCATED);
    }
    /* another version, with a correct header checksum */
    uint32_t v = 99;
    memcpy(b + 8, &v, 4);
    uint32_t crc = libdeflate_crc32(0, b, 44);
    memcpy(b + 44, &crc, 4);
    spit(bad, b, n);
    HH_ASSERT_EQ(open_code(bad), HH_EVERSION);
    /* not a network file at all */
    spit(bad, (const unsigned char *)"\x89PNG\r\n\x1a\n0000000000000000000000000000000000000000", 48);
    HH_ASSERT_EQ(open_code(bad), HH_EFORMAT);
    HH_ASSERT_EQ(open_code("/nonexistent/net.hh"), HH_EIO);
    HH_ASSERT_EQ(open_code(hh_test_tmpdir()), HH_EIO);
    free(b);
}

HH_TEST(net_info_counts_and_profile)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_net_info in;
    hh_net_get_info(net, &in);
    HH_ASSERT_STR(in.source, "porto.osm.pbf");
    HH_ASSERT(in.n_nodes > 60000 && in.n_nodes < 200000);
    HH_ASSERT(in.scc_nodes[HH_MODE_CAR] > 60000);
    /* the islands the build kept and dropped, read back from the meta */
    for (int m = 0; m < HH_N_MODES; m++) {
        const hh_components *c = &in.comps[m];
        HH_ASSERT(c->kept >= 1 && c->sizes[0] > 0 && c->sizes[0] <= in.scc_nodes[m]);
        uint64_t sum = 0;
        for (int k = 0; k < HH_COMP_SIZES; k++) {
            HH_ASSERT(k == 0 || c->sizes[k] <= c->sizes[k - 1]);
            HH_ASSERT((uint32_t)k < c->kept || c->sizes[k] == 0);
            HH_ASSERT(c->sizes[k] == 0 || c->sizes[k] >= (k ? in.profile.island_min_vertices : 1));
            sum += c->sizes[k];
        }
        HH_ASSERT(c->kept > HH_COMP_SIZES || sum == in.scc_nodes[m]);
        HH_ASSERT(c->dropped_largest < in.profile.island_min_vertices);
        HH_ASSERT(c->dropped == 0 || (c->dropped_nodes >= c->dropped && c->dropped_largest > 0));
        HH_ASSERT_EQ(c->kept_for_stop, 0); /* no feeds */
    }
    HH_ASSERT(in.comps[HH_MODE_CAR].sizes[0] > 60000);
    HH_ASSERT(in.restrictions > 100);
    HH_ASSERT(in.min_lon > -8.8 && in.max_lon < -8.3 && in.min_lat > 40.9 && in.max_lat < 41.4);
    hh_profile d;
    hh_profile_default(&d);
    HH_ASSERT(memcmp(&d, &in.profile, sizeof d) == 0);
    /* every kept arc joins vertices of its mode's component */
    for (int m = 0; m < HH_N_MODES; m++)
        for (uint32_t v = 0; v < net->n_nodes; v++)
            for (uint32_t a = net->first_out[m][v]; a < net->first_out[m][v + 1]; a++) {
                uint32_t h = net->arcs[m][a].head;
                HH_ASSERT(net->first_out[m][h + 1] > net->first_out[m][h]);
            }
    hh_net_close(net);
}

HH_TEST(build_reads_bz2_xml)
{
    const char *path = hh_test_net_path("oakland");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    hh_net_info in;
    hh_net_get_info(net, &in);
    HH_ASSERT(in.n_nodes > 20);
    HH_ASSERT(in.arcs[HH_MODE_WALK] > 20);
    hh_net_close(net);
}

HH_TEST(build_refuses_bad_input_and_leaves_nothing)
{
    char out[512], in[512], err[256];
    snprintf(out, sizeof out, "%s/bad-out.hh", hh_test_tmpdir());
    hh_profile p;
    hh_profile_default(&p);
    struct stat st;
    const char *cases[][2] = {{"empty.pbf", ""},
                              {"png.pbf", "\x89PNG\r\n\x1a\nIHDR0000000000000"},
                              {"text.osm", "<osm><node id='1' lat='x'"},
                              {"none.osm", "<?xml version='1.0'?><osm version='0.6'></osm>"},
                              {"junk.osm.bz2", "BZh91AY&SYjunkjunk"},
                              {"weird.txt", "hello"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(in, sizeof in, "%s/%s", hh_test_tmpdir(), cases[i][0]);
        spit(in, (const unsigned char *)cases[i][1], strlen(cases[i][1]));
        err[0] = 0;
        int rc = hh_build(in, &p, out, NULL, NULL, NULL, err, sizeof err);
        HH_ASSERT(rc < 0);
        HH_ASSERT(err[0] && !strchr(err, '\n'));
        HH_ASSERT(stat(out, &st) != 0);
    }
    HH_ASSERT(hh_build("/nonexistent.osm.pbf", &p, out, NULL, NULL, NULL, err, sizeof err) == HH_EIO);
}

/* Writes b with section `id`'s record `rec` (elem bytes) patched at byte
 * `off` by `val`, checksums made right again, and returns the open code. */
static int patched_code(unsigned char *b, size_t n, const char *bad, uint32_t id, uint64_t rec, size_t off,
                        uint32_t val)
{
    uint32_t ns;
    memcpy(&ns, b + 24, 4);
    const hh__section *tab = (const hh__section *)(b + 128);
    for (uint32_t i = 0; i < ns; i++) {
        if (tab[i].id != id || rec >= tab[i].count)
            continue;
        unsigned char *at = b + tab[i].offset + rec * tab[i].elem_size + off;
        uint32_t old;
        memcpy(&old, at, 4);
        memcpy(at, &val, 4);
        uint32_t body = libdeflate_crc32(0, b + 128, n - 128);
        memcpy(b + 40, &body, 4);
        uint32_t head = libdeflate_crc32(0, b, 44);
        memcpy(b + 44, &head, 4);
        spit(bad, b, n);
        memcpy(at, &old, 4); /* the caller's copy stays whole */
        body = libdeflate_crc32(0, b + 128, n - 128);
        memcpy(b + 40, &body, 4);
        head = libdeflate_crc32(0, b, 44);
        memcpy(b + 44, &head, 4);
        return open_code(bad);
    }
    return -12345; /* no such section or record */
}

/* The car turn graph's sections are checked on open like the rest: a move
 * to a missing turn node, a move that does not start where its arc ends, a
 * car arc listed under the wrong head, a copy of a missing arc. */
HH_TEST(net_turn_graph_damage_is_refused)
{
    const char *path = hh_test_net_path("monaco");
    if (!path)
        return;
    size_t n;
    unsigned char *b = slurp(path, &n);
    HH_ASSERT(b && n > 4096);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/turns-damaged.hh", hh_test_tmpdir());
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    uint32_t nt = net->n_tnodes, na = net->n_arcs[HH_MODE_CAR];
    /* a move from the first turn node onto an arc leaving some other vertex */
    uint32_t head0 = net->arcs[HH_MODE_CAR][hh__tnode_arc(net, 0)].head, elsewhere = UINT32_MAX;
    for (uint32_t a = 0; a < na && elsewhere == UINT32_MAX; a++)
        if (a < net->first_out[HH_MODE_CAR][head0] || a >= net->first_out[HH_MODE_CAR][head0 + 1])
            elsewhere = a;
    HH_ASSERT(net->turn_first[1] > 0); /* the first turn node has a move to patch */
    hh_net_close(net);
    HH_ASSERT_EQ(patched_code(b, n, bad, HH_SEC_TURN_ARC, 0, 0, nt + 7), HH_EFORMAT);
    HH_ASSERT_EQ(patched_code(b, n, bad, HH_SEC_TURN_ARC, 0, 0, elsewhere), HH_EFORMAT);
    HH_ASSERT_EQ(patched_code(b, n, bad, HH_SEC_TURN_ARC, 0, 4, HH_DUR_NONE), HH_EFORMAT);
    HH_ASSERT_EQ(patched_code(b, n, bad, HH_SEC_CAR_IN, 0, 0, na + 1), HH_EFORMAT);
    HH_ASSERT_EQ(patched_code(b, n, bad, HH_SEC_TURN_FIRST, 1, 0, UINT32_MAX - 1), HH_EFORMAT);
    /* and the untouched file still opens */
    spit(bad, b, n);
    HH_ASSERT_EQ(open_code(bad), 0);
    free(b);
}

/* hh_net_vertices: every vertex's position at once, exactly hh_net_vertex's,
 * a range inside and the end refused. */
HH_TEST(net_vertices_bulk_equals_one_by_one)
{
    const char *path = hh_test_net_path("porto");
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    uint32_t nv = hh_net_n_vertices(net);
    double *lon = malloc(nv * sizeof *lon), *lat = malloc(nv * sizeof *lat);
    HH_ASSERT(lon && lat && nv > 1000);
    HH_ASSERT_EQ(hh_net_vertices(net, 0, nv, lon, lat), 0);
    size_t bad = 0;
    for (uint32_t v = 0; v < nv; v++) {
        double x, y;
        HH_ASSERT_EQ(hh_net_vertex(net, v, &x, &y), 0);
        bad += x != lon[v] || y != lat[v];
    }
    HH_ASSERT_EQ(bad, 0);
    double part[10];
    HH_ASSERT_EQ(hh_net_vertices(net, nv - 10, 10, NULL, part), 0);
    HH_ASSERT(memcmp(part, lat + nv - 10, sizeof part) == 0);
    HH_ASSERT_EQ(hh_net_vertices(net, nv - 10, 11, lon, lat), HH_ERANGE);
    HH_ASSERT_EQ(hh_net_vertices(net, nv + 1, 0, lon, lat), HH_ERANGE);
    HH_ASSERT_EQ(hh_net_vertices(net, nv, 0, lon, lat), 0);
    free(lon), free(lat);
    hh_net_close(net);
}
