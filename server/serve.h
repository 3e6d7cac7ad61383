/* serve.h: `halfhour serve`, the HTTP server over one network file
 * (docs/http.md is the API).  The CLI verb fills hh_serve_opts and calls
 * hh_serve_run, which returns when SIGTERM or SIGINT has stopped it. */
#ifndef HH_SERVER_SERVE_H
#define HH_SERVER_SERVE_H

#include <stddef.h>

#include "halfhour.h"

typedef struct hh_serve_limits {
    size_t body_bytes;       /* request body, bytes */
    size_t locations;        /* points in each list of a request */
    size_t contours;         /* isochrone cutoffs */
    size_t matrix_cells;     /* table sources x destinations */
    size_t grid_cells;       /* access grid cells, site grid candidates */
    size_t network_features; /* /network features before "truncated" */
    double time_budget_s;    /* seconds a request may compute */
    size_t scenario_features; /* modifications in one /scenario change */
    size_t scenarios;        /* /scenario requests computing at once */
} hh_serve_limits;
void hh_serve_limits_default(hh_serve_limits *l);

/* How an isochrone's polygons are drawn (the request's denoise, generalize
 * and holes), validated by the request parser and handed to the polygon
 * step in one place (handlers.c: iso_polygons). */
typedef struct hh_serve_shape {
    double denoise;    /* 0..1 (default: the library's, hh_iso_opts_default) */
    double generalize; /* metres >= 0, or HH_ISO_GENERALIZE_AUTO (the default) */
    int holes_fill;    /* 1: "fill" (the default: holes no street enters filled), 0: "all" */
} hh_serve_shape;

typedef struct hh_serve_opts {
    const char *net_path;
    const char *bind;           /* address to listen on, default 127.0.0.1 */
    int port;                   /* 0: a free port */
    int threads;                /* worker threads, <= 0: the cores */
    const char *web_dir;        /* the map's files; NULL: none */
    const hh_layers *layers;    /* the network's and the files' (caller's) */
    hh_serve_limits lim;
    unsigned max_connections;
    unsigned connection_timeout_s; /* idle connections */
    double read_timeout_s;      /* a body must arrive within this after the headers */
    /* SIGHUP: reload gives a network and its layers to serve from then on
     * (and a handle of its own); release(ud, handle) is called once no
     * request uses them any more.  0, or a code with err (the server then
     * keeps its network).  reload NULL: SIGHUP is ignored. */
    int (*reload)(void *ud, const hh_net **net, const hh_layers **layers, void **handle, char *err,
                  size_t errlen);
    void (*release)(void *ud, void *handle);
    void *reload_ud;
    void *first_handle; /* the first network's handle for release; NULL: the caller's to close */
} hh_serve_opts;

/* Runs until SIGTERM/SIGINT (SIGHUP: reload, above); prints "halfhour serve: listening on URL" on
 * stdout once listening.  0 after a clean stop; else a code with err. */
int hh_serve_run(const hh_net *net, const hh_serve_opts *o, char *err, size_t errlen);

#endif
