/* gtfs_csv.h: a streaming RFC 4180 row reader for GTFS text files.
 *
 * Rows are pulled one at a time from a byte source (a libzip member, a memory
 * buffer), so a 17 MB stop_times.txt never sits in memory whole.  Accepted:
 * a UTF-8 byte-order mark, LF, CRLF or lone CR line ends, quoted fields with
 * commas, doubled quotes and line breaks, rows shorter or longer than the
 * header, blank lines anywhere (skipped), no final line end.  Leniencies that
 * real feeds need: a quote inside an unquoted field is kept literally, and
 * text after a closing quote is appended to the field.  The only syntax error
 * is a quote left open at end of input (HH_EFORMAT; hh__csv_line() then names
 * the line where the field began).
 *
 * Memory: a hh__csv owns its buffers (hh__csv_free); field pointers returned
 * by hh__csv_get() stay valid until the next hh__csv_next() call.  The source
 * callback and its user data stay the caller's.
 * Concurrency: one reader per thread; readers share nothing.
 * Invariant: after hh__csv_next() returns 1, field[i] < field[i+1] offsets
 * index NUL-terminated strings inside row, and n_fields >= 1. */
#ifndef HH_INGEST_GTFS_CSV_H
#define HH_INGEST_GTFS_CSV_H

#include <stddef.h>
#include <stdint.h>

/* Reads up to n bytes into buf; returns the count, 0 at end of input, or a
 * negative number on a read error (reported as HH_EIO). */
typedef int64_t (*hh__csv_read_fn)(void *ud, char *buf, size_t n);

typedef struct hh__csv {
    hh__csv_read_fn read;
    void *ud;
    char *buf; /* raw bytes buf[pos..len) not yet parsed */
    size_t buf_cap, buf_len, buf_pos;
    int eof;      /* the source returned 0 */
    int started;  /* the byte-order mark check is done */
    char *row;    /* unquoted fields of the current row, NUL-terminated */
    size_t row_cap;
    size_t *field; /* n_fields offsets into row */
    size_t n_fields, field_cap;
    uint64_t line;      /* physical line (1-based) where the current row began */
    uint64_t next_line; /* physical line where the next row begins */
    char *hdr;          /* copy of the header row (hh__csv_header) */
    size_t *hdr_field;
    size_t n_hdr;
} hh__csv;

/* Prepares a reader over `read`; allocates nothing yet. */
void hh__csv_init(hh__csv *c, hh__csv_read_fn read, void *ud);
void hh__csv_free(hh__csv *c);

/* Advances to the next non-blank row: 1 when there is one, 0 at end of input,
 * or HH_EFORMAT (open quote at end), HH_EIO, HH_ENOMEM. */
int hh__csv_next(hh__csv *c);

/* Reads the first non-blank row as the header and keeps it for
 * hh__csv_column().  Returns 0, HH_EEMPTY when the input has no row at all,
 * or an hh__csv_next() error. */
int hh__csv_header(hh__csv *c);

/* Column index of a header name (compared without surrounding blanks and
 * without case), or -1 when absent.  A name given twice finds the first. */
int hh__csv_column(const hh__csv *c, const char *name);

/* Field `col` of the current row; "" when col < 0 or the row is shorter. */
const char *hh__csv_get(const hh__csv *c, int col);

/* Line where the current row began (for messages). */
static inline uint64_t hh__csv_line(const hh__csv *c) { return c->line; }

/* The longest row read (bytes, quoted line breaks included): a longer one
 * is HH_ERANGE from hh__csv_next / hh__csv_header, before its buffer grows
 * past this.  Rows of real tables are a few hundred bytes. */
#define HH_CSV_MAX_ROW ((size_t)1 << 20)

#endif
