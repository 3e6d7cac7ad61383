/* fuzz_net_sections.c: a valid network file mutated inside its sections.
 * Mutated whole files never open (the header and body checksums), so this
 * harness builds one small network at start -- a 7 x 7 street grid with
 * oneways, a turn restriction and a bus line running on frequencies -- and
 * treats each input as patches to the payload of its sections, keeping
 * the header and section table valid and the checksums right:
 *   repeated { op, section, offset (u32 LE), n, n bytes }
 *   op & 3: 0 overwrite, 1 xor, 2 set a 4-byte word to one of the
 *   interesting values below, 3 shrink the section's count (the table
 *   stays in bounds).
 * Whatever opens is then queried in every mode (snap, search, isochrone,
 * a 2 x 2 matrix, edge shapes). */
#include <math.h>
#include <libdeflate.h>
#include <zip.h>

#include "fuzz.h"
#include "halfhour.h"
#include "net/net.h"

static uint8_t *base;
static size_t base_len;

static void build_base(void)
{
    const char *t = getenv("TMPDIR");
    char dir[256], osm[300], feed[300], out[300];
    snprintf(dir, sizeof dir, "%s/hh-fuzz-net-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(osm, sizeof osm, "%s/grid.osm", dir);
    snprintf(feed, sizeof feed, "%s/feed.zip", dir);
    snprintf(out, sizeof out, "%s/grid.hh", dir);
    FILE *f = fopen(osm, "w");
    if (!f)
        abort();
    fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n");
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++)
            fprintf(f, " <node id='%d' lat='%.6f' lon='%.6f'/>\n", 1 + y * 7 + x, 37.80 + y * 0.0009,
                    -122.29 + x * 0.0011);
    int w = 1;
    for (int y = 0; y < 7; y++) {
        fprintf(f, " <way id='%d'>", w++);
        for (int x = 0; x < 7; x++)
            fprintf(f, "<nd ref='%d'/>", 1 + y * 7 + x);
        fprintf(f, "<tag k='highway' v='%s'/>%s</way>\n", y == 3 ? "primary" : "residential",
                y == 5 ? "<tag k='oneway' v='yes'/>" : "");
    }
    for (int x = 0; x < 7; x++) {
        fprintf(f, " <way id='%d'>", w++);
        for (int y = 0; y < 7; y++)
            fprintf(f, "<nd ref='%d'/>", 1 + y * 7 + x);
        fprintf(f, "<tag k='highway' v='%s'/></way>\n", x == 2 ? "footway" : "tertiary");
    }
    /* no left turn from row 3 (way 4) onto column 3 (way 11) at node 25 */
    fprintf(f, " <relation id='1'><member type='way' ref='4' role='from'/><member type='node' ref='25' "
               "role='via'/><member type='way' ref='11' role='to'/><tag k='type' v='restriction'/>"
               "<tag k='restriction' v='no_left_turn'/></relation>\n</osm>\n");
    if (fclose(f))
        abort();
    static const struct {
        const char *name, *text;
    } files[] = {
        {"agency.txt", "agency_name,agency_url,agency_timezone\nA,http://a.example,America/Los_Angeles\n"},
        {"stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,One,37.8001,-122.2899\n"
                      "S2,Two,37.8027,-122.2867\nS3,Three,37.8054,-122.2835\n"},
        {"routes.txt", "route_id,route_short_name,route_type\nR,1,3\n"},
        {"calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                         "D,1,1,1,1,1,1,1,20240101,20301231\n"},
        {"trips.txt", "route_id,service_id,trip_id\nR,D,T\nR,D,U\n"},
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T,08:00:00,08:00:00,S1,1\nT,08:03:00,08:03:30,S2,2\nT,08:06:00,08:06:00,S3,3\n"
                           "U,09:00:00,09:00:00,S3,1\nU,09:04:00,09:04:00,S1,2\n"},
        {"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nT,07:00:00,10:00:00,600\n"},
    };
    int zerr;
    zip_t *z = zip_open(feed, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z)
        abort();
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        zip_source_t *s = zip_source_buffer(z, files[i].text, strlen(files[i].text), 0);
        if (!s || zip_file_add(z, files[i].name, s, 0) < 0)
            abort();
    }
    if (zip_close(z))
        abort();
    const char *feeds[] = {feed};
    hh_profile p;
    hh_profile_default(&p);
    char err[256];
    if (hh_build_transit(osm, feeds, 1, &p, out, NULL, NULL, NULL, err, sizeof err)) {
        fprintf(stderr, "fuzz_net_sections: %s\n", err);
        abort();
    }
    f = fopen(out, "rb");
    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    base_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    base = malloc(base_len);
    if (!base || fread(base, 1, base_len, f) != base_len)
        abort();
    fclose(f);
    unlink(osm), unlink(feed), unlink(out), rmdir(dir);
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24); }

/* the writer's and the validator's checksum */


static void query(const hh_net *net)
{
    hh_net_info info;
    hh_net_get_info(net, &info);
    hh_query *q;
    if (hh_query_init(net, &q))
        return;
    double lon = (info.min_lon + info.max_lon) / 2, lat = (info.min_lat + info.max_lat) / 2;
    for (int m = 0; m < HH_N_MODES; m++) {
        hh_snap s, s2;
        if (hh_snap_point(net, (hh_mode)m, lon, lat, 5000, &s) == 0 && hh_query_run(q, (hh_mode)m, &s, 900) == 0) {
            double t, d, mins[] = {2, 5, 10};
            hh_query_time_to(q, &s, &t, &d);
            if (hh_snap_point(net, (hh_mode)m, info.min_lon, info.min_lat, 5000, &s2) == 0)
                hh_query_time_to(q, &s2, &t, &d);
            hh_isochrone iso;
            if (hh_isochrone_build(q, mins, 3, &iso) == 0)
                hh_isochrone_free(&iso);
        }
    }
    hh_query_free(q);
    uint32_t ne = hh_net_n_edges(net);
    double ll[64];
    for (uint32_t e = 0; e < ne; e++)
        hh_net_edge_shape(net, e, ll, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base)
        build_base();
    uint8_t *m = malloc(base_len);
    if (!m)
        return 0;
    memcpy(m, base, base_len);
    uint32_t ns = rd32(m + 24);
    hh__section *tab = (hh__section *)(m + HH_NET_HEADER_SIZE);
    static const uint32_t interesting[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 65535, 1000000};
    size_t i = 0;
    while (ns && i + 7 <= size) {
        uint8_t op = data[i], si = data[i + 1];
        uint32_t off = rd32(data + i + 2);
        size_t n = data[i + 6];
        i += 7;
        if (n > size - i)
            n = size - i;
        hh__section *s = &tab[si % ns];
        uint64_t bytes = s->count * s->elem_size;
        if ((op & 3) == 3) {
            if (s->count)
                s->count -= 1 + off % s->count;
            continue;
        }
        if (!bytes)
            continue;
        uint8_t *p = m + s->offset;
        if ((op & 3) == 2) {
            uint64_t at = (off % bytes) & ~(uint64_t)3;
            if (at + 4 <= bytes)
                wr32(p + at, interesting[(op >> 2) % 8]);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            uint64_t at = ((uint64_t)off + k) % bytes;
            p[at] = (op & 3) == 1 ? p[at] ^ data[i + k] : data[i + k];
        }
        i += n;
    }
    wr32(m + 40, libdeflate_crc32(0, m + HH_NET_HEADER_SIZE, base_len - HH_NET_HEADER_SIZE));
    wr32(m + 44, libdeflate_crc32(0, m, 44));
    char in[256];
    if (fuzz_tmpfile(m, base_len, ".hh", in, sizeof in) == 0) {
        hh_net *net;
        char err[256];
        if (hh_net_open(in, &net, err, sizeof err) == 0) {
            query(net);
            hh_net_close(net);
        }
        unlink(in);
    }
    free(m);
    return 0;
}
