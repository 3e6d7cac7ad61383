/* snap_text.c: why points did not snap, in words: the messages the CLI
 * prints and the bindings raise (hh_snap_reason_text, hh_snap_report,
 * hh_snap_fail_text in halfhour.h), from hh_snap_explain's classes, so
 * every caller says the same thing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"
#include "util/alloc.h"

static void area_text(const hh_net *net, char *buf, size_t cap)
{
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    hh_net_info in;
    hh_net_get_info(net, &in);
    snprintf(buf, cap, "%.4f,%.4f .. %.4f,%.4f%s%s", x0, y0, x1, y1, in.source && *in.source ? "; " : "",
             in.source ? in.source : "");
}

static void dist_text(double m, char *buf, size_t cap)
{
    if (!isfinite(m))
        snprintf(buf, cap, "none within %g km", HH_SNAP_EXPLAIN_M / 1000);
    else if (m < 10000)
        snprintf(buf, cap, "%.0f m", m);
    else
        snprintf(buf, cap, "%.1f km", m / 1000);
}

void hh_snap_reason_text(const hh_net *net, const hh_snap_why *w, const char *mode_name, double snap_max, char *buf,
                         size_t cap)
{
    char area[512], d[64];
    area_text(net, area, sizeof area);
    switch (w->reason) {
    case HH_SNAP_OUTSIDE:
        if (isfinite(w->nearest_m)) {
            dist_text(w->nearest_m, d, sizeof d);
            snprintf(buf, cap, "outside the network's area (%s), nearest %s street %s", area, mode_name, d);
        } else {
            snprintf(buf, cap, "outside the network's area (%s)", area);
        }
        break;
    case HH_SNAP_SWAPPED:
        snprintf(buf, cap, "outside the network's area (%s); lon/lat look swapped: exchanged, the point is inside",
                 area);
        break;
    case HH_SNAP_TOO_FAR:
        dist_text(w->nearest_m, d, sizeof d);
        snprintf(buf, cap, "farther than %g m from the %s network (nearest street %s)", snap_max, mode_name, d);
        break;
    case HH_SNAP_INVALID:
        snprintf(buf, cap, "invalid coordinates");
        break;
    default:
        snprintf(buf, cap, "snaps");
        break;
    }
}

char *hh_snap_report(const hh_net *net, hh_mode mode, const char *mode_name, double snap_max, const char *what,
                     size_t n, const char *const *ids, const double *lon, const double *lat,
                     const unsigned char *ok, const char *note, size_t *n_bad)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += !ok[i];
    *n_bad = bad;
    if (!bad)
        return NULL;
    hh_snap_why *why = hh__alloc_array(n, sizeof *why);
    char *text = NULL;
    size_t len = 0;
    FILE *f = why ? open_memstream(&text, &len) : NULL;
    if (!f) {
        hh__free(why);
        return NULL;
    }
    size_t count[5] = {0};
    for (size_t i = 0; i < n; i++) {
        if (ok[i])
            continue;
        if (hh_snap_explain(net, mode, lon[i], lat[i], snap_max, &why[i]) || why[i].reason == HH_SNAP_OK)
            why[i].reason = HH_SNAP_TOO_FAR, why[i].nearest_m = INFINITY; /* cannot happen */
        count[why[i].reason]++;
    }
    char area[512];
    area_text(net, area, sizeof area);
    fprintf(f, "%zu %s%s did not snap%s:", bad, what, bad == 1 ? "" : "s", note ? note : "");
    static const hh_snap_reason order[] = {HH_SNAP_OUTSIDE, HH_SNAP_SWAPPED, HH_SNAP_TOO_FAR, HH_SNAP_INVALID};
    int groups = 0, area_said = 0;
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        hh_snap_reason r = order[k];
        size_t c = count[r];
        if (!c)
            continue;
        fprintf(f, "%s %zu ", groups++ ? ";" : "", c);
        switch (r) {
        case HH_SNAP_OUTSIDE:
        case HH_SNAP_SWAPPED:
            fprintf(f, "outside the network's area");
            if (!area_said)
                fprintf(f, " (%s)", area);
            area_said = 1;
            if (r == HH_SNAP_SWAPPED)
                fprintf(f, ", lon/lat look swapped (inside when exchanged)");
            break;
        case HH_SNAP_TOO_FAR:
            fprintf(f, "farther than %g m from the %s network", snap_max, mode_name);
            break;
        default:
            fprintf(f, "with invalid coordinates");
            break;
        }
        fprintf(f, ": id%s", c == 1 ? "" : "s");
        size_t shown = 0;
        for (size_t i = 0; i < n && shown < 20; i++) {
            if (ok[i] || why[i].reason != r)
                continue;
            fprintf(f, "%s%s", shown++ ? "," : " ", ids[i]);
            if (r == HH_SNAP_TOO_FAR || (r == HH_SNAP_OUTSIDE && isfinite(why[i].nearest_m))) {
                char d[64];
                dist_text(why[i].nearest_m, d, sizeof d);
                fprintf(f, " (nearest street %s)", d);
            }
        }
        if (c > shown)
            fprintf(f, ",... (%zu more)", c - shown);
    }
    int err = ferror(f);
    hh__free(why);
    if (fclose(f) || err) {
        free(text);
        return NULL;
    }
    /* the caller frees with hh_buffer_free: the library's allocator */
    char *out = hh__malloc(len + 1);
    if (out)
        memcpy(out, text, len + 1);
    free(text);
    return out;
}

int hh_snap_fail_text(const hh_net *net, hh_mode mode, const char *mode_name, const char *street, double lon,
                      double lat, double snap_max, const char *what, const char *see, char *buf, size_t cap)
{
    hh_snap_why w;
    if (hh_snap_explain(net, mode, lon, lat, snap_max, &w))
        return HH_EINVAL;
    if (w.reason == HH_SNAP_OK) {
        snprintf(buf, cap, "%s snaps", what);
        return 0;
    }
    if (w.reason == HH_SNAP_TOO_FAR) {
        char d[64];
        if (isfinite(w.nearest_m))
            snprintf(d, sizeof d, "%.0f m", w.nearest_m);
        else
            snprintf(d, sizeof d, "none within %g km", HH_SNAP_EXPLAIN_M / 1000);
        snprintf(buf, cap, "%s: no %s street within %g m (nearest street %s; see %s)", what, street, snap_max, d,
                 see);
    } else {
        char why[1024];
        hh_snap_reason_text(net, &w, mode_name, snap_max, why, sizeof why);
        snprintf(buf, cap, "%s did not snap: %s", what, why);
    }
    return 0;
}
