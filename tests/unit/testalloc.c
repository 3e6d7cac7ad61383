/* testalloc.c: see testalloc.h. */
#include "testalloc.h"

#include <stdlib.h>

#include "halfhour.h"

static long fail_from = -1, count;

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    if (fail_from >= 0 && count++ >= fail_from)
        return NULL;
    return malloc(n);
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (fail_from >= 0 && count++ >= fail_from)
        return NULL;
    return realloc(p, n);
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

void hh_test_alloc_fail_from(long k)
{
    static const hh_allocator a = {t_malloc, t_realloc, t_free, NULL};
    fail_from = k;
    count = 0;
    hh_set_allocator(&a);
}

long hh_test_alloc_restore(void)
{
    hh_set_allocator(NULL);
    fail_from = -1;
    return count;
}
