/* layers.h (build stage): opportunity layers gathered at build time -- from
 * OSM tags by rules (`--osm-layer`, and the 15-minute preset's by default),
 * from GTFS stops, and from opportunity files -- and stored in the network
 * file (sections HH_SEC_LAYER_*; net/layers.c reads them back).
 * A rule is  NAME=KEY=V1,V2[;KEY=V...][@area]:  a node or an area (closed
 * way, multipolygon) with a tag KEY=Vi counts 1 in layer NAME (an area at
 * a point inside it); `*` matches any value; `@area` weighs areas by their
 * area in hectares instead (nodes then count 0, so they drop out). */
#ifndef HH_BUILD_LAYERS_H
#define HH_BUILD_LAYERS_H

#include "halfhour.h"
#include "ingest/osm.h"
#include "transit/timetable.h"

#define HH__LAYER_NAME_MAX 63
#define HH__LAYER_ALTS 8

typedef struct hh__layer_rule {
    char name[HH__LAYER_NAME_MAX + 1];
    int by_area;
    int n_alts;
    struct {
        char key[64];
        char values[256]; /* ",v1,v2," or "*" */
    } alt[HH__LAYER_ALTS];
} hh__layer_rule;

/* HH_EINVAL with a message quoting spec when it is not a rule. */
int hh__layer_rule_parse(const char *spec, hh__layer_rule *out, char *err, size_t errlen);

/* The 15-minute preset's daily-service layers: rule specs, NULL-ended.
 * transit_stops is taken from the GTFS stops instead when feeds are given. */
extern const char *const hh__preset_15min[];
/* Its layer names, NULL-ended (what `access --preset 15min` looks for). */
extern const char *const hh__preset_15min_names[];

/* The layers of `rules` from the OSM extract's points of interest and
 * areas.  Layers without a single feature are kept (all zero), so a
 * report can say "no pharmacies in the extract". */
int hh__layers_from_osm(const hh__osm *o, const hh__layer_rule *rules, size_t n_rules, hh_layers *out);
/* A layer `name` with one point per GTFS stop (location_type 0, placed). */
int hh__layers_from_stops(const hh__timetable *tt, const char *name, hh_layers *out);
/* Removes layer l (its values; points left with no layer are dropped). */
void hh__layers_drop(hh_layers *ls, size_t l);

struct hh__net_parts;
/* Stores the layers as sections of the network being built (copied). */
int hh__layers_store(struct hh__net_parts *parts, const hh_layers *l);

#endif
