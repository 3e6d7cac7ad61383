/* scenario.c: `halfhour scenario BASE.hh --change F.geojson -o NEW.hh` */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: halfhour scenario BASE.hh --change CHANGE.geojson -o NEW.hh [--quiet]\n\n"
           "Writes NEW.hh: the network BASE.hh with the modifications of CHANGE.geojson\n"
           "applied (BASE.hh is never written). The change file is a GeoJSON\n"
           "FeatureCollection, one modification per Feature, properties.type naming it:\n"
           "  add-street        a LineString joined to the network at its ends (within\n"
           "                    tolerance_m, default 50): modes, highway or speed_kmh, oneway\n"
           "  modify-street     the streets inside a Polygon, or osm_way_ids: close [modes],\n"
           "                    speed_kmh or speed_factor, for modes\n"
           "  road-congestion   speed_factor over a Polygon (cars unless modes)\n"
           "  add-line          a LineString whose vertices are stops (stop_ids may name\n"
           "                    existing ones): mode, headway_min or departures, speed_kmh or\n"
           "                    run_times_s, dwell_s, start, end, bidirectional, dates\n"
           "  adjust-frequency  route_id, headway_min [start, end]\n"
           "  adjust-speed      route_id, speed_factor [from_stop, to_stop]\n"
           "  adjust-dwell      route_id, dwell_s or dwell_factor [stop_ids]\n"
           "  remove-trips      route_id [trip_ids, start, end]\n"
           "  remove-stops      route_id, stop_ids\n"
           "  reroute           route_id, from_stop and/or to_stop, the new stops (a\n"
           "                    LineString or stop_ids), speed_kmh, dwell_s\n"
           "(docs/scenarios.md has every property and an example of each). Each\n"
           "modification is checked (unknown ids, a street end or a stop off the network,\n"
           "a zero headway ...): an error names the Feature and nothing is written.\n"
           "Times are of the network's first feed's clock; a new line runs on every day\n"
           "of the feeds unless dates are given.\n\n"
           "NEW.hh records the change file (name, SHA-256, summary: halfhour info shows\n"
           "it). The speed-up index is updated in place for changes that only add or\n"
           "speed up (new streets, faster streets) and recontracted in the base's order\n"
           "for a mode where something got slower or closed; an empty FeatureCollection\n"
           "gives a network whose every answer equals BASE.hh's. Compare the two with\n"
           "access/report --compare BASE.hh.\n");
}

int cmd_scenario(int argc, char **argv)
{
    static const char *const wv[] = {"--change", "-o", NULL};
    static const char *const fl[] = {"--quiet", "-q", "--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *base = NULL, *change = NULL, *out = NULL;
    int quiet = 0, r;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (base)
                return cli_usage("scenario", "more than one base network (\"%s\")", a.val);
            base = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--change"))
            change = a.val;
        else if (!strcmp(a.name, "-o"))
            out = a.val;
        else
            quiet = 1;
    }
    if ((r = cli_args_done("scenario", &a, r)))
        return r;
    if (!base)
        return cli_usage("scenario", "missing the base network file");
    if (!change)
        return cli_usage("scenario", "missing --change CHANGE.geojson");
    if (!out)
        return cli_usage("scenario", "missing -o NEW.hh");
    if (!strcmp(out, base))
        return cli_usage("scenario", "-o %s is the base network: the base is never written", out);
    hh_scenario_stats st;
    char err[1024];
    if (hh_scenario_apply(base, change, out, &st, err, sizeof err))
        return cli_fail("%s", err);
    if (!quiet) {
        static const char *how[] = {"kept", "updated in place", "contracted again in the base's order"};
        fprintf(stderr, "halfhour: wrote %s in %.2f s (%.1f MB): %s\n", out, st.seconds, st.file_bytes / 1e6,
                st.summary);
        fprintf(stderr, "  streets: %u added, %u edges split to join them, %u edges changed\n", st.streets_added,
                st.edges_split, st.edges_changed);
        fprintf(stderr, "  speed-up index: walk %s, bike %s, car %s\n", how[st.ch_how[0] + 1], how[st.ch_how[1] + 1],
                how[st.ch_how[2] + 1]);
        if (st.stops_added || st.routes_added || st.trips_added || st.trips_removed || st.trips_changed ||
            st.transit_how >= 0)
            fprintf(stderr, "  transit: %u stops, %u routes, %u trips added, %u trips removed, %u changed; stop links %s\n",
                    st.stops_added, st.routes_added, st.trips_added, st.trips_removed, st.trips_changed,
                    st.transit_how < 0 ? "kept" : st.transit_how == 0 ? "kept (new stops linked)" : "made again");
        fprintf(stderr, "  change file sha256 %s\n", st.sha256);
    }
    return 0;
}
