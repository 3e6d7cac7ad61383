/* bench_osm.c: times the OSM read alone (hh__osm_read: decode, profile,
 * restrictions, areas), the first stage of `halfhour build`.
 *
 *     bench_osm FILE RUNS      prints key=value lines: the median and the
 *                              fastest of RUNS wall times (after one untimed
 *                              warm-up read, so the file is in the page cache)
 *                              and what was read
 *
 * Only fields every version of hh__osm has are printed, so the same program
 * can be linked against an older libhalfhour.a to compare readers side by
 * side (bench/README.md, part g). */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "ingest/osm.h"

int main(int argc, char **argv)
{
    if (argc != 3 || atoi(argv[2]) < 1) {
        fprintf(stderr, "usage: bench_osm FILE RUNS\n");
        return 2;
    }
    int runs = atoi(argv[2]);
    hh_profile p;
    hh_profile_default(&p);
    double *ms = malloc((size_t)runs * sizeof *ms);
    if (!ms)
        return 1;
    hh__osm o;
    char err[512];
    for (int i = -1; i < runs; i++) {
        double t0 = now_ms();
        if (hh__osm_read(argv[1], &p, &o, err, sizeof err)) {
            fprintf(stderr, "bench_osm: %s\n", err);
            return 1;
        }
        double t = now_ms() - t0;
        if (i >= 0)
            ms[i] = t;
        if (i < runs - 1)
            hh__osm_free(&o);
    }
    printf("read_median_ms=%.1f\n", percentile(ms, (size_t)runs, 0.5));
    printf("read_min_ms=%.1f\n", ms[0]); /* sorted by percentile() */
    printf("runs=%d\n", runs);
    printf("osm_nodes=%llu\nosm_ways=%llu\nosm_relations=%llu\n", (unsigned long long)o.osm_nodes,
           (unsigned long long)o.osm_ways, (unsigned long long)o.osm_relations);
    printf("nodes=%zu\nways=%zu\nrestrictions=%zu\n", o.n_nodes, o.n_ways, o.n_restr);
    hh__osm_free(&o);
    free(ms);
    return 0;
}
