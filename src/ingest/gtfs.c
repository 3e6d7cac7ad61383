/* gtfs.c: reads GTFS zip files into the timetable of gtfs.h.
 *
 * Feeds are read one after another; each file of a feed is streamed row by
 * row (gtfs_csv.h) into columns that grow in the timetable itself.  A feed's
 * stop_times rows are staged, sorted by trip and stop_sequence, completed
 * (blank times interpolated) and appended trip by trip; once every feed is
 * in, gtfs_index.c builds patterns and the other indexes from them. */
#include "ingest/gtfs.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "halfhour.h"
#include "ingest/gtfs_csv.h"
#include "ingest/gtfs_index.h"
#include "transit/tz.h"
#include "util/alloc.h"

#define NONE HH__GTFS_NONE
#define BLANK INT32_MIN /* a time not given in the file */
#define MAX_COUNT HH__GTFS_MAX_COUNT
#define COL(a) ((void **)&(a))

/* ---- id lookup ------------------------------------------------------- */

/* Open addressing; a slot holds (hash << 32) | (index + 1), 0 when empty.
 * Ids of different feeds hash apart (the feed index is mixed in) and an
 * entry matches only inside the feed's index range. */
struct hh__gtfs_idmap {
    uint64_t *slot;
    size_t cap, n;
};

static uint32_t id_hash(uint32_t feed, const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)feed * 0x9E3779B97F4A7C15ull);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static uint32_t idmap_get(const struct hh__gtfs_idmap *m, uint32_t h, const char *id,
                          const uint32_t *ids, const char *strs, uint32_t begin, uint32_t end)
{
    if (!m->cap)
        return NONE;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = m->slot[i];
        if (!v)
            return NONE;
        if ((uint32_t)(v >> 32) != h)
            continue;
        uint32_t idx = (uint32_t)v - 1;
        if (idx >= begin && idx < end && !strcmp(strs + ids[idx], id))
            return idx;
    }
}

static int idmap_put(struct hh__gtfs_idmap *m, uint32_t h, uint32_t idx)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        uint64_t *ns = hh__calloc(ncap, sizeof *ns);
        if (!ns)
            return HH_ENOMEM;
        for (size_t i = 0; i < m->cap; i++) {
            uint64_t v = m->slot[i];
            if (!v)
                continue;
            size_t j = (v >> 32) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = v;
        }
        hh__free(m->slot);
        m->slot = ns;
        m->cap = ncap;
    }
    size_t j = h & (m->cap - 1);
    while (m->slot[j])
        j = (j + 1) & (m->cap - 1);
    m->slot[j] = (uint64_t)h << 32 | ((uint64_t)idx + 1);
    m->n++;
    return 0;
}

static const uint32_t *kind_ids(const hh__timetable *tt, hh__gtfs_kind k)
{
    switch (k) {
    case HH__GTFS_STOP: return tt->stop_id;
    case HH__GTFS_ROUTE: return tt->route_id;
    case HH__GTFS_SERVICE: return tt->service_id;
    default: return tt->trip_id;
    }
}

uint32_t hh__timetable_find(const hh__timetable *tt, hh__gtfs_kind kind, uint32_t feed,
                            const char *id)
{
    if (feed >= tt->n_feeds || (unsigned)kind >= HH__GTFS_N_KINDS)
        return NONE;
    const hh__gtfs_feed *f = &tt->feeds[feed];
    uint32_t b, e;
    switch (kind) {
    case HH__GTFS_STOP: b = f->stop_begin, e = f->stop_end; break;
    case HH__GTFS_ROUTE: b = f->route_begin, e = f->route_end; break;
    case HH__GTFS_SERVICE: b = f->service_begin, e = f->service_end; break;
    default: b = f->trip_begin, e = f->trip_end; break;
    }
    if (!tt->idmaps) {
        /* a timetable mapped from a network file has no lookup tables */
        const uint32_t *ids = kind_ids(tt, kind);
        for (uint32_t i = b; i < e; i++)
            if (!strcmp(tt->strs + ids[i], id))
                return i;
        return NONE;
    }
    return idmap_get(&tt->idmaps[kind], id_hash(feed, id), id, kind_ids(tt, kind), tt->strs, b, e);
}

void hh__timetable_free(hh__timetable *tt)
{
    if (!tt)
        return;
    for (uint32_t f = 0; tt->feeds && f < tt->n_feeds; f++) {
        hh__free(tt->feeds[f].name);
        hh__free(tt->feeds[f].timezone);
        hh__free(tt->feeds[f].agencies);
    }
    hh__free(tt->feeds);
    void *arrays[] = {
        tt->stop_lon, tt->stop_lat, tt->stop_type, tt->stop_parent, tt->stop_id, tt->stop_name,
        tt->stop_pat_first, tt->stop_pats, tt->stop_pat_pos, tt->stop_xfer_first,
        tt->route_id, tt->route_short_name, tt->route_long_name, tt->route_type,
        tt->service_id, tt->service_days, tt->service_start, tt->service_end,
        tt->service_exc_first, tt->exc_date, tt->exc_added,
        tt->trip_id, tt->trip_route, tt->trip_service, tt->trip_pattern, tt->trip_st,
        tt->trip_freq_first,
        tt->pat_route, tt->pat_freq, tt->pat_stop_first, tt->pat_stops, tt->pat_stop_flags,
        tt->pat_trip_first, tt->pat_trips, tt->pat_st, tt->arr, tt->dep,
        tt->freq_trip, tt->freq_start, tt->freq_end, tt->freq_headway, tt->freq_exact,
        tt->xfer_from, tt->xfer_to, tt->xfer_type, tt->xfer_min_s, tt->strs,
    };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        hh__free(arrays[i]);
    if (tt->idmaps)
        for (int k = 0; k < HH__GTFS_N_KINDS; k++)
            hh__free(tt->idmaps[k].slot);
    hh__free(tt->idmaps);
    hh__free(tt);
}

/* ---- the loader ------------------------------------------------------ */

/* One feed's stop_times.txt rows, before they are sorted into trips. */
typedef struct staged_st {
    size_t n, cap;
    uint32_t *trip, *seq, *stop, *line;
    int32_t *arr, *dep;
    uint8_t *flags;
    double *dist; /* shape_dist_traveled, NaN when blank; NULL without column */
} staged_st;

typedef struct loader {
    hh__timetable *tt;
    const hh__gtfs_opts *opts;
    char *err;
    size_t errlen;
    uint32_t feed;
    const char *fname; /* feed name for messages */
    zip_t *zip;
    zip_file_t *zf;
    const char *file; /* member being read */
    hh__csv csv;
    int csv_open;

    size_t cap_stop, cap_route, cap_service, cap_trip, cap_strs;
    size_t cap_exc, cap_freq, cap_xfer;
    /* calendar_dates rows until the service index is built */
    uint32_t *exc_svc, *exc_line;
    size_t n_exc;
    /* stop times grouped by trip (tst_first: n_trips+1 entries) */
    uint32_t *tst_first, *tst_stop;
    int32_t *tst_arr, *tst_dep;
    uint8_t *tst_flags;
    size_t n_tst, cap_tst, cap_tst_first;
    /* stops.txt of the current feed: parent_station id and line, resolved
     * once every stop of the feed is known */
    uint32_t *parent_str, *stop_line;
    size_t cap_parent, cap_stop_line;
    staged_st st;
    /* rows of the id file being read (stops, routes, calendar, trips) as
     * text, by entity index within the feed: duplicate ids compare them */
    char *rowpool, *rowbuf;
    size_t n_rowpool, cap_rowpool, cap_rowbuf;
    uint32_t *row_off, *row_line;
    size_t cap_row_off, cap_row_line;
    /* ids of trips dropped (or never there): their stop times and
     * frequencies go without another warning */
    struct hh__gtfs_idmap dropped;
    uint32_t *dropped_ids;
    size_t n_dropped, cap_dropped;
} loader;

static int failv(loader *L, int code, const char *fmt, va_list ap)
{
    if (L->err && L->errlen) {
        int o = snprintf(L->err, L->errlen, "%s: ", L->fname ? L->fname : "gtfs");
        if (o >= 0 && (size_t)o < L->errlen)
            vsnprintf(L->err + o, L->errlen - (size_t)o, fmt, ap);
    }
    return code;
}

/* "<feed>: <message>" */
static int fail(loader *L, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    failv(L, code, fmt, ap);
    va_end(ap);
    return code;
}

/* "<feed>: <file> line <n>: <message>" */
static int fail_at(loader *L, uint64_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail(L, HH_EFORMAT, "%s line %llu: %s", L->file, (unsigned long long)line, msg);
}

/* A fault of an HH__GTFS_WARN_KINDS kind at `line` of the current file (0:
 * no line): counted, the first few kept; an error under --strict. */
static int warn(loader *L, int kind, uint64_t line, const char *fmt, ...)
{
    char msg[512], full[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(full, sizeof full, "%s line %llu: %s", L->file, (unsigned long long)line, msg);
    else
        snprintf(full, sizeof full, "%s: %s", L->file, msg);
    if (L->opts && L->opts->strict)
        return fail(L, HH_EFORMAT, "%s (--strict)", full);
    hh__gtfs_warn *w = &L->tt->warn[kind];
    if (w->count < HH__GTFS_WARN_EXAMPLES) {
        /* cut to fit: an example is for reading, not parsing */
        char *dst = w->ex[w->count];
        size_t cap = sizeof w->ex[0];
        int o = snprintf(dst, cap, "%s: ", L->fname ? L->fname : "gtfs");
        if (o >= 0 && (size_t)o < cap) {
            size_t n = strlen(full);
            if (n > cap - 1 - (size_t)o)
                n = cap - 1 - (size_t)o;
            memcpy(dst + o, full, n);
            dst[(size_t)o + n] = '\0';
        }
    }
    if (w->count < UINT32_MAX)
        w->count++;
    return 0;
}

const char *hh__gtfs_warn_name(int kind)
{
    static const char *const names[] = {
#define HH__GW_NAME(name, str) str,
        HH__GTFS_WARN_KINDS(HH__GW_NAME)
#undef HH__GW_NAME
    };
    return kind >= 0 && kind < HH__GW_N ? names[kind] : NULL;
}

static int oom(loader *L) { return fail(L, HH_ENOMEM, "out of memory reading %s", L->file ? L->file : "feed"); }

/* A field value fit for a one-line message: at most 40 bytes, control
 * characters shown as '?'. */
static const char *shown(const char *v, char *buf, size_t n)
{
    size_t i = 0;
    for (; v[i] && i + 4 < n && i < 40; i++)
        buf[i] = (unsigned char)v[i] < 0x20 ? '?' : v[i];
    if (v[i])
        buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
    buf[i] = '\0';
    return buf;
}

/* `<column> "<value>" <what>` at the current row */
static int bad(loader *L, const char *col, const char *val, const char *what)
{
    char b[48];
    return fail_at(L, hh__csv_line(&L->csv), "%s \"%s\" %s", col, shown(val, b, sizeof b), what);
}

static int64_t zip_read_cb(void *ud, char *buf, size_t n)
{
    loader *L = ud;
    return zip_fread(L->zf, buf, n);
}

static void close_file(loader *L)
{
    if (L->csv_open)
        hh__csv_free(&L->csv);
    L->csv_open = 0;
    if (L->zf)
        zip_fclose(L->zf);
    L->zf = NULL;
}

/* Opens member `name` and reads its header.  *found is 0 when the member is
 * absent or empty (an error if required). */
static int open_file(loader *L, const char *name, int required, int *found)
{
    L->file = name;
    *found = 0;
    zip_int64_t idx = zip_name_locate(L->zip, name, ZIP_FL_NOCASE | ZIP_FL_NODIR);
    if (idx < 0) {
        if (required)
            return fail(L, HH_EFORMAT, "missing required file %s", name);
        return 0;
    }
    /* the size the zip claims, before a byte is read: a bomb of a few
     * kilobytes may claim terabytes (the reader streams, so this bounds the
     * time a feed may take, not the memory) */
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(L->zip, (zip_uint64_t)idx, 0, &zs) == 0 && (zs.valid & ZIP_STAT_SIZE) &&
        zs.size > HH_GTFS_MAX_MEMBER)
        return fail(L, HH_ERANGE, "%s: %llu bytes uncompressed (as the zip says), more than the limit of %llu",
                    name, (unsigned long long)zs.size, (unsigned long long)HH_GTFS_MAX_MEMBER);
    L->zf = zip_fopen_index(L->zip, (zip_uint64_t)idx, 0);
    if (!L->zf)
        return fail(L, HH_EIO, "%s: cannot read (%s)", name, zip_strerror(L->zip));
    hh__csv_init(&L->csv, zip_read_cb, L);
    L->csv_open = 1;
    int rc = hh__csv_header(&L->csv);
    if (rc == HH_EEMPTY) {
        close_file(L);
        if (required)
            return fail(L, HH_EFORMAT, "%s is empty (no header line)", name);
        return 0;
    }
    if (rc == HH_ENOMEM)
        return oom(L);
    if (rc == HH_EIO)
        return fail(L, HH_EIO, "%s: read error (%s)", name, zip_file_strerror(L->zf));
    if (rc == HH_ERANGE)
        return fail_at(L, hh__csv_line(&L->csv), "a row of more than %zu bytes (not a CSV table)", HH_CSV_MAX_ROW);
    if (rc < 0)
        return fail_at(L, hh__csv_line(&L->csv), "quoted field never closed");
    *found = 1;
    return 0;
}

/* 1 with a row, 0 at the end, or a negative code with the message set. */
static int next_row(loader *L)
{
    int rc = hh__csv_next(&L->csv);
    if (rc >= 0)
        return rc;
    if (rc == HH_ENOMEM)
        return oom(L);
    if (rc == HH_EIO)
        return fail(L, HH_EIO, "%s: read error (%s)", L->file, zip_file_strerror(L->zf));
    if (rc == HH_ERANGE)
        return fail_at(L, hh__csv_line(&L->csv), "a row of more than %zu bytes (not a CSV table)", HH_CSV_MAX_ROW);
    return fail_at(L, hh__csv_line(&L->csv), "quoted field never closed");
}

static int need_col(loader *L, const char *name, int *col)
{
    *col = hh__csv_column(&L->csv, name);
    if (*col < 0)
        return fail(L, HH_EFORMAT, "%s: missing required column %s", L->file, name);
    return 0;
}

static const char *get(loader *L, int col) { return hh__csv_get(&L->csv, col); }

static int is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

/* Non-negative decimal integer <= max; blanks around are fine. */
static int parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    uint64_t v = 0;
    int nd = 0;
    if (*s == '+')
        s++;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s++ - '0');
        if (v > max)
            return HH_EFORMAT;
        nd++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (!nd || *s)
        return HH_EFORMAT;
    *out = (uint32_t)v;
    return 0;
}

/* Optional small enum column: blank gives def. */
static int parse_enum(const char *s, uint32_t max, uint32_t def, uint32_t *out)
{
    if (is_blank(s)) {
        *out = def;
        return 0;
    }
    return parse_uint(s, max, out);
}

/* A decimal number in C syntax only: the strict grammar check first means a
 * locale with a decimal comma makes strtod fail loudly, never misread. */
static int parse_real(const char *s, double *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    const char *p = s;
    int nd = 0;
    if (*p == '-' || *p == '+')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, nd++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            nd++;
    if (!nd)
        return HH_EFORMAT;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return HH_EFORMAT;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    const char *end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return HH_EFORMAT;
    char *e;
    double v = strtod(s, &e);
    if (e != end || !isfinite(v))
        return HH_EFORMAT;
    *out = v;
    return 0;
}

static int add_str(loader *L, const char *s, uint32_t *off)
{
    hh__timetable *tt = L->tt;
    size_t n = strlen(s) + 1;
    if (tt->strs_len + n > UINT32_MAX)
        return fail(L, HH_ERANGE, "%s: more than 4 GB of ids and names", L->file);
    if (hh__grow(&tt->strs, &L->cap_strs, tt->strs_len + n, 1))
        return oom(L);
    memcpy(tt->strs + tt->strs_len, s, n);
    *off = (uint32_t)tt->strs_len;
    tt->strs_len += n;
    return 0;
}


/* Looks id up in the current feed. */
static uint32_t find_cur(loader *L, hh__gtfs_kind k, const char *id, uint32_t begin, uint32_t end)
{
    hh__timetable *tt = L->tt;
    return idmap_get(&tt->idmaps[k], id_hash(L->feed, id), id, kind_ids(tt, k), tt->strs, begin, end);
}

/* Adds the id of entity `idx` (already stored in its id column). */
static int index_id(loader *L, hh__gtfs_kind k, uint32_t idx)
{
    hh__timetable *tt = L->tt;
    if (idmap_put(&tt->idmaps[k], id_hash(L->feed, tt->strs + kind_ids(tt, k)[idx]), idx))
        return oom(L);
    return 0;
}

/* ---- duplicate rows and dropped ids ------------------------------------ */

#define ROW_SEP '\x1f' /* between fields of a row's text: never in a field */

/* The current row as text in L->rowbuf: every field, ROW_SEP between them,
 * trailing blank fields left out (a short row equals the padded one). */
static int cur_row_text(loader *L)
{
    size_t len = 0, keep = 0;
    for (size_t i = 0; i < L->csv.n_fields; i++) {
        const char *f = hh__csv_get(&L->csv, (int)i);
        size_t fl = strlen(f);
        if (hh__grow(&L->rowbuf, &L->cap_rowbuf, len + fl + 2, 1))
            return oom(L);
        if (i)
            L->rowbuf[len++] = ROW_SEP;
        memcpy(L->rowbuf + len, f, fl);
        len += fl;
        if (fl)
            keep = len;
    }
    if (hh__grow(&L->rowbuf, &L->cap_rowbuf, keep + 1, 1))
        return oom(L);
    L->rowbuf[keep] = '\0';
    return 0;
}

/* Keeps L->rowbuf as the row of entity i (index within the file's feed). */
static int remember_row(loader *L, size_t i)
{
    size_t n = strlen(L->rowbuf) + 1;
    if (L->n_rowpool + n > UINT32_MAX)
        return fail(L, HH_ERANGE, "%s: more than 4 GB of rows", L->file);
    if (hh__grow(&L->rowpool, &L->cap_rowpool, L->n_rowpool + n, 1) ||
        hh__grow(&L->row_off, &L->cap_row_off, i + 1, 4) || hh__grow(&L->row_line, &L->cap_row_line, i + 1, 4))
        return oom(L);
    memcpy(L->rowpool + L->n_rowpool, L->rowbuf, n);
    L->row_off[i] = (uint32_t)L->n_rowpool;
    L->row_line[i] = (uint32_t)hh__csv_line(&L->csv);
    L->n_rowpool += n;
    return 0;
}

/* A row's text for a message: fields comma-separated, at most 80 bytes. */
static const char *shown_row(const char *v, char *buf, size_t n)
{
    size_t i = 0;
    for (; v[i] && i + 4 < n && i < 80; i++)
        buf[i] = v[i] == ROW_SEP ? ',' : (unsigned char)v[i] < 0x20 ? '?' : v[i];
    if (v[i])
        buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
    buf[i] = '\0';
    return buf;
}

/* The current row (text in L->rowbuf) repeats the id of entity `prev`:
 * the same row again is a warning (*skip = 1), a different one an error
 * quoting both. */
static int dup_row(loader *L, const char *col, const char *id, size_t prev, int *skip)
{
    char b[48], r1[96], r2[96];
    uint64_t line = hh__csv_line(&L->csv);
    *skip = 1;
    if (!strcmp(L->rowpool + L->row_off[prev], L->rowbuf))
        return warn(L, HH__GW_DUPLICATE_ROW, line, "%s \"%s\" repeats line %lu verbatim (ignored)", col,
                    shown(id, b, sizeof b), (unsigned long)L->row_line[prev]);
    return fail_at(L, line, "%s \"%s\" appears twice with different rows: line %lu \"%s\", line %llu \"%s\"",
                   col, shown(id, b, sizeof b), (unsigned long)L->row_line[prev],
                   shown_row(L->rowpool + L->row_off[prev], r1, sizeof r1), (unsigned long long)line,
                   shown_row(L->rowbuf, r2, sizeof r2));
}

/* Whether trip id `id` of the current feed was dropped (or reported
 * missing) already; *added set when this call recorded it. */
static int dropped_trip(loader *L, const char *id, int add, int *added)
{
    uint32_t h = id_hash(L->feed, id);
    *added = 0;
    if (idmap_get(&L->dropped, h, id, L->dropped_ids, L->tt->strs, 0, (uint32_t)L->n_dropped) != NONE)
        return 1;
    if (!add)
        return 0;
    uint32_t off;
    int rc;
    if ((rc = add_str(L, id, &off)))
        return rc;
    if (hh__grow(&L->dropped_ids, &L->cap_dropped, L->n_dropped + 1, 4))
        return oom(L);
    L->dropped_ids[L->n_dropped] = off;
    if (idmap_put(&L->dropped, h, (uint32_t)L->n_dropped))
        return oom(L);
    L->n_dropped++;
    *added = 1;
    return 0;
}

/* ---- agency.txt ------------------------------------------------------ */

static int read_agency(loader *L)
{
    int found, rc, c_tz;
    if ((rc = open_file(L, "agency.txt", 1, &found)) || (rc = need_col(L, "agency_timezone", &c_tz)))
        return rc;
    int c_name = hh__csv_column(&L->csv, "agency_name");
    hh__gtfs_feed *f = &L->tt->feeds[L->feed];
    size_t cap_names = 0, len_names = 0;
    uint32_t blank_line[HH__GTFS_WARN_EXAMPLES + 1], n_blank = 0, tz_line = 0;
    while ((rc = next_row(L)) > 0) {
        /* agency names, "; "-separated, for reports */
        const char *name = get(L, c_name);
        size_t nl = strlen(name);
        if (nl) {
            if (hh__grow(&f->agencies, &cap_names, len_names + nl + 3, 1))
                return oom(L);
            if (len_names)
                memcpy(f->agencies + len_names, "; ", 2), len_names += 2;
            memcpy(f->agencies + len_names, name, nl);
            len_names += nl;
            f->agencies[len_names] = '\0';
        }
        const char *tz = get(L, c_tz);
        while (*tz == ' ')
            tz++;
        size_t n = strlen(tz);
        while (n && tz[n - 1] == ' ')
            n--;
        if (!n) {
            /* decided once the other agencies are read */
            if (n_blank < HH__GTFS_WARN_EXAMPLES + 1)
                blank_line[n_blank] = (uint32_t)hh__csv_line(&L->csv);
            n_blank++;
            continue;
        }
        if (!f->timezone) {
            tz_line = (uint32_t)hh__csv_line(&L->csv);
            if (!(f->timezone = hh__malloc(n + 1)))
                return oom(L);
            memcpy(f->timezone, tz, n);
            f->timezone[n] = '\0';
        } else if (strlen(f->timezone) != n || memcmp(f->timezone, tz, n)) {
            /* times of every agency are read on one clock */
            return bad(L, "agency_timezone", tz, "differs from the feed's first agency");
        }
    }
    if (rc < 0)
        return rc;
    if (!f->timezone && !n_blank)
        return fail(L, HH_EFORMAT, "agency.txt has no agency");
    const char *from = "the feed's other agencies";
    if (!f->timezone) {
        if (!L->opts || !L->opts->timezone || !*L->opts->timezone)
            return fail_at(L, blank_line[0], "agency_timezone is blank and no other agency gives one "
                                             "(name the zone with --timezone)");
        size_t n = strlen(L->opts->timezone);
        if (!(f->timezone = hh__malloc(n + 1)))
            return oom(L);
        memcpy(f->timezone, L->opts->timezone, n + 1);
        from = "--timezone";
    }
    /* a zone the tz database does not know would put every time on the
     * wrong clock later; it is an error whatever the number of feeds */
    int32_t off;
    int trc = hh__tz_offset(f->timezone, 0, &off);
    if (trc == HH_ENOMEM)
        return oom(L);
    if (trc) {
        char b[48];
        if (tz_line)
            return fail_at(L, tz_line, "agency_timezone \"%s\" is not a time zone of the system's tz database",
                           shown(f->timezone, b, sizeof b));
        return fail(L, HH_EFORMAT, "--timezone \"%s\" is not a time zone of the system's tz database",
                    shown(f->timezone, b, sizeof b));
    }
    for (uint32_t i = 0; i < n_blank && i < HH__GTFS_WARN_EXAMPLES + 1; i++)
        if ((rc = warn(L, HH__GW_BLANK_TZ, blank_line[i], "agency_timezone is blank: %s from %s", f->timezone,
                       from)))
            return rc;
    if (n_blank > HH__GTFS_WARN_EXAMPLES + 1) /* the rest counted without examples */
        L->tt->warn[HH__GW_BLANK_TZ].count += n_blank - (HH__GTFS_WARN_EXAMPLES + 1);
    close_file(L);
    return 0;
}

/* ---- stops.txt ------------------------------------------------------- */

static int read_stops(loader *L)
{
    hh__timetable *tt = L->tt;
    int found, rc, c_id, c_name, c_lat, c_lon, c_type, c_parent;
    if ((rc = open_file(L, "stops.txt", 1, &found)) || (rc = need_col(L, "stop_id", &c_id)) ||
        (rc = need_col(L, "stop_lat", &c_lat)) || (rc = need_col(L, "stop_lon", &c_lon)))
        return rc;
    c_name = hh__csv_column(&L->csv, "stop_name");
    c_type = hh__csv_column(&L->csv, "location_type");
    c_parent = hh__csv_column(&L->csv, "parent_station");
    uint32_t begin = tt->n_stops;
    L->n_rowpool = 0;
    void **const cols[] = {COL(tt->stop_lon), COL(tt->stop_lat), COL(tt->stop_type),
                           COL(tt->stop_parent), COL(tt->stop_id), COL(tt->stop_name)};
    const size_t sizes[] = {sizeof(double), sizeof(double), 1, 4, 4, 4};

    while ((rc = next_row(L)) > 0) {
        uint32_t s = tt->n_stops, type;
        if (s >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u stops", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_stop, (size_t)s + 1, cols, sizes, 6))
            return oom(L);
        size_t i = s - begin;
        if (hh__grow(&L->parent_str, &L->cap_parent, i + 1, 4) ||
            hh__grow(&L->stop_line, &L->cap_stop_line, i + 1, 4))
            return oom(L);
        const char *id = get(L, c_id);
        if (!*id)
            return bad(L, "stop_id", id, "is blank");
        if ((rc = cur_row_text(L)))
            return rc;
        uint32_t prev = find_cur(L, HH__GTFS_STOP, id, begin, s);
        if (prev != NONE) {
            int skip;
            if ((rc = dup_row(L, "stop_id", id, prev - begin, &skip)))
                return rc;
            continue;
        }
        if (parse_enum(get(L, c_type), 4, 0, &type))
            return bad(L, "location_type", get(L, c_type), "is not 0..4");
        double lat = NAN, lon = NAN;
        const char *vlat = get(L, c_lat), *vlon = get(L, c_lon);
        /* GTFS lets generic nodes and boarding areas go without a position;
         * any other stop without one is fine while no trip calls at it
         * (checked with stop_times.txt) */
        int no_pos = is_blank(vlat) && is_blank(vlon);
        if (!no_pos && (parse_real(vlat, &lat) || lat < -90 || lat > 90))
            return bad(L, "stop_lat", vlat, "is not a latitude");
        if (!no_pos && (parse_real(vlon, &lon) || lon < -180 || lon > 180))
            return bad(L, "stop_lon", vlon, "is not a longitude");
        if ((rc = remember_row(L, i)))
            return rc;
        uint32_t off_id, off_name, off_parent = NONE;
        if ((rc = add_str(L, id, &off_id)) || (rc = add_str(L, get(L, c_name), &off_name)))
            return rc;
        if (!is_blank(get(L, c_parent)) && (rc = add_str(L, get(L, c_parent), &off_parent)))
            return rc;
        tt->stop_lon[s] = lon;
        tt->stop_lat[s] = lat;
        tt->stop_type[s] = (uint8_t)type;
        tt->stop_parent[s] = NONE;
        tt->stop_id[s] = off_id;
        tt->stop_name[s] = off_name;
        L->parent_str[i] = off_parent;
        L->stop_line[i] = (uint32_t)hh__csv_line(&L->csv);
        tt->n_stops++;
        if ((rc = index_id(L, HH__GTFS_STOP, s)))
            return rc;
    }
    if (rc < 0)
        return rc;
    for (uint32_t s = begin; s < tt->n_stops; s++) {
        uint32_t ps = L->parent_str[s - begin];
        if (ps == NONE)
            continue;
        const char *pid = tt->strs + ps;
        uint32_t p = find_cur(L, HH__GTFS_STOP, pid, begin, tt->n_stops);
        char b[48];
        if (p == s)
            return fail_at(L, L->stop_line[s - begin], "parent_station \"%s\" is the stop itself",
                           shown(pid, b, sizeof b));
        if (p == NONE) {
            if ((rc = warn(L, HH__GW_MISSING_REF, L->stop_line[s - begin],
                           "parent_station \"%s\" is not in stops.txt (the stop is kept without it)",
                           shown(pid, b, sizeof b))))
                return rc;
            continue;
        }
        tt->stop_parent[s] = p;
    }
    L->tt->feeds[L->feed].stop_end = tt->n_stops;
    close_file(L);
    return 0;
}

/* ---- routes.txt ------------------------------------------------------ */

/* GTFS's basic route types and the extended (HVT) ones Google lists. */
static int known_route_type(uint32_t t)
{
    if (t <= 7 || t == 11 || t == 12)
        return 1;
    static const uint16_t ranges[][2] = {{100, 117}, {200, 209}, {400, 405}, {700, 716}, {800, 800},
                                         {900, 906}, {1000, 1000}, {1100, 1100}, {1200, 1200}, {1300, 1300},
                                         {1400, 1400}, {1500, 1507}, {1700, 1702}};
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        if (t >= ranges[i][0] && t <= ranges[i][1])
            return 1;
    return 0;
}

static int read_routes(loader *L)
{
    hh__timetable *tt = L->tt;
    int found, rc, c_id, c_type, c_short, c_long;
    if ((rc = open_file(L, "routes.txt", 1, &found)) || (rc = need_col(L, "route_id", &c_id)) ||
        (rc = need_col(L, "route_type", &c_type)))
        return rc;
    c_short = hh__csv_column(&L->csv, "route_short_name");
    c_long = hh__csv_column(&L->csv, "route_long_name");
    uint32_t begin = tt->n_routes;
    L->n_rowpool = 0;
    void **const cols[] = {COL(tt->route_id), COL(tt->route_short_name), COL(tt->route_long_name),
                           COL(tt->route_type)};
    const size_t sizes[] = {4, 4, 4, 4};
    while ((rc = next_row(L)) > 0) {
        uint32_t r = tt->n_routes, type;
        if (r >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u routes", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_route, (size_t)r + 1, cols, sizes, 4))
            return oom(L);
        const char *id = get(L, c_id);
        if (!*id)
            return bad(L, "route_id", id, "is blank");
        if ((rc = cur_row_text(L)))
            return rc;
        uint32_t prev = find_cur(L, HH__GTFS_ROUTE, id, begin, r);
        if (prev != NONE) {
            int skip;
            if ((rc = dup_row(L, "route_id", id, prev - begin, &skip)))
                return rc;
            continue;
        }
        if (parse_uint(get(L, c_type), INT32_MAX, &type))
            return bad(L, "route_type", get(L, c_type), "is not a route type");
        if (!known_route_type(type)) {
            char b[48];
            if ((rc = warn(L, HH__GW_ROUTE_TYPE, hh__csv_line(&L->csv),
                           "route_type %lu of route_id \"%s\" is not a GTFS route type (routed as generic transit)",
                           (unsigned long)type, shown(id, b, sizeof b))))
                return rc;
        }
        if ((rc = remember_row(L, r - begin)))
            return rc;
        if ((rc = add_str(L, id, &tt->route_id[r])) ||
            (rc = add_str(L, get(L, c_short), &tt->route_short_name[r])) ||
            (rc = add_str(L, get(L, c_long), &tt->route_long_name[r])))
            return rc;
        tt->route_type[r] = (int32_t)type;
        tt->n_routes++;
        if ((rc = index_id(L, HH__GTFS_ROUTE, r)))
            return rc;
    }
    if (rc < 0)
        return rc;
    L->tt->feeds[L->feed].route_end = tt->n_routes;
    close_file(L);
    return 0;
}

/* ---- calendar.txt, calendar_dates.txt ---------------------------------- */

static int add_service(loader *L, const char *id, uint32_t *out)
{
    hh__timetable *tt = L->tt;
    uint32_t s = tt->n_services;
    void **const cols[] = {COL(tt->service_id), COL(tt->service_days), COL(tt->service_start),
                           COL(tt->service_end)};
    const size_t sizes[] = {4, 1, 4, 4};
    if (s >= MAX_COUNT)
        return fail(L, HH_ERANGE, "more than %u services", MAX_COUNT);
    if (hh__gtfs_grow_cols(&L->cap_service, (size_t)s + 1, cols, sizes, 4))
        return oom(L);
    int rc;
    if ((rc = add_str(L, id, &tt->service_id[s])))
        return rc;
    tt->service_days[s] = 0;
    tt->service_start[s] = tt->service_end[s] = 0;
    tt->n_services++;
    if ((rc = index_id(L, HH__GTFS_SERVICE, s)))
        return rc;
    *out = s;
    return 0;
}

static int read_calendar(loader *L, int *found)
{
    static const char *const day[7] = {"monday", "tuesday", "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};
    hh__timetable *tt = L->tt;
    int rc, c_id, c_day[7], c_start, c_end;
    if ((rc = open_file(L, "calendar.txt", 0, found)) || !*found)
        return rc;
    if ((rc = need_col(L, "service_id", &c_id)) || (rc = need_col(L, "start_date", &c_start)) ||
        (rc = need_col(L, "end_date", &c_end)))
        return rc;
    for (int d = 0; d < 7; d++)
        if ((rc = need_col(L, day[d], &c_day[d])))
            return rc;
    uint32_t begin = tt->feeds[L->feed].service_begin;
    L->n_rowpool = 0;
    while ((rc = next_row(L)) > 0) {
        const char *id = get(L, c_id);
        if (!*id)
            return bad(L, "service_id", id, "is blank");
        if ((rc = cur_row_text(L)))
            return rc;
        uint32_t prev = find_cur(L, HH__GTFS_SERVICE, id, begin, tt->n_services);
        if (prev != NONE) {
            int skip;
            if ((rc = dup_row(L, "service_id", id, prev - begin, &skip)))
                return rc;
            continue;
        }
        uint8_t days = 0;
        for (int d = 0; d < 7; d++) {
            uint32_t v;
            if (parse_uint(get(L, c_day[d]), 1, &v))
                return bad(L, day[d], get(L, c_day[d]), "is not 0 or 1");
            days |= (uint8_t)(v << d);
        }
        int32_t a, b;
        if (hh__gtfs_parse_date(get(L, c_start), &a))
            return bad(L, "start_date", get(L, c_start), "is not a date (YYYYMMDD)");
        if (hh__gtfs_parse_date(get(L, c_end), &b))
            return bad(L, "end_date", get(L, c_end), "is not a date (YYYYMMDD)");
        if (b < a)
            return bad(L, "end_date", get(L, c_end), "is before start_date");
        uint32_t s;
        if ((rc = add_service(L, id, &s)) || (rc = remember_row(L, s - begin)))
            return rc;
        tt->service_days[s] = days;
        tt->service_start[s] = a;
        tt->service_end[s] = b;
    }
    if (rc < 0)
        return rc;
    close_file(L);
    return 0;
}

static int cmp_exc(const void *ctx, uint32_t x, uint32_t y)
{
    const uint32_t *svc = ((const void *const *)ctx)[0];
    const int32_t *date = ((const void *const *)ctx)[1];
    if (svc[x] != svc[y])
        return svc[x] < svc[y] ? -1 : 1;
    return date[x] < date[y] ? -1 : date[x] > date[y];
}

static int read_calendar_dates(loader *L, int *found)
{
    hh__timetable *tt = L->tt;
    int rc, c_id, c_date, c_type;
    if ((rc = open_file(L, "calendar_dates.txt", 0, found)) || !*found)
        return rc;
    if ((rc = need_col(L, "service_id", &c_id)) || (rc = need_col(L, "date", &c_date)) ||
        (rc = need_col(L, "exception_type", &c_type)))
        return rc;
    uint32_t begin = tt->feeds[L->feed].service_begin;
    size_t first = L->n_exc;
    void **const cols[] = {COL(tt->exc_date), COL(tt->exc_added), COL(L->exc_svc), COL(L->exc_line)};
    const size_t sizes[] = {4, 1, 4, 4};
    while ((rc = next_row(L)) > 0) {
        const char *id = get(L, c_id);
        if (!*id)
            return bad(L, "service_id", id, "is blank");
        int32_t date;
        uint32_t type;
        if (hh__gtfs_parse_date(get(L, c_date), &date))
            return bad(L, "date", get(L, c_date), "is not a date (YYYYMMDD)");
        if (parse_uint(get(L, c_type), 2, &type) || type < 1)
            return bad(L, "exception_type", get(L, c_type), "is not 1 or 2");
        uint32_t s = find_cur(L, HH__GTFS_SERVICE, id, begin, tt->n_services);
        if (s == NONE && (rc = add_service(L, id, &s)))
            return rc;
        if (L->n_exc >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u calendar dates", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_exc, L->n_exc + 1, cols, sizes, 4))
            return oom(L);
        tt->exc_date[L->n_exc] = date;
        tt->exc_added[L->n_exc] = type == 1;
        L->exc_svc[L->n_exc] = s;
        L->exc_line[L->n_exc] = (uint32_t)hh__csv_line(&L->csv);
        L->n_exc++;
    }
    if (rc < 0)
        return rc;
    /* Sorted by (service, date) the rows of all feeds line up as the CSR
     * service_exc_first needs, services being numbered feed after feed. */
    size_t n = L->n_exc - first;
    uint32_t *perm = hh__alloc_array(n, 4), *tmp = hh__alloc_array(n, 4);
    int32_t *d2 = hh__alloc_array(n, 4);
    uint32_t *s2 = hh__alloc_array(n, 4), *l2 = hh__alloc_array(n, 4);
    uint8_t *a2 = hh__alloc_array(n, 1);
    if (!perm || !tmp || !d2 || !s2 || !l2 || !a2) {
        rc = oom(L);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)(first + i);
    const void *ctx[2] = {L->exc_svc, tt->exc_date};
    hh__gtfs_msort(perm, tmp, n, cmp_exc, ctx);
    for (size_t i = 0; i < n; i++) {
        d2[i] = tt->exc_date[perm[i]];
        s2[i] = L->exc_svc[perm[i]];
        l2[i] = L->exc_line[perm[i]];
        a2[i] = tt->exc_added[perm[i]];
    }
    for (size_t i = 0; i < n; i++) {
        tt->exc_date[first + i] = d2[i];
        L->exc_svc[first + i] = s2[i];
        L->exc_line[first + i] = l2[i];
        tt->exc_added[first + i] = a2[i];
    }
    /* the same row twice is harmless: kept once, with a warning */
    size_t kept = first + (L->n_exc > first);
    for (size_t i = first + 1; i < L->n_exc; i++) {
        if (L->exc_svc[i] == L->exc_svc[kept - 1] && tt->exc_date[i] == tt->exc_date[kept - 1] &&
            tt->exc_added[i] == tt->exc_added[kept - 1]) {
            uint32_t la = L->exc_line[kept - 1], lb = L->exc_line[i];
            char b[48];
            if ((rc = warn(L, HH__GW_DUPLICATE_ROW, la > lb ? la : lb,
                           "service_id \"%s\" on %ld repeats line %lu (ignored)",
                           shown(tt->strs + tt->service_id[L->exc_svc[i]], b, sizeof b), (long)tt->exc_date[i],
                           (unsigned long)(la > lb ? lb : la))))
                goto out;
            continue;
        }
        tt->exc_date[kept] = tt->exc_date[i];
        tt->exc_added[kept] = tt->exc_added[i];
        L->exc_svc[kept] = L->exc_svc[i];
        L->exc_line[kept] = L->exc_line[i];
        kept++;
    }
    L->n_exc = kept;
    for (size_t i = first + 1; i < L->n_exc; i++) {
        if (L->exc_svc[i] == L->exc_svc[i - 1] && tt->exc_date[i] == tt->exc_date[i - 1] &&
            tt->exc_added[i] != tt->exc_added[i - 1]) {
            uint32_t la = L->exc_line[i - 1], lb = L->exc_line[i];
            char b[48];
            rc = fail_at(L, la > lb ? la : lb,
                         "service_id \"%s\" is both added and removed on %ld (see line %lu)",
                         shown(tt->strs + tt->service_id[L->exc_svc[i]], b, sizeof b),
                         (long)tt->exc_date[i], (unsigned long)(la > lb ? lb : la));
            goto out;
        }
    }
    close_file(L);
    rc = 0;
out:
    hh__free(perm);
    hh__free(tmp);
    hh__free(d2);
    hh__free(s2);
    hh__free(l2);
    hh__free(a2);
    return rc;
}

/* ---- trips.txt ------------------------------------------------------- */

static int read_trips(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    int found, rc, c_route, c_svc, c_id;
    if ((rc = open_file(L, "trips.txt", 1, &found)) || (rc = need_col(L, "route_id", &c_route)) ||
        (rc = need_col(L, "service_id", &c_svc)) || (rc = need_col(L, "trip_id", &c_id)))
        return rc;
    void **const cols[] = {COL(tt->trip_id), COL(tt->trip_route), COL(tt->trip_service)};
    const size_t sizes[] = {4, 4, 4};
    L->n_rowpool = 0;
    while ((rc = next_row(L)) > 0) {
        uint32_t t = tt->n_trips;
        if (t >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u trips", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_trip, (size_t)t + 1, cols, sizes, 3))
            return oom(L);
        const char *id = get(L, c_id);
        if (!*id)
            return bad(L, "trip_id", id, "is blank");
        if ((rc = cur_row_text(L)))
            return rc;
        uint32_t prev = find_cur(L, HH__GTFS_TRIP, id, f->trip_begin, t);
        if (prev != NONE) {
            int skip;
            if ((rc = dup_row(L, "trip_id", id, prev - f->trip_begin, &skip)))
                return rc;
            continue;
        }
        uint32_t r = find_cur(L, HH__GTFS_ROUTE, get(L, c_route), f->route_begin, f->route_end);
        uint32_t s = find_cur(L, HH__GTFS_SERVICE, get(L, c_svc), f->service_begin, tt->n_services);
        if (r == NONE || s == NONE) {
            /* the trip goes, and its stop times with it */
            char b[48], c[48];
            int added;
            if ((rc = dropped_trip(L, id, 1, &added)) < 0)
                return rc;
            if (r == NONE)
                rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv),
                          "route_id \"%s\" is not in routes.txt (trip \"%s\" dropped)",
                          shown(get(L, c_route), b, sizeof b), shown(id, c, sizeof c));
            else
                rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv),
                          "service_id \"%s\" is in neither calendar.txt nor calendar_dates.txt (trip \"%s\" dropped)",
                          shown(get(L, c_svc), b, sizeof b), shown(id, c, sizeof c));
            if (rc)
                return rc;
            continue;
        }
        if ((rc = remember_row(L, t - f->trip_begin)) || (rc = add_str(L, id, &tt->trip_id[t])))
            return rc;
        tt->trip_route[t] = r;
        tt->trip_service[t] = s;
        tt->n_trips++;
        if ((rc = index_id(L, HH__GTFS_TRIP, t)))
            return rc;
    }
    if (rc < 0)
        return rc;
    f->trip_end = tt->n_trips;
    close_file(L);
    return 0;
}

/* ---- stop_times.txt -------------------------------------------------- */

static void staged_free(staged_st *s)
{
    hh__free(s->trip);
    hh__free(s->seq);
    hh__free(s->stop);
    hh__free(s->line);
    hh__free(s->arr);
    hh__free(s->dep);
    hh__free(s->flags);
    hh__free(s->dist);
    memset(s, 0, sizeof *s);
}

/* Stops without a position: an error where a trip calls, else a warning
 * (they stay in the table, unplaced, and are never linked). */
static int check_positions(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    staged_st *S = &L->st;
    uint32_t ns = f->stop_end - f->stop_begin;
    uint32_t *first_use = NULL;
    int rc = 0;
    for (uint32_t s = f->stop_begin; s < f->stop_end; s++) {
        if (!isnan(tt->stop_lat[s]) || tt->stop_type[s] >= 3)
            continue;
        if (!first_use) {
            /* line of the first stop time at each stop (0: none) */
            if (!(first_use = hh__calloc(ns ? ns : 1, 4)))
                return oom(L);
            for (size_t i = S->n; i-- > 0;)
                first_use[S->stop[i] - f->stop_begin] = S->line[i];
        }
        char b[48];
        const char *id = shown(tt->strs + tt->stop_id[s], b, sizeof b);
        uint32_t use = first_use[s - f->stop_begin], line = L->stop_line[s - f->stop_begin];
        L->file = "stops.txt";
        if (use)
            rc = fail_at(L, line, "stop_id \"%s\" has no stop_lat/stop_lon, but trips call at it "
                                  "(stop_times.txt line %lu)", id, (unsigned long)use);
        else
            rc = warn(L, HH__GW_STOP_NO_POS, line, "stop_id \"%s\" has no stop_lat/stop_lon and no trip calls "
                                                    "at it (kept unplaced)", id);
        L->file = "stop_times.txt";
        if (rc)
            break;
    }
    hh__free(first_use);
    return rc;
}

static int read_stop_times(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    staged_st *S = &L->st;
    int found, rc, c_trip, c_arr, c_dep, c_stop, c_seq, c_pick, c_drop, c_dist;
    if ((rc = open_file(L, "stop_times.txt", 1, &found)) || (rc = need_col(L, "trip_id", &c_trip)) ||
        (rc = need_col(L, "arrival_time", &c_arr)) || (rc = need_col(L, "departure_time", &c_dep)) ||
        (rc = need_col(L, "stop_id", &c_stop)) || (rc = need_col(L, "stop_sequence", &c_seq)))
        return rc;
    c_pick = hh__csv_column(&L->csv, "pickup_type");
    c_drop = hh__csv_column(&L->csv, "drop_off_type");
    c_dist = hh__csv_column(&L->csv, "shape_dist_traveled");
    void **const cols[] = {COL(S->trip), COL(S->seq), COL(S->stop), COL(S->line),
                           COL(S->arr), COL(S->dep), COL(S->flags), COL(S->dist)};
    const size_t sizes[] = {4, 4, 4, 4, 4, 4, 1, sizeof(double)};
    int ncols = c_dist >= 0 ? 8 : 7;
    /* consecutive rows nearly always share the trip: skip the hash then */
    uint32_t last_trip = NONE;
    while ((rc = next_row(L)) > 0) {
        size_t i = S->n;
        if (i >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u stop times", MAX_COUNT);
        if (hh__gtfs_grow_cols(&S->cap, i + 1, cols, sizes, ncols))
            return oom(L);
        const char *tid = get(L, c_trip);
        uint32_t t;
        if (last_trip != NONE && !strcmp(tt->strs + tt->trip_id[last_trip], tid))
            t = last_trip;
        else if ((t = find_cur(L, HH__GTFS_TRIP, tid, f->trip_begin, f->trip_end)) == NONE) {
            /* one warning per missing trip, none for a dropped one */
            int added;
            if ((rc = dropped_trip(L, tid, 1, &added)) < 0)
                return rc;
            char b[48];
            if (added && (rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv),
                                    "trip_id \"%s\" is not in trips.txt (its stop times dropped)",
                                    shown(tid, b, sizeof b))))
                return rc;
            continue;
        }
        last_trip = t;
        const char *sid = get(L, c_stop);
        uint32_t s = find_cur(L, HH__GTFS_STOP, sid, f->stop_begin, f->stop_end);
        if (s == NONE) {
            char b[48], c[48];
            if ((rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv),
                           "stop_id \"%s\" is not in stops.txt (the stop time of trip \"%s\" dropped)",
                           shown(sid, b, sizeof b), shown(tid, c, sizeof c))))
                return rc;
            continue;
        }
        uint32_t seq, pick, drop;
        if (parse_uint(get(L, c_seq), UINT32_MAX, &seq))
            return bad(L, "stop_sequence", get(L, c_seq), "is not a non-negative integer");
        int32_t a = BLANK, d = BLANK;
        if (hh__gtfs_parse_time(get(L, c_arr), &a) < 0)
            return bad(L, "arrival_time", get(L, c_arr), "is not a time");
        if (hh__gtfs_parse_time(get(L, c_dep), &d) < 0)
            return bad(L, "departure_time", get(L, c_dep), "is not a time");
        if (parse_enum(get(L, c_pick), 3, 0, &pick))
            return bad(L, "pickup_type", get(L, c_pick), "is not 0..3");
        if (parse_enum(get(L, c_drop), 3, 0, &drop))
            return bad(L, "drop_off_type", get(L, c_drop), "is not 0..3");
        if (c_dist >= 0) {
            double dist = NAN;
            const char *v = get(L, c_dist);
            if (!is_blank(v) && (parse_real(v, &dist) || dist < 0))
                return bad(L, "shape_dist_traveled", v, "is not a distance");
            S->dist[i] = dist;
        }
        S->trip[i] = t;
        S->seq[i] = seq;
        S->stop[i] = s;
        S->line[i] = (uint32_t)hh__csv_line(&L->csv);
        /* one time given stands for both */
        S->arr[i] = a != BLANK ? a : d;
        S->dep[i] = d != BLANK ? d : a;
        S->flags[i] = (uint8_t)((pick == 1 ? HH__GTFS_NO_BOARD : 0) | (drop == 1 ? HH__GTFS_NO_ALIGHT : 0));
        S->n++;
    }
    if (rc < 0)
        return rc;
    f->n_stop_time_rows = (uint32_t)S->n;
    return check_positions(L);
}

static int cmp_seq(const void *ctx, uint32_t x, uint32_t y)
{
    const uint32_t *seq = ctx;
    return seq[x] < seq[y] ? -1 : seq[x] > seq[y];
}

/* cos(x) for |x| <= pi/2 from + and * only (Taylor to x^16, error < 1e-10):
 * libm's cos may differ in the last bit between machines, and interpolated
 * times must come out the same everywhere. */
static double cos_poly(double x)
{
    double x2 = x * x, r = 1.0 / 20922789888000.0; /* 1/16! */
    static const double c[8] = {-1.0 / 87178291200.0, 1.0 / 479001600.0, -1.0 / 3628800.0,
                                1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -1.0 / 2.0, 1.0};
    for (int i = 0; i < 8; i++)
        r = r * x2 + c[i];
    return r;
}

/* Straight-line distance in metres on a local flat projection, plenty for
 * apportioning the time between two timed stops. */
static double flat_dist(const hh__timetable *tt, uint32_t a, uint32_t b)
{
    const double deg = 3.14159265358979323846 / 180.0, r = 6371008.8;
    double mid = (tt->stop_lat[a] + tt->stop_lat[b]) * 0.5 * deg;
    double dx = (tt->stop_lon[b] - tt->stop_lon[a]) * deg * cos_poly(mid) * r;
    double dy = (tt->stop_lat[b] - tt->stop_lat[a]) * deg * r;
    return sqrt(dx * dx + dy * dy);
}

/* Fills the blank times strictly between timed positions a and b of the
 * trip whose staged rows are idx[0..n): proportionally to
 * shape_dist_traveled where given and consistent there, else to straight
 * distance between stops, else evenly. */
static void interpolate(const hh__timetable *tt, staged_st *S, const uint32_t *idx, size_t a, size_t b,
                        double *cum)
{
    int32_t t0 = S->dep[idx[a]], t1 = S->arr[idx[b]];
    int ok = 0;
    if (S->dist) {
        ok = 1;
        for (size_t k = a; k <= b && ok; k++) {
            double d = S->dist[idx[k]];
            ok = !isnan(d) && (k == a || d >= S->dist[idx[k - 1]]);
            cum[k - a] = d - S->dist[idx[a]];
        }
        ok = ok && cum[b - a] > 0;
    }
    if (!ok) {
        ok = 1;
        cum[0] = 0;
        for (size_t k = a + 1; k <= b && ok; k++) {
            uint32_t p = S->stop[idx[k - 1]], q = S->stop[idx[k]];
            ok = !isnan(tt->stop_lat[p]) && !isnan(tt->stop_lat[q]);
            cum[k - a] = cum[k - a - 1] + (ok ? flat_dist(tt, p, q) : 0);
        }
        ok = ok && cum[b - a] > 0;
    }
    if (!ok)
        for (size_t k = a; k <= b; k++)
            cum[k - a] = (double)(k - a);
    double span = (double)t1 - (double)t0, total = cum[b - a];
    for (size_t k = a + 1; k < b; k++) {
        int32_t t = t0 + (int32_t)floor(span * cum[k - a] / total + 0.5);
        S->arr[idx[k]] = S->dep[idx[k]] = t;
    }
}

static void fmt_time(char *b, size_t n, int32_t t)
{
    snprintf(b, n, "%02ld:%02ld:%02ld", (long)(t / 3600), (long)(t / 60 % 60), (long)(t % 60));
}

/* A staged stop time for a message: stop "S1" 08:00:00/08:01:00 */
static void st_row(const hh__timetable *tt, const staged_st *S, uint32_t r, char *buf, size_t n)
{
    char a[16] = "", d[16] = "", b[48];
    if (S->arr[r] != BLANK)
        fmt_time(a, sizeof a, S->arr[r]);
    if (S->dep[r] != BLANK)
        fmt_time(d, sizeof d, S->dep[r]);
    snprintf(buf, n, "(stop \"%s\" %s/%s)", shown(tt->strs + tt->stop_id[S->stop[r]], b, sizeof b), a, d);
}

/* Sorts the feed's staged stop times into trips, completes the times and
 * appends them to the trip-ordered tst_* columns. */
static int assemble_trips(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    staged_st *S = &L->st;
    uint32_t nt = f->trip_end - f->trip_begin;
    size_t n = S->n;
    int rc = 0;
    uint32_t *start = hh__calloc((size_t)nt + 1, 4);
    uint32_t *perm = hh__alloc_array(n, 4), *tmp = hh__alloc_array(n, 4);
    double *cum = NULL;
    size_t cap_cum = 0;
    if (!start || !perm || !tmp) {
        rc = oom(L);
        goto out;
    }
    void **const cols[] = {COL(L->tst_stop), COL(L->tst_arr), COL(L->tst_dep), COL(L->tst_flags)};
    const size_t sizes[] = {4, 4, 4, 1};
    if (hh__grow(&L->tst_first, &L->cap_tst_first, (size_t)tt->n_trips + 1, 4) ||
        hh__gtfs_grow_cols(&L->cap_tst, L->n_tst + n, cols, sizes, 4)) {
        rc = oom(L);
        goto out;
    }
    /* stable counting sort by trip keeps file order within a trip */
    for (size_t i = 0; i < n; i++)
        start[S->trip[i] - f->trip_begin + 1]++;
    for (uint32_t t = 0; t < nt; t++)
        start[t + 1] += start[t];
    for (size_t i = 0; i < n; i++)
        perm[start[S->trip[i] - f->trip_begin]++] = (uint32_t)i;
    for (uint32_t t = nt; t > 0; t--)
        start[t] = start[t - 1];
    start[0] = 0;

    for (uint32_t t = 0; t < nt; t++) {
        uint32_t trip = f->trip_begin + t;
        uint32_t *idx = perm + start[t];
        size_t k = start[t + 1] - start[t];
        L->tst_first[trip] = (uint32_t)L->n_tst;
        char b[48];
        const char *tid = shown(tt->strs + tt->trip_id[trip], b, sizeof b);
        size_t unsorted = 0;
        for (size_t i = 1; i < k && !unsorted; i++)
            if (S->seq[idx[i - 1]] > S->seq[idx[i]])
                unsorted = i;
        if (unsorted) {
            if ((rc = warn(L, HH__GW_ST_ORDER, S->line[idx[unsorted]],
                           "trip \"%s\": stop_sequence %lu after %lu (its rows sorted by stop_sequence)", tid,
                           (unsigned long)S->seq[idx[unsorted]], (unsigned long)S->seq[idx[unsorted - 1]])))
                goto out;
            hh__gtfs_msort(idx, tmp, k, cmp_seq, S->seq);
        }
        /* one stop_sequence twice: the same row again is dropped, two
         * different rows are an error */
        size_t kk = k ? 1 : 0;
        for (size_t i = 1; i < k; i++) {
            uint32_t x = idx[kk - 1], y = idx[i];
            if (S->seq[x] != S->seq[y]) {
                idx[kk++] = y;
                continue;
            }
            uint32_t la = S->line[x] < S->line[y] ? S->line[x] : S->line[y];
            uint32_t lb = S->line[x] < S->line[y] ? S->line[y] : S->line[x];
            int same = S->stop[x] == S->stop[y] && S->arr[x] == S->arr[y] && S->dep[x] == S->dep[y] &&
                       S->flags[x] == S->flags[y] &&
                       (!S->dist || S->dist[x] == S->dist[y] || (isnan(S->dist[x]) && isnan(S->dist[y])));
            if (same) {
                if ((rc = warn(L, HH__GW_DUPLICATE_ROW, lb, "trip \"%s\": stop_sequence %lu repeats line %lu (ignored)",
                               tid, (unsigned long)S->seq[y], (unsigned long)la)))
                    goto out;
                continue;
            }
            char r1[96], r2[96];
            st_row(tt, S, x, r1, sizeof r1);
            st_row(tt, S, y, r2, sizeof r2);
            rc = fail_at(L, lb, "trip \"%s\" has stop_sequence %lu twice with different rows: line %lu %s, line %lu %s",
                         tid, (unsigned long)S->seq[y], (unsigned long)S->line[x], r1, (unsigned long)S->line[y], r2);
            goto out;
        }
        k = kk;
        if (k < 2) {
            f->n_trips_dropped++;
            if (k)
                rc = warn(L, HH__GW_SHORT_TRIP, S->line[idx[0]], "trip \"%s\" has one stop time (dropped)", tid);
            else
                rc = warn(L, HH__GW_SHORT_TRIP, 0, "trip \"%s\" has no stop times (dropped)", tid);
            if (rc)
                goto out;
            continue;
        }
        if (S->arr[idx[0]] == BLANK || S->arr[idx[k - 1]] == BLANK) {
            size_t e = S->arr[idx[0]] == BLANK ? 0 : k - 1;
            rc = fail_at(L, S->line[idx[e]], "trip \"%s\" has no arrival_time or departure_time at its %s stop",
                         tid, e ? "last" : "first");
            goto out;
        }
        if (hh__grow(&cum, &cap_cum, k, sizeof *cum)) {
            rc = oom(L);
            goto out;
        }
        /* Timed stops are checked before the blanks between them are
         * filled: interpolation is monotone, so it cannot break order, and
         * a message then only ever quotes times that are in the file. */
        size_t a = 0;
        for (size_t i = 0; i < k; i++) {
            uint32_t r = idx[i];
            if (S->arr[r] == BLANK)
                continue;
            char x[16], y[16];
            if (S->dep[r] < S->arr[r]) {
                fmt_time(x, sizeof x, S->dep[r]);
                fmt_time(y, sizeof y, S->arr[r]);
                rc = fail_at(L, S->line[r], "trip \"%s\": departure_time %s is before arrival_time %s",
                             tid, x, y);
                goto out;
            }
            if (i && S->arr[r] < S->dep[idx[a]]) {
                fmt_time(x, sizeof x, S->arr[r]);
                fmt_time(y, sizeof y, S->dep[idx[a]]);
                rc = fail_at(L, S->line[r], "trip \"%s\": arrival_time %s is before departure_time %s on line %lu",
                             tid, x, y, (unsigned long)S->line[idx[a]]);
                goto out;
            }
            if (i > a + 1) {
                interpolate(tt, S, idx, a, i, cum);
                f->n_interpolated += (uint32_t)(i - a - 1);
            }
            a = i;
        }
        for (size_t i = 0; i < k; i++) {
            uint32_t r = idx[i];
            L->tst_stop[L->n_tst] = S->stop[r];
            L->tst_arr[L->n_tst] = S->arr[r];
            L->tst_dep[L->n_tst] = S->dep[r];
            L->tst_flags[L->n_tst] = S->flags[r];
            L->n_tst++;
        }
    }
    L->tst_first[f->trip_end] = (uint32_t)L->n_tst;
    close_file(L);
out:
    hh__free(start);
    hh__free(perm);
    hh__free(tmp);
    hh__free(cum);
    staged_free(S);
    return rc;
}

/* ---- frequencies.txt ------------------------------------------------- */

static int read_frequencies(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    int found, rc, c_trip, c_start, c_end, c_head, c_exact;
    if ((rc = open_file(L, "frequencies.txt", 0, &found)) || !found)
        return rc;
    if ((rc = need_col(L, "trip_id", &c_trip)) || (rc = need_col(L, "start_time", &c_start)) ||
        (rc = need_col(L, "end_time", &c_end)) || (rc = need_col(L, "headway_secs", &c_head)))
        return rc;
    c_exact = hh__csv_column(&L->csv, "exact_times");
    void **const cols[] = {COL(tt->freq_trip), COL(tt->freq_start), COL(tt->freq_end),
                           COL(tt->freq_headway), COL(tt->freq_exact)};
    const size_t sizes[] = {4, 4, 4, 4, 1};
    while ((rc = next_row(L)) > 0) {
        const char *tid = get(L, c_trip);
        uint32_t t = find_cur(L, HH__GTFS_TRIP, tid, f->trip_begin, f->trip_end);
        if (t == NONE) {
            int added;
            if ((rc = dropped_trip(L, tid, 1, &added)) < 0)
                return rc;
            char bb[48];
            if (added && (rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv),
                                    "trip_id \"%s\" is not in trips.txt (the row dropped)",
                                    shown(tid, bb, sizeof bb))))
                return rc;
            continue;
        }
        int32_t a, b;
        uint32_t h, exact;
        if (hh__gtfs_parse_time(get(L, c_start), &a))
            return bad(L, "start_time", get(L, c_start), "is not a time");
        if (hh__gtfs_parse_time(get(L, c_end), &b))
            return bad(L, "end_time", get(L, c_end), "is not a time");
        if (b <= a)
            return bad(L, "end_time", get(L, c_end), "is not after start_time");
        if (parse_uint(get(L, c_head), INT32_MAX, &h) || h == 0)
            return bad(L, "headway_secs", get(L, c_head), "is not a positive number of seconds");
        if (parse_enum(get(L, c_exact), 1, 0, &exact))
            return bad(L, "exact_times", get(L, c_exact), "is not 0 or 1");
        if (L->tst_first[t + 1] - L->tst_first[t] < 2) {
            f->n_freqs_dropped++;
            continue;
        }
        uint32_t i = tt->n_freqs;
        if (i >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u frequencies", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_freq, (size_t)i + 1, cols, sizes, 5))
            return oom(L);
        tt->freq_trip[i] = t;
        tt->freq_start[i] = a;
        tt->freq_end[i] = b;
        tt->freq_headway[i] = (int32_t)h;
        tt->freq_exact[i] = (uint8_t)exact;
        tt->n_freqs++;
    }
    if (rc < 0)
        return rc;
    close_file(L);
    return 0;
}

/* ---- transfers.txt --------------------------------------------------- */

static int read_transfers(loader *L)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    int found, rc, c_from, c_to, c_type, c_min, c_other[4];
    static const char *const other[4] = {"from_route_id", "to_route_id", "from_trip_id", "to_trip_id"};
    if ((rc = open_file(L, "transfers.txt", 0, &found)) || !found)
        return rc;
    if ((rc = need_col(L, "from_stop_id", &c_from)) || (rc = need_col(L, "to_stop_id", &c_to)))
        return rc;
    c_type = hh__csv_column(&L->csv, "transfer_type");
    c_min = hh__csv_column(&L->csv, "min_transfer_time");
    for (int i = 0; i < 4; i++)
        c_other[i] = hh__csv_column(&L->csv, other[i]);
    void **const cols[] = {COL(tt->xfer_from), COL(tt->xfer_to), COL(tt->xfer_type), COL(tt->xfer_min_s)};
    const size_t sizes[] = {4, 4, 1, 4};
    while ((rc = next_row(L)) > 0) {
        uint32_t type, min = 0;
        if (parse_enum(get(L, c_type), 5, 0, &type))
            return bad(L, "transfer_type", get(L, c_type), "is not 0..5");
        int specific = type >= 4; /* 4, 5: staying aboard between trips */
        for (int i = 0; i < 4; i++)
            specific |= !is_blank(get(L, c_other[i]));
        if (specific) {
            /* a rule for some routes or trips cannot be a stop-to-stop one */
            f->n_xfers_skipped++;
            if ((rc = warn(L, HH__GW_XFER_NOT_STOP, hh__csv_line(&L->csv),
                           "transfer_type %lu%s is not a stop-to-stop rule (ignored)", (unsigned long)type,
                           type >= 4 ? "" : " for routes or trips")))
                return rc;
            continue;
        }
        uint32_t a = find_cur(L, HH__GTFS_STOP, get(L, c_from), f->stop_begin, f->stop_end);
        uint32_t b = find_cur(L, HH__GTFS_STOP, get(L, c_to), f->stop_begin, f->stop_end);
        if (a == NONE || b == NONE) {
            char bb[48];
            const char *col = a == NONE ? "from_stop_id" : "to_stop_id";
            if ((rc = warn(L, HH__GW_MISSING_REF, hh__csv_line(&L->csv), "%s \"%s\" is not in stops.txt (the row dropped)",
                           col, shown(get(L, a == NONE ? c_from : c_to), bb, sizeof bb))))
                return rc;
            continue;
        }
        int blank_min = is_blank(get(L, c_min));
        if (!blank_min && parse_uint(get(L, c_min), INT32_MAX, &min))
            return bad(L, "min_transfer_time", get(L, c_min), "is not a number of seconds");
        uint32_t i = tt->n_xfers;
        if (i >= MAX_COUNT)
            return fail(L, HH_ERANGE, "more than %u transfers", MAX_COUNT);
        if (hh__gtfs_grow_cols(&L->cap_xfer, (size_t)i + 1, cols, sizes, 4))
            return oom(L);
        tt->xfer_from[i] = a;
        tt->xfer_to[i] = b;
        tt->xfer_type[i] = (uint8_t)type;
        tt->xfer_min_s[i] = blank_min ? -1 : (int32_t)min;
        tt->n_xfers++;
    }
    if (rc < 0)
        return rc;
    close_file(L);
    return 0;
}

/* ---- one feed -------------------------------------------------------- */

static int read_feed(loader *L, const char *path)
{
    hh__timetable *tt = L->tt;
    hh__gtfs_feed *f = &tt->feeds[L->feed];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bl = strlen(base);
    if (!(f->name = hh__malloc(bl + 1)))
        return fail(L, HH_ENOMEM, "out of memory");
    memcpy(f->name, base, bl + 1);
    L->fname = f->name;
    L->file = NULL;
    f->stop_begin = f->stop_end = tt->n_stops;
    f->route_begin = f->route_end = tt->n_routes;
    f->service_begin = f->service_end = tt->n_services;
    f->trip_begin = f->trip_end = tt->n_trips;
    L->n_dropped = 0;
    if (L->dropped.cap)
        memset(L->dropped.slot, 0, L->dropped.cap * sizeof *L->dropped.slot);
    L->dropped.n = 0;

    int zerr = 0;
    L->zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (!L->zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        int code = zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS ? HH_EFORMAT : HH_EIO;
        fail(L, code, "cannot open: %s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return code;
    }
    int rc, has_cal, has_dates;
    if ((rc = read_agency(L)) || (rc = read_stops(L)) || (rc = read_routes(L)) ||
        (rc = read_calendar(L, &has_cal)) || (rc = read_calendar_dates(L, &has_dates)))
        return rc;
    if (!has_cal && !has_dates)
        return fail(L, HH_EFORMAT, "missing required file calendar.txt or calendar_dates.txt (neither found)");
    f->service_end = tt->n_services;
    if ((rc = read_trips(L)) || (rc = read_stop_times(L)) || (rc = assemble_trips(L)) ||
        (rc = read_frequencies(L)) || (rc = read_transfers(L)))
        return rc;
    zip_discard(L->zip);
    L->zip = NULL;
    return 0;
}

static int finish(loader *L)
{
    hh__timetable *tt = L->tt;
    /* services: exceptions are sorted by service already (see
     * read_calendar_dates) */
    if (!(tt->service_exc_first = hh__calloc((size_t)tt->n_services + 1, 4)))
        return oom(L);
    for (size_t i = 0; i < L->n_exc; i++)
        tt->service_exc_first[L->exc_svc[i] + 1]++;
    for (uint32_t s = 0; s < tt->n_services; s++)
        tt->service_exc_first[s + 1] += tt->service_exc_first[s];
    for (uint32_t f = 0; f < tt->n_feeds; f++) {
        hh__gtfs_feed *fd = &tt->feeds[f];
        fd->first_date = fd->last_date = 0;
        for (uint32_t s = fd->service_begin; s < fd->service_end; s++) {
            int32_t a, b;
            hh__timetable_service_span(tt, s, &a, &b);
            if (a && (!fd->first_date || a < fd->first_date))
                fd->first_date = a;
            if (b && b > fd->last_date)
                fd->last_date = b;
        }
    }
    L->file = NULL;
    L->fname = NULL;
    hh__gtfs_trip_times st = {L->tst_first, L->tst_stop, L->tst_arr, L->tst_dep, L->tst_flags};
    int rc = hh__gtfs_index(tt, &st);
    if (rc == HH_ERANGE)
        return fail(L, rc, "more than %u patterns", MAX_COUNT);
    if (rc)
        return fail(L, rc, "out of memory building patterns");
    return 0;
}

int hh__gtfs_load(const char *const *paths, size_t n, hh__timetable **out, char *err, size_t errlen)
{
    return hh__gtfs_load_opts(paths, n, NULL, out, err, errlen);
}

int hh__gtfs_load_opts(const char *const *paths, size_t n, const hh__gtfs_opts *opts, hh__timetable **out,
                       char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    loader L = {0};
    L.opts = opts;
    L.err = err;
    L.errlen = errlen;
    if (!n || n > MAX_COUNT) {
        if (err && errlen)
            snprintf(err, errlen, "gtfs: %s feeds given", n ? "too many" : "no");
        return HH_EINVAL;
    }
    hh__timetable *tt = hh__calloc(1, sizeof *tt);
    int rc = HH_ENOMEM;
    if (!tt || !(tt->feeds = hh__calloc(n, sizeof *tt->feeds)) ||
        !(tt->idmaps = hh__calloc(HH__GTFS_N_KINDS, sizeof *tt->idmaps))) {
        fail(&L, rc, "out of memory");
        goto fail_tt;
    }
    L.tt = tt;
    for (size_t i = 0; i < n; i++) {
        tt->n_feeds = (uint32_t)i + 1;
        L.feed = (uint32_t)i;
        rc = read_feed(&L, paths[i]);
        close_file(&L);
        staged_free(&L.st);
        if (L.zip)
            zip_discard(L.zip);
        L.zip = NULL;
        if (rc)
            goto fail_tt;
    }
    if ((rc = finish(&L)))
        goto fail_tt;
    *out = tt;
    tt = NULL;
    rc = 0;
fail_tt:
    hh__timetable_free(tt);
    hh__free(L.exc_svc);
    hh__free(L.exc_line);
    hh__free(L.tst_first);
    hh__free(L.tst_stop);
    hh__free(L.tst_arr);
    hh__free(L.tst_dep);
    hh__free(L.tst_flags);
    hh__free(L.parent_str);
    hh__free(L.stop_line);
    hh__free(L.rowpool), hh__free(L.rowbuf), hh__free(L.row_off), hh__free(L.row_line);
    hh__free(L.dropped.slot), hh__free(L.dropped_ids);
    return rc;
}
