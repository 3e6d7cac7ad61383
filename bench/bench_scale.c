/* bench_scale.c: the per-network figures of the scale part of bench/run.sh.
 *
 *   bench_scale NET N SEED ORIGINS.csv JOBS.csv SAMPLE
 *
 * Times, on one network file (a synth_region network):
 *   open_ms        hh_net_open + hh_net_close, median of 7 (the file in the
 *                  page cache: the first, untimed, open brings it there);
 *   iso_ms         a 30-minute car isochrone end to end: hh_query_run
 *                  bounded to 1800 s, then hh_isochrone_build_opts with the
 *                  map defaults (what the CLI, a map and the server draw);
 *                  median over N seeded origins after one warm-up;
 *   one_to_all_ms  hh_query_run for the car without a bound, median;
 * and the memory one thread carries, per vertex of the network:
 *   ws_bytes_per_vertex  resident bytes the process gained from
 *                  hh_query_init through the unbounded car searches, one
 *                  bounded car search and one walk search (the search
 *                  workspace: a plain search's arrays and the sweep's),
 *                  measured before any polygon is drawn;
 *   ws_model_bytes_per_vertex  the same as hh_query_footprint computes it;
 *   sweep_bytes_per_vertex  the sweep's part alone: all that a worker of
 *                  the many-origin driver's hierarchy path (matrix, access)
 *                  allocates per vertex besides its rows;
 *   iso_extra_bytes_per_vertex  what the isochrones added after that
 *                  (rasters, polygons, and the network's shared cache of
 *                  street samples, which all threads share);
 * and writes, for the all-origins access run beside it, ORIGINS.csv (SAMPLE
 * centres of the 250 m cells over the bounding box, drawn without
 * replacement by the seed, kept when a car street is within 250 m) and
 * JOBS.csv (one job point per 20 vertices, at seeded vertices, 1..100 jobs);
 * cells= is the number of 250 m cells whose centre is within 250 m of a car
 * street, estimated from the draws, to project the whole grid's time.
 * Prints key=value lines. */
#include "halfhour.h"
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static double uniform01(uint64_t *s) { return (double)(splitmix64(s) >> 11) * 0x1p-53; }

static int die(const char *what, int rc)
{
    fprintf(stderr, "bench_scale: %s: %s\n", what, hh_strerror(rc));
    return 1;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_scale NET N SEED ORIGINS.csv JOBS.csv SAMPLE\n");
        return 2;
    }
    const char *path = argv[1];
    size_t n = (size_t)strtoul(argv[2], NULL, 10);
    uint64_t seed = strtoull(argv[3], NULL, 10);
    size_t sample = (size_t)strtoul(argv[6], NULL, 10);
    if (n == 0 || n > 100000)
        return fprintf(stderr, "bench_scale: N must be 1..100000\n"), 2;
    char err[512];
    hh_net *net;
    int rc;
    /* open: the first one untimed (page cache), then the median of 7 */
    if ((rc = hh_net_open(path, &net, err, sizeof err)) < 0)
        return fprintf(stderr, "bench_scale: %s\n", err), 1;
    hh_net_close(net);
    double t_open[7];
    for (int i = 0; i < 7; i++) {
        double t0 = now_ms();
        if ((rc = hh_net_open(path, &net, err, sizeof err)) < 0)
            return fprintf(stderr, "bench_scale: %s\n", err), 1;
        hh_net_close(net);
        t_open[i] = now_ms() - t0;
    }
    printf("open_ms=%.3f\n", percentile(t_open, 7, 0.5));
    if ((rc = hh_net_open(path, &net, err, sizeof err)) < 0)
        return fprintf(stderr, "bench_scale: %s\n", err), 1;
    hh_net_info info;
    hh_net_get_info(net, &info);
    printf("vertices=%u\nedges=%u\ncar_arcs=%u\nfile_bytes=%llu\n", info.n_nodes, info.n_edges,
           info.arcs[HH_MODE_CAR], (unsigned long long)info.file_bytes);

    /* origins: uniform in the bbox, kept when a car street is within 200 m */
    hh_snap *pts = malloc((n + 1) * sizeof *pts);
    double *t_iso = malloc(n * sizeof *t_iso), *t_all = malloc(n * sizeof *t_all);
    if (!pts || !t_iso || !t_all)
        return die("memory", HH_ENOMEM);
    uint64_t s = seed;
    for (size_t i = 0; i <= n; i++) {
        int tries = 0;
        do {
            if (++tries > 100000)
                return die("picking origins", HH_EEMPTY);
            double lon = info.min_lon + uniform01(&s) * (info.max_lon - info.min_lon);
            double lat = info.min_lat + uniform01(&s) * (info.max_lat - info.min_lat);
            rc = hh_snap_point(net, HH_MODE_CAR, lon, lat, 200, &pts[i]);
        } while (rc == HH_ENOSNAP);
        if (rc < 0)
            return die("hh_snap_point", rc);
    }
    long rss0 = rss_kib();
    hh_query *q;
    if ((rc = hh_query_init(net, &q)) < 0)
        return die("hh_query_init", rc);
    for (size_t i = 0; i <= n; i++) {
        const hh_snap *o = &pts[i == 0 ? n : i - 1];
        double t0 = now_ms();
        if ((rc = hh_query_run(q, HH_MODE_CAR, o, INFINITY)) < 0)
            return die("hh_query_run", rc);
        double t1 = now_ms();
        if (i > 0)
            t_all[i - 1] = t1 - t0;
    }
    hh_snap w;
    if (hh_snap_point(net, HH_MODE_WALK, pts[0].lon, pts[0].lat, 500, &w) == 0 &&
        (rc = hh_query_run(q, HH_MODE_WALK, &w, 1800)) < 0)
        return die("hh_query_run walk", rc);
    if ((rc = hh_query_run(q, HH_MODE_CAR, &pts[n], 1800)) < 0)
        return die("hh_query_run", rc);
    long rss_ws = rss_kib();
    double minutes = 30;
    for (size_t i = 0; i <= n; i++) {
        /* pts[n] is the untimed warm-up, first */
        const hh_snap *o = &pts[i == 0 ? n : i - 1];
        hh_isochrone map;
        double t0 = now_ms();
        if ((rc = hh_query_run(q, HH_MODE_CAR, o, minutes * 60)) < 0)
            return die("hh_query_run", rc);
        if ((rc = hh_isochrone_build_opts(q, &minutes, 1, NULL, &map)) < 0)
            return die("hh_isochrone_build_opts", rc);
        double t1 = now_ms();
        hh_isochrone_free(&map);
        if (i > 0)
            t_iso[i - 1] = t1 - t0;
    }
    long rss1 = rss_kib();
    printf("iso_ms=%.3f\niso_p90_ms=%.3f\n", percentile(t_iso, n, 0.5), percentile(t_iso, n, 0.9));
    printf("one_to_all_ms=%.3f\none_to_all_p90_ms=%.3f\n", percentile(t_all, n, 0.5), percentile(t_all, n, 0.9));
    double nv = info.n_nodes ? info.n_nodes : 1;
    hh_query_bytes fp;
    hh_query_footprint(net, &fp);
    printf("ws_bytes_per_vertex=%.1f\n", (double)(rss_ws - rss0) * 1024.0 / nv);
    printf("ws_model_bytes_per_vertex=%.1f\n", fp.per_vertex);
    printf("sweep_bytes_per_vertex=%.1f\n", (double)fp.sweep / nv);
    printf("iso_extra_bytes_per_vertex=%.1f\n", (double)(rss1 - rss_ws) * 1024.0 / nv);
    hh_query_free(q);

    /* the access run's inputs: a sample of the 250 m cells, and jobs */
    double lat0 = (info.min_lat + info.max_lat) / 2;
    double mx = 111195.0 * cos(lat0 * M_PI / 180), my = 111195.0;
    size_t nx = (size_t)ceil((info.max_lon - info.min_lon) * mx / 250), ny = (size_t)ceil((info.max_lat - info.min_lat) * my / 250);
    FILE *fo = fopen(argv[4], "w"), *fj = fopen(argv[5], "w");
    if (!fo || !fj)
        return die("cannot write the access inputs", HH_EIO);
    fprintf(fo, "id,lon,lat\n");
    size_t kept = 0, drawn = 0, total = nx * ny;
    uint64_t s2 = seed + 1;
    while (kept < sample && drawn < 20 * sample && drawn < total) {
        size_t c = (size_t)(splitmix64(&s2) % total);
        drawn++;
        double lon = info.min_lon + ((double)(c % nx) + 0.5) * 250 / mx;
        double lat = info.min_lat + ((double)(c / nx) + 0.5) * 250 / my;
        hh_snap sn;
        if (hh_snap_point(net, HH_MODE_CAR, lon, lat, 250, &sn) == 0)
            fprintf(fo, "%zu,%.7f,%.7f\n", kept++, lon, lat);
    }
    fprintf(fj, "lon,lat,jobs\n");
    uint64_t s3 = seed + 2;
    for (uint32_t i = 0; i < info.n_nodes / 20; i++) {
        double lon, lat;
        hh_net_vertex(net, (uint32_t)(splitmix64(&s3) % info.n_nodes), &lon, &lat);
        fprintf(fj, "%.7f,%.7f,%u\n", lon, lat, (unsigned)(1 + splitmix64(&s3) % 100));
    }
    if (fclose(fo) || fclose(fj))
        return die("cannot write the access inputs", HH_EIO);
    printf("cells=%.0f\ngrid_cells=%zu\nsample=%zu\n", drawn ? (double)total * (double)kept / (double)drawn : 0,
           total, kept);
    free(pts), free(t_iso), free(t_all);
    hh_net_close(net);
    return 0;
}
