/* change.h: a scenario's change file (GeoJSON, one modification per
 * Feature; docs/scenarios.md) read into plain structs, and what applying
 * them needs.
 *
 * hh__change_read() parses and checks everything that can be checked
 * without the network (types, properties, numbers, geometry); what needs
 * the network (ids that must exist, stops that must join the streets) is
 * checked when the change is applied, with messages naming the Feature the
 * same way: "FILE: feature 3 (add-line \"Express 1\"): ...".
 * Memory: a hh__change owns every array in it; hh__change_free releases
 * them (NULL-safe).  Nothing global; reentrant. */
#ifndef HH_PLAN_CHANGE_H
#define HH_PLAN_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "halfhour.h"

typedef enum {
    HH__MOD_ADD_STREET = 0,
    HH__MOD_MODIFY_STREET, /* also "road-congestion": a speed factor over an area */
    HH__MOD_ADD_LINE,
    HH__MOD_ADJUST_FREQUENCY,
    HH__MOD_ADJUST_SPEED,
    HH__MOD_ADJUST_DWELL,
    HH__MOD_REMOVE_TRIPS,
    HH__MOD_REMOVE_STOPS,
    HH__MOD_REROUTE,
    HH__MOD_N
} hh__mod_kind;

#define HH__NOTIME INT32_MIN

typedef struct hh__mod {
    hh__mod_kind kind;
    const char *type;  /* the properties.type as written ("road-congestion", ...) */
    int feature;       /* 1-based position in the file */
    char *name;        /* properties.name, or NULL */
    char label[160];   /* "feature 3 (add-line \"Express 1\")" for messages */
    /* geometry: a LineString's points, or polygon rings (even-odd) */
    size_t n_pts;
    double *lon, *lat;
    size_t n_rings;
    size_t *ring_first; /* n_rings + 1 offsets into lon/lat */
    /* streets */
    uint8_t modes;       /* bit per hh_mode: the modes it is for (default: all) */
    uint8_t close;       /* modify-street: modes closed */
    double speed_kmh;    /* > 0, or 0 when not given */
    double speed_factor; /* > 0, or 0 when not given */
    int highway;         /* hh_road_class, or -1 */
    int oneway;
    double tolerance_m;  /* add-street: how far an end may be from the network */
    int64_t *way_ids;
    size_t n_way_ids;
    /* transit */
    char **route_ids;    /* routes by GTFS id (route_id or route_ids) */
    size_t n_route_ids;
    char **trip_ids;     /* remove-trips: only these trips */
    size_t n_trip_ids;
    char **stop_ids;     /* add-line/reroute: per vertex, NULL for a new stop; remove-stops/adjust-dwell: the stops */
    size_t n_stop_ids;
    char *from_stop, *to_stop; /* a section of the routes between two stops (GTFS ids) */
    int route_type;      /* add-line: GTFS route_type from "mode" */
    double headway_min;  /* > 0, or 0 when not given */
    int32_t *departures; /* seconds after midnight */
    size_t n_departures;
    double *run_times_s; /* n_pts - 1 */
    size_t n_run_times;
    double dwell_s;      /* >= 0, or -1 when not given */
    double dwell_factor; /* > 0, or 0 */
    int32_t start_s, end_s; /* service span (HH__NOTIME: not given) */
    int bidirectional;
    int exact_times;
    int32_t *dates;      /* YYYYMMDD */
    size_t n_dates;
    char *timezone;      /* add-line on a network without feeds */
} hh__mod;

typedef struct hh__change {
    char *path;          /* as given */
    char sha256[65];     /* of the file's bytes, hex */
    size_t n;
    hh__mod *mods;
} hh__change;

/* Reads and checks the change file (an empty FeatureCollection is fine:
 * a scenario without modifications).  HH_EIO, HH_EFORMAT with a one-line
 * message naming the file (and the feature), HH_ENOMEM. */
int hh__change_read(const char *path, hh__change *out, char *err, size_t errlen);
void hh__change_free(hh__change *c);

/* "3 modifications: 1 add-street, 2 add-line" style summary into buf. */
void hh__change_summary(const hh__change *c, char *buf, size_t n);

/* 1 when (lon, lat) lies inside m's rings (even-odd rule). */
int hh__mod_contains(const hh__mod *m, double lon, double lat);

#endif
