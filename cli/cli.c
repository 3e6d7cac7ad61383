/* cli.c: argument parsing and messages for the verbs. */
#include "cli.h"

#include <stdint.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("halfhour: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_BAD_INPUT;
}

int cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "halfhour %s: usage error: ", verb);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see halfhour %s --help)\n", verb);
    va_end(ap);
    return EXIT_USAGE;
}

void cli_args_init(cli_args *a, int argc, char **argv, const char *const *with_value,
                   const char *const *flags)
{
    memset(a, 0, sizeof *a);
    a->argc = argc, a->argv = argv, a->i = 1;
    a->with_value = with_value, a->flags = flags;
}

static int in_list(const char *const *l, const char *s)
{
    for (; l && *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

int cli_args_next(cli_args *a)
{
    if (a->i >= a->argc)
        return 0;
    const char *s = a->argv[a->i++];
    a->name = a->val = NULL;
    if (s[0] != '-' || !strcmp(s, "-")) {
        a->val = s;
        return 1;
    }
    const char *eq = strchr(s, '=');
    if (eq && (size_t)(eq - s) < sizeof a->buf) {
        memcpy(a->buf, s, (size_t)(eq - s));
        a->buf[eq - s] = 0;
        if (in_list(a->with_value, a->buf)) {
            a->name = a->buf;
            a->val = eq + 1;
            return 1;
        }
    }
    a->name = s;
    if (in_list(a->flags, s))
        return 1;
    if (in_list(a->with_value, s)) {
        if (a->i >= a->argc)
            return -2;
        a->val = a->argv[a->i++];
        return 1;
    }
    return -1;
}

int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

int cli_parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_list(const char *s, const char *what, double *out, int cap, double max, char *err, size_t errlen)
{
    return hh_list_parse(s, what, out, cap, max, err, errlen);
}

int cli_parse_lonlat(const char *s, double *lon, double *lat)
{
    char buf[128];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    char *c = strchr(buf, ',');
    if (!c)
        return -1;
    *c = 0;
    double x, y;
    if (cli_parse_double(buf, -1e9, 1e9, &x) || cli_parse_double(c + 1, -1e9, 1e9, &y))
        return -1;
    *lon = x, *lat = y;
    return 0;
}

void cli_print_gtfs_warnings(void *fp, const hh_net *net, const char *indent)
{
    FILE *f = fp;
    uint32_t n = hh_net_n_gtfs_warnings(net);
    if (!n) {
        fprintf(f, "%sGTFS warnings: none\n", indent);
        return;
    }
    fprintf(f, "%sGTFS warnings (skipped or repaired; --strict makes them errors):\n", indent);
    for (uint32_t i = 0; i < n; i++) {
        hh_gtfs_warning w;
        if (hh_net_gtfs_warning(net, i, &w))
            continue;
        fprintf(f, "%s  %-22s %u\n", indent, w.kind, w.count);
        for (uint32_t j = 0; j < w.n_examples; j++)
            fprintf(f, "%s      %s\n", indent, w.examples[j]);
        if (w.count > w.n_examples)
            fprintf(f, "%s      ... and %u more\n", indent, w.count - w.n_examples);
    }
}

void cli_progress(const char *stage, double frac, void *ud)
{
    (void)ud;
    const char *env = getenv("HH_PROGRESS");
    if (!(isatty(2) || (env && !strcmp(env, "1"))))
        return;
    fprintf(stderr, "halfhour: %s %3.0f%%\n", stage, frac * 100);
}

int cli_parse_depart(const char *s, int32_t *date, int32_t *secs) { return hh_depart_parse(s, date, secs) ? -1 : 0; }

int cli_transit_option(const char *name, const char *val, cli_transit *t)
{
    if (!strcmp(name, "--depart")) {
        if (cli_parse_depart(val, &t->o.date, &t->o.depart_s))
            return cli_fail("--depart \"%s\": expected YYYY-MM-DDTHH:MM (feed local time)", val);
        t->have_depart = 1;
        return 0;
    }
    if (strncmp(name, "--", 2))
        return -1;
    /* the library checks the value and says what it expects */
    double d;
    char want[128];
    if (cli_parse_double(val, -INFINITY, INFINITY, &d))
        d = NAN;
    int r = hh_transit_opt_set(&t->o, name + 2, d, want, sizeof want);
    if (r == 1)
        return -1;
    if (r)
        return cli_fail("%s \"%s\": %s", name, val, want);
    return 0;
}

void cli_transit_defaults(cli_transit *t)
{
    memset(t, 0, sizeof *t);
    hh_transit_opts_default(&t->o);
}

const char *cli_transit_help =
    "Transit (--mode transit; the network must be built with --gtfs):\n"
    "  --depart YYYY-MM-DDTHH:MM  first departure, local time of the first feed's\n"
    "                   agency_timezone; other zones' feeds are converted (required)\n"
    "  --window MIN     one departure per minute over this window (default 60)\n"
    "  --max-walk MIN   access walk and egress walk limit, each (default 15)\n"
    "  --max-rides N    most vehicles boarded (default 8)\n"
    "  --walk-speed KMH walking speed for this query (default: the network's,\n"
    "                   walk.connector_kmh, 4.68 = 1.3 m/s); scales every walk\n"
    "  --draws N        Monte-Carlo draws for frequency routes without exact times\n"
    "                   (frequencies.txt exact_times=0; default 5): as R5 does,\n"
    "                   every departure minute of every draw gives each such\n"
    "                   route a new random phase in [0, headway), so the waits\n"
    "                   where two of them meet are sampled too, not fixed for\n"
    "                   the window; phases come from a fixed seed (reproducible,\n"
    "                   the same for any --threads); ignored when every route\n"
    "                   has a timetable or exact times\n"
    "A percentile is taken over the travel times of every departure minute of the\n"
    "window (times every draw): p50 is the median departure, p5 a lucky one, p95\n"
    "an unlucky one (nearest rank; unreachable departures count as slowest).\n"
    "Walking alone counts up to the travel-time limit (up to 24 h, to the second);\n"
    "trips past midnight (24:00:00 and later) and calendar_dates exceptions count.\n"
    "The egress walk from a stop on the destination's own street counts from the\n"
    "stop's position along it (isochrones too: the street around a stop is drawn\n"
    "from the stop); platforms of one parent_station are a straight-line\n"
    "walk apart (at least 30 s) whatever the streets between them.\n";

int cli_search_option(const char *name, const char *val, long *threads, double *snap_max)
{
    if (threads && !strcmp(name, "--threads")) {
        if (cli_parse_int(val, 1, 256, threads))
            return cli_fail("--threads \"%s\": expected an integer in [1, 256]", val);
        return 0;
    }
    if (snap_max && !strcmp(name, "--snap-max")) {
        if (cli_parse_double(val, 0, 100000, snap_max))
            return cli_fail("--snap-max \"%s\": expected metres in [0, 100000]", val);
        return 0;
    }
    return -1;
}

int cli_load_layers(const hh_net *net, const char *net_path, const char *const *files, size_t n_files,
                    hh_layers *ls)
{
    char err[1024];
    if (hh_net_layers(net, ls))
        return cli_fail("%s: the opportunity layers are damaged", net_path);
    for (size_t k = 0; k < n_files; k++) {
        hh_layers one;
        if (hh_layers_read(files[k], NULL, &one, err, sizeof err))
            return cli_fail("%s", err);
        if (one.skipped)
            fprintf(stderr, "halfhour: note: %s: left out %s\n", files[k], one.skipped);
        for (size_t j = 0; j < one.n_layers; j++) {
            /* a file's layer replaces the network's of that name */
            int d = hh_layers_find(ls, one.name[j]);
            if (d >= 0)
                for (size_t i = 0; i < ls->n; i++)
                    ls->value[i * ls->n_layers + (size_t)d] = 0;
        }
        int e = hh_layers_append(ls, &one);
        hh_layers_free(&one);
        if (e)
            return cli_fail("out of memory");
    }
    return 0;
}

void cli_layer_names(const hh_layers *ls, char *buf, size_t cap)
{
    if (!cap)
        return;
    buf[0] = 0;
    for (size_t j = 0; j < ls->n_layers; j++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", j ? ", " : "", ls->name[j]);
    if (!*buf)
        snprintf(buf, cap, "none");
}

int cli_args_done(const char *verb, const cli_args *a, int r)
{
    if (r == -1)
        return cli_usage(verb, "unknown option %s", a->name);
    if (r == -2)
        return cli_usage(verb, "%s needs a value", a->name);
    return 0;
}

int cli_parse_mode(const char *verb, const char *mode_s, const cli_transit *t, hh_mode *mode, int *transit)
{
    if (hh_travel_mode_parse(mode_s, mode, transit))
        return cli_fail("unknown mode \"%s\" (expected walk, bike, car or transit)", mode_s);
    if (*transit && !t->have_depart)
        return cli_usage(verb, "--mode transit needs --depart YYYY-MM-DDTHH:MM");
    return 0;
}

/* ---- --mpi and --checkpoint ------------------------------------------- */

const char *cli_spread_help =
    "Large runs (docs/cluster.md):\n"
    "  --mpi            spread the origins over the ranks of an MPI job: run as\n"
    "                   mpirun -np N halfhour ... --mpi (a halfhour built with\n"
    "                   make MPI=1); every rank maps the network file, rank 0\n"
    "                   writes the output, byte for byte what one process writes;\n"
    "                   --threads N is per rank\n"
    "  --checkpoint DIR finished blocks of origins are kept in DIR (created); run\n"
    "                   the same command again after a crash or a kill and the\n"
    "                   finished blocks are read back instead of searched; DIR\n"
    "                   made by other arguments, inputs or network is refused\n";

int cli_spread_option(const char *name, const char *val, cli_spread *sp)
{
    if (!strcmp(name, "--mpi")) {
        sp->mpi = 1;
        return 0;
    }
    if (!strcmp(name, "--checkpoint")) {
        if (!*val)
            return cli_fail("--checkpoint: expected a folder");
        sp->checkpoint = val;
        return 0;
    }
    return -1;
}

/* The test hook (tests/e2e/mpi.sh): HH_CHECKPOINT_TEST=kill:K sends this
 * process SIGKILL right after the K-th block file is written, pause:K
 * waits there for a signal (the test kills it from outside); a crash at a
 * known point without timing. */
static void on_block(void *ud, size_t n)
{
    (void)ud;
    const char *t = getenv("HH_CHECKPOINT_TEST");
    if (!t)
        return;
    int kill_it = !strncmp(t, "kill:", 5), pause_it = !strncmp(t, "pause:", 6);
    if ((!kill_it && !pause_it) || strtoul(t + (kill_it ? 5 : 6), NULL, 10) != n)
        return;
    if (kill_it)
        raise(SIGKILL);
    fprintf(stderr, "halfhour: checkpoint test: paused after %zu blocks (pid %ld)\n", n, (long)getpid());
    for (;;)
        pause();
}

int cli_spread_open(const cli_spread *sp, int argc, char **argv, hh_spread **out)
{
    *out = NULL;
    if (!sp->mpi && !sp->checkpoint)
        return 0;
    /* the run's identity: the verb and its arguments, less those that do
     * not change a result (threads, ranks, the checkpoint, output names) */
    const char **args = malloc(((size_t)argc + 1) * sizeof *args);
    if (!args)
        return cli_fail("out of memory");
    size_t n = 0;
    static const char *const drop_v[] = {"--threads", "--checkpoint", "-o", NULL};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int drop = !strcmp(a, "--mpi"), with_v = 0;
        for (int k = 0; drop_v[k]; k++) {
            size_t l = strlen(drop_v[k]);
            if (!strcmp(a, drop_v[k]))
                drop = with_v = 1;
            else if (!strncmp(a, drop_v[k], l) && a[l] == '=')
                drop = 1;
        }
        if (with_v)
            i++;
        else if (!drop)
            args[n++] = a;
    }
    hh_spread_opts o = {sp->mpi, sp->checkpoint, args, n, on_block, NULL};
    char err[1024];
    int rc = hh_spread_open(&o, out, err, sizeof err);
    free(args);
    return rc ? cli_fail("%s", err) : 0;
}

void cli_spread_report(const hh_spread *s)
{
    if (!s || hh_spread_rank(s) != 0)
        return;
    hh_spread_stats st;
    hh_spread_get_stats(s, &st);
    fprintf(stderr, "halfhour: %d rank%s; %zu blocks of origins: %zu from the checkpoint, %zu searched\n",
            hh_spread_ranks(s), hh_spread_ranks(s) == 1 ? "" : "s", st.blocks, st.blocks_resumed,
            st.blocks_computed);
}
