/* coords.c: rewrite a CSV or GeoJSON file with its coordinates moved from
 * one datum to the other (hh_coords_convert_file in halfhour.h).
 *
 * Both rewriters work the same way: the input is read whole, parsed in
 * place, and copied to the output byte for byte except for the spans that
 * hold a coordinate, which are replaced by the converted number.  So a
 * converted file differs from its source only in those numbers: ids,
 * names, property values, number formats elsewhere, key order, spacing
 * and line ends all stay, and a diff shows exactly what moved.
 *
 * Why not GDAL/OGR for GeoJSON (it is linked): a round trip through OGR
 * rewrites the whole file -- it reorders and retypes properties (lists
 * such as echarts' "cp" become strings or are dropped), changes number
 * precision, drops foreign members and may renumber ids -- and a datum
 * change that GDAL/PROJ cannot express would still be our own code.  The
 * rewrite needs only a JSON scanner that knows which arrays are positions.
 *
 * Invariant: `done` (the end of what has been written) only grows, and every
 * replaced span starts at or after it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "halfhour.h"
#include "util/alloc.h"

typedef struct rw {
    const char *s; /* the whole input */
    size_t n, done;
    FILE *f;
    const char *path;
    char *err;
    size_t errlen;
    hh_datum from, to;
    size_t n_out, n_outside;
} rw;

static int read_all(const char *path, char **out, size_t *n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return HH_EIO;
    }
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int rc = 0;
    for (;;) {
        if (hh__grow(&buf, &cap, len + 65536 + 1, 1)) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = HH_ENOMEM;
            break;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "read error");
                rc = HH_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc) {
        hh__free(buf);
        return rc;
    }
    buf[len] = 0;
    *out = buf, *n = len;
    return 0;
}

/* 1-based line of offset `at` */
static long line_at(const rw *w, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at && i < w->n; i++)
        line += w->s[i] == '\n';
    return line;
}

static void put(rw *w, const char *p, size_t len)
{
    if (len)
        fwrite(p, 1, len, w->f);
}

/* Writes the input up to `at`, then `text`, and skips the input to `end`. */
static void replace(rw *w, size_t at, size_t end, const char *text)
{
    put(w, w->s + w->done, at - w->done);
    put(w, text, strlen(text));
    w->done = end;
}

/* 7 decimals (1e-7 degrees, 1 cm, what the network stores), trailing zeros
 * dropped, never "-0" */
static void fmt_coord(char *buf, size_t cap, double v)
{
    snprintf(buf, cap, "%.7f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            *--e = 0;
        if (e == dot + 1)
            *dot = 0;
    }
    if (!strcmp(buf, "-0"))
        strcpy(buf, "0");
}

/* Converts one position; 0, or HH_ERANGE with a message. */
static int convert(rw *w, size_t at, double *lon, double *lat)
{
    double x, y;
    if (hh_datum_convert(w->from, w->to, *lon, *lat, &x, &y)) {
        snprintf(w->err, w->errlen, "%s line %ld: coordinate %.10g,%.10g is out of range (lon -180..180, lat -90..90)",
                 w->path, line_at(w, at), *lon, *lat);
        return HH_ERANGE;
    }
    if (!hh_gcj02_in_china(*lon, *lat))
        w->n_outside++;
    w->n_out++;
    *lon = x, *lat = y;
    return 0;
}

/* ---- CSV ------------------------------------------------------------ */

typedef struct span {
    size_t a, b; /* raw bytes [a, b) of a field, quotes included */
} span;

/* Splits the record at *pos into fields (RFC 4180 quoting, "" inside
 * quotes); *pos moves past its line end.  Returns the number of fields,
 * or -1 for a quote left open, -2 out of memory. */
static long split_record(const rw *w, size_t *pos, span **f, size_t *cap)
{
    size_t i = *pos, nf = 0;
    const char *s = w->s;
    for (;;) {
        if (hh__grow(f, cap, nf + 1, sizeof **f))
            return -2;
        size_t a = i;
        if (i < w->n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= w->n)
                    return -1;
                if (s[i] == '"') {
                    if (i + 1 < w->n && s[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
        }
        while (i < w->n && s[i] != ',' && s[i] != '\n')
            i++;
        size_t b = i;
        int last = i >= w->n || s[i] == '\n';
        if (last && b > a && s[b - 1] == '\r')
            b--;
        (*f)[nf].a = a, (*f)[nf].b = b;
        nf++;
        if (last) {
            *pos = i < w->n ? i + 1 : i;
            return (long)nf;
        }
        i++; /* the comma */
    }
}

/* The field's value: quotes removed, "" undone, spaces around trimmed;
 * truncated to cap-1 bytes. */
static void field_text(const rw *w, span sp, char *buf, size_t cap)
{
    size_t a = sp.a, b = sp.b, k = 0;
    while (a < b && (w->s[a] == ' ' || w->s[a] == '\t'))
        a++;
    while (b > a && (w->s[b - 1] == ' ' || w->s[b - 1] == '\t'))
        b--;
    int q = b - a >= 2 && w->s[a] == '"' && w->s[b - 1] == '"';
    if (q)
        a++, b--;
    for (size_t i = a; i < b && k + 1 < cap; i++) {
        if (q && w->s[i] == '"' && i + 1 < b && w->s[i + 1] == '"')
            i++;
        buf[k++] = w->s[i];
    }
    buf[k] = 0;
}

static int find_column(const rw *w, const span *f, long nf, size_t skip_bom, const char *want,
                       const char *const *names)
{
    char buf[256];
    const char *const one[] = {want, NULL};
    for (const char *const *nm = want ? one : names; *nm; nm++)
        for (long c = 0; c < nf; c++) {
            span sp = f[c];
            if (c == 0)
                sp.a += skip_bom;
            field_text(w, sp, buf, sizeof buf);
            if (!strcasecmp(buf, *nm))
                return (int)c;
        }
    return -1;
}

static int parse_cell(const char *t, double *out)
{
    char *end;
    if (!*t)
        return -1;
    errno = 0;
    double d = strtod(t, &end);
    if (*end || errno || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int convert_csv(rw *w, const hh_coords_opts *o)
{
    static const char *const lon_names[] = {"lon", "lng", "longitude", "x", NULL};
    static const char *const lat_names[] = {"lat", "latitude", "y", NULL};
    span *f = NULL;
    size_t cap = 0, pos = 0;
    int rc = 0;
    if (w->n == 0) {
        snprintf(w->err, w->errlen, "%s: empty file (no header row)", w->path);
        return HH_EEMPTY;
    }
    size_t bom = w->n >= 3 && !memcmp(w->s, "\xEF\xBB\xBF", 3) ? 3 : 0;
    long nf = split_record(w, &pos, &f, &cap);
    if (nf < 0)
        goto bad_record;
    int clon = find_column(w, f, nf, bom, o->lon_col, lon_names);
    int clat = find_column(w, f, nf, bom, o->lat_col, lat_names);
    if (clon < 0 || clat < 0) {
        const char *want = clon < 0 ? o->lon_col : o->lat_col;
        if (want)
            snprintf(w->err, w->errlen, "%s: no column \"%s\" in the header", w->path, want);
        else
            snprintf(w->err, w->errlen, "%s: no %s column in the header (looked for %s)", w->path,
                     clon < 0 ? "longitude" : "latitude", clon < 0 ? "lon, lng, longitude, x" : "lat, latitude, y");
        hh__free(f);
        return HH_EINVAL;
    }
    if (clon == clat) {
        snprintf(w->err, w->errlen, "%s: longitude and latitude name the same column", w->path);
        hh__free(f);
        return HH_EINVAL;
    }
    int need = clon > clat ? clon : clat;
    while (pos < w->n) {
        size_t start = pos;
        nf = split_record(w, &pos, &f, &cap);
        if (nf < 0) {
            pos = start;
            goto bad_record;
        }
        if (nf == 1 && f[0].a == f[0].b)
            continue; /* a blank line stays as it was */
        if (nf <= need) {
            snprintf(w->err, w->errlen, "%s line %ld: %ld fields, the %s column is field %d", w->path,
                     line_at(w, start), nf, clon > clat ? "longitude" : "latitude", need + 1);
            rc = HH_EFORMAT;
            break;
        }
        char tx[64], ty[64];
        double x, y;
        field_text(w, f[clon], tx, sizeof tx);
        field_text(w, f[clat], ty, sizeof ty);
        int bx = parse_cell(tx, &x), by = bx ? 0 : parse_cell(ty, &y);
        if (bx || by) {
            snprintf(w->err, w->errlen, "%s line %ld: %s \"%.40s\" is not a number", w->path, line_at(w, start),
                     bx ? "longitude" : "latitude", bx ? tx : ty);
            rc = HH_EFORMAT;
            break;
        }
        if ((rc = convert(w, start, &x, &y)))
            break;
        char bx_[32], by_[32];
        fmt_coord(bx_, sizeof bx_, x);
        fmt_coord(by_, sizeof by_, y);
        /* replace in file order */
        if (clon < clat) {
            replace(w, f[clon].a, f[clon].b, bx_);
            replace(w, f[clat].a, f[clat].b, by_);
        } else {
            replace(w, f[clat].a, f[clat].b, by_);
            replace(w, f[clon].a, f[clon].b, bx_);
        }
    }
    hh__free(f);
    return rc;
bad_record:
    hh__free(f);
    if (nf == -2) {
        snprintf(w->err, w->errlen, "%s: out of memory", w->path);
        return HH_ENOMEM;
    }
    snprintf(w->err, w->errlen, "%s line %ld: quoted field not closed", w->path, line_at(w, pos));
    return HH_EFORMAT;
}

/* ---- GeoJSON -------------------------------------------------------- */

enum { J_NORMAL, J_VERBATIM, J_COORDS, J_BBOX };
#define J_MAX_DEPTH 256

typedef struct jnum {
    size_t a, b;
    double v;
} jnum;

static int jfail(rw *w, size_t at, const char *what)
{
    snprintf(w->err, w->errlen, "%s line %ld: %s", w->path, line_at(w, at), what);
    return HH_EFORMAT;
}

static size_t jws(const rw *w, size_t i)
{
    while (i < w->n && (w->s[i] == ' ' || w->s[i] == '\t' || w->s[i] == '\n' || w->s[i] == '\r'))
        i++;
    return i;
}

/* A string at *i (which is '"'); *i moves past it. */
static int jstring(rw *w, size_t *i)
{
    size_t k = *i + 1;
    while (k < w->n && w->s[k] != '"') {
        unsigned char c = (unsigned char)w->s[k];
        if (c < 0x20)
            return jfail(w, k, "control character inside a string");
        if (c == '\\') {
            if (k + 1 >= w->n)
                break;
            char e = w->s[k + 1];
            if (e == 'u') {
                for (int d = 2; d < 6; d++)
                    if (k + d >= w->n || !strchr("0123456789abcdefABCDEF", w->s[k + d]) || !w->s[k + d])
                        return jfail(w, k, "bad \\u escape in a string");
                k += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || !e)
                return jfail(w, k, "bad escape in a string");
            k += 2;
            continue;
        }
        k++;
    }
    if (k >= w->n)
        return jfail(w, *i, "string not closed");
    *i = k + 1;
    return 0;
}

/* A JSON number at *i; *i moves past it. */
static int jnumber(rw *w, size_t *i, jnum *out)
{
    size_t k = *i;
    const char *s = w->s;
    if (k < w->n && s[k] == '-')
        k++;
    if (k >= w->n || s[k] < '0' || s[k] > '9')
        return jfail(w, *i, "expected a number");
    if (s[k] == '0')
        k++;
    else
        while (k < w->n && s[k] >= '0' && s[k] <= '9')
            k++;
    if (k < w->n && s[k] == '.') {
        k++;
        if (k >= w->n || s[k] < '0' || s[k] > '9')
            return jfail(w, *i, "bad number");
        while (k < w->n && s[k] >= '0' && s[k] <= '9')
            k++;
    }
    if (k < w->n && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < w->n && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k >= w->n || s[k] < '0' || s[k] > '9')
            return jfail(w, *i, "bad number");
        while (k < w->n && s[k] >= '0' && s[k] <= '9')
            k++;
    }
    if (out) {
        char buf[64];
        size_t len = k - *i < sizeof buf - 1 ? k - *i : sizeof buf - 1;
        memcpy(buf, s + *i, len);
        buf[len] = 0;
        out->a = *i, out->b = k, out->v = strtod(buf, NULL);
    }
    *i = k;
    return 0;
}

/* After an element: 1 when a comma follows (*k moves past it), 0 at
 * `close` (*k on it), else an error naming `what`. */
static int jnext(rw *w, size_t *k, char close, const char *what)
{
    *k = jws(w, *k);
    if (*k < w->n && w->s[*k] == ',') {
        (*k)++;
        return 1;
    }
    if (*k < w->n && w->s[*k] == close)
        return 0;
    return jfail(w, *k, what);
}

static int jvalue(rw *w, size_t *i, int mode, int depth);

/* The rewrite of one pair of numbers (lon at x, lat at y). */
static int jpair(rw *w, const jnum *x, const jnum *y)
{
    double lon = x->v, lat = y->v;
    int rc = convert(w, x->a, &lon, &lat);
    if (rc)
        return rc;
    char bx[32], by[32];
    fmt_coord(bx, sizeof bx, lon);
    fmt_coord(by, sizeof by, lat);
    replace(w, x->a, x->b, bx);
    replace(w, y->a, y->b, by);
    return 0;
}

/* An array of numbers only: a position (mode J_COORDS) or a bbox. */
static int jnumbers(rw *w, size_t *i, int mode)
{
    jnum v[6];
    size_t k = *i + 1, nv = 0;
    int rc;
    for (;;) {
        k = jws(w, k);
        jnum t;
        if ((rc = jnumber(w, &k, &t)))
            return rc;
        if (nv < 6)
            v[nv] = t;
        nv++;
        if ((rc = jnext(w, &k, ']', "expected , or ] in a list of numbers")) <= 0)
            break;
    }
    if (rc < 0)
        return rc;
    if (mode == J_COORDS) {
        if (nv < 2)
            return jfail(w, *i, "a position with fewer than two numbers");
        rc = jpair(w, &v[0], &v[1]);
    } else if (nv == 4) {
        if (!(rc = jpair(w, &v[0], &v[1])))
            rc = jpair(w, &v[2], &v[3]);
    } else if (nv == 6) {
        if (!(rc = jpair(w, &v[0], &v[1])))
            rc = jpair(w, &v[3], &v[4]);
    } else
        return jfail(w, *i, "a bbox that has neither 4 nor 6 numbers");
    *i = k + 1;
    return rc;
}

static int jarray(rw *w, size_t *i, int mode, int depth)
{
    size_t k = jws(w, *i + 1);
    if (k < w->n && w->s[k] == ']') {
        *i = k + 1;
        return 0;
    }
    if (mode == J_BBOX || (mode == J_COORDS && k < w->n && (w->s[k] == '-' || (w->s[k] >= '0' && w->s[k] <= '9'))))
        return jnumbers(w, i, mode);
    for (;;) {
        k = jws(w, k);
        if (mode == J_COORDS && (k >= w->n || w->s[k] != '['))
            return jfail(w, k, "\"coordinates\" holds something that is neither a position nor a list of them");
        int rc = jvalue(w, &k, mode, depth + 1);
        if (!rc)
            rc = jnext(w, &k, ']', "expected , or ] in an array");
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
    *i = k + 1;
    return 0;
}

static int key_is(const rw *w, size_t a, size_t b, const char *name)
{
    size_t len = strlen(name);
    return b - a == len + 2 && !memcmp(w->s + a + 1, name, len);
}

static int jobject(rw *w, size_t *i, int mode, int depth)
{
    size_t k = jws(w, *i + 1);
    if (k < w->n && w->s[k] == '}') {
        *i = k + 1;
        return 0;
    }
    for (;;) {
        k = jws(w, k);
        if (k >= w->n || w->s[k] != '"')
            return jfail(w, k, "expected a member name");
        size_t ka = k;
        int rc = jstring(w, &k);
        if (rc)
            return rc;
        size_t kb = k;
        k = jws(w, k);
        if (k >= w->n || w->s[k] != ':')
            return jfail(w, k, "expected : after a member name");
        k = jws(w, k + 1);
        int child = J_VERBATIM;
        if (mode == J_NORMAL)
            child = key_is(w, ka, kb, "coordinates") ? J_COORDS
                    : key_is(w, ka, kb, "bbox")      ? J_BBOX
                    : key_is(w, ka, kb, "properties") ? J_VERBATIM
                                                     : J_NORMAL;
        if ((child == J_COORDS || child == J_BBOX) && (k >= w->n || w->s[k] != '['))
            return jfail(w, k, child == J_COORDS ? "\"coordinates\" is not an array" : "\"bbox\" is not an array");
        if (!(rc = jvalue(w, &k, child, depth + 1)))
            rc = jnext(w, &k, '}', "expected , or } in an object");
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
    *i = k + 1;
    return 0;
}

static int jvalue(rw *w, size_t *i, int mode, int depth)
{
    if (depth > J_MAX_DEPTH)
        return jfail(w, *i, "nested too deeply");
    size_t k = *i;
    if (k >= w->n)
        return jfail(w, k, "unexpected end of input");
    char c = w->s[k];
    if (c == '{')
        return mode == J_COORDS ? jfail(w, k, "an object inside \"coordinates\"") : jobject(w, i, mode, depth);
    if (c == '[')
        return jarray(w, i, mode, depth);
    if (c == '"')
        return jstring(w, i);
    if (c == '-' || (c >= '0' && c <= '9'))
        return jnumber(w, i, NULL);
    static const char *const lit[] = {"true", "false", "null"};
    for (int l = 0; l < 3; l++) {
        size_t len = strlen(lit[l]);
        if (w->n - k >= len && !memcmp(w->s + k, lit[l], len)) {
            *i = k + len;
            return 0;
        }
    }
    return jfail(w, k, "not JSON here");
}

static int convert_geojson(rw *w)
{
    size_t i = jws(w, 0);
    if (i >= w->n) {
        snprintf(w->err, w->errlen, "%s: empty file", w->path);
        return HH_EEMPTY;
    }
    int rc = jvalue(w, &i, J_NORMAL, 0);
    if (rc)
        return rc;
    i = jws(w, i);
    if (i < w->n)
        return jfail(w, i, "data after the end of the JSON document");
    return 0;
}

static int has_suffix(const char *path, const char *suf)
{
    size_t n = strlen(path), m = strlen(suf);
    return n >= m && !strcasecmp(path + n - m, suf);
}

int hh_coords_convert_file(const char *path, void *fp, const hh_coords_opts *o, size_t *n_out,
                           size_t *n_outside, char *err, size_t errlen)
{
    char ebuf[8];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    int csv = has_suffix(path, ".csv");
    if (!csv && !has_suffix(path, ".geojson") && !has_suffix(path, ".json")) {
        snprintf(err, errlen, "%s: unknown file type (expected .csv, .geojson or .json)", path);
        return HH_EINVAL;
    }
    rw w;
    memset(&w, 0, sizeof w);
    char *buf;
    int rc = read_all(path, &buf, &w.n, err, errlen);
    if (rc)
        return rc;
    w.s = buf, w.f = fp, w.path = path, w.err = err, w.errlen = errlen, w.from = o->from, w.to = o->to;
    rc = csv ? convert_csv(&w, o) : convert_geojson(&w);
    if (!rc) {
        put(&w, w.s + w.done, w.n - w.done);
        if (n_out)
            *n_out = w.n_out;
        if (n_outside)
            *n_outside = w.n_outside;
    }
    hh__free(buf);
    return rc;
}
