/* dl.c: see dl.h. */
#include "util/dl.h"

#include <dlfcn.h>
#include <stdio.h>

int hh__dl_load(const char *what, const char *soname, const char *const *names, void **fns, size_t n, char *err,
                size_t errlen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errlen, "%s could not be loaded (%s)", what, e ? e : soname);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(fns[i] = dlsym(h, names[i]))) {
            snprintf(err, errlen, "%s (%s) lacks %s: too old a version", what, soname, names[i]);
            for (size_t j = 0; j <= i; j++)
                fns[j] = NULL;
            dlclose(h);
            return -1;
        }
    }
    return 0;
}
