/* outfile.c: see outfile.h. */
#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "halfhour.h"
#include "util/alloc.h"

int hh__write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0) {
            errno = EIO;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The descriptor a /proc/self/fd/N, /proc/<our pid>/fd/N or /dev/fd/N path
 * names (what /dev/stdout leads to), or -1. */
static int fd_of_path(const char *p)
{
    int n, pid, k = 0;
    if ((sscanf(p, "/proc/self/fd/%d%n", &n, &k) == 1 && !p[k]) ||
        (sscanf(p, "/proc/thread-self/fd/%d%n", &n, &k) == 1 && !p[k]) ||
        (sscanf(p, "/dev/fd/%d%n", &n, &k) == 1 && !p[k]))
        return n >= 0 ? n : -1;
    if (sscanf(p, "/proc/%d/fd/%d%n", &pid, &n, &k) == 2 && !p[k] && pid == (int)getpid())
        return n >= 0 ? n : -1;
    return -1;
}

/* A symlink's target, relative ones taken from the link's folder. */
static char *link_target(const char *link)
{
    char buf[PATH_MAX];
    ssize_t k = readlink(link, buf, sizeof buf - 1);
    if (k < 0)
        return NULL;
    buf[k] = 0;
    if (buf[0] == '/')
        return hh__strdup(buf);
    const char *slash = strrchr(link, '/');
    size_t dl = slash ? (size_t)(slash - link) + 1 : 0;
    char *r = hh__malloc(dl + (size_t)k + 1);
    if (!r) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(r, link, dl);
    memcpy(r + dl, buf, (size_t)k + 1);
    return r;
}

int hh__outfile_open(hh__outfile *o, const char *path, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    o->fd = -1, o->target = o->tmp = NULL;
    char *cur = hh__strdup(path);
    if (!cur) {
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    int keep_mode = -1;
    for (int depth = 0;; depth++) {
        struct stat st;
        int n = fd_of_path(cur);
        if (n >= 0) {
            /* the caller's own descriptor: written through as it is */
            int fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
            if (fd < 0 || (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
                snprintf(err, errlen, "cannot write %s: %s", path,
                         fd < 0 ? strerror(errno) : "descriptor not open for writing");
                if (fd >= 0)
                    close(fd);
                hh__free(cur);
                return HH_EIO;
            }
            hh__free(cur);
            o->fd = fd;
            return 0;
        }
        if (depth > 40) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(ELOOP));
            hh__free(cur);
            return HH_EIO;
        }
        if (lstat(cur, &st)) {
            if (errno == ENOENT)
                break; /* a new file at cur */
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            hh__free(cur);
            return HH_EIO;
        }
        if (S_ISLNK(st.st_mode)) {
            char *next = link_target(cur);
            if (!next) {
                int e = errno;
                snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
                hh__free(cur);
                return e == ENOMEM ? HH_ENOMEM : HH_EIO;
            }
            hh__free(cur);
            cur = next;
            continue;
        }
        if (S_ISREG(st.st_mode)) {
            keep_mode = (int)(st.st_mode & 07777);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(EISDIR));
            hh__free(cur);
            return HH_EIO;
        }
        /* FIFO, terminal, device, socket: write through, never replace */
        int fd = open(cur, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            hh__free(cur);
            return HH_EIO;
        }
        hh__free(cur);
        o->fd = fd;
        return 0;
    }
    /* a regular file (or none yet) at cur: temporary file beside it */
    size_t n = strlen(cur) + 16;
    char *tmp = hh__malloc(n);
    if (!tmp) {
        hh__free(cur);
        snprintf(err, errlen, "%s: out of memory", path);
        return HH_ENOMEM;
    }
    snprintf(tmp, n, "%s.tmp-XXXXXX", cur);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        hh__free(tmp), hh__free(cur);
        return HH_EIO;
    }
    /* mkstemp makes 0600 files; outputs are ordinary files for the user,
     * and a replaced file keeps its mode */
    mode_t mode;
    if (keep_mode >= 0) {
        mode = (mode_t)keep_mode;
    } else {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    if (fchmod(fd, mode)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        hh__free(tmp), hh__free(cur);
        return HH_EIO;
    }
    o->fd = fd, o->target = cur, o->tmp = tmp;
    return 0;
}

int hh__outfile_commit(hh__outfile *o, const char *path, char *err, size_t errlen)
{
    char ebuf[1];
    if (!err)
        err = ebuf, errlen = sizeof ebuf;
    int bad = 0, e = 0;
    if (o->fd >= 0) {
        if (o->tmp && fsync(o->fd))
            bad = 1, e = errno;
        if (close(o->fd) && !bad)
            bad = 1, e = errno;
        o->fd = -1;
    }
    if (!bad && o->tmp && rename(o->tmp, o->target))
        bad = 1, e = errno;
    if (bad) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        hh__outfile_abort(o);
        return HH_EIO;
    }
    if (o->tmp) {
        /* the rename itself survives a crash once the folder is synced */
        char *slash = strrchr(o->target, '/');
        if (slash)
            *slash = 0;
        int dfd = open(slash ? (*o->target ? o->target : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    hh__free(o->tmp), hh__free(o->target);
    o->tmp = o->target = NULL;
    return 0;
}

void hh__outfile_abort(hh__outfile *o)
{
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    hh__free(o->tmp), hh__free(o->target);
    o->fd = -1, o->tmp = o->target = NULL;
}
