/* testnet.c: see testnet.h. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hhtest.h"

static char tmpdir[256];
static void cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd)) {
    }
}

const char *hh_test_tmpdir(void)
{
    if (!*tmpdir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/hh-unit-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(cleanup);
    }
    return tmpdir;
}

const char *hh_test_net_path(const char *name)
{
    static const struct {
        const char *name, *src;
    } srcs[] = {{"poa", "poa/poa_osm.pbf"},
                {"porto", "porto/porto.osm.pbf"},
                {"rnv", "rhine-neckar/rnv.osm.pbf"},
                {"monaco", "monaco/monaco.osm.pbf"},
                {"oakland", "west-oakland/West-Oakland.osm.bz2"},
                {"terre-haute", "terre-haute/terre-haute.osm.pbf"},
                {"poa-transit", "poa/poa_osm.pbf"}};
    static char built[8][300];
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
        if (strcmp(srcs[i].name, name))
            continue;
        if (*built[i])
            return built[i];
        char src[300];
        snprintf(src, sizeof src, "%s/%s", hh_test_data_dir(), srcs[i].src);
        if (access(src, R_OK)) {
            hh_test_skip_data("%s not found", src);
            return NULL;
        }
        snprintf(built[i], sizeof built[i], "%s/%s.hh", hh_test_tmpdir(), name);
        hh_profile p;
        hh_profile_default(&p);
        char err[256];
        char g1[300], g2[300];
        snprintf(g1, sizeof g1, "%s/poa/poa_eptc.zip", hh_test_data_dir());
        snprintf(g2, sizeof g2, "%s/poa/poa_trensurb.zip", hh_test_data_dir());
        const char *gtfs[] = {g1, g2};
        size_t n_gtfs = strcmp(name, "poa-transit") ? 0 : 2;
        if (hh_build_transit(src, gtfs, n_gtfs, &p, built[i], NULL, NULL, NULL, err, sizeof err)) {
            /* the data is there, so a failed build is a failure, not a skip */
            fprintf(stderr, "  build %s failed: %s\n", src, err);
            exit(1);
        }
        return built[i];
    }
    return NULL;
}

uint64_t hh_test_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 88172645463325252ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

double hh_test_uniform(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(hh_test_rand(s) >> 11) / 9007199254740992.0;
}
