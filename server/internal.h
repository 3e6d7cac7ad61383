/* internal.h: the server's pieces (server/README in docs/http.md).
 *   request.c   JSON or query parameters -> sv_req (no network needed: the
 *               fuzz harness drives it alone)
 *   handlers.c  sv_req -> a library call -> a response body
 *   http.c      libmicrohttpd: the worker pool, limits, routing, static
 *               files, metrics, graceful shutdown
 * Every piece uses only the public halfhour.h. */
#ifndef HH_SERVER_INTERNAL_H
#define HH_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "halfhour.h"
#include "server/serve.h"

/* ---- errors ---------------------------------------------------------- */
typedef struct sv_error {
    int status;      /* HTTP status */
    char limit[24];  /* the limit's name when one was breached, else "" */
    char msg[480];
} sv_error;
/* Sets e (status, limit may be NULL) and returns -1. */
int sv_fail(sv_error *e, int status, const char *limit, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the request ------------------------------------------------------ */
typedef enum sv_endpoint {
    SV_HEALTH = 0,
    SV_INFO,
    SV_NETWORK,
    SV_ISOCHRONE,
    SV_TABLE,
    SV_ACCESS,
    SV_REPORT,
    SV_SITE,
    SV_SCENARIO,
    SV_METRICS,
    SV_STATIC,
    SV_OTHER,
    SV_N_ENDPOINTS
} sv_endpoint;
const char *sv_endpoint_name(sv_endpoint ep);

/* What parsing needs to know of the server: limits, the layers, transit. */
typedef struct sv_config {
    hh_serve_limits lim;
    const hh_layers *layers; /* names looked up; may be empty */
    int has_transit;
} sv_config;

typedef struct sv_points {
    size_t n;
    double *lon, *lat;
    char **id, **name; /* report centres; NULL otherwise */
} sv_points;

#define SV_MAX_CUTOFFS 64
#define SV_MAX_PCT 8
#define SV_MAX_LAYERS 64
#define SV_STREET_MINUTES 600.0
#define SV_TRANSIT_MINUTES 240.0

typedef enum sv_format { SV_FMT_GEOJSON = 0, SV_FMT_PNG, SV_FMT_TIF } sv_format;

typedef struct sv_req {
    sv_endpoint ep;
    /* mode */
    hh_mode mode;
    int transit;
    hh_transit_opts topt; /* date, depart_s, window, walks... (max_s set by the handler) */
    double snap_max;
    double pct[SV_MAX_PCT]; /* transit percentiles (isochrone, table, access: pct[0]...) */
    int n_pct;
    double circle_pct;      /* report */
    /* cutoffs */
    double minutes[SV_MAX_CUTOFFS];
    int n_minutes;
    double max_minutes;     /* table, access: search limit; 0: default */
    /* layers, by index into the config's */
    size_t layers[SV_MAX_LAYERS];
    size_t n_layers;
    /* isochrone */
    double lon, lat;
    int polygons;
    hh_serve_shape shape;
    /* table */
    sv_points src, dst;
    int want_duration, want_distance;
    /* access */
    int grid;               /* 1: bbox + cell; 0: the point lon, lat */
    double bbox[4];
    double cell_m;
    hh_decay decay;
    double decay_value;
    unsigned nearest[16];
    size_t n_nearest;
    int preset;             /* 15min */
    int sfca_supply, sfca_demand;
    hh_pct_of pct_of;
    sv_format format;
    char column[128];       /* png; "" the first */
    int have_range;
    double range[2];
    /* network */
    double zoom;
    /* report */
    sv_points centres;
    struct {
        hh_mode mode;
        int transit;
    } modes[8];
    size_t n_modes;
    int weight_layer;       /* report: -1 none; site: the demand layer */
    /* site */
    sv_points cand, existing;
    double site_grid_m;     /* > 0: candidates are the grid's cells */
    size_t k;
    double cover;
    int exact;
    double time_limit_s;
    /* scenario: the change (a FeatureCollection; a reference, released by
     * sv_req_free) and the analysis run on the base and on the scenario,
     * whose fields are parsed as that endpoint's (SV_ACCESS, SV_ISOCHRONE) */
    json_t *change;
    sv_endpoint analysis;
} sv_req;

/* Parses the request's fields (a JSON object: the POST body, or the GET
 * query parameters as strings) for endpoint ep into r (sv_req_free it
 * either way).  0, or -1 with e set. */
int sv_req_parse(const sv_config *cfg, sv_endpoint ep, json_t *fields, sv_req *r, sv_error *e);
/* The body's bytes: at most cfg's nesting depth, valid UTF-8 JSON object. */
json_t *sv_body_parse(const char *body, size_t len, sv_error *e);
/* One query parameter into the fields object (values must be UTF-8). */
int sv_query_add(json_t *fields, const char *key, const char *value, sv_error *e);
void sv_req_free(sv_req *r);

#define SV_MAX_DEPTH 32

/* ---- responses -------------------------------------------------------- */
typedef struct sv_resp {
    int status;
    const char *ctype;
    char *body;       /* malloc'd */
    size_t len;
    char hdr[3][2][160]; /* extra headers: name, value */
    int n_hdr;
} sv_resp;
/* The JSON error body for e. */
void sv_resp_error(sv_resp *out, const sv_error *e);
void sv_resp_json(sv_resp *out, int status, json_t *j); /* steals j */

/* ---- the handlers ----------------------------------------------------- */
typedef struct sv_server sv_server;
typedef struct sv_worker sv_worker;
/* The server's shared, read-only state after start-up. */
struct sv_server {
    uint64_t gen;           /* this state's number: each network loaded (SIGHUP) makes a new one */
    int refs;               /* http.c's: the current state's own, plus one per request using it */
    void *handle;           /* the reload's (hh_serve_opts.release), NULL for the first network */
    const hh_net *net;
    const hh_layers *layers;
    sv_config cfg;
    const char *tmpdir;     /* the server's own temporary folder */
    const char *net_path;   /* the served file (read again, never written, by /scenario) */
    int scenarios;          /* /scenario requests in flight (__atomic) */
    /* per street mode: the layer points snapped within the default snapping
     * distance (isochrone opportunities) */
    hh_snap *opp_snap[HH_N_MODES];
    unsigned char *opp_ok[HH_N_MODES];
    struct sv_transit_cache *tcache;
};
int sv_server_init(sv_server *s, const hh_net *net, const hh_layers *layers, const hh_serve_limits *lim,
                   const char *net_path, const char *tmpdir, char *err, size_t errlen);
void sv_server_free(sv_server *s);

/* This thread's workspaces, made on its first request, freed when it ends. */
sv_worker *sv_worker_get(sv_server *s);

/* Answers the parsed request r (deadline: CLOCK_MONOTONIC seconds). */
void sv_handle(sv_server *s, const sv_req *r, double deadline, sv_resp *out);
/* GET /info (the limits are part of it). */
void sv_handle_info(sv_server *s, sv_resp *out);
double sv_now(void);

#endif
