/* out.c: output files that appear only when complete (temp file + rename). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "halfhour.h"
#include "util/alloc.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hh__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int hh_out_open(hh_out *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    size_t n = strlen(path) + 16;
    char *tmp = hh__malloc(n), *p = dup_str(path);
    if (!tmp || !p) {
        hh__free(tmp), hh__free(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        hh__free(tmp), hh__free(p);
        return HH_EIO;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        hh__free(tmp), hh__free(p);
        return HH_EIO;
    }
    /* mkstemp makes 0600 files; outputs are ordinary files for the user */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    o->fp = f, o->path = p, o->tmp = tmp;
    return 0;
}

int hh_out_commit(hh_out *o, char *err, size_t errlen)
{
    FILE *f = o->fp;
    if (!o->tmp) {
        if (fflush(f)) {
            snprintf(err, errlen, "cannot write output: %s", strerror(errno));
            return HH_EIO;
        }
        return 0;
    }
    int bad = ferror(f) || fflush(f) || fsync(fileno(f));
    bad |= fclose(f) != 0;
    o->fp = NULL;
    if (bad || rename(o->tmp, o->path)) {
        snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
        hh_out_abort(o);
        return HH_EIO;
    }
    hh__free(o->tmp), hh__free(o->path);
    o->tmp = o->path = NULL;
    return 0;
}

void hh_out_abort(hh_out *o)
{
    if (!o)
        return;
    if (o->tmp) {
        if (o->fp)
            fclose(o->fp);
        unlink(o->tmp);
    }
    hh__free(o->tmp), hh__free(o->path);
    memset(o, 0, sizeof *o);
}
