/* access.c: `halfhour access NET.hh --mode M ...`: access figures per grid
 * cell or per point, written as CSV, GeoJSON, GeoPackage or GeoTIFF, with
 * the equity figures and the 15-minute check (--preset 15min). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void help(void)
{
    printf("usage: halfhour access NET.hh --mode walk|bike|car|transit [--grid M | --origins FILE.csv]\n"
           "                       [--opportunities L1,L2 | --preset 15min] [--opportunities-file FILE]...\n"
           "                       [--minutes 15,30,45] [--decay step|linear|logistic|exponential|\n"
           "                       fixed-exponential] [--decay-value V] [--nearest 1,3]\n"
           "                       [--2sfca SUPPLY:DEMAND] [--summary] [--weights LAYER]\n"
           "                       [--thresholds 1,1000] [--by-district FILE.geojson]\n"
           "                       [--threads N] [--snap-max M] [--max-minutes N] [-o FILE]\n"
           "                       [--compare BASE.hh]\n"
           "                       [--depart T --window MIN --percentiles 25,50,75\n"
           "                        --percentile-of times|access ...]  (transit)\n\n"
           "For every origin -- the cells of a regular grid over the network (--grid M\n"
           "metres, default 250, square cells in a Lambert azimuthal equal-area projection\n"
           "centred on the region, so every cell covers the same ground) or the points\n"
           "of --origins -- and every opportunity layer and cutoff: the opportunities\n"
           "reached, each weighted by the decay function of its travel time t (seconds\n"
           "inside, minutes here; c the cutoff, v --decay-value):\n"
           "  step               1 if t < c, else 0: cumulative opportunities (default)\n"
           "  linear             1 up to c - v/2 minutes, 0 from c + v/2, straight between\n"
           "                     (v: the width, 0 < v < 60; default 10)\n"
           "  logistic           (1 + exp(-c/s)) / (1 + exp((t - c) / s)), s = v x sqrt(3)\n"
           "                     / pi minutes (v: standard deviation, 0 < v < 120;\n"
           "                     default 10; f(0) = 1, about 1/2 at c)\n"
           "  exponential        2^(-t / c): c is the half-life\n"
           "  fixed-exponential  exp(-v x t), t in seconds, 0 < v < 1 (default 0.001)\n"
           "                     (ignores c)\n"
           "as r5r's decay functions. The search stops where every weight is 0 (or\n"
           "below 1e-4, logistic), or at --max-minutes (default 120) for the exponentials.\n"
           "Layers come from the network (halfhour build --opportunities / --osm-layer /\n"
           "the preset; halfhour info lists them) and from --opportunities-file, read\n"
           "now (CSV, GeoJSON, raster: see halfhour build --help). Opportunity points\n"
           "snap to the mode's streets like any point (walk for transit); those that do\n"
           "not snap are left out and counted on stderr.\n\n"
           "Columns (CSV: id,lon,lat first; grid cells have ids 0.. row by row from the\n"
           "north-west, nodata where a cell's centre is farther than --snap-max from the\n"
           "streets):\n"
           "  <layer>_<min>[_p<pct>]            access within the cutoff\n"
           "  <layer>_nearest[<n>]_min[_p<pct>]  minutes to the nearest (--nearest 1) or the\n"
           "                                    n-th nearest opportunity of the layer (a\n"
           "                                    point worth 3 counts 3); empty if fewer\n"
           "  <supply>_2sfca_<min>[_p<pct>]     two-step floating catchment (--2sfca\n"
           "                                    SUPPLY:DEMAND, e.g. beds:population): the\n"
           "                                    sum over supply points reached of supply /\n"
           "                                    (demand that reaches the supply point),\n"
           "                                    both steps weighted by the decay\n"
           "  services_<min>, all_services_<min>  (--preset 15min) daily-service layers\n"
           "                                    reached (count), and 1 when all are\n\n"
           "--preset 15min: the daily-service layers schools, healthcare, groceries,\n"
           "pharmacies, parks and transit_stops (those the network has with any\n"
           "opportunity; the others are named on stderr; --opportunities L1,L2 checks\n"
           "those layers instead), --minutes 15 unless given; use --mode walk, or bike.\n\n"
           "Transit gives one value per percentile (--percentiles, default 50):\n"
           "  --percentile-of times  (default, R5's rule) access from the p-th percentile\n"
           "                   travel time to each opportunity over departure minutes\n"
           "                   x draws (low p: the fast departures)\n"
           "  --percentile-of access  the p-th percentile, over departure minutes x\n"
           "                   draws, of the access each departure gives (low p: the\n"
           "                   departures with the least access); 2SFCA uses times\n\n"
           "Equity (--summary, to stdout as CSV): per access column, the residents\n"
           "counted (weights: --weights LAYER, default the layer population; a grid cell\n"
           "weighs the layer's total inside it, a point its own column of that name in\n"
           "--origins; without them every origin counts once), the weighted mean and\n"
           "median, the Gini coefficient, the Palma\n"
           "ratio (access share of the richest 10 %% of residents over the poorest 40\n"
           "%%'s) and the share of residents with access >= each --thresholds value\n"
           "(default 1); per district too with --by-district (GeoJSON polygons).\n\n"
           "Output (-o, up to 4 of them from one run; by suffix): .csv, .geojson (cells\n"
           "as polygons, points otherwise), .gpkg (GeoPackage, EPSG:4326), .tif (GeoTIFF,\n"
           "grid only: one Float32 band per column, named by the band descriptions,\n"
           "nodata -9999, the grid's CRS); a FIFO, /dev/stdout or a name without a\n"
           "suffix gets CSV. Each file appears complete or not at all, in the order\n"
           "given. Without -o and without --summary, CSV goes to stdout.\n\n"
           "--compare BASE.hh: the same run on BASE.hh too (a network NET.hh was made from\n"
           "by halfhour scenario), in this process, on the same origins and opportunity\n"
           "points (NET.hh's): every column c comes three times, c_base, c_scenario and\n"
           "c_diff (scenario minus base; a GeoTIFF gets a band of each, the difference\n"
           "included); --summary then covers the base and scenario columns.\n\n"
           "  --threads N      worker threads (default: all cores); output identical\n"
           "  --snap-max M     farthest snapping distance, metres (default 500)\n\n");
    fputs(cli_transit_help, stdout);
    fputs("\n", stdout);
    fputs(cli_spread_help, stdout);
}

typedef struct list {
    char *items[64];
    int n;
    char *buf;
} list;

static int split(const char *s, list *l)
{
    l->n = 0;
    l->buf = strdup(s);
    if (!l->buf)
        return -1;
    for (char *tok = strtok(l->buf, ","); tok; tok = strtok(NULL, ",")) {
        if (l->n == 64)
            return -1;
        l->items[l->n++] = tok;
    }
    return l->n;
}

/* Weights per grid cell: the weights layer's total inside each cell. */
static int grid_weights(const hh_layers *ls, int wl, const hh_grid *g, double *w, char *err, size_t errlen)
{
    for (size_t i = 0; i < g->n; i++)
        w[i] = 0;
    size_t *cell = malloc((ls->n + 1) * sizeof *cell);
    if (!cell || hh_grid_cells_of(g, ls->lon, ls->lat, ls->n, cell)) {
        free(cell);
        snprintf(err, errlen, "cannot place the weights in the grid");
        return HH_ENOMEM;
    }
    for (size_t i = 0; i < ls->n; i++) {
        double v = ls->value[i * ls->n_layers + (size_t)wl];
        if (v > 0 && cell[i] != SIZE_MAX)
            w[cell[i]] += v;
    }
    free(cell);
    return 0;
}

/* Weights per point: the origins file's column wname, read once.  0 with
 * w set; 1 when the file has no such column, or a negative code, with err
 * set (without --weights the caller then weighs every point the same). */
static int point_weights(const char *origins_path, const char *wname, size_t n, double *w, char *err, size_t errlen)
{
    hh_layers ol;
    int rc = hh_layers_read(origins_path, NULL, &ol, err, errlen);
    if (rc)
        return rc;
    int k = hh_layers_find(&ol, wname);
    if (k >= 0 && ol.n == n)
        for (size_t i = 0; i < n; i++)
            w[i] = ol.value[i * ol.n_layers + (size_t)k];
    hh_layers_free(&ol);
    if (k < 0 || ol.n != n) {
        snprintf(err, errlen, "%s: no numeric column \"%s\" for the weights", origins_path, wname);
        return 1;
    }
    return 0;
}

static void print_equity_row(FILE *f, const char *col, const char *district, const hh_equity *e, int ok)
{
    fprintf(f, "%s,\"%s\"", col, district);
    if (!ok) {
        fprintf(f, ",0,0,,,,");
        for (size_t t = 0; t < e->n_thresholds; t++)
            fprintf(f, ",");
        fprintf(f, "\n");
        return;
    }
    fprintf(f, ",%.10g,%zu,%.10g,%.10g,%.6f,%.6g", e->residents, e->places, e->mean, e->median, e->gini, e->palma);
    for (size_t t = 0; t < e->n_thresholds; t++)
        fprintf(f, ",%.6f", e->share_above[t]);
    fprintf(f, "\n");
}

/* The equity table, as CSV into f: per access column, over every origin
 * ("all") and per district (d may be NULL; of[i] is origin i's). */
static int summary(FILE *f, const hh_table *t, const double *w, const double *thr, size_t n_thr, const hh_districts *d,
                   const int32_t *of, size_t n_cols)
{
    double *col = malloc((t->n_rows + 1) * sizeof *col), *wd = malloc((t->n_rows + 1) * sizeof *wd);
    if (!col || !wd) {
        free(col), free(wd);
        return HH_ENOMEM;
    }
    fprintf(f, "column,district,residents,places,mean,median,gini,palma");
    for (size_t k = 0; k < n_thr; k++)
        fprintf(f, ",share_ge_%g", thr[k]);
    fprintf(f, "\n");
    size_t nd = d ? hh_districts_count(d) : 0;
    for (size_t c = 0; c < n_cols; c++) {
        if (strstr(t->col[c], "_nearest"))
            continue; /* times, not access */
        size_t cl = strlen(t->col[c]);
        if (cl > 5 && !strcmp(t->col[c] + cl - 5, "_diff"))
            continue; /* differences, not access: their spread is no equity figure */
        for (size_t r = 0; r < t->n_rows; r++)
            col[r] = t->v[r * t->n_cols + c];
        hh_equity e;
        memset(&e, 0, sizeof e);
        e.n_thresholds = n_thr;
        int ok = hh_equity_compute(col, w, t->n_rows, thr, n_thr, &e) == 0;
        print_equity_row(f, t->col[c], "all", &e, ok);
        for (size_t k = 0; k < nd; k++) {
            for (size_t r = 0; r < t->n_rows; r++)
                wd[r] = of[r] == (int32_t)k ? w[r] : 0;
            memset(&e, 0, sizeof e);
            e.n_thresholds = n_thr;
            ok = hh_equity_compute(col, wd, t->n_rows, thr, n_thr, &e) == 0;
            print_equity_row(f, t->col[c], hh_districts_name(d, k), &e, ok);
        }
    }
    free(col), free(wd);
    return 0;
}

int cmd_access(int argc, char **argv)
{
    static const char *const wv[] = {"--mode",        "--grid",       "--origins",     "--opportunities",
                                     "--opportunities-file", "--preset", "--minutes", "--decay",
                                     "--decay-value", "--nearest",    "--2sfca",       "--weights",
                                     "--thresholds",  "--by-district", "--threads",    "--snap-max",
                                     "--max-minutes", "-o",           "--percentiles", "--percentile-of",
                                     "--compare",
                                     CLI_TRANSIT_OPTIONS, CLI_SPREAD_OPTIONS, NULL};
    static const char *const fl[] = {"--summary", "--help", "-h", CLI_SPREAD_FLAGS, NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    int so;
    const char *path = NULL, *mode_s = NULL, *origins = NULL, *opp_s = NULL, *preset = NULL, *minutes_s = NULL;
    const char *decay_s = "step", *nearest_s = NULL, *sfca_s = NULL, *weights_s = NULL, *thr_s = "1";
    const char *district = NULL, *pct_s = "50", *pct_of_s = "times", *compare = NULL;
    const char *outs[4];
    int n_out = 0;
    const char *files[64];
    size_t n_files = 0;
    double grid_m = 250, snap_max = HH_DEFAULT_SNAP_M, max_min = 120, decay_v = NAN;
    long threads = 0;
    int want_summary = 0, have_grid = 0, r;
    cli_transit tr;
    cli_transit_defaults(&tr);
    cli_spread spo = {0, NULL};
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("access", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--mode"))
            mode_s = a.val;
        else if (!strcmp(a.name, "--grid")) {
            if (cli_parse_double(a.val, 10, 100000, &grid_m))
                return cli_fail("--grid \"%s\": expected metres in [10, 100000]", a.val);
            have_grid = 1;
        } else if (!strcmp(a.name, "--origins"))
            origins = a.val;
        else if (!strcmp(a.name, "--opportunities"))
            opp_s = a.val;
        else if (!strcmp(a.name, "--opportunities-file")) {
            if (n_files == 64)
                return cli_usage("access", "at most 64 --opportunities-file");
            files[n_files++] = a.val;
        } else if (!strcmp(a.name, "--preset"))
            preset = a.val;
        else if (!strcmp(a.name, "--minutes"))
            minutes_s = a.val;
        else if (!strcmp(a.name, "--decay"))
            decay_s = a.val;
        else if (!strcmp(a.name, "--decay-value")) {
            if (cli_parse_double(a.val, 0, 1e6, &decay_v))
                return cli_fail("--decay-value \"%s\": expected a non-negative number", a.val);
        } else if (!strcmp(a.name, "--nearest"))
            nearest_s = a.val;
        else if (!strcmp(a.name, "--2sfca"))
            sfca_s = a.val;
        else if (!strcmp(a.name, "--weights"))
            weights_s = a.val;
        else if (!strcmp(a.name, "--thresholds"))
            thr_s = a.val;
        else if (!strcmp(a.name, "--by-district"))
            district = a.val;
        else if ((so = cli_search_option(a.name, a.val, &threads, &snap_max)) >= 0) {
            if (so)
                return so;
        } else if (!strcmp(a.name, "--max-minutes")) {
            if (cli_parse_double(a.val, 1e-9, 1440, &max_min))
                return cli_fail("--max-minutes \"%s\": expected minutes in (0, 1440]", a.val);
        } else if (!strcmp(a.name, "-o")) {
            if (n_out == 4)
                return cli_usage("access", "at most 4 -o files");
            outs[n_out++] = a.val;
        }
        else if (!strcmp(a.name, "--percentiles"))
            pct_s = a.val;
        else if (!strcmp(a.name, "--compare"))
            compare = a.val;
        else if (!strcmp(a.name, "--percentile-of"))
            pct_of_s = a.val;
        else if (!strcmp(a.name, "--summary"))
            want_summary = 1;
        else if ((so = cli_spread_option(a.name, a.val, &spo)) >= 0) {
            if (so)
                return so;
        } else {
            int t = cli_transit_option(a.name, a.val, &tr);
            if (t > 0)
                return t;
        }
    }
    if ((r = cli_args_done("access", &a, r)))
        return r;
    if (!path)
        return cli_usage("access", "missing the network file");
    if (!mode_s)
        return cli_usage("access", "missing --mode (walk, bike, car or transit)");
    if (have_grid && origins)
        return cli_usage("access", "--grid and --origins exclude each other");
    hh_mode mode;
    int transit;
    if ((r = cli_parse_mode("access", mode_s, &tr, &mode, &transit)))
        return r;
    if (preset && strcmp(preset, "15min"))
        return cli_fail("--preset \"%s\": the preset is 15min", preset);
    if (preset && sfca_s)
        return cli_usage("access", "--preset 15min is about daily services reached, not --2sfca");
    hh_decay decay;
    if (hh_decay_parse(decay_s, &decay))
        return cli_fail("--decay \"%s\": expected step, linear, logistic, exponential or fixed-exponential",
                        decay_s);
    if (isnan(decay_v))
        decay_v = hh_decay_default_value(decay);
    if (hh_decay_check(decay, decay_v))
        return cli_fail("--decay-value %g is out of range for %s decay", decay_v, decay_s);
    hh_pct_of pct_of;
    if (hh_pct_of_parse(pct_of_s, &pct_of))
        return cli_fail("--percentile-of \"%s\": expected times or access", pct_of_s);
    char err[1024];
    double minutes[64], pcts[16], thr[HH_EQUITY_MAX_THRESHOLDS], nearest_d[16];
    int n_min = cli_parse_list(minutes_s ? minutes_s : preset ? "15" : "30", "minutes", minutes, 64, 1440, err,
                               sizeof err);
    if (n_min < 0)
        return cli_fail("--minutes: %s", err);
    int n_pct = 1;
    if (transit && (n_pct = cli_parse_list(pct_s, "percentile", pcts, 16, 100, err, sizeof err)) < 0)
        return cli_fail("--percentiles: %s", err);
    int n_thr = cli_parse_list(thr_s, "threshold", thr, HH_EQUITY_MAX_THRESHOLDS, 1e15, err, sizeof err);
    if (n_thr < 0)
        return cli_fail("--thresholds: %s", err);
    int n_near = 0;
    unsigned nearest[16];
    if (nearest_s) {
        if ((n_near = cli_parse_list(nearest_s, "nearest count", nearest_d, 16, 1e9, err, sizeof err)) < 0)
            return cli_fail("--nearest: %s", err);
        for (int i = 0; i < n_near; i++) {
            if (nearest_d[i] != floor(nearest_d[i]))
                return cli_fail("--nearest: %g is not a whole number", nearest_d[i]);
            nearest[i] = (unsigned)nearest_d[i];
        }
    }
    hh_table_format fmts[4] = {HH_TABLE_CSV, HH_TABLE_CSV, HH_TABLE_CSV, HH_TABLE_CSV};
    for (int k = 0; k < n_out; k++) {
        const char *o = outs[k];
        if (!strcmp(o, "-") || !hh_table_format_of(o, &fmts[k]))
            continue;
        /* no suffix, or not a regular file (a FIFO, /dev/stdout): CSV */
        const char *base = strrchr(o, '/');
        base = base ? base + 1 : o;
        struct stat sb;
        int special = stat(o, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
        if (strchr(base, '.') && !special)
            return cli_fail("-o %s: expected a .csv, .geojson, .gpkg or .tif file", o);
        fmts[k] = HH_TABLE_CSV;
    }
    for (int k = 0; k < n_out; k++)
        if (fmts[k] == HH_TABLE_GTIFF && origins)
            return cli_fail("-o %s: a GeoTIFF needs a grid (--grid), not --origins points", outs[k]);
    hh_net *net = NULL;
    hh_layers ls;
    memset(&ls, 0, sizeof ls);
    hh_points pts = {0};
    hh_grid grid;
    memset(&grid, 0, sizeof grid);
    hh_table t;
    memset(&t, 0, sizeof t);
    hh_transit *tp = NULL, *btp = NULL;
    hh_net *bnet = NULL;
    hh_table bt;
    memset(&bt, 0, sizeof bt);
    double *w = NULL;
    list ol = {{0}, 0, NULL};
    hh_districts *dist = NULL;
    int32_t *dist_of = NULL;
    char missing[256] = "";
    FILE *sumf = NULL;
    char *sumbuf = NULL;
    size_t sumlen = 0;
    hh_spread *sp = NULL;
    int rc = cli_spread_open(&spo, argc, argv, &sp);
    if (rc)
        return rc;
    int rank = hh_spread_rank(sp);
    if (hh_net_open(path, &net, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if ((rc = cli_load_layers(net, path, files, n_files, &ls)))
        goto done;
    /* the layers */
    size_t sel[64], n_sel = 0;
    if (preset && !opp_s) {
        n_sel = hh_preset_15min_layers(&ls, sel, sizeof sel / sizeof *sel, missing, sizeof missing);
        if (!n_sel) {
            rc = cli_fail("%s: none of the 15-minute preset's layers has an opportunity (build it with the "
                          "preset, or give --opportunities-file)", path);
            goto done;
        }
    } else if (opp_s) {
        if (split(opp_s, &ol) < 0) {
            rc = cli_fail("--opportunities: at most 64 layer names");
            goto done;
        }
        for (int i = 0; i < ol.n; i++) {
            int k = hh_layers_find(&ls, ol.items[i]);
            if (k < 0) {
                char names[512];
                cli_layer_names(&ls, names, sizeof names);
                rc = cli_fail("--opportunities: no layer \"%s\" (the layers: %s)", ol.items[i], names);
                goto done;
            }
            sel[n_sel++] = (size_t)k;
        }
    } else if (!sfca_s) {
        for (size_t j = 0; j < ls.n_layers && n_sel < 64; j++)
            sel[n_sel++] = j;
    }
    int supply = -1, demand = -1;
    if (sfca_s) {
        char b[256];
        snprintf(b, sizeof b, "%s", sfca_s);
        char *colon = strchr(b, ':');
        if (!colon) {
            rc = cli_fail("--2sfca \"%s\": expected SUPPLY:DEMAND layer names", sfca_s);
            goto done;
        }
        *colon = 0;
        supply = hh_layers_find(&ls, b), demand = hh_layers_find(&ls, colon + 1);
        if (supply < 0 || demand < 0) {
            rc = cli_fail("--2sfca: no layer \"%s\"", supply < 0 ? b : colon + 1);
            goto done;
        }
    }
    if (ls.n_layers == 0 || (n_sel == 0 && supply < 0)) {
        rc = cli_fail("%s: no opportunity layers (build with --opportunities or --osm-layer, or give "
                      "--opportunities-file)", path);
        goto done;
    }
    /* the origins */
    if (origins) {
        if (hh_points_read(origins, &pts, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    } else {
        if (hh_grid_make(net, grid_m, &grid, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
        pts.n = grid.n, pts.lon = grid.lon, pts.lat = grid.lat;
    }
    /* what the summary needs is checked before the long part */
    const char *wname = weights_s ? weights_s : "population";
    int wl = hh_layers_find(&ls, wname), equal_w = 0;
    if (want_summary) {
        if (!(w = calloc(pts.n + 1, sizeof *w))) {
            rc = cli_fail("out of memory");
            goto done;
        }
        if (weights_s && !origins && wl < 0) {
            rc = cli_fail("--weights: no layer \"%s\"", wname);
            goto done;
        }
        int e = origins ? point_weights(origins, wname, pts.n, w, err, sizeof err)
                : wl >= 0 ? grid_weights(&ls, wl, &grid, w, err, sizeof err) : 1;
        if (e && !weights_s) {
            equal_w = 1; /* no residents known: every origin counts once */
            for (size_t i = 0; i < pts.n; i++)
                w[i] = 1;
        } else if (e) {
            rc = cli_fail("%s", err);
            goto done;
        }
        if (district) {
            if (hh_districts_read(district, &dist, err, sizeof err)) {
                rc = cli_fail("%s", err);
                goto done;
            }
            if (!(dist_of = malloc((pts.n + 1) * sizeof *dist_of)) ||
                hh_districts_assign(dist, pts.lon, pts.lat, pts.n, dist_of)) {
                rc = cli_fail("out of memory");
                goto done;
            }
        }
    }
    if (transit) {
        /* the transit search goes as far as the decay has weight (nearest:
         * --max-minutes) */
        double reach = 0;
        for (int c = 0; c < n_min; c++)
            reach = fmax(reach, hh_decay_reach(decay, decay_v, minutes[c] * 60, max_min * 60));
        tr.o.max_s = nearest_s ? max_min * 60 : ceil(reach);
        if (hh_transit_prepare(net, &tr.o, &tp, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    }
    if (compare) {
        if (hh_net_open(compare, &bnet, err, sizeof err)) {
            rc = cli_fail("--compare: %s", err);
            goto done;
        }
        if (transit && hh_transit_prepare(bnet, &tr.o, &btp, err, sizeof err)) {
            rc = cli_fail("--compare %s: %s", compare, err);
            goto done;
        }
    }
    hh_access_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.mode = mode, ao.transit = tp, ao.pct = pcts, ao.n_pct = (size_t)n_pct, ao.pct_of = pct_of;
    ao.minutes = minutes, ao.n_minutes = (size_t)n_min, ao.decay = decay, ao.decay_value = decay_v;
    ao.layers = sel, ao.n_layers = n_sel, ao.nearest = nearest, ao.n_nearest = (size_t)n_near;
    ao.sfca_supply = supply, ao.sfca_demand = demand, ao.max_s = max_min * 60, ao.snap_max_m = snap_max;
    ao.threads = (int)threads, ao.spread = sp;
    hh_access_stats st;
    if (hh_access_run(net, &ao, &ls, &pts, &t, &st, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (st.origins_snapped == 0) {
        rc = cli_fail("no origin snapped to the %s network within %g m", transit ? "walk" : mode_s, snap_max);
        goto done;
    }
    if (preset && hh_table_add_services(&t, n_sel, (size_t)n_min, minutes)) {
        rc = cli_fail("out of memory");
        goto done;
    }
    if (!origins)
        t.grid = &grid;
    hh_access_stats bst;
    memset(&bst, 0, sizeof bst);
    if (compare) {
        /* the same run on the base: same origins, same opportunity points */
        ao.transit = btp;
        if (hh_access_run(bnet, &ao, &ls, &pts, &bt, &bst, err, sizeof err)) {
            rc = cli_fail("--compare %s: %s", compare, err);
            goto done;
        }
        if (preset && hh_table_add_services(&bt, n_sel, (size_t)n_min, minutes)) {
            rc = cli_fail("out of memory");
            goto done;
        }
        if (!origins)
            bt.grid = &grid;
        hh_table both;
        if (hh_table_compare(&bt, &t, &both)) {
            rc = cli_fail("out of memory");
            goto done;
        }
        hh_table_free(&t);
        t = both;
    }
    if (rank != 0) /* the results are rank 0's, which writes them */
        goto done;
    /* the summary into memory first: the file is written only when all
     * of the run has worked */
    if (want_summary) {
        sumf = open_memstream(&sumbuf, &sumlen);
        if (!sumf || summary(sumf, &t, w, thr, (size_t)n_thr, dist, dist_of, t.n_cols) || fflush(sumf)) {
            rc = cli_fail("out of memory");
            goto done;
        }
    }
    if (!n_out && !want_summary)
        outs[n_out++] = "-"; /* CSV on stdout */
    for (int k = 0; k < n_out; k++)
        if (hh_table_write(&t, fmts[k], outs[k], "access", err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    if (sumbuf && (fwrite(sumbuf, 1, sumlen, stdout) != sumlen || fflush(stdout))) {
        rc = cli_fail("cannot write standard output: %s", strerror(errno));
        goto done;
    }
    fprintf(stderr, "halfhour: access for %zu %s (%zu snapped) to %zu opportunity points in %.2f s (%.2f s per 1000 origins)\n",
            st.origins, origins ? "points" : "grid cells", st.origins_snapped, st.opp_points, st.seconds,
            st.origins_snapped ? st.seconds * 1000 / st.origins_snapped : 0);
    if (compare)
        fprintf(stderr, "halfhour: and on the base %s: %zu snapped, in %.2f s\n", compare, bst.origins_snapped,
                bst.seconds);
    cli_spread_report(sp);
    if (st.opp_unsnapped) {
        fprintf(stderr, "halfhour: warning: %zu opportunity points did not snap and are left out:", st.opp_unsnapped);
        for (size_t l = 0; l < n_sel && l < 64; l++)
            if (st.opp_lost[l] > 0)
                fprintf(stderr, " %s %.10g", ls.name[sel[l]], st.opp_lost[l]);
        fprintf(stderr, "\n");
    }
    if (*missing)
        fprintf(stderr, "halfhour: note: the 15-minute check leaves out %s (no such opportunity in the network)\n",
                missing);
    if (equal_w)
        fprintf(stderr, "halfhour: note: no population %s: the summary weighs every %s the same "
                        "(\"residents\" counts them)\n", origins ? "column in --origins" : "layer",
                origins ? "point" : "grid cell");
done:
    if (sumf)
        fclose(sumf);
    free(sumbuf), free(dist_of);
    hh_districts_free(dist);
    free(ol.buf), free(w);
    hh_table_free(&t);
    hh_table_free(&bt);
    hh_transit_free(tp);
    hh_transit_free(btp);
    hh_net_close(bnet);
    if (origins)
        hh_points_free(&pts);
    hh_grid_free(&grid);
    hh_layers_free(&ls);
    hh_net_close(net);
    hh_spread_close(sp, rc == 0);
    return rc;
}
