/* halfhour.h: the one public header of the halfhour engine.
 *
 * Stages: hh_build() turns an OSM extract into a network file; hh_net_open()
 * maps that file read-only; a per-thread hh_query workspace answers searches
 * on it (snap a point, one-to-all street search, times to snapped targets).
 *
 * Memory: the caller owns every handle.  A hh_net is immutable once opened
 * and may be shared by any number of threads; a hh_query belongs to one
 * thread at a time and makes no allocation after hh_query_init().
 * Errors: functions return 0 or a negative HH_E* code; on failure their out
 * parameters are left untouched.  Where a call takes `char *err, size_t
 * errlen`, a one-line human message is written there too (may be NULL).
 * Units: seconds and metres inside; WGS-84 lon/lat for coordinates.
 * The library never prints, exits or keeps caller pointers after returning. */
#ifndef HALFHOUR_H
#define HALFHOUR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HH_VERSION_STRING "0.1.0"

/* ---- errors --------------------------------------------------------- */
#define HH_ERRNO_MAP(X)                                                   \
    X(NOMEM, -1, "out of memory")                                         \
    X(IO, -2, "input/output error")                                       \
    X(FORMAT, -3, "malformed input")                                      \
    X(VERSION, -4, "unsupported format version")                          \
    X(CHECKSUM, -5, "checksum mismatch (file corrupted)")                 \
    X(TRUNCATED, -6, "file truncated")                                    \
    X(INVAL, -7, "invalid argument")                                      \
    X(NOSNAP, -8, "point too far from the mode's network")                \
    X(RANGE, -9, "value out of range")                                    \
    X(EMPTY, -10, "nothing usable in input")                             \
    X(CANCELED, -11, "stopped by the caller (time budget)")

typedef enum {
#define HH_ERR_ENUM(name, code, msg) HH_E##name = (code),
    HH_ERRNO_MAP(HH_ERR_ENUM)
#undef HH_ERR_ENUM
} hh_errno;

/* Message for a code; never NULL. */
const char *hh_strerror(int code);

/* ---- stopping long runs ----------------------------------------------- */
/* A cooperative stop for runs over many origins (matrices, access, the
 * report, siting): the many-origin driver calls fn(ud) before each origin's
 * search, from its worker threads (so fn must be thread-safe, e.g. a clock
 * check against a deadline); once it returns non-zero the run ends with
 * HH_ECANCELED and delivers no further rows.  A single search is not
 * interrupted: a run stops within one origin's search per worker. */
typedef struct hh_stop {
    int (*fn)(void *ud);
    void *ud;
} hh_stop;

/* ---- spreading long runs: MPI ranks and checkpoints ------------------- */
/* A hh_spread carries a matrix, access or siting run (their opts' `spread`)
 * across the ranks of an MPI job and/or into a checkpoint folder.  The
 * many-origin driver then cuts the origins into blocks of consecutive
 * origins (their size depends only on the run: the number of origins and
 * the values a row carries, never on ranks or threads); the blocks not yet
 * in the checkpoint are dealt round-robin to the ranks, each rank computes
 * its blocks with its own threads, and rank 0 receives them in origin order
 * (a sender waits until rank 0 takes its block: at most two blocks in
 * flight per rank) and delivers their rows exactly as one process would, so
 * every output is byte for byte a single process's.  Only rank 0's results
 * mean anything: on other ranks a run returns 0 with its outputs unset
 * (hh_access_run's table holds no values, siting chooses nothing).
 * Every rank must make the same calls with the same inputs (the network
 * file mapped on each, the same arguments).
 * Checkpoint (a folder, rank 0's): a manifest with the SHA-256 of `args`
 * (and of the contents of those that name a regular file: the network,
 * origin and layer files) and one file per finished block, each written to a
 * temporary name, fsync'd and renamed (util/outfile.h), with a CRC-32 of its
 * content; a block file that fails its check is recomputed.  A run killed at
 * any moment and started again with the same args and files delivers the
 * finished blocks from the folder instead of searching them again (with any
 * rank or thread count).  A folder whose manifest names different args or
 * files is refused (HH_EINVAL, message): remove it or choose another.  The
 * folder is kept after the run (a rerun only reads it back). */
typedef struct hh_spread hh_spread;
typedef struct hh_spread_opts {
    int mpi;                   /* 1: the ranks of MPI_COMM_WORLD (MPI builds only) */
    const char *checkpoint;    /* folder for finished blocks (created), or NULL */
    const char *const *args;   /* what identifies the run, for the manifest */
    size_t n_args;
    /* optional, on rank 0: called after each block written to the checkpoint */
    void (*on_block)(void *ud, size_t blocks_written);
    void *ud;
} hh_spread_opts;
/* 1 when this library was built with MPI (make MPI=1). */
int hh_mpi_available(void);
/* o->mpi without MPI in the build: HH_EINVAL ("built without MPI").  With
 * several ranks every rank returns the same verdict on the checkpoint. */
int hh_spread_open(const hh_spread_opts *o, hh_spread **out, char *err, size_t errlen);
int hh_spread_rank(const hh_spread *s);  /* 0 without MPI */
int hh_spread_ranks(const hh_spread *s); /* 1 without MPI */
typedef struct hh_spread_stats {
    size_t blocks;          /* of every run so far */
    size_t blocks_resumed;  /* delivered from the checkpoint */
    size_t blocks_computed; /* searched (rank 0: by any rank; others: by this one) */
} hh_spread_stats;
void hh_spread_get_stats(const hh_spread *s, hh_spread_stats *st);
/* ok 1: finalises MPI (when open initialised it).  ok 0 with several ranks:
 * MPI_Abort, which ends every rank (one that failed alone would leave the
 * others waiting for it).  NULL-safe. */
void hh_spread_close(hh_spread *s, int ok);

/* ---- allocation hook ------------------------------------------------- */
/* All library allocation goes through these; tests swap in failing ones.
 * Set once before any other call; NULL restores the C library's. */
typedef struct hh_allocator {
    void *(*malloc_fn)(size_t n, void *ud);
    void *(*realloc_fn)(void *p, size_t n, void *ud);
    void (*free_fn)(void *p, void *ud);
    void *ud;
} hh_allocator;
void hh_set_allocator(const hh_allocator *a);

/* ---- modes ----------------------------------------------------------- */
typedef enum { HH_MODE_WALK = 0, HH_MODE_BIKE = 1, HH_MODE_CAR = 2 } hh_mode;
#define HH_N_MODES 3
/* "walk", "bike", "car"; returns HH_EINVAL for anything else. */
int hh_mode_parse(const char *s, hh_mode *out);
const char *hh_mode_name(hh_mode m);

/* ---- profile: routing policy, a table tests and users can swap -------- */
/* Road classes the importer knows (OSM highway=*). */
#define HH_CLASS_MAP(X)                                                   \
    X(MOTORWAY, "motorway") X(MOTORWAY_LINK, "motorway_link")             \
    X(TRUNK, "trunk") X(TRUNK_LINK, "trunk_link")                         \
    X(PRIMARY, "primary") X(PRIMARY_LINK, "primary_link")                 \
    X(SECONDARY, "secondary") X(SECONDARY_LINK, "secondary_link")         \
    X(TERTIARY, "tertiary") X(TERTIARY_LINK, "tertiary_link")             \
    X(UNCLASSIFIED, "unclassified") X(RESIDENTIAL, "residential")         \
    X(LIVING_STREET, "living_street") X(SERVICE, "service")               \
    X(ROAD, "road") X(TRACK, "track") X(PEDESTRIAN, "pedestrian")         \
    X(FOOTWAY, "footway") X(PATH, "path") X(CYCLEWAY, "cycleway")         \
    X(STEPS, "steps") X(BRIDLEWAY, "bridleway") X(CORRIDOR, "corridor")   \
    X(BUSWAY, "busway")

typedef enum {
#define HH_CLASS_ENUM(name, str) HH_CLASS_##name,
    HH_CLASS_MAP(HH_CLASS_ENUM)
#undef HH_CLASS_ENUM
    HH_N_CLASSES
} hh_road_class;
const char *hh_class_name(int road_class);

typedef struct hh_profile {
    /* speed in km/h per mode and class; 0 means the class is closed to it */
    double speed_kmh[HH_N_MODES][HH_N_CLASSES];
    /* car: speed from maxspeed=* is multiplied by this (free-flow vs sign) */
    double car_maxspeed_factor;
    /* car: every car speed is multiplied by this (congestion allowance) */
    double car_speed_factor;
    /* bike on footway/pedestrian without bicycle=yes: pushed at walk speed
     * when 1, closed when 0 */
    int bike_push_on_footways;
    /* snapping: a point's connector to its snapped edge is covered at this
     * speed (km/h); walk and car use walk speed, bike the bike speed */
    double connector_kmh[HH_N_MODES];
    /* isochrone polygons */
    double iso_cell_m;   /* raster cell size of the contouring grid */
    double iso_buffer_m; /* no land farther than this from a reached street */
    double iso_max_cells; /* larger isochrones use coarser cells to stay near this */
    /* transit: a stop joins the walk network within this distance (m) */
    double transit_link_m;
    /* transit: footpaths between stops up to this walking distance (m) */
    double transit_transfer_m;
    /* transit: walking tables from each stop reach this far (m); bounds
     * the --max-walk a query may ask for */
    double transit_egress_m;
    /* islands: a mode's strongly connected component is kept when it has at
     * least island_min_vertices vertices, or (walk only) at least
     * island_min_vertices_with_stop and a GTFS stop within transit_link_m of
     * one of its edges; the largest is always kept; the others are dropped */
    double island_min_vertices;
    double island_min_vertices_with_stop;
    /* car turn model (right-hand traffic): applied when car_turn_costs is 1.
     * A turn at a junction of 3+ roads costs car_turn_s scaled by a logistic
     * curve of its angle (left turns, against the traffic, cost more by
     * car_turn_bias); a u-turn adds car_uturn_s; a traffic-signal node adds
     * car_signal_s to every move through it.  Restrictions and barriers are
     * applied whatever car_turn_costs says. */
    int car_turn_costs;
    double car_turn_s, car_turn_bias, car_uturn_s, car_signal_s;
    /* barriers: barrier=<name> nodes let the modes in pass_mask (bit m)
     * through; a value not in the table uses barrier_other_mask */
#define HH_MAX_BARRIERS 32
    int n_barriers;
    struct {
        char name[24];
        uint8_t pass_mask;
    } barriers[HH_MAX_BARRIERS];
    uint8_t barrier_other_mask;
} hh_profile;

void hh_profile_default(hh_profile *p);
/* Overrides from a text file of `key = value` lines (see `halfhour build
 * --help`); unknown keys and bad values are errors naming the line. */
int hh_profile_load(hh_profile *p, const char *path, char *err, size_t errlen);
/* Applies one `key=value` string (same keys as the file). */
int hh_profile_set(hh_profile *p, const char *kv, char *err, size_t errlen);
/* Writes every setting as `key = value` lines; returns bytes that a buffer of
 * unlimited size would need (snprintf semantics). */
size_t hh_profile_format(const hh_profile *p, char *buf, size_t cap);

/* ---- build: OSM extract -> network file ------------------------------- */
/* A mode's strongly connected components (islands), counting only vertices
 * the mode has arcs at.  Kept: the largest, every one of at least
 * island.min_vertices vertices, and (walk) every one of at least
 * island.min_vertices_with_stop with a GTFS stop within transit.link_m. */
#define HH_COMP_SIZES 8
typedef struct hh_components {
    uint32_t kept;                 /* components kept */
    uint32_t kept_for_stop;        /* of those, kept only for a transit stop */
    uint32_t sizes[HH_COMP_SIZES]; /* vertices of the largest kept, descending; 0 past `kept` */
    uint32_t dropped;              /* components dropped */
    uint32_t dropped_nodes;        /* vertices in them */
    uint32_t dropped_largest;      /* vertices of the largest dropped one */
} hh_components;

typedef struct hh_build_stats {
    uint64_t osm_nodes, osm_ways, osm_relations;
    uint64_t ways_per_class[HH_N_CLASSES]; /* routable ways kept, by class */
    uint32_t n_nodes;                      /* graph vertices */
    uint32_t n_edges;                      /* undirected way pieces */
    uint32_t arcs[HH_N_MODES];             /* directed arcs kept per mode */
    uint32_t scc_nodes[HH_N_MODES];        /* vertices in the kept components */
    uint32_t dropped_arcs[HH_N_MODES];     /* arcs outside them */
    hh_components comps[HH_N_MODES];       /* kept and dropped islands */
    uint32_t restrictions;                 /* car turn restrictions via a node applied */
    uint32_t restrictions_via_way;         /* car turn restrictions via ways applied */
    uint32_t restrictions_skipped;         /* malformed or not fitting the network */
    uint32_t turn_moves;                   /* allowed car moves (turn graph arcs) */
    uint32_t turn_copies;                  /* car arcs copied for via-way restrictions */
    uint32_t car_barriers;                 /* vertices no car passes through */
    uint32_t barrier_copies;               /* vertex copies at walk/bike barriers */
    uint32_t signals;                      /* traffic-signal vertices */
    uint64_t file_bytes;
    double seconds;
    /* transit (zero without GTFS feeds) */
    uint32_t n_feeds, n_stops, n_routes, n_trips, n_patterns;
    uint32_t stops_linked, stops_unlinked, footpaths, egress_entries;
    /* opportunity layers stored */
    uint32_t n_layers;
    uint64_t layer_points;
    char layers[1024]; /* "name (source): N points, total T; ..." per layer, cut short */
    char layers_skipped[512]; /* what opportunity files left out (hh_layers.skipped), "FILE: ...; " */
    char unlinked_stops[512]; /* ids of unlinked stops (location_type 0), comma-separated, cut short */
} hh_build_stats;

struct hh_layers_opts;
typedef struct hh_layers_opts hh_layers_opts;
/* Progress callback: stage name and fraction 0..1; may be NULL. */
typedef void (*hh_progress_fn)(const char *stage, double frac, void *ud);

/* Reads `osm_path` (.osm.pbf, .pbf, .osm, .osm.bz2), applies the profile,
 * writes `out_path` atomically (temporary file, then rename).  On failure
 * no file is left at out_path. */
int hh_build(const char *osm_path, const hh_profile *p, const char *out_path,
             hh_build_stats *stats, hh_progress_fn progress, void *ud,
             char *err, size_t errlen);
/* The same, plus n_gtfs GTFS feeds (.zip) merged into one timetable whose
 * stops are linked to the walk network. */
int hh_build_transit(const char *osm_path, const char *const *gtfs_paths, size_t n_gtfs,
                     const hh_profile *p, const char *out_path, hh_build_stats *stats,
                     hh_progress_fn progress, void *ud, char *err, size_t errlen);

/* The same with options (the CLI's entry): n_gtfs may be 0; opts may be
 * NULL (the defaults below).  GTFS faults whose meaning is unambiguous --
 * rows repeated verbatim, rows naming a trip/stop/route/service the feed
 * lacks (dropped), unused stops without a position, a blank agency_timezone
 * another agency or opts->timezone fills, stop_times out of stop_sequence
 * order (sorted), route_type values GTFS does not define, trips with fewer
 * than two stop times, route- or trip-specific transfers -- are skipped
 * with a warning kept in the network file (hh_net_gtfs_warning); with
 * strict set each is an error.  Conflicting duplicates (one id, two
 * different rows) and faults that change meaning are always errors. */
typedef struct hh_build_opts {
    int strict;           /* every GTFS warning is an error */
    const char *timezone; /* IANA zone for feeds whose agency_timezone is blank; NULL: none */
    /* Opportunity layers stored in the network (hh_net_layers): the files'
     * (hh_layers_read: CSV, GeoJSON, rasters), the OSM rules' (each
     * "NAME=KEY=V1,V2[;KEY=V...][@area]": nodes and areas with such a tag
     * count 1, or their hectares with @area) and, unless no_preset, the
     * 15-minute preset's daily-service layers from OSM tags (schools,
     * healthcare, groceries, pharmacies, parks; transit_stops from the GTFS
     * stops, or OSM's without feeds).  A file's layer replaces an OSM layer
     * of the same name; two files or two rules may not share a name. */
    const char *const *layer_files;
    size_t n_layer_files;
    const hh_layers_opts *layer_opts; /* for the files; NULL: defaults */
    const char *const *osm_layers;
    size_t n_osm_layers;
    int no_preset;
} hh_build_opts;
int hh_build_with(const char *osm_path, const char *const *gtfs_paths, size_t n_gtfs, const hh_profile *p,
                  const hh_build_opts *opts, const char *out_path, hh_build_stats *stats,
                  hh_progress_fn progress, void *ud, char *err, size_t errlen);

/* ---- the network file ------------------------------------------------- */
typedef struct hh_net hh_net;

/* Maps the file read-only and validates header, section table and index
 * ranges (and, for files up to 64 MiB, the body checksum); a truncated,
 * malformed or wrong-version file is an error.  A larger file is not read
 * whole on open: hh_net_verify finds a corrupted byte in it. */
int hh_net_open(const char *path, hh_net **out, char *err, size_t errlen);
void hh_net_close(hh_net *net);

/* What hh_net_verify checked. */
typedef struct hh_net_verify_info {
    uint32_t n_sections;       /* in the file */
    uint32_t sections_checked; /* with a stored checksum (all, for files built now) */
    uint64_t bytes_checked;    /* in those sections */
    uint64_t file_bytes;
} hh_net_verify_info;
/* Everything hh_net_open checks, then every section's CRC-32 (the error
 * names the first section that fails) and the body CRC over the whole file;
 * 0 when all match, HH_ECHECKSUM with a one-line message when not.  `out`
 * may be NULL. */
int hh_net_verify(const char *path, hh_net_verify_info *out, char *err, size_t errlen);

typedef struct hh_net_info {
    uint32_t format_version;
    uint32_t n_nodes, n_edges;
    uint32_t arcs[HH_N_MODES];
    uint32_t scc_nodes[HH_N_MODES];
    hh_components comps[HH_N_MODES]; /* from the build */
    uint32_t restrictions;            /* car turn restrictions via a node applied */
    uint32_t restrictions_via_way;    /* ... via ways applied */
    uint32_t restrictions_skipped;    /* malformed or not fitting the network */
    uint32_t turn_moves;              /* allowed car moves (turn graph arcs) */
    uint32_t car_barriers;            /* vertices no car passes through */
    uint32_t barrier_copies;          /* vertex copies at walk/bike barriers */
    uint32_t signals;                 /* traffic-signal vertices */
    double min_lon, min_lat, max_lon, max_lat;
    uint64_t file_bytes;
    const char *source;       /* OSM file name and size it was built from */
    const char *built_at;     /* UTC ISO time */
    hh_profile profile;       /* settings it was built with */
} hh_net_info;
void hh_net_get_info(const hh_net *net, hh_net_info *out);

/* Public-transit feeds merged into the network (0 without GTFS). */
typedef struct hh_feed_info {
    const char *name;           /* zip file name */
    const char *timezone;       /* agency_timezone */
    const char *agencies;       /* agency_name values, "; "-separated */
    int32_t first_date, last_date; /* YYYYMMDD service range */
    uint32_t stops, routes, trips;
    uint32_t stops_linked;      /* stops (location_type 0) joined to the walk network */
    int32_t busiest_date;       /* YYYYMMDD with the most departures */
    uint32_t trips_busiest;     /* trips (frequency runs counted) that day; UINT32_MAX: that many or more */
} hh_feed_info;
uint32_t hh_net_n_feeds(const hh_net *net);
int hh_net_feed_info(const hh_net *net, uint32_t feed, hh_feed_info *out);

/* What the GTFS load skipped or repaired, one entry per kind that occurred
 * (kinds: duplicate_row, missing_reference, stop_without_position,
 * blank_timezone, stop_times_order, unknown_route_type, short_trip,
 * transfer_not_stop), with its count and the first few cases as
 * "<feed>: <file> line <n>: <what>".  Strings belong to the network. */
typedef struct hh_gtfs_warning {
    const char *kind;
    uint32_t count;
    uint32_t n_examples; /* <= 3 */
    const char *examples[3];
} hh_gtfs_warning;
uint32_t hh_net_n_gtfs_warnings(const hh_net *net);
/* Entry i < hh_net_n_gtfs_warnings(); HH_ERANGE beyond. */
int hh_net_gtfs_warning(const hh_net *net, uint32_t i, hh_gtfs_warning *out);

/* An edge as a mode sees it (for export and inspection). */
typedef struct hh_edge_view {
    uint32_t from, to;         /* vertex ids */
    double len_m;
    double fwd_s, bwd_s;       /* travel time each way; negative when closed */
    double from_lon, from_lat, to_lon, to_lat;
    int road_class;
    int64_t way_id;            /* OSM way it comes from */
} hh_edge_view;
uint32_t hh_net_n_edges(const hh_net *net);
/* HH_ERANGE when e is out of range or not usable by the mode. */
int hh_net_edge(const hh_net *net, hh_mode mode, uint32_t e, hh_edge_view *out);
/* Edge e's line as the way draws it: its first vertex, the shape points
 * between, its last vertex.  Writes up to cap lon,lat pairs into lonlat
 * (2 x cap doubles) and returns the number of points the line has (more
 * than cap: call again with room for them); HH_ERANGE (negative) for an
 * edge out of range. */
int hh_net_edge_shape(const hh_net *net, uint32_t e, double *lonlat, size_t cap);
/* The edges that pass through a box (degrees, min <= max): every edge of
 * some mode with a segment whose bounding box overlaps [min_lon, max_lon] x
 * [min_lat, max_lat], ids ascending, found through the spatial index (cost
 * grows with the box, not the network).  *out (free with hh_buffer_free;
 * NULL when *n is 0).  HH_EINVAL for a box that is not finite or not
 * ordered, HH_ENOMEM. */
int hh_net_edges_in_bbox(const hh_net *net, double min_lon, double min_lat, double max_lon, double max_lat,
                         uint32_t **out, size_t *n);

/* ---- snapping --------------------------------------------------------- */
#define HH_DEFAULT_SNAP_M 500.0

typedef struct hh_snap {
    uint32_t edge;      /* edge the point joins */
    double along_m;     /* distance from the edge's first node along it */
    double off_m;       /* straight distance from the point to the edge */
    double lon, lat;    /* the snapped position on the edge */
} hh_snap;

/* Joins (lon, lat) to the nearest edge usable by `mode` (inside that mode's
 * kept components) within max_m metres.  HH_ERANGE for coordinates outside
 * [-180,180]x[-90,90] or not finite; HH_ENOSNAP when nothing is in reach. */
int hh_snap_point(const hh_net *net, hh_mode mode, double lon, double lat,
                  double max_m, hh_snap *out);

/* Why a point does or does not snap (hh_snap_explain), for messages that
 * help fix the input. */
typedef enum {
    HH_SNAP_OK = 0,      /* it snaps within max_m */
    HH_SNAP_OUTSIDE = 1, /* outside the network's area (hh_net_bbox) widened by max_m */
    HH_SNAP_SWAPPED = 2, /* more than HH_SNAP_SWAP_M outside, but inside with lon
                          * and lat exchanged (a CSV whose columns are the wrong
                          * way round) */
    HH_SNAP_TOO_FAR = 3, /* inside, but farther than max_m from every street the
                          * mode may use */
    HH_SNAP_INVALID = 4  /* not finite or outside [-180,180]x[-90,90] */
} hh_snap_reason;

/* How far hh_snap_explain looks for the nearest usable street (m). */
#define HH_SNAP_EXPLAIN_M 20000.0
/* A point nearer than this (m) to the area is never called swapped. */
#define HH_SNAP_SWAP_M 5000.0

typedef struct hh_snap_why {
    hh_snap_reason reason;
    /* distance (m) from the point to the nearest street the mode may use:
     * off_m of the snap for HH_SNAP_OK; for HH_SNAP_TOO_FAR and
     * HH_SNAP_OUTSIDE when one lies within max(HH_SNAP_EXPLAIN_M, max_m);
     * INFINITY otherwise */
    double nearest_m;
} hh_snap_why;

/* Classifies (lon, lat) as hh_snap_point(net, mode, lon, lat, max_m) sees
 * it: HH_SNAP_OK exactly when that call succeeds.  Returns 0, or HH_EINVAL
 * for a bad mode or max_m (out untouched). */
int hh_snap_explain(const hh_net *net, hh_mode mode, double lon, double lat, double max_m,
                    hh_snap_why *out);
/* The bounding box of the network's street geometry (vertices and the
 * points along edges): hh_net_info's bbox (vertices only) or a little
 * larger.  hh_snap_explain's "area" is this box. */
void hh_net_bbox(const hh_net *net, double *min_lon, double *min_lat, double *max_lon, double *max_lat);

/* Why points did not snap, in words: the one place the CLI's messages and
 * the bindings' exceptions come from (src/io/snap_text.c).
 * hh_snap_reason_text: one point's class (w from hh_snap_explain) as a
 * phrase, "outside the network's area (W,S .. E,N; SOURCE), nearest walk
 * street 812 m", "... lon/lat look swapped: exchanged, the point is
 * inside", "farther than 500 m from the walk network (nearest street 812
 * m)", "invalid coordinates"; mode_name names the network. */
void hh_snap_reason_text(const hh_net *net, const hh_snap_why *w, const char *mode_name, double snap_max, char *buf,
                         size_t cap);
/* The points whose ok[i] is 0 (n of them; ids, lon, lat), grouped by
 * reason: "3 origins did not snap: 2 outside the network's area (BBOX;
 * SOURCE): ids a,b; 1 farther than 500 m from the walk network: id c
 * (nearest street 812 m)" (`what` the singular noun, `note` follows "did
 * not snap", 20 ids shown per group).  A new string (hh_buffer_free), or
 * NULL when every point snapped or memory ran out; *n_bad gets the number
 * of points that did not snap. */
char *hh_snap_report(const hh_net *net, hh_mode mode, const char *mode_name, double snap_max, const char *what,
                     size_t n, const char *const *ids, const double *lon, const double *lat,
                     const unsigned char *ok, const char *note, size_t *n_bad);
/* The message for one point that must snap (an isochrone's origin) and
 * does not: "WHAT: no STREET street within 200 m (nearest street 812 m;
 * see SEE)" when it is too far, else "WHAT did not snap: " and the reason
 * (`street` is e.g. "walkable" or "car", `see` the option to raise).  0,
 * or HH_EINVAL for a bad mode or snap_max. */
int hh_snap_fail_text(const hh_net *net, hh_mode mode, const char *mode_name, const char *street, double lon,
                      double lat, double snap_max, const char *what, const char *see, char *buf, size_t cap);

/* ---- search ----------------------------------------------------------- */
typedef struct hh_query hh_query;
int hh_query_init(const hh_net *net, hh_query **out);
void hh_query_free(hh_query *q);
/* Bytes one hh_query (one thread) holds on this network: the plain
 * search's arrays made by hh_query_init and the contraction-hierarchy
 * sweep's made on its first use; per_vertex = total / vertices. */
typedef struct hh_query_bytes {
    uint64_t dijkstra, sweep, total;
    double per_vertex;
} hh_query_bytes;
void hh_query_footprint(const hh_net *net, hh_query_bytes *out);

/* One-to-all street search from a snapped origin, bounded by max_s seconds
 * (INFINITY for no bound).  Results stay in q until the next search. */
int hh_query_run(hh_query *q, hh_mode mode, const hh_snap *origin,
                 double max_s);

/* Travel time (s) and distance (m: connectors + street) to a snapped
 * target after hh_query_run(); returns 0, or HH_ERANGE when the target is
 * unreachable within the bound (out params untouched). */
int hh_query_time_to(const hh_query *q, const hh_snap *target, double *time_s,
                     double *dist_m);

/* The last search's travel-time surface: out[v] seconds (connector
 * included) for every vertex v (n = hh_net_n_vertices), NAN where unreached. */
int hh_query_surface(const hh_query *q, float *out, size_t n);
/* A vertex's position. */
int hh_net_vertex(const hh_net *net, uint32_t v, double *lon, double *lat);
/* The positions of the n vertices first .. first + n - 1 at once (a
 * surface's, for bindings that would otherwise call hh_net_vertex per
 * vertex): lon[i], lat[i] (either may be NULL), exactly hh_net_vertex's
 * values.  HH_ERANGE when the range passes hh_net_n_vertices. */
int hh_net_vertices(const hh_net *net, uint32_t first, size_t n, double *lon, double *lat);

/* ---- travel-time surfaces ---------------------------------------------- */
/* What one origin reaches, street or transit alike: seconds to every vertex
 * of the network (origin connector included), and for car the time each
 * car arc is entered (after the turn onto it: a restriction may let a car
 * reach a vertex but not turn into a street).  Isochrone polygons are drawn
 * from a surface, whatever search made it.  Owned by the caller:
 * hh_surface_free (NULL-safe) releases the arrays. */
/* A point on a street reached at its own time: a transit stop, where the
 * street around it is reached from the stop itself rather than through the
 * street's end vertices. */
typedef struct hh_surface_point {
    uint32_t edge;  /* the walk edge the stop is linked to */
    double along_m; /* its position along the edge, from the edge's first vertex */
    double time_s;  /* arrival on the street there (transit: at the surface's percentile) */
} hh_surface_point;

typedef struct hh_surface {
    const hh_net *net;    /* not owned */
    hh_mode mode;         /* the mode the times move on (walk for transit) */
    int transit;          /* 1: a transit query's percentile surface */
    double percentile;    /* transit: the p it is taken at */
    hh_snap origin;       /* where the origin snapped */
    double origin_conn_s; /* its connector time */
    double max_s;         /* the search's limit: times beyond are unknown */
    size_t n;             /* vertices (hh_net_n_vertices) */
    double *time_s;       /* n: seconds, NAN where unreached */
    size_t n_arcs;        /* car: the car arcs; 0 otherwise */
    double *arc_s;        /* n_arcs: seconds at an arc's start, NAN where never entered */
    size_t n_points;      /* transit: the stops reached, by edge; 0 otherwise */
    hh_surface_point *points;
} hh_surface;
/* The surface of the search last run in q (HH_EINVAL before any). */
int hh_query_get_surface(const hh_query *q, hh_surface *out);
void hh_surface_free(hh_surface *s);

/* ---- isochrones ------------------------------------------------------- */
/* One polygon set per cutoff; rings are closed lon/lat rings, the first ring
 * of each polygon its outer boundary (counter-clockwise), the others holes
 * (clockwise).  Nested: each cutoff's area contains the smaller ones'. */
typedef struct hh_isoband {
    double minutes;
    double area_km2;
    size_t n_polys;
    size_t *poly_first_ring; /* n_polys+1 entries into ring_first */
    size_t *ring_first;      /* n_rings+1 entries into lonlat (points) */
    double *lonlat;          /* lon,lat pairs */
} hh_isoband;

typedef struct hh_isochrone {
    size_t n_bands;
    hh_isoband *bands;
} hh_isochrone;

/* How the polygons are drawn for a map (Valhalla's knobs, plus the hole
 * rule).  hh_iso_opts_default gives the defaults below; the strict polygons
 * (every hole, nothing simplified or dropped: the guarantees of
 * hh_isochrone_build) are {0, 0, HH_ISO_HOLES_ALL}.  An HTTP request's
 * Valhalla-shaped fields map one to one: generalize, denoise, holes
 * ("fill" | "all"). */
typedef enum hh_iso_holes {
    /* fill a hole that holds no street of the mode, or only streets reached
     * within the cutoff (fields, woods, water no street enters); keep a hole
     * that holds a street not reached in time (a pocket the area misses) */
    HH_ISO_HOLES_FILL = 0,
    HH_ISO_HOLES_ALL = 1 /* keep every hole (strict) */
} hh_iso_holes;

#define HH_ISO_GENERALIZE_AUTO (-1.0) /* default: half a raster cell (iso.cell_m / 2,
                                       * 25 m; more where a large area uses coarser cells) */
#define HH_ISO_DENOISE 0.0             /* default: keep every part (but specks) */
#define HH_ISO_SPECK_CELLS 4           /* with generalize_m != 0, parts (and in fill mode
                                        * holes) under this many raster cells are dropped:
                                        * 1 ha at iso.cell_m 50 m */

typedef struct hh_iso_opts {
    double generalize_m; /* tolerance of the boundary simplification, metres: no
                          * boundary point moves farther (0: none; HH_ISO_GENERALIZE_AUTO:
                          * half the raster cell).  The bands are simplified so that
                          * they stay valid and nested: the largest first, each
                          * smaller one clipped to the larger one's result */
    double denoise;      /* in [0, 1]: drop each part smaller than denoise x the
                          * band's largest part (1: the largest only; 0: none) */
    hh_iso_holes holes;  /* HH_ISO_HOLES_FILL (default) or HH_ISO_HOLES_ALL */
} hh_iso_opts;
/* The part holding the origin is never dropped. */

void hh_iso_opts_default(hh_iso_opts *o);
/* HH_EINVAL names no field; this says which one is out of range (NULL: fine). */
const char *hh_iso_opts_check(const hh_iso_opts *o);

/* Computes the polygons of the search last run in q, for cutoffs given in
 * minutes (strictly increasing, > 0).  The result is owned by the caller:
 * free it with hh_isochrone_free (NULL-safe).  These are the strict polygons
 * (hh_isochrone_build_opts with {0, 0, HH_ISO_HOLES_ALL}). */
int hh_isochrone_build(hh_query *q, const double *minutes, size_t n_minutes,
                       hh_isochrone *out);
/* The same from a surface (street or transit); cutoffs up to its max_s. */
int hh_surface_isochrone(const hh_surface *s, const double *minutes, size_t n_minutes, hh_isochrone *out);
/* The same with drawing options (NULL: hh_iso_opts_default).  With the fill
 * rule a band may claim land farther than iso.buffer_m from a reached street
 * (a filled hole), and generalize_m moves boundaries by up to that much;
 * validity, nesting and the start inside every band hold for any options. */
int hh_isochrone_build_opts(hh_query *q, const double *minutes, size_t n_minutes,
                            const hh_iso_opts *o, hh_isochrone *out);
int hh_surface_isochrone_opts(const hh_surface *s, const double *minutes, size_t n_minutes,
                              const hh_iso_opts *o, hh_isochrone *out);
void hh_isochrone_free(hh_isochrone *iso);
/* What a scenario gains and loses (hh_scenario_apply): per cutoff of two
 * isochrones of the same origin and cutoffs, on the base and on the
 * scenario, gained = scenario minus base and lost = base minus scenario
 * (GEOS's overlay in a local plane; valid polygons, outer rings
 * counter-clockwise, holes clockwise; area_km2 theirs).  HH_EINVAL when
 * the cutoffs differ, HH_ENOMEM; the results are the caller's. */
int hh_isochrone_compare(const hh_isochrone *base, const hh_isochrone *scen, hh_isochrone *gained,
                         hh_isochrone *lost);

/* ---- public transit -------------------------------------------------- */
/* Walk + transit (access walk, rides, footpaths between rides, egress walk)
 * over a departure window, as R5 does.  Times are GTFS local service time of
 * the first feed's agency time zone; feeds of other zones are moved onto it
 * with the zones' UTC offsets on the date (system tz database). */
typedef struct hh_transit_opts {
    int32_t date;       /* YYYYMMDD */
    int32_t depart_s;   /* first departure, seconds after midnight */
    int32_t window_min; /* one departure per minute in [depart, depart + window), >= 1 */
    double max_walk_s;  /* access walk and egress walk, each (<= the tables' reach) */
    int max_rides;      /* 1 .. 64 */
    int draws;          /* Monte-Carlo draws for frequency routes without exact
                         * times: each departure minute of each draw gives them
                         * new phases, as R5 does (ignored, 1, when the feeds
                         * have none) */
    double max_s;       /* travel-time limit; walking alone counts up to it */
    double walk_kmh;    /* walking speed for this query (direct, access, egress,
                         * transfers): every walk time of the network is scaled by
                         * (its walk speed / this); 0 keeps the network's */
} hh_transit_opts;

/* The prepared service day(s): shared, read-only, by any number of threads. */
typedef struct hh_transit hh_transit;
/* HH_ERANGE with a message naming the feeds' ranges when the date is outside
 * every feed's service; HH_EINVAL for bad options or a network without
 * transit. */
int hh_transit_prepare(const hh_net *net, const hh_transit_opts *o, hh_transit **out, char *err,
                       size_t errlen);
void hh_transit_free(hh_transit *t);
/* Departure samples per target: window minutes x draws actually used. */
uint32_t hh_transit_samples(const hh_transit *t);

/* Per-thread workspace. */
typedef struct hh_transit_query hh_transit_query;
int hh_transit_query_init(const hh_transit *t, hh_transit_query **out);
void hh_transit_query_free(hh_transit_query *q);
/* Travel times from `origin` (snapped to the WALK network) for every
 * departure minute and draw, to each of `targets` (walk-snapped), or to
 * every vertex of the network when targets is NULL (surfaces, isochrones). */
int hh_transit_query_run(hh_transit_query *q, const hh_snap *origin, const hh_snap *targets,
                         size_t n_targets);
/* The p-th percentile (0 < p <= 100, nearest rank) of target i's travel
 * times over departure minutes x draws, in seconds; NAN when fewer than p %
 * of the departures reach it within max_s.  p = 50 is the median departure. */
double hh_transit_percentile(hh_transit_query *q, size_t target, double p);
/* Several percentiles of one target at once (its samples sorted once):
 * out[i] for pct[i]; HH_EINVAL for a bad target or percentile. */
int hh_transit_percentiles(hh_transit_query *q, size_t target, const double *pct, size_t n_pct, double *out);
/* The travel-time surface at percentile p: out[v] for every vertex (n must
 * be the network's vertex count), NAN where unreached. */
int hh_transit_surface(hh_transit_query *q, double p, float *out, size_t n);
/* The same as a surface (after a run without targets), for polygons and
 * analyses: walk mode, the walk-snapped origin. */
int hh_transit_get_surface(hh_transit_query *q, double p, hh_surface *out);
/* Isochrone of the last run (targets NULL) at percentile p; the polygon
 * rules of hh_isochrone_build hold. */
int hh_transit_isochrone(hh_transit_query *q, double p, const double *minutes, size_t n_minutes,
                         hh_isochrone *out);
/* The same with drawing options (NULL: the defaults). */
int hh_transit_isochrone_opts(hh_transit_query *q, double p, const double *minutes, size_t n_minutes,
                              const hh_iso_opts *o, hh_isochrone *out);

/* ---- isochrones of many origins ----------------------------------------- */
/* One isochrone per origin, computed by `threads` workers (each with its own
 * query) and handed to fn in origin order on the calling thread, so the
 * results are the same for any thread count; what the CLI's repeated
 * --from runs.  Street (transit NULL: mode's network) or walk + transit at
 * percentile pct (origins snapped to the walk network).  With base_net, each
 * origin is also searched there (base_origins: its snaps on the base; a transit
 * run needs base_transit) and compared (hh_isochrone_compare). */
typedef struct hh_iso_many {
    const hh_net *net;
    hh_mode mode;               /* street mode (transit NULL) */
    const hh_transit *transit;  /* non-NULL: walk + transit on net */
    double pct;                 /* transit: the percentile drawn, in (0, 100] */
    const hh_snap *origins;     /* n_origins snapped origins */
    size_t n_origins;
    const double *minutes;      /* cutoffs, strictly increasing, > 0 */
    size_t n_minutes;
    const hh_iso_opts *opts;    /* NULL: hh_iso_opts_default */
    int threads;                /* <= 0: all cores */
    int surface;                /* 1: each result also carries the origin's surface */
    const hh_net *base_net;     /* non-NULL: compare with the same origins there */
    const hh_transit *base_transit;
    const hh_snap *base_origins;
} hh_iso_many;

typedef struct hh_iso_result {
    size_t origin;                      /* index into origins */
    hh_isochrone *iso;                  /* on net */
    hh_isochrone *base, *gained, *lost; /* with base_net, else NULL */
    const float *surface;               /* with surface: seconds per vertex of net
                                         * (NAN unreached; transit at pct), else NULL */
    size_t n_vertices;
} hh_iso_result;

/* Called once per origin, in order; the result is valid during the call
 * only, but fn may keep an isochrone by moving it out (copy the struct,
 * then zero it: what is left is freed after the call).  Non-zero stops
 * the run and is returned. */
typedef int (*hh_iso_many_fn)(const hh_iso_result *r, void *ud);

/* 0, HH_EINVAL for a bad request, or the first error of a search (*failed,
 * when given, is then the smallest origin whose isochrone failed, else
 * SIZE_MAX) or of fn. */
int hh_isochrone_many(const hh_iso_many *r, hh_iso_many_fn fn, void *ud, size_t *failed);
uint32_t hh_net_n_vertices(const hh_net *net);

/* ---- request options: one reading for the CLI's flags and HTTP fields -- */
/* (declarations of src/util/options.c) */
/* "YYYY-MM-DDTHH:MM", feed local time (hours up to 47: service past
 * midnight) -> *date YYYYMMDD and *secs after midnight; HH_EINVAL for
 * anything else (a day the month lacks included). */
int hh_depart_parse(const char *s, int32_t *date, int32_t *secs);
/* "10,20,30" -> out[] sorted and without repeats, each in (0, max], at
 * most cap numbers; returns the count, or -1 with a message naming `what`
 * ("minutes", "percentile") in err. */
int hh_list_parse(const char *s, const char *what, double *out, int cap, double max, char *err, size_t errlen);
/* The same checks on n numbers already read (sorted and de-duplicated in
 * place): the count, or -1 with a message. */
int hh_list_check(double *v, int n, const char *what, double max, char *err, size_t errlen);
/* "walk", "bike", "car" (*transit 0) or "transit" (*transit 1, *mode walk:
 * the network transit points join); HH_EINVAL otherwise. */
int hh_travel_mode_parse(const char *s, hh_mode *mode, int *transit);
/* The defaults: window 60 min, max walk 15 min, 8 rides, 5 draws, the
 * network's walking speed; date, depart_s and max_s 0 (the caller's). */
void hh_transit_opts_default(hh_transit_opts *o);
/* One transit setting by name (the CLI's flag without "--"): "window"
 * (whole minutes, 1..1440), "max-walk" (minutes, 0..120), "max-rides"
 * (1..64), "walk-speed" (km/h, 1..20), "draws" (1..1000).  0 when set;
 * HH_EINVAL with what is expected in err ("expected whole minutes in [1,
 * 1440]"; a NAN value gets the message too); 1 for another name. */
int hh_transit_opt_set(hh_transit_opts *o, const char *name, double v, char *err, size_t errlen);

/* ---- points, matrices, output files ----------------------------------- */
/* Points from a CSV whose columns are found by header name: id;
 * lon|lng|longitude|x; lat|latitude|y (case-insensitive, any order, extra
 * columns ignored; UTF-8 BOM, CRLF and quoted fields fine).  Without an id
 * column the 1-based row number is the id.  Errors (missing columns,
 * non-numeric or out-of-range cells, duplicate ids, no rows) name the file,
 * line and column.  Free with hh_points_free (NULL-safe). */
typedef struct hh_points {
    size_t n;
    char **id;
    double *lon, *lat;
} hh_points;
int hh_points_read(const char *path, hh_points *out, char *err, size_t errlen);
void hh_points_free(hh_points *p);

/* ---- coordinate systems of Chinese sources ----------------------------- */
/* (declarations of src/io/gcj02.c) */
/* GCJ-02 is the datum of map sources from mainland China: WGS-84 plus a
 * non-linear offset of a few hundred metres (src/io/gcj02.c says how it is
 * computed).  Inside the box lon 72.004..137.8347, lat 0.8293..55.8271 the
 * offset applies; outside it is 0 and both conversions are the identity.
 * hh_gcj02_to_wgs84 inverts the forward transform iteratively to 1e-9
 * degrees.  Both return HH_ERANGE (outputs untouched) for coordinates that
 * are not finite or outside [-180,180] x [-90,90]; they are pure functions,
 * safe from any thread. */
typedef enum { HH_DATUM_WGS84 = 0, HH_DATUM_GCJ02 = 1 } hh_datum;
int hh_gcj02_in_china(double lon, double lat);
int hh_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat);
int hh_gcj02_to_wgs84(double lon, double lat, double *wlon, double *wlat);
/* "wgs84" (also "wgs-84", "epsg:4326") or "gcj02" ("gcj-02"), any case;
 * HH_EINVAL otherwise. */
int hh_datum_parse(const char *s, hh_datum *out);
/* One point from one datum to the other (from == to: a range-checked copy). */
int hh_datum_convert(hh_datum from, hh_datum to, double lon, double lat, double *olon, double *olat);

/* Rewrites a file with every coordinate converted, to `fp` (a FILE *), by
 * the input's suffix (case-insensitive):
 *   .csv      the lon/lat columns found by header name as hh_points_read
 *             finds them, or named by lon_col/lat_col; those two fields of
 *             each row are rewritten (7 decimals, trailing zeros dropped),
 *             every other byte -- other fields, quotes, line ends, a BOM --
 *             is copied as it was.  A row without those fields or with a
 *             value that is not a coordinate is an error naming the line.
 *   .geojson, .json  every position of every geometry (the arrays under
 *             "coordinates" at any depth, GeometryCollections included)
 *             and the corners of "bbox" members; a position's third and
 *             later numbers, "properties" and everything else are copied
 *             byte for byte.  Malformed JSON is an error naming the line.
 * *n_out gets the rows or positions converted and *n_outside how many of
 * them lay outside the GCJ-02 box (copied unchanged); either may be NULL.
 * A CSV with a header and no rows, or GeoJSON without positions, is copied
 * as it is.  The whole input is read into memory.  Errors: HH_EIO
 * (unreadable), HH_EINVAL (unknown suffix, no lon/lat column), HH_EFORMAT,
 * HH_EEMPTY (an empty file), HH_ERANGE (a coordinate out of range),
 * HH_ENOMEM; the message names the file.  Output may be partly written on
 * error (write it through hh_out and abort). */
typedef struct hh_coords_opts {
    hh_datum from, to;
    const char *lon_col, *lat_col; /* CSV column names, NULL: found by name */
} hh_coords_opts;
int hh_coords_convert_file(const char *path, void *fp, const hh_coords_opts *o, size_t *n_out,
                           size_t *n_outside, char *err, size_t errlen);


/* Matrix rows are delivered in origin order, one call per origin, with
 * time_s[j] / dist_m[j] for destination j (NAN when unreachable or either
 * point did not snap).  Return non-zero from the callback to stop early. */
typedef int (*hh_matrix_row_fn)(size_t origin, const double *time_s, const double *dist_m,
                                void *ud);
typedef struct hh_matrix_opts {
    hh_mode mode;
    double max_s;     /* INFINITY for no cutoff (street; transit has its own) */
    double snap_max_m;
    int threads;      /* <= 0: all cores */
    /* walk + transit instead of `mode` when set: points snap to the walk
     * network, and a row's time_s[j * n_pct + p] is destination j's p-th
     * requested percentile, dist_m NULL (one request for every mode) */
    const hh_transit *transit;
    const double *pct;   /* percentiles, 0 < p <= 100 */
    size_t n_pct;
    const hh_stop *stop; /* NULL: runs to the end */
    hh_spread *spread;   /* NULL: this process alone, no checkpoint */
} hh_matrix_opts;
/* snapped_o / snapped_d (optional, n entries) receive 1 for points that
 * snapped.  Memory is bounded by threads x (rows in flight) x n_dest;
 * results are identical whatever the thread count. */
int hh_matrix_run(const hh_net *net, const hh_matrix_opts *o, const hh_points *orig,
                  const hh_points *dest, hh_matrix_row_fn row, void *ud,
                  unsigned char *snapped_o, unsigned char *snapped_d);

/* Transit matrix (hh_matrix_run with opts.transit, in the positional form
 * older callers use): rows in origin order, one call per origin, with
 * pct_s[j * n_pct + p] the p-th requested percentile (seconds) to
 * destination j, NAN when unreachable at that percentile or unsnapped. */
typedef int (*hh_transit_row_fn)(size_t origin, const double *pct_s, void *ud);
int hh_transit_matrix_run(const hh_transit *t, const hh_points *orig, const hh_points *dest,
                          double snap_max_m, const double *pct, size_t n_pct, int threads,
                          hh_transit_row_fn row, void *ud, unsigned char *snapped_o,
                          unsigned char *snapped_d);

/* The matrix as CSV (the library's writer; the CLI's `matrix` output):
 * from_id,to_id,travel_time_s,distance_m for a street matrix, or
 * from_id,to_id,travel_time_p<pct>... for transit; one row per pair in
 * origin-then-destination order, integers (rounded half up), empty fields
 * where there is no time.  Ids are written as given: callers make sure
 * they need no quoting.  Use hh_matrix_csv_row as the row callback with the
 * writer as its ud; on a failed write it returns non-zero (the run stops)
 * and werr holds the errno. */
typedef struct hh_matrix_csv {
    void *fp;                   /* FILE * */
    const hh_points *orig, *dest;
    const double *pct;          /* transit: the percentiles; NULL for street */
    size_t n_pct;
    int werr;
} hh_matrix_csv;
int hh_matrix_csv_header(hh_matrix_csv *w);
int hh_matrix_csv_row(size_t origin, const double *time_s, const double *dist_m, void *ud);

/* The matrix into memory (for bindings such as the Python package's numpy
 * arrays): hh_matrix_buf_row as the row callback of hh_matrix_run, with
 * the writer as its ud, copies row `origin` to time_s[origin * n_dest *
 * n_val ...] (n_val: 1 for a street matrix, n_pct for transit, the row's
 * layout kept) and, when dist_m is set, the distances to dist_m[origin *
 * n_dest ...] (NAN for transit, which has none).  Both arrays are the
 * caller's, n_orig * n_dest (* n_val) doubles.  Returns non-zero (the run
 * stops) for an origin >= n_orig; rows counts the rows written. */
typedef struct hh_matrix_buf {
    double *time_s;
    double *dist_m;             /* may be NULL */
    size_t n_orig, n_dest, n_val;
    size_t rows;
} hh_matrix_buf;
int hh_matrix_buf_row(size_t origin, const double *time_s, const double *dist_m, void *ud);

/* An output file that appears at `path` only when committed: data goes to a
 * temporary file beside it, hh_out_commit flushes, syncs and renames,
 * hh_out_abort removes it, so a failed or short write (a full disk) leaves
 * any old file as it was and no temporary file.  A symlink is followed: its
 * target is replaced that way when it is a regular file (or does not exist
 * yet), and the link stays.  What is not a regular file -- a FIFO, a
 * terminal, a device, /dev/stdout or /proc/self/fd/N -- is written through,
 * never replaced; a directory is an error.  path "-" or NULL means stdout.
 * hh_out_commit reports any write error, stdout's included. */
typedef struct hh_out {
    void *fp;   /* FILE * */
    char *path, *tmp;
    char *target; /* the file tmp is renamed onto (path, or a symlink's target) */
} hh_out;
int hh_out_open(hh_out *o, const char *path, char *err, size_t errlen);
int hh_out_commit(hh_out *o, char *err, size_t errlen);
/* The write half of hh_out_commit: flushes and syncs, reporting any write
 * error (then the output is aborted), without putting the file in place.
 * Several outputs that must appear together are each flushed, then each
 * committed (a commit after a flush only renames). */
int hh_out_flush(hh_out *o, char *err, size_t errlen);
void hh_out_abort(hh_out *o);

/* s as a JSON string literal, quotes included (a quote, a backslash and
 * control bytes escaped; other bytes as they are): a new string
 * (hh_buffer_free), or NULL when memory runs out. */
char *hh_json_quote(const char *s);

/* Writes the bands of one isochrone as GeoJSON Features (no surrounding
 * collection), each with properties minutes, mode (the name given: "walk",
 * "transit", ...), area_km2 and `extra`
 * (a JSON fragment like "\"origin\":0" or NULL); *first tracks commas. */
int hh_isochrone_write_features(void *fp, const hh_isochrone *iso, const char *mode,
                                const char *extra, int *first);
/* The same with choices (the HTTP API's Valhalla-shaped output): */
typedef struct hh_isochrone_geojson {
    const char *mode;              /* the "mode" property */
    const char *extra;             /* JSON members for every feature, or NULL */
    const char *const *band_extra; /* n_bands: JSON members per band (NULL entries: none), or NULL */
    int largest_first;             /* bands from the largest cutoff down (Valhalla's order) */
    int contour;                   /* also "contour": minutes (Valhalla's name), first */
    int lines;                     /* outer rings only: a LineString (one polygon) or a
                                    * MultiLineString, not a MultiPolygon */
} hh_isochrone_geojson;
int hh_isochrone_write_geojson(void *fp, const hh_isochrone *iso, const hh_isochrone_geojson *o, int *first);

/* ---- opportunities (layers) ------------------------------------------ */
/* Named numeric layers on points: jobs, population, schools...  A point
 * carries one value per layer (0 where a layer does not cover it); values
 * are finite and >= 0.  Points are WGS-84 lon/lat; analyses attach them to
 * each mode's streets by snapping, like any other point.  Owned by the
 * caller: hh_layers_free (NULL-safe) releases every array. */
typedef struct hh_layers {
    size_t n_layers;
    char **name;         /* n_layers layer names (unique) */
    uint64_t *n_blank;   /* n_layers: blank CSV cells / null GeoJSON properties read as 0 */
    size_t n;            /* points */
    double *lon, *lat;   /* n */
    double *value;       /* n * n_layers, point-major: value[i * n_layers + l] */
    char *skipped;       /* NULL, or one line for a human naming what the read left
                          * out: CSV columns skipped as text (each with its first
                          * non-number), GeoJSON features without a point or polygon */
} hh_layers;

/* How GeoJSON polygons (districts' census totals) become points. */
typedef enum hh_polygon_rule {
    HH_POLY_AREA = 0,    /* area-weighted: the polygon is cut by a square lattice of
                          * sample_m cells (local equal-area projection); each piece
                          * gets value x (its area / the polygon's) at its centroid;
                          * a polygon of at most one cell's area: as HH_POLY_CENTROID */
    HH_POLY_CENTROID = 1 /* the whole value at one point inside the polygon
                          * (its centroid, or a point on its surface when the
                          * centroid falls outside) */
} hh_polygon_rule;

struct hh_layers_opts {
    hh_polygon_rule polygons; /* default HH_POLY_AREA */
    double sample_m;          /* HH_POLY_AREA lattice, metres; <= 0: 100 */
    const char *prefix;       /* raster layers: a 1-band raster's layer name, else
                               * <prefix>_b<k> for band k (1-based) unless the band has
                               * a description (default prefix: the file's stem) */
};

/* Reads opportunity layers from a file, chosen by its suffix (any case):
 *  .csv      points, one per row (columns lon/lat found as hh_points_read
 *            does); every other named column whose non-blank cells are all
 *            numbers is a layer; id, unnamed and text columns are not (the
 *            text ones are named in out->skipped); blanks are 0 and counted.
 *  .geojson / .json  Point, MultiPoint, Polygon or MultiPolygon features
 *            (another CRS than WGS-84 is reprojected); every Integer,
 *            Integer64 or Real property but id and booleans is a layer,
 *            null or absent = 0 and counted.  A MultiPoint's values are
 *            split evenly among its points; polygons follow o->polygons (a
 *            polygon whose values are all 0 makes no point; an invalid one
 *            is repaired first).  Features without geometry or with another
 *            type are left out and counted in out->skipped.
 *  .tif / .tiff (any raster GDAL reads)  one layer per band: each cell's
 *            value at its centre (nodata, NaN and 0 cells dropped; a cell
 *            is a point when any band has a value), reprojected to lon/lat
 *            when the raster has another CRS; without CRS it must be in
 *            degrees (then taken as WGS-84).
 * Errors name the file (and line, feature or cell): HH_EIO missing file;
 * HH_EEMPTY no row/feature/cell or no numeric layer; HH_EFORMAT negative or
 * non-finite values, bad coordinates, unreadable file; HH_ERANGE a polygon
 * whose lattice (HH_POLY_AREA) would have more than HH_LAYERS_MAX_LATTICE
 * cells, before any is made.  opts may be NULL. */
#define HH_LAYERS_MAX_LATTICE (1 << 24)
int hh_layers_read(const char *path, const hh_layers_opts *opts, hh_layers *out, char *err, size_t errlen);
void hh_layers_free(hh_layers *l);
/* Appends b's points and layers to a: a layer b shares with a by name gets
 * b's values at b's points; other layers are 0 at the other set's points;
 * n_blank adds up; a->skipped stays as it was.  b may be a.  On failure
 * (HH_ENOMEM) a is unchanged. */
int hh_layers_append(hh_layers *a, const hh_layers *b);
/* The 15-minute preset's daily-service layer rules (what build extracts
 * unless told not to), i = 0, 1, ...; NULL past the last.  Their names
 * (the part before the first '=') are the layers `access --preset 15min`
 * checks. */
const char *hh_preset_15min_rule(size_t i);
/* The preset's daily-service layers (schools, healthcare, groceries,
 * pharmacies, parks, transit_stops) that l has with any opportunity: their
 * indices into sel (at most cap), the count returned; the names of the
 * others, comma-separated, into missing (may be NULL). */
size_t hh_preset_15min_layers(const hh_layers *l, size_t *sel, size_t cap, char *missing, size_t missing_len);
/* Index of the layer called name, or -1. */
int hh_layers_find(const hh_layers *l, const char *name);
/* A copy of the layers stored in the network at build time (none: n_layers 0). */
int hh_net_layers(const hh_net *net, hh_layers *out);

/* ---- grids ------------------------------------------------------------ */
/* A regular grid of square cells in a Lambert azimuthal equal-area
 * projection centred on the region (every cell the same area on the ground).
 * Cell i = row * nx + col, row 0 the northernmost. */
typedef struct hh_grid {
    double cell_m;       /* cell side, metres */
    uint32_t nx, ny;     /* columns, rows */
    double x0, y1;       /* projected west and north edges of the grid, metres */
    char proj[160];      /* the grid's PROJ string ("+proj=laea +lat_0=... +lon_0=...") */
    size_t n;            /* nx * ny */
    double *lon, *lat;   /* cell centres, WGS-84 */
} hh_grid;
/* Covers the network's street bbox with cells of cell_m metres (10 ..
 * 100000), centred on it; HH_ERANGE (out untouched) for another cell_m or
 * when that would be more than 2^26 cells. */
int hh_grid_make(const hh_net *net, double cell_m, hh_grid *out, char *err, size_t errlen);
/* The same over a lon/lat box (min <= max, inside [-180,180] x [-90,90]:
 * else HH_EINVAL), centred on the box, with at most max_cells cells (0:
 * 2^26): more is HH_ERANGE with a message, before anything is allocated. */
int hh_grid_make_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double cell_m,
                      size_t max_cells, hh_grid *out, char *err, size_t errlen);
void hh_grid_free(hh_grid *g); /* NULL-safe */
/* The cell's outline as a closed, counter-clockwise lon/lat ring:
 * ring[0..9] = 5 lon,lat pairs (the first corner repeated), south-west
 * corner first.  HH_EINVAL for cell >= g->n.  Sets up a projection each
 * call (about 0.1 ms): fine for a few cells; the writers below do all. */
int hh_grid_cell_ring(const hh_grid *g, size_t cell, double ring[10]);
/* The cell holding a lon/lat point: 0 and *cell, or HH_ERANGE outside the grid. */
int hh_grid_cell_of(const hh_grid *g, double lon, double lat, size_t *cell);
/* The same for n points at once (one projection set-up): cell[i], or
 * SIZE_MAX for a point outside the grid. */
int hh_grid_cells_of(const hh_grid *g, const double *lon, const double *lat, size_t n, size_t *cell);

/* ---- accessibility ---------------------------------------------------- */
/* Decay functions: R5's (Conveyal; r5r passes its arguments through), as
 * R5's com.conveyal.r5.analyst.decay classes compute them (t: travel time,
 * c: the cutoff, both seconds, c >= 0; v: decay_value):
 *  step               f = 1 if t < c, else 0 (cumulative opportunities;
 *                     R5 counts t strictly below the cutoff: f(c) = 0)
 *  linear             f = 1 up to c - w/2, 0 from c + w/2, straight between
 *                     (f(c) = 1/2); w = v minutes (the width), 0 < v < 60
 *  logistic           f = (1 + exp(-c/s)) / (1 + exp((t - c) / s)),
 *                     s = v min * sqrt(3) / pi (v: the standard deviation in
 *                     minutes, 0 < v < 120): the logistic 1/(1 + exp((t-c)/s))
 *                     scaled so that f(0) = 1, hence f(c) = (1 + exp(-c/s))/2,
 *                     a little above 1/2
 *  exponential        f = 2^(-t / c)   (c is the half-life; v is not used)
 *  fixed-exponential  f = exp(-v * t), t in SECONDS, 0 < v < 1 (R5's and
 *                     r5r's per-second constant: a per-minute constant is
 *                     v / 60); the cutoff is not used
 * A t below 0 counts as 0 (f(0) = 1 but for step with c = 0); t NAN or
 * +inf (not reached) has f = 0.  Every function is 0 past the search's
 * limit (hh_access_opts.max_s), which the caller applies (R5 cuts the
 * exponentials at two hours).  Our t is real: R5's linear ramp, in whole
 * seconds, evaluates second s at s + 0.5. */
typedef enum hh_decay {
    HH_DECAY_STEP = 0,
    HH_DECAY_LINEAR,
    HH_DECAY_LOGISTIC,
    HH_DECAY_EXPONENTIAL,
    HH_DECAY_FIXED_EXPONENTIAL
} hh_decay;
/* "step", "linear", "logistic", "exponential", "fixed-exponential" (R5's
 * names; r5r's "fixed_exponential" is accepted too); HH_EINVAL otherwise. */
int hh_decay_parse(const char *s, hh_decay *out);
/* The name hh_decay_parse reads ("fixed-exponential" for that one); "?" for
 * a value outside the enum. */
const char *hh_decay_name(hh_decay d);
/* HH_EINVAL when v is out of the function's range, R5's checks (linear:
 * 0 < v < 60; logistic: 0 < v < 120; fixed-exponential: 0 < v < 1; NAN
 * fails them all); step and exponential take any v. */
int hh_decay_check(hh_decay d, double v);
/* The travel time (s) past which every weight of d (value v, cutoff
 * cutoff_s) is 0 or below 1e-4, capped at limit_s: how far a search for
 * this cutoff must go (step: the cutoff; linear: its end; logistic: the
 * tail; the exponentials: limit_s). */
double hh_decay_reach(hh_decay d, double v, double cutoff_s, double limit_s);
/* f(t_s) in [0, 1] as above; v must pass hh_decay_check. */
double hh_decay_weight(hh_decay d, double v, double cutoff_s, double t_s);
/* The decay value used when none is given: linear and logistic 10
 * (minutes), fixed-exponential 0.001 (per second), the others 0 (unused). */
double hh_decay_default_value(hh_decay d);

/* ---- equity figures ---------------------------------------------------- */
/* Over residents: access values acc[i] of n places, each weighted by w[i]
 * residents (places with w <= 0 or NaN, or a NAN value, do not count); a
 * place is w residents who all have its value.  src/access/equity.c gives
 * the formulas and how they compare with the IPEA accessibility package. */
#define HH_EQUITY_MAX_THRESHOLDS 8
typedef struct hh_equity {
    double residents;   /* sum of the weights counted */
    size_t places;      /* places counted */
    double mean;        /* weighted mean */
    double median;      /* lower weighted median: the smallest value whose
                         * cumulative weight (values <= it) is >= half */
    double gini;        /* weighted Gini coefficient of access over residents,
                         * sum w_i w_j |x_i - x_j| / (2 W^2 mean), 0..1; NAN
                         * when all access is 0 */
    double palma;       /* access share of the richest 10 % of residents (ranked
                         * by access; boundary places split) over the poorest
                         * 40 %'s: 0.25 when all are equal; INFINITY when those
                         * have none and the top has some, NAN for 0 / 0 */
    size_t n_thresholds;
    double threshold[HH_EQUITY_MAX_THRESHOLDS];
    double share_above[HH_EQUITY_MAX_THRESHOLDS]; /* share of residents with access >= threshold */
} hh_equity;
/* HH_EEMPTY (out untouched) when no resident counts; HH_EINVAL for more
 * than HH_EQUITY_MAX_THRESHOLDS thresholds, a NAN threshold, or a counted
 * place with a negative or infinite value or an infinite weight. */
int hh_equity_compute(const double *acc, const double *w, size_t n, const double *thresholds,
                      size_t n_thresholds, hh_equity *out);

/* Districts: named polygons from a GeoJSON file (read with GDAL's GeoJSON
 * driver, lon/lat), for per-district tables.  Each Polygon or MultiPolygon
 * feature is a district, in file order; its name is the first of the
 * properties name, NAME, district, id (exact spelling) that is present and
 * not empty, else the feature's 1-based number among all the file's
 * features.  Features without a (Multi)Polygon (points, lines, no or an
 * empty geometry) are skipped and counted.  Errors name the file: HH_EIO
 * (cannot read), HH_EFORMAT (not GeoJSON, a polygon GEOS cannot take),
 * HH_EEMPTY (no polygon feature at all).  One handle may serve several
 * threads: hh_districts_assign calls on it run one at a time. */
typedef struct hh_districts hh_districts;
int hh_districts_read(const char *path, hh_districts **out, char *err, size_t errlen);
void hh_districts_free(hh_districts *d); /* NULL-safe */
size_t hh_districts_count(const hh_districts *d);
/* Features of the file that were not districts. */
size_t hh_districts_skipped(const hh_districts *d);
/* District i's name (UTF-8, as in the file); NULL when i >= the count. */
const char *hh_districts_name(const hh_districts *d, size_t i);
/* of[i] = the district holding point i (lon[i], lat[i]), the first in file
 * order, a point on a border included; -1 when none does or the point is
 * not finite.  HH_ENOMEM leaves of untouched. */
int hh_districts_assign(const hh_districts *d, const double *lon, const double *lat, size_t n, int32_t *of);

/* ---- tables of values per origin (access results) and their files ---- */
/* One row per origin (a grid cell or a point), one column per figure.
 * Writers: CSV and GeoJSON are written by the library itself, GeoPackage
 * and GeoTIFF through GDAL; every file appears only when complete (as
 * hh_out does) and may also be a FIFO or /dev/stdout.
 * Column names must be non-empty, distinct ignoring case, and none of id,
 * lon, lat, fid, geom (the files' own fields): else HH_EINVAL.  Values:
 * whole numbers below 1e15 are printed in full, others with 10 significant
 * digits; infinities are kept except in GeoJSON (null). */
typedef struct hh_table {
    size_t n_rows, n_cols;
    char **col;           /* n_cols column names */
    double *v;            /* n_rows * n_cols, row-major; NAN: no value (nodata) */
    char **id;            /* n_rows origin ids; NULL: the row number (grid cell index) */
    double *lon, *lat;    /* n_rows origin positions; NULL with a grid: its cell centres */
    const hh_grid *grid;  /* not owned; set when row i is the grid's cell i (polygons, GeoTIFF) */
} hh_table;
void hh_table_free(hh_table *t); /* frees col, v, id, lon, lat; not grid */

typedef enum hh_table_format {
    HH_TABLE_CSV = 0,  /* id,lon,lat then one column each (empty: no value) */
    HH_TABLE_GEOJSON,  /* FeatureCollection: cells as polygons (grid) or points; columns as properties (null: no value) */
    HH_TABLE_GPKG,     /* GeoPackage, one layer: the same features and attributes, EPSG:4326 */
    HH_TABLE_GTIFF     /* GeoTIFF (grid only): one Float32 band per column, band
                        * descriptions = column names, nodata -9999, the grid's CRS */
} hh_table_format;
/* By the path's suffix: .csv .geojson/.json .gpkg .tif/.tiff; HH_EINVAL otherwise. */
int hh_table_format_of(const char *path, hh_table_format *out);
/* Writes t to path ("-": stdout, CSV and GeoJSON only) in format f; layer
 * names the GeoPackage layer (NULL: "access").  GeoTIFF without a grid is
 * HH_EINVAL.  On failure nothing is left at path.  GDAL makes its file in
 * a temporary folder beside path's file (in $TMPDIR when path is a FIFO or
 * a device), which is then copied to path and removed. */
/* The 15-minute check's columns, appended to an access table whose first
 * n_layers x n_cutoffs columns are <layer>_<min> (layer-major, one value
 * per cutoff): services_<min>, the layers reached (value > 0) per cutoff,
 * then all_services_<min>, 1 when every one is; nodata where any is. */
int hh_table_add_services(hh_table *t, size_t n_layers, size_t n_cutoffs, const double *minutes);
int hh_table_write(const hh_table *t, hh_table_format f, const char *path, const char *layer,
                   char *err, size_t errlen);
/* Column col of a grid table as a PNG in memory, for web maps: the cells
 * reprojected to Web Mercator (EPSG:3857; nearest cell), coloured with the
 * viridis ramp from range[0] (dark) to range[1] (yellow) -- range NULL: the
 * column's finite minimum and maximum -- and transparent where there is no
 * value.  *png (free with hh_buffer_free) and *len get the file; bbox the
 * lon/lat of the image's edges (west, south, east, north), out_range the
 * range used.  HH_EINVAL without a grid; HH_ERANGE for an image of more
 * than 4096 pixels a side. */
int hh_table_png(const hh_table *t, size_t col, const double *range, unsigned char **png, size_t *len,
                 double bbox[4], double out_range[2], char *err, size_t errlen);
void hh_buffer_free(void *p);

/* The same run on a base network and on a scenario (hh_scenario_apply),
 * side by side: base and scen must have the same rows (origins: count,
 * ids, positions) and the same columns.  out gets, per column c, the
 * columns c_base, c_scenario and c_diff (scenario minus base; no value
 * where either has none), rows as scen's (grid kept: a GeoTIFF gets a band
 * of the difference).  HH_EINVAL when the tables do not match, HH_ENOMEM;
 * out is the caller's (hh_table_free). */
int hh_table_compare(const hh_table *base, const hh_table *scen, hh_table *out);

/* ---- access runs ------------------------------------------------------- */
/* Per origin (grid cells or points), per layer, per cutoff (and, transit,
 * per percentile): opportunities reached, weighted by the decay function
 * (step: cumulative); optionally the time to the n-th nearest opportunity
 * and the two-step floating catchment.  Every opportunity point is snapped
 * to the mode's streets like any point (walk for transit); those that do
 * not snap are left out and counted.  The columns of the result, in order:
 *   <layer>_<min>[_p<pct>]          access (cumulative or gravity)
 *   <layer>_nearest[<n>]_min[_p<pct>] minutes to the n-th nearest unit of the
 *                                   layer (n = 1: no number); empty when
 *                                   fewer than n are reached
 *   <supply>_2sfca_<min>[_p<pct>]   two-step floating catchment: sum over
 *                                   the supply points reached of
 *                                   supply / (demand reaching that supply),
 *                                   both steps weighted by the decay
 * Transit adds _p<pct> to every column; with HH_PCT_OF_TIMES (R5's rule)
 * access is computed from the p-th percentile travel time to each
 * opportunity, with HH_PCT_OF_ACCESS it is the p-th percentile, over the
 * departure minutes x draws, of the access each departure gives (2SFCA
 * always uses percentile times). */
typedef enum hh_pct_of { HH_PCT_OF_TIMES = 0, HH_PCT_OF_ACCESS = 1 } hh_pct_of;
/* "times" or "access"; HH_EINVAL otherwise. */
int hh_pct_of_parse(const char *s, hh_pct_of *out);

typedef struct hh_access_opts {
    hh_mode mode;                /* street mode, when transit is NULL */
    const hh_transit *transit;   /* walk + transit (its max_s must cover the reach) */
    const double *pct;           /* transit percentiles (0 < p <= 100) */
    size_t n_pct;
    hh_pct_of pct_of;
    const double *minutes;       /* cutoffs, strictly increasing, > 0 */
    size_t n_minutes;
    hh_decay decay;
    double decay_value;
    const size_t *layers;        /* layer indices to report */
    size_t n_layers;
    const unsigned *nearest;     /* n-th nearest to report (1 = the nearest), n >= 1 */
    size_t n_nearest;
    int sfca_supply, sfca_demand; /* layer indices for 2SFCA, or -1 (none) */
    double max_s;                /* street search limit for decays without their own
                                  * end (exponential, fixed-exponential) and for nearest;
                                  * 0: 7200 */
    double snap_max_m;
    int threads;                 /* <= 0: all cores; output identical for any count */
    const hh_stop *stop;         /* NULL: runs to the end */
    hh_spread *spread;           /* NULL: this process alone, no checkpoint */
} hh_access_opts;

typedef struct hh_access_stats {
    size_t origins, origins_snapped;
    size_t opp_points, opp_unsnapped; /* opportunity points used, and left out (did not snap) */
    double opp_lost[64];             /* per reported layer (up to 64): value of those left out */
    double seconds;
} hh_access_stats;

/* Fills out (columns as above; row i is origin i, lon/lat set, ids copied
 * when origins has them); st may be NULL.  HH_EINVAL with a message for bad
 * options (unknown layer, no cutoff, a transit option without transit...). */
int hh_access_run(const hh_net *net, const hh_access_opts *o, const hh_layers *layers, const hh_points *origins,
                  hh_table *out, hh_access_stats *st, char *err, size_t errlen);

/* ---- facility siting -------------------------------------------------- */
/* (declarations of src/plan/site.c) */
/* Maximal covering location (MCLP, Church & ReVelle 1974): of the
 * candidate sites, choose at most k that maximise the demand covered, given
 * the existing facilities (kept, never chosen).  Demand point i (weight
 * w_i > 0 in a layer) is covered by a site when its travel time FROM i TO
 * the site is below T: t < T, the step rule of access's cumulative measure
 * (hh_decay_weight, HH_DECAY_STEP).  The coverage relation comes from the
 * many-origin driver (origins = demand points, destinations = candidates
 * and existing), transit at one percentile of the travel time.
 *  greedy (default)  repeatedly the candidate adding the most uncovered
 *                    demand, ties to the lowest candidate index, with lazy
 *                    evaluation (CELF: stale upper bounds in a max-heap);
 *                    coverage is submodular, so it is within 1 - 1/e (63 %)
 *                    of the optimum (Nemhauser, Wolsey & Fisher 1978)
 *  exact             a MILP solved by GLPK (branch and cut, presolve on)
 *                    within time_limit_s: x_j binary per candidate, y_i in
 *                    [0, 1] per demand point not already covered; max sum
 *                    w_i y_i, y_i <= sum over sites j covering i of x_j,
 *                    sum x_j <= k.  On the time limit, the best solution found
 *                    (never worse than greedy's) and the gap to the best bound.
 * Set covering (cover = F in (0, 1]): the fewest sites whose coverage, with
 * the existing', reaches F x demand_total (greedy: add the best site until it
 * does; exact: min sum x_j s.t. sum w_i y_i >= F x W - covered before,
 * y_i <= sum x_j).  HH_ERANGE when even every candidate together falls short.
 * Both stop early rather than choose a site that adds nothing: fewer than k
 * sites come back when the rest cover no more demand.
 * The solver is GLPK's (its allocations do not go through hh_set_allocator;
 * on running out of memory GLPK aborts the process).  Calls may run in
 * several threads at once (GLPK keeps one environment per thread; a run
 * frees the environment only when it created it, so a program's own GLPK
 * objects in that thread are left alone). */
typedef struct hh_site_opts {
    hh_mode mode;              /* street mode, when transit is NULL */
    const hh_transit *transit; /* walk + transit (its max_s must be >= minutes x 60) */
    double percentile;         /* transit: of the travel time, 0 < p <= 100 */
    double minutes;            /* T: covered when the time is below it, > 0 */
    size_t k;                  /* MCLP: sites to choose (>= 1); 0 with cover */
    double cover;              /* set covering: demand share to reach, (0, 1]; 0: MCLP */
    int exact;                 /* 1: GLPK's MILP instead of greedy */
    double time_limit_s;       /* exact: solver time limit, seconds; <= 0: 60 */
    double snap_max_m;
    int threads;               /* <= 0: all cores; results identical for any count */
    const hh_stop *stop;       /* NULL: runs to the end (the exact solver keeps its time limit) */
    hh_spread *spread;         /* NULL: this process alone (the coverage step spreads) */
} hh_site_opts;

typedef struct hh_site_result {
    size_t n_chosen;
    size_t *chosen;          /* candidate indices, in the order chosen (exact: the
                              * solver's set ordered greedily) */
    double *marginal;        /* demand each adds to what the existing and the sites
                              * before it cover */
    double *covered;         /* demand covered after adding it, existing included */
    double demand_total;     /* all demand (weights > 0), points that did not snap included */
    double covered_before;   /* by the existing facilities alone */
    double covered_after;    /* by them and the chosen sites */
    double coverable;        /* by the existing and every candidate: no choice covers more */
    int exact;               /* 1: an exact run (GLPK) */
    int optimal;             /* exact: 1 when proven optimal */
    int time_limit;          /* exact: 1 when the solver stopped at the time limit */
    double bound;            /* exact: the best bound (MCLP: demand covered, existing
                              * included, cannot exceed it; cover: sites needed are at
                              * least it); NAN when unknown or greedy */
    double gap;              /* exact: (bound - found) / found for MCLP over the demand the
                              * new sites cover, (found - ceil(bound)) / found for cover;
                              * 0 when optimal, NAN when unknown or greedy */
    double seconds;          /* the whole run */
    size_t demand_points, demand_unsnapped;  /* demand points with weight > 0; of them, not snapped */
    double demand_unsnapped_w;               /* their weight (part of demand_total, never covered) */
    size_t candidates_unsnapped, existing_unsnapped;
} hh_site_result;

/* demand: the points and their weights, layer demand_layer (values <= 0
 * do not count); candidates: n >= 1 points; existing may be NULL or empty.
 * HH_EINVAL with a message for bad options; HH_EEMPTY when the layer has no
 * demand; HH_ERANGE for an unreachable cover share.  out is the caller's:
 * hh_site_result_free. */
int hh_site_run(const hh_net *net, const hh_site_opts *o, const hh_layers *demand, size_t demand_layer,
                const hh_points *candidates, const hh_points *existing, hh_site_result *out, char *err,
                size_t errlen);
void hh_site_result_free(hh_site_result *r); /* NULL-safe; frees the arrays */


/* ---- the half-hour report ---------------------------------------------- */
/* Named centres (CSV id,name,lon,lat; name optional, then the id; UTF-8,
 * any script): whether they lie within T minutes of each other per mode,
 * each centre's T-minute circle and their union (polygons, area, the
 * residents inside: points of a layer reached within T, as access counts
 * them), per district too.  Free with hh_centres_free / hh_report_free. */
typedef struct hh_centres {
    size_t n;
    char **id, **name;
    double *lon, *lat;
} hh_centres;
int hh_centres_read(const char *path, hh_centres *out, char *err, size_t errlen);
void hh_centres_free(hh_centres *c);

typedef struct hh_report_mode_opts {
    hh_mode mode;              /* a street mode, when transit is NULL */
    const hh_transit *transit; /* walk + transit */
} hh_report_mode_opts;

typedef struct hh_report_opts {
    double minutes;                 /* T */
    const hh_report_mode_opts *modes;
    size_t n_modes;                 /* 1 .. 8 */
    const double *pct;              /* transit: percentiles of the centre-to-centre times (1 .. 8) */
    size_t n_pct;
    double circle_pct;              /* transit: the percentile circles and residents use (R5's rule) */
    const hh_layers *layers;        /* residents (or any layer); NULL: none */
    int weight_layer;               /* index into layers, or -1 */
    const hh_districts *districts;  /* NULL: none */
    double snap_max_m;
    int threads;
    const hh_stop *stop;            /* NULL: runs to the end */
} hh_report_opts;

typedef struct hh_report_mode {
    char name[16];           /* "car", "transit", ... */
    size_t n_val;            /* values per pair: 1, or transit's n_pct */
    double *time_s;          /* [(i * n_c + j) * n_val + p]: centre i to j, NAN unreachable */
    hh_isochrone *circle;    /* n_c: the T-minute area of each centre (n_bands 0: did not snap) */
    double *circle_km2;      /* n_c */
    double union_km2;        /* the union of the circles */
    char *union_geojson;     /* its geometry as GeoJSON (a MultiPolygon), or NULL when empty */
    double *inside;          /* n_c: layer total reached within T from each centre */
    double union_inside;     /* reached from at least one */
    double *d_inside;        /* districts: [d * (n_c + 1) + i], i = n_c the union */
    double *d_mean_min;      /* districts: mean minutes to the nearest centre over the layer
                              * reached within T, weighted; NAN when none */
    unsigned char *pt_inside; /* per point of the layer (hh_report.n_pts): 1 when reached
                               * within T from some centre (inside the union) */
} hh_report_mode;

typedef struct hh_report {
    const hh_centres *c;     /* not owned */
    double minutes;
    double pct[8];           /* transit: the percentiles of the times */
    size_t n_pct;
    unsigned char *snapped;  /* n_c: per mode [m * n_c + i] */
    char weight_name[64];    /* "" without a layer */
    double total;            /* the layer's total over the network's points */
    size_t n_d;              /* districts (0 without) */
    char **d_name;           /* not owned (the districts') */
    double *d_total;         /* n_d: the layer's total in each district */
    double outside_districts; /* the layer's total in no district */
    size_t n_modes;
    hh_report_mode *modes;
    size_t n_pts;            /* the layer's points with a value ... */
    double *pt_w;            /* ... their values */
    int32_t *pt_d;           /* ... and districts (-1: none); NULL without districts */
    /* --compare: the same report on the base network, set by the caller
     * before hh_report_write (not owned): the report then adds, per mode,
     * the union's area and residents on both and their difference, and the
     * residents newly inside the circle (inside the union on this network,
     * not on the base) and no longer inside, per district too; files
     * compare.csv and, with districts, compare_districts.csv */
    const struct hh_report *compare_base;
    const char *compare_name;
} hh_report;

int hh_report_run(const hh_net *net, const hh_report_opts *o, const hh_centres *c, hh_report *out, char *err,
                  size_t errlen);
void hh_report_free(hh_report *r);
/* Writes into folder dir (created if missing): index.html (tables and a map
 * as inline SVG over the street network, legend, scale bar, attribution),
 * report.md, circles.geojson, times.csv, circles.csv and, with districts,
 * districts.csv.  Each file appears complete or not at all. */
int hh_report_write(const hh_net *net, const hh_report *r, const char *dir, char *err, size_t errlen);

/* ---- scenarios --------------------------------------------------------- */
/* (declarations of src/plan/scenario.c) */
/* A scenario is the base network with a change file applied: new streets,
 * streets closed or slowed (or sped up) per mode, a new transit line,
 * routes' frequencies, speeds and dwell times adjusted, trips or stops
 * removed, routes rerouted (docs/scenarios.md has every type and its
 * properties).  hh_scenario_apply reads the base file (never writes it),
 * applies the modifications through the build stage's own steps -- arcs
 * and islands, spatial index, the car's turn graph, stop links and
 * footpaths -- and writes out_path atomically: the speed-up index is
 * updated in place where a change only adds or speeds up (new streets and
 * lines), recontracted in the base's order where something got slower or
 * closed; the file records the change file (its SHA-256 and a summary),
 * which hh_net_scenario returns.  Each modification is validated (unknown
 * route, stop or way ids, a street end or a stop too far from the
 * network, a zero headway ...) with a one-line error naming the Feature;
 * on any error nothing is written.  A change file without modifications
 * gives a network whose every answer equals the base's. */
typedef struct hh_scenario_stats {
    size_t n_mods;
    uint32_t streets_added;     /* add-street edges */
    uint32_t edges_split;       /* base edges split where a new street joins them */
    uint32_t edges_changed;     /* edges modify-street changed (speed or closure) */
    uint32_t stops_added, routes_added, trips_added, trips_removed, trips_changed;
    int ch_how[HH_N_MODES];     /* the mode's hierarchy: -1 kept as it was, 0 updated in
                                 * place, 1 contracted again in the base's order */
    int transit_how;            /* -1 kept as it was (or none), 0 stop links kept (new stops
                                 * linked), 1 linked again (the walk network changed) */
    double seconds;
    uint64_t file_bytes;
    char sha256[65];            /* of the change file */
    char summary[512];
} hh_scenario_stats;
int hh_scenario_apply(const char *base_path, const char *change_path, const char *out_path,
                      hh_scenario_stats *st, char *err, size_t errlen);

/* The change a network file was made with (hh_scenario_apply): 1 and out
 * filled, or 0 when it was built from sources.  change is the change file's name, sha256 its
 * hash, summary what it did, base the base file's source.  Strings belong
 * to the network. */
typedef struct hh_net_scenario_info {
    const char *change, *sha256, *summary, *base, *applied_at;
} hh_net_scenario_info;
int hh_net_scenario(const hh_net *net, hh_net_scenario_info *out);

#ifdef __cplusplus
}
#endif
#endif
