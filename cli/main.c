/* main.c: `halfhour <verb> [options]` dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name, *what;
    int (*fn)(int, char **);
} verbs[] = {
    {"build", "read an OSM extract and write a network file", cmd_build},
    {"info", "describe a network file", cmd_info},
    {"isochrone", "areas reachable within given minutes, as GeoJSON", cmd_isochrone},
    {"matrix", "travel times between origin and destination points, as CSV", cmd_matrix},
    {"access", "opportunities reached per grid cell or point, equity figures", cmd_access},
    {"report", "the half-hour report between centres: times, circles, residents, districts", cmd_report},
    {"scenario", "apply a change file (new streets, closures, new lines ...) to a network file", cmd_scenario},
    {"site", "where k new facilities cover the most demand within T (or the fewest cover F)", cmd_site},
    {"export", "write a mode's graph as an edge list CSV", cmd_export},
    {"coords", "convert a CSV or GeoJSON file between GCJ-02 and WGS-84", cmd_coords},
    {"serve", "the HTTP API and the planning map over one network file", cmd_serve},
    {"verify", "check every checksum of a network file (open checks only the structure of large ones)", cmd_verify},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: halfhour <verb> [options]   (halfhour <verb> --help for details)\n\nverbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].what);
    fprintf(f, "\nhalfhour %s. Map data (c) OpenStreetMap contributors, ODbL.\n", HH_VERSION_STRING);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "halfhour: usage error: missing verb (see halfhour --help)\n");
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("halfhour %s\n", HH_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (!strcmp(argv[1], verbs[i].name))
            return verbs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "halfhour: usage error: unknown verb \"%s\" (see halfhour --help)\n", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* whatever a verb printed to stdout (help, info, results) must have
     * arrived: a full disk or a closed pipe is an error, not a silent 0 */
    errno = 0;
    int bad = fflush(stdout) != 0;
    int e = errno;
    if ((bad || ferror(stdout)) && rc == 0)
        rc = cli_fail("cannot write standard output: %s", e ? strerror(e) : "write error");
    return rc;
}
