/* alloc.c: the allocation hook.  The hook is process-wide configuration set
 * once before use (like a memory limit), not mutable state shared by queries. */
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "halfhour.h"

static void *def_malloc(size_t n, void *ud) { (void)ud; return malloc(n); }
static void *def_realloc(void *p, size_t n, void *ud) { (void)ud; return realloc(p, n); }
static void def_free(void *p, void *ud) { (void)ud; free(p); }

static hh_allocator g_alloc = {def_malloc, def_realloc, def_free, NULL};

void hh_set_allocator(const hh_allocator *a)
{
    if (a)
        g_alloc = *a;
    else
        g_alloc = (hh_allocator){def_malloc, def_realloc, def_free, NULL};
}

void *hh__malloc(size_t n) { return g_alloc.malloc_fn(n ? n : 1, g_alloc.ud); }

void *hh__calloc(size_t n, size_t size)
{
    void *p = hh__alloc_array(n, size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *hh__realloc(void *p, size_t n) { return g_alloc.realloc_fn(p, n ? n : 1, g_alloc.ud); }

void hh__free(void *p)
{
    if (p)
        g_alloc.free_fn(p, g_alloc.ud);
}

void *hh__alloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return hh__malloc(n * size);
}

void *hh__realloc_array(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return hh__realloc(p, n * size);
}

int hh__grow(void *pp, size_t *cap, size_t need, size_t size)
{
    void **p = (void **)pp;
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return HH_ENOMEM;
        ncap *= 2;
    }
    void *np = hh__realloc_array(*p, ncap, size);
    if (!np)
        return HH_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

char *hh__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hh__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
