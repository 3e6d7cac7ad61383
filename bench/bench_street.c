/* bench_street.c: isochrone latency over fixed-seed random origins.
 *
 *   bench_street NET MODE N SEED MINUTES [ORIGINS.csv]
 *       picks N origins, then per origin times hh_query_run (bounded to
 *       MINUTES*60 s) and, apart, the polygons of one band of MINUTES three
 *       ways: hh_isochrone_build (strict polygons, the fast raster: poly),
 *       hh_isochrone_build_opts with the defaults (what the CLI and a map
 *       get: map; search + map is the end-to-end figure) and the plain
 *       sample-cloud raster the fast one is tested against (oracle); and
 *       the GeoJSON bytes of both outputs (hh_isochrone_write_features into
 *       memory); then the N searches again back to back (search_alone: no
 *       polygon work between them to push their arrays out of the caches);
 *       prints key=value lines: medians and p90 in milliseconds.
 *   bench_street --points NET MODE N SEED OUT.csv
 *       only picks N points and writes them (the matrix benchmark's input).
 *
 * Points are uniform in the network's bounding box, drawn by splitmix64 from
 * SEED (so the same on every machine), and kept only when hh_snap_point finds
 * a MODE edge within 200 m; the CSV (id,lon,lat) holds the snapped
 * position, so any other engine fed the file starts on the same street.
 * Percentiles interpolate linearly between ranks, as PostgreSQL's
 * percentile_cont does, so both sides of bench/run.sh compute them alike.
 * One untimed warm-up query runs first (page faults of the mapped file). */
#include "halfhour.h"
#include "bench.h"
#include "reach/bands.h" /* the oracle path, hh__surface_isochrone_oracle */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SNAP_MAX_M 200.0
#define TRIES_PER_POINT 10000

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
    return (double)(splitmix64(s) >> 11) * 0x1p-53;
}

/* Draws n snappable points; returns the number of draws, or a negative code. */
static long pick_points(const hh_net *net, hh_mode mode, size_t n,
                        uint64_t seed, hh_snap *out)
{
    hh_net_info info;
    hh_net_get_info(net, &info);
    uint64_t s = seed;
    long draws = 0;
    for (size_t i = 0; i < n; i++) {
        int rc, tries = 0;
        do {
            if (++tries > TRIES_PER_POINT)
                return HH_EEMPTY;
            double lon = info.min_lon + uniform01(&s) * (info.max_lon - info.min_lon);
            double lat = info.min_lat + uniform01(&s) * (info.max_lat - info.min_lat);
            draws++;
            rc = hh_snap_point(net, mode, lon, lat, SNAP_MAX_M, &out[i]);
        } while (rc == HH_ENOSNAP);
        if (rc < 0)
            return rc;
    }
    return draws;
}

static int write_points(const char *path, const hh_snap *pts, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return HH_EIO;
    fprintf(f, "id,lon,lat\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu,%.7f,%.7f\n", i, pts[i].lon, pts[i].lat);
    return fclose(f) == 0 ? 0 : HH_EIO;
}

/* Bytes of the GeoJSON Features of one isochrone, as the CLI writes them. */
static double geojson_bytes(const hh_isochrone *iso)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NAN;
    int first = 1;
    hh_isochrone_write_features(f, iso, "car", "\"origin\":0,\"from\":[0.0000000,0.0000000]", &first);
    fclose(f);
    free(buf);
    return (double)len;
}

static void print_stats(const char *key, double *v, size_t n)
{
    printf("%s_median_ms=%.4f\n", key, percentile(v, n, 0.5));
    printf("%s_p90_ms=%.4f\n", key, percentile(v, n, 0.9));
}

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_street NET MODE N SEED MINUTES [ORIGINS.csv]\n"
            "       bench_street --points NET MODE N SEED OUT.csv\n");
    return 2;
}

static int die(const char *what, int rc)
{
    fprintf(stderr, "bench_street: %s: %s\n", what, hh_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    int points_only = argc > 1 && strcmp(argv[1], "--points") == 0;
    char **a = argv + points_only;
    int na = argc - points_only;
    if (points_only ? na != 6 : (na != 6 && na != 7))
        return usage();

    const char *net_path = a[1];
    hh_mode mode;
    char *end;
    long n_arg = strtol(a[3], &end, 10);
    if (hh_mode_parse(a[2], &mode) < 0 || *end || n_arg <= 0 || n_arg > 10000000)
        return usage();
    size_t n = (size_t)n_arg;
    uint64_t seed = strtoull(a[4], &end, 10);
    if (*end)
        return usage();
    double minutes = points_only ? 0 : strtod(a[5], &end);
    if (!points_only && (*end || !(minutes > 0)))
        return usage();
    const char *csv = points_only ? a[5] : (na == 7 ? a[6] : NULL);

    char err[256] = "";
    hh_net *net = NULL;
    int rc = hh_net_open(net_path, &net, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "bench_street: %s: %s\n", net_path, err[0] ? err : hh_strerror(rc));
        return 1;
    }
    hh_snap *pts = calloc(n, sizeof *pts);
    double *t_search = calloc(n, sizeof *t_search);
    double *t_poly = calloc(n, sizeof *t_poly);
    double *t_total = calloc(n, sizeof *t_total);
    double *area = calloc(n, sizeof *area);
    double *t_map = calloc(n, sizeof *t_map), *t_e2e = calloc(n, sizeof *t_e2e);
    double *t_oracle = calloc(n, sizeof *t_oracle), *b_map = calloc(n, sizeof *b_map);
    double *b_strict = calloc(n, sizeof *b_strict), *parts = calloc(n, sizeof *parts);
    double *holes = calloc(n, sizeof *holes), *area_map = calloc(n, sizeof *area_map);
    if (!pts || !t_search || !t_poly || !t_total || !area || !t_map || !t_e2e || !t_oracle || !b_map ||
        !b_strict || !parts || !holes || !area_map)
        return die("allocating", HH_ENOMEM);

    long draws = pick_points(net, mode, n, seed, pts);
    if (draws < 0)
        return die("picking points", (int)draws);
    if (csv && (rc = write_points(csv, pts, n)) < 0)
        return die(csv, rc);
    printf("points=%zu\npoint_draws=%ld\n", n, draws);
    if (points_only)
        goto done;

    hh_query *q = NULL;
    if ((rc = hh_query_init(net, &q)) < 0)
        return die("hh_query_init", rc);
    double max_s = minutes * 60.0;
    for (size_t i = 0; i <= n; i++) {
        /* i == 0 is the untimed warm-up on the first origin */
        const hh_snap *o = &pts[i == 0 ? 0 : i - 1];
        hh_isochrone iso;
        double t0 = now_ms();
        if ((rc = hh_query_run(q, mode, o, max_s)) < 0)
            return die("hh_query_run", rc);
        double t1 = now_ms();
        if ((rc = hh_isochrone_build(q, &minutes, 1, &iso)) < 0)
            return die("hh_isochrone_build", rc);
        double t2 = now_ms();
        hh_isochrone map, plain;
        if ((rc = hh_isochrone_build_opts(q, &minutes, 1, NULL, &map)) < 0)
            return die("hh_isochrone_build_opts", rc);
        double t3 = now_ms();
        hh_surface sf;
        if ((rc = hh_query_get_surface(q, &sf)) < 0)
            return die("hh_query_get_surface", rc);
        if ((rc = hh__surface_isochrone_oracle(&sf, &minutes, 1, &plain)) < 0)
            return die("the oracle", rc);
        double t5 = now_ms();
        hh_surface_free(&sf);
        if (i > 0) {
            size_t k = i - 1;
            t_search[k] = t1 - t0;
            t_poly[k] = t2 - t1;
            t_total[k] = t2 - t0;
            t_map[k] = t3 - t2;
            t_e2e[k] = (t1 - t0) + (t3 - t2);
            /* the oracle gets the surface handed over: add its making */
            t_oracle[k] = (t5 - t3);
            area[k] = iso.n_bands ? iso.bands[0].area_km2 : 0;
            area_map[k] = map.n_bands ? map.bands[0].area_km2 : 0;
            const hh_isoband *b = &map.bands[0];
            parts[k] = (double)b->n_polys;
            holes[k] = (double)(b->poly_first_ring[b->n_polys] - b->n_polys);
            b_map[k] = geojson_bytes(&map);
            b_strict[k] = geojson_bytes(&iso);
        }
        hh_isochrone_free(&iso);
        hh_isochrone_free(&map);
        hh_isochrone_free(&plain);
    }
    /* the searches again, back to back: the same origins, nothing between
     * them (the loop above draws polygons and the oracle between searches,
     * which leaves each search's arrays out of the caches) */
    double *t_alone = calloc(n, sizeof *t_alone);
    if (!t_alone)
        return die("allocating", HH_ENOMEM);
    for (size_t i = 0; i < n; i++) {
        double t0 = now_ms();
        if ((rc = hh_query_run(q, mode, &pts[i], max_s)) < 0)
            return die("hh_query_run", rc);
        t_alone[i] = now_ms() - t0;
    }
    hh_query_free(q);
    printf("minutes=%g\n", minutes);
    print_stats("search", t_search, n);
    print_stats("search_alone", t_alone, n);
    free(t_alone);
    print_stats("poly", t_poly, n);
    print_stats("total", t_total, n);
    print_stats("map", t_map, n);
    print_stats("e2e", t_e2e, n);
    print_stats("oracle", t_oracle, n);
    printf("area_median_km2=%.2f\n", percentile(area, n, 0.5));
    printf("map_area_median_km2=%.2f\n", percentile(area_map, n, 0.5));
    printf("map_parts_median=%.1f\nmap_holes_median=%.1f\n", percentile(parts, n, 0.5),
           percentile(holes, n, 0.5));
    printf("map_geojson_median_kb=%.1f\nmap_geojson_p90_kb=%.1f\n", percentile(b_map, n, 0.5) / 1e3,
           percentile(b_map, n, 0.9) / 1e3);
    printf("strict_geojson_median_kb=%.1f\n", percentile(b_strict, n, 0.5) / 1e3);
done:
    free(area), free(t_map), free(t_e2e), free(t_oracle), free(b_map), free(b_strict), free(parts), free(holes);
    free(area_map);
    free(t_total);
    free(t_poly);
    free(t_search);
    free(pts);
    hh_net_close(net);
    return 0;
}
