/* info.c: `halfhour info NET.hh [--json]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int cmd_info(int argc, char **argv)
{
    static const char *const fl[] = {"--json", "--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, NULL, fl);
    const char *path = NULL;
    int json = 0, r;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("info", "more than one network file");
            path = a.val;
        } else if (!strcmp(a.name, "--json"))
            json = 1;
        else {
            printf("usage: halfhour info NET.hh [--json]\n\n"
                   "Prints the network's bounding box, vertices, edges and arcs per mode, the\n"
                   "components (islands) each mode kept and dropped, the car's turn model\n"
                   "(restrictions applied and skipped, barriers, signals), the profile settings\n"
                   "it was built with, and its source; with transit, each feed and the GTFS\n"
                   "warnings of the build (kind, count, first lines), and the opportunity\n"
                   "layers stored (points with a value, total); for a network made by halfhour\n"
                   "scenario, the change file applied (name, SHA-256, summary). --json for machines\n"
                   "(modes.<mode>.components: kept, kept_for_stop, kept_sizes of the largest 8,\n"
                   "dropped, dropped_vertices, dropped_largest; car_turns; gtfs_warnings:\n"
                   "[{kind, count, examples}]; layers: [{name, points, total, blank}]).\n");
            return 0;
        }
    }
    if (r == -1)
        return cli_usage("info", "unknown option %s", a.name);
    if (!path)
        return cli_usage("info", "missing the network file");
    hh_net *net;
    char err[512];
    if (hh_net_open(path, &net, err, sizeof err))
        return cli_fail("%s", err);
    hh_net_info in;
    hh_net_get_info(net, &in);
    hh_query_bytes qb;
    hh_query_footprint(net, &qb);
    size_t plen = hh_profile_format(&in.profile, NULL, 0);
    char prof[16384];
    if (plen >= sizeof prof)
        plen = sizeof prof - 1;
    hh_profile_format(&in.profile, prof, sizeof prof);
    hh_layers ls;
    if (hh_net_layers(net, &ls)) {
        hh_net_close(net);
        return cli_fail("%s: the opportunity layers are damaged", path);
    }
    /* per layer: points with a value, and the total */
    size_t *lpts = calloc(ls.n_layers + 1, sizeof *lpts);
    double *ltot = calloc(ls.n_layers + 1, sizeof *ltot);
    if (!lpts || !ltot) {
        free(lpts), free(ltot), hh_layers_free(&ls), hh_net_close(net);
        return cli_fail("out of memory");
    }
    for (size_t i = 0; i < ls.n; i++)
        for (size_t l = 0; l < ls.n_layers; l++) {
            double v = ls.value[i * ls.n_layers + l];
            lpts[l] += v != 0, ltot[l] += v;
        }
    if (json) {
        printf("{\"format_version\":%u,\"file_bytes\":%llu,\"source\":", in.format_version,
               (unsigned long long)in.file_bytes);
        json_str(in.source);
        printf(",\"built_at\":");
        json_str(in.built_at);
        hh_net_scenario_info sc;
        if (hh_net_scenario(net, &sc)) {
            printf(",\"scenario\":{\"change\":");
            json_str(sc.change);
            printf(",\"sha256\":");
            json_str(sc.sha256);
            printf(",\"summary\":");
            json_str(sc.summary);
            printf(",\"base\":");
            json_str(sc.base);
            printf(",\"applied_at\":");
            json_str(sc.applied_at);
            printf("}");
        }
        printf(",\"bbox\":[%.7f,%.7f,%.7f,%.7f],\"nodes\":%u,\"edges\":%u,\"turn_restrictions\":%u,",
               in.min_lon, in.min_lat, in.max_lon, in.max_lat, in.n_nodes, in.n_edges, in.restrictions);
        printf("\"search_bytes_per_thread\":%llu,\"search_bytes_per_vertex\":%.1f,", (unsigned long long)qb.total,
               qb.per_vertex);
        printf("\"car_turns\":{\"restrictions_via_node\":%u,\"restrictions_via_way\":%u,"
               "\"restrictions_skipped\":%u,\"moves\":%u,\"barriers\":%u,\"signals\":%u,"
               "\"turn_costs\":%d},\"barrier_vertex_copies\":%u,\"modes\":{",
               in.restrictions, in.restrictions_via_way, in.restrictions_skipped, in.turn_moves, in.car_barriers,
               in.signals, in.profile.car_turn_costs, in.barrier_copies);
        for (int m = 0; m < HH_N_MODES; m++) {
            const hh_components *c = &in.comps[m];
            printf("%s\"%s\":{\"arcs\":%u,\"nodes\":%u,\"components\":{\"kept\":%u,\"kept_for_stop\":%u,"
                   "\"kept_sizes\":[",
                   m ? "," : "", hh_mode_name((hh_mode)m), in.arcs[m], in.scc_nodes[m], c->kept, c->kept_for_stop);
            for (int k = 0; k < HH_COMP_SIZES && c->sizes[k]; k++)
                printf("%s%u", k ? "," : "", c->sizes[k]);
            printf("],\"dropped\":%u,\"dropped_vertices\":%u,\"dropped_largest\":%u}}", c->dropped,
                   c->dropped_nodes, c->dropped_largest);
        }
        printf("},\"profile\":{");
        int first = 1;
        for (char *line = strtok(prof, "\n"); line; line = strtok(NULL, "\n")) {
            char *eq = strstr(line, " = ");
            if (!eq)
                continue;
            *eq = 0;
            char *end;
            strtod(eq + 3, &end);
            printf("%s\"%s\":", first ? "" : ",", line);
            if (end != eq + 3 && !*end)
                printf("%s", eq + 3);
            else
                json_str(eq + 3);
            first = 0;
        }
        printf("},\"feeds\":[");
        for (uint32_t f = 0; f < hh_net_n_feeds(net); f++) {
            hh_feed_info fi;
            if (hh_net_feed_info(net, f, &fi))
                continue;
            printf("%s{\"name\":", f ? "," : "");
            json_str(fi.name);
            printf(",\"timezone\":");
            json_str(fi.timezone);
            printf(",\"agencies\":");
            json_str(fi.agencies);
            printf(",\"first_date\":%d,\"last_date\":%d,\"stops\":%u,\"stops_linked\":%u,\"routes\":%u,"
                   "\"trips\":%u,\"busiest_date\":%d,\"trips_busiest_day\":%u}",
                   fi.first_date, fi.last_date, fi.stops, fi.stops_linked, fi.routes, fi.trips, fi.busiest_date,
                   fi.trips_busiest);
        }
        printf("],\"gtfs_warnings\":[");
        for (uint32_t i = 0; i < hh_net_n_gtfs_warnings(net); i++) {
            hh_gtfs_warning w;
            if (hh_net_gtfs_warning(net, i, &w))
                continue;
            printf("%s{\"kind\":", i ? "," : "");
            json_str(w.kind);
            printf(",\"count\":%u,\"examples\":[", w.count);
            for (uint32_t j = 0; j < w.n_examples; j++) {
                if (j)
                    putchar(',');
                json_str(w.examples[j]);
            }
            printf("]}");
        }
        printf("],\"layers\":[");
        for (size_t l = 0; l < ls.n_layers; l++) {
            printf("%s{\"name\":", l ? "," : "");
            json_str(ls.name[l]);
            printf(",\"points\":%zu,\"total\":%.17g,\"blank\":%llu}", lpts[l], ltot[l],
                   (unsigned long long)ls.n_blank[l]);
        }
        printf("],\"attribution\":\"(c) OpenStreetMap contributors, ODbL 1.0\"}\n");
    } else {
        printf("network   %s\nformat    version %u, %.1f MB\nsource    %s\nbuilt     %s\n", path,
               in.format_version, in.file_bytes / 1e6, in.source, in.built_at);
        hh_net_scenario_info sc;
        if (hh_net_scenario(net, &sc))
            printf("scenario  %s applied to %s at %s\n          sha256 %s\n          %s\n", sc.change, sc.base,
                   sc.applied_at, sc.sha256, sc.summary);
        printf("bbox      %.7f,%.7f,%.7f,%.7f (lon/lat min, max)\n", in.min_lon, in.min_lat, in.max_lon,
               in.max_lat);
        printf("graph     %u vertices, %u edges\n", in.n_nodes, in.n_edges);
        printf("search    %.0f bytes per vertex per thread (%.1f MB: plain search %.1f, hierarchy sweep %.1f)\n",
               qb.per_vertex, qb.total / 1e6, qb.dijkstra / 1e6, qb.sweep / 1e6);
        printf("car turns %u restrictions applied (%u via a node, %u via ways), %u skipped as malformed;\n"
               "          %u moves, %u barriers, %u traffic signals, turn costs %s\n",
               in.restrictions + in.restrictions_via_way, in.restrictions, in.restrictions_via_way,
               in.restrictions_skipped, in.turn_moves, in.car_barriers, in.signals,
               in.profile.car_turn_costs ? "on" : "off");
        for (int m = 0; m < HH_N_MODES; m++) {
            const hh_components *c = &in.comps[m];
            printf("%-9s %u arcs over %u vertices", hh_mode_name((hh_mode)m), in.arcs[m], in.scc_nodes[m]);
            if (c->kept) {
                printf("; %u component%s kept (", c->kept, c->kept == 1 ? "" : "s");
                for (int k = 0; k < HH_COMP_SIZES && c->sizes[k]; k++)
                    printf("%s%u", k ? ", " : "", c->sizes[k]);
                printf("%s vertices", c->kept > HH_COMP_SIZES ? ", ..." : "");
                if (c->kept_for_stop)
                    printf("; %u for a transit stop", c->kept_for_stop);
                printf("), %u dropped", c->dropped);
                if (c->dropped)
                    printf(" (%u vertices, largest %u)", c->dropped_nodes, c->dropped_largest);
            }
            putchar('\n');
        }
        for (uint32_t f = 0; f < hh_net_n_feeds(net); f++) {
            hh_feed_info fi;
            if (hh_net_feed_info(net, f, &fi))
                continue;
            printf("feed      %s: %s (%s): service %04d-%02d-%02d..%04d-%02d-%02d, %u stops (%u linked), %u routes, "
                   "%u trips; busiest day %04d-%02d-%02d with %u trips\n",
                   fi.name, *fi.agencies ? fi.agencies : "agency unnamed", fi.timezone, fi.first_date / 10000, fi.first_date / 100 % 100, fi.first_date % 100,
                   fi.last_date / 10000, fi.last_date / 100 % 100, fi.last_date % 100, fi.stops, fi.stops_linked,
                   fi.routes, fi.trips, fi.busiest_date / 10000, fi.busiest_date / 100 % 100,
                   fi.busiest_date % 100, fi.trips_busiest);
        }
        if (hh_net_n_feeds(net))
            cli_print_gtfs_warnings(stdout, net, "");
        if (!ls.n_layers)
            printf("layers    none (halfhour build --opportunities / --osm-layer)\n");
        for (size_t l = 0; l < ls.n_layers; l++)
        {
            printf("layer     %s: %zu points, total %.10g", ls.name[l], lpts[l], ltot[l]);
            if (ls.n_blank[l])
                printf(" (%llu blank cells read as 0)", (unsigned long long)ls.n_blank[l]);
            putchar('\n');
        }
        printf("profile:\n");
        for (char *line = strtok(prof, "\n"); line; line = strtok(NULL, "\n"))
            printf("  %s\n", line);
        printf("map data  (c) OpenStreetMap contributors, ODbL 1.0\n");
    }
    free(lpts), free(ltot);
    hh_layers_free(&ls);
    hh_net_close(net);
    return 0;
}
