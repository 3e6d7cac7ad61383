/* isochrone.c: `halfhour isochrone NET --from LON,LAT --mode M --minutes 10,20,30` */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FROM 1024
#define MAX_MINUTES 600.0

static void help(void)
{
    printf("usage: halfhour isochrone NET.hh --from LON,LAT [--from LON,LAT]... --mode walk|bike|car|transit\n"
           "       halfhour isochrone NET.hh --origins POINTS.csv --mode ...\n"
           "                          [--minutes 10,20,30] [--snap-max M] [--threads N] [-o FILE.geojson]\n"
           "                          [--depart T --window MIN --percentile P ...]  (transit)\n"
           "                          [--generalize M] [--denoise F] [--holes fill|all] [--compare BASE.hh]\n\n"
           "Writes a GeoJSON FeatureCollection: one MultiPolygon Feature per origin and cutoff,\n"
           "with properties minutes, mode, area_km2, origin (index of --from, or row of\n"
           "--origins, from 0), id (--origins) and from [lon,lat].\n"
           "One street search per origin serves every cutoff; origins run on --threads workers\n"
           "and are written in the order given. Polygons are valid and nested\n"
           "(each cutoff contains the smaller ones) whatever the options below. They are\n"
           "contours of a raster: a reached street claims land up to the network's\n"
           "iso.buffer_m (default 100 m) off it, the last stretch covered at the mode's\n"
           "connector speed, on cells of iso.cell_m (default 50 m, coarser for large areas).\n"
           "For a map, by default: a hole that holds no street of the mode, or only streets\n"
           "reached within the cutoff (fields, woods, water), is filled; a hole that holds a\n"
           "street not reached in time is kept (a pocket the area misses); boundaries are\n"
           "simplified, and parts and holes under %d raster cells (1 ha at 50 m) dropped.\n"
           "--holes all --generalize 0 gives the strict polygons: every hole, and no land\n"
           "farther than iso.buffer_m plus one raster cell from a reached street.\n\n"
           "  --from LON,LAT   origin (WGS-84), repeatable (up to %d)\n"
           "  --origins FILE   the origins from a CSV instead (columns found by header\n"
           "                   name: lon/lng/longitude/x, lat/latitude/y, and id), any\n"
           "                   number; Features also carry \"id\"; origins that do not\n"
           "                   snap (on NET.hh, or with --compare on BASE.hh) are left\n"
           "                   out with a warning saying why, none snapping is an error\n"
           "  --mode MODE      walk, bike or car\n"
           "  --minutes LIST   cutoffs in minutes, each in (0, %g] (default 10,20,30)\n"
           "  --snap-max M     farthest distance from the mode's network an origin may be\n"
           "                   snapped from, metres (default %g); beyond it: an error\n"
           "                   saying why (outside the network's area, lon/lat swapped,\n"
           "                   or how far the nearest street is)\n"
           "  --threads N      worker threads (default: all cores); output is identical\n"
           "                   for any N\n"
           "  -o FILE          output file (default stdout), written only when complete\n"
           "  --surface FILE   also write the travel-time surface as CSV origin,vertex,lon,\n"
           "                   lat,time_s: every street vertex reached within the largest\n"
           "                   cutoff (transit: at --percentile), for later analyses\n"
           "  --generalize M   simplification tolerance, metres: no boundary point moves\n"
           "                   farther; auto (the default): half a raster cell; 0: none,\n"
           "                   and no part or hole dropped for its size\n"
           "  --denoise F      drop each part smaller than F x the band's largest, in\n"
           "                   [0, 1] (default %g: none; 1: the largest part only); the\n"
           "                   part holding the origin always stays\n"
           "  --holes fill|all fill: the hole rule above (default); all: keep every hole\n"
           "  --percentile P   transit: the travel-time percentile drawn (default 50)\n"
           "  --compare BASE.hh  the same isochrones on BASE.hh too (the network NET.hh was\n"
           "                   made from by halfhour scenario): per origin and cutoff four\n"
           "                   Features, property part = base, scenario, gained (scenario\n"
           "                   minus base) and lost (base minus scenario)\n\n%s",
           HH_ISO_SPECK_CELLS, MAX_FROM, MAX_MINUTES, HH_DEFAULT_SNAP_M, HH_ISO_DENOISE, cli_transit_help);
}

static const char *depart_s(const cli_transit *t)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", t->o.date / 10000, t->o.date / 100 % 100, t->o.date % 100,
             t->o.depart_s / 3600, t->o.depart_s / 60 % 60);
    return buf;
}

/* --compare: per cutoff the base, the scenario, what is gained and what is
 * lost, each a Feature with "part" (cutoff by cutoff, so every larger
 * cutoff's base still covers the smaller one's features before it). */
static int write_compare(FILE *f, const hh_iso_result *r, size_t n_min, const char *mode_s, const char *extra,
                         int *first)
{
    static const char *const part[4] = {"base", "scenario", "gained", "lost"};
    const hh_isochrone *sets[4] = {r->base, r->iso, r->gained, r->lost};
    size_t cap = strlen(extra) + 32;
    char *x = malloc(cap);
    if (!x)
        return HH_ENOMEM;
    int e = 0;
    for (size_t b = 0; b < n_min && !e; b++)
        for (int k = 0; k < 4 && !e; k++) {
            snprintf(x, cap, "%s,\"part\":\"%s\"", extra, part[k]);
            hh_isochrone one = {1, &sets[k]->bands[b]};
            e = hh_isochrone_write_features(f, &one, mode_s, x, first);
        }
    free(x);
    return e;
}

/* What the writer of each origin's result needs (hh_isochrone_many's fn,
 * in origin order). */
typedef struct iso_out {
    const hh_net *net;
    FILE *fp, *surf_fp;
    const double *lon, *lat, *minutes; /* per input origin */
    char *const *id;                   /* --origins: per input origin, else NULL */
    const size_t *row;                 /* the input origin of each searched one */
    size_t n_min;
    int transit, compare, first;
    double pct;
    const cli_transit *tr;
    const char *mode_s;
} iso_out;

static int write_origin(const hh_iso_result *r, void *ud)
{
    iso_out *w = ud;
    size_t i = w->row[r->origin];
    double max_s = w->minutes[w->n_min - 1] * 60;
    errno = 0;
    if (r->surface)
        for (uint32_t v = 0; v < r->n_vertices; v++) {
            double vlon, vlat;
            if (isnan(r->surface[v]) || r->surface[v] > max_s || hh_net_vertex(w->net, v, &vlon, &vlat))
                continue;
            if (fprintf(w->surf_fp, "%zu,%u,%.7f,%.7f,%.1f\n", i, v, vlon, vlat, r->surface[v]) < 0)
                return HH_EIO;
        }
    /* the members every Feature of this origin carries; an --origins id
     * may be long: the buffer is its size plus room for the numbers */
    char *idj = NULL;
    if (w->id && !(idj = hh_json_quote(w->id[i])))
        return HH_ENOMEM;
    size_t cap = (idj ? strlen(idj) : 0) + 320;
    char *extra = malloc(cap);
    if (!extra) {
        hh_buffer_free(idj);
        return HH_ENOMEM;
    }
    int k = snprintf(extra, cap, "\"origin\":%zu,%s%s%s\"from\":[%.7f,%.7f]", i, idj ? "\"id\":" : "",
                     idj ? idj : "", idj ? "," : "", w->lon[i], w->lat[i]);
    hh_buffer_free(idj);
    if (w->transit)
        snprintf(extra + k, cap - (size_t)k, ",\"percentile\":%g,\"depart\":\"%s\",\"window_min\":%d", w->pct,
                 depart_s(w->tr), w->tr->o.window_min);
    int e = w->compare ? write_compare(w->fp, r, w->n_min, w->mode_s, extra, &w->first)
                       : hh_isochrone_write_features(w->fp, r->iso, w->mode_s, extra, &w->first);
    free(extra);
    return e == HH_ENOMEM ? e : e ? HH_EIO : 0;
}

int cmd_isochrone(int argc, char **argv)
{
    static const char *const wv[] = {"--from",       "--origins", "--mode",       "--minutes", "--snap-max",
                                     "--threads",    "-o",        "--percentile", "--surface", "--generalize",
                                     "--denoise",    "--holes",   "--compare",    CLI_TRANSIT_OPTIONS, NULL};
    static const char *const fl[] = {"--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *path = NULL, *out = NULL, *mode_s = NULL, *min_s = "10,20,30", *surf_path = NULL, *compare = NULL,
               *origins = NULL;
    static double lon[MAX_FROM], lat[MAX_FROM];
    int n_from = 0, r;
    double snap_max = HH_DEFAULT_SNAP_M, pct = 50;
    long threads = 0;
    cli_transit tr;
    cli_transit_defaults(&tr);
    hh_iso_opts io;
    hh_iso_opts_default(&io);
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("isochrone", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--from")) {
            if (n_from == MAX_FROM)
                return cli_usage("isochrone", "at most %d --from points", MAX_FROM);
            if (cli_parse_lonlat(a.val, &lon[n_from], &lat[n_from]))
                return cli_fail("--from \"%s\": expected LON,LAT in decimal degrees", a.val);
            if (fabs(lon[n_from]) > 180 || fabs(lat[n_from]) > 90)
                return cli_fail("--from %s: coordinates out of range (lon in [-180,180], lat in [-90,90])",
                                a.val);
            n_from++;
        } else if (!strcmp(a.name, "--origins"))
            origins = a.val;
        else if (!strcmp(a.name, "--mode"))
            mode_s = a.val;
        else if (!strcmp(a.name, "--minutes"))
            min_s = a.val;
        else if (!strcmp(a.name, "--snap-max")) {
            if (cli_parse_double(a.val, 0, 100000, &snap_max))
                return cli_fail("--snap-max \"%s\": expected metres in [0, 100000]", a.val);
        } else if (!strcmp(a.name, "--threads")) {
            if (cli_search_option(a.name, a.val, &threads, NULL))
                return 1;
        } else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "--surface"))
            surf_path = a.val;
        else if (!strcmp(a.name, "--compare"))
            compare = a.val;
        else if (!strcmp(a.name, "--generalize")) {
            if (!strcmp(a.val, "auto"))
                io.generalize_m = HH_ISO_GENERALIZE_AUTO;
            else if (cli_parse_double(a.val, 0, 100000, &io.generalize_m))
                return cli_fail("--generalize \"%s\": expected metres in [0, 100000] or auto", a.val);
        } else if (!strcmp(a.name, "--denoise")) {
            if (cli_parse_double(a.val, 0, 1, &io.denoise))
                return cli_fail("--denoise \"%s\": expected a number in [0, 1]", a.val);
        } else if (!strcmp(a.name, "--holes")) {
            if (!strcmp(a.val, "fill"))
                io.holes = HH_ISO_HOLES_FILL;
            else if (!strcmp(a.val, "all"))
                io.holes = HH_ISO_HOLES_ALL;
            else
                return cli_fail("--holes \"%s\": expected fill or all", a.val);
        } else if (!strcmp(a.name, "--percentile")) {
            if (cli_parse_double(a.val, 1e-9, 100, &pct))
                return cli_fail("--percentile \"%s\": expected a number in (0, 100]", a.val);
        } else {
            int t = cli_transit_option(a.name, a.val, &tr);
            if (t > 0)
                return t;
        }
    }
    if ((r = cli_args_done("isochrone", &a, r)))
        return r;
    if (!path)
        return cli_usage("isochrone", "missing the network file");
    if (n_from && origins)
        return cli_usage("isochrone", "--from and --origins: give the origins one way");
    if (!n_from && !origins)
        return cli_usage("isochrone", "missing --from LON,LAT (or --origins FILE.csv)");
    if (!mode_s)
        return cli_usage("isochrone", "missing --mode (walk, bike, car or transit)");
    hh_mode mode; /* transit: walk, the network origins join */
    int transit;
    if ((r = cli_parse_mode("isochrone", mode_s, &tr, &mode, &transit)))
        return r;
    double minutes[64];
    char err[512];
    int n_min = cli_parse_list(min_s, "minutes", minutes, 64, transit ? 240 : MAX_MINUTES, err, sizeof err);
    if (n_min < 0)
        return cli_fail("--minutes: %s", err);

    hh_net *net = NULL;
    hh_transit *tp = NULL;
    hh_out o = {0}, so = {0};
    hh_net *bnet = NULL;
    hh_transit *btp = NULL;
    hh_points pts = {0};
    hh_snap *snaps = NULL, *bsnaps = NULL;
    size_t *row = NULL, n_ok = 0;
    unsigned char *ok = NULL;
    char *why = NULL, *why_base = NULL; /* --origins left out: on NET.hh, on the base */
    int rc = 0;
    if (origins && hh_points_read(origins, &pts, err, sizeof err))
        return cli_fail("%s", err);
    /* the origins as given: --from's, or the CSV's (with their ids) */
    size_t n_in = origins ? pts.n : (size_t)n_from;
    const double *olon = origins ? pts.lon : lon, *olat = origins ? pts.lat : lat;
    if (hh_net_open(path, &net, err, sizeof err)) {
        hh_points_free(&pts);
        return cli_fail("%s", err);
    }
    if (compare && hh_net_open(compare, &bnet, err, sizeof err)) {
        rc = cli_fail("--compare: %s", err);
        goto done;
    }
    snaps = malloc((n_in + 1) * sizeof *snaps);
    bsnaps = malloc((n_in + 1) * sizeof *bsnaps);
    row = malloc((n_in + 1) * sizeof *row);
    ok = calloc(n_in + 1, 1);
    if (!snaps || !bsnaps || !row || !ok) {
        rc = cli_fail("out of memory");
        goto done;
    }
    /* a --from origin must snap (on the base too); --origins rows that do
     * not are left out, with a warning naming them */
    for (size_t i = 0; i < n_in; i++) {
        int s = hh_snap_point(net, mode, olon[i], olat[i], snap_max, &snaps[n_ok]);
        if (s && !origins) {
            char what[64], msg[1400];
            snprintf(what, sizeof what, "--from %.6f,%.6f", olon[i], olat[i]);
            if (hh_snap_fail_text(net, mode, transit ? "walk" : hh_mode_name(mode),
                                  transit ? "walkable" : hh_mode_name(mode), olon[i], olat[i], snap_max, what,
                                  "--snap-max", msg, sizeof msg))
                snprintf(msg, sizeof msg, "%s did not snap", what);
            rc = cli_fail("%s", msg);
            goto done;
        }
        ok[i] = s ? 0 : 1;
        if (!s && bnet && hh_snap_point(bnet, mode, olon[i], olat[i], snap_max, &bsnaps[n_ok])) {
            if (!origins) {
                rc = cli_fail("--from %.6f,%.6f: no street of %s within %g m", olon[i], olat[i], compare, snap_max);
                goto done;
            }
            ok[i] = 3;
        }
        if (ok[i] == 1)
            row[n_ok++] = i;
    }
    if (origins) {
        /* why, on the file each one failed on: ok[i] 0 did not snap on
         * NET.hh, 3 did there but not on the base, 1 kept */
        size_t n_bad = 0, n_bad_base = 0;
        const char *sname = transit ? "walk" : hh_mode_name(mode), *note = n_ok ? " (no isochrone)" : "";
        unsigned char *on = malloc(n_in + 1);
        if (!on) {
            rc = cli_fail("out of memory");
            goto done;
        }
        for (size_t i = 0; i < n_in; i++)
            on[i] = ok[i] != 0;
        why = hh_snap_report(net, mode, sname, snap_max, "origin", n_in, (const char *const *)pts.id, olon, olat, on,
                             note, &n_bad);
        if (bnet) {
            for (size_t i = 0; i < n_in; i++)
                on[i] = ok[i] != 3;
            why_base = hh_snap_report(bnet, mode, sname, snap_max, "origin", n_in, (const char *const *)pts.id, olon,
                                      olat, on, note, &n_bad_base);
        }
        free(on);
        if (!n_ok) {
            rc = cli_fail("%s: no origin snapped to the %s network%s: %s%s%s%s", origins, sname,
                          bnet ? " of both files" : "", why ? why : "", why && why_base ? "; " : "",
                          why_base ? "on the base: " : "", why_base ? why_base : "");
            goto done;
        }
    }
    if (compare) {
        tr.o.max_s = minutes[n_min - 1] * 60.0;
        if (transit && hh_transit_prepare(bnet, &tr.o, &btp, err, sizeof err)) {
            rc = cli_fail("--compare %s: %s", compare, err);
            goto done;
        }
    }
    if (transit) {
        tr.o.max_s = minutes[n_min - 1] * 60.0;
        if (hh_transit_prepare(net, &tr.o, &tp, err, sizeof err)) {
            rc = cli_fail("%s", err);
            goto done;
        }
    }
    if (hh_out_open(&o, out, err, sizeof err)) {
        rc = cli_fail("%s", err);
        goto done;
    }
    if (surf_path) {
        if (hh_out_open(&so, surf_path, err, sizeof err)) {
            rc = cli_fail("%s", err);
            hh_out_abort(&o);
            goto done;
        }
        fprintf(so.fp, "origin,vertex,lon,lat,time_s\n");
    }
    fprintf(o.fp, "{\"type\":\"FeatureCollection\",\"attribution\":\"(c) OpenStreetMap contributors, ODbL 1.0\","
                  "\"features\":[");
    /* every origin's search and polygons on the workers, written here in
     * origin order */
    hh_iso_many req = {net, mode, tp, pct, snaps, n_ok, minutes, (size_t)n_min, &io, (int)threads,
                       surf_path != NULL, bnet, btp, bnet ? bsnaps : NULL};
    iso_out w = {net, o.fp, surf_path ? so.fp : NULL, olon, olat, minutes, origins ? pts.id : NULL, row,
                 (size_t)n_min, transit, bnet != NULL, 1, pct, &tr, mode_s};
    size_t failed;
    int e = hh_isochrone_many(&req, write_origin, &w, &failed);
    if (e) {
        if (failed != SIZE_MAX)
            rc = cli_fail("isochrone from %.6f,%.6f: %s", olon[row[failed]], olat[row[failed]], hh_strerror(e));
        else if (e == HH_EIO)
            rc = cli_fail("cannot write %s: %s", out && strcmp(out, "-") ? out : "standard output",
                          errno ? strerror(errno) : "write error");
        else
            rc = cli_fail("isochrones: %s", hh_strerror(e));
        hh_out_abort(&o);
        hh_out_abort(&so);
        goto done;
    }
    fprintf(o.fp, "\n]}\n");
    /* both outputs, or neither: everything written first, then the renames */
    if ((surf_path && hh_out_flush(&so, err, sizeof err)) || hh_out_flush(&o, err, sizeof err) ||
        (surf_path && hh_out_commit(&so, err, sizeof err)) || hh_out_commit(&o, err, sizeof err)) {
        rc = cli_fail("%s", err);
        hh_out_abort(&o);
        hh_out_abort(&so);
    }
    if (!rc && why)
        fprintf(stderr, "halfhour: warning: %s\n", why);
    if (!rc && why_base)
        fprintf(stderr, "halfhour: warning: on the base %s: %s\n", compare, why_base);
done:
    hh_buffer_free(why), hh_buffer_free(why_base);
    free(snaps), free(bsnaps), free(row), free(ok);
    hh_points_free(&pts);
    hh_transit_free(btp);
    hh_net_close(bnet);
    hh_transit_free(tp);
    hh_net_close(net);
    return rc;
}
