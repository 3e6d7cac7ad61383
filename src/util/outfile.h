/* outfile.h: where an output path leads, shared by hh_out_* (src/io/out.c)
 * and the network file writer (src/net/file.c).
 *
 * A regular file, or a name where nothing is yet, is replaced atomically:
 * data goes to a temporary file beside the final name and is renamed onto
 * it only when complete.  When `path` is a symlink the final name is the
 * link's target (followed to its end), so the link itself survives and the
 * temporary file sits beside the target.  Anything else -- a FIFO, a
 * terminal, a device such as /dev/null or /dev/full, /dev/stdout or
 * /proc/self/fd/N (written through the caller's open descriptor, keeping its
 * offset and append mode) -- is written through and never replaced.
 * A directory is an error. */
#ifndef HH_UTIL_OUTFILE_H
#define HH_UTIL_OUTFILE_H

#include <stddef.h>

typedef struct hh__outfile {
    int fd;       /* where to write */
    char *target; /* rename target; NULL when written through */
    char *tmp;    /* temporary name beside target; NULL when written through */
} hh__outfile;

/* Opens the temporary file (mode 0666 & ~umask, or the mode of the file it
 * replaces) or the write-through target.  Errors name `path`. */
int hh__outfile_open(hh__outfile *o, const char *path, char *err, size_t errlen);
/* Regular: fsync, close and rename onto the target (on failure the
 * temporary file is removed and the old file left as it was).  Write-through:
 * close.  `path` is the name used in messages.  Always releases o. */
int hh__outfile_commit(hh__outfile *o, const char *path, char *err, size_t errlen);
/* Closes and removes the temporary file; NULL-safe, idempotent. */
void hh__outfile_abort(hh__outfile *o);

/* write(2) of all n bytes, retried on EINTR and short writes; 0 or -1 (errno). */
int hh__write_all(int fd, const void *buf, size_t n);

#endif
