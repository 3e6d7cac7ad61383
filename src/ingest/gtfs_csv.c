/* gtfs_csv.c: streaming RFC 4180 rows for the GTFS reader. */
#include "ingest/gtfs_csv.h"

#include <string.h>
#include <strings.h>

#include "halfhour.h"
#include "util/alloc.h"

/* Big enough that refills are rare, small enough to stay in L2. */
#define CSV_CHUNK 65536

void hh__csv_init(hh__csv *c, hh__csv_read_fn read, void *ud)
{
    memset(c, 0, sizeof *c);
    c->read = read;
    c->ud = ud;
    c->next_line = 1;
}

void hh__csv_free(hh__csv *c)
{
    if (!c)
        return;
    hh__free(c->buf);
    hh__free(c->row);
    hh__free(c->field);
    hh__free(c->hdr);
    hh__free(c->hdr_field);
    c->buf = c->row = c->hdr = NULL;
    c->field = c->hdr_field = NULL;
}

/* Moves unparsed bytes to the front (or doubles the buffer when one row
 * already fills it) and reads more.  A row is re-parsed from its start after
 * a refill: rows are short, so this is cheaper than a resumable parser. */
static int refill(hh__csv *c)
{
    if (c->buf_pos > 0) {
        memmove(c->buf, c->buf + c->buf_pos, c->buf_len - c->buf_pos);
        c->buf_len -= c->buf_pos;
        c->buf_pos = 0;
    }
    if (c->buf_len == c->buf_cap) {
        /* one row fills the buffer: a row of more than HH_CSV_MAX_ROW bytes
         * is not a table's (a zip entry or file of one endless line) */
        if (c->buf_cap >= HH_CSV_MAX_ROW) {
            c->line = c->next_line; /* messages name the long row */
            return HH_ERANGE;
        }
        size_t need = c->buf_cap ? c->buf_cap * 2 : CSV_CHUNK;
        if (hh__grow(&c->buf, &c->buf_cap, need, 1))
            return HH_ENOMEM;
    }
    int64_t got = c->read(c->ud, c->buf + c->buf_len, c->buf_cap - c->buf_len);
    if (got < 0)
        return HH_EIO;
    if (got == 0)
        c->eof = 1;
    c->buf_len += (size_t)got;
    return 0;
}

/* Parses one row from buf[pos..len).  Returns 1 with the row complete, 0 when
 * more input is needed, HH_EFORMAT for an open quote at end of input. */
static int parse_row(hh__csv *c)
{
    const char *b = c->buf;
    size_t i = c->buf_pos, len = c->buf_len, o = 0;
    uint64_t lines = 0;
    int eof = c->eof;

    /* each raw byte yields at most one output byte, each field one NUL */
    size_t need = 2 * (len - i) + 2;
    if (hh__grow(&c->row, &c->row_cap, need, 1))
        return HH_ENOMEM;
    char *out = c->row;
    c->n_fields = 0;

    for (;;) {
        if (hh__grow(&c->field, &c->field_cap, c->n_fields + 1, sizeof *c->field))
            return HH_ENOMEM;
        c->field[c->n_fields++] = o;
        if (i < len && b[i] == '"') {
            i++;
            for (;;) {
                if (i == len) {
                    if (eof)
                        return HH_EFORMAT;
                    return 0;
                }
                char ch = b[i];
                if (ch == '"') {
                    if (i + 1 == len && !eof)
                        return 0;
                    if (i + 1 < len && b[i + 1] == '"') {
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (ch == '\n')
                    lines++;
                else if (ch == '\r' && !(i + 1 < len && b[i + 1] == '\n'))
                    lines++;
                out[o++] = ch;
                i++;
            }
        }
        /* unquoted text, or whatever follows a closing quote */
        while (i < len) {
            char ch = b[i];
            if (ch == ',' || ch == '\n' || ch == '\r')
                break;
            out[o++] = ch;
            i++;
        }
        if (i == len) {
            if (!eof)
                return 0;
            out[o++] = '\0';
            break;
        }
        char ch = b[i];
        out[o++] = '\0';
        if (ch == ',') {
            i++;
            continue;
        }
        if (ch == '\r') {
            if (i + 1 == len && !eof)
                return 0;
            i++;
            if (i < len && b[i] == '\n')
                i++;
        } else {
            i++;
        }
        lines++;
        break;
    }
    c->buf_pos = i;
    c->line = c->next_line;
    c->next_line += lines;
    return 1;
}

static int blank_row(const hh__csv *c)
{
    if (c->n_fields != 1)
        return 0;
    for (const char *s = c->row; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

int hh__csv_next(hh__csv *c)
{
    int rc;
    if (!c->started) {
        while (c->buf_len - c->buf_pos < 3 && !c->eof)
            if ((rc = refill(c)))
                return rc;
        if (c->buf_len - c->buf_pos >= 3 && !memcmp(c->buf + c->buf_pos, "\xEF\xBB\xBF", 3))
            c->buf_pos += 3;
        c->started = 1;
    }
    for (;;) {
        if (c->buf_pos == c->buf_len) {
            if (c->eof)
                return 0;
            if ((rc = refill(c)))
                return rc;
            continue;
        }
        rc = parse_row(c);
        if (rc < 0) {
            if (rc == HH_EFORMAT)
                c->line = c->next_line;
            return rc;
        }
        if (rc == 0) {
            if ((rc = refill(c)))
                return rc;
            continue;
        }
        if (!blank_row(c))
            return 1;
    }
}

int hh__csv_header(hh__csv *c)
{
    int rc = hh__csv_next(c);
    if (rc <= 0)
        return rc == 0 ? HH_EEMPTY : rc;
    size_t n = c->n_fields;
    size_t bytes = c->field[n - 1] + strlen(c->row + c->field[n - 1]) + 1;
    char *h = hh__malloc(bytes);
    size_t *f = hh__alloc_array(n, sizeof *f);
    if (!h || !f) {
        hh__free(h);
        hh__free(f);
        return HH_ENOMEM;
    }
    memcpy(h, c->row, bytes);
    memcpy(f, c->field, n * sizeof *f);
    hh__free(c->hdr);
    hh__free(c->hdr_field);
    c->hdr = h;
    c->hdr_field = f;
    c->n_hdr = n;
    return 0;
}

int hh__csv_column(const hh__csv *c, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < c->n_hdr; i++) {
        const char *s = c->hdr + c->hdr_field[i];
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            l--;
        if (l == nl && !strncasecmp(s, name, nl))
            return i > (size_t)INT32_MAX ? -1 : (int)i;
    }
    return -1;
}

const char *hh__csv_get(const hh__csv *c, int col)
{
    if (col < 0 || (size_t)col >= c->n_fields)
        return "";
    return c->row + c->field[col];
}
