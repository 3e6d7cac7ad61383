/* report_write.c: the half-hour report's files (hh_report_write): a
 * self-contained index.html (tables, and per mode a map drawn as inline SVG
 * over the network's streets: no script, no tiles, no internet), report.md,
 * circles.geojson and the tables as CSV.  Text is UTF-8 throughout, so names
 * in any script (长沙) render wherever the reader has a font for them; the
 * SVG names its font families with CJK fallbacks. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/csvw.h"
#include "net/net.h"
#include "util/alloc.h"

static const char *const palette[] = {"#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                                      "#a6761d", "#1f78b4"};
#define N_PALETTE 8

/* ---- escaping ----------------------------------------------------------- */

static void put_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

static void put_json(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A table cell for markdown: | would end the cell. */
static void put_md(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void put_num(FILE *f, double v, const char *fmt)
{
    if (isnan(v))
        return;
    fprintf(f, fmt, v);
}

/* ---- helpers over the report ------------------------------------------ */

static double pair_min(const hh_report *r, const hh_report_mode *m, size_t i, size_t j, size_t p)
{
    return m->time_s[(i * r->c->n + j) * m->n_val + p] / 60.0;
}

/* The percentile of value p of a transit mode (NAN for a street mode). */
static double pct_of(const hh_report_mode *m, const double *pct, size_t p)
{
    return m->n_val > 1 || !strcmp(m->name, "transit") ? pct[p] : NAN;
}

typedef struct wctx {
    const hh_net *net;
    const hh_report *r;
    const double *pct; /* transit percentiles, from the options (kept in the mode order) */
} wctx;

/* ---- CSV and GeoJSON --------------------------------------------------- */

static int write_times(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fprintf(f, "mode,from_id,from_name,to_id,to_name,percentile,minutes,within\n");
    for (size_t k = 0; k < r->n_modes; k++) {
        const hh_report_mode *m = &r->modes[k];
        for (size_t i = 0; i < r->c->n; i++)
            for (size_t j = 0; j < r->c->n; j++)
                for (size_t p = 0; p < m->n_val; p++) {
                    double t = pair_min(r, m, i, j, p);
                    fprintf(f, "%s,", m->name);
                    hh__csv_field(f, r->c->id[i]), fputc(',', f), hh__csv_field(f, r->c->name[i]), fputc(',', f);
                    hh__csv_field(f, r->c->id[j]), fputc(',', f), hh__csv_field(f, r->c->name[j]), fputc(',', f);
                    put_num(f, pct_of(m, w->pct, p), "%g");
                    fputc(',', f);
                    put_num(f, t, "%.1f");
                    fprintf(f, ",%d\n", !isnan(t) && t < r->minutes);
                }
    }
    return ferror(f) ? HH_EIO : 0;
}

static int write_circles_csv(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    const char *wn = *r->weight_name ? r->weight_name : "layer";
    fprintf(f, "mode,centre_id,centre_name,minutes,area_km2,%s_inside,share\n", wn);
    for (size_t k = 0; k < r->n_modes; k++) {
        const hh_report_mode *m = &r->modes[k];
        for (size_t i = 0; i <= r->c->n; i++) {
            int u = i == r->c->n;
            fprintf(f, "%s,", m->name);
            hh__csv_field(f, u ? "union" : r->c->id[i]), fputc(',', f), hh__csv_field(f, u ? "union of the circles" : r->c->name[i]);
            fprintf(f, ",%g,%.3f,", r->minutes, u ? m->union_km2 : m->circle_km2[i]);
            if (*r->weight_name) {
                double in = u ? m->union_inside : m->inside[i];
                fprintf(f, "%.10g,", in);
                put_num(f, r->total > 0 ? in / r->total : NAN, "%.6f");
            } else {
                fputc(',', f);
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? HH_EIO : 0;
}

static int write_districts_csv(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    const char *wn = *r->weight_name ? r->weight_name : "layer";
    fprintf(f, "district,mode,%s,inside_union,share_union,mean_min_nearest", wn);
    for (size_t i = 0; i < r->c->n; i++) {
        fputs(",inside_", f);
        hh__csv_field(f, r->c->id[i]);
    }
    fputc('\n', f);
    for (size_t d = 0; d < r->n_d; d++)
        for (size_t k = 0; k < r->n_modes; k++) {
            const hh_report_mode *m = &r->modes[k];
            const double *di = m->d_inside + d * (r->c->n + 1);
            hh__csv_field(f, r->d_name[d]);
            fprintf(f, ",%s,%.10g,%.10g,", m->name, r->d_total[d], di[r->c->n]);
            put_num(f, r->d_total[d] > 0 ? di[r->c->n] / r->d_total[d] : NAN, "%.6f");
            fputc(',', f);
            put_num(f, m->d_mean_min[d], "%.1f");
            for (size_t i = 0; i < r->c->n; i++)
                fprintf(f, ",%.10g", di[i]);
            fputc('\n', f);
        }
    return ferror(f) ? HH_EIO : 0;
}

static int write_geojson(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fprintf(f, "{\"type\":\"FeatureCollection\",\"attribution\":\"(c) OpenStreetMap contributors, ODbL 1.0\","
               "\"features\":[");
    int first = 1;
    for (size_t k = 0; k < r->n_modes; k++) {
        const hh_report_mode *m = &r->modes[k];
        for (size_t i = 0; i < r->c->n; i++) {
            if (!m->circle[i].n_bands)
                continue;
            char extra[1024];
            FILE *mf = fmemopen(extra, sizeof extra, "w");
            if (!mf)
                return HH_ENOMEM;
            fputs("\"centre_id\":", mf), put_json(mf, r->c->id[i]);
            fputs(",\"centre_name\":", mf), put_json(mf, r->c->name[i]);
            if (*r->weight_name)
                fprintf(mf, ",\"inside\":%.10g,\"share\":%.6f", m->inside[i], r->total > 0 ? m->inside[i] / r->total : 0);
            fputc(0, mf);
            int bad = ferror(mf) || ftell(mf) >= (long)sizeof extra;
            fclose(mf);
            extra[sizeof extra - 1] = 0;
            if (bad)
                return HH_ERANGE;
            int rc = hh_isochrone_write_features(f, &m->circle[i], m->name, extra, &first);
            if (rc)
                return rc;
        }
        if (m->union_geojson) {
            fprintf(f, "%s\n{\"type\":\"Feature\",\"properties\":{\"minutes\":%g,\"mode\":\"%s\",\"area_km2\":%.4f,"
                       "\"centre_id\":\"union\",\"centre_name\":\"union of the circles\"",
                    first ? "" : ",", r->minutes, m->name, m->union_km2);
            if (*r->weight_name)
                fprintf(f, ",\"inside\":%.10g,\"share\":%.6f", m->union_inside,
                        r->total > 0 ? m->union_inside / r->total : 0);
            fprintf(f, "},\"geometry\":%s}", m->union_geojson);
            first = 0;
        }
    }
    fputs("\n]}\n", f);
    return ferror(f) ? HH_EIO : 0;
}

/* ---- markdown ----------------------------------------------------------- */

/* ---- --compare: this report against the same on the base ------------- */

typedef struct cmp_mode {
    double base_km2, scen_km2, base_in, scen_in, newly, lost;
    double d_base[256], d_scen[256], d_newly[256], d_lost[256]; /* the first 256 districts */
} cmp_mode;

static void cmp_compute(const hh_report *r, size_t k, cmp_mode *c)
{
    const hh_report *b = r->compare_base;
    const hh_report_mode *m = &r->modes[k], *bm = &b->modes[k];
    memset(c, 0, sizeof *c);
    c->base_km2 = bm->union_km2, c->scen_km2 = m->union_km2;
    c->base_in = bm->union_inside, c->scen_in = m->union_inside;
    for (size_t i = 0; i < r->n_pts && m->pt_inside && bm->pt_inside; i++) {
        int now = m->pt_inside[i], before = bm->pt_inside[i];
        double w = r->pt_w[i];
        int d = r->pt_d ? r->pt_d[i] : -1;
        int in_d = d >= 0 && (size_t)d < r->n_d && d < 256;
        if (now && !before) {
            c->newly += w;
            if (in_d)
                c->d_newly[d] += w;
        } else if (before && !now) {
            c->lost += w;
            if (in_d)
                c->d_lost[d] += w;
        }
        if (in_d) {
            c->d_base[d] += before ? w : 0;
            c->d_scen[d] += now ? w : 0;
        }
    }
}

static int write_compare_csv(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fprintf(f, "mode,measure,base,scenario,difference\n");
    cmp_mode c;
    for (size_t k = 0; k < r->n_modes; k++) {
        cmp_compute(r, k, &c);
        const char *mn = r->modes[k].name;
        fprintf(f, "%s,union_km2,%.4f,%.4f,%.4f\n", mn, c.base_km2, c.scen_km2, c.scen_km2 - c.base_km2);
        if (*r->weight_name) {
            fprintf(f, "%s,residents_inside,%.10g,%.10g,%.10g\n", mn, c.base_in, c.scen_in, c.scen_in - c.base_in);
            fprintf(f, "%s,residents_newly_inside,0,%.10g,%.10g\n", mn, c.newly, c.newly);
            fprintf(f, "%s,residents_no_longer_inside,%.10g,0,%.10g\n", mn, c.lost, c.lost > 0 ? -c.lost : 0.0);
        }
        for (size_t i = 0; i < r->c->n; i++) {
            const hh_report_mode *m = &r->modes[k], *bm = &r->compare_base->modes[k];
            char meas[256];
            snprintf(meas, sizeof meas, "circle_km2:%s", r->c->id[i]);
            fprintf(f, "%s,", mn);
            hh__csv_field(f, meas);
            fprintf(f, ",%.4f,%.4f,%.4f\n", bm->circle_km2[i], m->circle_km2[i], m->circle_km2[i] - bm->circle_km2[i]);
        }
    }
    return ferror(f) ? HH_EIO : 0;
}

static int write_compare_districts_csv(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fprintf(f, "mode,district,residents,inside_base,inside_scenario,difference,newly_inside,no_longer_inside\n");
    cmp_mode c;
    for (size_t k = 0; k < r->n_modes; k++) {
        cmp_compute(r, k, &c);
        for (size_t d = 0; d < r->n_d && d < 256; d++) {
            fprintf(f, "%s,", r->modes[k].name);
            hh__csv_field(f, r->d_name[d]);
            fprintf(f, ",%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", r->d_total[d], c.d_base[d], c.d_scen[d],
                    c.d_scen[d] - c.d_base[d], c.d_newly[d], c.d_lost[d]);
        }
    }
    return ferror(f) ? HH_EIO : 0;
}

static void md_compare(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fputs("## Compared with the base network `", f);
    put_md(f, r->compare_name ? r->compare_name : "base");
    fputs("`\n\n", f);
    cmp_mode c;
    for (size_t k = 0; k < r->n_modes; k++) {
        cmp_compute(r, k, &c);
        fprintf(f, "### %s\n\n| | base | scenario | difference |\n|---|---:|---:|---:|\n", r->modes[k].name);
        fprintf(f, "| union of the circles, km² | %.1f | %.1f | %+.1f |\n", c.base_km2, c.scen_km2, c.scen_km2 - c.base_km2);
        if (*r->weight_name) {
            fprintf(f, "| residents inside | %.0f | %.0f | %+.0f |\n", c.base_in, c.scen_in, c.scen_in - c.base_in);
            fprintf(f, "| residents newly inside the %g-minute circle | | %.0f | |\n", r->minutes, c.newly);
            fprintf(f, "| residents no longer inside | %.0f | | |\n", c.lost);
        }
        fputc('\n', f);
        if (r->n_d && *r->weight_name) {
            fprintf(f, "| district | residents | inside (base) | inside (scenario) | newly inside | no longer inside |\n"
                       "|---|---:|---:|---:|---:|---:|\n");
            for (size_t d = 0; d < r->n_d && d < 256; d++) {
                fputs("| ", f), put_md(f, r->d_name[d]);
                fprintf(f, " | %.0f | %.0f | %.0f | %.0f | %.0f |\n", r->d_total[d], c.d_base[d], c.d_scen[d], c.d_newly[d],
                        c.d_lost[d]);
            }
            fputc('\n', f);
        }
    }
}

static void html_compare(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    fputs("<h2>Compared with the base network <code>", f);
    put_html(f, r->compare_name ? r->compare_name : "base");
    fputs("</code></h2>\n", f);
    cmp_mode c;
    for (size_t k = 0; k < r->n_modes; k++) {
        cmp_compute(r, k, &c);
        fprintf(f, "<h3>%s</h3>\n<table><tr><th></th><th>base</th><th>scenario</th><th>difference</th></tr>\n",
                r->modes[k].name);
        fprintf(f, "<tr><td>union of the circles, km²</td><td>%.1f</td><td>%.1f</td><td>%+.1f</td></tr>\n", c.base_km2,
                c.scen_km2, c.scen_km2 - c.base_km2);
        if (*r->weight_name) {
            fprintf(f, "<tr><td>residents inside</td><td>%.0f</td><td>%.0f</td><td>%+.0f</td></tr>\n", c.base_in,
                    c.scen_in, c.scen_in - c.base_in);
            fprintf(f, "<tr><td>residents newly inside the %g-minute circle</td><td></td><td class=\"within\">%.0f</td>"
                       "<td></td></tr>\n", r->minutes, c.newly);
            fprintf(f, "<tr><td>residents no longer inside</td><td>%.0f</td><td></td><td></td></tr>\n", c.lost);
        }
        fputs("</table>\n", f);
        if (r->n_d && *r->weight_name) {
            fputs("<table><tr><th>district</th><th>residents</th><th>inside (base)</th><th>inside (scenario)</th>"
                  "<th>newly inside</th><th>no longer inside</th></tr>\n", f);
            for (size_t d = 0; d < r->n_d && d < 256; d++) {
                fputs("<tr><td>", f), put_html(f, r->d_name[d]);
                fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td></tr>\n", r->d_total[d],
                        c.d_base[d], c.d_scen[d], c.d_newly[d], c.d_lost[d]);
            }
            fputs("</table>\n", f);
        }
    }
}

static int write_md(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    const hh_centres *c = r->c;
    hh_net_info in;
    hh_net_get_info(w->net, &in);
    fprintf(f, "# The %g-minute circle\n\nNetwork: %s (built %s). Map data (c) OpenStreetMap contributors, ODbL 1.0.\n\n",
            r->minutes, in.source, in.built_at);
    if (*r->weight_name)
        fprintf(f, "Residents: layer `%s`, %.10g in total.\n\n", r->weight_name, r->total);
    else
        fprintf(f, "No population layer: the report gives times and areas only.\n\n");
    for (size_t k = 0; k < r->n_modes; k++) {
        const hh_report_mode *m = &r->modes[k];
        for (size_t p = 0; p < m->n_val; p++) {
            fprintf(f, "## %s: centre to centre, minutes", m->name);
            if (!isnan(pct_of(m, w->pct, p)))
                fprintf(f, " (percentile %g of departures)", pct_of(m, w->pct, p));
            fprintf(f, "\n\n| from \\ to |");
            for (size_t j = 0; j < c->n; j++)
                fputc(' ', f), put_md(f, c->name[j]), fputs(" |", f);
            fputs("\n|---|", f);
            for (size_t j = 0; j < c->n; j++)
                fputs("---:|", f);
            fputc('\n', f);
            for (size_t i = 0; i < c->n; i++) {
                fputs("| ", f), put_md(f, c->name[i]), fputs(" |", f);
                for (size_t j = 0; j < c->n; j++) {
                    double t = pair_min(r, m, i, j, p);
                    if (i == j)
                        fputs(" · |", f);
                    else if (isnan(t))
                        fputs(" – |", f);
                    else
                        fprintf(f, " %s%.1f%s |", t < r->minutes ? "**" : "", t, t < r->minutes ? "**" : "");
                }
                fputc('\n', f);
            }
            fprintf(f, "\nBold: within %g minutes; – not reached (transit: within the search), · the centre itself.\n\n", r->minutes);
        }
        fprintf(f, "## %s: the %g-minute circles\n\n| centre | area km² |", m->name, r->minutes);
        if (*r->weight_name)
            fprintf(f, " %s inside | share |", r->weight_name);
        fprintf(f, "\n|---|---:|%s\n", *r->weight_name ? "---:|---:|" : "");
        for (size_t i = 0; i <= c->n; i++) {
            int u = i == c->n;
            fputs("| ", f), put_md(f, u ? "union" : c->name[i]);
            fprintf(f, " | %.1f |", u ? m->union_km2 : m->circle_km2[i]);
            if (*r->weight_name) {
                double v = u ? m->union_inside : m->inside[i];
                fprintf(f, " %.0f | %.1f %% |", v, r->total > 0 ? 100 * v / r->total : 0);
            }
            fputc('\n', f);
        }
        fputc('\n', f);
        if (r->n_d && *r->weight_name) {
            fprintf(f, "## %s: by district\n\n| district | %s | inside the union | share | mean minutes to the nearest centre |\n|---|---:|---:|---:|---:|\n",
                    m->name, r->weight_name);
            for (size_t d = 0; d < r->n_d; d++) {
                double din = m->d_inside[d * (c->n + 1) + c->n];
                fputs("| ", f), put_md(f, r->d_name[d]);
                fprintf(f, " | %.0f | %.0f | %.1f %% | ", r->d_total[d], din, r->d_total[d] > 0 ? 100 * din / r->d_total[d] : 0);
                if (!isnan(m->d_mean_min[d]))
                    fprintf(f, "%.1f", m->d_mean_min[d]);
                else
                    fputs("–", f);
                fputs(" |\n", f);
            }
            if (r->outside_districts > 0)
                fprintf(f, "\n%.0f of the layer lie in no district of the file.\n", r->outside_districts);
            fputc('\n', f);
        }
    }
    if (r->compare_base)
        md_compare(f, w);
    return ferror(f) ? HH_EIO : 0;
}

/* ---- HTML with inline SVG maps ------------------------------------------ */

typedef struct view {
    double x0, y0, x1, y1; /* lon/lat box */
    double kx;             /* cos(lat0): lon degrees to lat-degree units */
    double scale;          /* px per lat degree */
    double w, h;
} view;

static double px_x(const view *v, double lon) { return (lon - v->x0) * v->kx * v->scale; }
static double px_y(const view *v, double lat) { return (v->y1 - lat) * v->scale; }

static void view_add(view *v, double lon, double lat)
{
    v->x0 = lon < v->x0 ? lon : v->x0, v->x1 = lon > v->x1 ? lon : v->x1;
    v->y0 = lat < v->y0 ? lat : v->y0, v->y1 = lat > v->y1 ? lat : v->y1;
}

static void view_make(view *v, const hh_report *r, const hh_report_mode *m)
{
    v->x0 = v->y0 = INFINITY, v->x1 = v->y1 = -INFINITY;
    for (size_t i = 0; i < r->c->n; i++) {
        view_add(v, r->c->lon[i], r->c->lat[i]);
        if (!m->circle[i].n_bands)
            continue;
        const hh_isoband *b = &m->circle[i].bands[0];
        size_t np = b->n_polys ? b->ring_first[b->poly_first_ring[b->n_polys]] : 0;
        for (size_t k = 0; k < np; k++)
            view_add(v, b->lonlat[2 * k], b->lonlat[2 * k + 1]);
    }
    double lat0 = (v->y0 + v->y1) / 2;
    v->kx = cos(lat0 * M_PI / 180);
    double dx = (v->x1 - v->x0) * v->kx, dy = v->y1 - v->y0, pad = 0.06 * fmax(fmax(dx, dy), 0.01);
    v->x0 -= pad / v->kx, v->x1 += pad / v->kx, v->y0 -= pad, v->y1 += pad;
    dx = (v->x1 - v->x0) * v->kx, dy = v->y1 - v->y0;
    v->w = 900;
    v->scale = v->w / dx;
    v->h = dy * v->scale;
    if (v->h > 900) { /* tall regions: fit the height instead */
        v->scale = 900 / dy;
        v->h = 900;
        v->w = dx * v->scale;
    }
}

static void svg_streets(FILE *f, const hh_net *net, const view *v, hh_mode mode)
{
    fputs("<path class=\"streets\" d=\"", f);
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const hh__edge *ed = &net->edges[e];
        if (!(ed->mode_mask & (1u << mode)))
            continue;
        hh__ll a = net->node_ll[ed->from], b = net->node_ll[ed->to];
        double ax = a.lon_e7 / 1e7, ay = a.lat_e7 / 1e7, bx = b.lon_e7 / 1e7, by = b.lat_e7 / 1e7;
        if ((ax < v->x0 && bx < v->x0) || (ax > v->x1 && bx > v->x1) || (ay < v->y0 && by < v->y0) ||
            (ay > v->y1 && by > v->y1))
            continue;
        fprintf(f, "M%.1f %.1f", px_x(v, ax), px_y(v, ay));
        for (uint32_t s = net->shape_first[e]; s < net->shape_first[e + 1]; s++)
            fprintf(f, "L%.1f %.1f", px_x(v, net->shape_ll[s].lon_e7 / 1e7), px_y(v, net->shape_ll[s].lat_e7 / 1e7));
        fprintf(f, "L%.1f %.1f", px_x(v, bx), px_y(v, by));
    }
    fputs("\"/>\n", f);
}

static void svg_band(FILE *f, const view *v, const hh_isoband *b)
{
    for (size_t p = 0; p < b->n_polys; p++)
        for (size_t rr = b->poly_first_ring[p]; rr < b->poly_first_ring[p + 1]; rr++) {
            for (size_t k = b->ring_first[rr]; k < b->ring_first[rr + 1]; k++)
                fprintf(f, "%c%.1f %.1f", k == b->ring_first[rr] ? 'M' : 'L', px_x(v, b->lonlat[2 * k]),
                        px_y(v, b->lonlat[2 * k + 1]));
            fputc('Z', f);
        }
}

/* The scale bar: the roundest length near a fifth of the map's width. */
static void svg_scale(FILE *f, const view *v)
{
    double m_per_px = 111319.49 / v->scale, want = v->w / 5 * m_per_px;
    static const double steps[] = {100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000};
    double len = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] <= want)
            len = steps[i];
    double px = len / m_per_px, x = 20, y = v->h - 24;
    fprintf(f, "<g class=\"scale\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" fill=\"#333\"/>"
               "<text x=\"%.1f\" y=\"%.1f\">%g %s</text></g>\n",
            x, y, px, x, y - 6, len >= 1000 ? len / 1000 : len, len >= 1000 ? "km" : "m");
}

static void svg_map(FILE *f, const wctx *w, const hh_report_mode *m)
{
    const hh_report *r = w->r;
    view v;
    view_make(&v, r, m);
    double legend_h = 34 + 20.0 * (double)r->c->n, H = v.h + legend_h;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
               "role=\"img\" aria-label=\"%s: the %g-minute circles\">\n",
            v.w, H, v.w, H, m->name, r->minutes);
    fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fbfbf8\"/>\n", v.w, v.h);
    svg_streets(f, w->net, &v, !strcmp(m->name, "transit") ? HH_MODE_WALK : !strcmp(m->name, "walk") ? HH_MODE_WALK
                                                                            : !strcmp(m->name, "bike") ? HH_MODE_BIKE
                                                                                                       : HH_MODE_CAR);
    for (size_t i = 0; i < r->c->n; i++) {
        if (!m->circle[i].n_bands)
            continue;
        fprintf(f, "<path class=\"circle\" fill=\"%s\" stroke=\"%s\" d=\"", palette[i % N_PALETTE],
                palette[i % N_PALETTE]);
        svg_band(f, &v, &m->circle[i].bands[0]);
        fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < r->c->n; i++) {
        double x = px_x(&v, r->c->lon[i]), y = px_y(&v, r->c->lat[i]);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#000\"/>"
                   "<text class=\"name\" x=\"%.1f\" y=\"%.1f\">",
                x, y, palette[i % N_PALETTE], x + 8, y - 8);
        put_html(f, r->c->name[i]);
        fputs("</text>\n", f);
    }
    /* the legend, below the map so that it hides nothing */
    fprintf(f, "<g class=\"legend\"><text x=\"10\" y=\"%.1f\" font-weight=\"bold\">%s, %g minutes</text>\n",
            v.h + 20, m->name, r->minutes);
    for (size_t i = 0; i < r->c->n; i++) {
        double y = v.h + 28 + 20.0 * (double)i;
        fprintf(f, "<rect x=\"10\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\" fill-opacity=\"0.4\" stroke=\"%s\"/>"
                   "<text x=\"30\" y=\"%.1f\">",
                y, palette[i % N_PALETTE], palette[i % N_PALETTE], y + 12);
        put_html(f, r->c->name[i]);
        fprintf(f, m->circle_km2[i] < 10 ? " (%.2f km²)</text>\n" : " (%.0f km²)</text>\n", m->circle_km2[i]);
    }
    fputs("</g>\n", f);
    svg_scale(f, &v);
    fprintf(f, "<text class=\"attr\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">© OpenStreetMap contributors</text>\n",
            v.w - 8, v.h - 8);
    fputs("</svg>\n", f);
}

static int write_html(FILE *f, const wctx *w)
{
    const hh_report *r = w->r;
    const hh_centres *c = r->c;
    hh_net_info in;
    hh_net_get_info(w->net, &in);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"und\"><head><meta charset=\"utf-8\">\n<title>The %g-minute circle</title>\n"
               "<style>\nbody{font-family:\"Noto Sans\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\","
               "\"Microsoft YaHei\",sans-serif;margin:2em;color:#222;max-width:1000px}\n"
               "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
               "text-align:right}th:first-child,td:first-child{text-align:left}\n.within{background:#d9f0d3;"
               "font-weight:bold}\nsvg{border:1px solid #ccc;max-width:100%%;height:auto}\n"
               "svg text{font-size:13px;font-family:inherit}\n.streets{fill:none;stroke:#bbb;stroke-width:0.6}\n"
               ".circle{fill-opacity:0.25;stroke-width:1.5;fill-rule:evenodd}\n.name{font-weight:bold;"
               "paint-order:stroke;stroke:#fff;stroke-width:3px}\n.attr{font-size:11px;fill:#555}\n"
               "</style></head><body>\n",
            r->minutes);
    fprintf(f, "<h1>The %g-minute circle</h1>\n<p>Network <code>", r->minutes);
    put_html(f, in.source);
    fprintf(f, "</code>, built %s. ", in.built_at);
    if (*r->weight_name) {
        fputs("Residents: the layer <code>", f);
        put_html(f, r->weight_name);
        fprintf(f, "</code>, %.0f in total; a resident is inside a circle when reached in less than %g minutes.</p>\n",
                r->total, r->minutes);
    } else {
        fputs("No population layer: times and areas only.</p>\n", f);
    }
    for (size_t k = 0; k < r->n_modes; k++) {
        const hh_report_mode *m = &r->modes[k];
        fprintf(f, "<h2>%s</h2>\n", m->name);
        for (size_t p = 0; p < m->n_val; p++) {
            fprintf(f, "<h3>Centre to centre, minutes");
            if (!isnan(pct_of(m, w->pct, p)))
                fprintf(f, " (percentile %g of departures)", pct_of(m, w->pct, p));
            fputs("</h3>\n<table><tr><th>from \\ to</th>", f);
            for (size_t j = 0; j < c->n; j++)
                fputs("<th>", f), put_html(f, c->name[j]), fputs("</th>", f);
            fputs("</tr>\n", f);
            for (size_t i = 0; i < c->n; i++) {
                fputs("<tr><td>", f), put_html(f, c->name[i]), fputs("</td>", f);
                for (size_t j = 0; j < c->n; j++) {
                    double t = pair_min(r, m, i, j, p);
                    if (i == j)
                        fputs("<td>·</td>", f);
                    else if (isnan(t))
                        fputs("<td>–</td>", f);
                    else
                        fprintf(f, "<td%s>%.1f</td>", t < r->minutes ? " class=\"within\"" : "", t);
                }
                fputs("</tr>\n", f);
            }
            fprintf(f, "</table>\n");
        }
        fprintf(f, "<h3>The %g-minute circles</h3>\n<table><tr><th>centre</th><th>area km²</th>", r->minutes);
        if (*r->weight_name)
            fputs("<th>residents inside</th><th>share</th>", f);
        fputs("</tr>\n", f);
        for (size_t i = 0; i <= c->n; i++) {
            int u = i == c->n;
            fputs("<tr><td>", f), put_html(f, u ? "union of the circles" : c->name[i]);
            fprintf(f, "</td><td>%.1f</td>", u ? m->union_km2 : m->circle_km2[i]);
            if (*r->weight_name) {
                double v = u ? m->union_inside : m->inside[i];
                fprintf(f, "<td>%.0f</td><td>%.1f %%</td>", v, r->total > 0 ? 100 * v / r->total : 0);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
        if (r->n_d && *r->weight_name) {
            fputs("<h3>By district</h3>\n<table><tr><th>district</th><th>residents</th><th>inside the union</th>"
                  "<th>share</th><th>mean minutes to the nearest centre</th></tr>\n", f);
            for (size_t d = 0; d < r->n_d; d++) {
                double in2 = m->d_inside[d * (c->n + 1) + c->n];
                fputs("<tr><td>", f), put_html(f, r->d_name[d]);
                fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%.1f %%</td><td>", r->d_total[d], in2,
                        r->d_total[d] > 0 ? 100 * in2 / r->d_total[d] : 0);
                if (!isnan(m->d_mean_min[d]))
                    fprintf(f, "%.1f", m->d_mean_min[d]);
                else
                    fputs("–", f);
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        }
        svg_map(f, w, m);
    }
    if (r->compare_base)
        html_compare(f, w);
    fputs("<p><small>Map data © OpenStreetMap contributors, ODbL 1.0. Made with halfhour.</small></p>\n</body></html>\n", f);
    return ferror(f) ? HH_EIO : 0;
}

/* ---- the folder ---------------------------------------------------------- */

typedef int (*writer_fn)(FILE *f, const wctx *w);

int hh_report_write(const hh_net *net, const hh_report *r, const char *dir, char *err, size_t errlen)
{
    char eb[1];
    if (!err)
        err = eb, errlen = sizeof eb;
    if (mkdir(dir, 0777) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return HH_EIO;
    }
    struct stat sb;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a folder", dir);
        return HH_EINVAL;
    }
    static const struct {
        const char *name;
        writer_fn fn;
        int districts; /* 1: only with districts; 2: only with --compare; 3: both */
    } files[] = {{"index.html", write_html, 0},    {"report.md", write_md, 0},     {"circles.geojson", write_geojson, 0},
                 {"times.csv", write_times, 0},    {"circles.csv", write_circles_csv, 0},
                 {"districts.csv", write_districts_csv, 1}, {"compare.csv", write_compare_csv, 2},
                 {"compare_districts.csv", write_compare_districts_csv, 3}};
    const hh_report *b = r->compare_base;
    if (b) {
        int same = b->n_modes == r->n_modes && b->n_pts == r->n_pts && b->n_d == r->n_d && b->c && r->c &&
                   b->c->n == r->c->n;
        for (size_t k = 0; same && k < r->n_modes; k++)
            same = !strcmp(b->modes[k].name, r->modes[k].name);
        if (!same) {
            snprintf(err, errlen, "report: the base report to compare with has other modes, centres or points");
            return HH_EINVAL;
        }
    }
    wctx w = {net, r, r->pct};
    size_t nf = sizeof files / sizeof *files;
    hh_out outs[8];
    memset(outs, 0, sizeof outs);
    int rc = 0;
    size_t opened = 0;
    /* every file written and flushed first, then all put in place */
    for (size_t i = 0; i < nf && !rc; i++) {
        if (((files[i].districts & 1) && !r->n_d) || ((files[i].districts & 2) && !b))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if ((rc = hh_out_open(&outs[i], path, err, errlen)))
            break;
        opened = i + 1;
        rc = files[i].fn(outs[i].fp, &w);
        if (rc)
            snprintf(err, errlen, "cannot write %s: %s", path, hh_strerror(rc));
        else
            rc = hh_out_flush(&outs[i], err, errlen);
    }
    for (size_t i = 0; i < opened; i++) {
        if (!outs[i].fp && !outs[i].path)
            continue;
        if (rc)
            hh_out_abort(&outs[i]);
        else if ((rc = hh_out_commit(&outs[i], err, errlen)))
            for (size_t j = i + 1; j < opened; j++)
                hh_out_abort(&outs[j]);
    }
    return rc;
}
