/* bench_transit.c: walk + transit latency per origin over a departure window.
 *
 *   bench_transit NET YYYYMMDD HH:MM N_ORIGINS N_TARGETS SEED STOPS.csv...
 *
 * Prepares the service day (hh_transit_prepare, timed 3 times, median) for
 * a 60-minute window from HH:MM with a 15-minute access/egress walk, 8
 * rides, 1 draw and a 120-minute limit, then times one hh_transit_query_run
 * per origin in two variants:
 *   targets  N_TARGETS walk-snapped destinations (a matrix row);
 *   all      targets NULL, every vertex (a surface / isochrone).
 * Each variant runs the whole batch on one thread (per-origin times: median
 * and p90 in ms, and the batch wall time), then on two threads, each with its
 * own hh_transit_query over half the origins and the one shared hh_transit
 * (batch wall time; speed-up = one-thread wall / two-thread wall).  Every
 * workspace runs one untimed warm-up query first.  Output: key=value lines.
 *
 * Origins and targets are drawn near public-transit stops, so they are where
 * the timetable matters: STOPS.csv are the feeds' stops (columns found by
 * hh_points_read: lon, lat), and a stop counts as linked when it snaps to the
 * walk network within the profile's transit_link_m, the builder's own rule.
 * A draw picks a linked stop uniformly, then a point uniform in the disc of
 * NEAR_M around it, kept when hh_snap_point(walk, SNAP_MAX_M) succeeds.  All
 * draws come from splitmix64: origins from SEED, targets from SEED + 1.
 *
 * Then the isochrone end to end (bench_isochrone below): query, p50
 * surface and polygons with the default options, 30-minute cutoff.
 *
 * A plausibility check comes before it, untimed: for the first CHECK_N origins the
 * median departure (p50) to the first CHECK_N targets, the walk alone to the
 * same targets, straight-line speed, and the same p50 recomputed by
 * hh_transit_matrix_run on two threads from the same drawn coordinates
 * (which it snaps itself, within the same SNAP_MAX_M): it must agree. */
#include "halfhour.h"
#include "bench.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define ISO_MIN 30 /* the transit isochrone's cutoff, minutes */
#define ISO_N 50   /* origins it is timed from */

#define SNAP_MAX_M 200.0
#define NEAR_M 500.0
#define TRIES_PER_POINT 10000
#define WINDOW_MIN 60
#define MAX_WALK_S 900.0
#define MAX_RIDES 8
#define DRAWS 1
#define MAX_MIN 120.0
#define CHECK_N 50
#define PREPARE_RUNS 3
#define EARTH_M 6371008.8

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

/* CPU time of every thread of the process: cpu / wall over a batch says how
 * many cores it really had (near 1 on two threads = the other core was busy). */
static double cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static double haversine_m(double lon1, double lat1, double lon2, double lat2)
{
    double r = M_PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_M * asin(sqrt(a));
}

/* Draws n walk-snappable points near the linked stops (lon/lat arrays of
 * n_stops) into out (snapped) and drawn (n lon,lat pairs as drawn); returns
 * the number of draws, or a negative code. */
static long pick_near_stops(const hh_net *net, const double *slon, const double *slat, size_t n_stops,
                            size_t n, uint64_t seed, hh_snap *out, double *drawn)
{
    uint64_t s = seed;
    long draws = 0;
    for (size_t i = 0; i < n; i++) {
        int rc, tries = 0;
        do {
            if (++tries > TRIES_PER_POINT)
                return HH_EEMPTY;
            size_t k = (size_t)(uniform01(&s) * (double)n_stops);
            double r = NEAR_M * sqrt(uniform01(&s)), a = 2 * M_PI * uniform01(&s);
            double dlat = r * sin(a) / EARTH_M * 180 / M_PI;
            double dlon = r * cos(a) / (EARTH_M * cos(slat[k] * M_PI / 180)) * 180 / M_PI;
            draws++;
            drawn[2 * i] = slon[k] + dlon, drawn[2 * i + 1] = slat[k] + dlat;
            rc = hh_snap_point(net, HH_MODE_WALK, drawn[2 * i], drawn[2 * i + 1], SNAP_MAX_M, &out[i]);
        } while (rc == HH_ENOSNAP);
        if (rc < 0)
            return rc;
    }
    return draws;
}

/* One thread's share of a batch. */
typedef struct batch {
    hh_transit_query *q;
    const hh_snap *origins;
    size_t n;
    const hh_snap *targets; /* NULL: every vertex */
    size_t n_targets;
    double *ms; /* per origin */
    int rc;
} batch;

static void *run_batch(void *arg)
{
    batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        double t0 = now_ms();
        int rc = hh_transit_query_run(b->q, &b->origins[i], b->targets, b->n_targets);
        b->ms[i] = now_ms() - t0;
        if (rc < 0) {
            b->rc = rc;
            break;
        }
    }
    return NULL;
}

static int die(const char *what, int rc)
{
    fprintf(stderr, "bench_transit: %s: %s\n", what, hh_strerror(rc));
    return 1;
}

/* Times one variant: one thread over every origin, then two threads over
 * halves; prints <key>_* lines. */
static int bench_variant(const char *key, hh_transit_query *const q[2], const hh_snap *origins, size_t n,
                         const hh_snap *targets, size_t n_targets, double *ms)
{
    int rc;
    for (int w = 0; w < 2; w++)
        if ((rc = hh_transit_query_run(q[w], &origins[0], targets, n_targets)) < 0)
            return die("warm-up", rc);

    batch one = {q[0], origins, n, targets, n_targets, ms, 0};
    double c0 = cpu_ms(), t0 = now_ms();
    run_batch(&one);
    double wall1 = now_ms() - t0, cpu1 = cpu_ms() - c0;
    if (one.rc < 0)
        return die("hh_transit_query_run", one.rc);
    printf("%s_1t_median_ms=%.3f\n", key, percentile(ms, n, 0.5));
    printf("%s_1t_p90_ms=%.3f\n", key, percentile(ms, n, 0.9));
    printf("%s_1t_wall_s=%.3f\n", key, wall1 / 1e3);
    printf("%s_1t_cores=%.2f\n", key, cpu1 / wall1);

    size_t half = n / 2;
    batch two[2] = {{q[0], origins, half, targets, n_targets, ms, 0},
                    {q[1], origins + half, n - half, targets, n_targets, ms + half, 0}};
    pthread_t th[2];
    c0 = cpu_ms(), t0 = now_ms();
    for (int w = 0; w < 2; w++)
        if (pthread_create(&th[w], NULL, run_batch, &two[w]))
            return die("pthread_create", HH_ENOMEM);
    for (int w = 0; w < 2; w++)
        pthread_join(th[w], NULL);
    double wall2 = now_ms() - t0, cpu2 = cpu_ms() - c0;
    for (int w = 0; w < 2; w++)
        if (two[w].rc < 0)
            return die("hh_transit_query_run (2 threads)", two[w].rc);
    printf("%s_2t_median_ms=%.3f\n", key, percentile(ms, n, 0.5));
    printf("%s_2t_wall_s=%.3f\n", key, wall2 / 1e3);
    printf("%s_2t_cores=%.2f\n", key, cpu2 / wall2);
    printf("%s_speedup=%.3f\n", key, wall1 / wall2);
    return 0;
}

typedef struct check_ctx {
    const double *want; /* CHECK_N x CHECK_N p50 from the query, s */
    size_t n_dest, compared, mismatch, both_nan;
    double max_diff_s;
} check_ctx;

static int check_row(size_t o, const double *pct_s, void *ud)
{
    check_ctx *c = ud;
    for (size_t j = 0; j < c->n_dest; j++) {
        double a = c->want[o * c->n_dest + j], b = pct_s[j];
        c->compared++;
        if (isnan(a) && isnan(b)) {
            c->both_nan++;
            continue;
        }
        double d = isnan(a) || isnan(b) ? INFINITY : fabs(a - b);
        if (d > 1.0)
            c->mismatch++;
        if (d > c->max_diff_s)
            c->max_diff_s = d;
    }
    return 0;
}

static int points_of(const double *drawn, size_t n, hh_points *p, char **ids)
{
    p->n = n;
    p->id = ids;
    p->lon = malloc(n * sizeof *p->lon);
    p->lat = malloc(n * sizeof *p->lat);
    if (!p->lon || !p->lat)
        return HH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        p->lon[i] = drawn[2 * i], p->lat[i] = drawn[2 * i + 1];
    return 0;
}

/* The untimed plausibility check (see the top of the file). */
static int plausibility(const hh_net *net, const hh_transit *t, hh_transit_query *tq, const hh_snap *origins,
                        const double *o_drawn, size_t n_o, const hh_snap *targets, const double *t_drawn,
                        size_t n_t)
{
    size_t no = n_o < CHECK_N ? n_o : CHECK_N, nd = n_t < CHECK_N ? n_t : CHECK_N;
    double *p50 = malloc(no * nd * sizeof *p50), *walk = malloc(no * nd * sizeof *walk);
    double *speed = malloc(no * nd * sizeof *speed), *crow = malloc(no * nd * sizeof *crow);
    double *spread = malloc(no * nd * sizeof *spread), *wmin = malloc(no * nd * sizeof *wmin);
    double *want = malloc(no * nd * sizeof *want);
    char **ids = calloc(no > nd ? no : nd, sizeof *ids);
    hh_query *wq = NULL;
    int rc = HH_ENOMEM;
    if (!p50 || !walk || !speed || !crow || !spread || !wmin || !want || !ids || hh_query_init(net, &wq) < 0)
        return die("plausibility", rc);
    size_t reached = 0, n_walk = 0, faster = 0, n_spread = 0;
    double max_speed = 0;
    for (size_t i = 0; i < no; i++) {
        if ((rc = hh_transit_query_run(tq, &origins[i], targets, nd)) < 0 ||
            (rc = hh_query_run(wq, HH_MODE_WALK, &origins[i], INFINITY)) < 0)
            return die("plausibility query", rc);
        for (size_t j = 0; j < nd; j++) {
            double m = hh_transit_percentile(tq, j, 50);
            want[i * nd + j] = m;
            if (isnan(m))
                continue;
            double lo = hh_transit_percentile(tq, j, 10), hi = hh_transit_percentile(tq, j, 90);
            if (!isnan(lo) && !isnan(hi))
                spread[n_spread++] = (hi - lo) / 60;
            double d = haversine_m(origins[i].lon, origins[i].lat, targets[j].lon, targets[j].lat);
            p50[reached] = m / 60;
            crow[reached] = d / 1e3;
            speed[reached] = m > 0 ? d / m * 3.6 : 0;
            if (speed[reached] > max_speed)
                max_speed = speed[reached];
            reached++;
            double ws;
            if (hh_query_time_to(wq, &targets[j], &ws, NULL) == 0) {
                walk[n_walk] = ws / 60;
                wmin[n_walk++] = m / 60;
                faster += m < ws - 1;
            }
        }
    }
    size_t pairs = no * nd;
    printf("check_pairs=%zu\n", pairs);
    printf("check_reached_pct=%.1f\n", 100.0 * (double)reached / (double)pairs);
    printf("check_p50_median_min=%.1f\n", percentile(p50, reached, 0.5));
    printf("check_p50_p90_min=%.1f\n", percentile(p50, reached, 0.9));
    printf("check_crow_median_km=%.2f\n", percentile(crow, reached, 0.5));
    printf("check_speed_median_kmh=%.1f\n", percentile(speed, reached, 0.5));
    printf("check_speed_max_kmh=%.1f\n", max_speed);
    printf("check_spread_p90_p10_median_min=%.1f\n", percentile(spread, n_spread, 0.5));
    printf("check_walk_median_min=%.1f\n", percentile(walk, n_walk, 0.5));
    printf("check_transit_same_pairs_median_min=%.1f\n", percentile(wmin, n_walk, 0.5));
    printf("check_faster_than_walk_pct=%.1f\n", n_walk ? 100.0 * (double)faster / (double)n_walk : NAN);

    /* the matrix API on two threads must agree with the per-origin query */
    char buf[32];
    hh_points po = {0}, pd = {0};
    for (size_t i = 0; i < (no > nd ? no : nd); i++) {
        snprintf(buf, sizeof buf, "%zu", i);
        if (!(ids[i] = strdup(buf)))
            return die("plausibility", HH_ENOMEM);
    }
    if (points_of(o_drawn, no, &po, ids) < 0 || points_of(t_drawn, nd, &pd, ids) < 0)
        return die("plausibility", HH_ENOMEM);
    check_ctx c = {want, nd, 0, 0, 0, 0};
    const double pct = 50;
    if ((rc = hh_transit_matrix_run(t, &po, &pd, SNAP_MAX_M, &pct, 1, 2, check_row, &c, NULL, NULL)) < 0)
        return die("hh_transit_matrix_run", rc);
    printf("check_matrix_compared=%zu\n", c.compared);
    printf("check_matrix_mismatch=%zu\n", c.mismatch);
    printf("check_matrix_max_diff_s=%.1f\n", c.max_diff_s);

    for (size_t i = 0; i < (no > nd ? no : nd); i++)
        free(ids[i]);
    free(po.lon), free(po.lat), free(pd.lon), free(pd.lat);
    hh_query_free(wq);
    free(ids), free(want), free(wmin), free(spread), free(crow), free(speed), free(walk), free(p50);
    return 0;
}

/* The transit isochrone end to end, as the CLI draws it: a query to every
 * vertex with max_s = the cutoff (ISO_MIN), the p50 surface (a selection
 * over the window's samples per vertex) and the polygons with the default
 * options; first ISO_N origins, one thread, after one warm-up. */
static int bench_isochrone(const hh_net *net, const hh_transit_opts *base, const hh_snap *origins, size_t n)
{
    hh_transit_opts o = *base;
    o.max_s = ISO_MIN * 60;
    hh_transit *t = NULL;
    hh_transit_query *q = NULL;
    char err[256] = "";
    int rc = hh_transit_prepare(net, &o, &t, err, sizeof err);
    if (rc < 0 || (rc = hh_transit_query_init(t, &q)) < 0)
        return die("isochrone prepare", rc);
    size_t ni = n < ISO_N ? n : ISO_N;
    double *e2e = malloc(ni * sizeof *e2e), *run = malloc(ni * sizeof *run), *pct = malloc(ni * sizeof *pct);
    double *poly = malloc(ni * sizeof *poly), *kb = malloc(ni * sizeof *kb);
    const double minutes = ISO_MIN;
    for (size_t i = 0; i <= ni; i++) {
        const hh_snap *s = &origins[i == 0 ? 0 : i - 1];
        hh_isochrone iso;
        hh_surface sf;
        double t0 = now_ms();
        if ((rc = hh_transit_query_run(q, s, NULL, 0)) < 0)
            return die("isochrone query", rc);
        double t1 = now_ms();
        if ((rc = hh_transit_get_surface(q, 50, &sf)) < 0)
            return die("isochrone surface", rc);
        double t2 = now_ms();
        hh_surface_free(&sf);
        double t3 = now_ms();
        if ((rc = hh_transit_isochrone_opts(q, 50, &minutes, 1, NULL, &iso)) < 0)
            return die("isochrone polygons", rc);
        double t4 = now_ms();
        if (i > 0) {
            run[i - 1] = t1 - t0, pct[i - 1] = t2 - t1;
            /* hh_transit_isochrone_opts takes the percentile surface again */
            poly[i - 1] = (t4 - t3) - (t2 - t1);
            e2e[i - 1] = (t1 - t0) + (t4 - t3);
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            int first = 1;
            if (f) {
                hh_isochrone_write_features(f, &iso, "transit", NULL, &first);
                fclose(f);
            }
            free(buf);
            kb[i - 1] = (double)len / 1e3;
        }
        hh_isochrone_free(&iso);
    }
    printf("iso_minutes=%d\niso_origins=%zu\n", ISO_MIN, ni);
    printf("iso_e2e_median_ms=%.3f\niso_e2e_p90_ms=%.3f\n", percentile(e2e, ni, 0.5), percentile(e2e, ni, 0.9));
    printf("iso_query_median_ms=%.3f\niso_percentile_median_ms=%.3f\niso_poly_median_ms=%.3f\n",
           percentile(run, ni, 0.5), percentile(pct, ni, 0.5), percentile(poly, ni, 0.5));
    printf("iso_geojson_median_kb=%.1f\n", percentile(kb, ni, 0.5));
    free(e2e), free(run), free(pct), free(poly), free(kb);
    hh_transit_query_free(q);
    hh_transit_free(t);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_transit NET YYYYMMDD HH:MM N_ORIGINS N_TARGETS SEED STOPS.csv...\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 8)
        return usage();
    const char *net_path = argv[1];
    char *end;
    long date = strtol(argv[2], &end, 10);
    if (*end || date < 19000101 || date > 29991231)
        return usage();
    int hh, mm;
    char tail;
    if (sscanf(argv[3], "%d:%d%c", &hh, &mm, &tail) != 2 || hh < 0 || hh > 47 || mm < 0 || mm > 59)
        return usage();
    long n_o = strtol(argv[4], &end, 10);
    if (*end || n_o < 2 || n_o > 1000000)
        return usage();
    long n_t = strtol(argv[5], &end, 10);
    if (*end || n_t < 1 || n_t > 1000000)
        return usage();
    uint64_t seed = strtoull(argv[6], &end, 10);
    if (*end)
        return usage();
    size_t n = (size_t)n_o, nt = (size_t)n_t;

    char err[512] = "";
    hh_net *net = NULL;
    int rc = hh_net_open(net_path, &net, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "bench_transit: %s: %s\n", net_path, err[0] ? err : hh_strerror(rc));
        return 1;
    }
    hh_net_info info;
    hh_net_get_info(net, &info);

    /* linked stops of every feed */
    size_t n_read = 0, n_linked = 0, cap = 0;
    double *slon = NULL, *slat = NULL;
    for (int f = 7; f < argc; f++) {
        hh_points p;
        if ((rc = hh_points_read(argv[f], &p, err, sizeof err)) < 0) {
            fprintf(stderr, "bench_transit: %s\n", err);
            return 1;
        }
        if (n_linked + p.n > cap) {
            cap = n_linked + p.n;
            slon = realloc(slon, cap * sizeof *slon);
            slat = realloc(slat, cap * sizeof *slat);
            if (!slon || !slat)
                return die("allocating", HH_ENOMEM);
        }
        for (size_t i = 0; i < p.n; i++) {
            hh_snap s;
            if (hh_snap_point(net, HH_MODE_WALK, p.lon[i], p.lat[i], info.profile.transit_link_m, &s) == 0)
                slon[n_linked] = p.lon[i], slat[n_linked++] = p.lat[i];
        }
        n_read += p.n;
        hh_points_free(&p);
    }
    printf("stops_read=%zu\nstops_linked=%zu\n", n_read, n_linked);
    if (n_linked == 0)
        return die("stops", HH_EEMPTY);

    hh_snap *origins = calloc(n, sizeof *origins), *targets = calloc(nt, sizeof *targets);
    double *o_drawn = calloc(2 * n, sizeof *o_drawn), *t_drawn = calloc(2 * nt, sizeof *t_drawn);
    double *ms = calloc(n, sizeof *ms);
    if (!origins || !targets || !o_drawn || !t_drawn || !ms)
        return die("allocating", HH_ENOMEM);
    long d_o = pick_near_stops(net, slon, slat, n_linked, n, seed, origins, o_drawn);
    if (d_o < 0)
        return die("picking origins", (int)d_o);
    long d_t = pick_near_stops(net, slon, slat, n_linked, nt, seed + 1, targets, t_drawn);
    if (d_t < 0)
        return die("picking targets", (int)d_t);
    printf("origins=%zu\norigin_draws=%ld\ntargets=%zu\ntarget_draws=%ld\nvertices=%u\n", n, d_o, nt, d_t,
           hh_net_n_vertices(net));

    hh_transit_opts o = {.date = (int32_t)date,
                         .depart_s = hh * 3600 + mm * 60,
                         .window_min = WINDOW_MIN,
                         .max_walk_s = MAX_WALK_S,
                         .max_rides = MAX_RIDES,
                         .draws = DRAWS,
                         .max_s = MAX_MIN * 60,
                         .walk_kmh = 0}; /* the network's walking speed */
    hh_transit *t = NULL;
    double prep[PREPARE_RUNS];
    for (int r = 0; r < PREPARE_RUNS; r++) {
        hh_transit_free(t);
        t = NULL;
        double t0 = now_ms();
        rc = hh_transit_prepare(net, &o, &t, err, sizeof err);
        prep[r] = now_ms() - t0;
        if (rc < 0) {
            fprintf(stderr, "bench_transit: hh_transit_prepare: %s\n", err[0] ? err : hh_strerror(rc));
            return 1;
        }
    }
    printf("prepare_median_ms=%.3f\nsamples=%u\n", percentile(prep, PREPARE_RUNS, 0.5), hh_transit_samples(t));

    hh_transit_query *q[2] = {NULL, NULL};
    for (int w = 0; w < 2; w++)
        if ((rc = hh_transit_query_init(t, &q[w])) < 0)
            return die("hh_transit_query_init", rc);
    if (bench_variant("targets", q, origins, n, targets, nt, ms) ||
        bench_variant("all", q, origins, n, NULL, 0, ms))
        return 1;
    if (plausibility(net, t, q[0], origins, o_drawn, n, targets, t_drawn, nt))
        return 1;
    if (bench_isochrone(net, &o, origins, n))
        return 1;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_mib=%.1f\n", (double)ru.ru_maxrss / 1024);
    for (int w = 0; w < 2; w++)
        hh_transit_query_free(q[w]);
    hh_transit_free(t);
    free(ms), free(t_drawn), free(o_drawn), free(targets), free(origins), free(slat), free(slon);
    hh_net_close(net);
    return 0;
}
