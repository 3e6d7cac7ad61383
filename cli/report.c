/* report.c: `halfhour report NET.hh --centres C.csv --minutes T --modes car,transit -o DIR/` */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: halfhour report NET.hh --centres CENTRES.csv --minutes T -o DIR/\n"
           "                       [--modes car,transit,...] [--layer population] [--by-district FILE.geojson]\n"
           "                       [--threads N] [--snap-max M] [--compare BASE.hh]\n"
           "                       [--depart T --window MIN --percentiles 25,50,75 --percentile 50 ...] (transit)\n\n"
           "The half-hour-circle report for named centres: per mode, the centre-to-centre\n"
           "travel times and which pairs lie within T minutes of each other; each centre's\n"
           "T-minute circle (the isochrone of the same search) and the union of the circles,\n"
           "with their area and the residents inside -- the points of --layer (default\n"
           "population, when the network has it) reached in less than T, the rule of\n"
           "halfhour access's cumulative measure -- and their share of the layer's total;\n"
           "with --by-district, the same per district (districts from GeoJSON polygons,\n"
           "each point in the first district that holds it): residents, inside the union,\n"
           "share, and the mean minutes to the nearest centre of those inside, weighted by\n"
           "the layer.\n\n"
           "CENTRES.csv: a header row with id, name (optional; UTF-8, any script) and\n"
           "lon|lng|longitude|x, lat|latitude|y; at most 64 centres.\n\n"
           "Writes into DIR (created if missing): index.html (self-contained: the tables and\n"
           "one map per mode drawn as inline SVG over the network's streets, legend, scale\n"
           "bar, attribution; no script, no internet), report.md, circles.geojson (each\n"
           "circle and the union per mode, with area_km2, inside, share), times.csv\n"
           "(mode,from_id,from_name,to_id,to_name,percentile,minutes,within), circles.csv\n"
           "(mode,centre_id,centre_name,minutes,area_km2,<layer>_inside,share; the union\n"
           "as centre union) and, with districts, districts.csv. Each file appears complete\n"
           "or not at all.\n\n"
           "--compare BASE.hh: the same report on BASE.hh too (the network NET.hh was made\n"
           "from by halfhour scenario), in this process: index.html and report.md add, per\n"
           "mode, the union's area and the residents inside on both and the difference,\n"
           "the residents newly inside the T-minute circle (inside the union on NET.hh,\n"
           "not on BASE.hh) and those no longer inside, per district too; compare.csv\n"
           "(mode,measure,base,scenario,difference) and, with districts,\n"
           "compare_districts.csv (mode,district,residents,inside_base,inside_scenario,\n"
           "difference,newly_inside,no_longer_inside).\n\n"
           "  --modes L        walk, bike, car, transit (default car)\n"
           "  --minutes T      the circle's cutoff (default 30)\n"
           "  --percentiles L  transit: the centre-to-centre times at these percentiles of\n"
           "                   the departures (default 50)\n"
           "  --percentile P   transit: the percentile the circles and the residents inside\n"
           "                   use (default 50: the median departure); transit times are\n"
           "                   searched up to 2T (at least 60 minutes), farther ones show as -\n"
           "  --threads N, --snap-max M  as for matrix\n\n%s",
           cli_transit_help);
}

int cmd_report(int argc, char **argv)
{
    static const char *const wv[] = {"--centres", "--minutes", "--modes",    "--layer",       "--by-district",
                                     "--threads", "--snap-max", "-o",        "--percentiles", "--percentile",
                                     "--compare",
                                     CLI_TRANSIT_OPTIONS,       NULL};
    static const char *const fl[] = {"--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    int so;
    const char *path = NULL, *centres_p = NULL, *modes_s = "car", *layer_s = NULL, *district = NULL, *out = NULL;
    const char *pct_s = "50", *compare = NULL;
    double minutes = 30, snap_max = HH_DEFAULT_SNAP_M, circle_pct = 50;
    long threads = 0;
    int r;
    cli_transit tr;
    cli_transit_defaults(&tr);
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("report", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--centres"))
            centres_p = a.val;
        else if (!strcmp(a.name, "--minutes")) {
            if (cli_parse_double(a.val, 1e-9, 1440, &minutes))
                return cli_fail("--minutes \"%s\": expected minutes in (0, 1440]", a.val);
        } else if (!strcmp(a.name, "--modes"))
            modes_s = a.val;
        else if (!strcmp(a.name, "--layer"))
            layer_s = a.val;
        else if (!strcmp(a.name, "--by-district"))
            district = a.val;
        else if ((so = cli_search_option(a.name, a.val, &threads, &snap_max)) >= 0) {
            if (so)
                return so;
        } else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "--percentiles"))
            pct_s = a.val;
        else if (!strcmp(a.name, "--compare"))
            compare = a.val;
        else if (!strcmp(a.name, "--percentile")) {
            if (cli_parse_double(a.val, 1e-9, 100, &circle_pct))
                return cli_fail("--percentile \"%s\": expected a percentile in (0, 100]", a.val);
        } else {
            int t = cli_transit_option(a.name, a.val, &tr);
            if (t > 0)
                return t;
        }
    }
    int done = cli_args_done("report", &a, r);
    if (done)
        return done;
    if (!path)
        return cli_usage("report", "missing the network file");
    if (!centres_p)
        return cli_usage("report", "missing --centres CSV");
    if (!out)
        return cli_usage("report", "missing -o DIR (the report is a folder of files)");
    /* the modes */
    hh_report_mode_opts modes[8];
    size_t n_modes = 0;
    int want_transit = 0;
    unsigned char is_transit[8]; /* modes[k] is transit (its hh_transit comes after the checks) */
    {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", modes_s);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            if (n_modes == 8)
                return cli_fail("--modes: at most 8");
            hh_mode m = HH_MODE_CAR;
            int tr_mode = !strcmp(tok, "transit");
            if (!tr_mode && hh_mode_parse(tok, &m))
                return cli_fail("--modes: unknown mode \"%s\" (expected walk, bike, car or transit)", tok);
            for (size_t k = 0; k < n_modes; k++)
                if (is_transit[k] == tr_mode && (tr_mode || modes[k].mode == m))
                    return cli_fail("--modes: \"%s\" given twice", tok);
            modes[n_modes] = (hh_report_mode_opts){m, NULL};
            is_transit[n_modes++] = (unsigned char)tr_mode;
            want_transit |= tr_mode;
        }
        if (!n_modes)
            return cli_fail("--modes: no mode");
    }
    if (want_transit && !tr.have_depart)
        return cli_usage("report", "--modes transit needs --depart YYYY-MM-DDTHH:MM");
    char err[1024];
    double pcts[8];
    int n_pct = cli_parse_list(pct_s, "percentile", pcts, 8, 100, err, sizeof err);
    if (n_pct < 0)
        return cli_fail("--percentiles: %s", err);
    hh_net *net = NULL;
    hh_centres c;
    memset(&c, 0, sizeof c);
    hh_layers ls;
    memset(&ls, 0, sizeof ls);
    hh_districts *d = NULL;
    hh_transit *tp = NULL, *btp = NULL;
    hh_net *bnet = NULL;
    hh_report rep, brep;
    memset(&rep, 0, sizeof rep);
    memset(&brep, 0, sizeof brep);
    int rc = 0;
    if (hh_centres_read(centres_p, &c, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (hh_net_open(path, &net, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if ((rc = cli_load_layers(net, path, NULL, 0, &ls)))
        goto done;
    int wl = hh_layers_find(&ls, layer_s ? layer_s : "population");
    if (layer_s && wl < 0) {
        rc = cli_fail("--layer: the network has no layer \"%s\" (halfhour info lists its layers)", layer_s);
        goto done;
    }
    if (district && hh_districts_read(district, &d, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (want_transit) {
        /* transit times are searched to 2T (at least an hour): farther
         * centres show no time */
        tr.o.max_s = fmax(2 * minutes, 60) * 60;
        if (hh_transit_prepare(net, &tr.o, &tp, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
        for (size_t k = 0; k < n_modes; k++)
            if (is_transit[k])
                modes[k].transit = tp;
    }
    hh_report_mode_opts bmodes[8];
    memcpy(bmodes, modes, sizeof bmodes);
    if (compare) {
        if (hh_net_open(compare, &bnet, err, sizeof err)) {
            rc = cli_fail("--compare: %s", err);
            goto done;
        }
        if (want_transit && hh_transit_prepare(bnet, &tr.o, &btp, err, sizeof err)) {
            rc = cli_fail("--compare %s: %s", compare, err);
            goto done;
        }
        for (size_t k = 0; k < n_modes; k++)
            if (is_transit[k])
                bmodes[k].transit = btp;
    }
    hh_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.minutes = minutes, ro.modes = modes, ro.n_modes = n_modes, ro.pct = pcts, ro.n_pct = (size_t)n_pct;
    ro.circle_pct = circle_pct, ro.layers = &ls, ro.weight_layer = wl, ro.districts = d;
    ro.snap_max_m = snap_max, ro.threads = (int)threads;
    if (hh_report_run(net, &ro, &c, &rep, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    /* a centre that snaps in no mode is an error; in some modes, a warning */
    size_t never = 0;
    char missing[512] = "";
    for (size_t i = 0; i < c.n; i++) {
        int any = 0, all = 1;
        for (size_t k = 0; k < n_modes; k++)
            any |= rep.snapped[k * c.n + i], all &= rep.snapped[k * c.n + i];
        never += !any;
        if (!all)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s", *missing ? ", " : "",
                     c.id[i]);
    }
    if (never == c.n) {
        rc = cli_fail("no centre snapped to the network within %g m (see halfhour info for its area)", snap_max);
        goto done;
    }
    if (compare) {
        /* the same report on the base: same centres, same residents (NET.hh's layer) */
        ro.modes = bmodes;
        if (hh_report_run(bnet, &ro, &c, &brep, err, sizeof err)) {
            rc = cli_fail("--compare %s: %s", compare, err);
            goto done;
        }
        rep.compare_base = &brep;
        const char *slash = strrchr(compare, '/');
        rep.compare_name = slash ? slash + 1 : compare;
    }
    if (hh_report_write(net, &rep, out, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    fprintf(stderr, "halfhour: report for %zu centres, %g minutes, %zu mode%s in %s/\n", c.n, minutes, n_modes,
            n_modes == 1 ? "" : "s", out);
    if (*missing)
        fprintf(stderr, "halfhour: warning: centres that did not snap in every mode (no times, no circle there): %s\n",
                missing);
    if (wl < 0)
        fprintf(stderr, "halfhour: note: the network has no population layer: times and areas only\n");
done:
    hh_report_free(&rep);
    hh_report_free(&brep);
    hh_transit_free(tp);
    hh_transit_free(btp);
    hh_net_close(bnet);
    hh_districts_free(d);
    hh_layers_free(&ls);
    hh_centres_free(&c);
    hh_net_close(net);
    return rc;
}
