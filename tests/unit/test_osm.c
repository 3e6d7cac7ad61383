/* test_osm.c: the OSM reader (hh__osm_read) on small hand-written OSM XML
 * files: multipolygon assembly, car turn restrictions, routing nodes, the
 * same contents from .osm, .osm.pbf and .osm.bz2, and hostile input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hhtest.h"
#include "ingest/osm.h"
#include "testalloc.h"
#include "testnet.h"

static const char *put(const char *name, const char *text)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", hh_test_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

static int read_osm(const char *path, hh__osm *o)
{
    hh_profile p;
    hh_profile_default(&p);
    char err[512] = "";
    int rc = hh__osm_read(path, &p, o, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    return rc;
}

#define XML_HEAD "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test_osm.c'>\n"

/* A 0.01-degree square park (ways 10, 11 closed) with a square hole, a
 * grass area whose outer ring is two ways (30, 31), a closed parking way
 * (40), a multipolygon whose only way is open (invalid) and one whose way is
 * missing (incomplete), and a street so that the file is routable. */
static const char *areas_xml =
    XML_HEAD
    "<node id='1' lat='0' lon='0'/><node id='2' lat='0' lon='0.01'/>\n"
    "<node id='3' lat='0.01' lon='0.01'/><node id='4' lat='0.01' lon='0'/>\n"
    "<node id='5' lat='0.004' lon='0.004'/><node id='6' lat='0.004' lon='0.006'/>\n"
    "<node id='7' lat='0.006' lon='0.006'/><node id='8' lat='0.006' lon='0.004'/>\n"
    "<node id='21' lat='0.1' lon='0.1'/><node id='22' lat='0.1' lon='0.11'/>\n"
    "<node id='23' lat='0.11' lon='0.11'/><node id='24' lat='0.11' lon='0.1'/>\n"
    "<way id='10'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='4'/><nd ref='1'/></way>\n"
    "<way id='11'><nd ref='5'/><nd ref='6'/><nd ref='7'/><nd ref='8'/><nd ref='5'/></way>\n"
    "<way id='20'><nd ref='1'/><nd ref='2'/><tag k='highway' v='residential'/></way>\n"
    "<way id='30'><nd ref='21'/><nd ref='22'/><nd ref='23'/></way>\n"
    "<way id='31'><nd ref='23'/><nd ref='24'/><nd ref='21'/></way>\n"
    "<way id='40'><nd ref='5'/><nd ref='6'/><nd ref='7'/><nd ref='5'/><tag k='amenity' v='parking'/></way>\n"
    "<way id='41'><nd ref='5'/><nd ref='6'/><nd ref='7'/><nd ref='5'/><tag k='building' v='yes'/></way>\n"
    "<way id='50'><nd ref='21'/><nd ref='22'/></way>\n"
    "<relation id='100'><member type='way' ref='10' role='outer'/><member type='way' ref='11' role='inner'/>"
    "<tag k='type' v='multipolygon'/><tag k='leisure' v='park'/></relation>\n"
    "<relation id='101'><member type='way' ref='31' role='outer'/><member type='way' ref='30' role='outer'/>"
    "<tag k='type' v='multipolygon'/><tag k='landuse' v='grass'/></relation>\n"
    "<relation id='102'><member type='way' ref='50' role='outer'/>"
    "<tag k='type' v='multipolygon'/><tag k='landuse' v='meadow'/></relation>\n"
    "<relation id='103'><member type='way' ref='999' role='outer'/>"
    "<tag k='type' v='multipolygon'/><tag k='landuse' v='forest'/></relation>\n"
    "<relation id='104'><member type='way' ref='10' role='outer'/>"
    "<tag k='type' v='multipolygon'/><tag k='building' v='yes'/></relation>\n"
    "</osm>\n";

static const hh__area *area_by_id(const hh__osm *o, int64_t id, int rel)
{
    for (size_t i = 0; i < o->n_areas; i++)
        if (o->areas[i].osm_id == id && o->areas[i].from_relation == rel)
            return &o->areas[i];
    return NULL;
}

static int has_tag(const hh__osm *o, const hh__area *a, const char *kv)
{
    for (uint32_t i = 0; i < a->n_tags; i++)
        if (!strcmp(o->area_tag[a->tag_first + i], kv))
            return 1;
    return 0;
}

/* Whether ring r of o is closed and holds exactly the n points (e7) given,
 * in either direction, starting anywhere. */
static int ring_is(const hh__osm *o, uint32_t r, const int32_t (*pt)[2], int n)
{
    uint32_t a = o->area_ring_first[r], z = o->area_ring_first[r + 1];
    const int32_t *ll = o->area_ll_e7;
    if ((int)(z - a) != n + 1 || ll[2 * a] != ll[2 * (z - 1)] || ll[2 * a + 1] != ll[2 * (z - 1) + 1])
        return 0;
    for (int k = 0; k < n; k++) { /* every point given is on the ring once */
        int seen = 0;
        for (uint32_t i = a; i + 1 < z; i++)
            seen += ll[2 * i] == pt[k][0] && ll[2 * i + 1] == pt[k][1];
        if (seen != 1)
            return 0;
    }
    return 1;
}

HH_TEST(osm_multipolygon_with_hole_and_two_way_outer)
{
    hh__osm o;
    HH_ASSERT_EQ(read_osm(put("areas.osm", areas_xml), &o), 0);
    /* park (relation), grass (relation), parking (way); not building 41/104 */
    HH_ASSERT_EQ(o.n_areas, 3);
    HH_ASSERT_EQ(o.areas_invalid, 1);    /* 102: an open way cannot close a ring */
    HH_ASSERT_EQ(o.areas_incomplete, 1); /* 103: way 999 is not in the file */
    const hh__area *park = area_by_id(&o, 100, 1);
    HH_ASSERT(park);
    HH_ASSERT(has_tag(&o, park, "leisure=park"));
    HH_ASSERT_EQ(park->n_polys, 1);
    uint32_t r0 = o.area_poly_first[park->poly_first], r1 = o.area_poly_first[park->poly_first + 1];
    HH_ASSERT_EQ(r1 - r0, 2); /* outer, then its hole */
    static const int32_t outer[][2] = {{0, 0}, {100000, 0}, {100000, 100000}, {0, 100000}};
    static const int32_t hole[][2] = {{40000, 40000}, {60000, 40000}, {60000, 60000}, {40000, 60000}};
    HH_ASSERT(ring_is(&o, r0, outer, 4));
    HH_ASSERT(ring_is(&o, r0 + 1, hole, 4));

    const hh__area *grass = area_by_id(&o, 101, 1);
    HH_ASSERT(grass);
    HH_ASSERT_EQ(grass->n_polys, 1);
    r0 = o.area_poly_first[grass->poly_first], r1 = o.area_poly_first[grass->poly_first + 1];
    HH_ASSERT_EQ(r1 - r0, 1);
    static const int32_t sq[][2] = {{1000000, 1000000}, {1100000, 1000000}, {1100000, 1100000}, {1000000, 1100000}};
    HH_ASSERT(ring_is(&o, r0, sq, 4));

    const hh__area *parking = area_by_id(&o, 40, 0);
    HH_ASSERT(parking);
    HH_ASSERT(has_tag(&o, parking, "amenity=parking"));
    HH_ASSERT_EQ(parking->n_polys, 1);
    r0 = o.area_poly_first[parking->poly_first];
    static const int32_t tri[][2] = {{40000, 40000}, {60000, 40000}, {60000, 60000}};
    HH_ASSERT(ring_is(&o, r0, tri, 3));
    /* the arrays' sentinels close every range */
    HH_ASSERT_EQ(o.area_poly_first[o.n_area_polys], o.n_area_rings);
    hh__osm_free(&o);
}

/* A multipolygon member that is a street (not stashed in the first pass):
 * its areas come from reading the ways again, and are the same. */
HH_TEST(osm_multipolygon_with_a_street_member_reads_the_ways_again)
{
    char *xml = strdup(areas_xml);
    HH_ASSERT(xml);
    const char *w30 = "<way id='30'><nd ref='21'/><nd ref='22'/><nd ref='23'/></way>";
    char *at = strstr(xml, w30);
    HH_ASSERT(at);
    /* same length: way 30 becomes a street, and member 30 of relation 101 */
    const char *street = "<way id='30'><nd ref='21'/><nd ref='22'/><nd ref='23'/><tag k='highway' v='service'/></way>";
    size_t n = strlen(xml) - strlen(w30) + strlen(street) + 1;
    char *x2 = malloc(n);
    HH_ASSERT(x2);
    snprintf(x2, n, "%.*s%s%s", (int)(at - xml), xml, street, at + strlen(w30));
    hh__osm a, b;
    int ra = read_osm(put("areas_a.osm", areas_xml), &a);
    int rb = read_osm(put("areas_b.osm", x2), &b);
    free(xml), free(x2);
    HH_ASSERT_EQ(ra, 0);
    HH_ASSERT_EQ(rb, 0);
    HH_ASSERT_EQ(b.n_ways, a.n_ways + 1);
    HH_ASSERT_EQ(b.n_areas, a.n_areas);
    HH_ASSERT_EQ(b.n_area_rings, a.n_area_rings);
    HH_ASSERT_EQ(b.areas_invalid, a.areas_invalid);
    HH_ASSERT_EQ(b.areas_incomplete, a.areas_incomplete);
    const hh__area *g = area_by_id(&b, 101, 1);
    HH_ASSERT(g);
    static const int32_t sq[][2] = {{1000000, 1000000}, {1100000, 1000000}, {1100000, 1100000}, {1000000, 1100000}};
    HH_ASSERT(ring_is(&b, b.area_poly_first[g->poly_first], sq, 4));
    HH_ASSERT(!memcmp(a.area_ll_e7, b.area_ll_e7, 2 * a.area_ring_first[a.n_area_rings] * sizeof *a.area_ll_e7));
    hh__osm_free(&a), hh__osm_free(&b);
}

static const char *restr_xml =
    XML_HEAD
    "<node id='1' lat='0' lon='0'/><node id='2' lat='0' lon='0.001'/><node id='3' lat='0.001' lon='0.001'/>\n"
    "<node id='4' lat='0.002' lon='0.001'/><node id='5' lat='0.002' lon='0.002'/>\n"
    "<way id='1'><nd ref='1'/><nd ref='2'/><tag k='highway' v='residential'/></way>\n"
    "<way id='3'><nd ref='2'/><nd ref='3'/><tag k='highway' v='residential'/></way>\n"
    "<way id='4'><nd ref='3'/><nd ref='4'/><tag k='highway' v='residential'/></way>\n"
    "<way id='5'><nd ref='2'/><nd ref='3'/><tag k='highway' v='residential'/></way>\n"
    "<way id='6'><nd ref='4'/><nd ref='5'/><tag k='highway' v='residential'/></way>\n"
    /* listed */
    "<relation id='200'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='3' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='no_left_turn'/></relation>\n"
    "<relation id='201'><member type='way' ref='1' role='from'/><member type='way' ref='5' role='via'/>"
    "<member type='way' ref='4' role='via'/><member type='way' ref='6' role='to'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='only_straight_on'/></relation>\n"
    "<relation id='202'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='5' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='no_u_turn'/><tag k='restriction:motorcar' v='only_right_turn'/></relation>\n"
    /* not for cars: not listed, not counted */
    "<relation id='203'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='3' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='no_left_turn'/><tag k='except' v='bicycle;motorcar'/></relation>\n"
    "<relation id='204'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='3' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='no_left_turn'/><tag k='except' v='psv; motor_vehicle'/></relation>\n"
    "<relation id='205'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='3' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction:bicycle' v='no_left_turn'/></relation>\n"
    /* except= names other vehicles (motorcar_x is not motorcar): listed */
    "<relation id='206'><member type='way' ref='3' role='from'/><member type='node' ref='3' role='via'/>"
    "<member type='way' ref='4' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='no_right_turn'/><tag k='except' v='psv;motorcar_x'/></relation>\n"
    /* malformed: counted */
    "<relation id='210'><member type='way' ref='1' role='from'/><member type='way' ref='5' role='from'/>"
    "<member type='node' ref='2' role='via'/><member type='way' ref='3' role='to'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/></relation>\n"
    "<relation id='211'><member type='way' ref='1' role='from'/><member type='way' ref='3' role='to'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/></relation>\n"
    "<relation id='212'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='5' role='via'/><member type='way' ref='6' role='to'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/></relation>\n"
    "<relation id='213'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='way' ref='3' role='to'/><tag k='type' v='restriction'/>"
    "<tag k='restriction' v='give_way'/></relation>\n"
    "<relation id='214'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/></relation>\n"
    "<relation id='215'><member type='way' ref='1' role='from'/><member type='node' ref='2' role='via'/>"
    "<member type='node' ref='3' role='via'/><member type='way' ref='3' role='to'/>"
    "<tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/></relation>\n"
    "</osm>\n";

HH_TEST(osm_restrictions_via_node_via_ways_and_malformed)
{
    hh__osm o;
    HH_ASSERT_EQ(read_osm(put("restr.osm", restr_xml), &o), 0);
    HH_ASSERT_EQ(o.n_restr, 4);
    HH_ASSERT_EQ(o.restr_skipped, 6);
    const hh__restriction *r = o.restr;
    /* 200: via a node */
    HH_ASSERT_EQ(r[0].from_way, 1);
    HH_ASSERT_EQ(r[0].via_node, 2);
    HH_ASSERT_EQ(r[0].to_way, 3);
    HH_ASSERT_EQ(r[0].n_via, 0);
    HH_ASSERT_EQ(r[0].only, 0);
    /* 201: via two ways, in member order */
    HH_ASSERT_EQ(r[1].from_way, 1);
    HH_ASSERT_EQ(r[1].to_way, 6);
    HH_ASSERT_EQ(r[1].via_node, 0);
    HH_ASSERT_EQ(r[1].n_via, 2);
    HH_ASSERT_EQ(o.restr_via[r[1].via_first], 5);
    HH_ASSERT_EQ(o.restr_via[r[1].via_first + 1], 4);
    HH_ASSERT_EQ(r[1].only, 1);
    /* 202: restriction:motorcar wins over restriction */
    HH_ASSERT_EQ(r[2].to_way, 5);
    HH_ASSERT_EQ(r[2].only, 1);
    /* 206 */
    HH_ASSERT_EQ(r[3].from_way, 3);
    HH_ASSERT_EQ(r[3].via_node, 3);
    HH_ASSERT_EQ(o.n_restr_via, 2);
    hh__osm_free(&o);
}

static const char *tagged_xml =
    XML_HEAD
    "<node id='7' lat='0.002' lon='0'><tag k='highway' v='traffic_signals'/></node>\n"
    "<node id='3' lat='0' lon='0'><tag k='barrier' v='bollard'/></node>\n"
    "<node id='5' lat='0.001' lon='0'><tag k='name' v='corner'/></node>\n"
    "<node id='9' lat='0.003' lon='0'><tag k='barrier' v='gate'/></node>\n"
    "<way id='1'><nd ref='3'/><nd ref='5'/><nd ref='7'/><nd ref='9'/><tag k='highway' v='residential'/></way>\n"
    "</osm>\n";

HH_TEST(osm_routing_nodes_bollard_and_signals)
{
    hh__osm o;
    HH_ASSERT_EQ(read_osm(put("tagged.osm", tagged_xml), &o), 0);
    HH_ASSERT_EQ(o.n_nodes, 4);
    HH_ASSERT_EQ(o.node_id[0], 3); /* sorted although the file is not */
    HH_ASSERT_EQ(o.node_id[3], 9);
    HH_ASSERT_EQ(o.n_tagged, 2); /* a gate lets every mode through */
    HH_ASSERT_EQ(o.tagged[0].id, 3);
    HH_ASSERT_EQ(o.tagged[0].a.closed, 1u << HH_MODE_CAR);
    HH_ASSERT_EQ(o.tagged[0].a.signals, 0);
    HH_ASSERT_EQ(o.tagged[1].id, 7);
    HH_ASSERT_EQ(o.tagged[1].a.closed, 0);
    HH_ASSERT_EQ(o.tagged[1].a.signals, 1);
    HH_ASSERT(hh__osm_node_attr(&o, 3) && !hh__osm_node_attr(&o, 5));
    hh__osm_free(&o);
}

/* Field by field (hh__way_attr has padding), so any difference is named. */
static int same_osm(const hh__osm *a, const hh__osm *b)
{
#define SAME(x) do { if ((a->x) != (b->x)) { fprintf(stderr, "  differs: %s\n", #x); return 0; } } while (0)
#define SAME_ARR(p, n) do { if ((n) != 0 && memcmp(a->p, b->p, (n) * sizeof *a->p)) { \
            fprintf(stderr, "  differs: %s\n", #p); return 0; } } while (0)
    SAME(n_nodes); SAME(n_ways); SAME(n_restr); SAME(n_restr_via); SAME(restr_skipped); SAME(n_tagged);
    SAME(n_areas); SAME(n_area_tags); SAME(n_area_polys); SAME(n_area_rings); SAME(areas_invalid);
    SAME(areas_incomplete); SAME(osm_nodes); SAME(osm_ways); SAME(osm_relations);
    SAME_ARR(node_id, a->n_nodes); SAME_ARR(node_lon_e7, a->n_nodes); SAME_ARR(node_lat_e7, a->n_nodes);
    SAME_ARR(way_id, a->n_ways); SAME_ARR(way_first, a->n_ways + 1); SAME_ARR(refs, a->way_first[a->n_ways]);
    for (size_t i = 0; i < a->n_ways; i++) {
        SAME(way_attr[i].road_class);
        for (int m = 0; m < HH_N_MODES; m++) {
            SAME(way_attr[i].speed_kmh[m]);
            SAME(way_attr[i].fwd[m]);
            SAME(way_attr[i].bwd[m]);
        }
    }
    for (size_t i = 0; i < a->n_restr; i++) {
        SAME(restr[i].from_way); SAME(restr[i].to_way); SAME(restr[i].via_node);
        SAME(restr[i].via_first); SAME(restr[i].n_via); SAME(restr[i].only);
    }
    SAME_ARR(restr_via, a->n_restr_via);
    for (size_t i = 0; i < a->n_tagged; i++) {
        SAME(tagged[i].id);
        SAME(tagged[i].a.closed);
        SAME(tagged[i].a.signals);
    }
    for (size_t i = 0; i < a->n_areas; i++) {
        SAME(areas[i].osm_id); SAME(areas[i].from_relation); SAME(areas[i].tag_first);
        SAME(areas[i].n_tags); SAME(areas[i].poly_first); SAME(areas[i].n_polys);
    }
    for (size_t i = 0; i < a->n_area_tags; i++)
        if (strcmp(a->area_tag[i], b->area_tag[i]))
            return fprintf(stderr, "  differs: area_tag[%zu]\n", i), 0;
    if (a->n_areas) {
        SAME_ARR(area_poly_first, a->n_area_polys + 1);
        SAME_ARR(area_ring_first, a->n_area_rings + 1);
        SAME_ARR(area_ll_e7, 2 * (size_t)a->area_ring_first[a->n_area_rings]);
    }
    return 1;
#undef SAME
#undef SAME_ARR
}

static int convert(const char *xml, char *pbf, char *bz, size_t cap)
{
    snprintf(pbf, cap, "%s.pbf", xml);
    snprintf(bz, cap, "%s.bz2", xml);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "python3 tests/unit/osmconv.py '%s' '%s' '%s'", xml, pbf, bz);
    return system(cmd);
}

HH_TEST(osm_pbf_xml_bz2_read_the_same)
{
    const char *files[][2] = {{"same_areas.osm", areas_xml}, {"same_restr.osm", restr_xml},
                              {"same_tagged.osm", tagged_xml}};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char xml[512], pbf[600], bz[600];
        snprintf(xml, sizeof xml, "%s", put(files[f][0], files[f][1]));
        HH_ASSERT_EQ(convert(xml, pbf, bz, sizeof pbf), 0);
        hh__osm a, b, c;
        HH_ASSERT_EQ(read_osm(xml, &a), 0);
        HH_ASSERT_EQ(read_osm(pbf, &b), 0);
        HH_ASSERT_EQ(read_osm(bz, &c), 0);
        int ab = same_osm(&a, &b), ac = same_osm(&a, &c);
        hh__osm_free(&a), hh__osm_free(&b), hh__osm_free(&c);
        HH_ASSERT(ab);
        HH_ASSERT(ac);
    }
}

HH_TEST(osm_hostile_input_fails_with_one_line)
{
    const struct {
        const char *name, *text;
        int rc;
    } cases[] = {
        /* libreadosm crashed on this one (without and with a version) */
        {"crash.osm", "<osm><node id=\"1\" lat=\"1\" lon=\"2\"/><way id=\"3\"><nd ref=\"1\"/><nd ref=\"1\"/>"
                      "<tag k=\"h\"/></way></osm>", HH_EFORMAT},
        {"crash6.osm", "<osm version='0.6'><node id=\"1\" lat=\"1\" lon=\"2\"/><way id=\"3\"><nd ref=\"1\"/>"
                       "<nd ref=\"1\"/><tag k=\"h\"/></way></osm>", HH_EEMPTY},
        {"cut.osm", XML_HEAD "<node id='1' lat='0' lon='0'/><way id='1'><nd ref='1'", HH_EFORMAT},
        {"entity.osm", "<?xml version='1.0'?><!DOCTYPE osm [<!ENTITY a 'aaaa'>]><osm version='0.6'>&a;</osm>",
         HH_EFORMAT},
        {"badlat.osm", XML_HEAD "<node id='1' lat='north' lon='0'/></osm>", HH_EFORMAT},
        {"cut.osm.bz2", "BZh91AY&SY", HH_ETRUNCATED},
        {"png.pbf", "\x89PNG\r\n\x1a\nIHDR0000000000000", HH_EFORMAT},
        {"hello.txt", "hello", HH_EFORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hh_profile p;
        hh_profile_default(&p);
        hh__osm o;
        char err[512] = "";
        const char *path = put(cases[i].name, cases[i].text);
        int rc = hh__osm_read(path, &p, &o, err, sizeof err);
        if (rc != cases[i].rc)
            fprintf(stderr, "  %s: %d %s\n", cases[i].name, rc, err);
        HH_ASSERT_EQ(rc, cases[i].rc);
        HH_ASSERT(strstr(err, path) == err && !strchr(err, '\n'));
    }
}

/* Every allocation of a read with areas and restrictions fails in turn:
 * HH_ENOMEM each time, nothing leaked (counted), then success. */
HH_TEST(osm_read_out_of_memory_everywhere)
{
    const char *path = put("oom_areas.osm", areas_xml);
    const char *path2 = put("oom_restr.osm", restr_xml);
    hh_profile p;
    hh_profile_default(&p);
    for (int f = 0; f < 2; f++) {
        int ok = 0;
        for (long k = 0; k < 1000 && !ok; k++) {
            hh_test_counter c = {k, 0};
            hh_allocator a = hh_test_counting(&c);
            hh_set_allocator(&a);
            hh__osm o;
            char err[512] = "";
            int rc = hh__osm_read(f ? path2 : path, &p, &o, err, sizeof err);
            if (rc == 0) {
                ok = 1;
                hh__osm_free(&o);
            }
            hh_set_allocator(NULL);
            if (!ok)
                HH_ASSERT_EQ(rc, HH_ENOMEM);
            HH_ASSERT_EQ(c.live, 0);
        }
        HH_ASSERT(ok);
    }
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* libosmium's PBF parser kept the file open when a parse failed; a long
 * run over corrupt files (a fuzzer, a server) then ran out of descriptors. */
HH_TEST(osm_failed_reads_close_their_files)
{
    const char *pbf = put("leak.pbf", "\x89PNG\r\n\x1a\nIHDR0000000000000"); /* a BlobHeader too long */
    const char *xml = put("leak.osm", XML_HEAD "<node id='1'");
    hh_profile p;
    hh_profile_default(&p);
    int before = open_fds();
    for (int i = 0; i < 50; i++) {
        hh__osm o;
        char err[256];
        HH_ASSERT(hh__osm_read(i % 2 ? xml : pbf, &p, &o, err, sizeof err) < 0);
    }
    HH_ASSERT(before > 0);
    HH_ASSERT_EQ(open_fds(), before);
}
