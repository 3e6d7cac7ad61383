/* cli.h: helpers shared by the `halfhour <verb>` mains.  Verbs use only the
 * public halfhour.h; these helpers own argument parsing and messages.
 * Exit statuses: 0 success, 1 bad input or failure (one line on stderr),
 * 2 bad usage. */
#ifndef HH_CLI_H
#define HH_CLI_H

#include <stddef.h>

#include "halfhour.h"

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

/* Prints "halfhour: error: ..." and returns EXIT_BAD_INPUT. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "halfhour <verb>: ...; see halfhour <verb> --help" and returns EXIT_USAGE. */
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Iterates argv: returns 1 with *name (e.g. "--mode") and *val set when the
 * option takes a value (from "--x v" or "--x=v"); positional arguments come
 * back with name NULL.  `with_value` lists the options that take a value,
 * `flags` those that don't; anything else is an unknown option (-1). */
typedef struct cli_args {
    int argc, i;
    char **argv;
    const char *const *with_value, *const *flags;
    const char *name, *val;
    char buf[64];
} cli_args;
void cli_args_init(cli_args *a, int argc, char **argv, const char *const *with_value,
                   const char *const *flags);
/* 1 next item, 0 done, -1 unknown option, -2 option missing its value */
int cli_args_next(cli_args *a);

/* After the cli_args_next loop ended with r: the usage error of an unknown
 * option (-1) or an option missing its value (-2), as an exit status; 0
 * when the arguments ended well (r == 0). */
int cli_args_done(const char *verb, const cli_args *a, int r);

int cli_parse_double(const char *s, double lo, double hi, double *out);
int cli_parse_int(const char *s, long lo, long hi, long *out);
/* "10,20,30" -> sorted, de-duplicated numbers in (0, max] (`what` names them
 * in messages: "minutes", "percentile"); returns count or -1 */
int cli_parse_list(const char *s, const char *what, double *out, int cap, double max, char *err, size_t errlen);
/* "LON,LAT" */
int cli_parse_lonlat(const char *s, double *lon, double *lat);

/* --threads N and --snap-max M, shared by the verbs that search: 0 when
 * name was one of them (its value parsed into *threads / *snap_max), -1
 * when it is another option, else an exit status (a bad value). */
int cli_search_option(const char *name, const char *val, long *threads, double *snap_max);

/* --mpi and --checkpoint DIR, shared by access, matrix and site. */
typedef struct cli_spread {
    int mpi;
    const char *checkpoint;
} cli_spread;
#define CLI_SPREAD_OPTIONS "--checkpoint"
#define CLI_SPREAD_FLAGS "--mpi"
extern const char *cli_spread_help;
/* 0 when name was --mpi or --checkpoint, -1 when another, else an exit status. */
int cli_spread_option(const char *name, const char *val, cli_spread *sp);
/* The spread for the run (NULL without --mpi and --checkpoint): 0 or the
 * exit status after the one error line.  argc/argv: the verb's. */
int cli_spread_open(const cli_spread *sp, int argc, char **argv, hh_spread **out);
/* Rank 0: "N ranks; B blocks of origins: R from the checkpoint, C searched". */
void cli_spread_report(const hh_spread *s);

/* Transit options shared by isochrone and matrix. */
typedef struct cli_transit {
    hh_transit_opts o;
    int have_depart;
} cli_transit;
void cli_transit_defaults(cli_transit *t);
/* --mode walk|bike|car|transit: *transit 1 for transit (then *mode is walk,
 * the network points join), else *mode the street mode.  0, or the exit
 * status of an unknown mode (1) or transit without --depart (usage, 2). */
int cli_parse_mode(const char *verb, const char *mode_s, const cli_transit *t, hh_mode *mode, int *transit);
/* Parses one transit option: 0 taken, -1 not a transit option, else an exit status. */
int cli_transit_option(const char *name, const char *val, cli_transit *t);
int cli_parse_depart(const char *s, int32_t *date, int32_t *secs);
extern const char *cli_transit_help;
#define CLI_TRANSIT_OPTIONS "--depart", "--window", "--max-walk", "--max-rides", "--draws", "--walk-speed"

/* The network's GTFS warning summary ("GTFS warnings: none" or per kind its
 * count and first lines), each line starting with indent. */
void cli_print_gtfs_warnings(void *fp, const hh_net *net, const char *indent);

/* The network's opportunity layers (hh_net_layers) with those of each
 * file appended (hh_layers_read, now): a file's layer replaces the
 * network's of the same name; what a file left out is noted on stderr.
 * 0, or the exit status after the one error line (ls then holds what was
 * read so far: hh_layers_free it either way).  ls must start zeroed. */
int cli_load_layers(const hh_net *net, const char *net_path, const char *const *files, size_t n_files,
                    hh_layers *ls);
/* "jobs, population" (or "none"), cut to cap, for messages. */
void cli_layer_names(const hh_layers *ls, char *buf, size_t cap);

/* Progress on stderr, only when stderr is a terminal or HH_PROGRESS=1. */
void cli_progress(const char *stage, double frac, void *ud);

int cmd_build(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_isochrone(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_access(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_coords(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_scenario(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
