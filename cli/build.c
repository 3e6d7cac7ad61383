/* build.c: `halfhour build OSMFILE -o NET.hh` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    hh_profile p;
    hh_profile_default(&p);
    printf("usage: halfhour build OSMFILE [--gtfs FEED.zip]... [-o NET.hh] [--profile FILE]\n"
           "                      [--set key=value]... [--timezone ZONE] [--strict] [-q]\n"
           "                      [--opportunities FILE]... [--osm-layer NAME=KEY=V1,V2[@area]]...\n"
           "                      [--polygons area|centroid] [--polygon-cell M] [--no-preset-layers]\n\n"
           "Reads an OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.bz2) and writes one\n"
           "network file for walk, bike and car (default output: OSMFILE's name with .hh).\n"
           "With --gtfs (repeatable) the GTFS feeds are merged into one timetable (ids kept\n"
           "apart per feed); every stop joins the walk network within transit.link_m and\n"
           "footpaths between stops follow the streets up to transit.transfer_m (between\n"
           "platforms of one parent_station: their straight-line distance at walking\n"
           "speed, at least 30 s, where the streets are longer or missing); stops that\n"
           "cannot be linked are listed. An agency_timezone the system's tz database\n"
           "does not know is an error.\n"
           "GTFS as found in the wild: faults whose meaning is unambiguous are skipped\n"
           "with a warning, as R5 and OpenTripPlanner do -- rows repeated verbatim\n"
           "(duplicate_row), rows naming a trip, stop, route, service or parent station\n"
           "the feed lacks (missing_reference: the row is dropped), stops without a\n"
           "position that no trip calls at (stop_without_position), a blank\n"
           "agency_timezone another agency of the feed or --timezone gives\n"
           "(blank_timezone), stop_times rows out of stop_sequence order (sorted:\n"
           "stop_times_order), route_type numbers GTFS does not define (routed as generic\n"
           "transit: unknown_route_type), trips with fewer than two stop times\n"
           "(short_trip), transfers for routes or trips (transfer_not_stop). The build\n"
           "ends with a count per kind and the first lines of each; `halfhour info`\n"
           "shows them again. One id with two different rows, an unknown time zone, and\n"
           "anything else that would change the timetable's meaning stay errors.\n"
           "The file is written to a temporary name and renamed when complete (a\n"
           "symlink's target is replaced, the link kept; a FIFO or device is written\n"
           "through); a failed write leaves any old file as it was.\n\n"
           "  -o FILE          output network file\n"
           "  --gtfs FILE      a GTFS feed (.zip) to merge in, repeatable\n"
           "  --profile FILE   settings file of `key = value` lines ('#' starts a comment)\n"
           "  --set key=value  one setting, applied after --profile (repeatable)\n"
           "  --timezone ZONE  IANA time zone (e.g. America/Sao_Paulo) for feeds whose\n"
           "                   agency_timezone is blank in every agency row\n"
           "  --strict         every GTFS warning is an error\n"
           "  -q               no report on stderr\n\n"
           "What is kept: ways with a highway=* class below whose speed is > 0 for a mode\n"
           "(not highway=construction/proposed, nor a way tagged construction=* other than\n"
           "no/minor/widening; area=yes only for pedestrian/footway areas).\n"
           "Access follows the OSM hierarchy, the most specific key present winning:\n"
           "car motorcar > motor_vehicle > vehicle > access, bike bicycle > vehicle >\n"
           "access, walk foot > access (access=no + foot=yes opens walking, motor_vehicle=no\n"
           "+ motorcar=yes opens cars, vehicle=no closes bike and car; foot=* says nothing\n"
           "about bikes). no|private|agricultural|forestry|use_sidepath|discouraged|\n"
           "emergency|military close; yes|designated|permissive|destination|delivery|\n"
           "customers|permit|official open (destination and delivery stay open). A key of\n"
           "the mode's own hierarchy may reopen a class the profile closes (at the\n"
           "footway/cycleway/service speed); the generic access=* only ever closes: it\n"
           "opens nothing the profile closes. motorroad=yes closes walk and bike (foot=*\n"
           "or bicycle=* may reopen it at the class's speed). Bikes push at walking speed\n"
           "on footways (bike.push_on_footways) and use steps only with\n"
           "bicycle=yes|designated, at walking speed; bicycle=dismount means walking\n"
           "speed. oneway=yes|-1, junction=roundabout and motorways\n"
           "are one-way for bike and car; oneway=reversible|alternating closes a way to\n"
           "cars; oneway:bicycle and cycleway=opposite* override for bikes; walking\n"
           "ignores oneway (not oneway:foot). Car speed is maxspeed (km/h, mph, knots) x\n"
           "car.maxspeed_factor when tagged, else the class speed, then x\n"
           "car.speed_factor (a congestion allowance).\n\n"
           "Islands: per mode the network's strongly connected components with at least\n"
           "island.min_vertices vertices are kept, and always the largest; for walk only\n"
           "(stops join the walk network) also those with at least\n"
           "island.min_vertices_with_stop vertices and a GTFS stop within transit.link_m of\n"
           "one of their edges. Smaller ones are dropped: nothing snaps to them. The\n"
           "report lists per mode the kept components' sizes and the dropped ones.\n\n"
           "Cars: turn restrictions (type=restriction, restriction or restriction:motorcar =\n"
           "no_*/only_*, via a node or via ways; except= naming motorcar or motor_vehicle\n"
           "leaves cars out) are applied in every car search; malformed ones are counted\n"
           "and skipped. With car.turn_costs=1 a turn at a junction of three or more roads\n"
           "costs car.turn_s x 1/(1+exp(-(a x |angle|/180 - b))) (right turns: a = 13 /\n"
           "car.turn_bias, b = 6.5 x car.turn_bias; left turns, across the traffic: a = 13 x\n"
           "bias, b = 6.5 / bias), as OSRM's car profile: 90 degrees right 2.1 s, left 5.4 s,\n"
           "straight 0; highway=traffic_signals adds car.signal_s to every move through the\n"
           "node; a u-turn (only where nothing else is allowed: dead ends, barriers) adds\n"
           "car.uturn_s. Barriers (barrier=* nodes): barrier.<value> = the modes that pass,\n"
           "barrier.other for values not listed; the node's own access tags may close it\n"
           "(any key of the mode's hierarchy) or open it (foot, bicycle, vehicle,\n"
           "motor_vehicle, motorcar; not bare access). Closed modes reach a barrier from\n"
           "either side but do not pass.\n\n"
           "Opportunities (named layers for halfhour access, stored in the network):\n"
           "  --opportunities FILE  (repeatable) a points CSV (lon/lat columns as for\n"
           "                   points; every other all-numeric column is a layer, blanks\n"
           "                   are 0 and counted), GeoJSON points or polygons (every\n"
           "                   numeric property a layer) or a raster GDAL reads (a\n"
           "                   population GeoTIFF such as WorldPop or GHS-POP: each\n"
           "                   cell's value at its centre, one layer per band)\n"
           "  --polygons area|centroid  GeoJSON polygons (district census totals):\n"
           "                   spread over the polygon by area on a lattice of\n"
           "                   --polygon-cell metres (default 100; a region of\n"
           "                   districts wants 500 or 1000), or all at one point inside it\n"
           "  --osm-layer NAME=KEY=V1,V2[;KEY=V...][@area]  (repeatable) a layer from OSM\n"
           "                   tags: every node and area (closed way, multipolygon) with\n"
           "                   such a tag counts 1 (an area at a point inside it); * is\n"
           "                   any value; @area weighs areas by hectares (parks)\n"
           "  By default the 15-minute preset's daily-service layers are extracted too:\n");
    for (size_t i = 0; hh_preset_15min_rule(i); i++)
        printf("    %s\n", hh_preset_15min_rule(i));
    printf("  (transit_stops: the GTFS stops instead when --gtfs is given). A file's\n"
           "  layer replaces a rule's of the same name. --no-preset-layers skips them.\n\n"
           "Settings and defaults (speeds in km/h; 0 = closed to the mode):\n");
    size_t n = hh_profile_format(&p, NULL, 0);
    char *buf = malloc(n + 1);
    if (buf) {
        hh_profile_format(&p, buf, n + 1);
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            printf("  %s\n", line);
        free(buf);
    }
    printf("\n  <mode>.connector_kmh: speed over the straight stretch between a point and\n"
           "  the street it snaps to. iso.cell_m / iso.buffer_m: isochrone raster cell and\n"
           "  the farthest distance from a reached street that a polygon may claim;\n"
           "  iso.max_cells: larger isochrones use coarser cells to keep near this many.\n"
           "  transit.link_m: a stop joins the walk network within this distance;\n"
           "  transit.transfer_m: footpaths between stops up to this walk along streets;\n"
           "  transit.egress_m: walking tables from each stop reach this far (bounds the\n"
           "  --max-walk of transit queries).\n");
}

int cmd_build(int argc, char **argv)
{
    static const char *const wv[] = {"-o",        "--profile",       "--set",       "--gtfs",
                                     "--timezone", "--opportunities", "--osm-layer", "--polygons", "--polygon-cell", NULL};
    static const char *const fl[] = {"-q", "--strict", "--no-preset-layers", "--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *in = NULL, *out = NULL, *prof = NULL;
    const char *sets[256], *gtfs[64], *opp[64], *rules[64];
    int n_sets = 0, n_gtfs = 0, quiet = 0, r;
    hh_build_opts bo;
    memset(&bo, 0, sizeof bo);
    hh_layers_opts lo;
    memset(&lo, 0, sizeof lo);
    bo.layer_files = opp, bo.osm_layers = rules, bo.layer_opts = &lo;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (in)
                return cli_usage("build", "more than one input file (\"%s\")", a.val);
            in = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "--profile"))
            prof = a.val;
        else if (!strcmp(a.name, "--set")) {
            if (n_sets == 256)
                return cli_usage("build", "too many --set");
            sets[n_sets++] = a.val;
        } else if (!strcmp(a.name, "--gtfs")) {
            if (n_gtfs == 64)
                return cli_usage("build", "at most 64 --gtfs feeds");
            gtfs[n_gtfs++] = a.val;
        } else if (!strcmp(a.name, "-q"))
            quiet = 1;
        else if (!strcmp(a.name, "--strict"))
            bo.strict = 1;
        else if (!strcmp(a.name, "--timezone"))
            bo.timezone = a.val;
        else if (!strcmp(a.name, "--no-preset-layers"))
            bo.no_preset = 1;
        else if (!strcmp(a.name, "--opportunities")) {
            if (bo.n_layer_files == 64)
                return cli_usage("build", "at most 64 --opportunities files");
            opp[bo.n_layer_files++] = a.val;
        } else if (!strcmp(a.name, "--osm-layer")) {
            if (bo.n_osm_layers == 64)
                return cli_usage("build", "at most 64 --osm-layer rules");
            rules[bo.n_osm_layers++] = a.val;
        } else if (!strcmp(a.name, "--polygon-cell")) {
            if (cli_parse_double(a.val, 10, 100000, &lo.sample_m))
                return cli_fail("--polygon-cell \"%s\": expected metres in [10, 100000]", a.val);
        } else if (!strcmp(a.name, "--polygons")) {
            if (!strcmp(a.val, "area"))
                lo.polygons = HH_POLY_AREA;
            else if (!strcmp(a.val, "centroid"))
                lo.polygons = HH_POLY_CENTROID;
            else
                return cli_fail("--polygons \"%s\": expected area or centroid", a.val);
        }
    }
    if ((r = cli_args_done("build", &a, r)))
        return r;
    if (!in)
        return cli_usage("build", "missing the OSM input file");
    char outbuf[4096];
    if (!out) {
        const char *base = strrchr(in, '/');
        base = base ? base + 1 : in;
        snprintf(outbuf, sizeof outbuf, "%s", base);
        static const char *const sufs[] = {".osm.pbf", ".osm.bz2", ".pbf", ".osm", NULL};
        for (const char *const *s = sufs; *s; s++) {
            size_t bl = strlen(outbuf), sl = strlen(*s);
            if (bl > sl && !strcmp(outbuf + bl - sl, *s)) {
                outbuf[bl - sl] = 0;
                break;
            }
        }
        strncat(outbuf, ".hh", sizeof outbuf - strlen(outbuf) - 1);
        out = outbuf;
    }
    hh_profile p;
    hh_profile_default(&p);
    char err[512];
    if (prof && hh_profile_load(&p, prof, err, sizeof err))
        return cli_fail("%s", err);
    for (int i = 0; i < n_sets; i++)
        if (hh_profile_set(&p, sets[i], err, sizeof err))
            return cli_fail("--set %s", err);
    hh_build_stats st;
    if (hh_build_with(in, gtfs, (size_t)n_gtfs, &p, &bo, out, &st, quiet ? NULL : cli_progress, NULL, err,
                      sizeof err))
        return cli_fail("%s", err);
    if (!quiet) {
        fprintf(stderr, "halfhour: built %s in %.2f s (%.1f MB)\n", out, st.seconds, st.file_bytes / 1e6);
        fprintf(stderr, "  read %llu nodes, %llu ways, %llu relations\n", (unsigned long long)st.osm_nodes,
                (unsigned long long)st.osm_ways, (unsigned long long)st.osm_relations);
        fprintf(stderr, "  graph: %u vertices, %u edges\n", st.n_nodes, st.n_edges);
        fprintf(stderr, "  car turns: %u restrictions applied (%u via a node, %u via ways), %u skipped; %u moves,\n"
                        "             %u barriers, %u traffic signals, turn costs %s; %u vertex copies at walk/bike barriers\n",
                st.restrictions + st.restrictions_via_way, st.restrictions, st.restrictions_via_way,
                st.restrictions_skipped, st.turn_moves, st.car_barriers, st.signals, p.car_turn_costs ? "on" : "off",
                st.barrier_copies);
        for (int m = 0; m < HH_N_MODES; m++) {
            const hh_components *c = &st.comps[m];
            fprintf(stderr, "  %s: %u component%s kept", hh_mode_name((hh_mode)m), c->kept, c->kept == 1 ? "" : "s");
            for (uint32_t k = 0; k < c->kept && k < HH_COMP_SIZES; k++)
                fprintf(stderr, "%s%u%s", k == 0 ? " (largest " : k == 1 ? ", then " : ", ", c->sizes[k],
                        k == 0 ? " vertices" : "");
            if (c->kept)
                fprintf(stderr, "%s)", c->kept > HH_COMP_SIZES ? ", ..." : "");
            if (c->kept_for_stop)
                fprintf(stderr, ", %u of them for a transit stop", c->kept_for_stop);
            fprintf(stderr, ", %u dropped", c->dropped);
            if (c->dropped)
                fprintf(stderr, " (%u vertices, largest %u)", c->dropped_nodes, c->dropped_largest);
            fprintf(stderr, "; %u arcs over %u vertices kept, %u arcs dropped\n", st.arcs[m], st.scc_nodes[m],
                    st.dropped_arcs[m]);
        }
        fprintf(stderr, "  ways kept per class:");
        for (int c = 0; c < HH_N_CLASSES; c++)
            if (st.ways_per_class[c])
                fprintf(stderr, " %s %llu", hh_class_name(c), (unsigned long long)st.ways_per_class[c]);
        fputc('\n', stderr);
        if (st.n_layers)
            fprintf(stderr, "  opportunity layers: %u over %llu points: %s\n", st.n_layers,
                    (unsigned long long)st.layer_points, st.layers);
        else
            fprintf(stderr, "  opportunity layers: none\n");
        if (*st.layers_skipped)
            fprintf(stderr, "  opportunity files, left out: %s\n", st.layers_skipped);
        if (n_gtfs) {
            fprintf(stderr, "  transit: %u feeds, %u stops, %u routes, %u trips in %u patterns; %u footpaths\n",
                    st.n_feeds, st.n_stops, st.n_routes, st.n_trips, st.n_patterns, st.footpaths);
            fprintf(stderr, "  stops linked to the walk network: %u", st.stops_linked);
            if (st.stops_unlinked)
                fprintf(stderr, "; NOT linked (farther than %g m from a walkable street): %u: %s", p.transit_link_m,
                        st.stops_unlinked, st.unlinked_stops);
            fputc('\n', stderr);
            hh_net *net;
            if (hh_net_open(out, &net, err, sizeof err) == 0) {
                cli_print_gtfs_warnings(stderr, net, "  ");
                hh_net_close(net);
            }
        }
    }
    return 0;
}
