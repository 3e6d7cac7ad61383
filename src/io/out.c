/* out.c: output files that appear only when complete (temp file + rename),
 * written through when they are not regular files (util/outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "halfhour.h"
#include "util/alloc.h"
#include "util/outfile.h"

int hh_out_open(hh_out *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    char *p = hh__strdup(path);
    if (!p) {
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    hh__outfile of;
    int rc = hh__outfile_open(&of, path, err, errlen);
    if (rc) {
        hh__free(p);
        return rc;
    }
    FILE *f = fdopen(of.fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        hh__outfile_abort(&of);
        hh__free(p);
        return HH_EIO;
    }
    o->fp = f, o->path = p, o->tmp = of.tmp, o->target = of.target;
    return 0;
}

int hh_out_flush(hh_out *o, char *err, size_t errlen)
{
    FILE *f = o->fp;
    if (f == stdout) {
        errno = 0;
        int bad = fflush(f) != 0;
        int e = errno;
        if (bad || ferror(f)) {
            snprintf(err, errlen, "cannot write standard output: %s", e ? strerror(e) : "write error");
            return HH_EIO;
        }
        return 0;
    }
    if (!f) /* flushed already */
        return 0;
    errno = 0;
    int bad = ferror(f) || fflush(f) || (o->tmp && fsync(fileno(f)));
    int e = errno;
    if (fclose(f) && !bad)
        bad = 1, e = errno;
    o->fp = NULL;
    if (bad) {
        snprintf(err, errlen, "cannot write %s: %s", o->path, e ? strerror(e) : "write error");
        hh_out_abort(o);
        return HH_EIO;
    }
    return 0;
}

int hh_out_commit(hh_out *o, char *err, size_t errlen)
{
    if (o->fp == stdout)
        return hh_out_flush(o, err, errlen);
    if (!o->path) { /* aborted by a failed hh_out_flush */
        snprintf(err, errlen, "cannot write output: already failed");
        return HH_EIO;
    }
    int rc = hh_out_flush(o, err, errlen);
    if (rc)
        return rc;
    hh__outfile of = {-1, o->target, o->tmp};
    o->target = o->tmp = NULL;
    rc = hh__outfile_commit(&of, o->path, err, errlen);
    hh__free(o->path);
    o->path = NULL;
    return rc;
}

void hh_out_abort(hh_out *o)
{
    if (!o)
        return;
    if (o->fp && o->fp != stdout)
        fclose(o->fp);
    hh__outfile of = {-1, o->target, o->tmp};
    hh__outfile_abort(&of);
    hh__free(o->path);
    memset(o, 0, sizeof *o);
}
