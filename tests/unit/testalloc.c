/* testalloc.c: see testalloc.h. */
#include "testalloc.h"

#include <stdlib.h>

#include "halfhour.h"

/* count is atomic: the library allocates from its worker threads too (the
 * build contracts walk and bike on one thread while car runs on another) */
static long fail_from = -1, count;
static int only_one; /* fail allocation fail_from alone, not the ones after */

static int fails(void)
{
    long i = __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
    return fail_from >= 0 && (only_one ? i == fail_from : i >= fail_from);
}

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    return fails() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return fails() ? NULL : realloc(p, n);
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static void install(long k, int only)
{
    static const hh_allocator a = {t_malloc, t_realloc, t_free, NULL};
    fail_from = k;
    only_one = only;
    count = 0;
    hh_set_allocator(&a);
}

void hh_test_alloc_fail_from(long k) { install(k, 0); }

void hh_test_alloc_fail_only(long k) { install(k, 1); }

long hh_test_alloc_restore(void)
{
    hh_set_allocator(NULL);
    fail_from = -1;
    return __atomic_load_n(&count, __ATOMIC_RELAXED);
}

static void *c_malloc(size_t n, void *ud)
{
    hh_test_counter *c = ud;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    void *p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void *c_realloc(void *p, size_t n, void *ud)
{
    hh_test_counter *c = ud;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    void *q = realloc(p, n);
    if (q && !p)
        c->live++;
    return q;
}

static void c_free(void *p, void *ud)
{
    hh_test_counter *c = ud;
    if (p)
        c->live--;
    free(p);
}

hh_allocator hh_test_counting(hh_test_counter *c)
{
    hh_allocator a = {c_malloc, c_realloc, c_free, c};
    return a;
}
