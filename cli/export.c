/* export.c: `halfhour export NET --mode M -o edges.csv`: the mode's graph as
 * an edge list in the shape pgRouting's functions take, so other engines can
 * be fed exactly the same edges and costs (bench/ uses it). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_export(int argc, char **argv)
{
    static const char *const wv[] = {"--mode", "-o", NULL};
    static const char *const fl[] = {"--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    const char *path = NULL, *out = NULL, *mode_s = NULL;
    int r;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("export", "more than one network file");
            path = a.val;
        } else if (!strcmp(a.name, "--mode"))
            mode_s = a.val;
        else if (!strcmp(a.name, "-o"))
            out = a.val;
        else {
            printf("usage: halfhour export NET.hh --mode walk|bike|car [-o edges.csv]\n\n"
                   "Writes the mode's kept graph as CSV id,source,target,cost,reverse_cost,length_m,\n"
                   "x1,y1,x2,y2: one row per edge (a way piece between vertices), costs in seconds\n"
                   "(-1 when that direction is closed), source/target vertex ids, x=lon, y=lat.\n");
            return 0;
        }
    }
    if ((r = cli_args_done("export", &a, r)))
        return r;
    if (!path || !mode_s)
        return cli_usage("export", "missing %s", !path ? "the network file" : "--mode");
    hh_mode mode;
    if (hh_mode_parse(mode_s, &mode))
        return cli_fail("unknown mode \"%s\" (expected walk, bike or car)", mode_s);
    char err[512];
    hh_net *net;
    if (hh_net_open(path, &net, err, sizeof err))
        return cli_fail("%s", err);
    hh_out o;
    if (hh_out_open(&o, out, err, sizeof err)) {
        hh_net_close(net);
        return cli_fail("%s", err);
    }
    FILE *f = o.fp;
    fprintf(f, "id,source,target,cost,reverse_cost,length_m,x1,y1,x2,y2\n");
    uint32_t n = hh_net_n_edges(net);
    for (uint32_t e = 0; e < n; e++) {
        hh_edge_view v;
        if (hh_net_edge(net, mode, e, &v))
            continue;
        fprintf(f, "%u,%u,%u,%.1f,%.1f,%.3f,%.7f,%.7f,%.7f,%.7f\n", e, v.from, v.to, v.fwd_s, v.bwd_s, v.len_m,
                v.from_lon, v.from_lat, v.to_lon, v.to_lat);
    }
    int rc = 0;
    if (hh_out_commit(&o, err, sizeof err))
        rc = cli_fail("%s", err);
    hh_net_close(net);
    return rc;
}
