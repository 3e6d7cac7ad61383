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

#endif
