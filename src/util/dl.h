/* dl.h: a shared library opened on first use (dlopen), its functions
 * resolved into a table.  For libraries whose loading at start-up costs
 * every run of the program although most runs never call them (GDAL and
 * PROJ: see io/gdal.h and io/grid.c). */
#ifndef HH_UTIL_DL_H
#define HH_UTIL_DL_H

#include <stddef.h>

/* Opens `soname` and resolves each of names[0..n) into fns[i]; 0, or -1
 * with "<what> could not be loaded (...)" / "<what> lacks <name>" in err
 * (the library is then closed again and fns left NULL).  The handle stays
 * open for the life of the process. */
int hh__dl_load(const char *what, const char *soname, const char *const *names, void **fns, size_t n, char *err,
                size_t errlen);

/* Loads `soname` into *api, a struct whose members are the functions of
 * LIST, an X-macro (LIST(X) expands to X(f1) X(f2) ...), each member named
 * and typed after its function; on failure the members stay NULL and err
 * says why (as hh__dl_load). */
#define HH__DL_NAME(f) #f,
#define HH__DL_SET(f) *(void **)&hh__dl_api->f = hh__dl_fns[hh__dl_i++];
#define HH__DL_LOAD_TABLE(LIST, api, what, soname, err, errlen)                                                \
    do {                                                                                                       \
        static const char *const hh__dl_names[] = {LIST(HH__DL_NAME)};                                         \
        enum { hh__dl_n = sizeof hh__dl_names / sizeof *hh__dl_names };                                        \
        void *hh__dl_fns[hh__dl_n];                                                                            \
        __typeof__(api) hh__dl_api = (api);                                                                    \
        size_t hh__dl_i = 0;                                                                                   \
        if (!hh__dl_load(what, soname, hh__dl_names, hh__dl_fns, hh__dl_n, err, errlen)) {                     \
            LIST(HH__DL_SET)                                                                                   \
        }                                                                                                      \
    } while (0)

#endif
