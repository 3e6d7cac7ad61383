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
           "                      [--set key=value]... [-q]\n\n"
           "Reads an OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.bz2) and writes one\n"
           "network file for walk, bike and car (default output: OSMFILE's name with .hh).\n"
           "With --gtfs (repeatable) the GTFS feeds are merged into one timetable (ids kept\n"
           "apart per feed); every stop joins the walk network within transit.link_m and\n"
           "footpaths between stops follow the streets up to transit.transfer_m; stops\n"
           "that cannot be linked are listed.\n"
           "The file is written to a temporary name and renamed when complete (a\n"
           "symlink's target is replaced, the link kept; a FIFO or device is written\n"
           "through); a failed write leaves any old file as it was.\n\n"
           "  -o FILE          output network file\n"
           "  --gtfs FILE      a GTFS feed (.zip) to merge in, repeatable\n"
           "  --profile FILE   settings file of `key = value` lines ('#' starts a comment)\n"
           "  --set key=value  one setting, applied after --profile (repeatable)\n"
           "  -q               no report on stderr\n\n"
           "What is kept: ways with a highway=* class below whose speed is > 0 for a mode;\n"
           "access/foot/bicycle/vehicle/motor_vehicle/motorcar=no|private close a way to\n"
           "the modes concerned (=yes|designated|permissive|destination open it, using the\n"
           "footway/cycleway/service speed when the class itself is closed); oneway=yes|-1,\n"
           "junction=roundabout and motorways are one-way for bike and car; oneway:bicycle\n"
           "and cycleway=opposite* override for bikes; walking ignores oneway. Car speed is\n"
           "maxspeed (km/h, mph, knots) x car.maxspeed_factor when tagged, else the class\n"
           "speed, then x car.speed_factor (a congestion allowance). Per mode only the\n"
           "largest strongly connected part of the network is kept, so points never snap\n"
           "onto islands. Car turn restrictions (no_*/only_*, via a node) are stored.\n\n"
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
    static const char *const wv[] = {"-o", "--profile", "--set", "--gtfs", NULL};
    static const char *const fl[] = {"-q", "--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *in = NULL, *out = NULL, *prof = NULL;
    const char *sets[256], *gtfs[64];
    int n_sets = 0, n_gtfs = 0, quiet = 0, r;
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
    }
    if (r == -1)
        return cli_usage("build", "unknown option %s", a.name);
    if (r == -2)
        return cli_usage("build", "%s needs a value", a.name);
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
    if (hh_build_transit(in, gtfs, (size_t)n_gtfs, &p, out, &st, quiet ? NULL : cli_progress, NULL, err, sizeof err))
        return cli_fail("%s", err);
    if (!quiet) {
        fprintf(stderr, "halfhour: built %s in %.2f s (%.1f MB)\n", out, st.seconds, st.file_bytes / 1e6);
        fprintf(stderr, "  read %llu nodes, %llu ways, %llu relations\n", (unsigned long long)st.osm_nodes,
                (unsigned long long)st.osm_ways, (unsigned long long)st.osm_relations);
        fprintf(stderr, "  graph: %u vertices, %u edges, %u turn restrictions\n", st.n_nodes, st.n_edges,
                st.restrictions);
        for (int m = 0; m < HH_N_MODES; m++)
            fprintf(stderr, "  %-5s %8u arcs, %8u vertices in the kept component, %u arcs dropped (islands)\n",
                    hh_mode_name((hh_mode)m), st.arcs[m], st.scc_nodes[m], st.dropped_arcs[m]);
        fprintf(stderr, "  ways kept per class:");
        for (int c = 0; c < HH_N_CLASSES; c++)
            if (st.ways_per_class[c])
                fprintf(stderr, " %s %llu", hh_class_name(c), (unsigned long long)st.ways_per_class[c]);
        fputc('\n', stderr);
        if (n_gtfs) {
            fprintf(stderr, "  transit: %u feeds, %u stops, %u routes, %u trips in %u patterns; %u footpaths\n",
                    st.n_feeds, st.n_stops, st.n_routes, st.n_trips, st.n_patterns, st.footpaths);
            fprintf(stderr, "  stops linked to the walk network: %u", st.stops_linked);
            if (st.stops_unlinked)
                fprintf(stderr, "; NOT linked (farther than %g m from a walkable street): %u: %s", p.transit_link_m,
                        st.stops_unlinked, st.unlinked_stops);
            fputc('\n', stderr);
        }
    }
    return 0;
}
