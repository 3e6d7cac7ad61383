/* serve.c: `halfhour serve NET.hh [--port 8080] ...`: the HTTP API
 * (docs/http.md) and the planning map's files, from server/. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "server/serve.h"

static void help(void)
{
    hh_serve_limits l;
    hh_serve_limits_default(&l);
    printf("usage: halfhour serve NET.hh [--port 8080] [--bind 127.0.0.1] [--threads N] [--web DIR]\n"
           "                      [--opportunities-file FILE]... [limits]\n\n"
           "Serves the HTTP API of docs/http.md (isochrone, table, access, report, site,\n"
           "scenario, network, info, health, metrics) over one network file, mapped read-only and\n"
           "shared by the worker threads, and the planning map's built files. Prints\n"
           "\"halfhour serve: listening on URL\" when ready; SIGTERM or SIGINT stops it after\n"
           "the requests in flight are answered; SIGHUP opens NET.hh again (replace the\n"
           "file by renaming a new one over it) and serves it from then on, the requests\n"
           "in flight finishing on the network they started with.\n\n"
           "  --port N         TCP port (default 8080; 0: a free one, printed)\n"
           "  --bind ADDR      address to listen on, IPv4 or IPv6 (default 127.0.0.1;\n"
           "                   0.0.0.0: every IPv4 interface; ::1: IPv6 loopback; ::\n"
           "                   every interface, IPv6 and IPv4)\n"
           "  --threads N      worker threads (default: the cores)\n"
           "  --web DIR        the map's files (default: web/dist of the source tree the\n"
           "                   binary was built in, when it exists)\n"
           "  --opportunities-file FILE  more opportunity layers (as access reads them)\n"
           "Limits (413 or 400 with a JSON error naming the limit):\n"
           "  --max-body BYTES         request body (default %zu)\n"
           "  --max-locations N        points in each list of a request (default %zu)\n"
           "  --max-contours N         isochrone cutoffs (default %zu)\n"
           "  --max-matrix-cells N     table sources x destinations (default %zu)\n"
           "  --max-grid-cells N       access grid cells (default %zu)\n"
           "  --max-network-features N /network features (default %zu)\n"
           "  --time-budget S          seconds of computing per request (default %g)\n"
           "  --max-scenario-features N  modifications in one /scenario change (default %zu)\n"
           "  --max-scenarios N        /scenario requests computing at once (default %zu;\n"
           "                           more: 503)\n"
           "  --max-connections N      open connections (default 4096)\n"
           "  --connection-timeout S   idle connections closed after S s (default 30)\n"
           "  --read-timeout S         a body must arrive within S s (default 10)\n",
           l.body_bytes, l.locations, l.contours, l.matrix_cells, l.grid_cells, l.network_features, l.time_budget_s,
           l.scenario_features, l.scenarios);
}

/* SIGHUP: the network file opened again under the same name (replace it
 * by renaming a new one over it), with the same opportunity files. */
typedef struct loader {
    const char *path;
    const char *const *files;
    size_t n_files;
} loader;
typedef struct loaded {
    hh_net *net;
    hh_layers ls;
} loaded;

/* 0; -1 with err; or the exit code of a failure cli_load_layers printed. */
static int load(const loader *L, loaded **out, char *err, size_t errlen)
{
    loaded *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = hh_net_open(L->path, &d->net, err, errlen) ? -1 : 0;
    if (!rc && (rc = cli_load_layers(d->net, L->path, L->files, L->n_files, &d->ls)))
        snprintf(err, errlen, "%s: the opportunity layers did not load (the error above)", L->path);
    if (rc) {
        hh_layers_free(&d->ls);
        hh_net_close(d->net);
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}

static int reload(void *ud, const hh_net **net, const hh_layers **layers, void **handle, char *err, size_t errlen)
{
    loaded *d = NULL;
    if (load(ud, &d, err, errlen))
        return HH_EFORMAT;
    *net = d->net, *layers = &d->ls, *handle = d;
    return 0;
}

static void release(void *ud, void *handle)
{
    loaded *d = handle;
    (void)ud;
    if (!d)
        return;
    hh_layers_free(&d->ls);
    hh_net_close(d->net);
    free(d);
}

/* web/dist beside the checkout: the binary is build/<kind>/halfhour */
static const char *default_web(char *buf, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    snprintf(buf, cap, "%s/../../web/dist", exe);
    struct stat sb;
    return stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode) ? buf : NULL;
}

static int size_opt(const char *name, const char *val, long lo, long hi, size_t *out)
{
    long v;
    if (cli_parse_int(val, lo, hi, &v))
        return cli_fail("%s \"%s\": expected an integer in [%ld, %ld]", name, val, lo, hi);
    *out = (size_t)v;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const char *const wv[] = {"--port", "--bind", "--threads", "--web", "--opportunities-file", "--max-body",
                                     "--max-locations", "--max-contours", "--max-matrix-cells", "--max-grid-cells",
                                     "--max-network-features", "--time-budget", "--max-scenario-features", "--max-scenarios", "--max-connections",
                                     "--connection-timeout", "--read-timeout", NULL};
    static const char *const fl[] = {"--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, wv, fl);
    hh_serve_opts o;
    memset(&o, 0, sizeof o);
    hh_serve_limits_default(&o.lim);
    o.port = 8080, o.bind = "127.0.0.1", o.connection_timeout_s = 30, o.read_timeout_s = 10;
    o.max_connections = 4096;
    const char *path = NULL, *files[64];
    size_t n_files = 0, z = 0;
    int r, web_given = 0;
    long v;
    double d;
    while ((r = cli_args_next(&a)) == 1) {
        int e = 0;
        if (!a.name) {
            if (path)
                return cli_usage("serve", "more than one network file (\"%s\")", a.val);
            path = a.val;
        } else if (!strcmp(a.name, "--help") || !strcmp(a.name, "-h")) {
            help();
            return 0;
        } else if (!strcmp(a.name, "--port")) {
            if (cli_parse_int(a.val, 0, 65535, &v))
                return cli_fail("--port \"%s\": expected a port in [0, 65535]", a.val);
            o.port = (int)v;
        } else if (!strcmp(a.name, "--bind")) {
            o.bind = a.val;
        } else if (!strcmp(a.name, "--threads")) {
            if (cli_parse_int(a.val, 1, 256, &v))
                return cli_fail("--threads \"%s\": expected an integer in [1, 256]", a.val);
            o.threads = (int)v;
        } else if (!strcmp(a.name, "--web")) {
            o.web_dir = a.val, web_given = 1;
        } else if (!strcmp(a.name, "--opportunities-file")) {
            if (n_files == 64)
                return cli_usage("serve", "at most 64 --opportunities-file");
            files[n_files++] = a.val;
        } else if (!strcmp(a.name, "--max-body")) {
            e = size_opt(a.name, a.val, 64, 1L << 30, &o.lim.body_bytes);
        } else if (!strcmp(a.name, "--max-locations")) {
            e = size_opt(a.name, a.val, 1, 1000000, &o.lim.locations);
        } else if (!strcmp(a.name, "--max-contours")) {
            e = size_opt(a.name, a.val, 1, 64, &o.lim.contours);
        } else if (!strcmp(a.name, "--max-matrix-cells")) {
            e = size_opt(a.name, a.val, 1, 100000000, &o.lim.matrix_cells);
        } else if (!strcmp(a.name, "--max-grid-cells")) {
            e = size_opt(a.name, a.val, 1, 1L << 26, &o.lim.grid_cells);
        } else if (!strcmp(a.name, "--max-network-features")) {
            e = size_opt(a.name, a.val, 1, 10000000, &o.lim.network_features);
        } else if (!strcmp(a.name, "--max-scenario-features")) {
            e = size_opt(a.name, a.val, 1, 100000, &o.lim.scenario_features);
        } else if (!strcmp(a.name, "--max-scenarios")) {
            e = size_opt(a.name, a.val, 1, 1024, &o.lim.scenarios);
        } else if (!strcmp(a.name, "--max-connections")) {
            e = size_opt(a.name, a.val, 1, 1000000, &z);
            o.max_connections = (unsigned)z;
        } else if (!strcmp(a.name, "--connection-timeout")) {
            e = size_opt(a.name, a.val, 1, 86400, &z);
            o.connection_timeout_s = (unsigned)z;
        } else if (!strcmp(a.name, "--time-budget")) {
            if (cli_parse_double(a.val, 0.001, 86400, &d))
                return cli_fail("--time-budget \"%s\": expected seconds in [0.001, 86400]", a.val);
            o.lim.time_budget_s = d;
        } else if (!strcmp(a.name, "--read-timeout")) {
            if (cli_parse_double(a.val, 0.001, 86400, &d))
                return cli_fail("--read-timeout \"%s\": expected seconds in [0.001, 86400]", a.val);
            o.read_timeout_s = d;
        }
        if (e)
            return e;
    }
    if ((r = cli_args_done("serve", &a, r)))
        return r;
    if (!path)
        return cli_usage("serve", "missing the network file");
    char wbuf[PATH_MAX + 32];
    if (!web_given)
        o.web_dir = default_web(wbuf, sizeof wbuf);
    char err[1024];
    loader L = {path, files, n_files};
    loaded *first = NULL;
    int rc = load(&L, &first, err, sizeof err);
    if (rc)
        return rc < 0 ? cli_fail("%s", err) : rc;
    o.net_path = path, o.layers = &first->ls;
    o.reload = reload, o.release = release, o.reload_ud = &L, o.first_handle = first;
    if (hh_serve_run(first->net, &o, err, sizeof err)) {
        rc = cli_fail("%s", err);
        release(&L, first); /* a failed start leaves the first network to us */
    }
    return rc;
}
