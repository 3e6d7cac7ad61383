/* matrix.c: `halfhour matrix NET --origins A.csv --destinations B.csv --mode M` */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: halfhour matrix NET.hh --origins A.csv --destinations B.csv --mode walk|bike|car|transit\n"
           "                       [--max-minutes N] [--threads N] [--snap-max M] [-o FILE.csv]\n"
           "                       [--depart T --window MIN --percentiles 5,50,95 ...]  (transit)\n\n"
           "Writes CSV from_id,to_id,travel_time_s,distance_m: one row per pair, origins in\n"
           "input order, destinations in input order within each. Times are seconds and\n"
           "distances metres, rounded to integers only at output; a field is empty when the\n"
           "destination is not reachable (within --max-minutes) or a point did not snap.\n"
           "Points that cannot snap are listed by id on stderr with the reason: outside the\n"
           "network's area (its bbox and source are named; lon/lat swapped is pointed out)\n"
           "or farther than --snap-max from the mode's streets (the nearest is named); when\n"
           "no origin or no destination snaps it is an error. Distance counts the street\n"
           "path plus both straight connectors between points and streets; time includes\n"
           "the connectors at the mode's connector speed (see halfhour build --help).\n\n"
           "Input CSVs: a header row; columns found by name: id; lon|lng|longitude|x;\n"
           "lat|latitude|y (any order, other columns ignored).\n\n"
           "  --max-minutes N  stop searching at N minutes (default: no limit)\n"
           "  --threads N      worker threads (default: all cores); output is identical\n"
           "                   whatever the count\n"
           "  --snap-max M     farthest snapping distance, metres (default %g)\n"
           "  -o FILE          output file (default stdout), written only when complete\n"
           "  --percentiles L  transit: travel-time percentiles, one column each\n"
           "                   (travel_time_p5,travel_time_p50,... seconds; default 50);\n"
           "                   --max-minutes defaults to 120 for transit\n\n%s\n%s",
           HH_DEFAULT_SNAP_M, cli_transit_help, cli_spread_help);
}

/* ids are written into CSV unquoted unless they need quoting */
static int needs_quote(const char *s) { return strpbrk(s, ",\"\r\n") != NULL; }

int cmd_matrix(int argc, char **argv)
{
    static const char *const wv[] = {"--origins", "--destinations", "--mode", "--max-minutes", "--threads",
                                     "--snap-max", "-o", "--percentiles", CLI_TRANSIT_OPTIONS, CLI_SPREAD_OPTIONS,
                                     NULL};
    static const char *const fl[] = {"--help", "-h", CLI_SPREAD_FLAGS, NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    int so;
    const char *path = NULL, *out = NULL, *mode_s = NULL, *op = NULL, *dp = NULL;
    double max_min = INFINITY, snap_max = HH_DEFAULT_SNAP_M;
    long threads = 0;
    int r;
    cli_transit tr;
    cli_transit_defaults(&tr);
    cli_spread spo = {0, NULL};
    const char *pct_s = "50";
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("matrix", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--origins"))
            op = a.val;
        else if (!strcmp(a.name, "--destinations"))
            dp = a.val;
        else if (!strcmp(a.name, "--mode"))
            mode_s = a.val;
        else if (!strcmp(a.name, "--max-minutes")) {
            if (cli_parse_double(a.val, 1e-9, 1440, &max_min))
                return cli_fail("--max-minutes \"%s\": expected minutes in (0, 1440]", a.val);
        } else if ((so = cli_search_option(a.name, a.val, &threads, &snap_max)) >= 0) {
            if (so)
                return so;
        } else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "--percentiles"))
            pct_s = a.val;
        else if ((so = cli_spread_option(a.name, a.val, &spo)) >= 0) {
            if (so)
                return so;
        } else {
            int t = cli_transit_option(a.name, a.val, &tr);
            if (t > 0)
                return t;
        }
    }
    if ((r = cli_args_done("matrix", &a, r)))
        return r;
    if (!path)
        return cli_usage("matrix", "missing the network file");
    if (!op || !dp)
        return cli_usage("matrix", "missing --%s CSV", !op ? "origins" : "destinations");
    if (!mode_s)
        return cli_usage("matrix", "missing --mode (walk, bike or car)");
    hh_mode mode;
    int transit;
    if ((r = cli_parse_mode("matrix", mode_s, &tr, &mode, &transit)))
        return r;
    double pcts[32];
    int n_pct = 0;
    char err[512];
    if (transit) {
        n_pct = cli_parse_list(pct_s, "percentile", pcts, 32, 100, err, sizeof err);
        if (n_pct < 0)
            return cli_fail("--percentiles: %s", err);
    }
    hh_points o = {0}, d = {0};
    hh_net *net = NULL;
    hh_out of = {0};
    unsigned char *oko = NULL, *okd = NULL;
    hh_spread *sp = NULL;
    int rc = cli_spread_open(&spo, argc, argv, &sp);
    if (rc)
        return rc;
    int rank = hh_spread_rank(sp);
    if (hh_points_read(op, &o, err, sizeof err) || hh_points_read(dp, &d, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    for (size_t i = 0; i < o.n + d.n; i++) {
        const char *id = i < o.n ? o.id[i] : d.id[i - o.n];
        if (needs_quote(id)) {
            rc = cli_fail("%s: id \"%.40s\" contains a comma, quote or newline", i < o.n ? op : dp, id);
            goto done;
        }
    }
    if (hh_net_open(path, &net, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    oko = calloc(o.n, 1), okd = calloc(d.n, 1);
    if (!oko || !okd) {
        rc = cli_fail("out of memory");
        goto done;
    }
    if (rank == 0 && hh_out_open(&of, out, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    /* one request for every mode; the library's CSV writer */
    hh_matrix_opts mo = {mode, max_min * 60.0, snap_max, (int)threads, NULL, NULL, 0, NULL, sp};
    hh_transit *tp = NULL;
    if (transit) {
        tr.o.max_s = isinf(max_min) ? 120 * 60.0 : max_min * 60.0;
        if (hh_transit_prepare(net, &tr.o, &tp, err, sizeof err)) {
            rc = cli_fail("%s", err);
            hh_out_abort(&of);
            goto done;
        }
        mo.transit = tp, mo.pct = pcts, mo.n_pct = (size_t)n_pct;
    }
    hh_matrix_csv ctx = {of.fp, &o, &d, transit ? pcts : NULL, (size_t)n_pct, 0};
    /* spread over ranks, rank 0 alone writes: the rows come to it */
    int e = rank == 0 && hh_matrix_csv_header(&ctx) ? HH_EIO
                                                    : hh_matrix_run(net, &mo, &o, &d, hh_matrix_csv_row, &ctx, oko, okd);
    hh_transit_free(tp);
    if (e) {
        if (e == HH_EIO && ctx.werr)
            rc = cli_fail("cannot write %s: %s", out && strcmp(out, "-") ? out : "standard output",
                          strerror(ctx.werr));
        else
            rc = cli_fail("matrix: %s", e == HH_EIO ? "cannot write output" : hh_strerror(e));
        hh_out_abort(&of);
        goto done;
    }
    if (rank != 0)
        goto done;
    /* points that did not snap, and why; none at all snapped is an error */
    hh_mode smode = transit ? HH_MODE_WALK : mode;
    const char *sname = transit ? "walk" : mode_s;
    size_t bad_o = 0, bad_d = 0;
    for (size_t i = 0; i < o.n; i++)
        bad_o += !oko[i];
    for (size_t i = 0; i < d.n; i++)
        bad_d += !okd[i];
    int none = bad_o == o.n || bad_d == d.n;
    const char *note = none ? "" : " (empty times)";
    char *why_o = hh_snap_report(net, smode, sname, snap_max, "origin", o.n, (const char *const *)o.id, o.lon, o.lat,
                                 oko, note, &bad_o);
    char *why_d = hh_snap_report(net, smode, sname, snap_max, "destination", d.n, (const char *const *)d.id, d.lon,
                                 d.lat, okd, note, &bad_d);
    if (none) {
        hh_out_abort(&of);
        const char *first = bad_o == o.n ? why_o : why_d, *second = bad_o == o.n ? why_d : why_o;
        rc = cli_fail("no %s snapped to the %s network: %s%s%s", bad_o == o.n ? "origin" : "destination", sname,
                      first ? first : "out of memory", second ? "; and " : "", second ? second : "");
    } else if (hh_out_commit(&of, err, sizeof err)) {
        rc = cli_fail("%s", err);
    } else {
        if (why_o)
            fprintf(stderr, "halfhour: warning: %s\n", why_o);
        if (why_d)
            fprintf(stderr, "halfhour: warning: %s\n", why_d);
        cli_spread_report(sp);
    }
    hh_buffer_free(why_o), hh_buffer_free(why_d);
done:
    free(oko), free(okd);
    hh_points_free(&o), hh_points_free(&d);
    hh_net_close(net);
    hh_spread_close(sp, rc == 0);
    return rc;
}
