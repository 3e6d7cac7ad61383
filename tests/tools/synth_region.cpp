/* synth_region.cpp: a synthetic region of any size, as an OSM PBF file (and
 * optionally a GTFS zip of bus lines on it), for the cost curves of
 * bench/run.sh (part scale) and the end-to-end test of a generated region.
 *
 *     synth_region --vertices N [--seed S] -o region.osm.pbf [--gtfs bus.zip]
 *
 * The street network is a jittered grid of square blocks (100 m) with a
 * road hierarchy: every 4th line a secondary road (50 km/h), every 16th a
 * primary (60 km/h), and along every 64th a dual-carriageway motorway
 * (110 km/h, both carriageways one-way, their own nodes 30 and 50 m beside
 * the grid line, grade-separated from the streets they cross) joined to
 * the grid by two-way links every 32 blocks; the rest is residential
 * (30 km/h) where 35 % of the block sides are missing (dead ends,
 * T-junctions; --missing F) and 6 % are one-way.  Ways
 * are 8 blocks long; at some crossings of secondary and primary roads a
 * no_left_turn / no_u_turn restriction.  Everything is drawn from the seed
 * by a stateless hash of the object's position, so nothing is held in
 * memory and the same arguments always write the same bytes (the PBF
 * header carries no timestamp).
 *
 * Every 128 blocks a river (or railway) crosses the region, both ways,
 * bridged only by the primary roads and motorways, as real cities are cut
 * (--no-rivers: a street grid without them).
 *
 * Bus lines (--gtfs) run along every 32nd grid line in pieces of 60 stops
 * (one every 500 m), both directions, every 20 minutes from 06:00 to
 * 21:00 at 20 km/h, daily through 2025; Asia/Shanghai.
 *
 * libosmium writes the PBF (the reader's own library, so the real `halfhour
 * build` path is measured); libzip writes the GTFS zip. */
#include <osmium/builder/attr.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/box.hpp>

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace osmium::builder::attr;

const double SPACING_M = 100.0;
const double LON0 = 112.5, LAT0 = 27.5; /* the Xiang river valley */
const double M_PER_DEG_LAT = 111195.0;
const int WAY_BLOCKS = 8;

uint64_t seed_g = 1;

uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
/* uniform in [0, 1) from the seed, a salt and two coordinates */
double u01(uint64_t salt, uint64_t a, uint64_t b)
{
    uint64_t h = mix(seed_g ^ mix(salt ^ mix(a * 0x100000001b3ULL ^ b)));
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

int64_t side_g;           /* grid lines per direction */
double m_per_deg_lon;

/* road class of grid line k (rows and columns alike) */
enum cls { RES, SEC, PRI, MOT };
cls line_class(int64_t k)
{
    if (k % 64 == 0)
        return PRI; /* the street beside the motorway */
    if (k % 16 == 0)
        return PRI;
    if (k % 4 == 0)
        return SEC;
    return RES;
}
const char *hw_name(cls c)
{
    return c == MOT ? "motorway" : c == PRI ? "primary" : c == SEC ? "secondary" : "residential";
}
const char *maxspeed(cls c) { return c == MOT ? "110" : c == PRI ? "60" : c == SEC ? "50" : "30"; }

int64_t grid_node(int64_t i, int64_t j) { return i * side_g + j + 1; }
/* motorway nodes: orientation o (0 along a row, 1 along a column),
 * carriageway c (0, 1), line index k/64, position p */
int64_t mot_node(int o, int c, int64_t k, int64_t p)
{
    int64_t nl = (side_g + 63) / 64;
    return side_g * side_g + 1 + (((int64_t)o * 2 + c) * nl + k / 64) * side_g + p;
}

void grid_pos(int64_t i, int64_t j, double *x, double *y)
{
    /* jitter of up to 25 m, smaller on the main roads so they stay straight */
    double jx = line_class(j) == RES ? 25 : 5, jy = line_class(i) == RES ? 25 : 5;
    *x = j * SPACING_M + jx * (2 * u01(1, (uint64_t)i, (uint64_t)j) - 1);
    *y = i * SPACING_M + jy * (2 * u01(2, (uint64_t)i, (uint64_t)j) - 1);
}
osmium::Location loc_of(double x, double y)
{
    return osmium::Location{LON0 + x / m_per_deg_lon, LAT0 + y / M_PER_DEG_LAT};
}

/* residential block sides missing: segment p..p+1 of line k, orientation o */
double missing_g = 0.35;
int rivers_g = 1;
/* a river (or railway) across the region every RIVER_EVERY blocks, both
 * ways: only primary roads and motorways bridge it */
const int64_t RIVER_EVERY = 128;
bool seg_missing(int o, int64_t k, int64_t p)
{
    if (rivers_g && line_class(k) != PRI && (p + 1) % RIVER_EVERY == 0)
        return true;
    return line_class(k) == RES && u01(3 + o, (uint64_t)k, (uint64_t)p) < missing_g;
}
int piece_oneway(int o, int64_t k, int64_t q)
{
    if (line_class(k) != RES)
        return 0;
    double r = u01(5 + o, (uint64_t)k, (uint64_t)q);
    return r < 0.03 ? 1 : r < 0.06 ? -1 : 0;
}

struct out {
    osmium::io::Writer *w;
    osmium::memory::Buffer buf{1 << 24, osmium::memory::Buffer::auto_grow::yes};
    void flush(bool force)
    {
        if (force || buf.committed() > (1u << 23)) {
            (*w)(std::move(buf));
            buf = osmium::memory::Buffer{1 << 24, osmium::memory::Buffer::auto_grow::yes};
        }
    }
};

int usage()
{
    std::fprintf(stderr, "usage: synth_region --vertices N [--seed S] [--missing F] [--no-rivers] -o OUT.osm.pbf\n"
                         "                    [--gtfs OUT.zip]\n");
    return 2;
}

/* ---- GTFS ------------------------------------------------------------- */
struct gtfs_file {
    std::string name, path;
    FILE *f;
};

int write_gtfs(const char *zip_path)
{
    std::string tmpdir = std::string(zip_path) + ".parts";
    std::string mk = "mkdir -p '" + tmpdir + "'";
    if (std::system(mk.c_str()) != 0)
        return 1;
    const char *names[] = {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt"};
    std::vector<gtfs_file> files;
    for (const char *n : names) {
        gtfs_file g{n, tmpdir + "/" + n, nullptr};
        g.f = std::fopen(g.path.c_str(), "w");
        if (!g.f) {
            std::perror(g.path.c_str());
            return 1;
        }
        files.push_back(g);
    }
    FILE *ag = files[0].f, *st = files[1].f, *ro = files[2].f, *tr = files[3].f, *stt = files[4].f,
         *ca = files[5].f;
    std::fprintf(ag, "agency_id,agency_name,agency_url,agency_timezone\nsb,Synthetic Bus,https://example.org,Asia/Shanghai\n");
    std::fprintf(ca, "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                     "daily,1,1,1,1,1,1,1,20250101,20251231\n");
    std::fprintf(st, "stop_id,stop_name,stop_lat,stop_lon\n");
    std::fprintf(ro, "route_id,agency_id,route_short_name,route_type\n");
    std::fprintf(tr, "route_id,service_id,trip_id,direction_id\n");
    std::fprintf(stt, "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
    const int every = 32, stop_step = 5, per_route = 60;
    const double speed = 20 / 3.6, hop_s = stop_step * SPACING_M / speed;
    /* stops: on the grid nodes of bus lines, 12 m beside the street;
     * a node on two bus lines has one stop per line */
    for (int o = 0; o < 2; o++)
        for (int64_t k = every; k < side_g; k += every)
            for (int64_t p = 0; p < side_g; p += stop_step) {
                int64_t i = o == 0 ? k : p, j = o == 0 ? p : k;
                double x, y;
                grid_pos(i, j, &x, &y);
                if (o == 0)
                    y += 12;
                else
                    x += 12;
                osmium::Location l = loc_of(x, y);
                std::fprintf(st, "s%d_%lld_%lld,Stop %lld-%lld,%.7f,%.7f\n", o, (long long)k, (long long)p,
                             (long long)i, (long long)j, l.lat(), l.lon());
            }
    long long n_route = 0;
    for (int o = 0; o < 2; o++)
        for (int64_t k = every; k < side_g; k += every)
            for (int64_t p0 = 0; p0 < side_g; p0 += (int64_t)stop_step * (per_route - 1)) {
                int64_t n_st = 0;
                for (int64_t p = p0; p < side_g && n_st < per_route; p += stop_step)
                    n_st++;
                if (n_st < 2)
                    continue;
                long long r = n_route++;
                std::fprintf(ro, "r%lld,sb,%lld,3\n", r, r + 1);
                for (int dir = 0; dir < 2; dir++)
                    for (int t = 0; t < 45; t++) {
                        std::fprintf(tr, "r%lld,daily,t%lld_%d_%d,%d\n", r, r, dir, t, dir);
                        /* departures staggered by route so not all buses leave together */
                        double t0 = 6 * 3600 + t * 1200 + (double)(r % 20) * 60;
                        for (int64_t s = 0; s < n_st; s++) {
                            int64_t p = p0 + (dir == 0 ? s : n_st - 1 - s) * stop_step;
                            long tt = (long)std::lround(t0 + (double)s * hop_s);
                            std::fprintf(stt, "t%lld_%d_%d,%02ld:%02ld:%02ld,%02ld:%02ld:%02ld,s%d_%lld_%lld,%lld\n", r, dir,
                                         t, tt / 3600, tt / 60 % 60, tt % 60, tt / 3600, tt / 60 % 60, tt % 60, o,
                                         (long long)k, (long long)p, (long long)s + 1);
                        }
                    }
            }
    for (auto &g : files)
        if (std::fclose(g.f)) {
            std::perror(g.path.c_str());
            return 1;
        }
    std::remove(zip_path);
    int zerr = 0;
    zip_t *z = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        std::fprintf(stderr, "synth_region: cannot create %s\n", zip_path);
        return 1;
    }
    for (auto &g : files) {
        zip_source_t *src = zip_source_file(z, g.path.c_str(), 0, -1);
        if (!src || zip_file_add(z, g.name.c_str(), src, ZIP_FL_OVERWRITE) < 0) {
            std::fprintf(stderr, "synth_region: zip: %s\n", zip_strerror(z));
            return 1;
        }
    }
    if (zip_close(z)) {
        std::fprintf(stderr, "synth_region: zip: %s\n", zip_strerror(z));
        return 1;
    }
    for (auto &g : files)
        std::remove(g.path.c_str());
    std::remove(tmpdir.c_str());
    std::fprintf(stderr, "synth_region: %lld bus routes\n", n_route);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    long long n_vert = 0;
    const char *outp = nullptr, *gtfs = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--vertices") && i + 1 < argc)
            n_vert = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
            seed_g = std::strtoull(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "-o") && i + 1 < argc)
            outp = argv[++i];
        else if (!std::strcmp(argv[i], "--no-rivers"))
            rivers_g = 0;
        else if (!std::strcmp(argv[i], "--missing") && i + 1 < argc)
            missing_g = std::atof(argv[++i]);
        else if (!std::strcmp(argv[i], "--gtfs") && i + 1 < argc)
            gtfs = argv[++i];
        else
            return usage();
    }
    if (n_vert < 100 || n_vert > 400000000LL || !outp)
        return usage();
    /* about 3 % of the grid nodes end inside a way (a missing residential
     * piece across them) and are no vertex of the built graph; the
     * motorways add a few: calibrated so the build has about N vertices */
    side_g = (int64_t)std::ceil(std::sqrt((double)n_vert / 0.985));
    m_per_deg_lon = M_PER_DEG_LAT * std::cos(LAT0 * M_PI / 180);
    double ext = (double)(side_g - 1) * SPACING_M + 100;
    try {
        osmium::io::Header header;
        header.set("generator", "halfhour synth_region");
        header.add_box(osmium::Box{loc_of(-100, -100), loc_of(ext, ext)});
        osmium::io::Writer writer{outp, header, osmium::io::overwrite::allow};
        out o;
        o.w = &writer;
        /* nodes: the grid, then the motorways' */
        for (int64_t i = 0; i < side_g; i++)
            for (int64_t j = 0; j < side_g; j++) {
                double x, y;
                grid_pos(i, j, &x, &y);
                osmium::builder::add_node(o.buf, _id(grid_node(i, j)), _version(1), _location(loc_of(x, y)));
                o.flush(false);
            }
        for (int or_ = 0; or_ < 2; or_++)
            for (int c = 0; c < 2; c++)
                for (int64_t k = 64; k < side_g; k += 64)
                    for (int64_t p = 0; p < side_g; p++) {
                        double off = c == 0 ? 30 : 50, along = p * SPACING_M;
                        double x = or_ == 0 ? along : k * SPACING_M + off, y = or_ == 0 ? k * SPACING_M + off : along;
                        osmium::builder::add_node(o.buf, _id(mot_node(or_, c, k, p)), _version(1),
                                                  _location(loc_of(x, y)));
                        o.flush(false);
                    }
        o.flush(true);
        /* ways */
        int64_t wid = 1, n_ways = 0;
        std::vector<osmium::object_id_type> nodes;
        auto add_way = [&](const char *hw, const char *ms, const char *oneway) {
            if (oneway)
                osmium::builder::add_way(o.buf, _id(wid++), _version(1), _nodes(nodes), _tag("highway", hw),
                                         _tag("maxspeed", ms), _tag("oneway", oneway));
            else
                osmium::builder::add_way(o.buf, _id(wid++), _version(1), _nodes(nodes), _tag("highway", hw),
                                         _tag("maxspeed", ms));
            n_ways++;
            o.flush(false);
        };
        /* way ids are positional (line, first node), so that the
         * restrictions can name the main roads' pieces without a table */
        auto piece_id = [&](int or_, int64_t k, int64_t p0) { return 1 + ((int64_t)or_ * side_g + k) * side_g + p0; };
        for (int or_ = 0; or_ < 2; or_++)
            for (int64_t k = 0; k < side_g; k++) {
                int64_t p = 0;
                while (p < side_g - 1) {
                    /* a residential street stops where a block's segment is
                     * missing; every way ends at the next 8th node at the latest */
                    if (seg_missing(or_, k, p)) {
                        p++;
                        continue;
                    }
                    int64_t p0 = p;
                    nodes.clear();
                    nodes.push_back(or_ == 0 ? grid_node(k, p) : grid_node(p, k));
                    do {
                        p++;
                        nodes.push_back(or_ == 0 ? grid_node(k, p) : grid_node(p, k));
                    } while (p % WAY_BLOCKS && p < side_g - 1 && !seg_missing(or_, k, p));
                    int ow = piece_oneway(or_, k, p0);
                    wid = piece_id(or_, k, p0);
                    add_way(hw_name(line_class(k)), maxspeed(line_class(k)), ow == 1 ? "yes" : ow == -1 ? "-1" : nullptr);
                }
            }
        wid = 2 * side_g * side_g + 1;
        for (int or_ = 0; or_ < 2; or_++)
            for (int c = 0; c < 2; c++)
                for (int64_t k = 64; k < side_g; k += 64) {
                    /* carriageway 0 runs up the line, 1 down it; pieces of 32 blocks */
                    for (int64_t p0 = 0; p0 < side_g - 1; p0 += 32) {
                        nodes.clear();
                        int64_t p1 = p0 + 32 < side_g - 1 ? p0 + 32 : side_g - 1;
                        for (int64_t p = p0; p <= p1; p += 4)
                            nodes.push_back(mot_node(or_, c, k, p));
                        if ((p1 - p0) % 4)
                            nodes.push_back(mot_node(or_, c, k, p1));
                        if (c == 1)
                            std::reverse(nodes.begin(), nodes.end());
                        add_way("motorway", "110", nullptr);
                    }
                    /* links: grid node to both carriageways every 32 blocks */
                    for (int64_t p = 32; p < side_g - 1; p += 32) {
                        nodes.clear();
                        nodes.push_back(or_ == 0 ? grid_node(k, p) : grid_node(p, k));
                        nodes.push_back(mot_node(or_, c, k, p));
                        add_way("motorway_link", "60", "no");
                    }
                }
        o.flush(true);
        /* turn restrictions at piece ends where two main roads cross */
        int64_t rid = 1;
        for (int64_t i = WAY_BLOCKS; i + WAY_BLOCKS < side_g; i += WAY_BLOCKS)
            for (int64_t j = WAY_BLOCKS; j + WAY_BLOCKS < side_g; j += WAY_BLOCKS) {
                if (line_class(i) == RES || line_class(j) == RES)
                    continue;
                double r = u01(9, (uint64_t)i, (uint64_t)j);
                if (r >= 0.3)
                    continue;
                /* both pieces whole (a river may cut a secondary road) */
                bool whole = true;
                for (int64_t p = 0; p < WAY_BLOCKS; p++)
                    whole = whole && !seg_missing(0, i, j - WAY_BLOCKS + p) && !seg_missing(1, j, i + p);
                if (!whole)
                    continue;
                /* from the row piece arriving from the west, to the column
                 * piece leaving north (a left turn), or back west (a u-turn) */
                int64_t from = piece_id(0, i, j - WAY_BLOCKS);
                int64_t to = r < 0.25 ? piece_id(1, j, i) : from;
                osmium::builder::add_relation(
                    o.buf, _id(rid++), _version(1),
                    _members({member_type(osmium::item_type::way, from, "from"),
                              member_type(osmium::item_type::node, grid_node(i, j), "via"),
                              member_type(osmium::item_type::way, to, "to")}),
                    _tag("type", "restriction"), _tag("restriction", r < 0.25 ? "no_left_turn" : "no_u_turn"));
                o.flush(false);
            }
        o.flush(true);
        writer.close();
        std::fprintf(stderr, "synth_region: grid %lld x %lld, %lld ways, %lld restrictions\n", (long long)side_g,
                     (long long)side_g, (long long)n_ways, (long long)(rid - 1));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "synth_region: %s\n", e.what());
        return 1;
    }
    if (gtfs && write_gtfs(gtfs))
        return 1;
    return 0;
}
