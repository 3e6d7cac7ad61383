/* site.c: `halfhour site NET.hh --mode M --minutes T --demand LAYER ...`:
 * facility siting (maximal covering or set covering) over candidate
 * sites from a CSV or every cell of a grid; the chosen sites as CSV, the
 * summary on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: halfhour site NET.hh --mode walk|bike|car|transit --minutes T --demand LAYER\n"
           "                     (--candidates FILE.csv | --grid M) (--k N | --cover F)\n"
           "                     [--existing FILE.csv] [--opportunities-file FILE]...\n"
           "                     [--exact [--time-limit S]] [--threads N] [--snap-max M] [-o sites.csv]\n"
           "                     [--depart T --window MIN --percentile P ...]  (transit)\n\n"
           "Facility siting. A demand point (a point of the layer --demand with a value\n"
           "above 0, e.g. population; the layer comes from the network, see halfhour info,\n"
           "or from --opportunities-file, read now as access does) is covered by a site\n"
           "when the travel time from it to the site is below T minutes: t < T, the rule\n"
           "of access's cumulative measure (--decay step). Sites are the candidates\n"
           "(--candidates FILE.csv with lon/lat/id columns, or --grid M: every cell centre\n"
           "of an M-metre grid over the network, ids the cell numbers) and the existing\n"
           "facilities (--existing FILE.csv), which are kept, never chosen: the demand\n"
           "they cover is \"covered before\" and adds to no site's marginal.\n\n"
           "--k N   maximal covering location (MCLP): at most N candidates that together\n"
           "        cover the most demand.\n"
           "--cover F  set covering: the fewest candidates whose coverage, with the\n"
           "        existing facilities', reaches the share F of all demand (0 < F <= 1;\n"
           "        0.9: 90 %%); an error when every candidate together falls short.\n\n"
           "By default greedy: again and again the candidate adding the most uncovered\n"
           "demand (ties: the first in the file), with lazy evaluation (stale gains kept\n"
           "as upper bounds in a heap, re-evaluated only at the top). Coverage is\n"
           "submodular, so greedy MCLP covers at least 1 - 1/e (about 63 %%) of what the\n"
           "best choice of N sites covers (beyond the existing), often all of it.\n"
           "--exact solves the problem as a mixed-integer program with GLPK (one binary\n"
           "per candidate, one 0..1 variable per demand point not covered before; MCLP:\n"
           "max covered demand with at most N sites; set covering: min sites reaching\n"
           "the share) within --time-limit S seconds (default 60). When the limit stops\n"
           "it, the best solution found is kept (never worse than greedy's) and the\n"
           "optimality gap is reported: (bound - found) / found over the demand the new\n"
           "sites cover (MCLP) or (sites - bound) / sites (set covering). Fewer than N\n"
           "sites come back when the others would add no demand.\n\n"
           "Output (-o FILE, default stdout; written only when complete), CSV:\n"
           "  rank,id,lon,lat,marginal,covered,covered_share\n"
           "one row per chosen site in the order chosen (exact: the solver's set ordered\n"
           "the greedy way): marginal = demand it adds to the existing facilities and the\n"
           "sites ranked before it, covered = demand covered after adding it (existing\n"
           "included), covered_share = covered / all demand. On stderr: the demand total,\n"
           "covered before and after (and shares), the method, the gap and seconds.\n"
           "Demand points and sites snap to the mode's streets (walk for transit) like any\n"
           "point; those that do not are counted on stderr (their demand stays in the\n"
           "total, uncovered; such sites cover nothing).\n\n"
           "  --threads N      worker threads (default: all cores); output identical\n"
           "  --snap-max M     farthest snapping distance, metres (default %g)\n"
           "  --percentile P   transit: the travel time's percentile over the departure\n"
           "                   minutes x draws that must be below T (default 50)\n\n%s\n%s",
           HH_DEFAULT_SNAP_M, cli_transit_help, cli_spread_help);
}

static void put_id(FILE *f, const char *id)
{
    if (!strpbrk(id, ",\"\r\n")) {
        fputs(id, f);
        return;
    }
    fputc('"', f);
    for (const char *c = id; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static double pct(double a, double b) { return b > 0 ? 100 * a / b : 0; }

int cmd_site(int argc, char **argv)
{
    static const char *const wv[] = {"--mode",   "--minutes", "--demand",     "--opportunities-file",
                                     "--existing", "--candidates", "--grid",  "--k",
                                     "--cover",  "--time-limit", "--threads", "--snap-max",
                                     "-o",       "--percentile", CLI_TRANSIT_OPTIONS, CLI_SPREAD_OPTIONS, NULL};
    static const char *const fl[] = {"--exact", "--help", "-h", CLI_SPREAD_FLAGS, NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    int sopt;
    const char *path = NULL, *mode_s = NULL, *demand_s = NULL, *existing_s = NULL, *cand_s = NULL, *out = NULL;
    const char *files[64];
    size_t n_files = 0;
    double minutes = NAN, grid_m = 0, cover = 0, tlim = NAN, snap_max = HH_DEFAULT_SNAP_M, pctl = 50;
    long k = 0, threads = 0;
    int exact = 0, r;
    cli_transit tr;
    cli_transit_defaults(&tr);
    cli_spread spo = {0, NULL};
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("site", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--mode"))
            mode_s = a.val;
        else if (!strcmp(a.name, "--minutes")) {
            if (cli_parse_double(a.val, 1e-9, 1440, &minutes))
                return cli_fail("--minutes \"%s\": expected one time in minutes in (0, 1440]", a.val);
        } else if (!strcmp(a.name, "--demand"))
            demand_s = a.val;
        else if (!strcmp(a.name, "--opportunities-file")) {
            if (n_files == 64)
                return cli_usage("site", "at most 64 --opportunities-file");
            files[n_files++] = a.val;
        } else if (!strcmp(a.name, "--existing"))
            existing_s = a.val;
        else if (!strcmp(a.name, "--candidates"))
            cand_s = a.val;
        else if (!strcmp(a.name, "--grid")) {
            if (cli_parse_double(a.val, 10, 100000, &grid_m))
                return cli_fail("--grid \"%s\": expected metres in [10, 100000]", a.val);
        } else if (!strcmp(a.name, "--k")) {
            if (cli_parse_int(a.val, 1, 1000000, &k))
                return cli_fail("--k \"%s\": expected a whole number of sites in [1, 1000000]", a.val);
        } else if (!strcmp(a.name, "--cover")) {
            if (cli_parse_double(a.val, 1e-12, 1, &cover))
                return cli_fail("--cover \"%s\": expected a share of the demand in (0, 1], e.g. 0.9", a.val);
        } else if (!strcmp(a.name, "--time-limit")) {
            if (cli_parse_double(a.val, 1e-3, 1e6, &tlim))
                return cli_fail("--time-limit \"%s\": expected seconds in [0.001, 1000000]", a.val);
        } else if ((sopt = cli_search_option(a.name, a.val, &threads, &snap_max)) >= 0) {
            if (sopt)
                return sopt;
        } else if (!strcmp(a.name, "--percentile")) {
            if (cli_parse_double(a.val, 1e-9, 100, &pctl))
                return cli_fail("--percentile \"%s\": expected a percentile in (0, 100]", a.val);
        } else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "--exact"))
            exact = 1;
        else if ((sopt = cli_spread_option(a.name, a.val, &spo)) >= 0) {
            if (sopt)
                return sopt;
        } else {
            int t = cli_transit_option(a.name, a.val, &tr);
            if (t > 0)
                return t;
        }
    }
    if ((r = cli_args_done("site", &a, r)))
        return r;
    if (!path)
        return cli_usage("site", "missing the network file");
    if (!mode_s)
        return cli_usage("site", "missing --mode (walk, bike, car or transit)");
    if (isnan(minutes))
        return cli_usage("site", "missing --minutes T (demand within T minutes of a site is covered)");
    if (!demand_s)
        return cli_usage("site", "missing --demand LAYER (e.g. population)");
    if (!cand_s == !(grid_m > 0))
        return cli_usage("site", "give the candidate sites: --candidates FILE.csv or --grid M (one of them)");
    if (!k == !(cover > 0))
        return cli_usage("site", "give --k N (maximal covering) or --cover F (set covering), one of them");
    if (!isnan(tlim) && !exact)
        return cli_usage("site", "--time-limit is for --exact");
    hh_mode mode;
    int transit;
    if ((r = cli_parse_mode("site", mode_s, &tr, &mode, &transit)))
        return r;
    char err[1024];
    hh_net *net = NULL;
    hh_layers ls;
    memset(&ls, 0, sizeof ls);
    hh_points cand = {0}, ex = {0};
    hh_grid grid;
    memset(&grid, 0, sizeof grid);
    hh_transit *tp = NULL;
    hh_site_result res;
    memset(&res, 0, sizeof res);
    hh_out of = {0};
    int have_out = 0;
    hh_spread *sp = NULL;
    int rc = cli_spread_open(&spo, argc, argv, &sp);
    if (rc)
        return rc;
    if (hh_net_open(path, &net, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if ((rc = cli_load_layers(net, path, files, n_files, &ls)))
        goto done;
    int dl = hh_layers_find(&ls, demand_s);
    if (dl < 0) {
        char names[512];
        cli_layer_names(&ls, names, sizeof names);
        rc = cli_fail("--demand: no layer \"%s\" (the layers: %s)", demand_s, names);
        goto done;
    }
    if (cand_s) {
        if (hh_points_read(cand_s, &cand, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    } else {
        if (hh_grid_make(net, grid_m, &grid, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
        cand.n = grid.n, cand.lon = grid.lon, cand.lat = grid.lat;
    }
    if (existing_s && hh_points_read(existing_s, &ex, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (transit) {
        tr.o.max_s = ceil(minutes * 60);
        if (hh_transit_prepare(net, &tr.o, &tp, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    }
    hh_site_opts so;
    memset(&so, 0, sizeof so);
    so.mode = mode, so.transit = tp, so.percentile = pctl, so.minutes = minutes, so.k = (size_t)k;
    so.cover = cover, so.exact = exact, so.time_limit_s = isnan(tlim) ? 60 : tlim, so.snap_max_m = snap_max;
    so.threads = (int)threads, so.spread = sp;
    const char *sname = transit ? "walk" : mode_s;
    if (hh_site_run(net, &so, &ls, (size_t)dl, &cand, existing_s ? &ex : NULL, &res, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (hh_spread_rank(sp) != 0) /* the choice is rank 0's, which writes it */
        goto done;
    if (res.candidates_unsnapped == cand.n) {
        rc = cli_fail("no candidate site snapped to the %s network within %g m", sname, snap_max);
        goto done;
    }
    if (res.demand_unsnapped == res.demand_points) {
        rc = cli_fail("no demand point of \"%s\" snapped to the %s network within %g m", demand_s, sname, snap_max);
        goto done;
    }
    /* the sites */
    if (hh_out_open(&of, out, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    have_out = 1;
    FILE *f = of.fp;
    fprintf(f, "rank,id,lon,lat,marginal,covered,covered_share\n");
    for (size_t n = 0; n < res.n_chosen; n++) {
        size_t j = res.chosen[n];
        fprintf(f, "%zu,", n + 1);
        if (cand.id)
            put_id(f, cand.id[j]);
        else
            fprintf(f, "%zu", j);
        fprintf(f, ",%.7f,%.7f,%.10g,%.10g,%.6f\n", cand.lon[j], cand.lat[j], res.marginal[n], res.covered[n],
                res.demand_total > 0 ? res.covered[n] / res.demand_total : 0.0);
    }
    have_out = 0;
    if (hh_out_commit(&of, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    /* the summary */
    char method[256];
    if (!exact)
        snprintf(method, sizeof method, "greedy%s", cover > 0 ? "" : " (within 1-1/e of optimal)");
    else if (res.optimal)
        snprintf(method, sizeof method, "exact (GLPK): optimal, gap 0");
    else if (isnan(res.gap))
        snprintf(method, sizeof method, "exact (GLPK): %s, gap unknown (no bound yet)",
                 res.time_limit ? "time limit reached" : "not proven optimal");
    else
        snprintf(method, sizeof method, "exact (GLPK): %s, gap %.2f %% (bound %.10g%s)",
                 res.time_limit ? "time limit reached" : "not proven optimal", 100 * res.gap, res.bound,
                 cover > 0 ? " sites" : "");
    char goal[96];
    if (cover > 0)
        snprintf(goal, sizeof goal, "the fewest sites to cover %g %%", 100 * cover);
    else
        snprintf(goal, sizeof goal, "k = %ld", k);
    fprintf(stderr,
            "halfhour: site: demand %.10g (%zu points), covered before %.10g (%.2f %%), after %.10g (%.2f %%); "
            "%zu sites of %zu candidates (%s), %s, %.2f s\n",
            res.demand_total, res.demand_points, res.covered_before, pct(res.covered_before, res.demand_total),
            res.covered_after, pct(res.covered_after, res.demand_total), res.n_chosen, cand.n, goal, method,
            res.seconds);
    if (cover == 0 && res.n_chosen < (size_t)k)
        fprintf(stderr, "halfhour: note: only %zu sites add demand; the other candidates cover nothing more\n",
                res.n_chosen);
    if (res.demand_unsnapped)
        fprintf(stderr, "halfhour: warning: %zu demand points (%.10g of the demand) did not snap to the %s network "
                        "within %g m: counted in the total, never covered\n",
                res.demand_unsnapped, res.demand_unsnapped_w, sname, snap_max);
    if (res.candidates_unsnapped)
        fprintf(stderr, "halfhour: %s: %zu of %zu candidate%s did not snap to the %s network within %g m: they "
                        "cover nothing\n", grid_m > 0 ? "note" : "warning", res.candidates_unsnapped, cand.n,
                grid_m > 0 ? " grid cells" : " sites", sname, snap_max);
    if (res.existing_unsnapped)
        fprintf(stderr, "halfhour: warning: %zu existing facilities did not snap to the %s network within %g m: "
                        "they cover nothing\n", res.existing_unsnapped, sname, snap_max);
    cli_spread_report(sp);
done:
    if (have_out)
        hh_out_abort(&of);
    hh_site_result_free(&res);
    hh_transit_free(tp);
    if (cand_s)
        hh_points_free(&cand);
    hh_points_free(&ex);
    hh_grid_free(&grid);
    hh_layers_free(&ls);
    hh_net_close(net);
    hh_spread_close(sp, rc == 0);
    return rc;
}
