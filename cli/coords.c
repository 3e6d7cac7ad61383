/* coords.c: `halfhour coords --from gcj02 --to wgs84 IN.csv|IN.geojson -o OUT`:
 * a file from a Chinese source (GCJ-02) made usable with OSM data (WGS-84),
 * or back.  Only the coordinates change; the library call says which bytes
 * those are. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static int has_csv_suffix(const char *p)
{
    size_t n = strlen(p);
    return n >= 4 && !strcasecmp(p + n - 4, ".csv");
}

static const char *datum_name(hh_datum d) { return d == HH_DATUM_GCJ02 ? "GCJ-02" : "WGS-84"; }

int cmd_coords(int argc, char **argv)
{
    static const char *const wv[] = {"--from", "--to", "--lon", "--lat", "-o", NULL};
    static const char *const fl[] = {"--help", "-h", "-q", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *in = NULL, *out = NULL, *from_s = NULL, *to_s = NULL;
    hh_coords_opts o;
    memset(&o, 0, sizeof o);
    int quiet = 0, r;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (in)
                return cli_usage("coords", "more than one input file");
            in = a.val;
        } else if (!strcmp(a.name, "--from"))
            from_s = a.val;
        else if (!strcmp(a.name, "--to"))
            to_s = a.val;
        else if (!strcmp(a.name, "--lon"))
            o.lon_col = a.val;
        else if (!strcmp(a.name, "--lat"))
            o.lat_col = a.val;
        else if (!strcmp(a.name, "-o"))
            out = a.val;
        else if (!strcmp(a.name, "-q"))
            quiet = 1;
        else {
            printf("usage: halfhour coords --from gcj02|wgs84 --to wgs84|gcj02 IN.csv|IN.geojson [-o OUT] [-q]\n"
                   "       [--lon COLUMN --lat COLUMN]\n\n"
                   "Rewrites a file with its coordinates moved from one datum to the other:\n"
                   "GCJ-02 is the datum of map sources from mainland China (Amap/Gaode, Tencent,\n"
                   "boundary and station lists made from them), WGS-84 plus an offset of a few\n"
                   "hundred metres; OpenStreetMap and halfhour use WGS-84.  The offset applies\n"
                   "inside lon 72.004..137.8347, lat 0.8293..55.8271 and is 0 outside.\n"
                   "GCJ-02 -> WGS-84 inverts the published forward transform to 1e-9 degrees.\n\n"
                   "  IN.csv       the lon/lat columns by header name (lon|lng|longitude|x,\n"
                   "               lat|latitude|y) or --lon/--lat COLUMN; only those two fields\n"
                   "               change (7 decimals), every other byte is copied\n"
                   "  IN.geojson   (or .json) every position of every geometry and bbox corners;\n"
                   "               properties and everything else copied byte for byte\n"
                   "  -o OUT       output file (default stdout); appears only when complete\n"
                   "  -q           no summary line on stderr\n");
            return 0;
        }
    }
    if (r == -1)
        return cli_usage("coords", "unknown option %s", a.name);
    if (r == -2)
        return cli_usage("coords", "%s needs a value", a.name);
    if (!in || !from_s || !to_s)
        return cli_usage("coords", "missing %s", !in ? "the input file" : !from_s ? "--from" : "--to");
    if (hh_datum_parse(from_s, &o.from))
        return cli_fail("unknown datum \"%s\" for --from (expected gcj02 or wgs84)", from_s);
    if (hh_datum_parse(to_s, &o.to))
        return cli_fail("unknown datum \"%s\" for --to (expected gcj02 or wgs84)", to_s);
    char err[512];
    hh_out of;
    if (hh_out_open(&of, out, err, sizeof err))
        return cli_fail("%s", err);
    size_t n = 0, outside = 0;
    if (hh_coords_convert_file(in, of.fp, &o, &n, &outside, err, sizeof err)) {
        hh_out_abort(&of);
        return cli_fail("%s", err);
    }
    if (hh_out_commit(&of, err, sizeof err))
        return cli_fail("%s", err);
    if (!quiet) {
        fprintf(stderr, "coords: %zu %s from %s to %s", n, has_csv_suffix(in) ? "rows" : "positions",
                datum_name(o.from), datum_name(o.to));
        if (outside && o.from != o.to)
            fprintf(stderr, " (%zu outside China's box, unchanged)", outside);
        fputc('\n', stderr);
    }
    return 0;
}
