/* osm_reader.cpp: OSM files -> C callbacks (osm_reader.h), via libosmium.
 * The project's only C++; everything it reads goes to osm.c through plain C
 * structs, and no exception leaves hh__osmr_read.
 *
 * Why libosmium: it is the reference OSM library, the one under OSRM,
 * osmium-tool and osm2pgsql.  Its PBF reader decodes blocks in parallel on
 * a thread pool and checks every size and index it reads (BlobHeader at most
 * 64 KiB, a blob at most 32 MiB inflated, string table indexes, packed
 * array lengths); XML goes through expat (entities refused), .bz2 is read
 * as a stream; and its area assembler builds multipolygons (rings from
 * member ways, holes matched to their outer rings) and reports, rather than
 * trusts, broken geometry.  It replaced libreadosm, which crashed on a
 * 100-byte XML file, allocated 4 GB for a 681-byte PBF, leaked when a parse
 * was aborted and decoded on one thread.
 *
 * Two passes: every object first (nodes, ways, restrictions go to the C
 * side; multipolygon relations whose tags are wanted are kept by a relations
 * manager; the ways are copied to a bounded stash), then the ways again,
 * from the stash or, when they did not fit, from the file, given the node
 * positions the first pass stored, to assemble closed-way and multipolygon
 * areas.  Memory used here (osmium's buffers, the stash, the kept relations
 * and member ways) is transient; all that is returned is allocated by the C
 * side through hh__malloc. */
#include "ingest/osm_reader.h"

#include <osmium/area/assembler.hpp>
#include <osmium/handler.hpp>
#include <osmium/io/bzip2_compression.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/io/xml_input.hpp>
#include <osmium/relations/relations_manager.hpp>
#include <osmium/thread/pool.hpp>
#include <osmium/visitor.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "halfhour.h"

namespace {

/* A callback asked to stop with this code. */
struct stop {
    int rc;
};

void check(int rc)
{
    if (rc)
        throw stop{rc};
}

int collect_tags(const osmium::TagList &tl, hh__tag *out)
{
    int n = 0;
    for (const osmium::Tag &t : tl) {
        if (n == HH__OSMR_MAX_TAGS)
            break;
        out[n].k = t.key();
        out[n].v = t.value();
        n++;
    }
    return n;
}

/* A closed way that may outline an area (osmium's rule: 4+ nodes). */
bool closed_way(const osmium::Way &w)
{
    const osmium::WayNodeList &nl = w.nodes();
    return nl.size() > 3 && nl.front().ref() == nl.back().ref() && !w.tags().has_tag("area", "no");
}

/* Turns assembled areas into the flat arrays of hh__osmr_area. */
class area_out {
    const hh__osmr_sink *s_;
    std::vector<uint32_t> poly_, ring_;
    std::vector<int32_t> ll_;
    hh__tag tags_[HH__OSMR_MAX_TAGS];

public:
    explicit area_out(const hh__osmr_sink *s) : s_(s) {}

    void emit(const osmium::Area &a, int64_t id, int from_relation, const osmium::TagList &tags)
    {
        poly_.clear(), ring_.clear(), ll_.clear();
        auto ring = [this](const osmium::NodeRefList &r) {
            ring_.push_back(static_cast<uint32_t>(ll_.size() / 2));
            for (const osmium::NodeRef &nr : r) {
                ll_.push_back(nr.location().x());
                ll_.push_back(nr.location().y());
            }
        };
        for (const osmium::OuterRing &outer : a.outer_rings()) {
            poly_.push_back(static_cast<uint32_t>(ring_.size()));
            ring(outer);
            for (const osmium::InnerRing &inner : a.inner_rings(outer))
                ring(inner);
        }
        size_t n_polys = poly_.size(), n_rings = ring_.size();
        poly_.push_back(static_cast<uint32_t>(n_rings));
        ring_.push_back(static_cast<uint32_t>(ll_.size() / 2));
        hh__osmr_area x;
        x.osm_id = id;
        x.from_relation = from_relation;
        x.tags = tags_;
        x.n_tags = collect_tags(tags, tags_);
        x.n_polys = n_polys;
        x.poly_first = poly_.data();
        x.n_rings = n_rings;
        x.ring_first = ring_.data();
        x.ll_e7 = ll_.data();
        check(s_->area(s_->ud, &x));
    }
};

osmium::area::AssemblerConfig assembler_config()
{
    osmium::area::AssemblerConfig c;
    c.create_empty_areas = false; /* a failed assembly is counted, not kept */
    c.keep_type_tag = true;
    return c;
}

/* Keeps the multipolygon relations whose tags are wanted (first pass) and
 * assembles each once its member ways have all been read (second pass).
 * osmium's managers need unique ids in ascending order (as extracts are);
 * objects that break the order are left out here (and so never reach the
 * assembler twice), counted as invalid. */
class mp_manager : public osmium::relations::RelationsManager<mp_manager, false, true, false, false> {
    const hh__osmr_sink *s_;
    area_out &out_;
    osmium::area::AssemblerConfig cfg_ = assembler_config();
    osmium::memory::Buffer buf_{1 << 14, osmium::memory::Buffer::auto_grow::yes};
    hh__tag tags_[HH__OSMR_MAX_TAGS];
    int64_t last_rel_ = INT64_MIN, last_way_ = INT64_MIN;

public:
    std::vector<int64_t> way_ids; /* member ways of the kept relations, sorted */
    uint64_t invalid = 0;

    mp_manager(const hh__osmr_sink *s, area_out &out) : s_(s), out_(out) {}

    bool new_relation(const osmium::Relation &r)
    {
        const char *type = r.tags().get_value_by_key("type");
        if (!type || std::strcmp(type, "multipolygon"))
            return false;
        int nt = collect_tags(r.tags(), tags_);
        if (!s_->area_wanted(s_->ud, tags_, nt))
            return false;
        bool any_way = false;
        for (const osmium::RelationMember &m : r.members())
            any_way = any_way || (m.type() == osmium::item_type::way && m.ref() != 0);
        if (!any_way || r.id() <= last_rel_) {
            invalid++;
            return false;
        }
        last_rel_ = r.id();
        for (const osmium::RelationMember &m : r.members())
            if (m.type() == osmium::item_type::way && m.ref() != 0)
                way_ids.push_back(m.ref());
        return true;
    }

    void done_first_pass()
    {
        std::sort(way_ids.begin(), way_ids.end());
        way_ids.erase(std::unique(way_ids.begin(), way_ids.end()), way_ids.end());
        prepare_for_lookup();
    }

    bool member(int64_t way_id) const { return std::binary_search(way_ids.begin(), way_ids.end(), way_id); }

    void feed(const osmium::Way &w)
    {
        if (w.id() <= last_way_) {
            return; /* out of order or repeated: the relations wait in vain */
        }
        last_way_ = w.id();
        handle_way(w);
    }

    void complete_relation(const osmium::Relation &r)
    {
        std::vector<const osmium::Way *> ways;
        ways.reserve(r.members().size());
        for (const osmium::RelationMember &m : r.members()) {
            if (m.ref() == 0)
                continue;
            const osmium::Way *w = get_member_way(m.ref());
            if (!w) {
                invalid++;
                return;
            }
            ways.push_back(w);
        }
        buf_.clear();
        bool ok;
        try {
            osmium::area::Assembler a{cfg_};
            ok = a(r, ways, buf_);
        } catch (const osmium::invalid_location &) {
            ok = false;
        }
        if (!ok) {
            invalid++;
            return;
        }
        for (const osmium::Area &a : buf_.select<osmium::Area>())
            out_.emit(a, r.id(), 1, r.tags());
    }
};

/* During the first pass the ways that may become areas (closed ones, and
 * those without a highway tag: multipolygon members mostly are) are copied
 * into a stash of at most this many bytes, so that the second pass runs
 * from memory.  When they do not fit (a large region), or a multipolygon
 * turns out to need a way left out, the ways are read again from the file. */
const size_t stash_budget = 32u << 20;

/* First pass: every object to the C side; wanted multipolygons kept. */
class pass1 : public osmium::handler::Handler {
    const hh__osmr_sink *s_;
    mp_manager &mp_;
    hh__tag tags_[HH__OSMR_MAX_TAGS];
    std::vector<int64_t> refs_;
    std::vector<hh__osmr_member> mem_;

public:
    uint64_t closed_wanted = 0;
    osmium::memory::Buffer stash{1 << 16, osmium::memory::Buffer::auto_grow::yes};
    bool stash_ok = true;             /* every way but those in left_out is in stash, in file order */
    std::vector<int64_t> left_out;    /* ids of the ways not stashed */

    pass1(const hh__osmr_sink *s, mp_manager &mp) : s_(s), mp_(mp) {}

    void drop_stash()
    {
        stash_ok = false;
        stash = osmium::memory::Buffer{};
        std::vector<int64_t>().swap(left_out);
    }

    /* Whether the stash holds every way the second pass needs. */
    bool stash_serves(const mp_manager &mp)
    {
        if (!stash_ok)
            return false;
        std::sort(left_out.begin(), left_out.end());
        for (int64_t id : mp.way_ids)
            if (std::binary_search(left_out.begin(), left_out.end(), id))
                return false;
        return true;
    }

    void node(const osmium::Node &n)
    {
        const osmium::Location l = n.location();
        int nt = n.tags().empty() ? 0 : collect_tags(n.tags(), tags_);
        bool ok = l.valid();
        check(s_->node(s_->ud, n.id(), ok, ok ? l.x() : 0, ok ? l.y() : 0, tags_, nt));
    }

    void way(const osmium::Way &w)
    {
        refs_.clear();
        for (const osmium::NodeRef &nr : w.nodes())
            refs_.push_back(nr.ref());
        int nt = collect_tags(w.tags(), tags_);
        check(s_->way(s_->ud, w.id(), refs_.data(), refs_.size(), tags_, nt));
        bool closed = closed_way(w);
        if (closed && s_->area_wanted(s_->ud, tags_, nt))
            closed_wanted++;
        if (stash_ok) {
            if (!closed && w.tags().has_key("highway")) {
                left_out.push_back(w.id());
            } else if (stash.committed() + w.byte_size() > stash_budget) {
                drop_stash();
            } else {
                stash.add_item(w);
                stash.commit();
            }
        }
    }

    void relation(const osmium::Relation &r)
    {
        mem_.clear();
        for (const osmium::RelationMember &m : r.members()) {
            hh__osmr_member x;
            x.ref = m.ref();
            x.type = m.type() == osmium::item_type::node ? 'n' : m.type() == osmium::item_type::way ? 'w' : 'r';
            x.role = m.role();
            mem_.push_back(x);
        }
        int nt = collect_tags(r.tags(), tags_);
        check(s_->relation(s_->ud, r.id(), tags_, nt, mem_.data(), mem_.size()));
        mp_.relation(r);
    }
};

/* Second pass, ways only (from the stash, or the file again): positions
 * from the C side, then areas. */
class pass2 : public osmium::handler::Handler {
    const hh__osmr_sink *s_;
    mp_manager &mp_;
    area_out &out_;
    osmium::area::AssemblerConfig cfg_ = assembler_config();
    osmium::memory::Buffer buf_{1 << 14, osmium::memory::Buffer::auto_grow::yes};
    hh__tag tags_[HH__OSMR_MAX_TAGS];

public:
    uint64_t invalid = 0;

    pass2(const hh__osmr_sink *s, mp_manager &mp, area_out &out) : s_(s), mp_(mp), out_(out) {}

    void way(osmium::Way &w)
    {
        bool member = mp_.member(w.id());
        bool closed = closed_way(w) && s_->area_wanted(s_->ud, tags_, collect_tags(w.tags(), tags_));
        if (!member && !closed)
            return;
        for (osmium::NodeRef &nr : w.nodes()) {
            int32_t lo, la;
            if (s_->locate(s_->ud, nr.ref(), &lo, &la))
                nr.set_location(osmium::Location{lo, la});
            else
                nr.set_location(osmium::Location{});
        }
        if (closed) {
            buf_.clear();
            bool ok;
            try {
                osmium::area::Assembler a{cfg_};
                ok = a(w, buf_);
            } catch (const osmium::invalid_location &) {
                ok = false;
            }
            if (ok)
                for (const osmium::Area &a : buf_.select<osmium::Area>())
                    out_.emit(a, w.id(), 0, w.tags());
            else
                invalid++;
        }
        if (member)
            mp_.feed(w);
    }
};

/* libosmium 2.19's PBF parser closes the file only when the parse succeeds,
 * so every corrupt PBF leaked a file descriptor (a fuzzing run ran out of
 * them).  This parser runs osmium's and closes the file when it throws,
 * unless what threw was the close itself.  The header osmium's parser reads
 * is passed on once it is done (no caller here waits for it before). */
class closing_pbf_parser final : public osmium::io::detail::Parser {
    osmium::io::detail::parser_arguments args_;

public:
    explicit closing_pbf_parser(osmium::io::detail::parser_arguments &a) : Parser(a), args_(a) {}

    void run() override
    {
        std::promise<osmium::io::Header> header;
        std::future<osmium::io::Header> got = header.get_future();
        osmium::io::detail::parser_arguments a{args_.pool,         args_.fd,
                                               args_.input_queue,  args_.output_queue,
                                               header,             args_.offset_ptr,
                                               args_.read_which_entities, args_.read_metadata,
                                               args_.buffers_kind, args_.want_buffered_pages_removed};
        try {
            osmium::io::detail::PBFParser p{a};
            p.run();
        } catch (const std::system_error &e) {
            if (!std::strstr(e.what(), "Close failed"))
                close_file();
            throw;
        } catch (...) {
            close_file();
            throw;
        }
        if (got.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
            set_header_value(got.get());
    }

private:
    void close_file() noexcept
    {
        if (args_.fd >= 0)
            ::close(args_.fd);
    }
};

void use_closing_pbf_parser()
{
    static const bool done = osmium::io::detail::ParserFactory::instance().register_parser(
        osmium::io::file_format::pbf, [](osmium::io::detail::parser_arguments &a) {
            return std::unique_ptr<osmium::io::detail::Parser>(new closing_pbf_parser{a});
        });
    (void)done;
}

/* One line: newlines and tabs in library messages become spaces. */
void put_err(char *err, size_t errlen, const char *path, const char *what, const char *detail)
{
    if (!err || !errlen)
        return;
    if (detail && *detail)
        std::snprintf(err, errlen, "%s: %s (%s)", path, what, detail);
    else
        std::snprintf(err, errlen, "%s: %s", path, what);
    for (char *c = err; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
}

int pool_threads()
{
    const char *env = std::getenv("OSMIUM_POOL_THREADS");
    if (env && *env)
        return 0; /* 0: osmium reads OSMIUM_POOL_THREADS itself */
    unsigned hw = std::thread::hardware_concurrency();
    return hw ? static_cast<int>(hw) : 1;
}

int read_file(const char *path, hh__osmr_format fmt, const hh__osmr_sink *s, hh__osmr_stats *st)
{
    use_closing_pbf_parser();
    std::string name = path;
    /* osmium fetches http(s) names with curl: a file name is only a file */
    if (name.compare(0, 7, "http://") == 0 || name.compare(0, 8, "https://") == 0)
        name = "./" + name;
    const char *format = fmt == HH__OSMR_PBF ? "pbf" : fmt == HH__OSMR_XML ? "osm" : "osm.bz2";
    osmium::io::File file{name, format};
    osmium::thread::Pool pool{pool_threads()};
    st->threads = pool.num_threads();

    area_out out{s};
    mp_manager mp{s, out};
    pass1 h1{s, mp};
    {
        osmium::io::Reader r{file, pool, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way |
                                             osmium::osm_entity_bits::relation,
                             osmium::io::read_meta::no};
        osmium::apply(r, h1);
        r.close();
    }
    check(s->pass_done(s->ud));
    mp.done_first_pass();
    if (h1.closed_wanted || !mp.way_ids.empty()) {
        pass2 h2{s, mp, out};
        if (h1.stash_serves(mp)) {
            osmium::apply(h1.stash, h2);
        } else {
            h1.drop_stash();
            osmium::io::Reader r{file, pool, osmium::osm_entity_bits::way, osmium::io::read_meta::no};
            osmium::apply(r, h2);
            r.close();
        }
        st->areas_invalid += h2.invalid;
    }
    h1.drop_stash();
    st->areas_invalid += mp.invalid;
    mp.for_each_incomplete_relation([st](const osmium::relations::RelationHandle &) { st->areas_incomplete++; });
    return 0;
}

} // namespace

extern "C" int hh__osmr_read(const char *path, hh__osmr_format fmt, const hh__osmr_sink *sink,
                             hh__osmr_stats *stats, char *err, size_t errlen)
{
    hh__osmr_stats st{};
    int rc = 0;
    const char *kind = fmt == HH__OSMR_PBF ? "OSM PBF" : "OSM XML";
    try {
        rc = read_file(path, fmt, sink, &st);
    } catch (const stop &e) {
        rc = e.rc;
        put_err(err, errlen, path, hh_strerror(rc), nullptr);
    } catch (const std::bad_alloc &) {
        rc = HH_ENOMEM;
        put_err(err, errlen, path, "out of memory", nullptr);
    } catch (const osmium::pbf_error &e) {
        rc = std::strstr(e.what(), "EOF") ? HH_ETRUNCATED : HH_EFORMAT;
        put_err(err, errlen, path, rc == HH_ETRUNCATED ? "truncated OSM PBF file" : "not a valid OSM PBF file",
                e.what());
    } catch (const osmium::xml_error &e) {
        rc = HH_EFORMAT;
        put_err(err, errlen, path, "not valid OSM XML", e.what());
    } catch (const osmium::format_version_error &e) {
        rc = HH_EFORMAT;
        put_err(err, errlen, path, "not OSM XML version 0.6", e.what());
    } catch (const osmium::bzip2_error &e) {
        rc = e.bzip2_error_code == BZ_UNEXPECTED_EOF ? HH_ETRUNCATED : HH_EFORMAT;
        put_err(err, errlen, path, "corrupt or truncated bzip2 data", e.what());
    } catch (const std::system_error &e) {
        rc = HH_EIO;
        put_err(err, errlen, path, "cannot read", e.what());
    } catch (const std::exception &e) {
        rc = HH_EFORMAT;
        std::string w = std::string{"corrupt "} + kind + " data";
        put_err(err, errlen, path, w.c_str(), e.what());
    } catch (...) {
        rc = HH_EFORMAT;
        std::string w = std::string{"corrupt "} + kind + " data";
        put_err(err, errlen, path, w.c_str(), nullptr);
    }
    if (stats)
        *stats = st;
    return rc;
}
